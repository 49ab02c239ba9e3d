// The official MCP TypeScript SDK client and the MCP Inspector CLI against `./ferrumdb --db DIR mcp` over stdio.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const here = dirname(fileURLToPath(import.meta.url));
const ferrumdb = resolve(here, '../../ferrumdb');
const dir = mkdtempSync(join(tmpdir(), 'ferrumdb-mcp-'));
const db = join(dir, 'db');
const TOOLS = ['doc_find', 'forget', 'kv_delete', 'kv_get', 'kv_put', 'kv_scan', 'list_namespaces', 'recall',
  'remember'];

async function connect() {
  const client = new Client({ name: 'ferrumdb-client-test', version: '1.0.0' });
  const transport = new StdioClientTransport({ command: ferrumdb, args: ['--db', db, 'mcp'], stderr: 'pipe' });
  await client.connect(transport);
  return client;
}

let client;
before(async () => { client = await connect(); });
after(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (name, args) => client.callTool({ name, arguments: args });

test('lists the tools with schemas and descriptions', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map(t => t.name).sort(), TOOLS);
  for (const t of tools) {
    assert.equal(t.inputSchema.type, 'object', t.name);
    assert.ok(t.description.length > 20, t.name);
  }
});

test('remember, recall, forget with structured content and text', async () => {
  const r = await call('remember', { text: 'Deploys to production need approval from Ingrid',
    tags: ['process'], metadata: { source: 'slack' } });
  assert.equal(r.isError, false);
  assert.match(r.structuredContent.id, /^[0-9a-f]{16}$/);
  assert.equal(r.structuredContent.namespace, 'default');
  assert.match(r.content[0].text, /Remembered/);
  await call('remember', { text: 'Production database runs Postgres 16', tags: ['infra'] });

  const found = await call('recall', { query: 'who approves production deploys' });
  assert.equal(found.isError, false);
  const first = found.structuredContent.memories[0];
  assert.equal(first.id, r.structuredContent.id);
  assert.deepEqual(first.tags, ['process']);
  assert.deepEqual(first.metadata, { source: 'slack' });
  assert.ok(first.score > 0);

  const tagged = await call('recall', { tags: ['infra'] });
  assert.deepEqual(tagged.structuredContent.memories.map(m => m.text), ['Production database runs Postgres 16']);

  const ns = await call('list_namespaces', {});
  assert.deepEqual(ns.structuredContent.namespaces, [{ name: 'default', count: 2 }]);

  const resources = await client.listResources();
  const uri = `ferrumdb://memory/default/${r.structuredContent.id}`;
  assert.ok(resources.resources.some(res => res.uri === uri));
  const read = await client.readResource({ uri });
  assert.equal(JSON.parse(read.contents[0].text).text, 'Deploys to production need approval from Ingrid');

  const gone = await call('forget', { id: r.structuredContent.id });
  assert.deepEqual(gone.structuredContent, { forgotten: 1 });
  assert.ok(!(await client.listResources()).resources.some(res => res.uri === uri));
});

test('bad input is a tool error the model can read', async () => {
  for (const [name, args, pattern] of [
    ['remember', {}, /text/],
    ['remember', { text: 'x', namespace: 'no spaces' }, /namespace/],
    ['recall', { limit: 1000000 }, /limit/],
    ['forget', {}, /id/],
    ['kv_get', { key: '\u0001doc' }, /control character/],
    ['doc_find', { collection: 'missing' }, /no collection/],
  ]) {
    const r = await call(name, args);
    assert.equal(r.isError, true, `${name} ${JSON.stringify(args)}`);
    assert.match(r.content[0].text, pattern);
  }
});

test('plain key-value tools', async () => {
  await call('kv_put', { key: 'user:1', value: 'Ada' });
  await call('kv_put', { key: 'user:2', value: 'Grace' });
  await call('kv_put', { key: 'user:3', value: 'Linus' });
  assert.equal((await call('kv_get', { key: 'user:2' })).structuredContent.value, 'Grace');
  const page1 = await call('kv_scan', { prefix: 'user:', limit: 2 });
  assert.deepEqual(page1.structuredContent.items.map(i => i.key), ['user:1', 'user:2']);
  const page2 = await call('kv_scan', { prefix: 'user:', limit: 2, cursor: page1.structuredContent.next_cursor });
  assert.deepEqual(page2.structuredContent.items.map(i => i.key), ['user:3']);
  assert.equal(page2.structuredContent.next_cursor, undefined);
  assert.equal((await call('kv_delete', { key: 'user:3' })).structuredContent.deleted, true);
  assert.equal((await call('kv_get', { key: 'user:3' })).structuredContent.found, false);
});

test('memories survive the server ending', async () => {
  const r = await call('remember', { text: 'The staging cluster lives in Frankfurt', namespace: 'ops' });
  await client.close();
  client = await connect();
  const found = await call('recall', { namespace: 'ops', query: 'staging cluster' });
  assert.equal(found.structuredContent.memories[0].id, r.structuredContent.id);
});

test('the MCP Inspector CLI lists the tools', async () => {
  await client.close();
  client = undefined;
  const inspector = join(here, 'node_modules', '.bin', 'mcp-inspector');
  const { stdout } = await promisify(execFile)(inspector,
    ['--cli', ferrumdb, '--db', db, 'mcp', '--method', 'tools/list'], { timeout: 120000 });
  const names = JSON.parse(stdout).tools.map(t => t.name).sort();
  assert.deepEqual(names, TOOLS);
  client = await connect();
});
