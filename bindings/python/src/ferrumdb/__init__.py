"""FerrumDB for Python: the embedded FerrumDB key-value and document database, running in-process on the
Java engine through JPype. The engine's jar ships inside this package.

    import ferrumdb

    with ferrumdb.open("memory-db") as db:
        db.put("user:1", "Ada")
        db.get("user:1")            # b'Ada'
"""

from ._db import FerrumDB, WriteBatch, open
from .errors import (
    CorruptionError,
    DatabaseClosedError,
    DatabaseLockedError,
    EncryptionKeyError,
    FerrumError,
    FormatVersionError,
    InvalidArgumentError,
    ReadOnlyDatabaseError,
)

__version__ = "0.1.0"

__all__ = [
    "open",
    "FerrumDB",
    "WriteBatch",
    "FerrumError",
    "DatabaseLockedError",
    "DatabaseClosedError",
    "CorruptionError",
    "EncryptionKeyError",
    "ReadOnlyDatabaseError",
    "FormatVersionError",
    "InvalidArgumentError",
]
