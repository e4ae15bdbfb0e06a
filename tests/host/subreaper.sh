#!/bin/sh
# tests/host/subreaper.sh - corral not as PID 1: a child-subreaper
# supervisor under this machine's init, in a private cgroup subtree.
# A daemon that double-forks is re-parented to corral (not to the real
# init) and stays tracked by its group; SIGTERM stops everything and
# corral exits 0, removing its subtree.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"

CORRAL=${CORRAL_BIN:-$here/build/corral}
INITCTL=${INITCTL_BIN:-$here/build/initctl}
SUB=corral-test-$$
T=$(mktemp -d /tmp/corral-sub.XXXXXX)
CP=

[ "$(id -u)" = 0 ] || skip_all "needs root"
[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"

cleanup() {
	[ -n "$CP" ] && kill -KILL "$CP" 2>/dev/null
	for d in /sys/fs/cgroup/*/"$SUB"; do
		[ -d "$d" ] || continue
		find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		sleep 0.2
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
[ -n "${KEEP_LOG:-}" ] && trap 'cp "$T/log" "$KEEP_LOG"; cleanup' EXIT
trap 'exit 1' INT TERM

ctl() { "$INITCTL" -r "$T/run" "$@"; }
mkdir -p "$T/conf/services"
cat > "$T/conf/services/dbl.service" <<EOT
[Service]
Type=forking
ExecStart=/bin/sh -c '(sleep 1000 </dev/null >/dev/null 2>&1 &); exit 0'
EOT

"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" > "$T/log" 2>&1 &
CP=$!
check "corral answers" retry 10 ctl list
check "dbl is running" retry 10 sh -c "\"$INITCTL\" -r '$T/run' status dbl | grep -q '^state running'"
D=$(cat "/sys/fs/cgroup/pids/$SUB/dbl/cgroup.procs" 2>/dev/null | head -n 1)
check "the double-forked daemon is in dbl's group" test -n "$D"
is "$(awk '/^PPid:/ { print $2 }' "/proc/$D/status" 2>/dev/null)" "$CP" \
	"it was re-parented to corral (child subreaper), not to the machine's init"
kill -TERM "$CP"
wait "$CP"
rc=$?
CP=
is "$rc" 0 "SIGTERM: corral stops its services and exits 0"
check "the daemon was stopped with its group" sh -c "! kill -0 $D"
left=0
for d in /sys/fs/cgroup/*/"$SUB"; do [ -d "$d" ] && left=1; done
is "$left" 0 "corral removed its subtree"
done_testing
