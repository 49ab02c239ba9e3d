"""The key-value database: a thin Pythonic layer over the Java engine, called in-process through JPype."""

from __future__ import annotations

import collections.abc
import datetime
import itertools
import math
import os
import struct
import sys
import threading
import weakref
from array import array
from types import TracebackType
from typing import Any, Callable, Iterator, List, Optional, Tuple, Type, Union

import jpype
import jpype.nio

from . import _jvm
from ._jvm import (check_passphrase, close_when_dropped, encode_text, java_errors, jclass, raise_forked, refuse_pickle,
                   to_bytes, translate)
from .errors import DatabaseClosedError, InvalidArgumentError

Bytes = Union[str, bytes, bytearray, memoryview]
"""A key or value: str is stored as its UTF-8 encoding."""

Seconds = Union[int, float, datetime.timedelta]
"""A time to live: seconds, or a timedelta."""

PathLike = Union[str, "os.PathLike[str]"]

_SUPPORT = "io.ferrumdb.bindings.BindingSupport"
_SCAN_CURSOR = "io.ferrumdb.bindings.ScanCursor"
_DIRECT_READER = "io.ferrumdb.bindings.DirectReader"
_JException = jpype.JException


MAX_TTL_SECONDS = 100 * 365 * 24 * 3600
"""The longest TTL: 100 years, as Studio, MCP and the CLI accept. Longer is a mistake (a unit mixed up, digits too
many), and far longer ones do not fit the Java side's nanoseconds."""


def _ttl_nanos(ttl: Seconds) -> int:
    """A TTL in seconds (or a timedelta) as positive nanoseconds."""
    if isinstance(ttl, datetime.timedelta):
        seconds = ttl.total_seconds()
    elif isinstance(ttl, (int, float)) and not isinstance(ttl, bool):
        seconds = float(ttl)
    else:
        raise TypeError(f"ttl must be seconds (int or float) or a timedelta, got {type(ttl).__name__}")
    if math.isnan(seconds):
        raise InvalidArgumentError(f"ttl must be a positive number of seconds, got {ttl!r}")
    if seconds > MAX_TTL_SECONDS:
        raise InvalidArgumentError(f"ttl must be at most {MAX_TTL_SECONDS} seconds (100 years), got {ttl!r}")
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
    if not math.isfinite(fsync_interval):
        raise InvalidArgumentError(f"fsync_interval must be a finite number of seconds, got {fsync_interval!r}")
    if fsync.lower() == "periodic" and not fsync_interval >= 0.001:
        # Here, in seconds: the Java side, in the milliseconds it is passed, said "got -1000 ms" for -1 and "got 0 ms"
        # for 0.0001.
        raise InvalidArgumentError(f'fsync "periodic" needs a positive interval of at least 0.001 seconds (1 ms), '
                                   f"got fsync_interval={fsync_interval!r}")
    directory = os.fsdecode(os.fspath(path))
    if "\0" in directory:
        # Else the JDK's words reached the user ("Nul character not allowed: a<NUL>b"); Node.js says it this way.
        raise InvalidArgumentError(f"path must not contain a NUL character, got {directory!r}")
    # A name that is not UTF-8 decodes to lone surrogates (surrogateescape), which the Java engine cannot name.
    encode_text(directory, "path")
    return directory, fsync, int(round(fsync_interval * 1000)), check_passphrase(passphrase), bool(read_only)


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


