#!/bin/sh
# tests/host/pid1.sh - corral as PID 1 of a PID + mount namespace, on this
# machine's real cgroups, inside a private subtree (corral-test-<pid>).
#
# Only processes started here are signalled (corral, by pid; services are
# stopped through corral); the trap removes every corral-test-<pid>
# directory and the temporary files even when a check fails.
# CORRAL_BIN / INITCTL_BIN choose the binaries (default: build/).
# shellcheck disable=SC2317  # trap handlers look unreachable
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

SUB=corral-test-$$
T=$(mktemp -d /tmp/corral-pid1.XXXXXX)
UPID=

[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v unshare >/dev/null || skip_all "unshare not installed"
[ -d /sys/fs/cgroup/cpuset ] && [ -d /sys/fs/cgroup/pids ] && [ -d /sys/fs/cgroup/cpuacct ] ||
	skip_all "needs v1 cpuset, cpuacct and pids hierarchies"

cleanup() {
	if [ -n "$UPID" ] && kill -0 "$UPID" 2>/dev/null; then
		kill -KILL "$UPID" 2>/dev/null	# unshare; --kill-child takes corral
		wait "$UPID" 2>/dev/null
	fi
	cg_remove_subtree "$SUB"
	rm -rf "$T"
}
trap cleanup EXIT
[ -n "${KEEP_LOG:-}" ] && trap 'cp "$T/console.log" "$KEEP_LOG"; cleanup' EXIT
trap 'exit 1' INT TERM

cg_procs() { cat "/sys/fs/cgroup/$1/$SUB/$2/cgroup.procs" 2>/dev/null; }

# last cpu of our cpuset: a real restriction on a multi-cpu machine
LAST_CPU=$(awk -F'[-,]' '{ print $NF }' /sys/fs/cgroup/cpuset/cpuset.effective_cpus)

mkdir -p "$T/conf/services" "$T/run"
# as in systemd, a service file writes %% for a literal % and $$ for $
cat > "$T/conf/services/setup.service" <<EOT
[Unit]
Description=one-time setup before web
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'sleep 0.3; date +%%s.%%N > $T/setup.done'
EOT
cat > "$T/conf/services/web.service" <<EOT
[Unit]
Description=long-running server
After=setup
Requires=setup
[Service]
ExecStart=/bin/sh -c 'date +%%s.%%N > $T/web.started; echo web up; exec sleep 1000'
Restart=always
[Group]
cpuset.cpus=$LAST_CPU
TasksMax=16
EOT
cat > "$T/conf/services/db.service" <<EOT
[Service]
ExecStart=/bin/sleep 1000
EOT
cat > "$T/conf/services/app.service" <<EOT
[Unit]
After=db
Requires=db
[Service]
ExecStart=/usr/bin/perl -e '\$\$SIG{TERM} = sub { sleep 1; exit 0 }; sleep 1 while 1'
EOT
cat > "$T/conf/services/crashy.service" <<EOT
[Unit]
StartLimitBurst=4
StartLimitIntervalSec=60
[Service]
ExecStart=/bin/sh -c 'date +%%s.%%N >> $T/crashy.times; exit 1'
Restart=on-failure
RestartSec=300ms
EOT
cat > "$T/conf/services/daemon.service" <<EOT
[Service]
Type=forking
ExecStart=/bin/sh -c 'sleep 1000 </dev/null >/dev/null 2>&1 & echo \$! > $T/daemon.pid'
EOT
cat > "$T/conf/services/bomb.service" <<EOT
[Service]
ExecStart=/usr/bin/perl -e 'for (1..200) { my \$p = fork(); if (defined \$p && !\$p) { sleep 600; exit 0 } } sleep 1000'
[Group]
numtasks.max=10
EOT
cat > "$T/conf/services/stubborn.service" <<EOT
[Service]
ExecStart=/usr/bin/perl -e '\$\$SIG{TERM} = "IGNORE"; sleep 1 while 1'
TimeoutStopSec=1
EOT
cat > "$T/conf/services/badexec.service" <<EOT
[Service]
ExecStart=/nonexistent/program --flag
EOT
cat > "$T/conf/services/broken.service" <<EOT
[Service]
Type=sometimes
ExecStart=/bin/true
EOT

# --kill-child: if this script dies, the kernel ends corral with it
unshare --pid --mount --fork --mount-proc --kill-child \
	"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" \
	> "$T/console.log" 2>&1 &
UPID=$!

check "corral answers on its control socket" retry 10 ctl list
CPID=$(cat "/proc/$UPID/task/$UPID/children" 2>/dev/null | awk '{ print $1 }')
is "$(awk '/^NSpid:/ { print $NF }' "/proc/$CPID/status" 2>/dev/null)" 1 "corral is PID 1 of its namespace"
is "$(stat -c %a "$T/run/corral.sock")" 600 "control socket is mode 0600"
check "broken.service rejected alone, with file:line" grep -q "broken.service:2: Type" "$T/console.log"
ok "$(ctl list | grep -c broken)" "the broken unit is not loaded (others are)"

# --- ordering and the service in its three containers ---
check "web running" retry 10 state_is web running
check "oneshot setup is done" state_is setup "done"
if [ -f "$T/setup.done" ] && [ -f "$T/web.started" ]; then
	ok "$(awk -v a="$(cat "$T/setup.done")" -v b="$(cat "$T/web.started")" 'BEGIN { exit !(b >= a) }'; echo $?)" \
		"web started after setup finished (After/Requires)"
else
	ok 1 "web started after setup finished (After/Requires)"
fi
WEBPID=$(cg_procs cpuset web | head -n 1)
check "web's process is in cpuset $SUB/web" test -n "$WEBPID"
for h in cpuacct pids unified; do
	check "web's process is in $h $SUB/web" sh -c "grep -qx '$WEBPID' /sys/fs/cgroup/$h/$SUB/web/cgroup.procs"
done
is "$(cat "/sys/fs/cgroup/cpuset/$SUB/web/cpuset.cpus")" "$LAST_CPU" "cpuset.cpus applied"
is "$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$WEBPID/status")" "$LAST_CPU" \
	"the process can only run on cpu $LAST_CPU"
