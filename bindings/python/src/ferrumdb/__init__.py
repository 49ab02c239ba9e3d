"""FerrumDB for Python: the embedded FerrumDB key-value and document database, running in-process on the
Java engine through JPype. The engine's jar ships inside this package.

    import ferrumdb

    with ferrumdb.open("memory-db") as db:
        db.put("user:1", "Ada")
        db.get("user:1")            # b'Ada'
        for key, value in db.iterator(prefix="user:"):   # lazy, in key order
            ...

    with ferrumdb.open_documents("notes-db") as store:
        notes = store.collection("notes")
        notes.put("n1", {"text": "buy milk", "tags": ["home"]})
        notes.find({"tags": "home"})  # [{'_id': 'n1', 'text': 'buy milk', 'tags': ['home']}]
"""

from ._db import FerrumDB, ItemsView, KeysView, Scan, ValuesView, WriteBatch, open
from ._documents import Collection, DocumentStore, open_documents
from ._memory import AgentMemory, agent_memory
from .errors import (
    CorruptionError,
    DatabaseClosedError,
    DatabaseLockedError,
    DatabaseNotFoundError,
    EncryptionKeyError,
    FerrumError,
    FormatVersionError,
    InvalidArgumentError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
    UniqueIndexViolationError,
)

__version__ = "0.1.0"

__all__ = [
    "open",
    "FerrumDB",
    "Scan",
    "KeysView",
    "ValuesView",
    "ItemsView",
    "WriteBatch",
    "open_documents",
    "DocumentStore",
    "Collection",
    "agent_memory",
    "AgentMemory",
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
