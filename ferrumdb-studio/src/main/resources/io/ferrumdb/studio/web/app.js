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
  if (k.key === '') return '(empty key)';
  return k.key.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

/** "1 d 2 h", "3 min 4 s", "5 s": a TTL countdown people read at a glance. */
function formatDuration(seconds) {
  const parts = [[86400, 'd'], [3600, 'h'], [60, 'min'], [1, 's']];
  const out = [];
  let left = Math.max(0, Math.round(seconds));
  for (const [size, unit] of parts) {
    if (left >= size || (unit === 's' && out.length === 0)) {
      out.push(Math.floor(left / size) + ' ' + unit);
      left %= size;
    }
    if (out.length === 2) break;
  }
  return out.join(' ');
}

async function copyText(text, what) {
  await navigator.clipboard.writeText(text);
  toast('Copied ' + what);
}

/** Bytes to base64 in slices, so that a 64 MiB upload does not overflow the argument list of fromCharCode. */
function toBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function ttlBody(input) {
  const raw = input.value.trim();
  if (raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error('TTL must be a positive whole number of seconds');
  return n;
}

const state = {
  info: null, cursor: null, prefix: '', selectedHex: null, value: null, valueMode: 'text',
  /** What the edit form started with: Save compares against it, so an unchanged value is never sent back. */
  original: { text: null, ttl: '' },
  ttlTimer: null,
};

// ------------------------------------------------------------------ keys

async function searchKeys(append) {
  const params = new URLSearchParams({ prefix: state.prefix, limit: '50' });
  if ($('show-all').checked) params.set('all', 'true');
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
    + (v.truncated ? ' · preview of the first 1 MiB' : '');
  $('value-download').href = '/api/kv/raw?hex=' + encodeURIComponent(hex);
  state.valueMode = v.kind === 'json' ? 'json' : v.kind === 'binary' ? 'hex' : 'text';
  renderValue();
  startTtlCountdown(v.expiresAtMillis);
  // Finding: Save must never store what the page did not show. A binary value or a 1 MiB preview is not in
  // the edit box, so the box stays empty and disabled until the user chooses to replace the value.
  const editable = v.text !== undefined && !v.truncated;
  state.original = { text: editable ? v.text : null, ttl: v.ttlSeconds !== undefined ? String(v.ttlSeconds) : '' };
  $('edit-value').value = editable ? v.text : '';
  $('edit-value').disabled = !editable;
  $('edit-replace').checked = false;
  $('edit-replace-label').hidden = editable;
  $('edit-note').hidden = editable;
  $('edit-note').textContent = editable ? ''
    : (v.truncated ? 'Only the first 1 MiB of this value is shown' : 'This value is binary')
      + ', so it cannot be edited here: Save would store something you did not see. Change its TTL, upload a '
      + 'file, or tick "Replace" to type a new value.';
  $('edit-upload').value = '';
  $('edit-ttl').value = state.original.ttl;
  updateSaveButton();
}

function startTtlCountdown(expiresAtMillis) {
  clearInterval(state.ttlTimer);
  const show = () => {
    if (expiresAtMillis === undefined) {
      $('value-ttl').textContent = 'no expiry';
      return;
    }
    const left = (expiresAtMillis - Date.now()) / 1000;
    $('value-ttl').textContent = left > 0 ? 'expires in ' + formatDuration(Math.ceil(left)) : 'expired';
  };
  show();
  if (expiresAtMillis !== undefined) state.ttlTimer = setInterval(show, 1000);
}

function valueChanged() {
  return $('edit-replace').checked || (state.original.text !== null && $('edit-value').value !== state.original.text);
}

function ttlChanged() {
  return $('edit-ttl').value.trim() !== state.original.ttl;
}

function updateSaveButton() {
  $('edit-value').disabled = state.original.text === null && !$('edit-replace').checked;
  $('save-value').disabled = !valueChanged() && !ttlChanged();
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

/**
 * Save: a changed value is written with the TTL field; a change of the TTL alone goes to the expire/persist
 * endpoint, which keeps the stored bytes (the page never sends back a value it only previewed).
 */
async function saveValue(event) {
  event.preventDefault();
  const ttl = ttlBody($('edit-ttl'));
  if (valueChanged()) {
    const body = { hex: state.selectedHex, value: $('edit-value').value };
    if (ttl !== undefined) body.ttlSeconds = ttl;
    await api('PUT', '/api/kv', body);
    toast('Saved ' + keyLabel(state.value.key));
  } else if (ttlChanged()) {
    await api('POST', '/api/kv/ttl', { hex: state.selectedHex, ttlSeconds: ttl === undefined ? null : ttl });
    toast(ttl === undefined ? 'TTL removed' : 'TTL set to ' + formatDuration(ttl));
  }
  await showValue(state.selectedHex);
}

async function uploadValue() {
  const file = $('edit-upload').files[0];
  if (!file) return;
  const label = keyLabel(state.value.key);
  if (!window.confirm('Replace the value of "' + label + '" with ' + file.name + ' (' + formatBytes(file.size) + ')?')) {
    $('edit-upload').value = '';
    return;
  }
  const body = { hex: state.selectedHex, valueBase64: toBase64(new Uint8Array(await file.arrayBuffer())) };
  const ttl = ttlBody($('edit-ttl'));
  if (ttl !== undefined) body.ttlSeconds = ttl;
  await api('PUT', '/api/kv', body);
  toast('Uploaded ' + file.name + ' as ' + label);
  await showValue(state.selectedHex);
}

/** Deletes every key shown under the prefix, after confirming their exact number (the server checks it again). */
async function deleteByPrefix() {
  const all = $('show-all').checked;
  const params = new URLSearchParams({ prefix: state.prefix });
  if (all) params.set('all', 'true');
  const { count } = await api('GET', '/api/kv/count?' + params);
  const what = state.prefix === '' ? 'ALL ' + count + ' keys' : count + ' key(s) with prefix "' + state.prefix + '"';
  if (count === 0) { toast('No keys to delete'); return; }
  if (!window.confirm('Delete ' + what + '? This cannot be undone.')) return;
  const r = await api('POST', '/api/kv/delete-prefix', { prefix: state.prefix, expectedCount: count, all });
  toast('Deleted ' + r.deleted + ' key(s)');
  state.selectedHex = null;
  $('value-view').hidden = true;
  $('value-empty').hidden = false;
  await searchKeys(false);
}

/** The export link downloads the keys of the current prefix (every key, as "ferrumdb export --prefix" would). */
function updateExportLink() {
  const params = new URLSearchParams();
  if (state.prefix !== '') params.set('prefix', state.prefix);
  $('export-link').href = '/api/export' + (params.size ? '?' + params : '');
}

/** Uploads the chosen file as the request body (the browser streams it) and shows the server's count. */
async function importLines() {
  const input = $('import-file');
  const file = input.files[0];
  if (!file) return;
  const result = $('import-result');
  result.className = 'muted';
  result.textContent = 'Importing ' + file.name + '…';
  try {
    const response = await fetch('/api/import', {
      method: 'POST', credentials: 'same-origin', referrerPolicy: 'same-origin',
      headers: { 'Content-Type': 'application/x-ndjson' }, body: file,
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      throw new ApiError(response.status, (data && data.error) || response.status + ' ' + response.statusText);
    }
    result.textContent = 'Imported ' + data.imported + ' record(s) from ' + file.name
      + (data.expired ? ', skipped ' + data.expired + ' expired' : '');
  } catch (e) {
    result.className = 'error';
    result.textContent = 'Import of ' + file.name + ' failed: ' + (e.message || String(e));
    throw e;
  } finally {
    input.value = '';
    await searchKeys(false);
  }
}

async function logout() {
  await api('POST', '/api/logout');
  document.body.replaceChildren(el('main', {}, el('h1', {}, 'Logged out'),
    el('p', {}, 'Open the link Studio printed when it started to sign in again.')));
}

/** Arrow keys move through the key list (opening each key), Home/End jump; "/" focuses the prefix search. */
function keyListNavigation(event) {
  const keys = [...document.querySelectorAll('#key-list .key')];
  const at = keys.indexOf(document.activeElement);
  if (at < 0) return;
  const next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: keys.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const target = keys[Math.max(0, Math.min(keys.length - 1, next))];
  target.focus();
  target.click();
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
  const span = Number($('metrics-range').value);
  const scale = $('metrics-log').checked ? 'log' : 'linear';
  lineChart($('chart-ops'), OPS_SERIES.map((s) => ({
    color: s.color, points: m.history.map((p) => ({ t: p.t, v: p[s.field] })),
  })), span, scale);
  $('legend-ops').replaceChildren(...OPS_SERIES.map((s) => legendItem(s.label, s.color)));
  lineChart($('chart-fsync'), [{ color: '#7bd88f', points: m.history.map((p) => ({ t: p.t, v: p.recordsPerFsync })) }],
    span, scale);
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

let tail = null;
const TAIL_LINES = 30;

/** Server-sent events from /api/tail; EventSource reconnects by itself when the server ends a stream. */
function startTail() {
  if (tail !== null) return;
  tail = new EventSource('/api/tail');
  tail.onmessage = (message) => {
    const e = JSON.parse(message.data);
    const time = new Date(e.atMillis).toLocaleTimeString();
    const line = time + '  +' + e.puts + ' put  +' + e.deletes + ' delete  ' + e.gets + ' get  · '
      + formatNumber(e.liveKeys) + ' live keys';
    const list = $('tail');
    list.prepend(el('li', { class: e.puts + e.deletes > 0 ? 'changed' : '' }, line));
    while (list.children.length > TAIL_LINES) list.lastChild.remove();
  };
}

function stopTail() {
  if (tail !== null) tail.close();
  tail = null;
}

function startMetrics() {
  if (metricsTimer === null) {
    pollMetrics();
    metricsTimer = setInterval(pollMetrics, 1000);
  }
  startTail();
}

function stopMetrics() {
  clearInterval(metricsTimer);
  metricsTimer = null;
  stopTail();
}

// ------------------------------------------------------------------ documents

const docs = { collection: null, offset: 0, lastResults: [] };

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
  $('index-list').replaceChildren(...c.indexes.map((i) => el('li', {}, el('span', { class: 'mono' }, i.path),
    el('button', { type: 'button', class: 'small danger writes', dataset: { path: i.path },
      onclick: () => dropIndex(i.path).catch(reportError) }, 'Drop index'))));
}

async function dropIndex(path) {
  if (!window.confirm('Drop the index on ' + path + '?')) return;
  const params = new URLSearchParams({ collection: docs.collection.name, path });
  await api('DELETE', '/api/index?' + params);
  toast('Index on ' + path + ' dropped');
  await loadCollections();
  await runQuery();
}

function editDocument(d) {
  $('doc-form').hidden = false;
  $('doc-form-title').textContent = d ? 'Edit document ' + d.id : 'New document';
  $('doc-id').value = d ? d.id : '';
  $('doc-id').readOnly = Boolean(d);
  $('doc-json').value = d ? d.pretty : '{\n  \n}';
  (d ? $('doc-json') : $('doc-id')).focus();
}

async function saveDocument(event) {
  event.preventDefault();
  let document;
  try { document = JSON.parse($('doc-json').value); } catch (e) { throw new Error('not valid JSON: ' + e.message); }
  const id = $('doc-id').value;
  await api('PUT', '/api/document', { collection: docs.collection.name, id, document });
  toast('Saved document ' + id);
  $('doc-form').hidden = true;
  await loadCollections();
  await runQuery();
}

async function deleteDocument(id) {
  if (!window.confirm('Delete document ' + id + '?')) return;
  const params = new URLSearchParams({ collection: docs.collection.name, id });
  await api('DELETE', '/api/document?' + params);
  toast('Deleted document ' + id);
  await loadCollections();
  await runQuery();
}

/** The results as a table: one row a document, one column per top-level field (nested values as JSON). */
function renderTable(results) {
  const fields = [...new Set(results.flatMap((d) => Object.keys(JSON.parse(d.json))))];
  const head = el('tr', {}, el('th', {}, 'id'), ...fields.map((f) => el('th', {}, f)));
  const rows = results.map((d) => {
    const doc = JSON.parse(d.json);
    return el('tr', {}, el('td', { class: 'doc-id' }, d.id), ...fields.map((f) => el('td', {},
      doc[f] === undefined ? '' : typeof doc[f] === 'object' ? JSON.stringify(doc[f]) : String(doc[f]))));
  });
  $('query-results-table').replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
}

async function selectCollection(c) {
  showCollection(c);
  docs.offset = 0;
  $('doc-form').hidden = true;
  $('query-plan').textContent = '';
  $('query-count').textContent = '';
  $('query-results').replaceChildren();
  await runQuery();
}

async function runQuery(event) {
  if (event) { event.preventDefault(); docs.offset = 0; }
  const limit = Number($('query-limit').value || '50');
  const params = new URLSearchParams({
    collection: docs.collection.name, filter: $('query-filter').value, limit: String(limit),
    offset: String(docs.offset),
  });
  const sort = $('query-sort').value.trim();
  if (sort) { params.set('sort', sort); params.set('order', $('query-desc').checked ? 'desc' : 'asc'); }
  const r = await api('GET', '/api/query?' + params);
  $('query-plan').textContent = r.plan.summary + '\nfilter: ' + r.plan.filter;
  $('query-count').textContent = r.count + (r.count === 1 ? ' match' : ' matches')
    + (r.results.length < r.count ? ', ' + (r.results.length === 0 ? 'none' : (docs.offset + 1) + '–'
      + (docs.offset + r.results.length)) + ' shown' : '');
  $('query-prev').disabled = docs.offset === 0;
  $('query-next').disabled = docs.offset + r.results.length >= r.count;
  docs.lastResults = r.results;
  $('query-results').start = docs.offset + 1;
  $('query-results').replaceChildren(...r.results.map((d) => el('li', {},
    el('div', { class: 'row' }, el('span', { class: 'doc-id' }, d.id),
      el('button', { type: 'button', class: 'small writes', onclick: () => editDocument(d) }, 'Edit'),
      el('button', { type: 'button', class: 'small danger writes',
        onclick: () => deleteDocument(d.id).catch(reportError) }, 'Delete')),
    el('pre', { class: 'value-body' }, d.pretty))));
  renderTable(r.results);
  const table = $('query-table').checked;
  $('query-results').hidden = table;
  $('query-table-wrap').hidden = !table;
}

function pageQuery(step) {
  const limit = Number($('query-limit').value || '50');
  docs.offset = Math.max(0, docs.offset + step * limit);
  return runQuery();
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
  // A finished job keeps its bar, full: the last report of a complete job is its total.
  const finished = job.state === 'done' && job.bytesPlanned > 0;
  $('compact-start').disabled = running;
  $('compact-running').hidden = !(running || finished);
  if (running) {
    const done = showProgress($('compact-progress'), job);
    $('compact-elapsed').textContent = (done === null ? 'Rewriting up to ' + formatBytes(job.totalBytesBefore)
      : done) + ' (' + formatBytes(job.deadBytesBefore) + ' dead) · ' + (job.elapsedMillis / 1000).toFixed(1) + ' s';
  } else if (finished) {
    $('compact-elapsed').textContent = showProgress($('compact-progress'), job);
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

// The engine's progress of a compaction or backup (bytes done of planned) on a <progress> bar; returns the words
// for it, or null before the first report (the bar then stays indeterminate).
function showProgress(bar, job) {
  if (!(job.bytesPlanned > 0)) {
    bar.removeAttribute('value');
    return null;
  }
  bar.max = job.bytesPlanned;
  bar.value = job.bytesDone;
  return formatBytes(job.bytesDone) + ' of ' + formatBytes(job.bytesPlanned) + ' done';
}

// The POST answers once the copy is complete; meanwhile the bar follows GET /api/backup.
async function backup(event) {
  event.preventDefault();
  $('backup-running').hidden = true;
  let finished = false;
  let timer = null;
  const poll = async () => {
    const job = await api('GET', '/api/backup');
    if (finished) return;
    if (job.state === 'running') {
      $('backup-running').hidden = false;
      $('backup-result').textContent = showProgress($('backup-progress'), job) || 'Backing up...';
    }
    timer = setTimeout(() => poll().catch(reportError), 250);
  };
  timer = setTimeout(() => poll().catch(reportError), 250);
  let r;
  try {
    r = await api('POST', '/api/backup', { target: $('backup-target').value.trim() });
  } finally {
    finished = true;
    clearTimeout(timer);
    $('backup-running').hidden = true;
  }
  // Complete: the bar stays, full (a backup quicker than the first poll shows it only now).
  const job = await api('GET', '/api/backup');
  if (job.state === 'done' && showProgress($('backup-progress'), job) !== null) $('backup-running').hidden = false;
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
  $('show-all-label').hidden = !state.info.features.documents;
  $('show-all').addEventListener('change', guard(() => { state.cursor = null; return searchKeys(false); }));
  $('delete-prefix').addEventListener('click', guard(deleteByPrefix));
  $('import-file').addEventListener('change', guard(importLines));
  $('logout').addEventListener('click', guard(logout));
  $('edit-upload').addEventListener('change', guard(uploadValue));
  for (const id of ['edit-value', 'edit-ttl', 'edit-replace']) $(id).addEventListener('input', updateSaveButton);
  $('edit-replace').addEventListener('change', () => {
    if ($('edit-replace').checked) $('edit-value').focus();
    updateSaveButton();
  });
  $('copy-key').addEventListener('click', guard(() => copyText(keyLabel(state.value.key), 'the key')));
  $('copy-value').addEventListener('click', guard(() => copyText($('value-body').textContent, 'the value')));
  $('key-list').addEventListener('keydown', keyListNavigation);
  document.addEventListener('keydown', (e) => {
    const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName);
    if (e.key === '/' && !typing) { e.preventDefault(); $('prefix').focus(); }
  });
  for (const id of ['metrics-range', 'metrics-log']) $(id).addEventListener('change', pollMetrics);

  $('key-search').addEventListener('submit', guard((e) => {
    e.preventDefault();
    state.prefix = $('prefix').value;
    state.cursor = null;
    updateExportLink();
    return searchKeys(false);
  }));
  $('key-more').addEventListener('click', guard(() => searchKeys(true)));
  $('value-edit').addEventListener('submit', guard(saveValue));
  $('delete-key').addEventListener('click', guard(deleteValue));
  $('new-key-form').addEventListener('submit', guard(putNewKey));
  $('compact-start').addEventListener('click', guard(startCompaction));
  $('query-form').addEventListener('submit', guard(runQuery));
  $('index-form').addEventListener('submit', guard(createIndex));
  $('query-prev').addEventListener('click', guard(() => pageQuery(-1)));
  $('query-next').addEventListener('click', guard(() => pageQuery(1)));
  $('query-table').addEventListener('change', () => {
    $('query-results').hidden = $('query-table').checked;
    $('query-table-wrap').hidden = !$('query-table').checked;
  });
  $('doc-new').addEventListener('click', () => editDocument(null));
  $('doc-cancel').addEventListener('click', () => { $('doc-form').hidden = true; });
  $('doc-form').addEventListener('submit', guard(saveDocument));
  $('backup-form').addEventListener('submit', guard(backup));
  for (const b of document.querySelectorAll('#value-tabs button')) {
    b.addEventListener('click', () => { state.valueMode = b.dataset.mode; renderValue(); });
  }
  window.addEventListener('hashchange', showView);
  showView();
  await searchKeys(false);
}

init().catch(reportError);
