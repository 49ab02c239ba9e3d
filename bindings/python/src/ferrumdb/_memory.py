"""Agent memory: remember, recall and forget over io.ferrumdb.memory.AgentMemory, the implementation the MCP
server (`ferrumdb mcp`) uses, so that in-process agents get the same ranking, limits and errors."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

from ._db import FerrumDB
from ._json import json_text
from ._jvm import java_errors, jclass

Memory = Dict[str, Any]
"""A recalled memory: ``id, namespace, text, tags, metadata, score, created_at`` and ``expires_at`` if any."""

_BRIDGE = "io.ferrumdb.bindings.MemoryBridge"


def _request(**fields: Any) -> str:
    """The JSON request of the fields given (None leaves one out), or an error naming the first field JSON cannot
    hold (and the path inside it): InvalidArgumentError for a NaN or infinite number, TypeError for a value of
    another type."""
    members = []
    for name, value in fields.items():
        if value is None:
            continue
        members.append(f"{json.dumps(name)}: {json_text(value, f'{name}:')}")
    return "{" + ", ".join(members) + "}"


def _strings(value: Optional[Sequence[str]], what: str) -> Optional[List[str]]:
    """``value`` as a list, refusing a lone str (which list() would split into its characters)."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{what} must be a list of str, not a single {type(value).__name__}")
    return None if value is None else list(value)


class AgentMemory:
    """Durable agent memory in an open :class:`FerrumDB`; get one with :func:`ferrumdb.agent_memory`.

    Invalid arguments (blank text, a namespace with other characters than ``A-Z a-z 0-9 . _ -``, a limit above
    100, ...) raise :class:`ferrumdb.InvalidArgumentError` naming the argument.
    """

    __slots__ = ("_bridge",)

    def __init__(self, db: FerrumDB) -> None:
        self._bridge = java_errors(jclass(_BRIDGE).on)(db._db)

    @java_errors
    def remember(self, text: str, *, namespace: Optional[str] = None, tags: Optional[Sequence[str]] = None,
                 ttl: Optional[float] = None, metadata: Optional[Dict[str, Any]] = None,
                 vector: Optional[Sequence[float]] = None) -> Dict[str, Any]:
        """Stores a memory durably; returns ``{"id", "namespace", "created_at"}`` (and ``"expires_at"`` with a
        ``ttl`` in seconds)."""
        return json.loads(str(self._bridge.remember(_request(
            text=text, namespace=namespace, tags=_strings(tags, "tags"), ttl_seconds=ttl,
            metadata=metadata, vector=None if vector is None else list(vector)))))

    @java_errors
    def recall(self, query: Optional[str] = None, *, namespace: Optional[str] = None,
               tags: Optional[Sequence[str]] = None, limit: Optional[int] = None, since: Optional[str] = None,
               vector: Optional[Sequence[float]] = None) -> List[Memory]:
        """The memories best matching ``query`` (BM25, newer first on ties), or the newest without a query;
        ``tags`` must all match exactly; ``since`` is an ISO-8601 instant."""
        found = json.loads(str(self._bridge.recall(_request(
            query=query, namespace=namespace, tags=_strings(tags, "tags"), limit=limit, since=since,
            vector=None if vector is None else list(vector)))))
        return found["memories"]

    @java_errors
    def forget(self, id: Optional[str] = None, *, namespace: Optional[str] = None,
               tags: Optional[Sequence[str]] = None) -> int:
        """Forgets the memory ``id``, or every memory carrying all ``tags``; returns how many were forgotten."""
        return int(json.loads(str(self._bridge.forget(_request(
            id=id, namespace=namespace, tags=_strings(tags, "tags")))))["forgotten"])


def agent_memory(db: FerrumDB) -> AgentMemory:
    """Agent memory (remember, recall, forget) kept in ``db``, next to its other keys."""
    return AgentMemory(db)
