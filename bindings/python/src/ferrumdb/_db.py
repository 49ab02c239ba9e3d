"""The key-value database: a thin Pythonic layer over the Java engine, called in-process through JPype."""

from __future__ import annotations

import datetime
import os
from types import TracebackType
from typing import Any, Iterator, List, Optional, Tuple, Type, Union

from ._jvm import check_passphrase, java_errors, jclass, to_bytes
from .errors import InvalidArgumentError

Bytes = Union[str, bytes, bytearray, memoryview]
"""A key or value: str is stored as its UTF-8 encoding."""

Seconds = Union[int, float, datetime.timedelta]
"""A time to live: seconds, or a timedelta."""

PathLike = Union[str, "os.PathLike[str]"]

_SUPPORT = "io.ferrumdb.bindings.BindingSupport"


def _ttl_nanos(ttl: Seconds) -> int:
    """A TTL in seconds (or a timedelta) as positive nanoseconds."""
    if isinstance(ttl, datetime.timedelta):
        seconds = ttl.total_seconds()
    elif isinstance(ttl, (int, float)) and not isinstance(ttl, bool):
        seconds = float(ttl)
    else:
        raise TypeError(f"ttl must be seconds (int or float) or a timedelta, got {type(ttl).__name__}")
    nanos = int(round(seconds * 1_000_000_000))
    if nanos <= 0:
        raise InvalidArgumentError(f"ttl must be positive, got {ttl!r}")
    return nanos


def _duration(ttl: Seconds) -> Any:
    """A java.time.Duration for a TTL in seconds (or a timedelta)."""
    return jclass("java.time.Duration").ofNanos(_ttl_nanos(ttl))


