#!/bin/sh
# Runs inside the guest as a oneshot service: the TAP suite between
# markers the host looks for, then the end action named on the kernel
# command line (corral.test_end=poweroff|reboot), through BusyBox's
# poweroff/reboot, which signal PID 1 like on any BusyBox system.
echo TAP-BEGIN
sh /tests/guest.sh
echo TAP-END
# artifacts for the host (tests/lib/qemu-boot.sh saves them in
# build/test-results/): the boot as initctl analyze sees it, base64
# between markers, with an md5sum so a line lost on the console shows
initctl analyze blame > /run/blame.txt 2>&1
initctl analyze plot > /run/boot.svg 2>&1
for a in blame.txt boot.svg; do
	echo "ARTIFACT-BEGIN $a $(md5sum < "/run/$a" | cut -d' ' -f1)"
	base64 "/run/$a"
	echo "ARTIFACT-END $a"
done
end=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^corral.test_end=//p')
sleep 0.5
case $end in
reboot) busybox reboot ;;
*) busybox poweroff ;;
esac