is "$(cat "/sys/fs/cgroup/pids/$SUB/web/pids.max")" 16 "numtasks.max (TasksMax) applied"
is "$(field web numtasks_max)" 16 "initctl status shows numtasks.max"
check "console shows service output with a name prefix" grep -q "^web: web up" "$T/console.log"
check "initctl log shows the service's output" sh -c "\"$INITCTL\" -r '$T/run' log web | grep -q ' web up\$'"

# --- crash: restart with backoff, then the start limit ---
check "crashy ends failed by its start limit" retry 15 state_is crashy failed
is "$(field crashy reason)" "start limit" "reason: start limit"
is "$(wc -l < "$T/crashy.times" | tr -d ' ')" 4 "crashy started StartLimitBurst=4 times"
# the delays corral chose, exactly; the starts were at least that far apart
# (a ratio of wall-clock gaps would depend on how loaded the machine is)
is "$(grep -o 'crashy: restarting in [0-9.]* s' "$T/console.log" | head -n 3 | awk '{ printf "%s ", $4 }')" \
	"0.300 0.600 1.200 " "restart delays start at RestartSec and double"
ok "$(awk 'NR > 1 { g[NR] = $1 - p } { p = $1 } END { exit !(g[2] >= 0.29 && g[3] >= 0.59 && g[4] >= 1.19) }' "$T/crashy.times"; echo $?)" \
	"  and the starts were that far apart"
diag "crashy start gaps: $(awk 'NR > 1 { printf "%.2f ", $1 - p } { p = $1 }' "$T/crashy.times")"

# --- the exec failure is reported with its stage ---
check "badexec failed" retry 5 state_is badexec failed
check "exec failure names stage and errno" sh -c "\"$INITCTL\" -r '$T/run' --kv status badexec | grep -q 'exec_error stage exec: No such file or directory'"

