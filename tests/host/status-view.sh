#!/bin/sh
# tests/host/status-view.sh - issue 14's command-line conventions and the
# human views, against corral as a subreaper in a private subtree:
# - corral and initctl: --help (exit 0, a line per command/option),
#   --version, unknown command/option (exit 2 and the message), a missing
#   or extra argument, NAME.service accepted by initctl and by corral itself
#   (a raw request through the socket with python3);
# - an unknown User=/Group= reads "no such user 'x'", not an errno text;
# - initctl status NAME (not a tty): headline, Active: since (ago), main
#   pid with its command name, tasks (limit), CPU, hierarchies by name,
#   the process tree with command lines, exactly the last 10 log lines;
#   "-" for a finished service's pid; no escape codes;
# - --kv status is the stable key/value form (the old keys, one per line);
#   --json status names each path's hierarchy;
# - initctl list: the header, aligned columns, "-" for finished services;
# - on a terminal (tmux 100x30): colour and markers; NO_COLOR=1: none;
# - bash completion (completion/initctl.bash) offers this corral's names.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

ESC=$(printf '\033')
[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
scenario_cleanup() {
	command -v tmux >/dev/null && tmux -S "$T/tmux.sock" kill-server 2>/dev/null
}
subreaper_scenario statusview

# --- conventions, no corral needed ---------------------------------------
"$INITCTL" --help > "$T/help" 2>&1
is "$?" 0 "initctl --help exits 0"
for c in list status start stop restart log reboot poweroff halt top analyze metrics \
	--json --kv --help --version; do
	grep -qE "^  ([a-z|]*\|)?$c([ |,]|$)|^  -., $c|^  $c " "$T/help" || echo "$c" >> "$T/help-missing"
done
is "$(cat "$T/help-missing" 2>/dev/null)" "" "initctl --help has a line per command and option"
"$INITCTL" --version > "$T/ver" 2>&1
is "$?" 0 "initctl --version exits 0"
check "initctl --version prints 'initctl VERSION'" grep -qE '^initctl [^ ]+$' "$T/ver"
"$CORRAL" --help > "$T/chelp" 2>&1
is "$?" 0 "corral --help exits 0"
for o in --config-dir --run-dir --cgroup-subtree --layout --cgroup-base --debug --help --version; do
	grep -q -- "$o" "$T/chelp" || echo "$o" >> "$T/chelp-missing"
done
is "$(cat "$T/chelp-missing" 2>/dev/null)" "" "corral --help has a line per option"
"$CORRAL" --version > "$T/cver" 2>&1
is "$?" 0 "corral --version exits 0"
is "$(sed 's/^corral //' "$T/cver")" "$(sed 's/^initctl //' "$T/ver")" \
	"both programs print the same version"
"$CORRAL" --frobnicate > "$T/cbad" 2>&1
is "$?" 2 "corral: an unknown option exits 2"
check "and names it" grep -q "unknown option '--frobnicate'" "$T/cbad"

"$INITCTL" -r "$T/run" frobnicate > "$T/o" 2> "$T/e"
is "$?" 2 "initctl frobnicate exits 2"
check "unknown command 'frobnicate', and a hint to --help" \
	sh -c "grep -q \"^initctl: unknown command 'frobnicate'\" '$T/e' && grep -q -- --help '$T/e'"
"$INITCTL" -r "$T/run" stop > "$T/o" 2> "$T/e"
is "$?" 2 "stop without a name exits 2"
check "stop needs a service name" grep -q "^initctl: stop needs a service name" "$T/e"
"$INITCTL" -r "$T/run" stop a b > "$T/o" 2> "$T/e"
is "$?" 2 "stop a b exits 2"
check "the extra argument is named" grep -q "unexpected argument 'b'" "$T/e"
"$INITCTL" -r "$T/run" list x > "$T/o" 2> "$T/e"
is "$?" 2 "list x exits 2"
check "list takes no arguments" grep -q "list takes no arguments" "$T/e"
"$INITCTL" -r "$T/run" status --bogus > "$T/o" 2> "$T/e"
is "$?" 2 "status --bogus exits 2"
check "an unknown option is named" grep -q "unknown option '--bogus'" "$T/e"

# --- corral with a few services ---------------------------------------------
S=$T/conf/services
mkdir -p "$S"
cat > "$S/tree.service" <<'EOT'
[Unit]
Description=a shell with children
[Service]
ExecStart=/bin/sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line$i; done; sleep 1000 & sleep 1001 & wait'
[Group]
numtasks.max=20
EOT
printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' > "$S/once.service"
printf '[Service]\nExecStart=/bin/sleep 1000\nUser=nosuchuser-h8\n' > "$S/nouser.service"
printf '[Service]\nExecStart=/bin/sleep 1000\nGroup=nosuchgroup-h8\n' > "$S/nogroup.service"

"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" > "$T/log" 2>&1 &
CP=$!
check "corral answers" retry 10 ctl list
check "tree is running" retry 10 state_is tree running
check "once is done" retry 10 state_is once "done"
check "tree's output is in" retry 10 sh -c "'$INITCTL' -r '$T/run' log tree | grep -q line12"
# the whole process tree is there (sh and its two sleeps)
check "tree has 3 tasks" retry 10 sh -c "[ \"\$('$INITCTL' -r '$T/run' --kv status tree | awk '\$1 == \"numtasks_current\" { print \$2 }')\" = 3 ]"

is "$(field nouser exec_error)" "stage user: no such user 'nosuchuser-h8'" \
	"an unknown User= is 'no such user', not an errno text"
is "$(field nogroup exec_error)" "stage user: no such group 'nosuchgroup-h8'" \
	"an unknown Group= is 'no such group'"

# NAME.service: initctl strips it, and corral strips it for any client
check "initctl status tree.service" ctl --kv status tree.service
is "$(ctl --kv status tree.service | awk '$1 == "service" { print $2 }')" tree \
	"status tree.service is tree"
check "initctl restart once.service" ctl restart once.service
if command -v python3 >/dev/null; then
	# struct ctl_request as supervisor.h lays it out (magic, version,
	# size, cmd CTL_STATUS = 2, flags, name[65], padding), sent raw
	python3 - "$T/run/corral.sock" > "$T/raw" 2>&1 <<'EOP'
import socket, struct, sys
req = struct.pack("<IHHII65s3x", 0x52524f43, 1, 84, 2, 0, b"tree.service")
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(req)
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode("utf-8", "replace"))
EOP
	check "corral itself strips .service (a raw client's request)" \
		sh -c "head -n 1 '$T/raw' | grep -qx ok && grep -qx 'service tree' '$T/raw'"
