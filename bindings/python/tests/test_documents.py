"""The document API of the Python binding, through its public names only."""

from __future__ import annotations

import tempfile
import time
import unittest
from pathlib import Path
from typing import Any, Dict

import ferrumdb


class DocumentsTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self._tmp.name) / "docs"

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def test_put_get_delete_survive_reopen(self) -> None:
        doc = {"text": "café ☕ 😀", "n": 12345678901234567890, "x": 0.1, "ok": True, "none": None,
               "tags": ["a", "b"], "nested": {"k": [1, {"deep": "v"}]}}
        with ferrumdb.open_documents(self.dir) as store:
            notes = store.collection("notes")
            notes.put("n1", doc)
            notes.put("ñ2 😀", {"text": "second"})
            self.assertTrue(notes.delete("ñ2 😀"))
            self.assertFalse(notes.delete("ñ2 😀"))
        with ferrumdb.open_documents(str(self.dir)) as store:
            self.assertEqual(store.collections(), ["notes"])
            notes = store.collection("notes")
            self.assertEqual(notes.get("n1"), {"_id": "n1", **doc})
            self.assertIsNone(notes.get("ñ2 😀"))
            self.assertEqual(len(notes), 1)

    def test_embedded_id_must_match(self) -> None:
        with ferrumdb.open_documents(self.dir) as store:
            c = store.collection("c")
            c.put("a", {"_id": "a", "v": 1})
            self.assertEqual(c.get("a"), {"_id": "a", "v": 1})
            with self.assertRaisesRegex(ferrumdb.InvalidArgumentError, "differs from its id"):
                c.put("a", {"_id": "b"})

    def test_find_with_queries_sort_and_paging(self) -> None:
        with ferrumdb.open_documents(self.dir, fsync="never") as store:
            people = store.collection("people")
            people.create_index("age")
            people.put("ann", {"age": 31, "city": "Lisbon", "tags": ["ai", "art"]})
            people.put("bob", {"age": 17, "city": "Porto"})
            people.put("cid", {"age": 45, "city": "Lisbon"})
            adults = people.find({"city": "Lisbon", "age": {"$gte": 18}}, sort_by="age", descending=True)
            self.assertEqual([p["_id"] for p in adults], ["cid", "ann"])
            self.assertEqual(adults[1]["tags"], ["ai", "art"])
            self.assertEqual([p["_id"] for p in people.find()], ["ann", "bob", "cid"])
            self.assertEqual([p["_id"] for p in people.find({}, offset=1, limit=1)], ["bob"])
            self.assertEqual([p["_id"] for p in people.find({"$or": [{"tags": "ai"}, {"age": {"$lt": 18}}]})],
                             ["ann", "bob"])
            self.assertEqual([p["_id"] for p in people.find({"city": {"$startsWith": "Li"}, "$not": {"age": 45}})],
                             ["ann"])
            self.assertEqual(people.count({"tags": {"$exists": True}}), 1)
            self.assertEqual(people.count({"age": {"$in": [17, 45]}}), 2)
            # The syntax of Filter.parse, which the CLI, Studio and MCP take too: $between was missing before.
            self.assertEqual([p["_id"] for p in people.find({"age": {"$between": [17, 45]}})], ["ann", "bob"])
            with self.assertRaisesRegex(ferrumdb.InvalidArgumentError, r"dot path \('address.city'\)"):
                people.find({"address": {"city": "Lisbon"}})

    def test_unique_index(self) -> None:
        with ferrumdb.open_documents(self.dir) as store:
            users = store.collection("users")
            users.create_unique_index("email")
            users.put("u1", {"email": "a@example.com"})
            with self.assertRaises(ferrumdb.UniqueIndexViolationError) as caught:
                users.put("u2", {"email": "a@example.com"})
            self.assertIsInstance(caught.exception, ferrumdb.FerrumError)
            self.assertIsNone(users.get("u2"))
            self.assertTrue(users.drop_index("email"))
            users.put("u2", {"email": "a@example.com"})
            self.assertTrue(store.drop_collection("users"))
            self.assertEqual(store.collections(), [])

    def test_ttl(self) -> None:
        with ferrumdb.open_documents(self.dir) as store:
            c = store.collection("c")
            issued = time.monotonic()
            c.put("short", {"v": 1}, ttl=0.5)
            stored = time.monotonic()  # the engine took its clock between issued and stored
            document = c.get("short")
            if time.monotonic() - issued < 0.5:
                # Read within its life: on a busy machine the put alone may take longer.
                self.assertIsNotNone(document)
            time.sleep(max(0.0, stored + 0.7 - time.monotonic()))
            self.assertIsNone(c.get("short"))
            with self.assertRaises(ferrumdb.InvalidArgumentError):
                c.put("k", {}, ttl=-1)

    def test_bad_input_names_the_problem(self) -> None:
        with ferrumdb.open_documents(self.dir) as store:
            c = store.collection("c")
            with self.assertRaisesRegex(TypeError, "a document must be a dict, got list"):
                c.put("a", [1])  # type: ignore[arg-type]
            with self.assertRaisesRegex(TypeError, "id must be str, got int"):
                c.put(1, {})  # type: ignore[arg-type]
            # json writes NaN and the infinities as NaN, Infinity, which Jackson refuses naming no field.
            nan_refused = r"^the document cannot be written as JSON: NaN at x; JSON has no NaN or Infinity$"
            with self.assertRaisesRegex(ferrumdb.InvalidArgumentError, nan_refused):
                c.put("a", {"x": float("nan")})
            with self.assertRaisesRegex(ferrumdb.InvalidArgumentError, r": Infinity at a\.b\[2\];"):
                c.put("a", {"a": {"b": [1, None, float("inf")]}})
            with self.assertRaisesRegex(ferrumdb.InvalidArgumentError, r': -Infinity at \["x\.y"\]\[0\]\.z;'):
                c.put("a", {"x.y": ({"z": float("-inf")},)})
            with self.assertRaisesRegex(ferrumdb.InvalidArgumentError,
                                        r"^the query cannot be written as JSON: NaN at n\.\$gt;"):
                c.find({"n": {"$gt": float("nan")}})
            with self.assertRaisesRegex(ferrumdb.InvalidArgumentError, r"^the query .*: -Infinity at \$or\[0\]\.n;"):
                c.count({"$or": [{"n": float("-inf")}]})
            cyclic: Dict[str, Any] = {}
            cyclic["self"] = cyclic
            with self.assertRaisesRegex(ferrumdb.InvalidArgumentError, "^the document cannot be written as JSON: "
                                        "Circular reference"):
                c.put("a", cyclic)
            self.assertIsNone(c.get("a"))
            with self.assertRaisesRegex(TypeError, "^the document cannot be written as JSON: .* set"):
                c.put("a", {"x": {1}})
            with self.assertRaisesRegex(TypeError, "^the query cannot be written as JSON"):
                c.find({"x": b"bytes"})
            with self.assertRaisesRegex(ferrumdb.InvalidArgumentError, r"unknown operator '\$regex' on 'x'"):
                c.find({"x": {"$regex": "a"}})
            with self.assertRaisesRegex(TypeError, "a query must be a dict"):
                c.find([1])  # type: ignore[arg-type]

    def test_find_pages_only_by_offsets_and_limits_a_java_int_holds(self) -> None:
        with ferrumdb.open_documents(self.dir) as store:
            c = store.collection("c")
            c.put("a", {"n": 1})
            c.put("b", {"n": 2})
            # limit=-1 was read as "no limit", and 10**30 raised a bare OverflowError, before.
            for what, page in (("limit", {"limit": -1}), ("limit", {"limit": 10 ** 30}),
                               ("limit", {"limit": 2 ** 31}), ("offset", {"offset": -1})):
                with self.subTest(page=page), self.assertRaisesRegex(
                        ferrumdb.InvalidArgumentError, f"^{what} must be 0 to 2147483647, got "):
                    c.find(**page)
            with self.assertRaisesRegex(TypeError, "^limit must be an int, got str"):
                c.find(limit="2")  # type: ignore[arg-type]
            self.assertEqual([d["_id"] for d in c.find(offset=1, limit=2 ** 31 - 1)], ["b"])

    def test_encrypted_store(self) -> None:
        with ferrumdb.open_documents(self.dir, passphrase="pw") as store:
            store.collection("c").put("a", {"text": "hidden words"})
        stored = b"".join(p.read_bytes() for p in self.dir.iterdir() if p.is_file())
        self.assertNotIn(b"hidden words", stored)
        with self.assertRaises(ferrumdb.EncryptionKeyError):
            ferrumdb.open_documents(self.dir, passphrase="other")
        with ferrumdb.open_documents(self.dir, passphrase="pw", read_only=True) as store:
            self.assertEqual(store.collection("c").get("a"), {"_id": "a", "text": "hidden words"})

    def test_errors(self) -> None:
        store = ferrumdb.open_documents(self.dir)
        with self.assertRaises(ferrumdb.DatabaseLockedError):
            ferrumdb.open_documents(self.dir)
        c = store.collection("c")
        store.close()
        with self.assertRaises(ferrumdb.DatabaseClosedError):
            c.get("a")
        # Calls the store's in-memory catalog answered listed the collections, and handed out an existing one.
        for call in (store.collections, lambda: store.collection("c"), lambda: store.collection("new"),
                     store.sync, lambda: store.drop_collection("c")):
            with self.assertRaises(ferrumdb.DatabaseClosedError):
                call()


if __name__ == "__main__":
    unittest.main()