class Scan(Iterator[Any]):
    """A lazy scan from :meth:`FerrumDB.iterator`: entries are fetched from the engine in chunks as the loop
    asks for them, so a scan that stops early reads little. Yields ``(key, value)`` tuples, or keys when made
    with ``include_value=False``. Close it (or use it in a ``with`` block, or run it to the end) to release the
    engine's iterator early; a dropped scan is closed when collected.

    Weakly consistent, like the engine's iterator: each key is yielded at most once, and a key written while
    the scan runs may or may not appear.
    """

    __slots__ = ("_cursor", "_with_values", "_chunk", "_pending", "_buffer", "_direct", "_finalizer", "__weakref__")

    def __init__(self, cursor: Any, with_values: bool) -> None:
        self._cursor = cursor
        self._with_values = with_values
        self._chunk: List[Any] = []
        self._pending: Iterator[Any] = iter(self._chunk)
        # The chunk buffer Java writes into (ScanCursor.fill), made on the first fetch.
        self._buffer: Optional[bytearray] = None
        self._direct: Any = None
        self._finalizer = weakref.finalize(self, _close_cursor, cursor)

    def __iter__(self) -> Iterator[Any]:
        # Not self: a for loop then steps through a chunk's list iterator in C (itertools.chain), with no Python
        # frame per entry (__next__ per entry cost three times as much as a generator's ``yield from``; chain with
        # the struct unpacking below, 0.92x the thread CPU of the generator for 100,000 keys). The list iterator is
        # the one __next__ uses, so for loops and next() calls on one scan can be mixed.
        return itertools.chain.from_iterable(self._chunks())

    def _chunks(self) -> Iterator[Iterator[Any]]:
        while True:
            pending = self._pending
            yield pending
            # A next() call may have fetched the following chunk meanwhile: carry on with that one.
            if pending is self._pending and not self._fill():
                return

    def __next__(self) -> Any:
        for entry in self._pending:
            return entry
        if not self._fill():
            raise StopIteration
        return next(self._pending)

    def _fill(self) -> bool:
        """Fetches the next chunk into ``_pending``: one Java call (and one fork check) per chunk, which writes the
        chunk into this scan's buffer. False at the end of the scan or after close()."""
        if _jvm._forked:
            raise_forked()
        if not self._finalizer.alive:
            return False
        buffer = self._buffer
        if buffer is None:
            buffer = self._buffer = bytearray(_CHUNK_BUFFER_BYTES)
            self._direct = jpype.nio.convertToDirectBuffer(buffer)
        try:
            count = self._cursor.fill(self._direct, _CHUNK_ENTRIES)
            if count == _TOO_LARGE:
                # One entry larger than the buffer: it comes alone, as a Java array.
                chunk = bytes(self._cursor.next(1, _CHUNK_BUFFER_BYTES))
        except _JException as e:
            raise translate(e) from None
        if count == 0:
            self._finalizer.detach()  # the cursor closed itself at its end
            return False
        if count == _TOO_LARGE:
            self._chunk = _unpack(chunk, self._with_values)
        else:
            self._chunk = _unpack_filled(buffer, count, self._with_values)
        self._pending = iter(self._chunk)
        return True

    def close(self) -> None:
        """Releases the engine's iterator; later ``next()`` calls raise StopIteration. Harmless twice."""
        self._chunk.clear()  # also ends a for loop's pass over the current chunk
        self._pending = iter(())
        self._finalizer()

    def __enter__(self) -> "Scan":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()


def _close_cursor(cursor: Any) -> None:
    """Releases a scan's engine iterator, unless in a fork() child: the iterator belongs to the parent's JVM, and
    a call into the JVM there may wait forever (this also runs at a child's exit, for the scans still open)."""
    if not _jvm._forked:
        cursor.close()


_JAVA_LONG_MAX = 2 ** 63 - 1
"""The largest scan limit: ScanCursor takes it as a Java long."""
_CHUNK_ENTRIES = 4096
"""Entries per crossing into Java during a scan: large enough that the crossing costs little per entry."""
_CHUNK_BUFFER_BYTES = 256 << 10
"""A scan's chunk buffer (ScanCursor.fill): the lengths of a full chunk with values take 32 KiB of it, so 4,096 keys of
up to 54 bytes fit, and 1,900 entries of 16-byte keys and 100-byte values; fewer of larger ones."""
_TOO_LARGE = -1
"""ScanCursor.TOO_LARGE: the next entry alone does not fit the buffer."""


def _unpack(chunk: bytes, with_values: bool) -> List[Any]:
    """The entries of one ScanCursor chunk (layout in ScanCursor.java): keys, or (key, value) tuples."""
    count = int.from_bytes(chunk[:4], "little")
    body = 4 + 4 * count * (2 if with_values else 1)
    entries = _unpack_parts(chunk, count, body, with_values)
    return entries


