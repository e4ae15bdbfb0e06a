#!/bin/sh
# tests/host/manyenv.sh - issue 11 "no fixed caps" end to end: corral (a
# subreaper) runs a oneshot with 200 Environment= entries (the loader
# used to refuse more than 32, and spawn kept at most 39 entries of 299
# bytes each), one of them replacing corral's HOME, one name assigned
# twice, and an ExecStart= of 70 arguments (the old cap was 64).  The
# service writes its environment and argument count to files; every entry
# must arrive whole, each name once.
# Only the corral started here is signalled, by pid; the trap removes its
# subtree and the temporary files even when a check fails.
# shellcheck disable=SC2317  # trap handlers look unreachable
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ -d /sys/fs/cgroup/pids ] || [ -f /sys/fs/cgroup/cgroup.controllers ] ||
	skip_all "needs the pids hierarchy or cgroup v2"
scenario_cleanup() {
	[ -n "${KEEP_LOG:-}" ] && cp "$T/console.log" "$KEEP_LOG" 2>/dev/null
}
subreaper_scenario manyenv

S=$T/conf/services
mkdir -p "$S" "$T/run"
# 12 entries to a line keeps each line within libinih's 199 bytes; the
# output files are relative to WorkingDirectory= for the same reason
awk -v dir="$T" 'BEGIN {
	print "[Service]"
	print "Type=oneshot"
	print "WorkingDirectory=" dir
	printf "ExecStart=/bin/sh -c \"env > env.out; echo $# > argc.out\" sh"
	for (i = 0; i < 70; i++) printf " %c", 97 + i % 26
	print ""
	for (i = 0; i < 200; i++)
		printf "%sV%03d=%08d%s", (i % 12 ? "" : "Environment="), i, i * 7,
			(i % 12 == 11 || i == 199 ? "\n" : " ")
	print "Environment=HOME=/srv/home V000=last"
}' > "$S/manyenv.service"
awk 'length > 199 { bad = 1 } END { exit bad }' "$S/manyenv.service" ||
	diag "a line of manyenv.service is longer than 199 bytes"

"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" \
	> "$T/console.log" 2>&1 &
CP=$!

check "the oneshot with 200 Environment= entries is done" retry 20 state_is manyenv "done"
grep '^V[0-9][0-9][0-9]=' "$T/env.out" 2>/dev/null | sort > "$T/got"
awk 'BEGIN { for (i = 0; i < 200; i++) printf "V%03d=%08d\n", i, i * 7 }' |
	sed 's/^V000=00000000$/V000=last/' | sort > "$T/want"
check "all 200 entries reach the service whole, V000 with its last value" \
	cmp "$T/got" "$T/want"
is "$(grep -c '^HOME=' "$T/env.out" 2>/dev/null)" 1 "HOME once"
check "Environment=HOME= replaces corral's HOME=/" grep -qx 'HOME=/srv/home' "$T/env.out"
check "corral's own entries are there too" grep -qx 'CORRAL_SERVICE=manyenv' "$T/env.out"
check "PATH too" grep -q '^PATH=/' "$T/env.out"
is "$(cat "$T/argc.out" 2>/dev/null)" 70 "ExecStart= with 70 arguments: all passed"

kill -TERM "$CP"
wait "$CP"
rc=$?
CP=
is "$rc" 0 "SIGTERM stops the services and corral exits 0"
cg_subtree_gone "$SUB"
ok $? "corral removed its subtree"

done_testing
