'use strict';
// The errors FerrumDB throws. Every error from the Java engine arrives as one of these (never as a Java stack
// trace); the Java class it came from is kept in `javaClass` for bug reports.

class FerrumError extends Error {
  constructor(message, javaClass = null) {
    super(message);
    this.name = new.target.name;
    this.code = new.target.code;
    this.javaClass = javaClass;
  }
}
FerrumError.code = 'FERRUM_ERROR';

/** Another handle, in this process or another one, holds the database directory's lock. */
class DatabaseLockedError extends FerrumError {}
DatabaseLockedError.code = 'DATABASE_LOCKED';

/** The database (or document store) was used after it was closed. */
class DatabaseClosedError extends FerrumError {}
DatabaseClosedError.code = 'DATABASE_CLOSED';

/** There is no database where one was expected (a read-only open of a missing directory); nothing was created. */
class DatabaseNotFoundError extends FerrumError {}
DatabaseNotFoundError.code = 'DATABASE_NOT_FOUND';

/** A writing open found a non-empty directory that holds no database, and refused to create one among its files. */
class NotADatabaseError extends FerrumError {}
NotADatabaseError.code = 'NOT_A_DATABASE';

/** Stored bytes failed a checksum, authentication or structural check; `file` and `offset` say where. */
class CorruptionError extends FerrumError {
  constructor(message, javaClass = null, file = null, offset = null) {
    super(message, javaClass);
    this.file = file;
    this.offset = offset;
  }
}
CorruptionError.code = 'CORRUPTION';

/** The passphrase is wrong, or missing for an encrypted database. */
class EncryptionKeyError extends FerrumError {}
EncryptionKeyError.code = 'ENCRYPTION_KEY';

/** A write on a database opened read-only (or switched to read-only after an I/O failure). */
class ReadOnlyDatabaseError extends FerrumError {}
ReadOnlyDatabaseError.code = 'READ_ONLY';

/** The files were written by an incompatible version of FerrumDB. */
class FormatVersionError extends FerrumError {}
FormatVersionError.code = 'FORMAT_VERSION';

/** The engine rejected an argument, e.g. a key longer than 65,535 bytes. */
class InvalidArgumentError extends FerrumError {}
InvalidArgumentError.code = 'INVALID_ARGUMENT';

/** A put would give two documents of a collection the same value at a uniquely indexed path. */
class UniqueIndexViolationError extends FerrumError {}
UniqueIndexViolationError.code = 'UNIQUE_INDEX_VIOLATION';

module.exports = {
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
};
