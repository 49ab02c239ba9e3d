#!/usr/bin/env bash
# CLI bad-input sweep. Usage: JAR=... OUT=... W=workdir sweep_cli.sh
set -u
. /tmp/badinput17/lib.sh
rm -rf "$W"; mkdir -p "$W"; cd "$W"
: >"$OUT"
# --- a database with data, several segments, clean close ---
FDB --db good put k v >/dev/null 2>&1
FDB --db good put user:1 Ada >/dev/null 2>&1
python3 - <<'PY'
import json
with open('seed.jsonl','w') as f:
    for i in range(3000):
        f.write(json.dumps({"key":"key%05d"%i,"value":"v"*200,"encoding":"text"})+"\n")
PY
FDB --db good import -i seed.jsonl >/dev/null 2>&1
# arguments
c args-none-empty-stdin
c args-get-missing-key --db good get
c args-put-missing-value --db good put k
c args-put-extra --db good put k v extra
c args-unknown-option --db good --bogus get k
c args-unknown-sub-option --db good get k --bogus
c args-db-missing-value get k --db
c args-unknown-command --db good cout
c args-fsync-bad --db good --fsync sometimes get k
c args-fsync-periodic-0 --db good --fsync periodic:0 put k v
c args-fsync-periodic-neg --db good --fsync periodic:-5s put k v
c args-fsync-periodic-abc --db good --fsync periodic:abc put k v
c args-hex-and-base64 --db good --hex --base64 get k
c args-hex-odd --db good --hex get abc
c args-base64-bad --db good --base64 get '!!'
c args-keys-limit-neg --db good keys --limit -1
c args-keys-limit-abc --db good keys --limit abc
c args-keys-limit-huge --db good keys --limit 99999999999999999999
c args-ttl-0 --db good put t v --ttl 0
c args-ttl-neg --db good put t v --ttl -5
c args-ttl-huge --db good put t v --ttl 99999999999999999999
c args-ttl-huge-days --db good put t v --ttl 9999999999999d
c args-ttl-maxlong --db good put t v --ttl 9223372036854775807
c args-ttl-year --db good put t v --ttl 1y
c args-ttl-empty --db good put t v --ttl ''
c args-compact-threads-0 --db good compact --threads 0
c args-compact-threads-huge --db good compact --threads 100000
c args-compact-threads-abc --db good compact --threads abc
c args-studio-port-70000 --db good studio --port 70000
c args-studio-port-neg --db good studio --port -1
c args-studio-port-abc --db good studio --port abc
c args-studio-bind-bad --db good studio --bind 999.1.1.1 --port 0
c args-studio-bind-name --db good studio --bind no.such.host.invalid --port 0
c args-serve-port-70000 --db srv serve --port 70000
c args-serve-port-neg --db srv serve --port -1
c args-serve-bind-bad --db srv serve --bind 999.1.1.1 --port 0
c args-serve-bind-any-nopass --db srv serve --bind 0.0.0.0 --port 0
c args-serve-requirepass-missing --db srv serve --requirepass-file "$W/nx1/pass" --port 0
: > emptypass
c args-serve-requirepass-empty --db srv serve --requirepass-file emptypass --port 0
c args-serve-requirepass-dir --db srv serve --requirepass-file . --port 0
c args-serve-tls-missing --db srv serve --tls-cert-file "$W/nx2/c" --tls-key-file "$W/nx3/k" --port 0
echo garbage > garbage.pem
c args-serve-tls-garbage --db srv serve --tls-cert-file garbage.pem --tls-key-file garbage.pem --port 0
c args-serve-tls-cert-only --db srv serve --tls-cert-file garbage.pem --port 0
c args-serve-on-kv-db --db good serve --port 0
c args-mcp-port-no-http --db mcpdb mcp --port 5
c args-mcp-http-port-70000 --db mcpdb mcp --http --port 70000
c args-backup-no-arg --db good backup
c args-backup-deep --db good backup "$W/nx4/deep/x"
mkdir -p nonempty; echo x > nonempty/file
c args-backup-nonempty --db good backup nonempty
c args-backup-into-itself --db good backup good/sub
echo x > afile
c args-backup-onto-file --db good backup afile
c args-export-o-deep --db good export -o "$W/nx5/dir/x"
mkdir -p adir
c args-export-o-dir --db good export -o adir
c args-import-missing --db imp import -i "$W/nx6"
c args-import-dir --db imp import -i adir
c args-get-o-deep --db good get k -o "$W/nx7/x"
c args-get-o-dir --db good get k -o adir
c args-put-file-missing --db good put k --file "$W/nx8"
c args-put-file-dir --db good put k --file adir
c args-put-value-and-file --db good put k v --file afile
c args-completion-extra --db good completion extra
c args-doc-find-badjson --db docs doc find users '{bad json'
FDB --db docs doc put users u1 '{"name":"Ada","age":36}' >/dev/null 2>&1
c args-doc-find-badjson2 --db docs doc find users '{bad json'
c args-doc-find-badop --db docs doc find users '{"age":{"$foo":1}}'
c args-doc-find-limit-neg --db docs doc find users '{}' --limit -1
c args-doc-put-notjson --db docs doc put users u2 notjson
c args-doc-put-array --db docs doc put users u2 '[1,2]'
c args-doc-index-empty --db docs doc index users ''
c args-doc-get-nocoll --db docs doc get nosuch x
c args-doc-count-badfilter --db docs doc count users '{"$and":5}'
c args-doc-explain-badfilter --db docs doc explain users '[]'
c args-doc-on-kv --db good doc collections
c args-doc-nosub --db docs doc
c args-doc-badsub --db docs doc frob
# key and value limits on the command line
KEY70K=$(head -c 70000 /dev/zero | tr '\0' a)
c limit-put-key-70000 --db good put "$KEY70K" v
c limit-get-key-70000 --db good get "$KEY70K"
head -c $((64*1024*1024+1)) /dev/zero > big.bin
c limit-put-value-64M+1 --db good put big --file big.bin
rm -f big.bin
# --db paths
c db-missing-read --db "$W/nx9/db" get k
c db-missing-parent-write --db "$W/nx10/deep/db" put k v
c db-is-file-read --db afile get k
c db-is-file-write --db afile put k v
mkdir -p otherprog; echo '{"x":1}' > otherprog/config.json; mkdir otherprog/sub
c db-other-program-read --db otherprog get k
c db-other-program-write --db otherprog put k v
c db-other-program-info --db otherprog info
c db-other-program-verify --db otherprog verify
c db-other-program-repair --db otherprog repair
c db-empty-string --db '' get k
c db-devnull --db /dev/null get k
c db-proc --db /proc put k v
mkdir -p emptydir
c db-emptydir-read --db emptydir get k
c db-emptydir-verify --db emptydir verify
c db-emptydir-info --db emptydir info
c db-emptydir-export --db emptydir export
c db-missing-verify --db "$W/nx11/db" verify
c db-missing-repair --db "$W/nx12/db" repair
c db-missing-compact --db "$W/nx13/db2" compact
c db-missing-backup --db "$W/nx14/db" backup bk
# ports in use
python3 -c "
import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1',47999)); s.listen(1); time.sleep(120)" &
LP=$!
sleep 1
c port-in-use-studio --db good studio --port 47999
c port-in-use-serve --db srv2 serve --port 47999
c port-in-use-mcp-http --db mcpdb2 mcp --http --port 47999
kill $LP
# doc index twice, unique over duplicates
FDB --db docs doc put users u2 '{"name":"Ada","age":37}' >/dev/null 2>&1
FDB --db docs doc index users age >/dev/null 2>&1
c doc-index-twice --db docs doc index users age
c doc-index-unique-dups --db docs doc index users name --unique
# encrypted passphrase file is a directory
c enc-pass-file-dir --db good --passphrase-file adir get k
# locked database
python3 - <<'PY' &
import fcntl, time, os
f = open('good/LOCK', 'a'); fcntl.lockf(f, fcntl.LOCK_EX); time.sleep(30)
PY
LK=$!; sleep 1
c locked-put --db good put k v
c locked-get --db good get k
kill $LK
