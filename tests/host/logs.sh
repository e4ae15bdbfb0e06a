#!/bin/sh
# tests/host/logs.sh - service logs (issue 14), corral as a subreaper in
# a private subtree: every captured line carries the time corral read it;
# `initctl log NAME` prints them, -n N the last N, -f follows (a new line
# arrives while following; the follower is interrupted, exits 0 and
# corral drops the connection); "no output from NAME yet" exits 1, an
# unknown service 2; per-service files DIR/NAME/current with ISO
# timestamps, rotated at a tiny cap into current.1 .. current.KEEP; a
# follower that never reads loses lines with a marker and never stalls
# corral; console lines carry "[  s.mmm]", "NAME: running after T s" and
# the boot summary.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

FP=
SP=
scenario_cleanup() {
	[ -n "$FP" ] && kill -KILL "$FP" 2>/dev/null
	[ -n "$SP" ] && kill -KILL "$SP" 2>/dev/null
}
subreaper_scenario logs

mkdir -p "$T/conf/services"
cat > "$T/conf/corral.conf" <<EOT
[corral]
log_max_bytes=300
log_keep=2
EOT
cat > "$T/conf/services/talk.service" <<EOT
[Service]
ExecStart=/bin/sh -c 'for i in 0 1 2 3 4; do echo "line \$i"; done; exec sleep 1000'
EOT
cat > "$T/conf/services/quiet.service" <<EOT
[Service]
ExecStart=/bin/sleep 1000
EOT
# writes NEWLINE each time the test creates $T/go
cat > "$T/conf/services/poke.service" <<EOT
[Service]
ExecStart=/bin/sh -c 'echo poke started; while :; do if [ -e $T/go ]; then rm -f $T/go; echo NEWLINE; fi; sleep 0.1; done'
EOT
# 40 lines of 37 bytes (64 with the timestamp) into files of at most 300
cat > "$T/conf/services/big.service" <<EOT
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39; do echo "big line \$i abcdefghijklmnopqrstuvw"; done'
EOT
# floods when $T/flood exists (for the follower that never reads)
cat > "$T/flood.sh" <<EOT
while [ ! -e $T/flood ]; do sleep 0.1; done
i=0
while [ \$i -lt 5000 ]; do
	echo "flood line \$i 0123456789 0123456789 0123456789 0123456789"
	i=\$((i + 1))
done
echo FLOOD-DONE
while [ ! -e $T/flood2 ]; do sleep 0.1; done
echo AFTER-GAP
exec sleep 1000
EOT
cat > "$T/conf/services/flood.service" <<EOT
[Service]
ExecStart=/bin/sh $T/flood.sh
EOT

"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" \
	--log-dir "$T/logs" > "$T/log" 2>&1 &
CP=$!
check "corral answers" retry 10 ctl list
check "talk wrote its five lines" retry 10 sh -c "\"$INITCTL\" -r '$T/run' log talk | grep -q 'line 4\$'"

ctl log talk > "$T/all" 2> "$T/err"
is "$?" 0 "initctl log talk: exit 0"
is "$(wc -l < "$T/all")" 5 "all five lines (the default is what the ring holds)"
is "$(grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} line [0-4]$' "$T/all")" 5 \
	"every line carries a date and time with milliseconds"
# the time is when corral read the line: within a minute of now
t0=$(date -d "$(head -n 1 "$T/all" | cut -c1-19)" +%s 2>/dev/null || echo 0)
now=$(date +%s)
check "the timestamp is the time the line was read (within 60 s of now)" \
	test $((now - t0)) -ge 0 -a $((now - t0)) -le 60
is "$(ctl log talk -n 2 | sed 's/^[^ ]* [^ ]* //' | tr '\n' ' ')" "line 3 line 4 " "-n 2: the last two lines"
is "$(ctl log talk -n 0 | wc -l)" 0 "-n 0: none"
is "$(ctl log talk -n 100 | wc -l)" 5 "-n larger than the ring: all"
is "$(ctl log talk.service -n 1 | sed 's/^[^ ]* [^ ]* //')" "line 4" "NAME.service is accepted"
ctl log talk -n x > /dev/null 2>&1
is "$?" 2 "-n x: usage error, exit 2"

ctl log quiet > "$T/q.out" 2> "$T/q.err"
is "$?" 1 "a service with no output: exit 1"
check "... saying 'no output from quiet yet'" grep -q "no output from quiet yet" "$T/q.err"
is "$(wc -c < "$T/q.out")" 0 "... and nothing on stdout"
ctl log nosuch > /dev/null 2> "$T/n.err"
is "$?" 2 "an unknown service: exit 2"
check "... saying so" grep -q "no service named nosuch" "$T/n.err"

