// The official MCP TypeScript SDK client against `./ferrumdb --db DIR mcp --http --port 0` over streamable HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const here = dirname(fileURLToPath(import.meta.url));
const ferrumdb = resolve(here, '../../ferrumdb');
const dir = mkdtempSync(join(tmpdir(), 'ferrumdb-mcp-http-'));
const START_LINE = /(http:\/\/127\.0\.0\.1:\d+\/mcp) with header 'Authorization: Bearer ([A-Za-z0-9_-]+)'/;

let server;
let url;
let token;

before(async () => {
  server = spawn(ferrumdb, ['--db', join(dir, 'db'), 'mcp', '--http', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: server.stdout })) {
    const m = START_LINE.exec(line);
    if (m) {
      url = new URL(m[1]);
      token = m[2];
      break;
    }
  }
  assert.ok(url, 'the start line with the URL and the token');
});

after(async () => {
  if (server.exitCode === null) {
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const connect = async headers => {
  const client = new Client({ name: 'ferrumdb-http-client-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
};

test('with the token: tools/list, remember, then recall', async () => {
  const client = await connect({ Authorization: `Bearer ${token}` });
  try {
    const { tools } = await client.listTools();
    assert.ok(tools.some(t => t.name === 'remember') && tools.some(t => t.name === 'recall'));
    const r = await client.callTool({ name: 'remember',
      arguments: { text: 'The on-call rotation changes every Monday', tags: ['ops'] } });
    assert.equal(r.isError, false);
    const found = await client.callTool({ name: 'recall', arguments: { query: 'on-call rotation' } });
    assert.equal(found.structuredContent.memories[0].id, r.structuredContent.id);
  } finally {
    await client.close();
  }
});

test('without the token or with a wrong one the connection is refused', async () => {
  const unauthorized = reason => err => err.code === 401 && err.message.includes(reason);
  await assert.rejects(connect({}), unauthorized('no Authorization header'));
  await assert.rejects(connect({ Authorization: `Bearer ${token}x` }), unauthorized('wrong token'));
});
