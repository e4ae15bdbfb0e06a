#!/bin/sh
# QEMU boot with the v1 layout: cpuset, cpuacct and pids hierarchies
# (+ the cgroup2 tracking tree); ends with busybox poweroff.
exec sh "$(dirname "$0")/../lib/qemu-boot.sh" v1 poweroff corral.layout=v1
