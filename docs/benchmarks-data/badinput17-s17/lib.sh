# Sweep helpers. JAR and OUT must be set. c NAME [env VAR=..] -- command args (ferrumdb args)
FDB() { timeout ${TMO:-60} java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$JAR" "$@"; }
c() {
  local name="$1"; shift
  local stdin="${STDIN:-/dev/null}"
  local o e rc
  o=$(mktemp); e=$(mktemp)
  FDB "$@" <"$stdin" >"$o" 2>"$e"; rc=$?
  local trace=""
  if grep -qE '^\s+at [a-z]|Exception:|Exception$|\bat io\.|\bat java\.' "$e" "$o"; then trace=" [TRACE/CLASS]"; fi
  [ $rc -eq 124 ] && trace="$trace [HANG]"
  printf '%s\t%s\trc=%s%s\tout=%s\terr=%s\n' "$name" "$*" "$rc" "$trace" \
    "$(head -c 300 "$o" | head -2 | tr '\n\t' '||' )" "$(head -c 400 "$e" | head -3 | tr '\n\t' '||')" >>"$OUT"
  rm -f "$o" "$e"
}
