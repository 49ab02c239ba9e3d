// Drives a running FerrumDB Studio in Debian's headless chromium. Started by run-tests.sh, which passes
// STUDIO_URL (the login URL Studio printed), STUDIO_CONTROL (the FIFO on which HeldStudioMain takes "release
// compaction" and "release backup"), SCREENSHOT_DIR and BACKUP_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const loginUrl = new URL(process.env.STUDIO_URL);
const origin = loginUrl.origin;
const token = loginUrl.searchParams.get('token');
const shots = process.env.SCREENSHOT_DIR;
const XSS = '<img src=x onerror="window.__xss=1">';

let browser;
let page;
const problems = [];

/** The API with the token header, as a script would call it (seeding and checking behind the page's back). */
async function api(method, path, body) {
  const r = await fetch(origin + path, {
    method,
    headers: { 'X-FerrumDB-Token': token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await r.json();
  if (!r.ok) throw new Error(method + ' ' + path + ': ' + r.status + ' ' + data.error);
  return data;
}

async function shot(name) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  for (let i = 0; i < 120; i++) {
    await api('PUT', '/api/kv', { key: 'user:' + String(i).padStart(3, '0'),
      value: JSON.stringify({ id: i, name: 'User ' + i, tags: ['a', 'b'], address: { city: 'London' } }) });
  }
  await api('PUT', '/api/kv', { key: 'config:greeting', value: 'hello, world' });
  await api('PUT', '/api/kv', { hex: '03ff10', valueBase64: Buffer.from([0, 1, 2, 250, 251]).toString('base64') });
  await api('PUT', '/api/kv', { key: XSS, value: XSS });
  for (let i = 0; i < 40; i++) {
    await api('PUT', '/api/document', { collection: 'users', id: 'u' + String(i).padStart(2, '0'),
      document: { name: i === 7 ? XSS : 'User ' + i, age: 20 + i, address: { city: i % 4 === 0 ? 'London' : 'Paris' } } });
  }

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
  page.on('dialog', (d) => d.accept());
});

after(async () => {
  await browser?.close();
});

test('the login URL sets an HttpOnly cookie and drops the token from the address bar', async () => {
  const response = await page.goto(loginUrl.href);
  assert.equal(response.status(), 200);
  assert.equal(page.url(), origin + '/');
  const cookies = await page.context().cookies();
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0].httpOnly, true);
  assert.equal(cookies[0].sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the token');
  await page.locator('#key-list li').first().waitFor();
  assert.match(await page.locator('#db-path').textContent(), /db$/);
});

test('the page cannot write markup at all: Trusted Types are enforced', async () => {
  const before = problems.length;
  const result = await page.evaluate(() => {
    try { document.createElement('div').innerHTML = '<b>x</b>'; return 'allowed'; } catch (e) { return e.name; }
  });
  assert.equal(result, 'TypeError');
  // The browser reports the blocked assignment on the console; that report is this test's, not a page problem.
  const reported = problems.splice(before);
  assert.equal(reported.length, 1);
  assert.match(reported[0], /TrustedHTML/);
});

test('browsing keys: prefix search and paging', async () => {
  await page.fill('#prefix', 'user:');
  await page.click('#key-search button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#key-count').textContent.startsWith('120 keys'));
  assert.equal(await page.locator('#key-list li').count(), 50);
  await page.click('#key-more');
  await page.waitForFunction(() => document.querySelectorAll('#key-list li').length === 100);
  await page.click('#key-more');
  await page.waitForFunction(() => document.querySelectorAll('#key-list li').length === 120);
  assert.equal(await page.locator('#key-more').isHidden(), true);
  const keys = await page.locator('#key-list .key').allTextContents();
  assert.deepEqual(keys, Array.from({ length: 120 }, (_, i) => 'user:' + String(i).padStart(3, '0')));
  await page.click('#key-list .key >> text=user:007');
  await page.waitForFunction(() => document.querySelector('#value-key').textContent === 'user:007');
  assert.match(await page.locator('#value-meta').textContent(), /^json/);
  const pretty = await page.locator('#value-body').textContent();
  assert.ok(pretty.includes('\n  "name": "User 7",\n'), pretty);
  await shot('01-keys-json-value');
  await page.click('#value-tabs button[data-mode=hex]');
  assert.match(await page.locator('#value-body').textContent(), /^00000000 {2}7b 22 69 64/);
});

