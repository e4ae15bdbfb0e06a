#!/bin/sh
# tests/host/shutdown.sh - issue 9 item 12: SIGTERM to corral (a
# subreaper, one `sleep` service) while the engine reports the group's
# release.  services_stopped() used to close the grouping engine from inside
# grp_engine_check()'s loop, which then dropped its references on freed
# groups (heap use-after-free in grp_group_put).  Built with ASan (make
# check runs host scenarios against the sanitizer build through CORRAL_BIN),
# any such report fails the run; every build must exit 0 and remove its
# subtree.  The release races SIGCHLD, so the shutdown is repeated.
# shellcheck disable=SC2317  # trap handlers look unreachable
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

SUB=corral-test-$$
T=$(mktemp -d /tmp/corral-shutdown.XXXXXX)
CP=
ROUNDS=${SHUTDOWN_ROUNDS:-6}

[ "$(id -u)" = 0 ] || skip_all "needs root"
[ -d /sys/fs/cgroup/pids ] || [ -f /sys/fs/cgroup/cgroup.controllers ] ||
	skip_all "needs the pids hierarchy or cgroup v2"

cleanup() {
	[ -n "$CP" ] && kill -KILL "$CP" 2>/dev/null
	cg_remove_subtree "$SUB"
	[ -n "${KEEP_LOG:-}" ] && cat "$T"/log.* > "$KEEP_LOG" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$T/conf/services"
printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$T/conf/services/sleeper.service"

r=1
while [ "$r" -le "$ROUNDS" ]; do
	log=$T/log.$r
	"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" > "$log" 2>&1 &
	CP=$!
	check "round $r: sleeper running" retry 10 state_is sleeper running
	sleep 0.3
	kill -TERM "$CP"
	wait "$CP"
	rc=$?
	CP=
	is "$rc" 0 "round $r: SIGTERM stops the service and corral exits 0"
	if grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$log"; then
		ok 1 "round $r: no sanitizer report"
		grep -m1 -A8 'ERROR: \|runtime error' "$log" | sed 's/^/#   /'
	else
		ok 0 "round $r: no sanitizer report"
	fi
	check "round $r: the service was stopped and corral said it exits" \
		grep -q "services stopped; exiting" "$log"
	cg_subtree_gone "$SUB"
	ok $? "round $r: corral removed its subtree"
	r=$((r + 1))
done

done_testing
