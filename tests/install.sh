#!/bin/sh
# tests/install.sh - `make install DESTDIR=$(mktemp -d) PREFIX=/usr`
# installs exactly the expected files with the expected modes (programs
# 0755 in /usr/sbin, man pages, bash completion and the example
# configuration 0644), nothing outside $DESTDIR/usr and nothing in /etc;
# the installed programs run (--version) and the man pages render; PREFIX
# defaults to /usr/local.  The build directory is the one holding
# CORRAL_BIN (default build/), so no rebuild is needed.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ -x "$CORRAL" ] && [ -x "$INITCTL" ] || skip_all "build corral and initctl first"
B=$(dirname "$CORRAL")
case $B in "$here"/*) B=${B#"$here"/} ;; esac
D=$(mktemp -d /tmp/corral-install.XXXXXX)
trap 'rm -rf "$D"' EXIT

make -s -C "$here" B="$B" DESTDIR="$D" PREFIX=/usr install > "$D.log" 2>&1
rc=$?
is "$rc" 0 "make install DESTDIR=... PREFIX=/usr exits 0"
[ "$rc" = 0 ] || sed 's/^/# /' "$D.log"
rm -f "$D.log"

# the expected list: mode and path of every file, sorted
{
	echo "755 /usr/sbin/corral"
	echo "755 /usr/sbin/initctl"
	echo "644 /usr/share/man/man8/corral.8"
	echo "644 /usr/share/man/man8/initctl.8"
	echo "644 /usr/share/man/man5/corral.service.5"
	echo "644 /usr/share/man/man5/corral.conf.5"
	echo "644 /usr/share/bash-completion/completions/initctl"
	echo "644 /usr/share/doc/corral/examples/corral.conf"
	for f in "$here"/conf/services/*.service; do
		echo "644 /usr/share/doc/corral/examples/services/${f##*/}"
	done
} | sort -k 2 > "$D.want"
(cd "$D" && find . -type f -printf '%m /%P\n' | sed 's| /\./| /|') | sort -k 2 > "$D.got"
is "$(diff "$D.want" "$D.got" | grep '^[<>]' | tr '\n' ' ')" "" \
	"exactly the programs, man pages, completion and examples, with their modes"
rm -f "$D.want" "$D.got"
is "$(cd "$D" && find . -mindepth 1 -maxdepth 1 | tr '\n' ' ')" "./usr " "nothing outside \$DESTDIR/usr (no /etc)"
is "$("$D/usr/sbin/initctl" --version | cut -d' ' -f1)" initctl "the installed initctl runs"
is "$("$D/usr/sbin/corral" --version | cut -d' ' -f1)" corral "the installed corral runs"
if command -v mandoc >/dev/null; then
	check "the installed initctl(8) renders" sh -c "mandoc -T ascii '$D/usr/share/man/man8/initctl.8' | grep -q 'initctl'"
else
	skip "mandoc not installed" "the installed man page renders"
fi
if command -v bash >/dev/null; then
	is "$(bash -c '. "$1"; complete -p initctl' sh "$D/usr/share/bash-completion/completions/initctl")" \
		"complete -F _initctl initctl" "the installed completion registers itself"
else
	skip "bash missing" "the installed completion registers itself"
fi
check "PREFIX defaults to /usr/local" sh -c \
	"make -s -n -C '$here' B='$B' install | grep -q ' /usr/local/sbin/'"
done_testing
