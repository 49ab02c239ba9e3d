"""Joins a before and an after run of sweep19_bindings.py or .js into sweep-table.txt's rows: name, same/CHANGED, both
outcomes. Usage: sweep19_bindings_table.py BEFORE.tsv AFTER.tsv"""
import re
import sys


def load(path):
    rows = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        name, _, out = line.rstrip("\n").partition("\t")
        # Temporary directories and pids differ per run.
        rows.setdefault(name, re.sub(r"/tmp/[\w.-]+", "/tmp/T", out))
    return rows


before, after = load(sys.argv[1]), load(sys.argv[2])
for name in list(before) + [n for n in after if n not in before]:
    b, a = before.get(name, "(no line)"), after.get(name, "(no line)")
    print(f"{name}\t{'same' if a == b else 'CHANGED'}\n    before: {b}\n    after:  {a}")
