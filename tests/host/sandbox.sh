#!/bin/sh
# tests/host/sandbox.sh - *Directory= and the mount-namespace sandbox
# (issue 12 items 5 and 9) with real processes.  corral runs as a
# subreaper in a private subtree AND in a private mount namespace
# (unshare -m) with tmpfs over /run, /var/lib, /var/cache and /var/log, so
# no directory is ever made on the host's real ones; the test looks at
# them through /proc/CORRAL/root.  Every service's own namespace is a
# slave of that one.
# - RuntimeDirectory=a a/b, RuntimeDirectoryMode=0750, StateDirectory=,
#   User=nobody: made with mode and owner; RuntimeDirectory removed on
#   stop, StateDirectory kept; a symlink planted where the directory goes
#   is refused (stage directories) and its target left alone;
# - PrivateTmp: the service sees an empty /tmp;
# - ProtectSystem=strict: /usr and /etc read-only, ReadWritePaths= writable,
#   InaccessiblePaths= empty; ProtectSystem=full + ReadOnlyPaths=;
# - ProtectHome=yes: /root empty; PrivateDevices: a minimal /dev;
# - a missing ReadOnlyPaths= entry fails the start, stage sandbox.
# Nothing writes to the host's /usr or /etc: writability is asked with
# test -w (access(2) says EROFS on a read-only mount).
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
command -v unshare >/dev/null || skip_all "needs unshare"
id nobody >/dev/null 2>&1 || skip_all "needs user nobody"
subreaper_scenario sbx
chmod 0755 "$T"
S=$T/conf/services
B=$T/bin
mkdir -p "$B" "$T/rw" "$T/ro" "$T/secret" "$T/target"
echo hidden > "$T/secret/file"
svc() {	# svc NAME LINES...
	n=$1
	shift
	printf '%s\n' "$@" > "$S/$n.service"
}
NOBODY=$(id -u nobody)

svc dirs '[Service]' 'ExecStart=/bin/sleep 1000' 'User=nobody' \
	'RuntimeDirectory=corral-sbx corral-sbx/sub' 'RuntimeDirectoryMode=0750' \
	'StateDirectory=corral-sbx-state' 'LogsDirectory=corral-sbx-logs'
svc evil '[Service]' 'ExecStart=/bin/sleep 1000' 'User=nobody' 'RuntimeDirectory=corral-evil/x'
svc ptmp '[Service]' 'ExecStart=/bin/sleep 1000' 'PrivateTmp=yes'
cat > "$B/probe.sh" <<EOF
out=\$1
shift
for p in "\$@"; do
	if [ -w "\$p" ]; then echo "\$p rw"; else echo "\$p ro"; fi
done > "\$out"
echo "secret \$(ls -A $T/secret 2>&1 | wc -l)" >> "\$out"
echo "root \$(ls -A /root 2>/dev/null | wc -l)" >> "\$out"
exec sleep 1000
EOF
svc strict '[Service]' "ExecStart=/bin/sh $B/probe.sh $T/rw/strict /usr /etc /var/tmp $T/rw $T" \
	'ProtectSystem=strict' "ReadWritePaths=$T/rw" "InaccessiblePaths=$T/secret" \
	'ProtectHome=yes' 'StateDirectory=corral-sbx-strict'
svc full '[Service]' "ExecStart=/bin/sh $B/probe.sh $T/rw/full /usr /etc $T/ro $T" \
	'ProtectSystem=full' "ReadOnlyPaths=$T/ro"
svc pdev '[Service]' 'ExecStart=/bin/sleep 1000' 'PrivateDevices=yes'
svc sbfail '[Service]' 'ExecStart=/bin/sleep 1000' "ReadOnlyPaths=$T/missing"
svc sbopt '[Service]' 'ExecStart=/bin/sleep 1000' "ReadOnlyPaths=-$T/missing"

# corral in its own mount namespace, private tmpfs on the base directories
unshare -m --propagation private sh -c '
	for d in /run /var/lib /var/cache /var/log; do mount -t tmpfs -o mode=0755 tmpfs "$d" || exit 1; done
	ln -s "$1" /run/corral-evil
	shift
	exec "$@"' sh "$T/target" \
	"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" >> "$T/log" 2>&1 &
CP=$!
R=/proc/$CP/root
check "corral answers" retry 10 ctl list

# --- directories -------------------------------------------------------------------
check "dirs is running" retry 10 state_is dirs running
is "$(stat -c '%u %a' "$R/run/corral-sbx/sub" 2>&1)" "$NOBODY 750" \
	"RuntimeDirectory=corral-sbx/sub: owned by nobody, RuntimeDirectoryMode=0750"
