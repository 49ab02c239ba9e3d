"""Starting the JVM with the bundled jar, and turning Java exceptions into ferrumdb errors."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Type, TypeVar

import jpype

from .errors import (
    CorruptionError,
    DatabaseClosedError,
    DatabaseLockedError,
    EncryptionKeyError,
    FerrumError,
    FormatVersionError,
    InvalidArgumentError,
    ReadOnlyDatabaseError,
    UniqueIndexViolationError,
)

JAR = Path(__file__).resolve().parent / "jars" / "ferrumdb-bindings.jar"

# Debian's python3-jpype keeps JPype's own support jar in /usr/share/java instead of next to the native module,
# and JPype 1.4 does not look there once a class path is given, so it is passed explicitly.
_JPYPE_SUPPORT_JARS = (
    Path(jpype.__file__).resolve().parent.parent / "org.jpype.jar",
    Path("/usr/share/java/org.jpype.jar"),
)

_start_lock = threading.Lock()
_ready = False
_classes: Dict[str, Any] = {}


def _ensure_started() -> None:
    global _ready
    with _start_lock:
        if _ready:
            return
        if not JAR.is_file():
            raise FerrumError(
                f"the FerrumDB jar is missing at {JAR}; build it with bindings/python/run-tests.sh "
                "(or mvn -pl ferrumdb-bindings-jar -am package) and copy it there")
        if jpype.isJVMStarted():
            # Someone else (the application, or an earlier import) started the JVM: JPype's class loader
            # can still take the jar.
            jpype.addClassPath(str(JAR))
        else:
            classpath = [str(p) for p in _JPYPE_SUPPORT_JARS if p.is_file()][:1] + [str(JAR)]
            jpype.startJVM(classpath=classpath, convertStrings=False)
        _ready = True


def jclass(name: str) -> Any:
    """The Java class ``name`` (cached), starting the JVM on first use."""
    cls = _classes.get(name)
    if cls is None:
        _ensure_started()
        cls = jpype.JClass(name)
        _classes[name] = cls
    return cls


_BY_JAVA_CLASS: Dict[str, Type[FerrumError]] = {
    "io.ferrumdb.DatabaseLockedException": DatabaseLockedError,
    "io.ferrumdb.DatabaseClosedException": DatabaseClosedError,
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
    name so that exception classes this jar does not have yet (e.g. encryption) need no import."""
    java_class = str(exc.getClass().getName())
    message = exc.getMessage()
    text = str(message) if message is not None else java_class
    cls: Any = exc.getClass()
    error_type: Type[FerrumError] = FerrumError
    while cls is not None:
        mapped = _BY_JAVA_CLASS.get(str(cls.getName()))
        if mapped is not None:
            error_type = mapped
            break
        cls = cls.getSuperclass()
    else:
        # Not an engine exception (e.g. an I/O failure the engine let through): keep the Java name visible.
        text = f"{java_class}: {text}"
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
        return value.encode("utf-8")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, got {type(value).__name__}")


def check_passphrase(passphrase: Optional[str]) -> Optional[str]:
    """``passphrase`` after checking it is None or a str."""
    if passphrase is not None and not isinstance(passphrase, str):
        raise TypeError(f"passphrase must be str, got {type(passphrase).__name__}")
    return passphrase
