#!/bin/sh
# tests/host/pid1-static.sh - the PID 1 scenario with the static musl
# binaries that go into the initramfs.
here=$(cd "$(dirname "$0")/../.." && pwd)
CORRAL_BIN=$here/build/static/corral INITCTL_BIN=$here/build/static/initctl \
	exec sh "$here/tests/host/pid1.sh"
