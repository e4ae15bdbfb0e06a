#!/bin/sh
# tests/qemu/debian.sh - corral as /sbin/init of a real Debian 12 system
# (rootfs/debian.sh: the cached image, the corral just built copied in,
# QEMU with TCG and restricted user networking).  The guest's "tap" service
# (tests/qemu/debian-guest) checks every daemon, udev, the network, fstab,
# hostname and syslog, and prints TAP on the serial console; the host reads
# sshd's banner through the 127.0.0.1 hostfwd, then the guest runs Debian's
# `poweroff` and the host checks the shutdown.  Skips, saying why, when the
# image cannot be built (no Debian archive, no mmdebstrap, not root).
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
out=$here/build/debian
log=$here/build/test-results/qemu-debian.console
mkdir -p "$(dirname "$log")"

command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86_64 not installed"
[ -e "$here/build/kernel/vmlinuz" ] || skip_all "kernel not fetched (make build/kernel/vmlinuz)"
[ -x "$here/build/static/corral" ] || skip_all "no static corral (make static)"
if ! sh "$here/rootfs/debian.sh" image "$out" > "$log.image" 2>&1; then
	skip_all "the Debian image cannot be built: $(tail -n 1 "$log.image")"
fi
if ! sh "$here/rootfs/debian.sh" install "$out" "$here/tests/qemu/debian-guest" > "$log.install" 2>&1; then
	echo "Bail out! installing corral into the image failed: $(tail -n 1 "$log.install")"
	exit 1
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

rm -f "$log"
# 10 minutes: TCG is slow, but a guest that hangs must not hang CI
timeout 600 sh "$here/rootfs/debian.sh" boot "$out" "$log" "$port" < /dev/null > "$log.qemu" 2>&1 &
qpid=$!
banner=$(python3 "$here/tests/lib/ssh_banner.py" "$port" 540)
case $banner in
*" SSH-2.0-OpenSSH"*) ok 0 "sshd answers on 127.0.0.1:$port (hostfwd): ${banner#* } after ${banner%% *} s" ;;
*) ok 1 "sshd answers on 127.0.0.1:$port (hostfwd)" ;;
esac
wait "$qpid"
rc=$?

tr -d '\r' < "$log" | awk '
	/^tap: TAP-BEGIN$/ { on = 1; next }
	/^tap: TAP-END$/ { on = 0 }
	on && sub(/^tap: /, "") { print }' > "$log.tap"
while IFS= read -r line; do
	case $line in
	"ok "*|"not ok "*)
		desc=$(echo "$line" | sed -E 's/^(not )?ok [0-9]+ - //')
		case $line in
		"ok "*) ok 0 "guest: $desc" ;;
		*) ok 1 "guest: $desc" ;;
		esac ;;
	"#"*) echo "$line" ;;
	esac
done < "$log.tap"

P='^(\[[ 0-9.]*\] )?corral: '
is "$rc" 0 "qemu exited by itself (status 0, no timeout)"
check "the guest's checks ran to their end" grep -q '^tap: TAP-END' "$log"
check "Debian's poweroff (systemctl) reached corral through /run/initctl" \
	grep -Eq "${P}/run/initctl: poweroff requested" "$log"
check "corral powered off" grep -Eq "${P}shutdown: poweroff" "$log"
check "the kernel powered the machine down" grep -q 'reboot: Power down' "$log"
for s in ssh rsyslog lighttpd redis-server memcached cron atd systemd-udevd; do
	check "shutdown: $s stopped" grep -Eq "${P}$s: (stopping|stop-cmd) → " "$log"
done
check "nothing kept / from being remounted read-only" sh -c "! grep -E '${P}warning: unable to remount read-only' '$log'"
check "no service was still running at the end" sh -c "! grep -E '${P}warning: .*still running' '$log'"
check "PID 1 reported no errors" sh -c "! grep -E '${P}error:' '$log'"
done_testing
