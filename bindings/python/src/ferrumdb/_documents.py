"""Document collections: JSON documents as dicts, with persistent indexes and queries, over ferrumdb-doc."""

from __future__ import annotations

import json
from types import TracebackType
from typing import Any, Dict, List, Mapping, Optional, Type

from ._db import PathLike, Seconds, open_args, ttl_millis
from ._json import json_text
from ._jvm import close_when_dropped, java_errors, jclass, refuse_pickle
from .errors import InvalidArgumentError

Document = Dict[str, Any]
"""A JSON object as a dict; documents read back carry their id in ``"_id"``."""

Query = Mapping[str, Any]
"""A MongoDB-style query: ``{"kind": "note", "age": {"$gte": 18}, "$or": [...]}``; see :meth:`Collection.find`."""

_BRIDGE = "io.ferrumdb.bindings.DocumentBridge"


def _text(value: str, what: str) -> str:
    """``value`` as the JSON string literal the Java side takes (see DocumentBridge.java)."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, got {type(value).__name__}")
    return json.dumps(value)


def _query(query: Optional[Query]) -> str:
    if query is not None and not isinstance(query, Mapping):
        raise TypeError(f"a query must be a dict, got {type(query).__name__}")
    return json_text(query, "the query")


_MAX_PAGE = 2 ** 31 - 1
"""The largest offset and limit of a find: DocumentBridge takes them as Java ints."""


def _page(value: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    if not 0 <= value <= _MAX_PAGE:
        raise InvalidArgumentError(f"{what} must be 0 to {_MAX_PAGE}, got {value}")
    return value


class Collection:
    """A named collection of JSON documents in a :class:`DocumentStore`. Get one with
    :meth:`DocumentStore.collection`."""

    __slots__ = ("_bridge", "_name", "_jname")

    def __init__(self, bridge: Any, name: str) -> None:
        self._bridge = bridge
        self._name = name
        self._jname = _text(name, "collection name")
        java_errors(bridge.collection)(self._jname)

    @property
    def name(self) -> str:
        return self._name

    @java_errors
    def put(self, id: str, document: Mapping[str, Any], ttl: Optional[Seconds] = None) -> None:
        """Inserts or replaces document ``id``. An ``"_id"`` field is allowed only when it equals ``id``.

        Args:
            document: a dict of JSON values (str, int, float, bool, None, lists and dicts).
            ttl: seconds (or a timedelta) after which the document and its index entries expire.
        """
        if not isinstance(document, Mapping):
            raise TypeError(f"a document must be a dict, got {type(document).__name__}")
        body = json_text(document, "the document")
        self._bridge.put(self._jname, _text(id, "id"), body, 0 if ttl is None else ttl_millis(ttl))

    @java_errors
    def get(self, id: str) -> Optional[Document]:
        """Document ``id`` with its ``"_id"``, or None when absent or expired."""
        found = self._bridge.get(self._jname, _text(id, "id"))
        return None if found is None else json.loads(str(found))

    @java_errors
    def delete(self, id: str) -> bool:
        """Deletes document ``id`` and its index entries; True when it existed."""
        return bool(self._bridge.delete(self._jname, _text(id, "id")))

    @java_errors
    def create_index(self, path: str) -> None:
        """Creates a persistent index on dot path ``path`` (each element of an array is indexed), filling it
        from the existing documents. Idempotent. Queries on the path use it."""
        self._bridge.createIndex(self._jname, _text(path, "index path"))

    @java_errors
    def create_unique_index(self, path: str) -> None:
        """Like :meth:`create_index`, and a put that would give two documents the same value at ``path`` raises
        :class:`ferrumdb.UniqueIndexViolationError`."""
        self._bridge.createUniqueIndex(self._jname, _text(path, "index path"))

    @java_errors
    def drop_index(self, path: str) -> bool:
        """Removes the index on ``path``; True when there was one."""
        return bool(self._bridge.dropIndex(self._jname, _text(path, "index path")))

    @java_errors
    def find(self, query: Optional[Query] = None, *, sort_by: Optional[str] = None, descending: bool = False,
             offset: int = 0, limit: Optional[int] = None) -> List[Document]:
        """The documents matching ``query``, each with its ``"_id"``: in id order, or sorted by ``sort_by``.

        A query is a dict of conditions that must all hold: ``{"path": value}`` (equality; a dot path reaches
        into objects and arrays), ``{"path": {"$gt": v}}`` with ``$eq $ne $gt $gte $lt $lte $in $between
        $exists $startsWith`` (``$between``: ``[from_inclusive, to_exclusive]``), and ``{"$or": [q, ...]}``, ``{"$and": [q, ...]}``, ``{"$not": q}``. None or ``{}``
        matches everything.
        """
        if sort_by is not None and not isinstance(sort_by, str):
            raise TypeError(f"sort_by must be str, got {type(sort_by).__name__}")
        found = self._bridge.find(self._jname, _query(query), json.dumps(sort_by), bool(descending),
                                  _page(offset, "offset"), -1 if limit is None else _page(limit, "limit"))
        return json.loads(str(found))

    @java_errors
    def count(self, query: Optional[Query] = None) -> int:
        """The number of documents matching ``query`` (see :meth:`find`)."""
        return int(self._bridge.count(self._jname, _query(query)))

    def __len__(self) -> int:
        return self.count()

    def __repr__(self) -> str:
        return f"<ferrumdb.Collection {self._name!r}>"


class DocumentStore:
    """An open document store: named collections of JSON documents in one FerrumDB directory. Get one with
    :func:`ferrumdb.open_documents`; close it with :meth:`close` or a ``with`` block (a store dropped while
    open is closed by the garbage collector, with a ResourceWarning)."""

    __slots__ = ("_bridge", "_path", "_finalizer", "__weakref__")

    def __init__(self, bridge: Any, path: str) -> None:
        """Wraps an open Java DocumentBridge; use :func:`ferrumdb.open_documents` instead."""
        self._bridge = bridge
        self._path = path
        self._finalizer = close_when_dropped(self, bridge, f"ferrumdb.DocumentStore {path!r}")

    def collection(self, name: str) -> Collection:
        """The collection ``name``, created (empty, without indexes) on first use."""
        return Collection(self._bridge, name)

    @java_errors
    def collections(self) -> List[str]:
        """The collection names, sorted."""
        return json.loads(str(self._bridge.collections()))

    @java_errors
    def drop_collection(self, name: str) -> bool:
        """Deletes collection ``name`` with its documents and indexes; True when it existed."""
        return bool(self._bridge.dropCollection(_text(name, "collection name")))

    @java_errors
    def sync(self) -> None:
        """Forces every write so far to stable storage, whatever the fsync policy."""
        self._bridge.sync()

    @java_errors
    def close(self) -> None:
        """Flushes, fsyncs and releases the directory lock. Closing twice is harmless."""
        self._finalizer.detach()
        self._bridge.close()

    def __enter__(self) -> "DocumentStore":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ferrumdb.DocumentStore {self._path!r}>"

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise refuse_pickle("ferrumdb.DocumentStore")


@java_errors
def open_documents(path: PathLike, passphrase: Optional[str] = None, fsync: str = "always", *,
                   fsync_interval: float = 1.0, read_only: bool = False) -> DocumentStore:
    """Opens the document store in directory ``path``, creating it when missing (unless ``read_only``). The
    arguments and errors are those of :func:`ferrumdb.open`.
    """
    args = open_args(path, fsync, fsync_interval, passphrase, read_only)
    return DocumentStore(jclass(_BRIDGE)(*args), args[0])