test('a binary key and value are shown in hex', async () => {
  await page.fill('#prefix', '');
  await page.click('#key-search button[type=submit]');
  await page.waitForFunction(() => !document.querySelector('#key-count').textContent.includes('prefix'));
  const labels = await page.locator('#key-list .key').allTextContents();
  assert.ok(labels.every((l) => !/[\u0000-\u001f]/.test(l)), 'control characters are shown as escapes: ' + labels);
  await page.click('#key-list .key >> text=0x03ff10');
  await page.waitForFunction(() => document.querySelector('#value-key').textContent === '0x03ff10');
  assert.match(await page.locator('#value-meta').textContent(), /^binary/);
  assert.equal(await page.locator('#value-tabs button[data-mode=text]').isDisabled(), true);
  assert.match(await page.locator('#value-body').textContent(), /00 01 02 fa fb/);
});

test('a key and value holding HTML and script are shown as text and never run', async () => {
  await page.fill('#prefix', '<img');
  await page.click('#key-search button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#key-count').textContent.startsWith('1 key'));
  const label = page.locator('#key-list .key').first();
  assert.equal(await label.textContent(), XSS);
  await label.click();
  await page.waitForFunction((x) => document.querySelector('#value-body').textContent === x, XSS);
  assert.equal(await page.locator('#value-key').textContent(), XSS);
  assert.equal(await page.locator('img').count(), 0, 'no element was created from the payload');
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'the payload did not run');
  await shot('02-xss-payload-as-text');
});

test('changing a value in the page writes it to the database', async () => {
  await page.fill('#prefix', 'config:');
  await page.click('#key-search button[type=submit]');
  await page.click('#key-list .key >> text=config:greeting');
  await page.waitForFunction(() => document.querySelector('#value-body').textContent === 'hello, world');
  assert.equal(await page.inputValue('#edit-value'), 'hello, world');
  await page.fill('#edit-value', '{"greeting": "hello from the browser", "n": 2}');
  await page.click('#value-edit button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#value-meta').textContent.startsWith('json'));
  const stored = await api('GET', '/api/kv?key=config%3Agreeting');
  assert.equal(stored.text, '{"greeting": "hello from the browser", "n": 2}');
  assert.match(await page.locator('#toast').textContent(), /Saved config:greeting/);
  await shot('03-value-changed');
});

test('new key with a TTL, then delete it', async () => {
  await page.click('#new-key summary');
  await page.fill('#new-key-name', 'temp:session');
  await page.fill('#new-key-value', 'short-lived');
  await page.fill('#new-key-ttl', '3600');
  await page.click('#new-key-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#value-key').textContent === 'temp:session');
  assert.equal((await api('GET', '/api/kv?key=temp%3Asession')).text, 'short-lived');
  await page.click('#delete-key');
  await page.waitForFunction(() => document.querySelector('#value-view').hidden);
  const r = await fetch(origin + '/api/kv?key=temp%3Asession', { headers: { 'X-FerrumDB-Token': token } });
  assert.equal(r.status, 404);
});

test('documents: a query shows its results and plan, and uses an index once it exists', async () => {
  await page.click('nav a[data-view=documents]');
  await page.click('#collection-list .key >> text=users (40)');
  await page.waitForFunction(() => document.querySelector('#query-count').textContent.startsWith('40 matches'));
  await page.fill('#query-filter', '{"address.city": "London", "age": {"$gte": 30}}');
  await page.click('#query-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#query-count').textContent.startsWith('7 matches'));
  assert.match(await page.locator('#query-plan').textContent(), /^SCAN /);
  const ids = await page.locator('#query-results .doc-id').allTextContents();
  assert.deepEqual(ids, ['u12', 'u16', 'u20', 'u24', 'u28', 'u32', 'u36']);
  await page.fill('#index-path', 'address.city');
  await page.click('#index-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#query-plan').textContent.startsWith('INDEX '));
  assert.match(await page.locator('#collection-indexes').textContent(), /indexes: address\.city/);
  assert.deepEqual(await page.locator('#query-results .doc-id').allTextContents(), ids);
  await shot('04-documents-query');
  await page.fill('#query-filter', '{"age": 27}');
  await page.click('#query-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#query-count').textContent.startsWith('1 match'));
  const shown = JSON.parse(await page.locator('#query-results pre').textContent());
  assert.equal(shown.name, XSS, 'the payload is shown as text');
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
});