else
	skip "python3 missing" "corral itself strips .service"
fi

# --- status, not a tty ------------------------------------------------------
ctl status tree > "$T/st" 2> "$T/st.err"
is "$?" 0 "status tree exits 0"
check "headline: name - description" grep -qx "tree - a shell with children" "$T/st"
check "Active: running since <time> (<duration> ago)" \
	grep -qE '^ +Active: running since [A-Z][a-z]{2} [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} .* \(([0-9.]+s|[0-9]+min [0-9]+s) ago\)$' "$T/st"
TP=$(field tree pid)
check "Main PID: pid (sh)" grep -qE "^ +Main PID: $TP \(sh\)$" "$T/st"
check "Tasks: 3 (limit 20)" grep -qE '^ +Tasks: 3 \(limit 20\)$' "$T/st"
check "CPU: N.NNNs" grep -qE '^ +CPU: [0-9]+\.[0-9]{3}s' "$T/st"
check "the pids hierarchy's path is named numtasks" \
	grep -qE "^ +numtasks: +/sys/fs/cgroup/pids/$SUB/tree$" "$T/st"
if [ -d /sys/fs/cgroup/unified ]; then
	tracking_named() {
		ctl --kv status tree | grep -qE "^path tracking /sys/fs/cgroup/unified/.*$SUB/tree\$" &&
			ctl --json status tree | grep -q '"subsystems":"tracking"'
	}
	check "the tracking tree's path is named tracking (text and JSON)" tracking_named
fi
check "the process tree has sleep 1000 under sh" grep -qE '^ +[|`└├]─? ?[0-9]+ sleep 1000$|^ +[|`]-[0-9]+ sleep 1000$' "$T/st"
check "and sh's whole command line" grep -qF "$TP /bin/sh -c for i in" "$T/st"
is "$(grep -c 'line[0-9]' "$T/st")" 10 "exactly the last 10 log lines"
check "  each with its time, as initctl log shows it" \
	sh -c "grep 'line[0-9]' '$T/st' | grep -qE '^  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{3} line'"
