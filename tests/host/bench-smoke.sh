#!/bin/sh
# tests/host/bench-smoke.sh - the side-by-side benchmark (bench/, make
# bench) runs end to end in quick mode (N=5, one round) and prints a
# complete table.  No timing is asserted: only that every metric row is
# there with a cell for every column, that corral and the floor were
# actually measured (numbers, not "n/a"/"fail"), that runit and s6 were
# measured too when installed, and that nothing of the run is left in the
# cgroup hierarchies or on tmpfs.  runit/s6 are not installed from here
# (BENCH_NO_INSTALL=1): make bench does that.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

ID=smoke$$
T=$(mktemp -d /tmp/corral-bench-smoke.XXXXXX)

[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v python3 >/dev/null 2>&1 || skip_all "needs python3"
[ -d /sys/fs/cgroup ] || skip_all "needs cgroups"

cleanup() {
	cg_remove_subtree "corral-bench-$ID"
	cg_remove_subtree "corral-bench-$ID-corral"
	rm -rf "$T" "/dev/shm/corral-bench-$ID"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# the two bench programs, into our own build directory
make -s -C "$here" B="$T/b" "$T/b/bench/pause" "$T/b/bench/floor" > "$T/make.log" 2>&1
rc=$?
ok "$rc" "bench/pause and bench/floor build"
[ "$rc" = 0 ] || sed 's/^/# /' "$T/make.log"

BENCH_QUICK=1 BENCH_NO_INSTALL=1 timeout 120 sh "$here/bench/run.sh" --build "$T/b" \
	--corral "$CORRAL" --initctl "$INITCTL" --id "$ID" --sizes 5 --rounds 1 \
	--out "$T/table.md" > "$T/out" 2> "$T/err"
rc=$?
is "$rc" 0 "the harness exits 0"
[ "$rc" = 0 ] || sed 's/^/# /' "$T/err" | tail -n 20

# the table: the header and the rows a quick run has
row() { grep -F "| $1" "$T/table.md"; }
check "the table has its header" grep -qx '| metric | floor | runit | s6 | corral | corral/best peer | corral/floor |' "$T/table.md"
for r in "start 5 services" "start 5: until \`initctl list\`" "stop 5 services" \
	"supervisor Pss with 5 services" "restart: kill -> replacement" \
	"release: last task killed -> group removed, 0 other groups" \
	"release: last task killed -> group removed, 5 other groups" \
	"idle 1 s, 5 services: syscalls" "status of all 5" "list of all 5"; do
	check "row '$r' is there" row "$r"
done
if [ -e /sys/fs/cgroup/unified/cgroup.procs ] || [ -e /sys/fs/cgroup/cgroup.procs ]; then
	check "row 'start 5: CPU time' is there (cgroup2)" row "start 5: CPU time"
fi

# every row: 7 cells, none empty, none failed
bad=$(awk -F'|' '/^\| / && !/^\| metric/ {
	if (NF != 9) { print "cells: " $0; next }
	for (i = 2; i <= 8; i++) {
		c = $i; gsub(/^ +| +$/, "", c)
		if (c == "" || c ~ /fail/) print "cell " i ": " $0
	}
}' "$T/table.md")
is "$bad" "" "every row has a cell for every column, none empty or failed"
rows=$(grep -c '^| [a-z]' "$T/table.md")
check "at least 12 metric rows ($rows)" test "$rows" -ge 12

# measured, not skipped: corral and floor have numbers (awk fields: 2 is
# the metric, then floor 3, runit 4, s6 5, corral 6)
num() { row "$1" | awk -F'|' -v c="$2" '{ x = $c; gsub(/ /, "", x); exit !(x ~ /^[0-9]/) }'; }
for r in "start 5 services" "stop 5 services" "supervisor Pss with 5" "restart: kill"; do
	check "corral measured: $r" num "$r" 6
	check "floor measured: $r" num "$r" 3
done
check "corral measured: release, 0 other groups" num "release: last task killed -> group removed, 0 other" 6
check "floor measured: release, 0 other groups" num "release: last task killed -> group removed, 0 other" 3
if command -v runsvdir >/dev/null 2>&1 && command -v sv >/dev/null 2>&1; then
	check "runit measured: start 5" num "start 5 services" 4
	check "runit measured: stop 5" num "stop 5 services" 4
else
	check "runit missing: says so" sh -c "grep -F '| start 5 services' '$T/table.md' | grep -q 'runit not installed'"
fi
if command -v s6-svscan >/dev/null 2>&1; then
	check "s6 measured: start 5" num "start 5 services" 5
	check "s6 measured: stop 5" num "stop 5 services" 5
else
	check "s6 missing: says so" sh -c "grep -F '| start 5 services' '$T/table.md' | grep -q 's6 not installed'"
fi
check "the table also went to stdout" grep -qF '| start 5 services' "$T/out"

# nothing left behind
cg_subtree_gone "corral-bench-$ID" && cg_subtree_gone "corral-bench-$ID-corral"
ok $? "no corral-bench-$ID subtree is left in any hierarchy"
check "no scratch directory is left on tmpfs" test ! -e "/dev/shm/corral-bench-$ID"
done_testing
