"""Agent memory through the Python binding: the same Java implementation as `ferrumdb mcp`."""

import pytest

import ferrumdb


def test_remember_recall_forget(tmp_path):
    with ferrumdb.open(tmp_path / "db") as db:
        memory = ferrumdb.agent_memory(db)
        kept = memory.remember("Ingrid approves production deploys", tags=["process"], metadata={"src": "chat"})
        memory.remember("Staging runs in Frankfurt", namespace="ops", ttl=3600)
        assert kept["namespace"] == "default"
        found = memory.recall("who approves deploys")
        assert [m["id"] for m in found] == [kept["id"]]
        assert found[0]["tags"] == ["process"] and found[0]["metadata"] == {"src": "chat"}
        assert found[0]["score"] > 2
        assert memory.recall(namespace="ops")[0]["expires_at"]
        assert memory.forget(kept["id"]) == 1
        assert memory.recall("deploys") == []
    with ferrumdb.open(tmp_path / "db") as db:
        assert ferrumdb.agent_memory(db).recall("frankfurt", namespace="ops")[0]["text"] == "Staging runs in Frankfurt"


def test_invalid_arguments_name_the_field(tmp_path):
    with ferrumdb.open(tmp_path / "db") as db:
        memory = ferrumdb.agent_memory(db)
        with pytest.raises(ferrumdb.InvalidArgumentError, match="^text:"):
            memory.remember(" ")
        with pytest.raises(ferrumdb.InvalidArgumentError, match="^namespace:"):
            memory.remember("x", namespace="a/b")
        with pytest.raises(ferrumdb.InvalidArgumentError, match="^limit:"):
            memory.recall("x", limit=1_000_000)
        with pytest.raises(ferrumdb.InvalidArgumentError, match="^id:"):
            memory.forget()


def test_hostile_input_is_refused_naming_the_field(tmp_path):
    with ferrumdb.open(tmp_path / "db") as db:
        memory = ferrumdb.agent_memory(db)
        # A lone surrogate was stored as "?", and a str of tags split into one tag per character.
        with pytest.raises(ferrumdb.InvalidArgumentError, match="^text: is not valid Unicode text"):
            memory.remember("tea \ud800")
        with pytest.raises(ferrumdb.InvalidArgumentError, match=r"^tags\[0\]: is not valid Unicode text"):
            memory.remember("tea", tags=["\udfff"])
        with pytest.raises(ferrumdb.InvalidArgumentError, match="^query: is not valid Unicode text"):
            memory.recall("tea \udc00")
        with pytest.raises(TypeError, match="^tags must be a list of str, not a single str"):
            memory.remember("tea", tags="xyz")
        with pytest.raises(ferrumdb.InvalidArgumentError, match="^ttl_seconds: cannot be written as JSON"):
            memory.remember("tea", ttl=float("nan"))
        with pytest.raises(TypeError, match="^metadata: cannot be written as JSON"):
            memory.remember("tea", metadata={"a": {1}})
        with pytest.raises(ferrumdb.InvalidArgumentError,
                           match=r"^metadata: cannot be written as JSON: NaN at scores\[1\]; JSON has no NaN"):
            memory.remember("tea", metadata={"scores": [1.0, float("nan")]})
        assert memory.recall() == []
