"""Starting the JVM with the bundled jar, looking up Java classes, guarding against use after fork(), and
turning Java exceptions into ferrumdb errors."""

from __future__ import annotations

import functools
import os
import shlex
import signal
import threading
import warnings
import weakref
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Type, TypeVar

import jpype
import jpype.config

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

BUNDLED_JAR = Path(__file__).resolve().parent / "jars" / "ferrumdb-bindings.jar"
JAR_VARIABLE = "FERRUMDB_JAR"
"""Environment variable: a FerrumDB bindings jar to use instead of the bundled one (e.g. a fresh engine build)."""
JVM_OPTIONS_VARIABLE = "FERRUMDB_JVM_OPTIONS"
"""Environment variable: JVM options, separated by spaces (e.g. "-Xmx2g"), read when the JVM starts."""

# Debian's python3-jpype keeps JPype's own support jar in /usr/share/java instead of next to the native module,
# and JPype 1.4 does not look there once a class path is given, so it is passed explicitly.
_JPYPE_SUPPORT_JARS = (
    Path(jpype.__file__).resolve().parent.parent / "org.jpype.jar",
    Path("/usr/share/java/org.jpype.jar"),
)

_start_lock = threading.Lock()
_ready = False
_classes: Dict[str, Any] = {}
# The process that started the JVM; a different os.getpid() means a fork() child, where the JVM's threads do not
# exist any more and any call into Java would hang.
_jvm_pid: Optional[int] = None


def jar_path() -> Path:
    """The jar the JVM loads: $FERRUMDB_JAR when set, else the one bundled in this package."""
    override = os.environ.get(JAR_VARIABLE)
    return Path(override) if override else BUNDLED_JAR


def _note_fork_in_child() -> None:
    global _forked
    if _jvm_pid is not None:
        _forked = True
        # JPype shuts the JVM down at exit (an atexit hook), which in a fork() child waits forever for the parent's
        # JVM threads, absent here: a child that ended by sys.exit() or by returning never exited.
        jpype.config.onexit = False
        # The JVM's handlers of these signals hand them to a JVM thread, absent here too, so the child ignored them
        # (multiprocessing's Pool.terminate() sends SIGTERM, and waited forever): Python's own dispositions again.
        for signum in _JVM_SIGNALS:
            handler = signal.getsignal(signum)
            if handler is not None:  # None: set outside Python, nothing to restore
                signal.signal(signum, handler)


_JVM_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGINT")
                     if hasattr(signal, name))
"""The signals the JVM handles itself (shutdown hooks, thread dumps)."""


# os.fork(), multiprocessing's "fork" start method and subprocess's preexec_fn all run the at-fork hooks, so the
# flag is set in every child a Python program forks: the hot paths (get, put, `in`, a scan's next chunk) test the flag
# instead of calling os.getpid(), a system call that costs microseconds on some kernels and sandboxes.
_forked = False
if hasattr(os, "register_at_fork"):  # absent where there is no fork() (Windows)
    os.register_at_fork(after_in_child=_note_fork_in_child)


def check_not_forked() -> None:
    """Raises FerrumError in a fork() child of a process that started the JVM (instead of hanging)."""
    if _forked or (_jvm_pid is not None and _jvm_pid != os.getpid()):
        raise_forked()


def raise_forked() -> None:
    """Raises the FerrumError for a call made in a fork() child; see :func:`check_not_forked`."""
    raise FerrumError(
        f"FerrumDB cannot be used in this process ({os.getpid()}): it was forked from process {_jvm_pid} "
        "after the Java engine started there, and the engine's threads do not survive fork(). Start worker "
        "processes with multiprocessing's \"spawn\" method (multiprocessing.set_start_method(\"spawn\")) "
        "and open the database in the worker, or share one database through `ferrumdb serve`. Leave this "
        "process with os._exit().")


def _ensure_started() -> None:
    global _ready, _jvm_pid
    check_not_forked()
    with _start_lock:
        if _ready:
            return
        jar = jar_path()
        if not jar.is_file():
            source = f"${JAR_VARIABLE}" if os.environ.get(JAR_VARIABLE) else "this package"
            raise FerrumError(
                f"the FerrumDB jar is missing at {jar} (from {source}); reinstall the package built by "
                f"bindings/package.sh, or point ${JAR_VARIABLE} at a ferrumdb-bindings.jar")
        if jpype.isJVMStarted():
            # Someone else (the application, or an earlier import) started the JVM: JPype's class loader
            # can still take the jar.
            jpype.addClassPath(str(jar))
        else:
            classpath = [str(p) for p in _JPYPE_SUPPORT_JARS if p.is_file()][:1] + [str(jar)]
            options = shlex.split(os.environ.get(JVM_OPTIONS_VARIABLE, ""))
            # interrupt=False: Ctrl-C goes to Python (KeyboardInterrupt, so finally blocks run) instead of
            # halting the process from the JVM's signal handler.
            try:
                jpype.startJVM(*options, classpath=classpath, convertStrings=False, interrupt=False)
            except Exception as e:  # JPype's RuntimeError("Unable to start JVM"), or no Java runtime found
                setting = os.environ.get(JVM_OPTIONS_VARIABLE)
                raise FerrumError(
                    f"could not start the Java VM ({e}); check ${JVM_OPTIONS_VARIABLE} "
                    f"({'not set' if setting is None else repr(setting)}) and that a Java 17+ runtime is "
                    "installed") from e
        _jvm_pid = os.getpid()
        _ready = True


