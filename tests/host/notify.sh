#!/bin/sh
# tests/host/notify.sh - the NOTIFY_SOCKET receiver, with a client linked
# to libsystemd's sd_notify and with systemd-notify.  corral runs as a
# subreaper in a private cgroup subtree.
#
# Every Type=notify service has a socket of its own (RUNDIR/notify/NAME.sock,
# mode 0600, owned by its user).  Issue 9 item 13: READY=1 from a sender that
# exits at once used to be lost about 70% of the time (corral looked the
# sender's pid up in the groups after it had gone); here 100 starts of such a
# service with each client must all reach running.
# NOTIFY_CLIENT picks the helper (default build/tests/helpers/notify_client).
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

CLIENT=${NOTIFY_CLIENT:-$here/build/tests/helpers/notify_client}
SUB=corral-test-$$
T=$(mktemp -d /tmp/corral-notify.XXXXXX)
CP=
STARTS=${NOTIFY_STARTS:-100}

[ "$(id -u)" = 0 ] || skip_all "needs root"
[ -x "$CLIENT" ] || skip_all "notify_client not built (libsystemd-dev missing)"
command -v systemd-notify >/dev/null || skip_all "systemd-notify not installed"
id nobody >/dev/null 2>&1 || skip_all "no user nobody"
NOBODY=$(id -u nobody)

