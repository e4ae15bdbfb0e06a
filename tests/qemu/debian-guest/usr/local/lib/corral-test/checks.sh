#!/bin/sh
# tests/qemu/debian-guest: what a Debian system booted by corral must have.
# Runs as the "tap" service after multi-user.target; its lines reach the
# console as "tap: ...", which tests/qemu/debian.sh turns into its TAP.
n=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
check() { d=$1; shift; "$@" >/dev/null 2>&1; ok $? "$d"; }
kv() { initctl --kv status "$1" 2>/dev/null | awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }

echo TAP-BEGIN
# every unit Debian enabled, copied unmodified, up from its own file
for f in $(cat /etc/corral/debian-units.list); do
	u=${f%.service}
	check "$u: the unit file is Debian's, unmodified" cmp "/etc/corral/services/$f" "/lib/systemd/system/$f"
done
for u in ssh cron atd rsyslog lighttpd redis-server memcached systemd-udevd serial-getty-ttyS0; do
	st=$(kv "$u" state)
	[ "$st" = running ]; ok $? "$u is running (state ${st:-none})"
	grp=$(kv "$u" group)
	[ -n "$grp" ] && initctl status "$u" | grep -q "Group: $grp"; ok $? "$u: initctl status shows its group ${grp:-none}"
	pid=$(kv "$u" pid)
	[ "${pid:-0}" -gt 1 ] && grep -q "/$grp\$" "/proc/$pid/cgroup"; ok $? "$u: its main process $pid is in its group"
done
# oneshots: "done", or "running" with RemainAfterExit=yes, after exit 0
for u in networking ifupdown-pre systemd-udev-trigger systemd-remount-fs hostname \
	systemd-tmpfiles-setup; do
	st=$(kv "$u" state)
	ex=$(kv "$u" last_exit)
	case $st in running|done) r=0 ;; *) r=1 ;; esac
	ok $r "$u ran to completion (state ${st:-none}, last exit ${ex:-none})"
done
st=$(kv e2scrub_reap state)
[ "$st" = "done" ]; ok $? "e2scrub_reap ran or was skipped by its conditions (state ${st:-none})"
# what systemd would have done itself
check "udev coldplug loaded virtio_net" test -d /sys/module/virtio_net
check "eth0 is 10.0.2.15/24 (ifupdown, /etc/network/interfaces.d)" sh -c 'ip -4 addr show eth0 | grep -q "inet 10.0.2.15/24"'
check "the default route is via 10.0.2.2" sh -c 'ip route | grep -q "^default via 10.0.2.2 dev eth0"'
[ "$(hostname)" = "$(cat /etc/hostname)" ]; ok $? "the host name is /etc/hostname's ($(hostname))"
check "/ is mounted read-write" sh -c 'awk "\$2 == \"/\" { print \$4 }" /proc/mounts | grep -q "^rw"'
check "/tmp is the tmpfs of /etc/fstab" sh -c 'awk "\$2 == \"/tmp\" { print \$3 }" /proc/mounts | grep -qx tmpfs'
check "/dev is the kernel's devtmpfs (/dev/ttyS0, /dev/vda exist)" sh -c 'test -c /dev/ttyS0 && test -b /dev/vda'
check "udev made its links (/dev/disk/by-label/debian)" test -L /dev/disk/by-label/debian
r=$(kv serial-getty-ttyS0 restarts)
[ "${r:-1}" = 0 ]; ok $? "agetty on ttyS0 stays up (restarts ${r:-none})"
check "/etc/machine-id is set" test -s /etc/machine-id
check "tmpfiles.d: /run/utmp exists" test -f /run/utmp
check "tmpfiles.d: memcached wrote its pid file into /run/memcached" test -s /run/memcached/memcached.pid
check "sshd listens on port 22" sh -c 'ss -ltn | grep -q ":22 "'
check "redis answers PING" sh -c 'redis-cli ping | grep -qx PONG'
check "memcached listens on 127.0.0.1:11211" sh -c 'ss -ltn | grep -q "127.0.0.1:11211 "'
check "lighttpd listens on port 80" sh -c 'ss -ltn | grep -q ":80 "'
check "rsyslog made /dev/log" test -S /dev/log
logger -t corral-test "hello from the guest"
i=0
while ! grep -q 'corral-test.*hello from the guest' /var/log/syslog 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "logger's line reached /var/log/syslog through rsyslog" grep -q 'corral-test.*hello from the guest' /var/log/syslog
check "PID 1 answers initctl list" initctl list
check "PID 1 is corral" sh -c 'readlink /proc/1/exe | grep -q corral'
# the host reads sshd's banner through QEMU's hostfwd and hangs up; sshd
# logs that through rsyslog: wait for it (at most 5 min) before poweroff
i=0
while ! grep -q 'from 10.0.2.2\|by 10.0.2.2' /var/log/auth.log 2>/dev/null && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
check "sshd logged the host's connection from 10.0.2.2" grep -q 'from 10.0.2.2\|by 10.0.2.2' /var/log/auth.log
# what a person would look at when something above failed
grep -h 'agetty' /var/log/syslog /var/log/auth.log 2>/dev/null | tail -n 3 | sed 's/^/# /'
initctl log serial-getty-ttyS0 -n 5 2>&1 | sed 's/^/# /'
initctl --kv status serial-getty-ttyS0 | grep -E '^(restarts|last_exit) ' | sed 's/^/# /'
initctl list | sed 's/^/# /'
echo "1..$n"
echo TAP-END
poweroff
