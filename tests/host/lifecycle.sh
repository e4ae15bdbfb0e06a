#!/bin/sh
# tests/host/lifecycle.sh - the state machine with real processes (issue 8,
# and issue 9 items 6 and 7), corral as a subreaper in a private subtree:
# - a service killed every 1.5 s with default settings comes back after
#   RestartSec (0.1 s) every time: healthy runs forgive the backoff;
# - a Type=simple service that exits 0 ends "down", never "failed" or
#   restarted, whichever of exec EOF and SIGCHLD corral reads first;
# - stopping the root of a chain s0 <- s1 <- ... <- s10 (names that do not
#   sort in dependency order) stops every dependent, deepest first;
# - dependency cycles fail their units with the cycle named, others run;
# - a nested group outside its parent's declared cpus is refused, naming
#   both, although it sorts (and loads) before its parent.
# Assertions are on states, counts and logged delays, never on wall time.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
subreaper_scenario life

S=$T/conf/services
printf '[Service]\nExecStart=/bin/sleep 1000\nRestart=on-failure\n' > "$S/flaky.service"
printf '[Unit]\nStartLimitBurst=30\n[Service]\nExecStart=/bin/true\nRestart=on-failure\n' > "$S/clean.service"
printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$S/s0.service"
for i in 1 2 3 4 5 6 7 8 9 10; do
	printf '[Unit]\nRequires=s%d\nAfter=s%d\n[Service]\nExecStart=/bin/sleep 1000\n' \
		$((i - 1)) $((i - 1)) > "$S/s$i.service"
done
printf '[Unit]\nRequires=cb\n[Service]\nExecStart=/bin/sleep 1000\n' > "$S/ca.service"
printf '[Unit]\nRequires=ca\n[Service]\nExecStart=/bin/sleep 1000\n' > "$S/cb.service"
printf '[Unit]\nAfter=cd\n[Service]\nExecStart=/bin/sleep 1000\n' > "$S/cc.service"
printf '[Unit]\nAfter=cc\n[Service]\nExecStart=/bin/sleep 1000\n' > "$S/cd.service"
CPUS=no
if [ -f /sys/fs/cgroup/cpuset/cpuset.cpus ] && [ "$(nproc)" -ge 2 ]; then
	CPUS=yes
	printf '[Group]\nName=par\ncpuset.cpus=0\n[Service]\nExecStart=/bin/sleep 1000\n' > "$S/par.service"
	printf '[Group]\nParent=par\ncpuset.cpus=1\n[Service]\nExecStart=/bin/sleep 1000\n' > "$S/cpuout.service"
	printf '[Group]\nParent=par\ncpuset.cpus=0\n[Service]\nExecStart=/bin/sleep 1000\n' > "$S/cpuin.service"
fi

start_corral
check "corral answers" retry 10 ctl list
check "flaky is running" retry 10 state_is flaky running

# --- restart backoff forgives healthy runs -----------------------------------
good=0
for _ in 1 2 3 4; do
	pid=$(field flaky pid)
	sleep 1.5
	kill -KILL "$pid"
	# the replacement: running again, with another pid
	if retry 10 sh -c "[ \"\$(\"$INITCTL\" -r '$T/run' --kv status flaky | awk '\$1 == \"pid\" { print \$2 }')\" != '$pid' ]" &&
		retry 10 state_is flaky running; then
		good=$((good + 1))
	fi
done
is "$good" 4 "flaky killed 4 times, 1.5 s apart: running again each time"
is "$(field flaky restarts)" 4 "  restarts counted: 4"
is "$(grep -c 'flaky: restarting in' "$T/log")" 4 "  four restarts logged"
is "$(grep 'flaky: restarting in' "$T/log" | grep -vc 'restarting in 0.100 s')" 0 \
	"  each one after RestartSec=100ms: the healthy runs reset the backoff"

# --- a clean exit is never a failure, whichever event comes first -------------
bad=0
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	ctl start clean >/dev/null
	retry 5 sh -c "\"$INITCTL\" -r '$T/run' --kv status clean | grep -qE '^state (down|failed|backoff)'" || bad=$((bad + 1))
	[ "$(field clean state)" = down ] || bad=$((bad + 1))
done
is "$bad" 0 "Type=simple exiting 0, Restart=on-failure, started 20 times: down every time"
is "$(field clean restarts)" 0 "  never restarted"
check "  never failed" sh -c "! grep -q 'clean: .* → failed' '$T/log'"

# --- a chain whose names do not sort in dependency order ---------------------
check "s10 (the end of the chain) is running" retry 10 state_is s10 running
ctl stop s0 >/dev/null
ok_all=0
for i in 0 1 2 3 4 5 6 7 8 9 10; do
	retry 20 state_is "s$i" down || ok_all=1
done
ok $ok_all "initctl stop s0: s0 ... s10 all stopped"
check "  s10 heard it too" grep -q 's10: stopping, it requires s9' "$T/log"
order=$(grep -oE 's[0-9]+: running → stopping' "$T/log" | cut -d: -f1 | tr '\n' ' ')
is "$order" "s10 s9 s8 s7 s6 s5 s4 s3 s2 s1 s0 " "  deepest dependent first"

# --- cycles ----------------------------------------------------------------------
is "$(field ca state) $(field cb state) $(field cc state) $(field cd state)" \
	"failed failed failed failed" "units of the cycles ca <-> cb (Requires=) and cc <-> cd (After=) failed"
check "  'dependency cycle: ca -> cb -> ca' in status" \
	sh -c "\"$INITCTL\" -r '$T/run' --kv status ca | grep -qE '^detail dependency cycle: (ca -> cb -> ca|cb -> ca -> cb)'"
check "  and in the log" grep -qE 'dependency cycle: (cc -> cd -> cc|cd -> cc -> cd)' "$T/log"
is "$(field flaky state)" running "  other units unaffected"

# --- nested cpusets: the parent's declared limits first ----------------------------
if [ $CPUS = yes ]; then
	is "$(field par state) $(field cpuin state) $(field cpuout state)" "running running failed" \
		"par (cpus 0): cpuin (cpus 0) runs, cpuout (cpus 1) is refused"
	is "$(cat "/sys/fs/cgroup/cpuset/$SUB/par/cpuset.cpus")" 0 "  par's cpus stay 0"
	check "  the refusal names both groups" \
		grep -q 'cpuout: group par/cpuout: .*parent group par, declared by par' "$T/log"
	pid=$(field cpuin pid)
	is "$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$pid/status")" 0 "  cpuin runs on cpu 0 only"
else
	skip "needs the v1 cpuset hierarchy and 2 cpus" "nested cpusets"
fi

stop_corral
is "$rc" 0 "SIGTERM: corral stops everything and exits 0"
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# /' "$T/log" | tail -n 80
done_testing