test('metrics update live with charts', async () => {
  await page.click('nav a[data-view=metrics]');
  const load = (async () => {
    const end = Date.now() + 4000;
    for (let i = 0; Date.now() < end; i++) {
      await api('PUT', '/api/kv', { key: 'load:' + (i % 50), value: 'v' + i });
      await api('GET', '/api/kv?key=load%3A' + (i % 50));
    }
  })();
  await load;
  await page.waitForFunction(() => {
    const v = document.querySelector('#card-ops .card-value');
    return v && Number.parseFloat(v.textContent) > 0;
  }, null, { timeout: 10000 });
  const painted = await page.evaluate(() => {
    const c = document.getElementById('chart-ops');
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i] > 200 && data[i + 1] > 100) coloured++;
    return coloured;
  });
  assert.ok(painted > 50, 'the PUT/s line (orange) is drawn: ' + painted + ' pixels');
  assert.equal(await page.locator('#latency-table tbody tr').count(), 3);
  await shot('05-metrics');
});

/** The visible bar's position (0 to 1; -1 while indeterminate), or null while its box is hidden. */
async function barPosition(box, bar) {
  return page.evaluate(([b, p]) => (document.getElementById(b).hidden ? null
    : document.getElementById(p).position), [box, bar]);
}

/** Waits until the bar in {@code box} is shown with the engine's progress: determinate. */
async function awaitDeterminateBar(box, bar) {
  await page.waitForFunction(([b, p]) => !document.getElementById(b).hidden
    && document.getElementById(p).position >= 0, [box, bar], { timeout: 30000 });
}

test('compaction and backup show their progress bar, which ends at 100%', async () => {
  await page.click('nav a[data-view=maintenance]');
  await page.click('#compact-start');
  // HeldStudioMain holds the compaction at its first output: the bar is up, short of its end.
  await awaitDeterminateBar('compact-running', 'compact-progress');
  const held = await barPosition('compact-running', 'compact-progress');
  assert.ok(held >= 0 && held < 1, 'the running compaction\'s bar is short of 100%: ' + held);
  assert.match(await page.locator('#compact-elapsed').textContent(), / of .* done/);
  await shot('06-compaction-running');
  appendFileSync(process.env.STUDIO_CONTROL, 'release compaction\n');
  await page.waitForFunction(() => document.querySelector('#compact-result').textContent.includes('done in'),
    null, { timeout: 30000 });
  assert.match(await page.locator('#compact-result').textContent(), /Segments compacted/);
  assert.equal(await barPosition('compact-running', 'compact-progress'), 1, 'the finished compaction\'s bar is full');

  await page.fill('#backup-target', process.env.BACKUP_DIR);
  await page.click('#backup-form button[type=submit]');
  // Held at its first file: the page's poll shows the running backup's bar.
  await awaitDeterminateBar('backup-running', 'backup-progress');
  const copying = await barPosition('backup-running', 'backup-progress');
  assert.ok(copying >= 0 && copying < 1, 'the running backup\'s bar is short of 100%: ' + copying);
  appendFileSync(process.env.STUDIO_CONTROL, 'release backup\n');
  await page.waitForFunction(() => document.querySelector('#backup-result').textContent.startsWith('Backed up'),
    null, { timeout: 30000 });
  assert.equal(await barPosition('backup-running', 'backup-progress'), 1, 'the finished backup\'s bar is full');
  await shot('06-maintenance');
});


async function openKey(prefix, label) {
  await page.click('nav a[data-view=keys]');
  await page.fill('#prefix', prefix);
  await page.click('#key-search button[type=submit]');
  await page.click(`#key-list .key >> text="${label}"`);
  await page.waitForFunction((l) => document.querySelector('#value-key').textContent === l, label);
}

