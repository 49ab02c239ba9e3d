"""The Python example in the FerrumDB README runs and prints what its comments say."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

# run-tests.sh runs these tests from outside the source tree, against the installed wheel, and says where the
# README is.
README = Path(os.environ["FERRUMDB_README"])


def readme_examples(language: str) -> list[str]:
    section = README.read_text(encoding="utf-8").split("## Python and Node.js bindings", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


class ReadmeExampleTest(unittest.TestCase):
    def test_python_examples_print_what_they_promise(self) -> None:
        examples = readme_examples("python")
        self.assertEqual(len(examples), 2)
        for code in examples:
            expected = [m.group(1).strip() for m in re.finditer(r"print\(.*\)\s+# (.*)", code)]
            self.assertEqual(len(expected), 2)
            with tempfile.TemporaryDirectory() as d:
                result = subprocess.run([sys.executable, "-c", code], cwd=d, capture_output=True, text=True,
                                        timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout.splitlines(), expected)


if __name__ == "__main__":
    unittest.main()
