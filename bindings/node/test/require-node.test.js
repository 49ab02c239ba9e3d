'use strict';
// .ci/require-node.sh, which every suite that runs Node.js calls first: it passes Node.js 20+ with npm and refuses,
// naming what it found, a missing node, Debian 12's own Node.js 18, or a node without npm.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

// run-tests.sh runs this file from a fresh project and says where the README, at the repository's root, is.
const script = path.join(path.dirname(process.env.FERRUMDB_README), '.ci', 'require-node.sh');

// Runs the check with a PATH of only the given fake programs, each printing its version (the script needs nothing
// else: bash runs it by absolute path and the rest are builtins), so the machine's own node stays out of sight.
function check(programs) {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'require-node-'));
  try {
    for (const [name, version] of Object.entries(programs)) {
      fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
    }
    return spawnSync('/bin/bash', [script], { env: { PATH: bin }, encoding: 'utf8' });
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
  }
}

test('Node.js 20 or newer with npm passes', () => {
  for (const version of ['v20.0.0', 'v22.11.0', 'v100.1.2']) {
    const run = check({ node: version, npm: '10.8.2' });
    assert.equal(run.status, 0, `${version}: ${run.stderr}`);
    assert.equal(run.stderr, '');
  }
});

test("Debian 12's Node.js 18 is refused, naming its version and what to install", () => {
  const run = check({ node: 'v18.20.4', npm: '9.2.0' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /node v18\.20\.4 \(.*\/node\) is older than Node\.js 20: install a Node\.js 20\+ build that includes npm/);
});

test('a missing node is refused', () => {
  const run = check({});
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^node is not on PATH: install a Node\.js 20\+ build/);
});

test('node without npm is refused', () => {
  const run = check({ node: 'v20.20.2' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^npm is not on PATH beside node v20\.20\.2/);
});

test('a version it cannot read is refused, not taken for a new one', () => {
  const run = check({ node: 'nightly', npm: '10.8.2' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^node nightly .* is older than Node\.js 20/);
});
