#!/bin/sh
# tests/deps.sh - install the Debian packages the build and tests need,
# only those missing, so `make check` works on a fresh Debian 12 machine
# and stays quiet (and offline) when everything is present.
set -eu

# libsystemd-dev and systemd: the sd_notify client and systemd-notify
# qemu-system-x86, busybox-static, cpio: the QEMU image and boot tests;
# and the linter that tests/lint.sh runs;
# tmux, librsvg2-bin (rsvg-convert), libxml2-utils (xmllint) and
# python3-prometheus-client: the checks of initctl top, analyze plot, metrics;
# clang and libclang-rt-14-dev (its ASan/UBSan runtime and libFuzzer, not
# pulled in by clang on Debian 12): the sanitizer build and the fuzzers;
# mandoc: mandoc -T lint of the man pages (tests/man.sh)
# mmdebstrap: the Debian image of make boot-debian (tests/qemu/debian.sh)
PKGS="gcc make pkg-config libev-dev libinih-dev musl-tools automake libsystemd-dev systemd
      qemu-system-x86 busybox-static cpio shellcheck clang libclang-rt-14-dev
      tmux librsvg2-bin libxml2-utils python3-prometheus-client mandoc mmdebstrap"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root or install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
