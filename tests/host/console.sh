#!/bin/sh
# tests/host/console.sh - issue 9 item 9: a slow console never blocks
# corral.  corral (a subreaper in a private cgroup subtree) has stdout and
# stderr on a FIFO whose reader first reads nothing for a while (a stuck
# serial line), then drains slowly.  A service prints 20 MB (450,000
# lines).  initctl must keep answering within 2 s, the service's own ring
# (initctl log) must get its output, and once the console drains a
# "N lines dropped" line says what was lost.  Every initctl call has a timeout: on a corral that blocks
# on its console they fail instead of hanging the suite.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

RP=
[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
PY=$(command -v /usr/bin/python3 python3 | head -n 1)
[ -n "$PY" ] || skip_all "needs python3 for the slow reader"
scenario_cleanup() {
	[ -n "$RP" ] && kill -KILL "$RP" 2>/dev/null
	[ -n "${KEEP_LOG:-}" ] && cp "$T/console" "$KEEP_LOG"
}
subreaper_scenario console

# within SECONDS COMMAND...: retry COMMAND until it succeeds, for at most
# SECONDS of wall time (retry counts attempts, and a blocked corral makes
# every attempt last its whole timeout)
within() {
	end=$(( $(date +%s) + $1 ))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}
tctl() { timeout 2 "$INITCTL" -r "$T/run" "$@"; }

mkdir -p "$T/conf/services"
cat > "$T/conf/services/flood.service" <<'EOT'
[Service]
ExecStart=/bin/sh -c "yes 'flood line 0123456789 0123456789 0123456789' | head -n 450000; echo FLOOD-DONE; exec sleep 1000"
EOT
printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$T/conf/services/quiet.service"

mkfifo "$T/fifo"
# the console: reads nothing until $T/go exists, then 1 KB per 10 ms
"$PY" -c 'import os, sys, time
fifo, out, go = sys.argv[1], sys.argv[2], sys.argv[3]
with open(fifo, "rb", buffering=0) as f, open(out, "wb", buffering=0) as o:
    while not os.path.exists(go):
        time.sleep(0.05)
    while True:
        b = f.read(1024)
        if not b:
            break
        o.write(b)
        time.sleep(0.01)' "$T/fifo" "$T/console" "$T/go" &
RP=$!
"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" > "$T/fifo" 2>&1 &
CP=$!

check "corral answers" within 10 tctl list
check "the flood service is running" within 10 sh -c "timeout 2 '$INITCTL' -r '$T/run' --kv status flood | grep -q '^state running'"
sleep 1
# the console is stuck: the reader has not read a byte yet
answered=0
for _ in 1 2 3 4 5; do
	tctl status flood > /dev/null 2>&1 && answered=$((answered + 1))
	sleep 0.3
done
is "$answered" 5 "initctl status answers within 2 s, 5 times out of 5, while the console is stuck"
check "the service's ring still gets its output (initctl log ends with FLOOD-DONE)" \
	within 15 sh -c "timeout 2 '$INITCTL' -r '$T/run' log flood | grep -q ' FLOOD-DONE\$'"
check "quiet is running too" sh -c "timeout 2 '$INITCTL' -r '$T/run' --kv status quiet | grep -q '^state running'"
check "(all that while the reader had not read a byte)" test ! -s "$T/console"
touch "$T/go"
sleep 1
check "initctl keeps answering while the console drains slowly" tctl status flood
check "once the console drains: 'N lines dropped' is logged" \
	within 30 grep -Eq 'corral: warning: console too slow: [1-9][0-9]* lines dropped' "$T/console"
check "forwarded service lines reached the console whole" \
	sh -c "grep -q '^flood: flood line 0123456789 0123456789 0123456789\$' '$T/console'"
check "no line on the console was cut" \
	sh -c "! grep -v -e '^flood: flood line 0123456789 0123456789 0123456789\$' -e '^\(\[[ 0-9.]*\] \)\?corral: ' -e '^flood: FLOOD-DONE\$' '$T/console'"

kill -TERM "$CP"
# a corral stuck on its console would not get to SIGTERM for minutes
( sleep 20; kill -KILL "$CP" 2>/dev/null ) &
KP=$!
wait "$CP"
rc=$?
kill "$KP" 2>/dev/null
CP=
is "$rc" 0 "corral stops and exits 0"
wait "$RP"
RP=
check "its last lines reached the console (flushed at exit)" within 5 grep -q "services stopped; exiting" "$T/console"
done_testing
