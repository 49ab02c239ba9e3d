// FerrumDB Studio pages. Every piece of data reaches the page through textContent or element properties,
// never as markup (the server's Content-Security-Policy also forbids HTML string sinks: Trusted Types).

import { lineChart, stackedBars, formatBytes, formatMicros, formatNumber } from './charts.js';

const $ = (id) => document.getElementById(id);

/** Creates an element; children are nodes or strings (strings become text nodes). */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

/**
 * Calls the JSON API. The cookie carries the token; referrerPolicy 'same-origin' makes the browser send a real
 * Origin (under the page's no-referrer policy it would send "null"), which Studio checks on writes.
 */
async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', referrerPolicy: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, (data && data.error) || response.status + ' ' + response.statusText);
  }
  return data;
}

let toastTimer;
function toast(message, isError) {
  const t = $('toast');
  t.textContent = message;
  t.className = isError ? 'error' : '';
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, isError ? 8000 : 3000);
}

function reportError(e) {
  toast(e.message || String(e), true);
}

/** Control characters (the document store's key prefixes are 0x00..0x02) are shown as \xNN escapes. */
function keyLabel(k) {
  if (k.key === null) return '0x' + k.hex;
  return k.key.replace(/[\u0000-\u001f\u007f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

function ttlBody(input) {
  const raw = input.value.trim();
  if (raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error('TTL must be a positive whole number of seconds');
  return n;
}

const state = { info: null, cursor: null, prefix: '', selectedHex: null, value: null, valueMode: 'text' };

// ------------------------------------------------------------------ keys

async function searchKeys(append) {
  const params = new URLSearchParams({ prefix: state.prefix, limit: '50' });
  if (append && state.cursor) params.set('after', state.cursor);
  const page = await api('GET', '/api/keys?' + params);
  const list = $('key-list');
  if (!append) list.replaceChildren();
  for (const k of page.keys) {
    const button = el('button', { type: 'button', class: 'key', title: keyLabel(k), dataset: { hex: k.hex },
      onclick: () => showValue(k.hex).catch(reportError) }, keyLabel(k));
    if (keyLabel(k) !== k.key) button.classList.add('binary');
    if (k.hex === state.selectedHex) button.classList.add('selected');
    list.append(el('li', {}, button));
  }
  state.cursor = page.next;
  $('key-more').hidden = page.next === null;
  if (!append) {
    const n = page.count + (page.countIsLowerBound ? '+' : '');
    $('key-count').textContent = n + (page.count === 1 && !page.countIsLowerBound ? ' key' : ' keys')
      + (state.prefix ? ' with prefix "' + state.prefix + '"' : '');
  }
}

async function showValue(hex) {
  let v;
  try {
    v = await api('GET', '/api/kv?hex=' + encodeURIComponent(hex));
  } catch (e) {
    if (e.status === 404) { toast('That key no longer exists (deleted or expired).', true); }
    throw e;
  }
  state.selectedHex = hex;
  state.value = v;
  for (const b of document.querySelectorAll('#key-list .key')) {
    b.classList.toggle('selected', b.dataset.hex === hex);
  }
  $('value-empty').hidden = true;
  $('value-view').hidden = false;
  $('value-key').textContent = keyLabel(v.key);
  $('value-meta').textContent = v.kind + ' · ' + formatBytes(v.size)
    + (v.ttlSeconds !== undefined ? ' · expires in ' + v.ttlSeconds + ' s' : '')
    + (v.truncated ? ' · preview of the first 1 MiB' : '');
  $('value-download').href = '/api/kv/raw?hex=' + encodeURIComponent(hex);
  state.valueMode = v.kind === 'json' ? 'json' : v.kind === 'binary' ? 'hex' : 'text';
  renderValue();
  $('edit-value').value = v.text !== undefined && !v.truncated ? v.text : '';
  $('edit-ttl').value = '';
}

function renderValue() {
  const v = state.value;
  const available = { text: v.text !== undefined, json: v.pretty !== undefined, hex: true };
  for (const b of document.querySelectorAll('#value-tabs button')) {
    b.disabled = !available[b.dataset.mode];
    b.classList.toggle('active', b.dataset.mode === state.valueMode);
  }
  const body = state.valueMode === 'json' ? v.pretty
    : state.valueMode === 'hex' ? v.hex + (v.hexTruncated ? '… (first 4 KiB)' : '')
    : v.text;
  $('value-body').textContent = body;
}

async function saveValue(event) {
  event.preventDefault();
  const body = { hex: state.selectedHex, value: $('edit-value').value };
  const ttl = ttlBody($('edit-ttl'));
  if (ttl !== undefined) body.ttlSeconds = ttl;
  await api('PUT', '/api/kv', body);
  toast('Saved ' + keyLabel(state.value.key));
  await showValue(state.selectedHex);
}

async function deleteValue() {
  const label = keyLabel(state.value.key);
  if (!window.confirm('Delete key "' + label + '"?')) return;
  const r = await api('DELETE', '/api/kv?hex=' + encodeURIComponent(state.selectedHex));
  toast(r.deleted ? 'Deleted ' + label : label + ' was already gone');
  state.selectedHex = null;
  $('value-view').hidden = true;
  $('value-empty').hidden = false;
  await searchKeys(false);
}

async function putNewKey(event) {
  event.preventDefault();
  const body = { key: $('new-key-name').value, value: $('new-key-value').value };
  const ttl = ttlBody($('new-key-ttl'));
  if (ttl !== undefined) body.ttlSeconds = ttl;
  const r = await api('PUT', '/api/kv', body);
  toast('Put ' + keyLabel(r.key));
  event.target.reset();
  await searchKeys(false);
  await showValue(r.key.hex);
}

// ------------------------------------------------------------------ metrics

const OPS_SERIES = [
  { field: 'getsPerSecond', label: 'GET/s', color: '#4fa3ff' },
  { field: 'putsPerSecond', label: 'PUT/s', color: '#f0a040' },
  { field: 'deletesPerSecond', label: 'DELETE/s', color: '#e05d6f' },
];

function card(label, value, id) {
  return el('div', { class: 'card', id }, el('div', { class: 'card-value' }, value), el('div', { class: 'card-label' }, label));
}

function renderMetrics(m) {
  const r = m.rates || {};
  $('metric-cards').replaceChildren(
    card('ops/s (last ' + m.windowSeconds + ' s)', formatNumber(r.opsPerSecond), 'card-ops'),
    card('GET/s', formatNumber(r.getsPerSecond)),
    card('PUT/s', formatNumber(r.putsPerSecond)),
    card('DELETE/s', formatNumber(r.deletesPerSecond)),
    card('live keys', formatNumber(m.liveKeys), 'card-keys'),
    card('live bytes', formatBytes(m.liveBytes)),
    card('dead bytes', formatBytes(m.deadBytes)),
    card('space amplification', m.spaceAmplification == null ? '–' : m.spaceAmplification.toFixed(2) + 'x'),
    card('pending compaction', formatBytes(m.pendingCompactionBytes)),
    card('compaction rate (since open)', formatBytes(m.compactionBytesPerSecond) + '/s'),
    card('records per fsync (now)', formatNumber(r.recordsPerFsync)),
    card('records per fsync (since open)', formatNumber(m.totals.recordsPerFsync)),
  );
  const span = 120;
  lineChart($('chart-ops'), OPS_SERIES.map((s) => ({
    color: s.color, points: m.history.map((p) => ({ t: p.t, v: p[s.field] })),
  })), span);
  $('legend-ops').replaceChildren(...OPS_SERIES.map((s) => legendItem(s.label, s.color)));
  lineChart($('chart-fsync'), [{ color: '#7bd88f', points: m.history.map((p) => ({ t: p.t, v: p.recordsPerFsync })) }], span);
  stackedBars($('chart-segments'), m.segments.map((s) => ({
    label: '#' + s.id + (s.active ? '*' : ''),
    parts: [{ value: s.liveBytes, color: '#4fa3ff' }, { value: s.deadBytes, color: '#5b6170' }],
  })), formatBytes);
  $('legend-segments').replaceChildren(legendItem('live', '#4fa3ff'), legendItem('dead', '#5b6170'),
    el('span', { class: 'muted' }, '* = active segment'));
  const rows = ['get', 'put', 'delete'].map((op) => {
    const l = m.latency[op];
    return el('tr', {}, el('td', {}, op.toUpperCase()), el('td', {}, formatNumber(l.count)),
      el('td', {}, formatMicros(l.p50Micros)), el('td', {}, formatMicros(l.p90Micros)),
      el('td', {}, formatMicros(l.p99Micros)), el('td', {}, formatMicros(l.maxMicros)));
  });
  $('latency-table').tBodies[0].replaceChildren(...rows);
}

function legendItem(label, color) {
  const swatch = el('span', { class: 'swatch' });
  swatch.style.backgroundColor = color;
  return el('span', { class: 'legend-item' }, swatch, label);
}

let metricsTimer = null;
async function pollMetrics() {
  try {
    renderMetrics(await api('GET', '/api/metrics'));
  } catch (e) {
    reportError(e);
  }
}

function startMetrics() {
  if (metricsTimer === null) {
    pollMetrics();
    metricsTimer = setInterval(pollMetrics, 1000);
  }
}

function stopMetrics() {
  clearInterval(metricsTimer);
  metricsTimer = null;
}

// ------------------------------------------------------------------ documents

const docs = { collection: null };

async function loadCollections() {
  const { collections } = await api('GET', '/api/collections');
  $('collection-list').replaceChildren(...collections.map((c) => el('li', {},
    el('button', { type: 'button', class: 'key', dataset: { name: c.name },
      onclick: () => selectCollection(c).catch(reportError) }, c.name + ' (' + c.count + ')'))));
  if (docs.collection) {
    const current = collections.find((c) => c.name === docs.collection.name);
    if (current) showCollection(current);
  }
}

function showCollection(c) {
  docs.collection = c;
  for (const b of document.querySelectorAll('#collection-list .key')) {
    b.classList.toggle('selected', b.dataset.name === c.name);
  }
  $('collection-empty').hidden = true;
  $('collection-view').hidden = false;
  $('collection-name').textContent = c.name;
  $('collection-indexes').textContent = c.count + ' documents · '
    + (c.indexes.length === 0 ? 'no indexes'
      : 'indexes: ' + c.indexes.map((i) => i.path + (i.unique ? ' (unique)' : '')).join(', '));
}

async function selectCollection(c) {
  showCollection(c);
  $('query-plan').textContent = '';
  $('query-count').textContent = '';
  $('query-results').replaceChildren();
  await runQuery();
}

async function runQuery(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams({
    collection: docs.collection.name, filter: $('query-filter').value, limit: $('query-limit').value || '50',
  });
  const sort = $('query-sort').value.trim();
  if (sort) { params.set('sort', sort); params.set('order', $('query-desc').checked ? 'desc' : 'asc'); }
  const r = await api('GET', '/api/query?' + params);
  $('query-plan').textContent = r.plan.summary + '\nfilter: ' + r.plan.filter;
  $('query-count').textContent = r.count + (r.count === 1 ? ' match' : ' matches')
    + (r.results.length < r.count ? ', first ' + r.results.length + ' shown' : '');
  $('query-results').replaceChildren(...r.results.map((d) => el('li', {},
    el('span', { class: 'doc-id' }, d.id), el('pre', { class: 'value-body' }, d.pretty))));
}

async function createIndex(event) {
  event.preventDefault();
  const path = $('index-path').value.trim();
  await api('POST', '/api/index', { collection: docs.collection.name, path, unique: $('index-unique').checked });
  toast('Index on ' + path + ' created');
  event.target.reset();
  await loadCollections();
  await runQuery();
}

// ------------------------------------------------------------------ maintenance

function renderCompaction(job) {
  const running = job.state === 'running';
  $('compact-start').disabled = running;
  $('compact-running').hidden = !running;
  if (running) {
    $('compact-elapsed').textContent = 'Rewriting up to ' + formatBytes(job.totalBytesBefore) + ' ('
      + formatBytes(job.deadBytesBefore) + ' dead) · ' + (job.elapsedMillis / 1000).toFixed(1) + ' s';
  }
  const facts = [];
  if (job.state === 'done') {
    facts.push(['Result', 'done in ' + job.durationMillis + ' ms'],
      ['Segments compacted', String(job.segmentsCompacted)],
      ['Bytes read', formatBytes(job.bytesRead)], ['Bytes written', formatBytes(job.bytesWritten)],
      ['Reclaimed', formatBytes(job.bytesReclaimed)],
      ['Disk use', formatBytes(job.totalBytesBefore) + ' → ' + formatBytes(job.totalBytesAfter)]);
  } else if (job.state === 'failed') {
    facts.push(['Result', 'failed: ' + job.error]);
  }
  $('compact-result').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  return running;
}

let compactTimer = null;
async function pollCompaction() {
  clearTimeout(compactTimer);
  const running = renderCompaction(await api('GET', '/api/compact'));
  if (running) compactTimer = setTimeout(() => pollCompaction().catch(reportError), 250);
}

async function startCompaction() {
  renderCompaction(await api('POST', '/api/compact'));
  await pollCompaction();
}

async function backup(event) {
  event.preventDefault();
  const r = await api('POST', '/api/backup', { target: $('backup-target').value.trim() });
  $('backup-result').textContent = 'Backed up to ' + r.target + ' in ' + r.durationMillis + ' ms';
}

// ------------------------------------------------------------------ navigation

const VIEWS = ['keys', 'documents', 'metrics', 'maintenance'];

function showView() {
  const name = VIEWS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'keys';
  for (const v of VIEWS) $('view-' + v).hidden = v !== name;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === name);
  if (name === 'metrics') startMetrics(); else stopMetrics();
  if (name === 'maintenance' && !state.info.readOnly) pollCompaction().catch(reportError);
  if (name === 'documents' && state.info.features.documents) loadCollections().catch(reportError);
}

function guard(handler) {
  return (event) => Promise.resolve(handler(event)).catch(reportError);
}

async function init() {
  state.info = await api('GET', '/api/info');
  $('db-path').textContent = state.info.database;
  $('mode').hidden = !state.info.readOnly;
  document.body.classList.toggle('read-only', state.info.readOnly);
  $('documents').hidden = !state.info.features.documents;
  $('documents-missing').hidden = state.info.features.documents;
  $('documents-missing').textContent = 'No documents: ' + (state.info.documentsUnavailable || '');
  $('maintenance-readonly').hidden = !state.info.readOnly;

  $('key-search').addEventListener('submit', guard((e) => {
    e.preventDefault();
    state.prefix = $('prefix').value;
    state.cursor = null;
    return searchKeys(false);
  }));
  $('key-more').addEventListener('click', guard(() => searchKeys(true)));
  $('value-edit').addEventListener('submit', guard(saveValue));
  $('delete-key').addEventListener('click', guard(deleteValue));
  $('new-key-form').addEventListener('submit', guard(putNewKey));
  $('compact-start').addEventListener('click', guard(startCompaction));
  $('query-form').addEventListener('submit', guard(runQuery));
  $('index-form').addEventListener('submit', guard(createIndex));
  $('backup-form').addEventListener('submit', guard(backup));
  for (const b of document.querySelectorAll('#value-tabs button')) {
    b.addEventListener('click', () => { state.valueMode = b.dataset.mode; renderValue(); });
  }
  window.addEventListener('hashchange', showView);
  showView();
  await searchKeys(false);
}

init().catch(reportError);
