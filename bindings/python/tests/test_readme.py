"""The Python example in the FerrumDB README runs and prints what its comments say."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_example(language: str) -> str:
    section = README.read_text(encoding="utf-8").split("## Python and Node.js bindings", 1)[1].split("\n## ", 1)[0]
    return re.search(rf"```{language}\n(.*?)```", section, re.S).group(1)


class ReadmeExampleTest(unittest.TestCase):
    def test_python_example_prints_what_it_promises(self) -> None:
        code = readme_example("python")
        expected = [m.group(1).strip() for m in re.finditer(r"print\(.*\)\s+# (.*)", code)]
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
            result = subprocess.run([sys.executable, "-c", code], cwd=d, capture_output=True, text=True, env=env,
                                    timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines(), expected)
        self.assertEqual(len(expected), 2)


if __name__ == "__main__":
    unittest.main()