def ttl_millis(ttl: Seconds) -> int:
    """A TTL in seconds (or a timedelta) as whole milliseconds, rounded up so that it stays positive."""
    return -(-_ttl_nanos(ttl) // 1_000_000)


def open_args(path: PathLike, fsync: str, fsync_interval: float, passphrase: Optional[str],
              read_only: bool) -> Tuple[str, str, int, Optional[str], bool]:
    """The Java arguments (path, fsync, interval in ms, passphrase, read-only) shared by :func:`open` and
    ``open_documents``; the Java side checks them and names what is wrong."""
    if not isinstance(fsync, str):
        raise TypeError(f"fsync must be \"always\", \"never\" or \"periodic\", got {type(fsync).__name__}")
    if not isinstance(fsync_interval, (int, float)) or isinstance(fsync_interval, bool):
        raise TypeError(f"fsync_interval must be seconds, got {type(fsync_interval).__name__}")
    return (os.fsdecode(os.fspath(path)), fsync, int(round(fsync_interval * 1000)), check_passphrase(passphrase),
            bool(read_only))


class WriteBatch:
    """Puts and deletes applied all or nothing, also across crashes. Get one from :meth:`FerrumDB.write_batch`
    and use it as a context manager: it commits when the ``with`` block ends normally, and is discarded
    (nothing written) when the block raises.

    Arguments are checked when an operation is added, so a bad key fails at its own line.
    """

    __slots__ = ("_db", "_batch", "_done")

    def __init__(self, db: "FerrumDB") -> None:
        self._db = db
        self._batch = jclass("io.ferrumdb.WriteBatch")()
        self._done = False

    def _check_open(self) -> None:
        if self._done:
            raise ValueError("this write batch has already been committed or discarded")

    @java_errors
    def put(self, key: Bytes, value: Bytes, ttl: Optional[Seconds] = None) -> "WriteBatch":
        """Adds a put of ``value`` under ``key``, expiring after ``ttl`` seconds when given."""
        self._check_open()
        k = to_bytes(key, "key")
        v = to_bytes(value, "value")
        if ttl is None:
            self._batch.put(k, v)
        else:
            self._batch.put(k, v, _duration(ttl))
        return self

    @java_errors
    def delete(self, key: Bytes) -> "WriteBatch":
        """Adds a delete of ``key`` (no effect at commit when the key is absent)."""
        self._check_open()
        self._batch.delete(to_bytes(key, "key"))
        return self

    def __len__(self) -> int:
        return int(self._batch.size())

    def __enter__(self) -> "WriteBatch":
        self._check_open()
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self._done = True
        if exc_type is None:
            self._db._write(self._batch)


class FerrumDB:
    """An open FerrumDB database. Get one with :func:`ferrumdb.open`; close it with :meth:`close` or a
    ``with`` block. Thread-safe: the engine is, and JPype releases the GIL while Java runs.

    Keys and values are bytes, or str (stored as UTF-8). Reads return bytes.
    """

    __slots__ = ("_db", "_support", "__weakref__")

    def __init__(self, java_db: Any) -> None:
        """Wraps an open Java ``io.ferrumdb.FerrumDB``; use :func:`ferrumdb.open` instead."""
        self._db = java_db
        self._support = jclass(_SUPPORT)

    @java_errors
    def put(self, key: Bytes, value: Bytes, ttl: Optional[Seconds] = None) -> None:
        """Stores ``value`` under ``key``; durable when it returns under ``fsync="always"``.

        Args:
            ttl: seconds (or a timedelta) after which the key expires; None keeps it until deleted.
        """
        k = to_bytes(key, "key")
        v = to_bytes(value, "value")
        if ttl is None:
            self._db.put(k, v)
        else:
            self._db.put(k, v, _duration(ttl))

    @java_errors
    def get(self, key: Bytes) -> Optional[bytes]:
        """The value of ``key``, or None when it is absent or expired."""
        value = self._db.get(to_bytes(key, "key"))
        return None if value is None else bytes(value)

    @java_errors
    def delete(self, key: Bytes) -> bool:
        """Deletes ``key``; True when a live key was removed, False when there was none."""
        return bool(self._db.delete(to_bytes(key, "key")))

    @java_errors
    def __contains__(self, key: object) -> bool:
        return bool(self._db.contains(to_bytes(key, "key")))

    @java_errors
    def __len__(self) -> int:
        return int(self._db.size())

    @java_errors
    def keys(self, prefix: Optional[Bytes] = None) -> List[bytes]:
        """The live keys in unsigned byte order (UTF-8 strings sort by code point), optionally only those
        that start with ``prefix``."""
        p = None if prefix is None else to_bytes(prefix, "prefix")
        return [bytes(k) for k in self._support.keys(self._db, p)]

    def __iter__(self) -> Iterator[bytes]:
        """Iterates over a snapshot of :meth:`keys`."""
        return iter(self.keys())

    def __getitem__(self, key: Bytes) -> bytes:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: Bytes, value: Bytes) -> None:
        self.put(key, value)

    def __delitem__(self, key: Bytes) -> None:
        if not self.delete(key):
            raise KeyError(key)

    def write_batch(self) -> WriteBatch:
        """A new :class:`WriteBatch` for this database, to be used as a context manager::

            with db.write_batch() as batch:
                batch.put("a", "1")
                batch.delete("b")
            # both applied here, atomically
        """
        return WriteBatch(self)

    @java_errors
    def _write(self, batch: Any) -> None:
        self._db.write(batch)

    @java_errors
    def sync(self) -> None:
        """Forces every write so far to stable storage, whatever the fsync policy."""
        self._db.sync()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return bool(self._db.isClosed())

    @property
    def path(self) -> str:
        """The database directory (absolute)."""
        return str(self._db.directory().toString())

    @java_errors
    def close(self) -> None:
        """Flushes, fsyncs and releases the directory lock. Closing twice is harmless."""
        self._db.close()

    def __enter__(self) -> "FerrumDB":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ferrumdb.FerrumDB {self.path!r}{' closed' if self.closed else ''}>"


@java_errors
def open(path: PathLike, passphrase: Optional[str] = None, fsync: str = "always", *,
         fsync_interval: float = 1.0, read_only: bool = False) -> FerrumDB:
    """Opens the database in directory ``path``, creating it when missing (unless ``read_only``).

    Args:
        path: the database directory.
        passphrase: opens (or creates) an encrypted database with this passphrase.
        fsync: ``"always"`` (a write is durable when it returns; concurrent writers share fsyncs),
            ``"periodic"`` (fsync every ``fsync_interval`` seconds) or ``"never"`` (leave it to the OS).
        fsync_interval: seconds between fsyncs for ``fsync="periodic"``.
        read_only: open without writing; several read-only handles may share a directory.

    Raises:
        DatabaseLockedError: another handle holds the directory.
        EncryptionKeyError: the passphrase is wrong, or missing for an encrypted database.
        CorruptionError: the files failed a check the engine cannot repair.
        InvalidArgumentError: an argument was rejected (e.g. an unknown fsync policy).
    """
    return FerrumDB(jclass(_SUPPORT).open(*open_args(path, fsync, fsync_interval, passphrase, read_only)))