# --- follow -----------------------------------------------------------------
check "poke started" retry 10 sh -c "\"$INITCTL\" -r '$T/run' log poke | grep -q 'poke started'"
fds_before=$(ls "/proc/$CP/fd" | wc -l)
"$INITCTL" -r "$T/run" log poke -f -n 1 > "$T/follow" 2> "$T/follow.err" &
FP=$!
check "-f prints the last line of the ring at once" retry 10 grep -q ' poke started$' "$T/follow"
: > "$T/go"
check "-f: a line written after it started arrives" retry 10 grep -q ' NEWLINE$' "$T/follow"
check "... with its timestamp" grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]{12} NEWLINE$' "$T/follow"
: > "$T/go"
check "-f: and the next one" retry 10 sh -c "test \$(grep -c ' NEWLINE\$' '$T/follow') -eq 2"
kill -INT "$FP"
wait "$FP"
is "$?" 0 "-f: interrupted, initctl exits 0"
FP=
check "corral closed the follower's connection" retry 10 sh -c "test \$(ls /proc/$CP/fd | wc -l) -eq $fds_before"
check "corral still answers" ctl list

# --- a follower that never reads ------------------------------------------
# connects, asks to follow flood, never reads: corral's bounded buffer for
# it fills and lines are dropped, while corral keeps answering
SP=
# the request size and the CTL_LOG number from initctl itself: follow
# with a real initctl stopped by SIGSTOP, so it never reads
"$INITCTL" -r "$T/run" log flood -f > "$T/slow" 2>&1 &
SP=$!
sleep 0.5
kill -STOP "$SP"
: > "$T/flood"
check "flood ran to its end (corral kept reading it)" retry 20 sh -c "\"$INITCTL\" -r '$T/run' log flood -n 1 | grep -q FLOOD-DONE"
check "corral answers while a follower is stuck" ctl list
kill -CONT "$SP"
check "the stuck follower is told lines were dropped" retry 10 grep -q 'lines dropped: this client reads too slowly' "$T/slow"
check "... in order: the marker after flood lines it did get" sh -c \
	"grep -n -e 'lines dropped' -e ' flood line ' '$T/slow' | tail -n 1 | grep -q 'lines dropped'"
: > "$T/flood2"
check "... and then lines written after the gap" retry 10 grep -q ' AFTER-GAP$' "$T/slow"
kill -INT "$SP"
wait "$SP"
SP=

# --- files ----------------------------------------------------------------
check "talk/current has the lines with ISO timestamps" \
	test "$(grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z line [0-4]$' "$T/logs/talk/current")" = 5
check "big finished" retry 10 sh -c "\"$INITCTL\" -r '$T/run' log big -n 1 | grep -q 'big line 39'"
check "big/current.1 and current.2: rotated at the 300-byte cap" test -f "$T/logs/big/current.1" -a -f "$T/logs/big/current.2"
check "log_keep=2: no current.3" test ! -e "$T/logs/big/current.3"
for f in current current.1 current.2; do
	check "big/$f is at most 300 bytes" test "$(wc -c < "$T/logs/big/$f")" -le 300
done
check "the newest line is in current" grep -q 'big line 39 ' "$T/logs/big/current"
check "current.2 is older than current.1" sh -c \
	"test \$(sed -n 's/.*big line \([0-9]*\) .*/\1/p' '$T/logs/big/current.2' | tail -n 1) -lt \$(sed -n 's/.*big line \([0-9]*\) .*/\1/p' '$T/logs/big/current.1' | head -n 1)"
check "no log file for a service without output" test ! -e "$T/logs/quiet/current"

# --- console --------------------------------------------------------------
check "console lines carry [ seconds.millis ] before corral:" grep -qE '^\[ *[0-9]+\.[0-9]{3}\] corral: ' "$T/log"
check "talk: running after T s" grep -qE '\] corral: talk: running after [0-9]+\.[0-9]{3} s$' "$T/log"
check "big: done after T s" grep -qE '\] corral: big: done after [0-9]+\.[0-9]{3} s$' "$T/log"
check "the boot summary" grep -qE '\] corral: all 5 services up in [0-9]+\.[0-9]{3} s \(0 failed\)$' "$T/log"
is "$(grep -c 'services up in' "$T/log")" 1 "... once"

kill -TERM "$CP"
wait "$CP"
is "$?" 0 "SIGTERM: corral exits 0"
CP=
done_testing
