#!/bin/sh
# tests/host/memory.sh - issue 10: the memory subsystem.  A service whose
# group has memory.max=32M allocates 64M: the kernel's OOM killer ends the
# allocating process inside that group (its shell survives), status counts
# the kill (oom_kills) and shows the limit and usage (text, JSON and the
# human view), stopping it releases the group; a second service limited
# with systemd's MemoryMax= in [Service] runs on untouched, and so does
# everything outside corral's groups.  corral runs as a subreaper; on this
# machine every process is in a non-root memory cgroup, so corral's
# subtree is made below the test's own memory cgroup.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

if [ -d /sys/fs/cgroup/memory ]; then
	MEMROOT=/sys/fs/cgroup/memory
elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	MEMROOT=/sys/fs/cgroup
else
	skip_all "no memory controller"
fi
PY=$(command -v python3) || skip_all "needs python3 to allocate memory"
subreaper_scenario memory

cat > "$T/conf/services/hog.service" <<EOT
[Service]
ExecStart=/bin/sh -c '$PY -c "import time; b = b\"x\" * (64 << 20); time.sleep(30)"; echo hog-exit=\$?; exec sleep 1000'
[Group]
memory.max=32M
EOT
cat > "$T/conf/services/calm.service" <<EOT
[Service]
ExecStart=/bin/sleep 1000
MemoryMax=64M
EOT

start_corral
check "corral answers" retry 10 ctl list
check "calm runs" retry 10 state_is calm running
CALM=$(field calm pid)
check "hog's allocation was OOM-killed inside its group" retry 20 grep -q "hog-exit=137" "$T/log"
is "$(field hog state)" running "hog's shell survives the kill: the service runs on"
ok=$(field hog oom_kills)
check "status counts the OOM kill (oom_kills $ok)" test "${ok:-0}" -ge 1
is "$(field hog memory_max)" 33554432 "status shows memory.max=32M as bytes"
is "$(field calm memory_max)" 67108864 "MemoryMax= in [Service] limits calm's group"
cur=$(field calm memory_current)
check "status shows usage ($cur bytes)" test "${cur:-0}" -gt 0
ctl --json status hog > "$T/json"
check "JSON: the same fields as numbers" grep -q '"memory_max":33554432' "$T/json"
check "JSON: oom_kills a number" grep -qE '"oom_kills":[1-9]' "$T/json"
ctl status hog > "$T/human"
check "human view: usage in K/M" grep -qE "memory_current: [0-9.]+[KM]" "$T/human"
check "human view: the limit as 32.0M" grep -q "memory_max: 32.0M" "$T/human"
dir=$(ctl --kv status hog | awk '$1 == "path" && $2 ~ /memory/ { print $3 }')
check "hog's memory container is below corral's own memory cgroup ($dir)" \
	sh -c "case '$dir' in $MEMROOT$(awk -F: '$2 ~ /(^|,)memory(,|$)/ || $2 == "" { print $3; exit }' /proc/$$/cgroup | sed 's#^/$##')/$SUB/hog) exit 0;; *) exit 1;; esac"
ctl stop hog > /dev/null
check "stopping hog releases its group" retry 10 test ! -d "$dir"
is "$(field calm pid)" "$CALM" "calm is untouched (same pid)"
check "calm still running" state_is calm running
check "corral is alive" kill -0 "$CP"
check "this shell was not touched" kill -0 $$
stop_corral
is "$rc" 0 "corral stops"
check "the subtree is gone everywhere" cg_subtree_gone "$SUB"
done_testing
