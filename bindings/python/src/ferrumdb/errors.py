"""The exceptions FerrumDB raises. Every error from the Java engine arrives as one of these, never as a Java
stack trace; the Java class it came from is kept in ``java_class`` for bug reports."""

from __future__ import annotations

from typing import Optional

__all__ = [
    "FerrumError",
    "DatabaseLockedError",
    "DatabaseClosedError",
    "DatabaseNotFoundError",
    "NotADatabaseError",
    "CorruptionError",
    "EncryptionKeyError",
    "ReadOnlyDatabaseError",
    "FormatVersionError",
    "InvalidArgumentError",
    "UniqueIndexViolationError",
]


class FerrumError(Exception):
    """Base of every error FerrumDB raises.

    Attributes:
        java_class: the fully qualified name of the Java exception behind this error, or None when the
            error was raised on the Python side.
    """

    def __init__(self, message: str, java_class: Optional[str] = None) -> None:
        super().__init__(message)
        self.java_class = java_class


class DatabaseLockedError(FerrumError):
    """Another handle, in this process or another one, holds the database directory's lock."""


class DatabaseClosedError(FerrumError):
    """The database (or document store) was used after it was closed."""


class DatabaseNotFoundError(FerrumError):
    """There is no database where one was expected (a read-only open of a missing or empty directory); nothing was
    created."""


class NotADatabaseError(FerrumError):
    """A writing open found a non-empty directory that holds no database, and refused to create one among its
    files."""


class CorruptionError(FerrumError):
    """Stored bytes failed a checksum, authentication or structural check.

    Attributes:
        file: the file that failed the check, when the engine named one.
        offset: the byte offset in that file, when the engine named one.
    """

    def __init__(self, message: str, java_class: Optional[str] = None, file: Optional[str] = None,
                 offset: Optional[int] = None) -> None:
        super().__init__(message, java_class)
        self.file = file
        self.offset = offset


class EncryptionKeyError(FerrumError):
    """The passphrase or key is wrong, missing for an encrypted database, or given for a plain one."""


class ReadOnlyDatabaseError(FerrumError):
    """A write was attempted on a database opened read-only (or switched to read-only after an I/O failure)."""


class FormatVersionError(FerrumError):
    """The database files were written by an incompatible version of FerrumDB."""


class InvalidArgumentError(FerrumError, ValueError):
    """An argument was rejected by the engine, e.g. a key longer than 65,535 bytes. Also a ValueError."""


class UniqueIndexViolationError(FerrumError):
    """A put would give two documents of a collection the same value at a uniquely indexed path."""
