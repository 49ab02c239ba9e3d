#!/usr/bin/env bash
# Corrupted-database sweep. JAR OUT W
set -u
. /tmp/badinput17/lib.sh
rm -rf "$W"; mkdir -p "$W"; cd "$W"
: >"$OUT"
java -cp "$JAR" /tmp/badinput17/MakeDb.java base 65536 2>&1 | tail -2
ls -la base >&2
flip() { python3 - "$1" "$2" <<'PY'
import sys
p, where = sys.argv[1], sys.argv[2]
b = bytearray(open(p,'rb').read())
if not b: sys.exit(0)
off = {'mid': len(b)//2, 'head': min(10, len(b)-1), 'tail': len(b)-3 if len(b) > 3 else 0}[where]
b[off] ^= 0x5a
open(p,'wb').write(b)
PY
}
damage() { # dir file kind
  local f="$1/$2"
  case "$3" in
    flipmid) flip "$f" mid;; fliphead) flip "$f" head;; fliptail) flip "$f" tail;;
    half) python3 -c "import os,sys; p=sys.argv[1]; os.truncate(p, os.path.getsize(p)//2)" "$f";;
    zero) : > "$f";;
    delete) rm -f "$f";;
  esac
}
segs=($(cd base && ls *.seg | sort)); hints=($(cd base && ls *.hint 2>/dev/null | sort))
files=(META MANIFEST KEYDIR LOCK "${segs[0]}" "${segs[-1]}" "${hints[0]:-none.hint}")
for f in "${files[@]}"; do
  for kind in flipmid fliphead half zero delete; do
    d="d-$f-$kind"; rm -rf "$d"; cp -a base "$d"; damage "$d" "$f" "$kind"
    c "corrupt-$f-$kind-get" --db "$d" get key00001
    c "corrupt-$f-$kind-count" --db "$d" count
    c "corrupt-$f-$kind-verify" --db "$d" verify
    c "corrupt-$f-$kind-put" --db "$d" put newkey v
    case "$f" in META|MANIFEST) c "corrupt-$f-$kind-repair" --db "$d" repair;; esac
    rm -rf "$d"
  done
done
# a .tmp and a stray segment, a COMPACTION journal of garbage, a BACKUP of garbage
d=d-stray; cp -a base $d; cp "$d/${segs[0]}" "$d/9999999999.seg"; c corrupt-stray-seg-get --db $d get key00001; rm -rf $d
d=d-comp; cp -a base $d; echo garbage > $d/COMPACTION; c corrupt-compaction-garbage-get --db $d get key00001; c corrupt-compaction-garbage-put --db $d put a b; rm -rf $d
d=d-bk; cp -a base $d; echo garbage > $d/BACKUP; c corrupt-backup-garbage-get --db $d get key00001; c corrupt-backup-garbage-put --db $d put a b; c corrupt-backup-garbage-repair --db $d repair; rm -rf $d
d=d-dirseg; cp -a base $d; rm $d/${segs[-1]}; mkdir $d/${segs[-1]}; c corrupt-seg-is-dir-get --db $d get key00001; rm -rf $d
d=d-metadir; cp -a base $d; rm $d/META; mkdir $d/META; c corrupt-meta-is-dir-get --db $d get key00001; c corrupt-meta-is-dir-put --db $d put a b; rm -rf $d
# encrypted database
java -cp "$JAR" /tmp/badinput17/MakeDb.java enc 65536 s3cret 2>&1 | tail -2
c enc-no-pass --db enc get key00001
FERRUMDB_PASSPHRASE=wrong c enc-wrong-pass-env --db enc get key00001
echo wrong > wrongpass; c enc-wrong-pass-file --db enc --passphrase-file wrongpass get key00001
c enc-pass-file-missing --db enc --passphrase-file "$W/nx/p" get key00001
: > emptyp; c enc-pass-file-empty --db enc --passphrase-file emptyp get key00001
echo s3cret > goodpass; c enc-right-pass --db enc --passphrase-file goodpass get key00001
c enc-pass-on-plain --db base --passphrase-file goodpass get key00001
c enc-ask-no-terminal --db enc --ask-passphrase get key00001
for kind in flipmid fliphead half zero delete; do
  d=e-KEY-$kind; cp -a enc $d; damage $d KEY $kind
  c "enc-KEY-$kind-get" --db $d --passphrase-file goodpass get key00001
  c "enc-KEY-$kind-put" --db $d --passphrase-file goodpass put a b
  c "enc-KEY-$kind-repair" --db $d --passphrase-file goodpass repair
  rm -rf $d
done
esegs=($(cd enc && ls *.seg | sort))
d=e-seg; cp -a enc $d; flip $d/${esegs[0]} mid; c enc-seg-flip-verify --db $d --passphrase-file goodpass verify; c enc-seg-flip-get --db $d --passphrase-file goodpass get key00001; rm -rf $d
