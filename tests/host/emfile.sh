#!/bin/sh
# tests/host/emfile.sh - issue 9 item 10: running out of file descriptors
# must not make corral spin, and RLIMIT_NOFILE is right for corral and its
# services.  corral runs as a subreaper in a private cgroup subtree.
#
# 1. Under `prlimit --nofile=40:40` (hard 40 too: corral raising its soft
#    limit to the hard one must not hide the bug) 100 clients connect and
#    hold their connections.  Over 3 s corral may use < 0.5 s of CPU and
#    log < 100 lines; a client that comes meanwhile is told "out of file
#    descriptors"; once the clients are gone corral answers again.
# 2. Under `prlimit --nofile=2048:4096` corral's own soft limit is raised
#    to 4096; a service gets soft 1024 (hard 4096) by default, and what
#    LimitNOFILE= says (N, SOFT:HARD, infinity) otherwise; a bad value
#    rejects the file with file:line.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

PP=
[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
command -v prlimit >/dev/null || skip_all "needs prlimit (util-linux)"
PY=$(command -v /usr/bin/python3 python3 | head -n 1)
[ -n "$PY" ] || skip_all "needs python3 for the clients"
scenario_cleanup() {
	[ -n "$PP" ] && kill -KILL "$PP" 2>/dev/null
	[ -n "${KEEP_LOG:-}" ] && cat "$T"/log* > "$KEEP_LOG"
}
subreaper_scenario emfile

# within SECONDS COMMAND...: retry COMMAND until it succeeds, for at most
# SECONDS of wall time (retry counts attempts, and a blocked corral makes
# every attempt last its whole timeout)
within() {
	end=$(( $(date +%s) + $1 ))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}
tctl() { timeout 3 "$INITCTL" -r "$T/run" "$@"; }
# utime + stime of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
stop_corral() {
	kill -TERM "$CP"
	wait "$CP"
	rc=$?
	CP=
	is "$rc" 0 "$1"
}

# ---- 1. EMFILE ----------------------------------------------------------
mkdir -p "$T/conf/services"
printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$T/conf/services/idle.service"
prlimit --nofile=40:40 "$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" \
	--cgroup-subtree "$SUB" > "$T/log" 2>&1 &
CP=$!
check "corral (nofile 40:40) answers" within 10 tctl list
check "idle is running" within 10 sh -c "timeout 3 '$INITCTL' -r '$T/run' --kv status idle | grep -q '^state running'"
is "$(awk '/^Max open files/ { print $4 " " $5 }' "/proc/$CP/limits")" "40 40" \
	"corral runs with soft and hard RLIMIT_NOFILE 40"

# 100 clients that connect (retrying while the backlog is full, for at
# most 2 s) and say nothing for 6 s; corral drops a silent client after 5 s
"$PY" -c 'import socket, sys, time
socks, end = [], time.time() + 2
while len(socks) < 100 and time.time() < end:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
        socks.append(s)
    except BlockingIOError:
        s.close()
        time.sleep(0.001)
open(sys.argv[2], "w").write("%d\n" % len(socks))
time.sleep(6)' "$T/run/corral.sock" "$T/connected" &
PP=$!
check "the clients connected" within 10 test -s "$T/connected"
diag "$(cat "$T/connected") clients connected"
sleep 0.2
c0=$(cpu_ticks "$CP")
l0=$(wc -l < "$T/log")
diag "corral holds $(ls /proc/$CP/fd | wc -l) descriptors"
tctl status idle > "$T/out" 2> "$T/err"
rc=$?
sleep 3
c1=$(cpu_ticks "$CP")
l1=$(wc -l < "$T/log")
tck=$(getconf CLK_TCK)
used=$((c1 - c0))
diag "corral used $used ticks (of $tck per s) and logged $((l1 - l0)) lines in 3 s"
ok "$(( used * 2 >= tck ))" "corral does not spin on EMFILE: < 0.5 s of CPU in 3 s"
ok "$(( l1 - l0 >= 100 ))" "and logs < 100 lines meanwhile"
is "$rc" 1 "a client meanwhile gets an answer (an error), not a hang"
check "which says out of file descriptors" grep -q "out of file descriptors" "$T/err"
check "corral warned about it (once)" test "$(grep -c "control: unable to accept on control socket: .*refused" "$T/log")" = 1
wait "$PP"
PP=
check "corral answers again once the clients are gone" within 10 tctl status idle
stop_corral "corral (nofile 40:40) stops and exits 0"

# ---- 2. RLIMIT_NOFILE for corral and services ---------------------------
rm -rf "$T/conf/services" "$T/run"
mkdir -p "$T/conf/services"
lim() {	# lim NAME [LimitNOFILE value]
	{
		printf '[Service]\nType=oneshot\n'
		printf 'ExecStart=/bin/sh -c "ulimit -n > %s/%s.out; ulimit -Hn >> %s/%s.out"\n' "$T" "$1" "$T" "$1"
		[ $# -gt 1 ] && printf 'LimitNOFILE=%s\n' "$2"
	} > "$T/conf/services/$1.service"
}
lim dflt
lim both 700
lim pair 300:600
lim inf infinity
lim softinf 100:infinity
lim above 8000
lim bad1 12k
lim bad2 5:3
lim bad3 ""
lim bad4 99999999999999999999
prlimit --nofile=2048:4096 "$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" \
	--cgroup-subtree "$SUB" > "$T/log2" 2>&1 &
CP=$!
check "corral (nofile 2048:4096) answers" within 10 tctl list
is "$(awk '/^Max open files/ { print $4 " " $5 }' "/proc/$CP/limits")" "4096 4096" \
	"corral raised its own soft limit to the hard limit"
for s in dflt both pair inf softinf above; do
	check "$s ran" within 10 sh -c "timeout 3 '$INITCTL' -r '$T/run' --kv status $s | grep -q '^state done'"
done
got() { tr '\n' ' ' < "$T/$1.out" 2>/dev/null; }
# Raising a hard limit needs CAP_SYS_RESOURCE, which a container may lack:
# then "as high as allowed" is corral's own hard limit, as with systemd.
if prlimit --nofile=1024:4096 sh -c 'ulimit -Hn 8000' 2>/dev/null; then
	HIGHEST=$(cat /proc/sys/fs/nr_open) BIG=8000
else
	HIGHEST=4096 BIG=4096
	diag "no CAP_SYS_RESOURCE here: limits above the hard limit become 4096"
fi
is "$(got dflt)" "1024 4096 " "by default a service gets soft 1024 (not corral's 2048 or 4096), hard as corral's"
is "$(got both)" "700 700 " "LimitNOFILE=700: soft and hard 700"
is "$(got pair)" "300 600 " "LimitNOFILE=300:600"
is "$(got inf)" "$HIGHEST $HIGHEST " "LimitNOFILE=infinity: as high as the kernel allows"
is "$(got softinf)" "100 $HIGHEST " "LimitNOFILE=100:infinity"
is "$(got above)" "$BIG $BIG " "LimitNOFILE=8000 (above corral's hard 4096): $BIG, the closest allowed"
check "12k is rejected with file:line" grep -q "bad1.service:4: LimitNOFILE: '12k'" "$T/log2"
check "soft above hard is rejected with file:line" grep -q "bad2.service:4: LimitNOFILE: soft limit above the hard limit" "$T/log2"
check "an empty value is rejected with file:line" grep -q "bad3.service:4: LimitNOFILE: ''" "$T/log2"
check "a value above the kernel's maximum is rejected" grep -q "bad4.service:4: LimitNOFILE" "$T/log2"
check "the bad files were not loaded" sh -c "! timeout 3 '$INITCTL' -r '$T/run' --kv status bad1"
stop_corral "corral (nofile 2048:4096) stops and exits 0"
done_testing
