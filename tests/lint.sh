#!/bin/sh
# tests/lint.sh - shellcheck (warnings and errors) over every shell script
# of the project, one TAP line per file.
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/lib/tap.sh"
command -v shellcheck >/dev/null || skip_all "shellcheck not installed"
cd "$here" || exit 1
for f in tests/*.sh tests/lib/*.sh tests/host/*.sh tests/asan/*.sh tests/fuzz/*.sh tests/qemu/*.sh \
	tests/qemu/guest/tests/*.sh rootfs/*.sh rootfs/demo/usr/share/corral/*.sh bench/*.sh .ci/run; do
	if out=$(shellcheck -x -S warning "$f" 2>&1); then
		ok 0 "shellcheck $f"
	else
		ok 1 "shellcheck $f"
		echo "$out" | sed 's/^/# /'
	fi
done
done_testing