is "$(stat -c '%u %a' "$R/run/corral-sbx" 2>&1)" "$NOBODY 750" "  corral-sbx (listed too): the same"
is "$(stat -c '%u %a' "$R/var/lib/corral-sbx-state" 2>&1)" "$NOBODY 755" "StateDirectory: nobody, 0755"
is "$(stat -c '%u %a' "$R/var/log/corral-sbx-logs" 2>&1)" "$NOBODY 755" "LogsDirectory: nobody, 0755"
check "  none of them on the host" sh -c "! [ -e /run/corral-sbx ] && ! [ -e /var/lib/corral-sbx-state ]"
ctl stop dirs >/dev/null
check "dirs stopped" retry 10 state_is dirs down
check "  RuntimeDirectory removed on stop" test ! -e "$R/run/corral-sbx"
check "  StateDirectory kept" test -d "$R/var/lib/corral-sbx-state"
check "a planted symlink: evil failed" retry 10 state_is evil failed
check "  stage directories" sh -c "\"$INITCTL\" -r '$T/run' --kv status evil | grep -q '^exec_error stage directories'"
check "  its target left alone (no x, still root's)" \
	sh -c "[ ! -e '$T/target/x' ] && [ \"\$(stat -c %u '$T/target')\" = 0 ]"

# --- PrivateTmp ------------------------------------------------------------------------
check "ptmp is running" retry 10 state_is ptmp running
pid=$(field ptmp pid)
check "  the host's /tmp is not empty" test -n "$(ls -A /tmp)"
is "$(ls -A "/proc/$pid/root/tmp" | wc -l)" 0 "PrivateTmp: the service's /tmp is empty"

# --- ProtectSystem, Read*Paths, InaccessiblePaths, ProtectHome -----------------------------
check "strict is running" retry 10 state_is strict running
check "  and has written its probe" retry 10 test -s "$T/rw/strict"
is "$(tr '\n' ';' < "$T/rw/strict")" \
	"/usr ro;/etc ro;/var/tmp ro;$T/rw rw;$T ro;secret 0;root 0;" \
	"ProtectSystem=strict: all read-only but ReadWritePaths; InaccessiblePaths and ProtectHome empty"
check "  the host's /root is not empty" test -n "$(ls -A /root)"
pid=$(field strict pid)
check "  its StateDirectory stays writable under strict" \
	sh -c "grep -q ' /var/lib/corral-sbx-strict .* rw' /proc/$pid/mountinfo"
check "full is running" retry 10 state_is full running
check "  and has written its probe" retry 10 test -s "$T/rw/full"
is "$(head -n 4 "$T/rw/full" | tr '\n' ';')" "/usr ro;/etc ro;$T/ro ro;$T rw;" \
	"ProtectSystem=full: /usr, /etc read-only; ReadOnlyPaths= read-only, the rest writable"
check "  the host's /etc is still writable" test -w /etc

# --- PrivateDevices ------------------------------------------------------------------------
check "pdev is running" retry 10 state_is pdev running
pid=$(field pdev pid)
devs=$(ls "/proc/$pid/root/dev" | tr '\n' ' ')
miss=
for n in null zero full random urandom tty shm pts; do
	case " $devs " in *" $n "*) ;; *) miss="$miss $n" ;; esac
done
is "$miss" "" "PrivateDevices: null zero full random urandom tty shm pts ($devs)"
check "  no disks, no console" sh -c "! ls '/proc/$pid/root/dev' | grep -qE '^(sd|vd|nvme|console|mem$|kmsg)'"
base=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
is "$(awk '/^CapBnd:/ { print $2 }' "/proc/$pid/status")" \
	"$(printf '%016x' $((0x$base & ~(1 << 27) & ~(1 << 17))))" \
	"  CAP_MKNOD and CAP_SYS_RAWIO dropped from the bounding set"

# --- failures ----------------------------------------------------------------------------
check "a missing ReadOnlyPaths= entry: sbfail failed" retry 10 state_is sbfail failed
check "  stage sandbox" sh -c "\"$INITCTL\" -r '$T/run' --kv status sbfail | grep -q '^exec_error stage sandbox: No such file or directory'"
check "an optional (-) missing entry: sbopt runs" retry 10 state_is sbopt running

stop_corral
is "$rc" 0 "SIGTERM: corral stops everything and exits 0"
check "no mount of the test left on the host" sh -c "! grep -q 'corral-sbx\|$T' /proc/self/mountinfo"
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# /' "$T/log" | tail -n 80
done_testing
