#!/bin/sh
# Runs inside the guest as a oneshot service: the TAP suite between
# markers the host looks for, then the end action named on the kernel
# command line (corral.test_end=poweroff|reboot), through BusyBox's
# poweroff/reboot, which signal PID 1 like on any BusyBox system.
echo TAP-BEGIN
sh /tests/guest.sh
echo TAP-END
end=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^corral.test_end=//p')
sleep 0.5
case $end in
reboot) busybox reboot ;;
*) busybox poweroff ;;
esac