test('Save is disabled for a binary value; changing only the TTL keeps the stored bytes', async () => {
  const bytes = Buffer.from([0, 1, 2, 250, 251, 0xc3, 0x28]);
  await api('PUT', '/api/kv', { key: 'f6:binary', valueBase64: bytes.toString('base64'), ttlSeconds: 7200 });
  await openKey('f6:', 'f6:binary');
  assert.equal(await page.locator('#save-value').isDisabled(), true, 'nothing to save yet');
  assert.equal(await page.locator('#edit-value').isDisabled(), true, 'the box holds nothing the user saw');
  assert.match(await page.locator('#edit-note').textContent(), /binary/);
  const ttlShown = Number(await page.inputValue('#edit-ttl'));
  assert.ok(ttlShown > 7000 && ttlShown <= 7200, 'the TTL field starts with the remaining TTL: ' + ttlShown);
  assert.match(await page.locator('#value-ttl').textContent(), /^expires in 1 h 59 min|^expires in 2 h/);
  await page.fill('#edit-ttl', '90');
  assert.equal(await page.locator('#save-value').isDisabled(), false);
  await page.click('#save-value');
  await page.waitForFunction(() => /TTL set/.test(document.querySelector('#toast').textContent));
  const stored = await api('GET', '/api/kv?key=f6%3Abinary');
  assert.ok(stored.ttlSeconds <= 90 && stored.ttlSeconds > 60, 'TTL now ' + stored.ttlSeconds);
  const raw = await fetch(origin + '/api/kv/raw?key=f6%3Abinary', { headers: { 'X-FerrumDB-Token': token } });
  assert.deepEqual(Buffer.from(await raw.arrayBuffer()), bytes, 'the value is exactly what it was');
  // Emptying the TTL field removes the TTL (persist), again without touching the value.
  await page.fill('#edit-ttl', '');
  await page.click('#save-value');
  await page.waitForFunction(() => /TTL removed/.test(document.querySelector('#toast').textContent));
  assert.equal((await api('GET', '/api/kv?key=f6%3Abinary')).ttlSeconds, undefined);
  // Replacing it on purpose is still possible.
  await page.check('#edit-replace');
  await page.fill('#edit-value', 'typed on purpose');
  await page.click('#save-value');
  await page.waitForFunction(() => document.querySelector('#value-body').textContent === 'typed on purpose');
  await shot('07-binary-value-ttl-only');
});

test('Save is disabled for a value shown as a 1 MiB preview; an upload replaces it', async () => {
  const big = 'x'.repeat((1 << 20) + 10);
  await api('PUT', '/api/kv', { key: 'f6:big', value: big, ttlSeconds: 600 });
  await openKey('f6:', 'f6:big');
  assert.match(await page.locator('#value-meta').textContent(), /preview of the first 1 MiB/);
  assert.equal(await page.locator('#save-value').isDisabled(), true);
  assert.equal(await page.inputValue('#edit-value'), '');
  const ttl = Number(await page.inputValue('#edit-ttl'));
  assert.ok(ttl > 500 && ttl <= 600, 'remaining TTL ' + ttl);
  // Pressing Enter in the TTL field with nothing changed must not write anything either.
  await page.locator('#edit-ttl').press('Enter');
  assert.equal((await api('GET', '/api/kv?key=f6%3Abig')).size, big.length);
  await page.setInputFiles('#edit-upload', { name: 'small.bin', mimeType: 'application/octet-stream',
    buffer: Buffer.from([9, 8, 7]) });
  await page.waitForFunction(() => /Uploaded small\.bin/.test(document.querySelector('#toast').textContent));
  const stored = await api('GET', '/api/kv?key=f6%3Abig');
  assert.equal(stored.size, 3);
  assert.ok(stored.ttlSeconds > 500, 'the upload kept the TTL shown in the field');
});

test('the TTL counts down and the download is named after the key', async () => {
  // Ten minutes, so that a busy machine's slow page (CI once took 9 s to open the key) still shows minutes and
  // seconds; a 65 s TTL had dropped below a minute by then.
  await api('PUT', '/api/kv', { key: 'f6:photo.jpg', value: 'jpeg bytes', ttlSeconds: 600 });
  await openKey('f6:', 'f6:photo.jpg');
  const first = await page.locator('#value-ttl').textContent();
  assert.match(first, /^expires in (10 min|9 min \d+ s)$/);
  await page.waitForFunction((f) => document.querySelector('#value-ttl').textContent !== f, first,
    { timeout: 30000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#value-download')]);
  assert.equal(download.suggestedFilename(), 'f6_photo.jpg');
});

test('copy buttons put the key and the value on the clipboard', async () => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await openKey('f6:', 'f6:photo.jpg');
  await page.click('#copy-key');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'f6:photo.jpg');
  await page.click('#copy-value');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'jpeg bytes');
});