def _unpack_filled(buffer: bytearray, count: int, with_values: bool) -> List[Any]:
    """The entries ScanCursor.fill wrote into ``buffer``: its bytes start after room for a full chunk's lengths."""
    return _unpack_parts(buffer, count, 4 + 4 * _CHUNK_ENTRIES * (2 if with_values else 1), with_values)


_last_struct: Tuple[bytes, struct.Struct] = (b"", struct.Struct(""))
"""The struct of the last chunk unpacked, under the bytes of its lengths: the next chunk of a scan over keys (and
values) of fixed sizes has the same lengths, and building the format of 4,096 parts and compiling it cost 250 µs,
more than unpacking a chunk with it (160 µs). One entry, replaced as a whole (a tuple), so threads can share it."""


def _unpack_parts(chunk: Union[bytes, bytearray], count: int, body: int, with_values: bool) -> List[Any]:
    """The entries of a chunk whose parts' lengths follow its count and whose bytes start at ``body``."""
    global _last_struct
    raw = bytes(chunk[4:4 + 4 * count * (2 if with_values else 1)])
    last = _last_struct
    if last[0] == raw:
        unpacker = last[1]
        total = body + unpacker.size
    else:
        lengths = array("i")
        lengths.frombytes(raw)
        if sys.byteorder != "little":
            lengths.byteswap()
        # One struct format of "<n>s" per part, unpacked in C: 38 ns an entry where slicing in a Python loop took 52
        # (chunks of 4,096 keys of 16 bytes). A Struct object of its own, not struct.unpack_from, whose cache would
        # keep up to 100 of these large one-use formats alive.
        unpacker = struct.Struct(("%ds" * len(lengths)) % tuple(lengths))
        _last_struct = (raw, unpacker)
        total = body + unpacker.size
    if total > len(chunk) or (type(chunk) is bytes and total != len(chunk)):
        raise AssertionError(f"scan chunk of {len(chunk)} bytes holds {total}")
    parts = unpacker.unpack_from(chunk, body)
    if not with_values:
        return list(parts)
    # Pairs from one iterator zipped with itself: no two slices of the parts (each a tuple of 2 * count references).
    pairs = iter(parts)
    return list(zip(pairs, pairs))


def _under(key: object, prefix: Optional[Bytes]) -> bool:
    return prefix is None or to_bytes(key, "key").startswith(to_bytes(prefix, "prefix"))


def _count(db: "FerrumDB", prefix: Optional[Bytes]) -> int:
    if prefix is None:
        return len(db)
    return sum(1 for _ in db.iterator(prefix=prefix, include_value=False))


# The views of keys(), values() and items(): each iteration runs a fresh lazy scan, optionally under a prefix.

class KeysView(collections.abc.KeysView):  # type: ignore[type-arg]
    """The live keys of a database (optionally under a prefix), in key order, scanned lazily."""

    __slots__ = ("_prefix",)

    def __init__(self, db: "FerrumDB", prefix: Optional[Bytes] = None) -> None:
        super().__init__(db)
        self._prefix = prefix

    def __iter__(self) -> Iterator[bytes]:
        return self._mapping.iterator(prefix=self._prefix, include_value=False)  # type: ignore[no-any-return]

    def __reversed__(self) -> Iterator[bytes]:
        return self._mapping.iterator(prefix=self._prefix, include_value=False,  # type: ignore[no-any-return]
                                      reverse=True)

    def __len__(self) -> int:
        return _count(self._mapping, self._prefix)

    def __contains__(self, key: object) -> bool:
        return _under(key, self._prefix) and key in self._mapping


class ValuesView(collections.abc.ValuesView):  # type: ignore[type-arg]
    """The values of a database (optionally under a prefix), in key order, scanned lazily."""

    __slots__ = ("_prefix",)

    def __init__(self, db: "FerrumDB", prefix: Optional[Bytes] = None) -> None:
        super().__init__(db)
        self._prefix = prefix

    def __iter__(self) -> Iterator[bytes]:
        return (value for _, value in self._mapping.iterator(prefix=self._prefix))

    def __reversed__(self) -> Iterator[bytes]:
        return (value for _, value in self._mapping.iterator(prefix=self._prefix, reverse=True))

    def __len__(self) -> int:
        return _count(self._mapping, self._prefix)


