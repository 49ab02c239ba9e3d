#!/usr/bin/env bash
# redis-cli against ferrumdb serve: one-liners, a MULTI/EXEC and a pipelined (--pipe) load.
#   test_redis_cli.sh PORT [redis-cli connection options, e.g. --tls --cacert FILE]
set -euo pipefail
port=$1
shift
options=("$@")
cli() { redis-cli -p "$port" "${options[@]}" "$@"; }
expect() { local want=$1; shift; local got; got=$(cli "$@"); [ "$got" = "$want" ] || { echo "redis-cli $*: want '$want', got '$got'" >&2; exit 1; }; }
expect OK set cli:s hello
expect hello get cli:s
expect 6 append cli:s "!"
expect 2 hset cli:h f1 v1 f2 v2
expect v2 hget cli:h f2
expect hash type cli:h
expect "WRONGTYPE Operation against a key holding the wrong kind of value" get cli:h
expect 1 expire cli:h 100
expect 100 ttl cli:h
expect OK set cli:px v px 150
sleep 0.4
expect "" get cli:px
got=$(printf 'MULTI\nSET cli:t 1\nINCR cli:t\nEXEC\n' | cli)
[ "$got" = "$(printf 'OK\nQUEUED\nQUEUED\nOK\n2')" ] || { echo "redis-cli MULTI: got '$got'" >&2; exit 1; }
for i in $(seq 1 2000); do printf 'SET cli:p%d %d\r\n' "$i" "$i"; done | cli --pipe | grep -q "errors: 0, replies: 2000"
expect 1999 get cli:p1999
echo "redis-cli: ok"
