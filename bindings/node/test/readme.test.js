'use strict';
// The Node.js example in the FerrumDB README runs and prints what its comments say.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

// run-tests.sh runs this file from a fresh project with ferrumdb installed, and says where the README is.
const readme = fs.readFileSync(process.env.FERRUMDB_README, 'utf8');
const section = readme.split('## Python and Node.js bindings')[1].split('\n## ')[0];
const examples = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test('the README has two Node.js examples', () => {
  assert.equal(examples.length, 2);
});

examples.forEach((code, i) => test(`README example ${i + 1} prints what it promises`, () => {
  const expected = [...code.matchAll(/console\.log\(.*\);\s+\/\/ (.*)/g)].map((m) => m[1].trim());
  // Inside the test project, so that `require('ferrumdb')` finds the installed package.
  const dir = fs.mkdtempSync(path.join(process.cwd(), 'readme-'));
  try {
    const out = execFileSync(process.execPath, ['-e', code], { cwd: dir, timeout: 60_000 }).toString();
    assert.equal(expected.length, 2);
    assert.deepEqual(out.trim().split('\n'), expected);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}));