class ItemsView(collections.abc.ItemsView):  # type: ignore[type-arg]
    """The ``(key, value)`` pairs of a database (optionally under a prefix), in key order, scanned lazily."""

    __slots__ = ("_prefix",)

    def __init__(self, db: "FerrumDB", prefix: Optional[Bytes] = None) -> None:
        super().__init__(db)
        self._prefix = prefix

    def __iter__(self) -> Iterator[Tuple[bytes, bytes]]:
        return self._mapping.iterator(prefix=self._prefix)  # type: ignore[no-any-return]

    def __reversed__(self) -> Iterator[Tuple[bytes, bytes]]:
        return self._mapping.iterator(prefix=self._prefix, reverse=True)  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return _count(self._mapping, self._prefix)

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        key, value = item
        return _under(key, self._prefix) and self._mapping.get(key) == to_bytes(value, "value")


_CLEAR_BATCH = 1000
"""Keys deleted per atomic batch by :meth:`FerrumDB.clear`, as the CLI's import and Studio's bulk delete write."""

_READER_KEY_BYTES = 4 << 10
"""Keys up to this length go to Java through the thread's DirectReader; longer ones (rare) as a byte[]."""
_READER_VALUE_BYTES = 64 << 10
"""Values up to this length come back through the thread's DirectReader; a longer one is read again as a byte[]."""


_NOT_READ = object()
"""What a reader function returns when it cannot serve the call (see _reader_of); the caller then uses a byte[]."""


def _reader_of(java_db: Any) -> Callable[[bytes, bool], Any]:
    """One thread's point reads of one database (see DirectReader.java): ``lookup(key, want_value)``. The key is
    copied into a bytearray Java reads as a direct buffer and its length into a small one beside it; one call into
    Java with no argument and no result; the value's length is read back from the small buffer and the value from
    a third. With ``want_value`` it returns the value or None when absent, else whether the key is there (a get
    and an ``in``: one function, with a flag rather than a wrapper per kind, because a Python call is a measurable
    share of either). It returns _NOT_READ for a key or value too long for the buffers, and when it interrupted
    another call of this reader
    (a signal handler or a finalizer run by the garbage collector calling get), whose buffers are left alone.

    Closures over local variables rather than an object's attributes: what they reach per call costs a cell read,
    not an attribute lookup (measured with the rest of this change: see docs/benchmarks.md, issue 22, session 5).
    """
    key_buffer = bytearray(_READER_KEY_BYTES)
    value_buffer = bytearray(_READER_VALUE_BYTES)
    lengths_buffer = bytearray(8)
    direct = jpype.nio.convertToDirectBuffer
    reader = jclass(_DIRECT_READER)(java_db, direct(key_buffer), direct(value_buffer), direct(lengths_buffer))
    read = reader.read
    contains_key = reader.containsKey
    key = memoryview(key_buffer)
    value = memoryview(value_buffer)
    lengths = memoryview(lengths_buffer).cast("i")  # [key length, result], in the platform's byte order as in Java
    busy = False

    def lookup(k: bytes, want_value: bool) -> Any:
        nonlocal busy
        n = len(k)
        if busy or n > _READER_KEY_BYTES:
            return _NOT_READ
        busy = True
        try:
            key[:n] = k
            lengths[0] = n
            if not want_value:
                return contains_key()
            read()
            length = lengths[1]
            if length < 0:
                return None
            return value[:length].tobytes() if length <= _READER_VALUE_BYTES else _NOT_READ
        finally:
            busy = False

    # The bytearrays live as long as the closure (whose cells hold their memoryviews): the Java reader, which
    # reads and writes their memory, is reachable only through the closure too.
    return lookup


