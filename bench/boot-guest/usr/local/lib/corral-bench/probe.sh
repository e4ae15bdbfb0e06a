#!/bin/sh
# bench/boot.py's probe in the guest, under either init.  Everything
# started at boot is up when it runs (After=multi-user.target): print the
# moment (seconds since boot), when the initramfs mounted the root file
# system (the kernel's line; PID 1 is exec'd right after), the memory in
# use and PID 1's VmRSS, then the boot's critical chain; wait for the
# host's SSH probe (sshd's log line), and run Debian's poweroff.
up=$(cut -d' ' -f1 /proc/uptime)
root=$(dmesg | sed -n 's/^\[ *\([0-9.]*\)\] EXT4-fs (vda): mounted filesystem.*/\1/p' | head -n 1)
used=$(awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print t - a }' /proc/meminfo)
rss=$(awk '/^VmRSS:/ { print $2 }' /proc/1/status)
init=$(readlink /proc/1/exe)
echo "BENCH-READY up=$up root=${root:-0} used_kb=$used pid1_rss_kb=$rss init=$init" > /dev/console
{
	echo "BENCH-CHAIN-BEGIN"
	case $init in
	*corral*) initctl analyze critical-chain 2>&1; echo; initctl analyze blame 2>&1 | head -n 12 ;;
	*) systemd-analyze critical-chain --no-pager 2>&1; echo; systemd-analyze blame --no-pager 2>&1 | head -n 12 ;;
	esac
	echo "BENCH-CHAIN-END"
} | sed 's/^/BENCH| /' > /dev/console
seen() {
	grep -q 'from 10.0.2.2\|by 10.0.2.2' /var/log/auth.log 2>/dev/null ||
		journalctl -q -u ssh 2>/dev/null | grep -q 'from 10.0.2.2\|by 10.0.2.2'
}
i=0
while ! seen && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
echo "BENCH-POWEROFF up=$(cut -d' ' -f1 /proc/uptime)" > /dev/console
poweroff
