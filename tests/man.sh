#!/bin/sh
# tests/man.sh - the man pages (man/*.[1-8]) pass `mandoc -T lint -W
# warning` without a single message, and each documents what the programs
# say about themselves: every option of `corral --help` is in corral(8),
# every command and option of `initctl --help` in initctl(8), every key the
# service loader and corral.conf accept in corral.service(5) and
# corral.conf(5) (read from the sources, so a new key without its
# documentation fails here).
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

command -v mandoc >/dev/null || skip_all "mandoc not installed (Debian package mandoc)"
T=$(mktemp -d /tmp/corral-man.XXXXXX)
trap 'rm -rf "$T"' EXIT

for p in corral.8 initctl.8 corral.service.5 corral.conf.5; do
	f=$here/man/$p
	if [ ! -f "$f" ]; then
		ok 1 "$p exists"
		continue
	fi
	mandoc -T lint -W warning "$f" > "$T/lint" 2>&1
	rc=$?
	is "$rc:$(cat "$T/lint")" "0:" "$p: mandoc -T lint -W warning is silent"
	# the rendered text, for the checks of content below
	mandoc -T ascii "$f" 2>/dev/null | col -b > "$T/$p.txt"
done

# words that must appear in a page: missing ones are listed
missing() {	# missing PAGE WORD...
	page=$1
	shift
	for w in "$@"; do
		grep -qF -- "$w" "$T/$page.txt" || printf '%s ' "$w"
	done
}

if [ -x "$CORRAL" ]; then
	# shellcheck disable=SC2046
	is "$(missing corral.8 $("$CORRAL" --help | grep -oE -- '--[a-z-]+' | sort -u))" "" \
		"corral(8) documents every option of corral --help"
else
	skip "no corral binary" "corral(8) documents every option"
fi
if [ -x "$INITCTL" ]; then
	# commands: the first words of the help's command lines (a|b|c NAME)
	# shellcheck disable=SC2046
	is "$(missing initctl.8 $("$INITCTL" --help | sed -n 's/^  \([a-z][a-z|-]*\).*/\1/p' |
		tr '|' '\n' | sort -u) $("$INITCTL" --help | grep -oE -- '--[a-z-]+' | sort -u))" "" \
		"initctl(8) documents every command and option of initctl --help"
else
	skip "no initctl binary" "initctl(8) documents every command"
fi
# shellcheck disable=SC2046
is "$(missing corral.service.5 $(grep -oE '!strcmp\(k, "[A-Za-z_.]+"\)' "$here/services/load.c" |
	sed 's/.*"\(.*\)".*/\1=/' | sort -u))" "" \
	"corral.service(5) documents every key services/load.c accepts"
# shellcheck disable=SC2046
is "$(missing corral.conf.5 $(sed -n '/^static int conf_handler/,/^}/p' "$here/init/main.c" |
	grep -oE '!strcmp\(name, "[a-z_]+"\)' | sed 's/.*"\(.*\)".*/\1=/' | sort -u))" "" \
	"corral.conf(5) documents every key of corral.conf"
is "$(missing corral.service.5 us ms sec min infinity '1min 30s')" "" \
	"corral.service(5) has the time-span grammar"
done_testing
