#!/bin/sh
# tests/host/notify.sh - the NOTIFY_SOCKET receiver, with a client linked
# to libsystemd's sd_notify and with systemd-notify.  corral runs as a
# subreaper in a private cgroup subtree.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

CLIENT=$here/build/tests/helpers/notify_client
SUB=corral-test-$$
T=$(mktemp -d /tmp/corral-notify.XXXXXX)
CP=

[ "$(id -u)" = 0 ] || skip_all "needs root"
[ -x "$CLIENT" ] || skip_all "notify_client not built (libsystemd-dev missing)"

cleanup() {
	[ -n "$CP" ] && kill -KILL "$CP" 2>/dev/null
	cg_remove_subtree "$SUB"
	[ -n "${KEEP_LOG:-}" ] && cp "$T/log" "$KEEP_LOG"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM


mkdir -p "$T/conf/services"
svc() {	# svc NAME EXECSTART [extra [Service] lines]
	printf '[Service]\nType=notify\nExecStart=%s\n%s\n' "$2" "${3:-}" > "$T/conf/services/$1.service"
}
svc ready "$CLIENT STATUS=warming sleep:0.5 READY=1\\\\nSTATUS=serving"
svc sdn "/bin/sh -c 'sleep 0.2; systemd-notify --ready --status=via-systemd-notify --pid=\$\$; exec sleep 1000'"
svc never "$CLIENT STATUS=never-ready" "TimeoutStartSec=1"
svc garbage "$CLIENT empty big badkey ctrl STATUS=after-garbage sleep:2 READY=1"
svc mainpid "$CLIENT mainpid-init READY=1 sleep:0.3 mainpid-child"
printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$T/conf/services/plain.service"

"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" > "$T/log" 2>&1 &
CP=$!
check "corral answers" retry 10 ctl list

check "sd_notify READY=1 makes a notify service running" retry 10 state_is ready running
is "$(field ready status_text)" serving "STATUS= is shown by initctl status"
check "systemd-notify --ready works too" retry 10 state_is sdn running
is "$(field sdn status_text)" via-systemd-notify "systemd-notify --status"

check "garbage service: its valid STATUS got through" retry 5 sh -c "\"$INITCTL\" -r '$T/run' status garbage | grep -qx 'status_text after-garbage'"
is "$(field garbage state)" starting "empty, oversized, bad-key and control-char datagrams did not make it ready"
check "it becomes running on its real READY=1" retry 10 state_is garbage running
check "corral logged the malformed messages" grep -q "notify: dropped a malformed message" "$T/log"

check "MAINPID outside the group is refused" retry 5 grep -q "mainpid: ignoring MAINPID=1" "$T/log"
check "mainpid service running" retry 5 state_is mainpid running
check "MAINPID of a process in the group is taken" retry 5 sh -c "grep -q 'mainpid: main pid is now' '$T/log'"
CHILD=$(awk '/mainpid: main pid is now/ { print $NF }' "$T/log" | tail -n 1)
is "$(field mainpid pid)" "$CHILD" "status shows the new main pid"

NOTIFY_SOCKET=$T/run/notify.sock "$CLIENT" READY=1 &
OUT=$!
check "a process outside every group is ignored" retry 5 grep -q "in no service group" "$T/log"
kill "$OUT"

check "never-ready service fails after TimeoutStartSec" retry 10 state_is never failed
is "$(field never reason)" "start timeout" "reason: start timeout"
check "its group was removed" retry 5 test ! -d "/sys/fs/cgroup/pids/$SUB/never"
check "plain (simple) services get no NOTIFY_SOCKET" sh -c "! tr '\\0' '\\n' < /proc/\$(head -n1 /sys/fs/cgroup/pids/$SUB/plain/cgroup.procs)/environ | grep -q NOTIFY_SOCKET"
check "notify services do" sh -c "tr '\\0' '\\n' < /proc/\$(head -n1 /sys/fs/cgroup/pids/$SUB/ready/cgroup.procs)/environ | grep -qx 'NOTIFY_SOCKET=$T/run/notify.sock'"

kill -TERM "$CP"
wait "$CP"
is "$?" 0 "corral exits cleanly"
CP=
done_testing
