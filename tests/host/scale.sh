#!/bin/sh
# tests/host/scale.sh - 2000 services (issue 11): corral as a subreaper
# loads, starts, reports and stops them all, in its own cgroup subtree.
# Counts and states are asserted; the times are only printed (speed
# targets live in bench/).
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

N=${SCALE_N:-2000}
# four containers and two pipe ends per service, and some to spare;
# corral raises its soft limit to this hard one
HARD=$(awk '/^Max open files/ { print $5 }' /proc/self/limits)
[ "$HARD" = unlimited ] || [ "$HARD" -ge $((N * 7 + 200)) ] ||
	skip_all "the hard RLIMIT_NOFILE ($HARD) is too low for $N services"
[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
subreaper_scenario scale

i=0
while [ "$i" -lt "$N" ]; do
	printf '[Service]\nExecStart=/bin/sleep 100000\n' > "$T/conf/services/s$i.service"
	i=$((i + 1))
done
running() { ctl --kv status | grep -c '^state running$'; }

t0=$(date +%s.%N)
start_corral
check "corral answers" retry 30 ctl list
check "$N services loaded" grep -q "$N services loaded" "$T/log"
retry 300 sh -c "[ \"\$(\"$INITCTL\" -r '$T/run' --kv status | grep -c '^state running$')\" -ge $N ]"
t1=$(date +%s.%N)
is "$(running)" "$N" "all $N services running"
diag "start of $N: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
is "$(cat /sys/fs/cgroup/pids/"$SUB"/s$((N - 1))/pids.current 2>/dev/null)" 1 "the last one is in its own group"
is "$(find /sys/fs/cgroup/pids/"$SUB" -mindepth 1 -maxdepth 1 -type d | wc -l | tr -d ' ')" "$N" "$N groups in the pids hierarchy"
t0=$(date +%s.%N)
stop_corral
t1=$(date +%s.%N)
is "$rc" 0 "SIGTERM: all $N stopped, corral exits 0"
diag "stop of $N: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
is "$(grep -c ': stopping → down' "$T/log")" "$N" "every one went down"
cg_subtree_gone "$SUB"
ok $? "the subtree is removed"
[ "$TAP_FAILED" -eq 0 ] || tail -n 30 "$T/log" | sed 's/^/# /'
done_testing
