#!/usr/bin/env bash
# Import files that are not what they claim, and the piped REPL. JAR OUT W
set -u
. /tmp/badinput17/lib.sh
rm -rf "$W"; mkdir -p "$W"; cd "$W"
: >"$OUT"
python3 - <<'PY'
import json, base64
def w(name, data):
    open(name, 'wb').write(data if isinstance(data, bytes) else data.encode())
good = '{"key":"a","value":"1","encoding":"text"}\n'
w('i-badjson.jsonl', good + '{"key":"b","value":\n' + good)
w('i-notobject.jsonl', good + '[1,2]\n')
w('i-utf16.jsonl', (good*2).encode('utf-16'))
w('i-latin1.jsonl', good.encode() + b'{"key":"caf\xe9","value":"x"}\n')
w('i-nul.jsonl', good.encode() + b'\x00\x00\x00\n')
w('i-binary.jsonl', bytes(range(256))*10)
w('i-empty.jsonl', b'')
w('i-bom.jsonl', b'\xef\xbb\xbf' + (good*2).encode())
w('i-crlf.jsonl', good.replace('\n','\r\n')*3)
w('i-key-70000.jsonl', good*3 + json.dumps({"key":"k"*70000,"value":"v"})+'\n' + good)
w('i-key-65535.jsonl', json.dumps({"key":"k"*65535,"value":"v"})+'\n')
w('i-value-64M+1.jsonl', good*3 + json.dumps({"key":"big","value":base64.b64encode(b'\0'*(64*1024*1024+1)).decode(),"encoding":"base64"})+'\n')
w('i-value-16M.jsonl', good*3 + json.dumps({"key":"v16","value":base64.b64encode(b'\1'*(16*1024*1024)).decode(),"encoding":"base64"})+'\n')
w('i-value-30M-text.jsonl', good*3 + json.dumps({"key":"v30","value":"x"*(30*1024*1024)})+'\n')
w('i-expires-huge.jsonl', good + '{"key":"b","value":"2","expiresAt":99999999999999999999}\n')
w('i-expires-float.jsonl', good + '{"key":"b","value":"2","expiresAt":1.5e12}\n')
w('i-expires-maxlong.jsonl', good + '{"key":"b","value":"2","expiresAt":9223372036854775807}\n')
w('i-expires-string.jsonl', good + '{"key":"b","value":"2","expiresAt":"tomorrow"}\n')
w('i-expires-neg.jsonl', good + '{"key":"b","value":"2","expiresAt":-1}\n')
w('i-encoding-bad.jsonl', good + '{"key":"b","value":"2","encoding":"hex"}\n')
w('i-b64-bad.jsonl', good + '{"key":"!!","value":"2","encoding":"base64"}\n')
w('i-missing-value.jsonl', good + '{"key":"b"}\n')
w('i-key-number.jsonl', good + '{"key":5,"value":"2"}\n')
w('i-unknown-field.jsonl', good + '{"key":"b","value":"2","ttl":5}\n')
w('i-truncated.jsonl', good + '{"key":"b","val')
w('i-deep-nesting.jsonl', good + '{"key":"b","value":' + '['*5000 + ']'*5000 + '}\n')
w('i-lone-surrogate.jsonl', good + '{"key":"\\ud800","value":"2"}\n')
w('i-long-number.jsonl', good + '{"key":"b","value":"2","expiresAt":' + '9'*2000 + '}\n')
w('i-dup-field.jsonl', good + '{"key":"b","key":"c","value":"2"}\n')
w('i-csv.jsonl', 'key,value\na,1\n')
PY
for f in i-*.jsonl; do
  rm -rf "db-$f"
  c "import-${f%.jsonl}" --db "db-$f" import -i "$f"
  # what went in: count
  n=$(FDB --db "db-$f" count 2>/dev/null); echo -e "import-${f%.jsonl}-count\t\tcount=$n" >>"$OUT"
  rm -rf "db-$f"
done
STDIN=i-badjson.jsonl c import-stdin-badjson --db db-stdin import
# piped REPL
repl() { local name="$1"; shift; printf "$@" > repl.in; STDIN=repl.in c "repl-$name" --db repldb; }
repl empty ''
repl blank-lines '\n\n\n'
repl set-missing-value 'SET k\n'
repl get-no-key 'GET\n'
repl expire-huge 'SET k v\nEXPIRE k 99999999999999999999\n'
repl expire-maxlong 'SET k v\nEXPIRE k 9223372036854775807\nTTL k\nGET k\n'
repl px-maxlong 'SET k v PX 9223372036854775807\nTTL k\nGET k\n'
repl ex-0 'SET k v EX 0\n'
repl ex-neg 'SET k v EX -1\n'
repl ex-bad-unit 'SET k v ZZ 5\n'
repl unterminated-quote 'SET "k v\n'
repl unclosed-json 'SET k {"a":1\n'
repl keys-too-many 'KEYS a b c\n'
repl doc-find-badjson 'DOC FIND c {bad\n'
repl multi-key-70000 "MULTI\nSET $(head -c 70000 /dev/zero | tr '\0' a) v\nEXEC\n"
repl set-key-70000 "SET $(head -c 70000 /dev/zero | tr '\0' a) v\n"
repl multi-eof 'MULTI\nSET a 1\n'
repl multi-in-multi 'MULTI\nMULTI\n'
repl exec-no-multi 'EXEC\n'
repl get-in-multi 'MULTI\nGET a\n'
repl help-nope 'HELP nope\n'
repl ttl-noargs 'TTL\n'
repl invalid-utf8 'SET \xff\xfe v\nKEYS\n'
repl nul-byte 'SET a\x00b v\nKEYS\n'
repl unknown 'FROB x\n'
repl info-args 'INFO x\n'
repl doc-nosub 'DOC\n'
repl doc-put-badjson 'DOC PUT c id {"a":\n'
repl doc-index-bad 'DOC INDEX c path NOTUNIQUE\n'
repl count-prefix-extra 'COUNT a b\n'
repl expire-missing 'EXPIRE nokey 10\n'
repl comment-only '# hello\n'
python3 -c "print('SET big ' + 'x'*(10*1024*1024))" > repl.in; STDIN=repl.in c repl-10MB-line --db repldb
printf 'SET a 1\n' > repl.in; STDIN=repl.in c repl-hex-mode-bad --db repldb --hex