check "line3 to line12" sh -c "grep -q 'line3\$' '$T/st' && grep -q 'line12\$' '$T/st' && ! grep -q 'line2\$' '$T/st'"
check "no escape codes when not a tty" sh -c "! grep -q '$ESC' '$T/st'"
is "$(cat "$T/st.err")" "" "nothing on stderr"

ctl status once > "$T/once"
check "finished: Main PID: -" grep -qE '^ +Main PID: -$' "$T/once"
check "finished: Active: done since ..." grep -qE '^ +Active: done since ' "$T/once"
check "last exit in words" grep -q 'last exit: exited with status 0 (success)' "$T/once"
check "no output: said so, no error" sh -c "grep -q 'no output captured' '$T/once'"
ctl status nouser > "$T/nouser"
check "the exec error is shown" grep -q "Exec error: stage user: no such user 'nosuchuser-h8'" "$T/nouser"

# --- --kv and --json -----------------------------------------------------------
ctl --kv status tree > "$T/kv"
for k in service description state want type pid uptime restarts last_exit group path procs \
	started_at_realtime state_since_realtime; do
	grep -q "^$k " "$T/kv" || grep -qx "$k" "$T/kv" || echo "$k" >> "$T/kv-missing"
done
is "$(cat "$T/kv-missing" 2>/dev/null)" "" "--kv status has the old keys and the new times"
check "--kv is key value lines (no headline)" sh -c "! grep -q '^tree - ' '$T/kv' && grep -qx 'state running' '$T/kv'"
check "--kv after the command works too" sh -c "'$INITCTL' -r '$T/run' status --kv tree | grep -qx 'state running'"
is "$(field once pid)" 0 "--kv keeps pid 0 for a finished service (scripts rely on it)"
if command -v python3 >/dev/null; then
	ctl --json status tree > "$T/json"
	check "--json status names each path's hierarchy" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))[0]
h = {x["subsystems"]: x["path"] for x in s["hierarchies"]}
assert h["numtasks"].endswith("/pids/" + sys.argv[2] + "/tree"), h
assert [x["path"] for x in s["hierarchies"]] == s["paths"]
assert s["started_at_realtime"] > 0
' "$T/json" "$SUB"
	ctl --json list > "$T/jlist"
	check "--json list unchanged: name, state, pid" python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))
assert sorted(x["name"] for x in l) == ["nogroup", "nouser", "once", "tree"]
assert all(set(x) == {"name", "state", "pid"} for x in l)
' "$T/jlist"
else
	skip "python3 missing" "--json status names each path's hierarchy"
	skip "python3 missing" "--json list unchanged"
fi

# --- list, not a tty -----------------------------------------------------------
ctl list > "$T/list"
is "$?" 0 "list exits 0"
is "$(head -n 1 "$T/list" | tr -s ' ')" "NAME STATE PID UPTIME TASKS CPU DESCRIPTION" "list header"
is "$(wc -l < "$T/list")" 5 "a row per service"
# every column starts where its header does (right-aligned numbers end there)
check "columns aligned" awk '
NR == 1 { s = index($0, "STATE"); p = index($0, "PID") + 2; d = index($0, "DESCRIPTION"); next }
substr($0, s - 1, 1) != " " || substr($0, s, 1) == " " || substr($0, p, 1) == " " { exit 1 }
$1 == "tree" && substr($0, d) != "a shell with children" { exit 1 }' "$T/list"
is "$(awk '$1 == "once" { print $3, $4 }' "$T/list")" "- -" "finished: pid and uptime are -"
is "$(awk '$1 == "tree" { print $3 }' "$T/list")" "$TP" "running: its pid"
check "list: no escape codes when not a tty" sh -c "! grep -q '$ESC' '$T/list'"
is "$(awk '$1 == "tree" { print $5 }' "$T/list")" "$(field tree numtasks_current)" \
	"running: its tasks, as status counts them"
