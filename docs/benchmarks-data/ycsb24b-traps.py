#!/usr/bin/env python3
"""Counts fired C2 uncommon traps (LogCompilation: <uncommon_trap thread=...> with its <jvms> chain) per log file:
all, and those with an io.ferrumdb frame in the chain (listed by innermost engine frame, bci, reason, root method)."""
import re, sys, collections
for path in sys.argv[1:]:
    text = open(path, errors='replace').read()
    fired = re.findall(r"<uncommon_trap thread='[^']*' reason='([^']*)' action='([^']*)'[^>]*compiler='c2'[^>]*>\s*((?:<jvms [^>]*/>\s*)+)</uncommon_trap>", text)
    engine = collections.Counter()
    for reason, action, jvms in fired:
        frames = [(b, m.split(' ')[0].split('.')[-1] + '.' + m.split(' ')[1]) for b, m in re.findall(r"bci='(\d+)' method='([^']*)'", jvms)]
        raw = re.findall(r"method='([^']*)'", jvms)
        idx = [i for i, m in enumerate(raw) if m.startswith('io.ferrumdb')]
        if idx:
            i = idx[0]
            engine[(frames[i][1], frames[i][0], reason, 'inner=' + frames[0][1], 'root=' + frames[-1][1])] += 1
    nent = len(re.findall(r"<make_not_entrant thread=[^>]*compiler='c2'", text))
    print(f"{path}: c2 traps fired {len(fired)}, with an io.ferrumdb frame {sum(engine.values())}, c2 made not entrant {nent}")
    for k, v in engine.most_common():
        print(f"    {v} x {' '.join(k)}")
