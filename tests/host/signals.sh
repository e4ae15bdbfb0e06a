#!/bin/sh
# tests/host/signals.sh - BusyBox-compatible signals to corral as PID 1 of
# a PID namespace.  reboot(2) in a namespace ends its init with SIGHUP for
# a restart and SIGINT for power-off/halt, which unshare reports as exit
# status 129 / 130: that tells which action corral chose.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

T=$(mktemp -d /tmp/corral-sig.XXXXXX)
UPID=
SUB=

[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v unshare >/dev/null || skip_all "unshare not installed"

cleanup() {
	[ -n "$UPID" ] && kill -KILL "$UPID" 2>/dev/null
	for s in TERM INT USR2 USR1 poweroff halt reboot; do
		for d in $(cg_subtree_dirs "corral-test-$$-$s"); do
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		done
	done
	for d in /sys/fs/cgroup/*/corral-test-$$-*; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$T/conf/services"
cat > "$T/conf/services/idle.service" <<EOT
[Service]
ExecStart=/bin/sleep 1000
EOT

run() {	# run SIGNAL|initctl-cmd WANT-STATUS WHAT ACTION
	SUB=corral-test-$$-$1
	rm -rf "$T/run"
	unshare --pid --mount --fork --mount-proc --kill-child \
		"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" \
		> "$T/log" 2>&1 &
	UPID=$!
	if ! retry 10 sh -c "\"$INITCTL\" -r '$T/run' --kv status idle | grep -q '^state running'"; then
		ok 1 "$3"
		return
	fi
	case $1 in
	reboot|poweroff|halt) "$INITCTL" -r "$T/run" "$1" >/dev/null ;;
	*) kill "-$1" "$(cat "/proc/$UPID/task/$UPID/children" | awk '{ print $1 }')" ;;
	esac
	wait "$UPID"
	rc=$?
	UPID=
	is "$rc" "$2" "$3"
	check "  corral carried out '$4'" grep -qE "^(\[ *[0-9]+\.[0-9]+\] )?corral: $4\$" "$T/log"
	check "  services were stopped first ($1)" grep -q "idle: stopping → down" "$T/log"
	check "  and its subtree removed ($1)" test ! -d "/sys/fs/cgroup/pids/$SUB"
}

run TERM 129 "SIGTERM reboots" reboot
run INT 129 "SIGINT (ctrl-alt-del) reboots" reboot
run USR2 130 "SIGUSR2 powers off" poweroff
run USR1 130 "SIGUSR1 halts" halt
run poweroff 130 "initctl poweroff powers off" poweroff
run halt 130 "initctl halt halts" halt
run reboot 129 "initctl reboot reboots" reboot
done_testing
