#!/bin/sh
# TAP checks inside the QEMU guest, for both cgroup layouts.  Paths come
# from `initctl status`, so the same checks read v1 and v2 trees.
. /tests/lib/tap.sh

layout=v1
grep -q 'cgroup_no_v1=all' /proc/cmdline && layout=v2
grep -q 'corral.layout=v1:cpuset,cpuacct:numtasks' /proc/cmdline && layout=v1-shared
diag "guest: cgroup $layout, kernel $(uname -r), $(nproc) cpus"

field() { initctl --kv status "$1" | awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }
paths() { initctl --kv status "$1" | awk '$1 == "path" { print $3 }'; }
state_is() { [ "$(field "$1" state)" = "$2" ]; }
# the container of NAME that has FILE (the hierarchy of that subsystem)
with_file() { for p in $(paths "$1"); do [ -e "$p/$2" ] && { echo "$p"; return; }; done; }

is "$(readlink /proc/1/exe)" /sbin/init "corral is PID 1"
if [ "$layout" = v1-shared ]; then
	check "v1: cpuset and cpuacct bound in one hierarchy" \
		grep -qE " /sys/fs/cgroup/cpuset,cpuacct [^ ]* .*- cgroup cgroup [^ ]*,cpuset,cpuacct(,favordynmods)?\$" /proc/self/mountinfo
	check "v1: pids in a hierarchy of its own" \
		grep -qE " /sys/fs/cgroup/pids [^ ]* .*- cgroup cgroup [^ ]*,pids(,favordynmods)?\$" /proc/self/mountinfo
	check "v1: no separate cpuset or cpuacct hierarchy" sh -c \
		"! grep -qE ' /sys/fs/cgroup/(cpuset|cpuacct) ' /proc/self/mountinfo"
elif [ "$layout" = v1 ]; then
	for c in cpuset cpuacct pids; do
		check "v1: $c in a hierarchy of its own at /sys/fs/cgroup/$c" \
			grep -qE " /sys/fs/cgroup/$c [^ ]* .*- cgroup cgroup [^ ]*,$c(,favordynmods)?\$" /proc/self/mountinfo
	done
	check "v1: controller-less cgroup2 tree for release events" \
		grep -q " /sys/fs/cgroup/unified .* - cgroup2 " /proc/self/mountinfo
	is "$(cat /sys/fs/cgroup/cpuset/release_agent)" "" "v1: kernel release_agent left empty"
	is "$(cat /sys/fs/cgroup/pids/corral/t-limited/notify_on_release)" 0 \
		"v1: kernel notify_on_release left at 0"
elif [ "$layout" = v2 ]; then
	check "v2: cgroup2 mounted at /sys/fs/cgroup" grep -q " /sys/fs/cgroup .* - cgroup2 " /proc/self/mountinfo
	check "v2: no v1 hierarchy (cgroup_no_v1=all)" sh -c "! grep -q ' - cgroup cgroup ' /proc/self/mountinfo"
	check "v2: cpuset and pids passed to corral's groups" sh -c \
		"grep -qw cpuset /sys/fs/cgroup/corral/cgroup.subtree_control && grep -qw pids /sys/fs/cgroup/corral/cgroup.subtree_control"
	check "v2: memory passed to corral's groups" grep -qw memory /sys/fs/cgroup/corral/cgroup.subtree_control
fi
# corral mounted these: favordynmods wherever the kernel lists it (the
# cgroup2 option since 6.0; a v1 mount the kernel refuses it for is made
# without, which the diag line shows)
if grep -qw favordynmods /sys/kernel/cgroup/features 2>/dev/null; then
	check "cgroup2 mounted with favordynmods (the kernel lists it)" \
		grep -qE " - cgroup2 [^ ]* [^ ]*favordynmods" /proc/self/mountinfo
	diag "v1 mounts with favordynmods: $(grep -c ' - cgroup cgroup .*favordynmods' /proc/self/mountinfo)"
else
	skip "the kernel does not list favordynmods" "cgroup2 mounted with favordynmods"
fi

# --- a service in its groups, with limits ---
check "t-limited is running" retry 10 state_is t-limited running
pid=$(field t-limited pid)
n=0
for p in $(paths t-limited); do grep -qx "$pid" "$p/cgroup.procs" && n=$((n + 1)); done
want=$(paths t-limited | wc -l)
[ "$layout" = v1 ] && is "$want" 5 "v1: a container in cpuset, cpuacct, pids, memory and the tracking tree"
[ "$layout" = v1-shared ] && is "$want" 4 "v1: a container in cpuset+cpuacct, pids, memory and the tracking tree"
[ "$layout" = v2 ] && is "$want" 1 "v2: one container in the unified hierarchy"
[ "$n" = "$want" ] ||
	for p in $(paths t-limited); do echo "# pid $pid; $p: $(tr '\n' ' ' < "$p/cgroup.procs")"; done
