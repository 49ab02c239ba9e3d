"""JSON text for the Java side, refusing what JSON cannot hold by name and path."""

from __future__ import annotations

import json
import math
import re
from typing import Any, Optional, Tuple

from .errors import InvalidArgumentError

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def _field_path(path: str, key: Any) -> str:
    """``path`` extended by a dict's ``key``: ``.key``, or ``["key"]`` for a key that is not an identifier (the
    Node.js binding's notation)."""
    name = key if isinstance(key, str) else str(key)
    if not _IDENTIFIER.fullmatch(name):
        return f"{path}[{json.dumps(name)}]"
    return f"{path}.{name}" if path else name


def _non_finite_at(value: Any, path: str, seen: Tuple[int, ...] = ()) -> Optional[Tuple[str, str]]:
    """Where in ``value`` a NaN or infinite float is: ``(number, path)`` with a path like ``a.b[2]`` ('' for
    ``value`` itself), or None. ``seen`` holds the containers on the way down: a cycle is json's to report."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN", path
        return None if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity", path)
    if id(value) in seen:
        return None
    if isinstance(value, dict):
        items = ((_field_path(path, k), v) for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    for where, v in items:
        found = _non_finite_at(v, where, seen + (id(value),))
        if found:
            return found
    return None


def json_text(value: Any, subject: str) -> str:
    """``value`` as JSON text, or an error starting with ``subject`` that says why JSON cannot hold it:
    InvalidArgumentError naming the path of a NaN or infinite float (JSON has none; Jackson refuses json's
    ``NaN``), or of a cycle, TypeError for a value of another type (a set, bytes)."""
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError as e:
        found = _non_finite_at(value, "")
        if found is None:  # a cycle
            raise InvalidArgumentError(f"{subject} cannot be written as JSON: {e}") from None
        number, path = found
        where = f" at {path}" if path else ""
        raise InvalidArgumentError(f"{subject} cannot be written as JSON: {number}{where}; JSON has no NaN or "
                                   "Infinity") from None
    except TypeError as e:
        raise TypeError(f"{subject} cannot be written as JSON: {e}") from None
