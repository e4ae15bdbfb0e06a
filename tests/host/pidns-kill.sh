#!/bin/sh
# tests/host/pidns-kill.sh - issue 9 item 11: a service group holding a
# task of another pid namespace.  cgroup2's cgroup.procs lists such a task
# as pid 0; corral used to call kill(0, SIGTERM) for it when stopping the
# service, which signals corral's own process group: as PID 1 it took that
# as "reboot" and ended its namespace.
#
# corral is PID 1 of a PID + mount namespace on this machine's cgroups (a
# private corral-test-<pid> subtree).  From outside, the test starts its own
# `sleep` and moves only that process into the service's containers; then
# `initctl stop`.  corral must stay up, and the service must end down: the
# final SIGKILL goes through cgroup.kill (Linux >= 5.14), which reaches the
# foreign task too; on older kernels the test ends its sleep itself.
# Everything started here is killed by pid; the subtree is removed.
# shellcheck disable=SC2317  # trap handlers look unreachable
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

SUB=corral-test-$$
T=$(mktemp -d /tmp/corral-pidns.XXXXXX)
UPID=
OUT=

[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v unshare >/dev/null || skip_all "unshare not installed"
# only cgroup2 lists invisible tasks (as 0); v1 leaves them out
grep -q ' - cgroup2 ' /proc/self/mountinfo || skip_all "no cgroup2 hierarchy mounted"

cleanup() {
	[ -n "$OUT" ] && kill -KILL "$OUT" 2>/dev/null
	if [ -n "$UPID" ] && kill -0 "$UPID" 2>/dev/null; then
		kill -KILL "$UPID" 2>/dev/null	# unshare; --kill-child takes corral
		wait "$UPID" 2>/dev/null
	fi
	cg_remove_subtree "$SUB"
	[ -n "${KEEP_LOG:-}" ] && cp "$T/console.log" "$KEEP_LOG"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$T/conf/services" "$T/run"
cat > "$T/conf/services/svc.service" <<EOT
[Service]
ExecStart=/bin/sleep 1000
TimeoutStopSec=1
EOT

unshare --pid --mount --fork --mount-proc --kill-child \
	"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" \
	> "$T/console.log" 2>&1 &
UPID=$!

check "corral answers on its control socket" retry 10 ctl list
CPID=$(cat "/proc/$UPID/task/$UPID/children" 2>/dev/null | awk '{ print $1 }')
is "$(awk '/^NSpid:/ { print $NF }' "/proc/$CPID/status" 2>/dev/null)" 1 "corral is PID 1 of its namespace"
check "svc running" retry 10 state_is svc running

# our own sleep, outside corral's pid namespace, into every container of svc
sleep 1000 &
OUT=$!
dirs=
for d in /sys/fs/cgroup/*/"$SUB"/svc /sys/fs/cgroup/"$SUB"/svc; do
	[ -f "$d/cgroup.procs" ] || continue
	echo "$OUT" > "$d/cgroup.procs" && dirs="$dirs $d"
done
diag "moved our sleep $OUT into$dirs"
V2=
for d in $dirs; do
	[ -f "$d/cgroup.events" ] && V2=$d
done
check "our sleep is in svc's cgroup2 container" sh -c "[ -n '$V2' ] && grep -qx '$OUT' '$V2/cgroup.procs'"
is "$(nsenter -t "$CPID" -p -m cat "$V2/cgroup.procs" 2>/dev/null | sort -n | head -n 1)" 0 \
	"inside corral's namespace cgroup.procs lists it as pid 0"
KILLFILE=no
[ -f "$V2/cgroup.kill" ] && KILLFILE=yes
diag "cgroup.kill available: $KILLFILE"

ctl stop svc >/dev/null
sleep 2.5	# past TimeoutStopSec=1: SIGTERM and SIGKILL both sent
check "corral (PID 1) is still running" kill -0 "$CPID"
check "corral still answers" ctl list
check "corral did not begin a shutdown" sh -c "! grep -q 'shutdown:' '$T/console.log'"
check "the pid-0 task was reported, not signalled" grep -q "svc: 1 task(s) listed as pid 0" "$T/console.log"
if [ "$KILLFILE" = yes ]; then
	check "SIGKILL through cgroup.kill ended our sleep" retry 5 sh -c "! kill -0 $OUT 2>/dev/null || grep -q '^State:.*Z' /proc/$OUT/status"
else
	skip "kernel without cgroup.kill" "SIGKILL through cgroup.kill ended our sleep"
fi
kill -KILL "$OUT" 2>/dev/null	# ours: never left running, whatever failed
wait "$OUT" 2>/dev/null
OUT=
check "svc ends down" retry 10 state_is svc down
check "svc's group was removed" retry 5 sh -c "! ls -d /sys/fs/cgroup/*/$SUB/svc >/dev/null 2>&1"

kill -TERM "$CPID" 2>/dev/null
# bounded: a corral stuck in its shutdown is killed by cleanup
retry 20 sh -c "! kill -0 $UPID"
if kill -0 "$UPID" 2>/dev/null; then
	kill -KILL "$UPID"
fi
wait "$UPID"
rc=$?
ok "$([ "$rc" -eq 129 ] || [ "$rc" -eq 0 ]; echo $?)" "corral then shuts down on SIGTERM as usual (unshare status $rc)"
UPID=
cg_subtree_gone "$SUB"
ok $? "corral removed its subtree from every hierarchy"

done_testing