test('keyboard: / focuses the search, arrow keys walk the key list', async () => {
  await page.click('nav a[data-view=keys]');
  await page.locator('body').press('Escape');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'prefix');
  await page.fill('#prefix', 'user:00');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#key-count').textContent.startsWith('10 keys'));
  await page.locator('#key-list .key').first().focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('#value-key').textContent === 'user:001');
  await page.keyboard.press('End');
  await page.waitForFunction(() => document.querySelector('#value-key').textContent === 'user:009');
  await page.keyboard.press('ArrowUp');
  await page.waitForFunction(() => document.querySelector('#value-key').textContent === 'user:008');
});

test('the empty key is a key like any other, from the page too', async () => {
  await page.evaluate(() => { document.getElementById('new-key').open = true; });
  await page.fill('#new-key-name', '');
  await page.fill('#new-key-value', 'value of the empty key');
  await page.click('#new-key-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#value-body').textContent === 'value of the empty key');
  assert.equal(await page.locator('#value-key').textContent(), '(empty key)');
  assert.equal((await api('GET', '/api/kv?key=')).text, 'value of the empty key');
});

test('the document store\'s own keys are hidden unless asked for', async () => {
  await page.fill('#prefix', '');
  await page.click('#key-search button[type=submit]');
  await page.waitForFunction(() => !document.querySelector('#key-count').textContent.includes('prefix'));
  const plain = Number.parseInt(await page.locator('#key-count').textContent(), 10);
  const labels = await page.locator('#key-list .key').allTextContents();
  assert.ok(labels.every((l) => !l.startsWith('\\x0') ), 'no internal key on the first page: ' + labels.slice(0, 5));
  await page.check('#show-all');
  await page.waitForFunction((n) => Number.parseInt(document.querySelector('#key-count').textContent, 10) > n, plain);
  const all = await page.locator('#key-list .key').allTextContents();
  assert.ok(all.some((l) => l.startsWith('\\x00')), 'the catalog keys are listed: ' + all.slice(0, 5));
  await page.uncheck('#show-all');
  await page.waitForFunction((n) => Number.parseInt(document.querySelector('#key-count').textContent, 10) === n, plain);
});

test('JSON Lines: Export downloads the prefix, Import uploads it back and shows the count or the bad line', async () => {
  await api('PUT', '/api/kv', { key: 'xfer:a', value: 'alpha', ttlSeconds: 3600 });
  await api('PUT', '/api/kv', { hex: '786665723aff', valueBase64: Buffer.from([0, 255]).toString('base64') });
  await page.fill('#prefix', 'xfer:');
  await page.click('#key-search button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#key-count').textContent.startsWith('2 keys'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-link')]);
  assert.equal(download.suggestedFilename(), 'db-xfer_.jsonl');
  const { readFile } = await import('node:fs/promises');
  const dump = await readFile(await download.path(), 'utf8');
  const lines = dump.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.key, l.encoding]), [['xfer:a', 'text'], ['eGZlcjr/', 'base64']]);
  assert.ok(lines[0].expiresAt > Date.now() + 3500_000, 'the TTL is exported as an absolute expiry');

  await api('DELETE', '/api/kv?key=xfer%3Aa');
  await api('DELETE', '/api/kv?hex=786665723aff');
  await page.setInputFiles('#import-file', { name: 'dump.jsonl', mimeType: 'application/x-ndjson',
    buffer: Buffer.from(dump) });
  await page.waitForFunction(() => /^Imported 2 record/.test(document.querySelector('#import-result').textContent));
  assert.equal(await page.locator('#import-result').textContent(), 'Imported 2 record(s) from dump.jsonl');
  const restored = await api('GET', '/api/kv?key=xfer%3Aa');
  assert.equal(restored.text, 'alpha');
  assert.ok(restored.ttlSeconds > 3500, 'the TTL came back');
  assert.equal((await api('GET', '/api/keys?prefix=xfer%3A')).count, 2);

  const before = problems.length;
  await page.setInputFiles('#import-file', { name: 'bad.jsonl', mimeType: 'application/x-ndjson',
    buffer: Buffer.from('{"key":"xfer:c","value":"c","encoding":"text"}\n{"key":"xfer:d" "value":"d"}\n') });
  await page.waitForFunction(() => /failed/.test(document.querySelector('#import-result').textContent));
  const failure = await page.locator('#import-result').textContent();
  assert.match(failure, /^Import of bad\.jsonl failed: line 2: malformed JSON/);
  assert.match(failure, /1 record\(s\) before it were imported/);
  assert.equal(await page.locator('#import-result').getAttribute('class'), 'error');
  // Chromium logs the refused request itself; that one is expected here.
  assert.deepEqual(problems.splice(before), ['console error: Failed to load resource: the server responded with a '
    + 'status of 400 (Bad Request)']);
  assert.equal((await api('GET', '/api/keys?prefix=xfer%3A')).count, 3);
  await shot('import-export');
});