class FerrumDB(collections.abc.MutableMapping):  # type: ignore[type-arg]
    """An open FerrumDB database. Get one with :func:`ferrumdb.open`; close it with :meth:`close` or a
    ``with`` block (a handle dropped while open is closed by the garbage collector, with a ResourceWarning).
    Thread-safe: the engine is, and JPype releases the GIL while Java runs. Not usable in a ``fork()`` child:
    see the README.

    A ``collections.abc.MutableMapping``: ``db[k]``, ``db[k] = v``, ``del db[k]``, ``k in db``, ``len(db)``,
    ``get(k, default)``, ``pop``, ``setdefault``, ``update``, ``keys()``, ``values()``, ``items()``; iteration
    is lazy and in key order. Keys and values are bytes, or str (stored as UTF-8). Reads return bytes.
    """

    __slots__ = ("_db", "_get", "_put", "_contains", "_readers", "_finalizer", "__weakref__")

    def __init__(self, java_db: Any) -> None:
        """Wraps an open Java ``io.ferrumdb.FerrumDB``; use :func:`ferrumdb.open` instead."""
        if isinstance(java_db, (str, bytes, os.PathLike)):
            # FerrumDB("dir"), as plyvel.DB("dir") is written: say what opens one, not "'str' object has no
            # attribute 'get'".
            raise TypeError("FerrumDB is not opened by its constructor: use ferrumdb.open(path, ...)")
        self._db = java_db
        # Bound Java methods, looked up once: the hot calls below skip JPype's attribute lookup, and get/put
        # skip the java_errors wrapper (same translation, inlined), each a measurable share of a call.
        self._get = java_db.get
        self._put = java_db.put
        self._contains = java_db.contains
        # Each thread's reader (_reader_of), made on its first get or `in`: a reader's buffers cannot be shared
        # between threads.
        self._readers = threading.local()
        self._finalizer = close_when_dropped(self, java_db, f"ferrumdb.FerrumDB {self.path!r}")

    def put(self, key: Bytes, value: Bytes, ttl: Optional[Seconds] = None) -> None:
        """Stores ``value`` under ``key``; durable when it returns under ``fsync="always"``.

        Args:
            ttl: seconds (or a timedelta, at most 100 years) after which the key expires; None keeps it until
                deleted.
        """
        if _jvm._forked:
            raise_forked()
        k = key if type(key) is bytes else to_bytes(key, "key")
        v = value if type(value) is bytes else to_bytes(value, "value")
        try:
            if ttl is None:
                self._put(k, v)
            else:
                self._put(k, v, _duration(ttl))
        except _JException as e:
            raise translate(e) from None

    def _reader(self) -> Callable[[bytes, bool], Any]:
        """Makes this thread's reader (on the thread's first get or ``in``)."""
        lookup = self._readers.lookup = _reader_of(self._db)
        return lookup

    def get(self, key: Bytes, default: Any = None) -> Any:
        """The value of ``key``, or ``default`` when it is absent or expired."""
        if _jvm._forked:
            raise_forked()
        k = key if type(key) is bytes else to_bytes(key, "key")
        try:
            try:
                value = self._readers.lookup(k, True)
            except AttributeError:
                value = self._reader()(k, True)
            if value is _NOT_READ:
                # A long key or value (read again), or a reader in use: the value as a byte[].
                value = self._get(k)
                return default if value is None else bytes(value)
        except _JException as e:
            raise translate(e) from None
        return default if value is None else value

    @java_errors
    def delete(self, key: Bytes) -> bool:
        """Deletes ``key``; True when a live key was removed, False when there was none."""
        return bool(self._db.delete(to_bytes(key, "key")))

    def __contains__(self, key: object) -> bool:
        if _jvm._forked:
            raise_forked()
        k = key if type(key) is bytes else to_bytes(key, "key")
        try:
            try:
                found = self._readers.lookup(k, False)
            except AttributeError:
                found = self._reader()(k, False)
            return bool(self._contains(k)) if found is _NOT_READ else bool(found)
        except _JException as e:
            raise translate(e) from None

    @java_errors
    def __len__(self) -> int:
        return int(self._db.size())

    @java_errors
    def iterator(self, *, prefix: Optional[Bytes] = None, start: Optional[Bytes] = None,
                 stop: Optional[Bytes] = None, reverse: bool = False, limit: Optional[int] = None,
                 include_value: bool = True) -> Scan:
        """A lazy scan in unsigned byte order of the keys (UTF-8 strings sort by code point), as plyvel's
        ``iterator``: ``(key, value)`` tuples, or keys with ``include_value=False``.

        Args:
            prefix: only keys starting with it (not combined with start or stop).
            start: the first key (inclusive); stop: the end (exclusive).
            reverse: descending order.
            limit: at most this many entries.
        """
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)):
            raise TypeError(f"limit must be an int, got {type(limit).__name__}")
        if limit is not None and limit > _JAVA_LONG_MAX:
            raise InvalidArgumentError(f"limit must be at most {_JAVA_LONG_MAX}, got {limit}")
        if limit is not None and limit < 0:  # here, because -1 is ScanCursor's "no limit"
            raise InvalidArgumentError(f"limit must be zero or more, got {limit}")

        def bound(value: Optional[Bytes], what: str) -> Optional[bytes]:
            return None if value is None else to_bytes(value, what)

        cursor = jclass(_SCAN_CURSOR)(self._db, bound(prefix, "prefix"), bound(start, "start"),
                                      bound(stop, "stop"), bool(reverse), -1 if limit is None else limit,
                                      bool(include_value))
        return Scan(cursor, bool(include_value))

    def keys(self, prefix: Optional[Bytes] = None) -> KeysView:  # type: ignore[override]
        """The live keys in key order, optionally only those starting with ``prefix``: a lazy view."""
        return KeysView(self, prefix)

    def values(self, prefix: Optional[Bytes] = None) -> ValuesView:  # type: ignore[override]
        """The values in key order, optionally only under ``prefix``: a lazy view."""
        return ValuesView(self, prefix)

    def items(self, prefix: Optional[Bytes] = None) -> ItemsView:  # type: ignore[override]
        """The ``(key, value)`` pairs in key order, optionally only under ``prefix``: a lazy view."""
        return ItemsView(self, prefix)

    def __iter__(self) -> Iterator[bytes]:
        """Iterates lazily over the keys, in key order."""
        return self.iterator(include_value=False)

    def __reversed__(self) -> Iterator[bytes]:
        """Iterates lazily over the keys in descending key order, as ``reversed()`` of a dict runs backwards."""
        return self.iterator(include_value=False, reverse=True)

    def __getitem__(self, key: Bytes) -> bytes:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value  # type: ignore[no-any-return]

    def __setitem__(self, key: Bytes, value: Bytes) -> None:
        self.put(key, value)

    def __delitem__(self, key: Bytes) -> None:
        if not self.delete(key):
            raise KeyError(key)

    def popitem(self) -> Tuple[bytes, bytes]:
        """Removes and returns the first ``(key, value)`` pair in key order; KeyError when the database is empty.
        (MutableMapping's own popitem left its scan open until the garbage collector closed it.)"""
        while True:
            with self.iterator(limit=1) as first:
                entry = next(first, None)
            if entry is None:
                raise KeyError("popitem(): the database is empty")
            if self.delete(entry[0]):  # else another thread deleted it first: take the next one
                return entry  # type: ignore[no-any-return]

    def clear(self) -> None:
        """Deletes every key: one scan of the keys, deleted in atomic batches of 1,000. MutableMapping's own clear
        pops one item at a time, each with a fresh scan fetching a chunk of up to 4,096 keys: 5,000 keys took 8 s.
        Keys written while it runs may stay, as with any scan (see :meth:`iterator`)."""
        with self.iterator(include_value=False) as keys:
            for chunk in iter(lambda: list(itertools.islice(keys, _CLEAR_BATCH)), []):
                with self.write_batch() as batch:
                    for key in chunk:
                        batch.delete(key)

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise refuse_pickle("ferrumdb.FerrumDB")

    def write_batch(self) -> WriteBatch:
        """A new :class:`WriteBatch` for this database, to be used as a context manager::

            with db.write_batch() as batch:
                batch.put("a", "1")
                batch.delete("b")
            # both applied here, atomically

        Raises:
            DatabaseClosedError: the database is closed (here, before the block's work, not when it ends).
        """
        if _jvm._forked:
            raise_forked()
        if self.closed:
            raise DatabaseClosedError(f"database {self.path} is closed")
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
        self._finalizer.detach()
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
