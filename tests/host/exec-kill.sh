#!/bin/sh
# tests/host/exec-kill.sh - systemd.kill(5), systemd.service(5) and
# systemd.exec(5) process keys with real processes (issue 12 item 6),
# corral as a subreaper in a private subtree:
# - TimeoutStopSec=0 is no timeout: a service that takes 2 s to exit on
#   SIGTERM is not SIGKILLed (redis-server's unit lost its database so);
#   TimeoutStopSec=1 with SIGTERM ignored still ends in SIGKILL;
# - KillSignal=SIGINT is what the service gets; KillMode=mixed signals only
#   the main process, then SIGKILLs the rest as soon as it is gone;
# - SuccessExitStatus=42: exit 42 is clean (down, not restarted, not failed);
# - Restart=on-abnormal / on-success / on-abort follow systemd's table;
# - Type=forking with PIDFile=: the main pid is the one in the file, though
#   the starter leaves two processes;
# - a failed Condition skips the service (done), its dependant runs; a
#   failed Assert fails it; conditions are checked again at the next start;
# - UMask, Limit*, Nice, OOMScoreAdjust, NoNewPrivileges,
#   CapabilityBoundingSet, SupplementaryGroups, AmbientCapabilities as
#   /proc/PID shows them.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
subreaper_scenario exk
chmod 0755 "$T"
S=$T/conf/services
B=$T/bin
mkdir -p "$B"
restarted() { [ "$(field "$1" restarts)" -ge 1 ]; }
svc() {	# svc NAME LINES...: a service file from lines
	n=$1
	shift
	printf '%s\n' "$@" > "$S/$n.service"
}

cat > "$B/slow.sh" <<EOF
trap 'sleep 2; echo saved > $T/slow.saved; exit 0' TERM
while :; do sleep 0.1; done
EOF
svc slow '[Service]' "ExecStart=/bin/sh $B/slow.sh" 'TimeoutStopSec=0'
svc stubborn '[Service]' "ExecStart=/bin/sh -c 'trap \"\" TERM; while :; do sleep 0.1; done'" \
	'TimeoutStopSec=1'
cat > "$B/ks.sh" <<EOF
trap 'echo INT > $T/ks.got; exit 0' INT
trap 'echo TERM > $T/ks.got; exit 0' TERM
while :; do sleep 0.1; done
EOF
svc ks '[Service]' "ExecStart=/bin/sh $B/ks.sh" 'KillSignal=SIGINT'
cat > "$B/mixed.sh" <<EOF
(trap 'echo child-term > $T/mixed.term' TERM; while :; do sleep 0.1; done) &
echo \$! > $T/mixed.child
trap 'exit 0' TERM
while :; do sleep 0.1; done
EOF
svc mixed '[Service]' "ExecStart=/bin/sh $B/mixed.sh" 'KillMode=mixed' 'TimeoutStopSec=60'
svc succ '[Service]' "ExecStart=/bin/sh -c 'exit 42'" 'SuccessExitStatus=42' 'Restart=on-failure'
svc fail43 '[Service]' "ExecStart=/bin/sh -c 'exit 43'" 'SuccessExitStatus=42'
svc abn1 '[Service]' "ExecStart=/bin/sh -c 'sleep 0.2; exit 3'" 'Restart=on-abnormal'
svc abn2 '[Service]' "ExecStart=/bin/sh -c 'sleep 0.2; kill -USR1 \$\$\$\$'" 'Restart=on-abnormal' \
	'RestartSec=1'
svc onsucc '[Service]' "ExecStart=/bin/sh -c 'sleep 0.2'" 'Restart=on-success' 'RestartSec=1'
svc abort1 '[Service]' "ExecStart=/bin/sh -c 'sleep 0.2; kill -TERM \$\$\$\$'" 'Restart=on-abort'
svc fork '[Service]' 'Type=forking' \
	"ExecStart=/bin/sh -c 'sleep 1000 & sleep 1000 & echo \$! > $T/fork.pid'" "PIDFile=$T/fork.pid"
svc cskip '[Unit]' "ConditionPathExists=$T/flag" '[Service]' 'ExecStart=/bin/sleep 1000'
svc cdep '[Unit]' 'Requires=cskip' 'After=cskip' '[Service]' 'ExecStart=/bin/sleep 1000'
svc afail '[Unit]' "AssertPathExists=$T/flag" '[Service]' 'ExecStart=/bin/sleep 1000'
svc props '[Service]' 'ExecStart=/bin/sleep 1000' 'UMask=0077' 'LimitSTACK=1M' \
	'LimitCORE=1K:2K' 'Nice=5' 'OOMScoreAdjust=300' 'NoNewPrivileges=yes' \
	'CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_KILL' 'SupplementaryGroups=adm'
HAVE_NOBODY=no
if id nobody >/dev/null 2>&1; then
	HAVE_NOBODY=yes
	svc amb '[Service]' 'ExecStart=/bin/sleep 1000' 'User=nobody' \
		'AmbientCapabilities=CAP_NET_BIND_SERVICE'
fi

start_corral
check "corral answers" retry 10 ctl list