test('bulk delete by prefix shows the count and asks first', async () => {
  for (let i = 0; i < 12; i++) await api('PUT', '/api/kv', { key: 'bulk:' + i, value: 'v' });
  await api('PUT', '/api/kv', { key: 'bulkhead', value: 'stays' });
  await page.fill('#prefix', 'bulk:');
  await page.click('#key-search button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#key-count').textContent.startsWith('12 keys'));
  let asked = null;
  const onDialog = (d) => { asked = d.message(); };
  page.on('dialog', onDialog);
  await page.click('#delete-prefix');
  await page.waitForFunction(() => /Deleted 12 key/.test(document.querySelector('#toast').textContent));
  page.off('dialog', onDialog);
  assert.match(asked, /Delete 12 key\(s\) with prefix "bulk:"/);
  assert.equal((await api('GET', '/api/keys?prefix=bulk')).count, 1);
});

test('metrics: a chosen time range and a log scale; latency cells never wrap', async () => {
  await page.click('nav a[data-view=metrics]');
  await page.selectOption('#metrics-range', '30');
  await page.check('#metrics-log');
  await page.waitForFunction(() => {
    const c = document.getElementById('chart-ops');
    return c.dataset.span === '30' && c.dataset.scale === 'log';
  }, null, { timeout: 15000 });
  const wraps = await page.evaluate(() => [...document.querySelectorAll('#latency-table td')]
    .some((td) => getComputedStyle(td).whiteSpace !== 'nowrap'));
  assert.equal(wraps, false);
  await page.uncheck('#metrics-log');
  await page.selectOption('#metrics-range', '120');
});

test('the live tail shows writes as they happen (server-sent events)', async () => {
  await page.click('nav a[data-view=metrics]');
  const writer = (async () => {
    const end = Date.now() + 3500;
    for (let i = 0; Date.now() < end; i++) await api('PUT', '/api/kv', { key: 'tail:' + (i % 10), value: 'v' + i });
  })();
  await page.waitForFunction(() => [...document.querySelectorAll('#tail li.changed')]
    .some((li) => /\+[1-9]\d* put/.test(li.textContent)), null, { timeout: 15000 });
  await writer;
  await page.click('nav a[data-view=keys]');
});

test('documents: insert, edit, delete, paging, table view and index drop', async () => {
  await page.click('nav a[data-view=documents]');
  await page.click('#collection-list .key >> text=/^users \\(/');
  await page.fill('#query-filter', '{}');
  await page.fill('#query-limit', '15');
  await page.click('#query-form button[type=submit]');
  await page.waitForFunction(() => /1–15 shown/.test(document.querySelector('#query-count').textContent));
  assert.equal(await page.locator('#query-prev').isDisabled(), true);
  await page.click('#query-next');
  await page.waitForFunction(() => /16–30 shown/.test(document.querySelector('#query-count').textContent));
  assert.equal(await page.locator('#query-results .doc-id').first().textContent(), 'u15');
  await page.check('#query-table');
  assert.equal(await page.locator('#query-results-table tbody tr').count(), 15);
  const headers = await page.locator('#query-results-table th').allTextContents();
  assert.deepEqual(headers, ['id', 'name', 'age', 'address']);
  await page.uncheck('#query-table');

  await page.click('#doc-new');
  await page.fill('#doc-id', 'zz-new');
  await page.fill('#doc-json', '{"name": "Inserted", "age": 99}');
  await page.click('#doc-form button[type=submit]');
  await page.waitForFunction(() => /Saved document zz-new/.test(document.querySelector('#toast').textContent));
  assert.equal((await api('GET', '/api/document?collection=users&id=zz-new')).json, '{"name":"Inserted","age":99}');

  await page.fill('#query-filter', '{"age": 99}');
  await page.click('#query-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#query-count').textContent.startsWith('1 match'));
  await page.click('#query-results button >> text=Edit');
  assert.equal(await page.inputValue('#doc-id'), 'zz-new');
  await page.fill('#doc-json', '{"name": "Edited", "age": 99}');
  await page.click('#doc-form button[type=submit]');
  await page.waitForFunction(() => /Edited/.test(document.querySelector('#query-results pre').textContent));
  await page.click('#query-results button >> text=Delete');
  await page.waitForFunction(() => document.querySelector('#query-count').textContent.startsWith('0 matches'));

  await page.click('#index-list button[data-path="address.city"]');
  await page.waitForFunction(() => document.querySelector('#collection-indexes').textContent.includes('no indexes'));
  const collections = await api('GET', '/api/collections');
  assert.deepEqual(collections.collections.find((c) => c.name === 'users').indexes, []);
  await shot('10-documents-edit');
});

