// FerrumDB for Node.js as an ES module: the same objects as the CommonJS entry point (index.js), one named export
// per public name, so that `import { FerrumDB, FerrumError } from 'ferrumdb'` works at run time as TypeScript
// says it does. test/esm.test.mjs checks that the two lists of names stay equal.
import ferrumdb from './index.js';

export const {
  FerrumDB,
  DocumentStore,
  Collection,
  AgentMemory,
  FerrumError,
  DatabaseLockedError,
  DatabaseClosedError,
  DatabaseNotFoundError,
  NotADatabaseError,
  CorruptionError,
  EncryptionKeyError,
  ReadOnlyDatabaseError,
  FormatVersionError,
  InvalidArgumentError,
  UniqueIndexViolationError,
} = ferrumdb;

export default ferrumdb;