# --- TimeoutStopSec=0 ------------------------------------------------------------
check "slow is running" retry 10 state_is slow running
ctl stop slow >/dev/null
check "TimeoutStopSec=0: slow stops (takes 2 s after SIGTERM)" retry 15 state_is slow down
check "  and finished its TERM handler: saved" test -f "$T/slow.saved"
check "  never SIGKILLed" sh -c "! grep -q 'slow: still running' '$T/log'"
check "stubborn is running" retry 10 state_is stubborn running
ctl stop stubborn >/dev/null
check "TimeoutStopSec=1, SIGTERM ignored: stopped" retry 15 state_is stubborn down
check "  by SIGKILL after 1 s" grep -q 'stubborn: still running 1.0 s after SIGTERM; sending SIGKILL' "$T/log"

# --- KillSignal, KillMode --------------------------------------------------------------
check "ks is running" retry 10 state_is ks running
ctl stop ks >/dev/null
check "KillSignal=SIGINT: ks stopped" retry 10 state_is ks down
is "$(cat "$T/ks.got" 2>/dev/null)" INT "  it got SIGINT, not SIGTERM"
check "mixed is running" retry 10 state_is mixed running
retry 10 test -s "$T/mixed.child"
child=$(cat "$T/mixed.child")
ctl stop mixed >/dev/null
check "KillMode=mixed: stopped without waiting TimeoutStopSec=60" retry 10 state_is mixed down
check "  the rest got SIGKILL once the main process was gone" \
	grep -q 'mixed: main process gone; SIGKILL to the rest of group' "$T/log"
check "  the other process never got SIGTERM" test ! -e "$T/mixed.term"
check "  and is gone" sh -c "! kill -0 $child"

# --- SuccessExitStatus, Restart= ------------------------------------------------------------
check "SuccessExitStatus=42, exit 42: down" retry 10 state_is succ down
is "$(field succ restarts)" 0 "  not restarted (Restart=on-failure)"
check "  never failed" sh -c "! grep -q 'succ: .* → failed' '$T/log'"
check "exit 43 is still a failure" retry 10 state_is fail43 failed
check "Restart=on-abnormal, exit 3: failed, not restarted" retry 10 state_is abn1 failed
is "$(field abn1 restarts)" 0 "  restarts 0"
check "Restart=on-abnormal, killed by SIGUSR1: restarted" retry 10 restarted abn2
ctl stop abn2 >/dev/null
check "Restart=on-success, exit 0: restarted" retry 10 restarted onsucc
ctl stop onsucc >/dev/null
check "Restart=on-abort, killed by SIGTERM (clean): down" retry 10 state_is abort1 down
is "$(field abort1 restarts)" 0 "  not restarted"

# --- PIDFile ------------------------------------------------------------------------
check "Type=forking with PIDFile: running" retry 10 state_is fork running
is "$(field fork pid)" "$(cat "$T/fork.pid" 2>/dev/null)" "  main pid from the PIDFile (two processes left)"
is "$(ctl --kv status fork | awk '$1 == "procs" { print NF - 1 }')" 2 "  the group still tracks both"

# --- conditions ------------------------------------------------------------------------
check "ConditionPathExists fails: cskip is done" retry 10 state_is cskip "done"
is "$(field cskip reason)" "condition failed" "  reason: condition failed"
check "  detail names the condition" sh -c "\"$INITCTL\" -r '$T/run' --kv status cskip | grep -q '^detail ConditionPathExists=$T/flag'"
check "  its dependant (Requires=, After=) runs" retry 10 state_is cdep running
check "AssertPathExists fails: afail failed" retry 10 state_is afail failed
is "$(field afail reason)" "assert failed" "  reason: assert failed"
touch "$T/flag"
ctl start cskip >/dev/null
check "checked again at the next start: cskip runs once the path exists" retry 10 state_is cskip running

# --- process properties ------------------------------------------------------------------
check "props is running" retry 10 state_is props running
pid=$(field props pid)
st=/proc/$pid/status
is "$(awk '/^Umask:/ { print $2 }' "$st")" 0077 "UMask=0077"
is "$(awk '/^NoNewPrivs:/ { print $2 }' "$st")" 1 "NoNewPrivileges=yes: NoNewPrivs 1"
is "$(awk '/^CapBnd:/ { print $2 }' "$st")" 0000000000000420 "CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_KILL"
check "SupplementaryGroups=adm: group 4 in Groups" sh -c "awk '/^Groups:/' '$st' | grep -qw 4"
is "$(awk '/^Max stack size/ { print $4, $5 }' "/proc/$pid/limits")" "1048576 1048576" "LimitSTACK=1M"
is "$(awk '/^Max core file size/ { print $5, $6 }' "/proc/$pid/limits")" "1024 2048" "LimitCORE=1K:2K"
is "$(awk '{ print $19 }' "/proc/$pid/stat")" 5 "Nice=5"
is "$(cat "/proc/$pid/oom_score_adj")" 300 "OOMScoreAdjust=300"
if [ $HAVE_NOBODY = yes ]; then
	check "amb is running" retry 10 state_is amb running
	pid=$(field amb pid)
	is "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" "$(id -u nobody)" "amb runs as nobody"
	is "$(awk '/^CapAmb:/ { print $2 }' "/proc/$pid/status")" 0000000000000400 \
		"AmbientCapabilities=CAP_NET_BIND_SERVICE: ambient"
	is "$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")" 0000000000000400 "  and effective"
else
	skip "no user nobody" "AmbientCapabilities"
fi

stop_corral
is "$rc" 0 "SIGTERM: corral stops everything and exits 0"
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# /' "$T/log" | tail -n 80
done_testing
