#!/bin/sh
# QEMU boot with cpuset and cpuacct bound in one v1 hierarchy and pids in
# another (layout v1:cpuset,cpuacct:numtasks); ends with busybox poweroff.
exec sh "$(dirname "$0")/../lib/qemu-boot.sh" v1-shared poweroff corral.layout=v1:cpuset,cpuacct:numtasks
