#!/usr/bin/env python3
"""Joins two sweep runs into one table: case, before, after. Usage: table.py OUT BEFORE_LABEL AFTER_LABEL [AFTER_OVERRIDE_LABEL]"""
import json, os, re, sys
base = '/tmp/badinput17'
out = open(sys.argv[1], 'w')
BEFORE, AFTER = sys.argv[2], sys.argv[3]
OVERRIDE = sys.argv[4] if len(sys.argv) > 4 else None

def normalize(name, fields):
    if name in ('cli.tsv', 'corrupt.tsv', 'import.tsv'):
        # the command column holds run-specific work paths; the case name says what ran
        fields = [x for x in fields[1:] if x and not x.startswith('--db ')]
    else:
        fields = fields[1:]
    if name == 'studio.tsv' and len(fields) >= 2:
        try:  # Map.of's iteration order differs per JVM: compare bodies with sorted keys
            fields[1] = json.dumps(json.loads(fields[1]), sort_keys=True, ensure_ascii=False)
        except ValueError:
            pass
    val = ' '.join(fields)
    val = re.sub(r'w-(before2|before|after2|after)-', 'w-', val)
    val = re.sub(r'\d+:\d+:\d+ (AM|PM)', 'H:M:S', val)
    val = re.sub(r'\d+\.\ds$', '', val).strip()
    return val

def load(label, name):
    rows, order = {}, []
    p = os.path.join(base, label, name)
    if not os.path.exists(p):
        return rows, order
    for line in open(p, encoding='utf-8', errors='replace'):
        f = line.rstrip('\n').split('\t')
        if not f or not f[0]:
            continue
        if f[0] not in rows:
            order.append(f[0])
        rows[f[0]] = normalize(name, f)
    return rows, order

total = changed = 0
for name in ['cli.tsv', 'corrupt.tsv', 'import.tsv', 'resp.tsv', 'mcp.tsv', 'studio.tsv', 'pty.tsv']:
    b, ob = load(BEFORE, name)
    a, oa = load(AFTER, name)
    if OVERRIDE:
        o, _ = load(OVERRIDE, name)
        a.update(o)
    keys = ob + [k for k in oa if k not in b]
    out.write('\n## %s (%d cases)\n' % (name[:-4], len(keys)))
    for k in keys:
        bv, av = b.get(k, '(not run)'), a.get(k, '(not run)')
        total += 1
        same = bv == av
        changed += not same
        out.write('%s\t%s\n    before: %s\n    after:  %s\n' % (k, 'same' if same else 'CHANGED', bv[:300], av[:300]))
out.write('\n%d cases, %d changed\n' % (total, changed))
out.close()
print(total, changed)