def jclass(name: str) -> Any:
    """The Java class ``name`` (cached), starting the JVM on first use. Every Java class the package uses is
    looked up here."""
    if _forked:
        raise_forked()
    cls = _classes.get(name)
    if cls is None:
        _ensure_started()
        cls = jpype.JClass(name)
        _classes[name] = cls
    return cls


def close_when_dropped(owner: object, java_handle: Any, what: str) -> "weakref.finalize":
    """A finalizer that closes ``java_handle`` with a ResourceWarning if ``owner`` is garbage collected while
    still open; the owner detaches it when it is closed explicitly."""
    return weakref.finalize(owner, _close_dropped, java_handle, what)


def _close_dropped(java_handle: Any, what: str) -> None:
    if _jvm_pid != os.getpid():
        return  # a fork() child: the handle belongs to the parent's JVM
    warnings.warn(f"unclosed {what}; close it or open it in a with block", ResourceWarning, stacklevel=2)
    try:
        java_handle.close()
    except jpype.JException as e:
        # A finalizer cannot raise: say what failed instead of losing it.
        warnings.warn(f"closing dropped {what} failed: {translate(e)}", RuntimeWarning, stacklevel=2)


_PROBLEM_WORDING = "io.ferrumdb.ProblemWording"

_BY_JAVA_CLASS: Dict[str, Type[FerrumError]] = {
    "io.ferrumdb.DatabaseLockedException": DatabaseLockedError,
    "io.ferrumdb.DatabaseClosedException": DatabaseClosedError,
    "io.ferrumdb.DatabaseNotFoundException": DatabaseNotFoundError,
    "io.ferrumdb.NotADatabaseException": NotADatabaseError,
    "io.ferrumdb.CorruptionException": CorruptionError,
    "io.ferrumdb.EncryptionKeyException": EncryptionKeyError,
    "io.ferrumdb.ReadOnlyDatabaseException": ReadOnlyDatabaseError,
    "io.ferrumdb.FormatVersionException": FormatVersionError,
    "io.ferrumdb.doc.UniqueIndexViolationException": UniqueIndexViolationError,
    "io.ferrumdb.FerrumException": FerrumError,
    "java.lang.IllegalArgumentException": InvalidArgumentError,
}


def translate(exc: Any) -> FerrumError:
    """The ferrumdb error for a Java exception: the nearest mapped class up its class hierarchy, matched by
    name so that exception classes this jar does not have yet (e.g. encryption) need no import. The message is
    worded as every FerrumDB front end words it (ProblemWording: the file and what happened to it, no Java class
    names); the Java class stays in ``java_class`` for bug reports."""
    java_class = str(exc.getClass().getName())
    text = str(jclass(_PROBLEM_WORDING).describe(exc))
    cls: Any = exc.getClass()
    error_type: Type[FerrumError] = FerrumError
    while cls is not None:
        mapped = _BY_JAVA_CLASS.get(str(cls.getName()))
        if mapped is not None:
            error_type = mapped
            break
        cls = cls.getSuperclass()
    if error_type is CorruptionError:
        file = exc.file()
        return CorruptionError(text, java_class, None if file is None else str(file.toString()),
                               int(exc.offset()))
    return error_type(text, java_class)


F = TypeVar("F", bound=Callable[..., Any])


def java_errors(func: F) -> F:
    """Decorates a method so that a Java exception leaves it as a ferrumdb error, without the Java trace."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _forked:
            raise_forked()
        try:
            return func(*args, **kwargs)
        except jpype.JException as e:
            raise translate(e) from None

    return wrapper  # type: ignore[return-value]


def to_bytes(value: Any, what: str) -> bytes:
    """``value`` as bytes: str is encoded as UTF-8; bytes, bytearray and memoryview are taken as they are."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return encode_text(value, what)
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, got {type(value).__name__}")


def encode_text(text: str, what: str) -> bytes:
    """``text`` as UTF-8, or InvalidArgumentError naming ``what`` when it holds a lone surrogate (from a
    surrogateescape decoding, or "\\ud800" written out), which UTF-8 cannot encode."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidArgumentError(
            f"{what} is not well-formed text: the lone surrogate {text[e.start]!r} at index {e.start} has no "
            "UTF-8 encoding") from None


def refuse_pickle(what: str) -> TypeError:
    """The error for pickling (or copying) a handle, worded as sqlite3's: without it pickle reached JPype's Java
    object and said "import of module 'io.ferrumdb' failed"."""
    return TypeError(f"cannot pickle '{what}' object: a database handle belongs to its process; open the database "
                     "where it is needed (one writer at a time)")


def check_passphrase(passphrase: Optional[str]) -> Optional[str]:
    """``passphrase`` after checking it is None or a str that UTF-8 can encode."""
    if passphrase is not None:
        if not isinstance(passphrase, str):
            raise TypeError(f"passphrase must be str, got {type(passphrase).__name__}")
        encode_text(passphrase, "passphrase")
    return passphrase