is "$n" "$want" "its process is in its container in all $want hierarchies"
cs=$(with_file t-limited cpuset.cpus)
is "$(cat "$cs/cpuset.cpus" 2>/dev/null)" 1 "cpuset.cpus=1 written"
is "$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$pid/status")" 1 "the process may run on cpu 1 only"
pd=$(with_file t-limited pids.max)
is "$(cat "$pd/pids.max" 2>/dev/null)" 5 "numtasks.max=5 written to pids.max"
is "$(field t-limited numtasks_max)" 5 "initctl status: numtasks max"
is "$(field t-limited numtasks_current)" 1 "initctl status: numtasks current"
is "$(field t-limited cpus)" 1 "initctl status: effective cpus"
if [ "$layout" = v2 ]; then mf=memory.max; else mf=memory.limit_in_bytes; fi
md=$(with_file t-limited $mf)
is "$(cat "$md/$mf" 2>/dev/null)" 67108864 "memory.max=64M written to $mf"
is "$(field t-limited memory_max)" 67108864 "initctl status: memory max"
mc=$(field t-limited memory_current)
check "initctl status: memory current ($mc bytes)" test "${mc:-0}" -gt 0
is "$(field t-limited oom_kills)" 0 "initctl status: no OOM kills"
check "initctl status: memory in the human view" sh -c "initctl status t-limited | grep -q 'memory_max: 64.0M'"
check "initctl --json status" sh -c "initctl --json status t-limited | grep -q '\"state\":\"running\"'"

# --- nested groups: the worker's limits sit below t-parent ---
check "nested worker running" retry 10 state_is t-nested running
is "$(field t-nested group)" t-parent/worker "its group is t-parent/worker"
np=$(with_file t-nested pids.max)
case $np in */corral/t-parent/worker) ok 0 "its container nests under t-parent" ;; *) ok 1 "its container nests under t-parent ($np)" ;; esac

# --- release: the group of an exited service is detected and removed ---
check "t-short started" retry 10 sh -c "initctl --kv status t-short | grep -q '^path '"
short_paths=$(paths t-short)
check "t-short exits and is down" retry 15 state_is t-short down
gone=0
for p in $short_paths; do retry 5 test ! -d "$p" && gone=$((gone + 1)); done
is "$gone" "$(echo "$short_paths" | wc -w)" "its empty group was released and removed in every hierarchy"

# --- example services from conf/ ---
check "httpd (user www, group web/httpd) answers" retry 10 sh -c "wget -q -O - http://127.0.0.1:8080/ | grep -q corral"
is "$(awk '/^Uid:/ { print $2 }' "/proc/$(field httpd pid)/status")" 33 "httpd runs as uid 33 (www)"
check "crond (Type=forking) is running" retry 10 state_is crond running
is "$(tr '\0' ' ' < "/proc/$(field crond pid)/cmdline" 2>/dev/null | awk '{ print $2 }')" crond \
	"its daemon (not the exited starter) is the tracked main process"
check "cpu time is accounted" sh -c "[ \"\$(initctl --kv status syslogd | awk '\$1 == \"cpu_user_ms\" { print \$2 }')\" -ge 0 ]"

# --- stop removes the group, start makes it again ---
sp=$(paths syslogd)
initctl stop syslogd >/dev/null
check "stop: syslogd down" retry 10 state_is syslogd down
left=0
for p in $sp; do [ -d "$p" ] && left=$((left + 1)); done
is "$left" 0 "stop: its group is removed"
initctl start syslogd >/dev/null
check "start: syslogd running again" retry 10 state_is syslogd running
is "$(cat "$(with_file syslogd pids.max)/pids.max" 2>/dev/null)" 4 "start: the re-created group has its limit again"

# --- issue 12: RuntimeDirectory= and a sandbox, corral as PID 1 on an initramfs ---
check "t-sandbox is running" retry 10 state_is t-sandbox running
check "  and has probed" retry 10 test -s /run/t-sandbox/probe
is "$(tr '\n' ';' < /run/t-sandbox/probe)" "/usr ro;/etc ro;/run/t-sandbox rw;" \
	"ProtectSystem=strict: /usr, /etc read-only, its RuntimeDirectory writable"
pid=$(field t-sandbox pid)
touch /tmp/guest-marker
is "$(ls -A "/proc/$pid/root/tmp" | wc -l)" 0 "PrivateTmp: its /tmp is empty"
is "$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$pid/status")" 1 "NoNewPrivileges=yes"
check "  the host side is still writable" touch /usr/.guest-probe
initctl stop t-sandbox >/dev/null
check "t-sandbox stopped" retry 10 state_is t-sandbox down
check "  its RuntimeDirectory removed" test ! -e /run/t-sandbox

done_testing