# --- forking daemon tracked by its group ---
check "daemon running after its starter exited" retry 5 state_is daemon running
DPID=$(cat "$T/daemon.pid" 2>/dev/null)
DHOST=$(cg_procs pids daemon | head -n 1)
check "the daemon (not the starter) is in the daemon group" test -n "$DHOST"
is "$(cg_procs pids daemon | wc -l | tr -d ' ')" 1 "exactly the daemon remains in the group"
is "$(field daemon pid)" "$DPID" "its pid is known as the main pid"
ctl stop daemon >/dev/null
check "stopping the daemon empties and removes its group" retry 10 test ! -d "/sys/fs/cgroup/pids/$SUB/daemon"
is "$(field daemon state)" down "daemon is down"

# --- fork bomb contained by numtasks.max ---
check "bomb is running" retry 5 state_is bomb running
sleep 1
is "$(cat "/sys/fs/cgroup/pids/$SUB/bomb/pids.current")" 10 "the bomb holds exactly numtasks.max tasks"
ok "$([ "$(field bomb fork_failures)" -gt 0 ] 2>/dev/null; echo $?)" "its refused forks are counted ($(field bomb fork_failures))"
check "corral still answers while the bomb runs" ctl list
ctl stop bomb >/dev/null
check "bomb stopped and its group removed" retry 10 test ! -d "/sys/fs/cgroup/pids/$SUB/bomb"

# --- stop removes the group; start brings it back ---
ctl stop web >/dev/null
check "web stops" retry 10 state_is web down
for h in cpuset cpuacct pids unified; do
	check "web's $h container removed" test ! -d "/sys/fs/cgroup/$h/$SUB/web"
done
check "web's process is gone" sh -c "! kill -0 $WEBPID"
ctl start web >/dev/null
check "web starts again" retry 10 state_is web running
is "$(cat "/sys/fs/cgroup/cpuset/$SUB/web/cpuset.cpus" 2>/dev/null)" "$LAST_CPU" "re-created group has its limits again"

# --- restart ---
OLD=$(field web pid)
ctl restart web >/dev/null
check "restart gives a new main process" retry 10 sh -c "[ \"\$(\"$INITCTL\" -r '$T/run' --kv status web | awk '\$1==\"pid\"{print \$2}')\" != '$OLD' ] && \"$INITCTL\" -r '$T/run' --kv status web | grep -q '^state running'"

# --- a service that ignores SIGTERM gets SIGKILL after TimeoutStopSec ---
check "stubborn is running" retry 5 state_is stubborn running
t0=$(date +%s.%N)
ctl stop stubborn >/dev/null
check "stubborn stops" retry 10 state_is stubborn down
t1=$(date +%s.%N)
ok "$(awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 0.9) }'; echo $?)" \
	"it was not down before TimeoutStopSec=1 ran out"
check "SIGKILL was sent after the timeout" grep -q "stubborn: still running 1.0 s after SIGTERM; sending SIGKILL" "$T/console.log"
check "stubborn's group removed" test ! -d "/sys/fs/cgroup/pids/$SUB/stubborn"

# --- shutdown: SIGTERM is reboot; services stop in reverse order ---
kill -TERM "$CPID"
wait "$UPID"
rc=$?
diag "unshare exit status $rc"
ok "$([ "$rc" -eq 129 ] || [ "$rc" -eq 0 ]; echo $?)" "corral rebooted its namespace (init ended by SIGHUP)"
check "app (requires db) was down before db began to stop" awk '
	/shutdown:/ { on = 1 }
	on && /app: stopping → down/ && !a { a = NR }
	on && /db: running → stopping/ && !d { d = NR }
	END { exit !(a && d && a < d) }' "$T/console.log"
UPID=
cg_subtree_gone "$SUB"
ok $? "corral removed its subtree from every hierarchy"

done_testing
