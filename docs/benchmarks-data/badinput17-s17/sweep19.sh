#!/bin/bash
# The five session-19 leftovers of the bad-input sweep, run against JAR into OUT (one line a case).
# Usage: sweep19.sh JAR WORKDIR OUT
JAR="$1"; W="$2"; OUT="$3"; rm -rf "$W"; mkdir -p "$W"; : >"$OUT"
FDB() { timeout 60 java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$JAR" "$@"; }
c() {
  local name="$1"; shift
  local o e rc; o=$(mktemp); e=$(mktemp)
  FDB "$@" </dev/null >"$o" 2>"$e"; rc=$?
  printf '%s\trc=%s\tout=%s\terr=%s\n' "$name" "$rc" "$(head -c 200 "$o" | head -1)" "$(head -c 400 "$e" | head -2 | tr '\n\t' '||')" >>"$OUT"
  rm -f "$o" "$e"
}
D="$W/db"
FDB put k v --db "$D" >/dev/null 2>&1
rm "$D/META"
c meta-deleted-get get k --db "$D"
c meta-deleted-verify verify --db "$D"
c meta-deleted-repair repair --db "$D"
c meta-deleted-put put k2 v --db "$D"
T="$W/ttl"
c put-ttl-999999999d put k v --ttl 999999999d --db "$T"
c put-ttl-36501d put k v --ttl 36501d --db "$T"
c put-ttl-36500d put k v --ttl 36500d --db "$T"
X="$W/doc"
LONG=$(printf 'x%.0s' $(seq 1 300))
FDB doc put users a "{\"email\":\"$LONG\"}" --db "$X" >/dev/null 2>&1
FDB doc put users b "{\"email\":\"$LONG\"}" --db "$X" >/dev/null 2>&1
c doc-index-unique-duplicates doc index users email --unique --db "$X"
# MCP kv_put ttl_seconds and an engine failure's wording over stdio
python3 - "$JAR" "$W/mcp" >>"$OUT" <<'PY'
import json, subprocess, sys
jar, db = sys.argv[1:3]
msgs = [{"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
         "capabilities": {}, "clientInfo": {"name": "sweep19", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"}]
cases = [("mcp-kv_put-ttl-" + str(t), t) for t in (-5, 0, 3153600001, 10**12, 10**18, 2.5)]
for i, (name, ttl) in enumerate(cases, 1):
    msgs.append({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                 "params": {"name": "kv_put", "arguments": {"key": "k", "value": "v", "ttl_seconds": ttl}}})
inp = "".join(json.dumps(m) + "\n" for m in msgs)
p = subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar, "--db", db, "mcp"],
                   input=inp.encode(), capture_output=True, timeout=120)
replies = {}
for line in p.stdout.decode().splitlines():
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if "id" in m:
        replies[m["id"]] = m
for i, (name, _) in enumerate(cases, 1):
    r = replies.get(i, {})
    res = r.get("result", {})
    text = (res.get("content") or [{}])[0].get("text", json.dumps(r.get("error")))
    print(f"{name}\tisError={res.get('isError')}\t{text[:200]}")
PY
