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
. "$here/tests/lib/corral.sh"

[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
subreaper_scenario sub

mkdir -p "$T/conf/services"
cat > "$T/conf/services/dbl.service" <<EOT
[Service]
Type=forking
ExecStart=/bin/sh -c '(sleep 1000 </dev/null >/dev/null 2>&1 &); exit 0'
EOT

"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" > "$T/log" 2>&1 &
CP=$!
check "corral answers" retry 10 ctl list
check "dbl is running" retry 10 sh -c "\"$INITCTL\" -r '$T/run' --kv status dbl | grep -q '^state running'"
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
cg_subtree_gone "$SUB"
ok $? "corral removed its subtree"
done_testing
