#!/bin/sh
# QEMU boot with cgroup v1 disabled in the kernel: corral's "auto" layout
# falls back to the unified hierarchy; ends with busybox reboot.
exec sh "$(dirname "$0")/../lib/qemu-boot.sh" v2 reboot cgroup_no_v1=all
