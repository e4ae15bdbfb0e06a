#!/bin/sh
# tests/completion.sh - the bash completion of initctl
# (completion/initctl.bash), in bash, with COMP_WORDS/COMP_CWORD set as
# bash sets them and the completion function called the way `complete -F`
# calls it:
# - sourcing it registers `complete -F _initctl initctl`;
# - commands, global options, analyze's subcommands, per-command options;
# - service names come from `initctl list` (a stand-in initctl on PATH
#   prints a table as the real one does on a pipe, and records the
#   arguments it got, so -r/-s typed on the line must reach it), and
#   none when initctl cannot reach corral (exit 3);
# - no name after the first, and none for commands that take none.
# tests/host/status-view.sh completes names from a real corral too.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/lib/tap.sh"

command -v bash >/dev/null || skip_all "bash not installed"
T=$(mktemp -d /tmp/corral-compl.XXXXXX)
trap 'rm -rf "$T"' EXIT

mkdir -p "$T/bin"
cat > "$T/bin/initctl" <<EOT
#!/bin/sh
echo "\$*" >> "$T/args"
[ -e "$T/down" ] && { echo "initctl: unable to connect" >&2; exit 3; }
printf 'NAME    STATE    PID UPTIME TASKS    CPU DESCRIPTION\n'
printf 'crond   running  12   1.0s     1 0.001s periodic jobs\n'
printf 'httpd   running  13   1.0s     2 0.002s web\n'
printf 'hostnm  done       -      -     -      -\n'
EOT
chmod +x "$T/bin/initctl"

# complete WORDS...: the candidates for the last word, sorted, one line
complete_words() {
	PATH="$T/bin:$PATH" bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_initctl initctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ \$//"
	' sh "$here/completion/initctl.bash" "$@"
}

is "$(bash -c '. "$1"; complete -p initctl' sh "$here/completion/initctl.bash")" \
	"complete -F _initctl initctl" "sourcing registers complete -F _initctl initctl"
is "$(complete_words initctl st)" "start status stop" "commands: st -> start status stop"
is "$(complete_words initctl "")" \
	"analyze disable enable halt help list log metrics poweroff reboot reload restart start status stop top verify" \
	"every command on an empty word"
is "$(complete_words initctl --)" "--help --json --kv --version" "global long options"
is "$(complete_words initctl analyze "")" "blame critical-chain plot" "analyze's subcommands"
is "$(complete_words initctl log -)" "--json -f -n" "log's options"
: > "$T/args"
is "$(complete_words initctl -r /tmp/x status "")" "crond hostnm httpd" \
	"status: every service name from initctl list"
is "$(cat "$T/args")" "-r /tmp/x list" "initctl list was asked on the socket typed (-r /tmp/x)"
is "$(complete_words initctl restart h)" "hostnm httpd" "restart h -> the names starting with h"
is "$(complete_words initctl -s /tmp/s.sock log -n 5 c)" "crond" "log -n 5 c -> crond (-n's value skipped)"
is "$(complete_words initctl analyze critical-chain cr)" "crond" "analyze critical-chain: names"
is "$(complete_words initctl stop crond "")" "" "no second name"
is "$(complete_words initctl list "")" "" "list takes no names"
mkdir -p "$T/units/sub.d"
: > "$T/units/a.service"
: > "$T/units/b.conf"
is "$(complete_words initctl verify "$T/units/")" "$T/units/a.service $T/units/sub.d" \
	"verify: service files and directories, not other files"
is "$(complete_words initctl verify --j)" "--json" "verify's option"
if command -v shellcheck >/dev/null; then
	check "shellcheck -s bash: no warnings" shellcheck -s bash -S warning "$here/completion/initctl.bash"
else
	skip "shellcheck not installed" "shellcheck of the completion"
fi
touch "$T/down"
is "$(complete_words initctl status "")" "" "no names when corral does not answer"
done_testing
