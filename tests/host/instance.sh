#!/bin/sh
# tests/host/instance.sh - one corral per run dir and cgroup subtree, and
# groups removed behind corral's back (issue 14), corral as a subreaper:
# - a second corral on the same run dir is refused (exit 1) naming the
#   first's pid, and leaves the first's control socket and services alone;
# - so is one on another run dir but the same subtree;
# - a service's group directories are removed while corral is stopped
#   (SIGSTOP; the service's process, which this corral started, killed
#   first so the group is empty): corral counts the group as empty, says
#   so once, the service leaves "stopping", and a later stop and the
#   shutdown complete instead of hanging.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

C2=
scenario_cleanup() {
	[ -n "$CP" ] && kill -CONT "$CP" 2>/dev/null	# it may be stopped
	[ -n "$C2" ] && kill -KILL "$C2" 2>/dev/null
	cg_remove_subtree "$SUB-b"
}
subreaper_scenario inst
# signal a pid corral reported, never 0 (our process group), 1 or ourselves
kill_svc() { case $2 in ''|0|1|"$$") return 1;; esac; kill "$1" "$2"; }

mkdir -p "$T/conf/services"
cat > "$T/conf/services/keep.service" <<EOT
[Service]
ExecStart=/bin/sleep 1000
EOT
cat > "$T/conf/services/gone.service" <<EOT
[Service]
ExecStart=/bin/sleep 1000
EOT

"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" > "$T/log" 2>&1 &
CP=$!
check "corral answers" retry 10 ctl list
check "keep is running" retry 10 state_is keep running
check "gone is running" retry 10 state_is gone running
KPID=$(field keep pid)

# --- a second instance -------------------------------------------------------
timeout 10 "$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB-b" \
	> "$T/second" 2>&1
is "$?" 1 "a second corral on the same run dir exits 1"
check "... naming the first one's pid" grep -q "another corral (pid $CP) is running with run directory $T/run" "$T/second"
check "... before starting anything" sh -c "! grep -q 'starting' '$T/second'"
check "the first still answers on its socket" ctl list
is "$(field keep pid)" "$KPID" "... and its service was left alone"
timeout 10 "$CORRAL" --config-dir "$T/conf" --run-dir "$T/run-b" --cgroup-subtree "$SUB" \
	> "$T/third" 2>&1
is "$?" 1 "a corral on another run dir but the same subtree exits 1"
check "... naming the first one's pid and the subtree" grep -q "another corral (pid $CP) is using cgroup subtree $SUB" "$T/third"
check "... and made no control socket" test ! -e "$T/run-b/corral.sock"
check "the lock is not inherited by services" sh -c "! ls -l /proc/$KPID/fd | grep -q corral.lock"

# --- a group removed behind corral's back -------------------------------------
# gone has left "stopping": its run is over
gone_over() { case $(field gone state) in failed|down|backoff|starting|running) return 0;; esac; return 1; }
gone_down() { case $(field gone state) in failed|down) return 0;; esac; return 1; }
GPID=$(field gone pid)
dirs=$(find /sys/fs/cgroup -maxdepth 4 -type d -path "*/$SUB/gone" 2>/dev/null)
check "gone's group directories found" test -n "$dirs"
kill -STOP "$CP"
kill_svc -KILL "$GPID"
check "gone's process is dead (a zombie of the stopped corral)" retry 10 sh -c \
	"! grep -q '^State:.*[RS]' /proc/$GPID/status 2>/dev/null"
rmok=0
for d in $dirs; do
	retry 5 rmdir "$d" || rmok=1
done
is "$rmok" 0 "the empty group directories were removed while corral was stopped"
kill -CONT "$CP"
check "gone leaves stopping: the vanished group counts as empty" retry 10 gone_over
is "$(grep -c 'group gone: .* disappeared; counting the group as empty' "$T/log")" 1 \
	"it is logged once (not once per hierarchy)"
check "... as a warning naming the directory" grep -q "warning: group gone: /sys/fs/cgroup/.*/$SUB/gone disappeared" "$T/log"
check "starting gone again works (its group is made again)" ctl start gone
check "... and it runs" retry 10 state_is gone running
GPID=$(field gone pid)
# once more, with a stop request waiting for corral as it wakes up
kill -STOP "$CP"
kill_svc -KILL "$GPID"
retry 10 sh -c "! grep -q '^State:.*[RS]' /proc/$GPID/status 2>/dev/null"
for d in $dirs; do retry 5 rmdir "$d"; done
timeout 10 "$INITCTL" -r "$T/run" stop gone > /dev/null 2>&1 &
SP=$!
sleep 0.3
kill -CONT "$CP"
wait "$SP"
is "$?" 0 "initctl stop completes on a vanished group"
check "gone is down or failed" retry 10 gone_down
# and keep's group goes during the shutdown itself
kill -STOP "$CP"
kill_svc -KILL "$KPID"
retry 10 sh -c "! grep -q '^State:.*[RS]' /proc/$KPID/status 2>/dev/null"
kdirs=$(find /sys/fs/cgroup -maxdepth 4 -type d -path "*/$SUB/keep" 2>/dev/null)
for d in $kdirs; do
	retry 5 rmdir "$d"
done
kill -TERM "$CP"
kill -CONT "$CP"
# not `wait` alone: before the fix this took the 120 s grace
if retry 10 sh -c "! kill -0 $CP 2>/dev/null || grep -q '^State:.*Z' /proc/$CP/status"; then
	wait "$CP"
	rc=$?
	CP=
	is "$rc" 0 "the shutdown completes with a vanished group, exit 0"
	ok 0 "... within 10 s, not after the 120 s grace"
else
	ok 1 "the shutdown completes with a vanished group, exit 0"
	ok 1 "... within 10 s, not after the 120 s grace"
fi
check "corral removed its subtree" cg_subtree_gone "$SUB"
check "... and its lock files" test ! -e "/run/corral-subtree.$SUB.lock" -a ! -e "$T/run/corral.lock"
done_testing
