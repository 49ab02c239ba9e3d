// Every public name is a named ES module export, equal to the CommonJS export, and usable at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esm from 'ferrumdb';
import {
  FerrumDB, DocumentStore, Collection, AgentMemory, FerrumError, DatabaseLockedError, DatabaseClosedError,
  DatabaseNotFoundError, NotADatabaseError, CorruptionError, EncryptionKeyError, ReadOnlyDatabaseError,
  FormatVersionError, InvalidArgumentError, UniqueIndexViolationError,
} from 'ferrumdb';

const cjs = createRequire(import.meta.url)('ferrumdb');

test('the ES module exports exactly the CommonJS names, as the same objects', () => {
  const named = Object.keys(esm).filter((name) => name !== 'default').sort();
  assert.deepEqual(named, Object.keys(cjs).sort());
  for (const name of named) {
    assert.equal(esm[name], cjs[name], name);
  }
  const imported = [FerrumDB, DocumentStore, Collection, AgentMemory, FerrumError, DatabaseLockedError, DatabaseClosedError,
    DatabaseNotFoundError, NotADatabaseError, CorruptionError, EncryptionKeyError, ReadOnlyDatabaseError, FormatVersionError, InvalidArgumentError,
    UniqueIndexViolationError];
  assert.equal(imported.length, named.length);
  imported.forEach((value) => assert.equal(typeof value, 'function'));
});

test('an error class imported by name catches the error the engine raises', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrumdb-esm-'));
  try {
    const db = await FerrumDB.open(dir);
    await assert.rejects(FerrumDB.open(dir), (e) => e instanceof DatabaseLockedError && e instanceof FerrumError);
    await db.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
