#!/bin/sh
# tests/host/json-utf8.sh - issue 9 item 5: whatever bytes a service file
# holds, `initctl --json` prints valid UTF-8 JSON.  A service whose
# Description= has invalid UTF-8 (a stray continuation byte, FF FE, an
# overlong '/', a surrogate, a code point above U+10FFFF, a sequence cut
# short) and raw control characters (ESC, DEL, C1 NEL) is loaded; status
# and list are parsed by python3 with strict UTF-8 decoding.  corral runs
# as a subreaper in a private cgroup subtree.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
PY=$(command -v /usr/bin/python3 python3 | head -n 1)
[ -n "$PY" ] || skip_all "needs python3 to parse the JSON"
subreaper_scenario json

mkdir -p "$T/conf/services"
# printf's octal escapes: \200 continuation, \377\376 FF FE, \300\257
# overlong '/', \355\240\200 surrogate U+D800, \364\220\200\200 U+110000,
# \033 ESC, \177 DEL, \302\205 C1 NEL, \342\202 a cut euro sign at the end
printf '[Unit]\nDescription=bad \200 ff\377\376 ov\300\257 sur\355\240\200 big\364\220\200\200 esc\033 del\177 nel\302\205 ok\303\251 cut\342\202\n[Service]\nExecStart=/bin/sleep 1000\n' \
	> "$T/conf/services/hostile.service"
printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$T/conf/services/plain.service"

"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" > "$T/log" 2>&1 &
CP=$!
check "corral answers" retry 10 ctl list
check "the hostile service is loaded and running" retry 10 state_is hostile running

# parse strictly: bytes -> UTF-8 (raises on any invalid byte) -> JSON
strict_json() {	# strict_json FILE: prints the parsed document's repr
	"$PY" -c 'import json, sys
data = open(sys.argv[1], "rb").read()
doc = json.loads(data.decode("utf-8", errors="strict"))
print(repr(doc))' "$1"
}

ctl --json status > "$T/status.json"
ok $? "initctl --json status answers"
check "initctl --json status is valid UTF-8 JSON" strict_json "$T/status.json"
ctl --json status hostile > "$T/one.json"
check "initctl --json status hostile is valid UTF-8 JSON" strict_json "$T/one.json"
ctl --json list > "$T/list.json"
check "initctl --json list is valid UTF-8 JSON" strict_json "$T/list.json"

# what the description became: replacements, escaped controls, the valid é kept
desc=$("$PY" -c 'import json, sys
doc = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
print(ascii(doc[0]["description"]))' "$T/one.json" 2>&1)
is "$desc" "'bad \\ufffd ff\\ufffd\\ufffd ov\\ufffd\\ufffd sur\\ufffd\\ufffd\\ufffd big\\ufffd\\ufffd\\ufffd\\ufffd esc\\x1b del\\x7f nel\\x85 ok\\xe9 cut\\ufffd'" \
	"invalid sequences became U+FFFD, control characters survived as escapes, valid UTF-8 kept"
check "control characters are escaped, not raw" sh -c "! LC_ALL=C grep -q \"\$(printf '[\\033\\177]')\" '$T/one.json'"
check "C1 NEL is escaped as \\u0085" grep -q 'nel\\u0085' "$T/one.json"
check "corral still answers after all that" ctl status plain

kill -TERM "$CP"
wait "$CP"
rc=$?
CP=
is "$rc" 0 "corral stops and exits 0"
done_testing