test('light and dark themes follow the system', async () => {
  await page.click('nav a[data-view=keys]');
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(dark, light);
  assert.equal(light, 'rgb(246, 247, 249)');
  await shot('08-light-theme');
  await page.emulateMedia({ colorScheme: 'dark' });
});

test('the layout works 390 px wide', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const view of ['keys', 'documents', 'metrics', 'maintenance']) {
    await page.click(`nav a[data-view=${view}]`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, view + ' is ' + overflow + ' px wider than the screen');
  }
  await page.click('nav a[data-view=keys]');
  await shot('09-phone-width');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('an error is shown to the user, in words', async () => {
  const before = problems.length;
  await page.click('nav a[data-view=maintenance]');
  await page.fill('#backup-target', '/proc/no/such/parent/backup');
  await page.click('#backup-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#toast').className === 'error');
  assert.match(await page.locator('#toast').textContent(), /does not exist/);
  // Chromium logs the refused request itself; that one is expected here.
  assert.deepEqual(problems.splice(before), ['console error: Failed to load resource: the server responded with a '
    + 'status of 400 (Bad Request)']);
});

test('a stale link shows a page saying what to do; logout ends the session', async () => {
  const other = await browser.newContext();
  const stalePage = await other.newPage();
  const response = await stalePage.goto(origin + '/?token=' + 'A'.repeat(43));
  assert.equal(response.status(), 401);
  assert.match(await stalePage.locator('h1').textContent(), /no longer valid/);
  assert.match(await stalePage.textContent('body'), /Open http:\/\//);
  await other.close();

  const session = await browser.newContext();
  const p = await session.newPage();
  await p.goto(loginUrl.href);
  await p.locator('#key-list li').first().waitFor();
  await p.click('#logout');
  await p.waitForFunction(() => document.querySelector('h1').textContent === 'Logged out');
  const after = await p.goto(origin + '/');
  assert.equal(after.status(), 401, 'the session is gone and the cookie cleared');
  assert.match(await p.textContent('body'), /open the URL Studio printed/);
  await session.close();
});

test('read-only mode: writes are hidden and refused', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn('java', ['-jar', process.env.STUDIO_JAR, '--db', process.env.BACKUP_DIR, '--port', '0',
    '--read-only'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/);
        if (m) resolve(m[0]);
      });
      child.on('exit', (code) => reject(new Error('read-only Studio exited with ' + code + ': ' + out)));
    });
    const ro = await browser.newContext();
    const p = await ro.newPage();
    await p.goto(url);
    await p.locator('#key-list li').first().waitFor();
    assert.equal(await p.locator('#mode').isVisible(), true);
    assert.equal(await p.locator('#value-edit').isVisible(), false);
    assert.equal(await p.locator('#delete-prefix').isVisible(), false);
    assert.equal(await p.locator('#import-file').isVisible(), false, 'import is hidden');
    assert.equal(await p.locator('#export-link').isVisible(), true, 'export stays');
    const refused = await p.evaluate(async () => {
      const r = await fetch('/api/kv', { method: 'PUT', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ key: 'k', value: 'v' }), referrerPolicy: 'same-origin' });
      return { status: r.status, allow: r.headers.get('Allow') };
    });
    assert.deepEqual(refused, { status: 405, allow: 'GET, HEAD' });
    await ro.close();
  } finally {
    child.kill();
  }
});

test('no script errors and no Content-Security-Policy violations', () => {
  assert.deepEqual(problems, []);
});
