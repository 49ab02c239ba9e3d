#!/usr/bin/env bash
# run_all.sh JAR LABEL  -> /tmp/badinput17/LABEL/*.tsv
set -u
JAR="$1"; L="$2"; R=/tmp/badinput17/$L; mkdir -p $R
export JAR
OUT=$R/cli.tsv W=/tmp/badinput17/w-$L-cli bash /tmp/badinput17/sweep_cli.sh 2>$R/cli.log
OUT=$R/corrupt.tsv W=/tmp/badinput17/w-$L-cor bash /tmp/badinput17/sweep_corrupt.sh 2>$R/corrupt.log
OUT=$R/import.tsv W=/tmp/badinput17/w-$L-imp bash /tmp/badinput17/sweep_import.sh 2>$R/import.log
# server
W=/tmp/badinput17/w-$L-srv; rm -rf $W; mkdir -p $W
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar $JAR --db $W/db serve --port 0 >$W/banner 2>$W/serve.err &
SP=$!; for i in $(seq 60); do grep -q 'port\|:[0-9]' $W/banner 2>/dev/null && break; sleep 0.5; done
PORT=$(grep -o '127.0.0.1:[0-9]*' $W/banner | head -1 | cut -d: -f2)
echo "server port $PORT: $(cat $W/banner)" > $R/resp.log
timeout 600 python3 /tmp/badinput17/sweep_resp.py $PORT $R/resp.tsv >>$R/resp.log 2>&1
kill $SP; wait $SP; echo "serve exit $?" >> $R/resp.log; tail -20 $W/serve.err >> $R/resp.log
# mcp
W=/tmp/badinput17/w-$L-mcp; rm -rf $W; mkdir -p $W
timeout 600 python3 /tmp/badinput17/sweep_mcp.py $JAR $W/db $R/mcp.tsv > $R/mcp.log 2>&1
# studio
W=/tmp/badinput17/w-$L-studio; rm -rf $W; mkdir -p $W
timeout 600 python3 /tmp/badinput17/sweep_studio.py $JAR $W/db $R/studio.tsv > $R/studio.log 2>&1
# pty
W=/tmp/badinput17/w-$L-pty; rm -rf $W; mkdir -p $W
timeout 600 python3 /tmp/badinput17/sweep_pty.py $JAR $W $R/pty.tsv > $R/pty.log 2>&1
echo done
