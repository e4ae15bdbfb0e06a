#!/bin/sh
# tests/lib/qemu-boot.sh NAME END [KERNEL ARGS...] - boot the test image in
# qemu-system-x86_64 (TCG), let the guest's TAP suite run on the serial
# console, and re-emit it as this suite's TAP, followed by the host's own
# checks on how the guest shut down.  END is poweroff or reboot: the
# guest ends with BusyBox's command of that name.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
name=$1
end=$2
shift 2
kernel=$here/build/kernel/vmlinuz
image=$here/build/rootfs/test.cpio.gz
log=$here/build/test-results/qemu-$name.console
mkdir -p "$(dirname "$log")"

command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86_64 not installed"
[ -e "$kernel" ] && [ -e "$image" ] || skip_all "kernel or image not built"

# 10 minutes: TCG is slow, but a guest that hangs must not hang CI
timeout 600 qemu-system-x86_64 -accel tcg -m 512 -smp 2 -no-reboot \
	-display none -monitor none -serial "file:$log" \
	-kernel "$kernel" -initrd "$image" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1 corral.test_end=$end $*" \
	< /dev/null > "$log.qemu" 2>&1
rc=$?

# the guest's TAP: lines of the "tap" service between the markers,
# renumbered into this suite
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

# the artifacts the guest printed after its suite: the boot plot and
# blame, saved as build/test-results/qemu-NAME.boot.svg and .blame.txt
for a in blame.txt boot.svg; do
	out=${log%.console}.$a
	sum=$(tr -d '\r' < "$log" | sed -n "s/^tap: ARTIFACT-BEGIN $a //p" | head -n 1)
	tr -d '\r' < "$log" | awk -v a="$a" -v sum="$sum" '
		$0 == "tap: ARTIFACT-BEGIN " a " " sum { on = 1; next }
		$0 == "tap: ARTIFACT-END " a { on = 0 }
		on && sub(/^tap: /, "") { print }' | base64 -d > "$out" 2>/dev/null
	is "$(md5sum < "$out" | cut -d' ' -f1)" "${sum:-none}" "artifact $(basename "$out") saved intact"
done
plot=${log%.console}.boot.svg
if command -v xmllint >/dev/null; then
	check "the boot plot is well-formed XML" xmllint --noout "$plot"
else
	skip "xmllint not installed" "the boot plot is well-formed XML"
fi
for s in t-limited db app tap; do
	check "the boot plot has a bar for $s" grep -q ">$s <tspan" "$plot"
	check "blame lists $s" awk -v s="$s" '$3 == s { f = 1 } END { exit !f }' "${log%.console}.blame.txt"
done

# corral's console lines, with or without a "[ seconds]" timestamp
P='^(\[[ 0-9.]*\] )?corral: '
is "$rc" 0 "qemu exited by itself (status 0, no timeout)"
check "the guest's suite ran to its end" grep -q '^tap: TAP-END' "$log"
case $end in
poweroff)
	check "busybox poweroff: corral powered off" grep -Eq "${P}poweroff" "$log"
	check "the kernel powered the machine down" grep -q 'reboot: Power down' "$log" ;;
reboot)
	check "busybox reboot: corral rebooted" grep -Eq "${P}reboot" "$log"
	check "the kernel restarted the machine" grep -q 'reboot: Restarting system' "$log" ;;
esac
check "shutdown: app (requires db) was down before db began to stop" env P="$P" awk '
	BEGIN { P = ENVIRON["P"] }
	$0 ~ P "shutdown:" { on = 1 }
	on && $0 ~ P "app: stopping → down" && !a { a = NR }
	on && $0 ~ P "db: running → stopping" && !d { d = NR }
	END { exit !(a && d && a < d) }' "$log"
check "no service was still running at the end" sh -c "! grep -E '${P}warning: .*still running' '$log'"
check "PID 1 reported no errors" sh -c "! grep -E '${P}error:' '$log'"
done_testing
