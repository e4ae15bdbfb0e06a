#!/bin/sh
# tests/host/try.sh - `make try` (issue 14) is safe to run on a host: it
# runs non-interactively (TRY_SECONDS) and while its services run, the
# host name is unchanged, /dev/log is not created, every listening socket
# of its services is on 127.0.0.1 (ss -ltnp, matched by cgroup) and the
# web server answers there; then it stops by itself, exits 0 and leaves
# no run dir and no cgroup subtree behind.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v ss > /dev/null 2>&1 || skip_all "needs ss (iproute2)"
T=$(mktemp -d /tmp/corral-trytest.XXXXXX)
MP=

cleanup() {
	if [ -n "$MP" ]; then
		kill -TERM "$MP" 2>/dev/null
		sleep 2
	fi
	for s in $(cat "$T/subtree" 2>/dev/null); do cg_remove_subtree "$s"; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

host0=$(hostname)
devlog0=absent
[ -e /dev/log ] && devlog0=present
# a free port on 127.0.0.1, not the usual 8080 a host may use
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)
B=$(dirname "$CORRAL")

TRY_SECONDS=8 TRY_PORT=$PORT CORRAL_BIN=$CORRAL INITCTL_BIN=$INITCTL \
	make --no-print-directory -C "$here" try B="$B" > "$T/out" 2>&1 &
MP=$!
check "make try prints how to use initctl" retry 15 grep -q 'initctl -r /tmp/corral-try\..*/run list' "$T/out"
D=$(sed -n 's/.*files in \(\/tmp\/corral-try\.[A-Za-z0-9]*\)\..*/\1/p' "$T/out" | head -n 1)
SUB=$(sed -n 's/.*cgroup subtree \(corral-try-[0-9]*\),.*/\1/p' "$T/out" | head -n 1)
echo "$SUB" > "$T/subtree"
check "its run dir is under /tmp" test -S "$D/run/corral.sock"
check "its subtree is its own" test -d "/sys/fs/cgroup/pids/$SUB" -o -d "/sys/fs/cgroup/$SUB"
check "initctl answers on the printed run dir" "$INITCTL" -r "$D/run" list
check "web listens on 127.0.0.1:$PORT" retry 10 sh -c "ss -ltnH 'sport = :$PORT' | grep -q '127.0.0.1:$PORT'"
check "web answers there" retry 5 sh -c "python3 -c 'import urllib.request,sys; sys.exit(0 if b\"try-out\" in urllib.request.urlopen(\"http://127.0.0.1:$PORT/\", timeout=2).read() else 1)'"

# every listener of a process in the try-out subtree is on loopback
ss -ltnpH > "$T/ss" 2>/dev/null
n=0
bad=0
for pid in $(sed -n 's/.*pid=\([0-9]*\).*/\1/p' "$T/ss" | sort -u); do
	grep -q "/$SUB/" "/proc/$pid/cgroup" 2>/dev/null || continue
	for addr in $(grep "pid=$pid," "$T/ss" | awk '{ print $4 }'); do
		n=$((n + 1))
		case $addr in
		127.*:*|\[::1\]:*) ;;
		*) bad=$((bad + 1)); diag "listener of pid $pid on $addr" ;;
		esac
	done
done
check "the try-out services listen somewhere (the check sees them)" test "$n" -ge 1
is "$bad" 0 "no try-out service listens on a non-loopback address"
is "$(hostname)" "$host0" "the host name is unchanged"
devlog=absent
[ -e /dev/log ] && devlog=present
is "$devlog" "$devlog0" "/dev/log was not created"
check "service logs are kept under the try dir" retry 5 test -s "$D/log/ticker/current"

wait "$MP"
rc=$?
MP=
is "$rc" 0 "make try stops by itself (TRY_SECONDS) and exits 0"
check "it said it stopped" grep -q 'try: corral stopped (exit 0)' "$T/out"
check "its run dir is removed" test ! -e "$D"
check "its subtree is removed" cg_subtree_gone "$SUB"
is "$(hostname)" "$host0" "the host name is still unchanged"
done_testing