cleanup() {
	[ -n "$CP" ] && kill -KILL "$CP" 2>/dev/null
	cg_remove_subtree "$SUB"
	[ -n "${KEEP_LOG:-}" ] && cp "$T/log" "$KEEP_LOG"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# services of user nobody must reach $T/run/notify
chmod 0755 "$T"
mkdir -p "$T/conf/services"
svc() {	# svc NAME EXECSTART [extra [Service] lines]
	printf '[Service]\nType=notify\nExecStart=%s\n%s\n' "$2" "${3:-}" > "$T/conf/services/$1.service"
}
svc ready "$CLIENT STATUS=warming sleep:0.5 READY=1\\\\nSTATUS=serving"
# $$$$ (escaped below): the shell's $$, written as systemd wants it ($$ is $)
svc sdn "/bin/sh -c 'sleep 0.2; systemd-notify --ready --status=via-systemd-notify --pid=\$\$\$\$; exec sleep 1000'"
svc never "$CLIENT STATUS=never-ready" "TimeoutStartSec=3"
svc garbage "$CLIENT empty big badkey ctrl STATUS=after-garbage sleep:4 READY=1"
svc mainpid "$CLIENT mainpid-init READY=1 sleep:0.3 mainpid-child"
printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$T/conf/services/plain.service"
# a service of another user, and one that tries to speak for another
svc usr "/bin/sh -c 'systemd-notify --ready --no-block --status=as-nobody; exec sleep 1000'" "User=nobody"
svc victim "/bin/sleep 1000" "TimeoutStartSec=60"
svc spoof "/bin/sh -c 'systemd-notify --ready --no-block --status=spoofed; echo spoof sent; exec sleep 1000'" \
	"User=nobody
TimeoutStartSec=60
Environment=NOTIFY_SOCKET=$T/run/notify/victim.sock"
# READY=1 from a process that exits at once, then the shell goes on
svc flash "/bin/sh -c '$CLIENT READY=1 exit; exec sleep 1000'" "TimeoutStartSec=3"
svc flashsd "/bin/sh -c 'systemd-notify --ready; exec sleep 1000'" "TimeoutStartSec=3"
# systemd-notify sends with its parent's pid: a subshell that is gone too
svc flashnb "/bin/sh -c '(systemd-notify --ready --no-block; :); exec sleep 1000'" "TimeoutStartSec=3"

"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" > "$T/log" 2>&1 &
CP=$!
check "corral answers" retry 10 ctl list

check "sd_notify READY=1 makes a notify service running" retry 10 state_is ready running
is "$(field ready status_text)" serving "STATUS= is shown by initctl status"
check "systemd-notify --ready works too" retry 10 state_is sdn running
is "$(field sdn status_text)" via-systemd-notify "systemd-notify --status"

check "garbage service: its valid STATUS got through" retry 5 sh -c "\"$INITCTL\" -r '$T/run' --kv status garbage | grep -qx 'status_text after-garbage'"
is "$(field garbage state)" starting "empty, oversized, bad-key and control-char datagrams did not make it ready"
check "it becomes running on its real READY=1" retry 10 state_is garbage running
check "corral logged the malformed messages" grep -q "garbage: notify: dropped a malformed message" "$T/log"

check "MAINPID outside the group is refused" retry 5 grep -q "mainpid: ignoring MAINPID=1" "$T/log"
check "mainpid service running" retry 5 state_is mainpid running
check "MAINPID of a process in the group is taken" retry 5 sh -c "grep -q 'mainpid: main pid is now' '$T/log'"
CHILD=$(awk '/mainpid: main pid is now/ { print $NF }' "$T/log" | tail -n 1)
is "$(field mainpid pid)" "$CHILD" "status shows the new main pid"

# --- one socket per service ---
env_of() { tr '\0' '\n' < "/proc/$(head -n1 "/sys/fs/cgroup/pids/$SUB/$1/cgroup.procs")/environ" | grep '^NOTIFY_SOCKET='; }
check "plain (simple) services get no NOTIFY_SOCKET" sh -c "! tr '\\0' '\\n' < /proc/\$(head -n1 /sys/fs/cgroup/pids/$SUB/plain/cgroup.procs)/environ | grep -q NOTIFY_SOCKET"
is "$(env_of ready)" "NOTIFY_SOCKET=$T/run/notify/ready.sock" "a notify service gets its own socket"
is "$(env_of sdn)" "NOTIFY_SOCKET=$T/run/notify/sdn.sock" "another one gets another socket"
is "$(stat -c '%a %u' "$T/run/notify/ready.sock" 2>&1)" "600 0" "the socket is mode 0600, owned by the service's user (root)"
check "a User=nobody service becomes ready through its socket" retry 10 state_is usr running
is "$(field usr status_text)" as-nobody "its STATUS= got through"
is "$(stat -c '%a %u' "$T/run/notify/usr.sock" 2>&1)" "600 $NOBODY" "its socket is owned by nobody, mode 0600"

# --- a datagram on a socket can only affect that socket's service ---
check "spoof (user nobody) tried to notify on victim's socket" retry 10 grep -q "^spoof: spoof sent" "$T/log"
sleep 0.3
is "$(field victim state)" starting "victim is not made ready by another user's service"
check "victim's status was not set by it" sh -c "! \"$INITCTL\" -r '$T/run' --kv status victim | grep -q spoofed"
NOTIFY_SOCKET=$T/run/notify/victim.sock "$CLIENT" forged:"$NOBODY":READY=1 exit
check "credentials of a user other than the service's are refused" \
	retry 5 grep -q "victim: notify: dropped a message from pid [0-9]*, uid $NOBODY" "$T/log"
is "$(field victim state)" starting "victim still starting"
NOTIFY_SOCKET=$T/run/notify/victim.sock "$CLIENT" STATUS=from-root READY=1 exit
check "root may notify for the service" retry 5 state_is victim running
is "$(field victim status_text)" from-root "and its STATUS= applies to that service"
is "$(field spoof state)" starting "while the other starting service is unaffected"

# --- item 13: READY=1 from a sender that has exited is never lost ---
# up NAME OLDPID: wait (<= 5 s) for a run with a pid other than OLDPID to be
# running and print its pid; 1 when it failed (its TimeoutStartSec=3
# passed: READY=1 was lost)
up() {
	n=0
	while [ "$n" -lt 250 ]; do
		set -- "$1" "$2" "$(ctl --kv status "$1" | awk '$1 == "state" { s = $2 } $1 == "pid" { p = $2 } END { print s "/" p }')"
		case "$3" in
		running/"$2") ;;
		running/*) echo "${3#running/}"; return 0 ;;
		failed/*) return 1 ;;
		esac
		sleep 0.02
		n=$((n + 1))
	done
	return 1
}
many_starts() {	# NAME DESCRIPTION
	ups=0 lost=0 i=0 t0=$(date +%s) pid=$(field "$1" pid)
	while [ "$i" -lt "$STARTS" ] && [ "$lost" -lt 3 ]; do
		ctl restart "$1" >/dev/null
		if new=$(up "$1" "$pid"); then
			ups=$((ups + 1)) pid=$new
		else
			lost=$((lost + 1))
		fi
		i=$((i + 1))
	done
	diag "$1: $ups of $i starts reached running, $lost lost, $(( $(date +%s) - t0 )) s"
	is "$ups/$lost" "$STARTS/0" "$2: $STARTS starts, READY=1 never lost"
}
check "flash (libsystemd client that exits at once) first run" retry 5 state_is flash running
many_starts flash "sd_notify() from a child that exits at once"
check "flashsd first run" retry 5 state_is flashsd running
many_starts flashsd "systemd-notify --ready"
check "flashnb first run" retry 5 state_is flashnb running
many_starts flashnb "systemd-notify --ready --no-block"
check "no flash start timed out" sh -c "! grep -q 'flash[a-z]*: not ready' '$T/log'"

check "never-ready service fails after TimeoutStartSec" retry 10 state_is never failed
is "$(field never reason)" "start timeout" "reason: start timeout"
check "its group was removed" retry 5 test ! -d "/sys/fs/cgroup/pids/$SUB/never"

kill -TERM "$CP"
wait "$CP"
is "$?" 0 "corral exits cleanly"
CP=
check "the notify sockets and their directory are removed" test ! -e "$T/run/notify"
done_testing