check "running: its cpu time" sh -c "awk '\$1 == \"tree\" { exit \$6 !~ /^[0-9.]+s\$/ }' '$T/list'"
# list asks for the summary (CTL_F_SUMMARY): no process lists, no cpuset
# files, only what the table shows
if command -v strace >/dev/null; then
	strace -qq -e trace=openat -o "$T/list.trace" -p "$CP" & ST=$!
	retry 10 sh -c "awk '/^TracerPid:/ { exit \$2 == 0 }' /proc/$CP/status"
	ctl list > /dev/null
	ctl list > "$T/list2"
	kill -INT "$ST"; wait "$ST" 2>/dev/null
	check "list: the summary read numtasks files" grep -q 'pids.current' "$T/list.trace"
	check "list: ... and no cgroup.procs or cpuset file" \
		sh -c "! grep -qE 'cgroup.procs|cpuset\\.' '$T/list.trace'"
	is "$(wc -l < "$T/list2")" 5 "list: a row per service from the summary too"
else
	for w in "numtasks files" "no cgroup.procs" "a row per service"; do
		skip "strace missing" "list: $w"
	done
fi

# --- on a terminal ---------------------------------------------------------------
if command -v tmux >/dev/null; then
	tm() { tmux -S "$T/tmux.sock" "$@"; }
	TERM=xterm tm -f /dev/null new-session -d -s tty -x 100 -y 30 \
		"env LANG=C.UTF-8 sh -c '\"$INITCTL\" -r \"$T/run\" list; echo LIST-DONE; sleep 600'"
	check "tty: list is drawn" retry 10 sh -c "tmux -S '$T/tmux.sock' capture-pane -p -t tty | grep -q LIST-DONE"
	tm capture-pane -e -p -t tty > "$T/tty-list"
	# tmux re-encodes the attributes (a reset may come back as ESC[39m), so
# any SGR sequences may sit between the colour, the marker and the name
E="(${ESC}\[[0-9;]*m)*"
check "tty: running in green with a filled marker" grep -qE "${ESC}\[32m$E● ${E}tree " "$T/tty-list"
	check "tty: state coloured" grep -q "${ESC}\[32mrunning" "$T/tty-list"
	check "tty: failed in red with a cross" grep -qE "${ESC}\[31m$E× ${E}nouser " "$T/tty-list"
	TERM=xterm tm new-session -d -s st -x 100 -y 30 \
		"env LANG=C.UTF-8 sh -c '\"$INITCTL\" -r \"$T/run\" status tree; echo ST-DONE; sleep 600'"
	check "tty: status is drawn" retry 10 sh -c "tmux -S '$T/tmux.sock' capture-pane -p -t st | grep -q ST-DONE"
	tm capture-pane -e -p -t st -S -100 > "$T/tty-st"
	check "tty: status headline with a green marker" grep -qE "^$E${ESC}\[32m$E● ${E}tree - a shell" "$T/tty-st"
	check "tty: the process tree in box drawing" grep -q "├─.*sleep 1000" "$T/tty-st"
	TERM=xterm tm new-session -d -s nc -x 100 -y 30 \
		"env LANG=C.UTF-8 NO_COLOR=1 sh -c '\"$INITCTL\" -r \"$T/run\" list; \"$INITCTL\" -r \"$T/run\" status tree; echo NC-DONE; sleep 600'"
	check "NO_COLOR: drawn" retry 10 sh -c "tmux -S '$T/tmux.sock' capture-pane -p -t nc | grep -q NC-DONE"
	tm capture-pane -e -p -t nc -S -100 > "$T/tty-nc"
	check "NO_COLOR=1 on a tty: no colour" sh -c "! grep -q '$ESC\[3[0-9]m' '$T/tty-nc'"
	check "NO_COLOR=1 on a tty: no markers" sh -c "! grep -q '●' '$T/tty-nc'"
	check "NO_COLOR=1 on a tty: the table is there" grep -q "^tree  *running" "$T/tty-nc"
else
	skip "tmux not installed" "list and status on a terminal"
fi

# --- bash completion of names, from this corral ------------------------------
if command -v bash >/dev/null; then
	mkdir -p "$T/bin"
	ln -s "$INITCTL" "$T/bin/initctl"
	got=$(PATH="$T/bin:$PATH" bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_initctl; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		sh "$here/completion/initctl.bash" initctl -r "$T/run" status "")
	is "$got" "nogroup nouser once tree " "bash completion: the names corral has"
else
	skip "bash missing" "bash completion: the names corral has"
fi

kill -TERM "$CP"
wait "$CP"
CP=
cg_subtree_gone "$SUB"
ok $? "corral removed its subtree"
done_testing
