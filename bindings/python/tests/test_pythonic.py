"""What Python developers expect of a database handle: MutableMapping, plyvel-style lazy iteration, Ctrl-C,
fork(), dropped handles, and the installed package's jar and JVM settings."""

from __future__ import annotations

import collections.abc
import gc
import os
import signal
import subprocess
import sys
import textwrap
import unittest
import warnings
from pathlib import Path

import ferrumdb
from test_kv import DbTestCase


def run_child(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          timeout=120, env=env)


class InstalledPackageTest(DbTestCase):
    def test_runs_from_the_installed_wheel_with_its_jar(self) -> None:
        package = Path(ferrumdb.__file__).resolve().parent
        self.assertTrue(package.is_relative_to(Path(sys.prefix).resolve()), package)
        self.assertTrue((package / "jars" / "ferrumdb-bindings.jar").is_file())
        self.assertTrue((package / "py.typed").is_file())

    def open_error_in_child(self, **env: str) -> str:
        """The FerrumError a child process with ``env`` added to its environment meets opening the database."""
        code = """
            import ferrumdb, sys
            try:
                ferrumdb.open(sys.argv[1])
            except ferrumdb.FerrumError as e:
                print(e)
        """
        result = run_child(code, str(self.dir), env=dict(os.environ, **env))
        self.assertTrue(result.stdout, result.stderr)
        return result.stdout

    def test_ferrumdb_jar_overrides_the_bundled_jar(self) -> None:
        error = self.open_error_in_child(FERRUMDB_JAR=str(Path(self._tmp.name) / "missing.jar"))
        self.assertIn("missing.jar (from $FERRUMDB_JAR)", error)

    def test_jvm_options_reach_the_jvm(self) -> None:
        code = """
            import ferrumdb, jpype, sys
            with ferrumdb.open(sys.argv[1]):
                print(jpype.JClass("java.lang.Runtime").getRuntime().maxMemory() // (1 << 20))
        """
        env = dict(os.environ, FERRUMDB_JVM_OPTIONS="-Xmx96m -Dferrumdb.test=1")
        result = run_child(code, str(self.dir), env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertLessEqual(int(result.stdout), 96)

    def test_jvm_options_the_jvm_refuses_are_a_ferrum_error_naming_the_setting(self) -> None:
        """Audit 27c: JPype's bare RuntimeError("Unable to start JVM") reached the caller."""
        error = self.open_error_in_child(FERRUMDB_JVM_OPTIONS="-Xmxbad")
        self.assertIn("could not start the Java VM", error)
        self.assertIn("check $FERRUMDB_JVM_OPTIONS ('-Xmxbad')", error)


class MutableMappingTest(DbTestCase):
    def test_is_a_mutable_mapping_with_its_methods(self) -> None:
        with ferrumdb.open(self.dir, fsync="never") as db:
            self.assertIsInstance(db, collections.abc.MutableMapping)
            db.update({"a": "1", "b": "2"}, c="3")
            self.assertEqual(db.get("a"), b"1")
            self.assertEqual(db.get("zz", b"default"), b"default")
            self.assertIsNone(db.get("zz"))
            self.assertEqual(db.setdefault("a", b"9"), b"1")
            self.assertEqual(db.setdefault("d", b"4"), b"4")
            self.assertEqual(db.pop("b"), b"2")
            self.assertEqual(db.pop("b", None), None)
            with self.assertRaises(KeyError):
                db.pop("b")
            self.assertEqual(list(db.items()), [(b"a", b"1"), (b"c", b"3"), (b"d", b"4")])
            self.assertEqual(list(db.values()), [b"1", b"3", b"4"])
            self.assertEqual(dict(db), {b"a": b"1", b"c": b"3", b"d": b"4"})
            self.assertIn((b"a", b"1"), db.items())
            self.assertNotIn((b"a", b"2"), db.items())
            self.assertEqual(len(db.items()), 3)
            # As a dict's (Python 3.8+): reversed() of the mapping and of its views, here in descending key order.
            self.assertEqual(list(reversed(db)), [b"d", b"c", b"a"])
            self.assertEqual(list(reversed(db.keys())), [b"d", b"c", b"a"])
            self.assertEqual(list(reversed(db.values())), [b"4", b"3", b"1"])
            self.assertEqual(list(reversed(db.items(prefix="c"))), [(b"c", b"3")])

    def test_clear_is_one_scan_and_popitem_takes_the_first_key(self) -> None:
        """Audit 27c: MutableMapping's clear() popped one item at a time, each a fresh scan fetching up to 4,096
        keys (5,000 keys took 8 s, growing with the square of the count); its popitem() left each scan open."""
        with ferrumdb.open(self.dir, fsync="never") as db:
            with db.write_batch() as batch:
                for i in range(3000):
                    batch.put(f"k{i:05}", "v")
            self.assertEqual(db.popitem(), (b"k00000", b"v"))
            scans = 0
            original = ferrumdb.FerrumDB.iterator

            def counting(self_: ferrumdb.FerrumDB, **kwargs: object) -> ferrumdb.Scan:
                nonlocal scans
                scans += 1
                return original(self_, **kwargs)  # type: ignore[arg-type]

            ferrumdb.FerrumDB.iterator = counting  # type: ignore[method-assign]
            try:
                db.clear()
            finally:
                ferrumdb.FerrumDB.iterator = original  # type: ignore[method-assign]
            self.assertEqual(scans, 1)
            self.assertEqual(len(db), 0)
            with self.assertRaisesRegex(KeyError, "empty"):
                db.popitem()
            db.clear()  # an empty database: nothing to do

    def test_a_handle_cannot_be_pickled_and_says_so_in_python_terms(self) -> None:
        """Audit 27c: pickling reached JPype ("import of module 'io.ferrumdb' failed")."""
        import copy
        import pickle
        with ferrumdb.open(self.dir, fsync="never") as db:
            with self.assertRaisesRegex(TypeError, "cannot pickle 'ferrumdb.FerrumDB' object"):
                pickle.dumps(db)
            with self.assertRaisesRegex(TypeError, "cannot pickle"):
                copy.copy(db)
        with ferrumdb.open_documents(Path(self._tmp.name) / "docs", fsync="never") as store:
            with self.assertRaisesRegex(TypeError, "cannot pickle 'ferrumdb.DocumentStore' object"):
                pickle.dumps(store)


class WithBlockTest(DbTestCase):
    def test_with_blocks_close_what_they_opened_also_when_the_body_raises(self) -> None:
        docs = Path(self._tmp.name) / "docs"
        with self.assertRaisesRegex(RuntimeError, "body failed"):
            with ferrumdb.open(self.dir) as db, ferrumdb.open_documents(docs) as store:
                db.put("k", "v")
                store.collection("c").put("d", {"n": 1})
                with db.iterator() as scan:
                    self.assertEqual(next(scan), (b"k", b"v"))
                raise RuntimeError("body failed")
        self.assertTrue(db.closed)
        self.assertEqual(list(scan), [])  # closed by its with block: nothing more comes
        with self.assertRaises(ferrumdb.DatabaseClosedError):
            store.collections()
        # The locks were released: both directories open again, with what the block wrote.
        with ferrumdb.open(self.dir) as db, ferrumdb.open_documents(docs) as store:
            self.assertEqual(db["k"], b"v")
            self.assertEqual(store.collection("c").get("d"), {"_id": "d", "n": 1})


class IteratorTest(DbTestCase):
    def test_prefix_bounds_reverse_limit_and_include_value(self) -> None:
        with ferrumdb.open(self.dir, fsync="never") as db:
            for k in ["mem:a", "mem:b", "mem:c", "other", "me"]:
                db.put(k, "v" + k)
            self.assertEqual(list(db.iterator(prefix="mem:")),
                             [(b"mem:a", b"vmem:a"), (b"mem:b", b"vmem:b"), (b"mem:c", b"vmem:c")])
            self.assertEqual(list(db.iterator(start="mem:b", stop="other", include_value=False)),
                             [b"mem:b", b"mem:c"])
            self.assertEqual(list(db.iterator(reverse=True, limit=2, include_value=False)), [b"other", b"mem:c"])
            self.assertEqual(list(db.iterator(limit=0)), [])
            with self.assertRaisesRegex(ValueError, "prefix cannot be combined"):
                db.iterator(prefix="a", start="b")
            with self.assertRaisesRegex(TypeError, "limit must be an int"):
                db.iterator(limit="3")  # type: ignore[arg-type]

    def test_is_lazy_and_crosses_in_chunks(self) -> None:
        with ferrumdb.open(self.dir, fsync="never") as db:
            with db.write_batch() as batch:
                for i in range(10_000):
                    batch.put(f"k{i:05d}", "v")
            scan = db.iterator(include_value=False)
            self.assertEqual(next(scan), b"k00000")
            # A keys-only scan fetched its first chunk only: the rest is still in the engine.
            self.assertLess(sum(1 for _ in scan._pending), 10_000)  # noqa: SLF001 (white-box on purpose)
            scan.close()
            self.assertEqual(list(scan), [])
            with db.iterator(start="k09998") as tail:
                self.assertEqual([k for k, _ in tail], [b"k09998", b"k09999"])
            self.assertEqual(sum(1 for _ in db), 10_000)

    def test_for_loops_and_next_calls_mix_in_order_across_chunks(self) -> None:
        with ferrumdb.open(self.dir, fsync="never") as db:
            with db.write_batch() as batch:
                for i in range(10_000):
                    batch.put(f"k{i:05d}", "v")
            expected = [f"k{i:05d}".encode() for i in range(10_000)]
            # Chunks hold 4,096 keys: the next() calls cross a chunk boundary while the for loop is suspended.
            scan = db.iterator(include_value=False)
            got = []
            loop = iter(scan)
            for key in loop:
                got.append(key)
                if len(got) == 4000:
                    break
            got.extend(next(scan) for _ in range(200))
            got.extend(loop)
            self.assertEqual(got, expected)
            self.assertEqual(list(scan), [])
            # close() inside a for loop ends it, also in the middle of a chunk.
            seen = 0
            with db.iterator() as items:
                for _ in items:
                    seen += 1
                    if seen == 3:
                        items.close()
            self.assertEqual(seen, 3)

    def test_entries_larger_than_a_chunk_and_chunks_of_equal_sizes(self) -> None:
        with ferrumdb.open(self.dir, fsync="never") as db:
            with db.write_batch() as batch:
                for i in range(9_000):
                    batch.put(f"k{i:05d}", f"{i:06d}")  # chunks of equal lengths, different bytes
            db.put("k04500x", b"\x00" * (1 << 20))  # larger than the scan's chunk buffer: travels alone
            items = list(db.iterator())
            self.assertEqual(len(items), 9_001)
            self.assertEqual(items[4501], (b"k04500x", b"\x00" * (1 << 20)))
            del items[4501]
            self.assertEqual(items, [(f"k{i:05d}".encode(), f"{i:06d}".encode()) for i in range(9_000)])
            self.assertEqual(list(db.iterator(start="k04499", limit=3, include_value=False)),
                             [b"k04499", b"k04500", b"k04500x"])

    def test_write_during_iteration_never_fails(self) -> None:
        with ferrumdb.open(self.dir, fsync="never") as db:
            for i in range(5000):
                db.put(f"k{i:05d}", "v")
            seen = 0
            for key in db.iterator(include_value=False):
                db.put(b"z" + key, "w")  # after the scan position: may or may not be seen
                seen += 1
            self.assertGreaterEqual(seen, 5000)


class ProcessTest(DbTestCase):
    def test_ctrl_c_raises_keyboard_interrupt_and_finally_runs(self) -> None:
        code = """
            import sys, ferrumdb
            db = ferrumdb.open(sys.argv[1], fsync="always")
            try:
                i = 0
                while True:
                    db.put(f"k{i}", "v")
                    if i == 0:
                        print("ready", flush=True)
                    i += 1
            finally:
                db.close()
                print("finally ran, closed:", db.closed, flush=True)
        """
        child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), str(self.dir)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert child.stdout is not None
            self.assertEqual(child.stdout.readline().strip(), "ready")
            child.send_signal(signal.SIGINT)
            out, err = child.communicate(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
        self.assertIn("finally ran, closed: True", out)
        self.assertIn("KeyboardInterrupt", err)
        with ferrumdb.open(self.dir) as db:  # the lock was released by close() in the finally block
            self.assertIn("k0", db)

    @unittest.skipUnless(hasattr(os, "fork"), "needs fork()")
    def test_forked_child_gets_a_clear_error_never_a_hang(self) -> None:
        code = """
            import os, sys, ferrumdb
            db = ferrumdb.open(sys.argv[1])
            db.put("k", "v")
            scan = db.iterator()  # made before the fork, first chunk not fetched yet
            pid = os.fork()
            if pid == 0:
                try:
                    db.put("k", "child")
                    print("child wrote", flush=True)
                except ferrumdb.FerrumError as e:
                    print("child error:", e, flush=True)
                # Every hot path checks, not only put: get, `in` and a scan's next chunk.
                for name, call in (("get", lambda: db.get("k")), ("in", lambda: "k" in db),
                                   ("scan", lambda: next(scan)), ("db[k]", lambda: db["k"])):
                    try:
                        call()
                        print("child", name, "ran", flush=True)
                    except ferrumdb.FerrumError as e:
                        print("child", name, "error:", type(e).__name__, flush=True)
                try:
                    ferrumdb.open(sys.argv[1] + "-2")
                except ferrumdb.FerrumError as e:
                    print("child open error:", type(e).__name__, flush=True)
                os._exit(0)
            os.waitpid(pid, 0)
            print("parent reads", db.get("k"), flush=True)
            db.close()
        """
        result = run_child(code, str(self.dir))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("child error: FerrumDB cannot be used in this process", result.stdout)
        self.assertIn("spawn", result.stdout)
        self.assertIn("child open error: FerrumError", result.stdout)
        for name in ("get", "in", "scan", "db[k]"):
            self.assertIn(f"child {name} error: FerrumError", result.stdout)
        self.assertIn("parent reads b'v'", result.stdout)

    @unittest.skipUnless(hasattr(os, "fork"), "needs fork()")
    def test_forked_children_that_end_normally_exit(self) -> None:
        # Before, JPype's exit hook shut the JVM down in the child, waiting forever for the parent's JVM threads: a
        # child ending by sys.exit() or by returning hung, and so did multiprocessing's fork pools.
        code = """
            import multiprocessing, os, sys, time, ferrumdb

            def double(i):
                return 2 * i

            def read(key):
                return db.get(key)

            def reap(pid):
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    done, status = os.waitpid(pid, os.WNOHANG)
                    if done:
                        return os.waitstatus_to_exitcode(status)
                    time.sleep(0.05)
                os.kill(pid, 9)
                return "hung"

            if __name__ == "__main__":
                db = ferrumdb.open(sys.argv[1])
                db.put("k", "v")
                scan = db.iterator()  # open at the child's exit: its finalizer runs there
                pid = os.fork()
                if pid == 0:
                    sys.exit(3)
                print("sys.exit child:", reap(pid), flush=True)
                pid = os.fork()
                if pid == 0:
                    try:
                        db.put("k", "child")
                    except ferrumdb.FerrumError:
                        pass
                    raise SystemExit(4)
                print("child after an error:", reap(pid), flush=True)
                context = multiprocessing.get_context("fork")
                with context.Pool(2) as pool:
                    print("pool:", pool.map(double, range(4)), flush=True)
                with context.Pool(1) as pool:
                    try:
                        pool.map(read, ["k"])
                    except ferrumdb.FerrumError as e:
                        print("pool worker error:", type(e).__name__, flush=True)
                print("parent reads", db.get("k"), flush=True)
                scan.close()
                db.close()
        """
        script = Path(self._tmp.name) / "forks.py"  # a file: multiprocessing's workers find their functions there
        script.write_text(textwrap.dedent(code))
        result = subprocess.run([sys.executable, str(script), str(self.dir)], capture_output=True, text=True,
                                timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("sys.exit child: 3", result.stdout)
        self.assertIn("child after an error: 4", result.stdout)
        self.assertIn("pool: [0, 2, 4, 6]", result.stdout)
        self.assertIn("pool worker error: FerrumError", result.stdout)
        self.assertIn("parent reads b'v'", result.stdout)

    def test_a_second_process_is_refused_with_the_holders_pid(self) -> None:
        code = """
            import sys, ferrumdb
            db = ferrumdb.open(sys.argv[1])
            db.put("k", "v")
            print("open", flush=True)
            sys.stdin.readline()
            db.close()
        """
        child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), str(self.dir)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert child.stdout is not None and child.stdin is not None
            self.assertEqual(child.stdout.readline().strip(), "open")
            for read_only in (False, True):
                with self.subTest(read_only=read_only), self.assertRaises(ferrumdb.DatabaseLockedError) as caught:
                    ferrumdb.open(self.dir, read_only=read_only)
                message = str(caught.exception)
                self.assertIn(f"is locked by process {child.pid} (", message)
                self.assertIn("ferrumdb serve", message)  # where to go for sharing
            child.stdin.write("\n")
            child.stdin.flush()
            child.communicate(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
        with ferrumdb.open(self.dir) as db:  # the child's close released the lock
            self.assertEqual(db["k"], b"v")

    def test_a_program_that_ends_without_close_keeps_its_acknowledged_writes(self) -> None:
        # A normal end (the handle is closed at exit, as a dropped one is), and os._exit under "periodic" with a
        # fsync an hour away: the writes were handed to the OS, which keeps them (before, they sat in the process
        # until the periodic fsync, and os._exit lost them).
        code = """
            import os, sys, time, ferrumdb
            from pathlib import Path
            path, fsync, end = sys.argv[1:]
            db = ferrumdb.open(path, fsync=fsync, fsync_interval=3600)
            for i in range(200):
                db.put(f"k{i:03d}", f"value-{i:03d}")
            if end == "os._exit":
                # Until the last value is in a segment file (the OS has it), without a close or a fsync.
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not any(
                        b"value-199" in p.read_bytes() for p in Path(path).glob("*.seg")):
                    time.sleep(0.01)
                os._exit(0)
        """
        for fsync, end in (("never", "return"), ("periodic", "return"), ("periodic", "os._exit")):
            with self.subTest(fsync=fsync, end=end):
                path = Path(self._tmp.name) / f"{fsync}-{end}"
                result = run_child(code, str(path), fsync, end)
                self.assertEqual(result.returncode, 0, result.stderr)
                # Closed at exit (a close seals the active segment: its hint file is there), except by os._exit.
                self.assertEqual(any(path.glob("*.hint")), end != "os._exit", list(path.iterdir()))
                with ferrumdb.open(path) as db:
                    self.assertEqual(len(db), 200)
                    self.assertEqual(db["k199"], b"value-199")

    def test_dropped_handle_is_closed_with_a_resource_warning(self) -> None:
        db = ferrumdb.open(self.dir)
        db.put("k", "v")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del db
            gc.collect()
        self.assertTrue(any(issubclass(w.category, ResourceWarning) and "unclosed ferrumdb.FerrumDB" in str(w.message)
                            for w in caught), [str(w.message) for w in caught])
        with ferrumdb.open(self.dir) as again:  # the finalizer released the lock
            self.assertEqual(again["k"], b"v")

    def test_closed_handle_gives_no_warning(self) -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with ferrumdb.open(self.dir) as db:
                db.put("k", "v")
            del db
            store = ferrumdb.open_documents(Path(self._tmp.name) / "docs")
            store.close()
            del store
            gc.collect()
        self.assertEqual([w for w in caught if issubclass(w.category, ResourceWarning)], [])

    def test_dropped_document_store_is_closed_too(self) -> None:
        path = Path(self._tmp.name) / "docs"
        store = ferrumdb.open_documents(path)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del store
            gc.collect()
        self.assertTrue(any(issubclass(w.category, ResourceWarning) for w in caught))
        ferrumdb.open_documents(path).close()

    def test_missing_passphrase_message_speaks_python(self) -> None:
        with ferrumdb.open(self.dir, passphrase="pw"):
            pass
        with self.assertRaises(ferrumdb.EncryptionKeyError) as caught:
            ferrumdb.open(self.dir)
        self.assertIn("open it with its passphrase", str(caught.exception))
        self.assertNotIn("Options", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
