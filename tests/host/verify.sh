#!/bin/sh
# tests/host/verify.sh - the programs' side of `initctl verify` and
# `corral --verify` (services/verify.c; its output is checked in
# tests/unit/test_verify.c): no corral, socket or root needed, the same
# report from both, exit status 0 / 1 / 2, --json parses, and corral
# --verify touches nothing (no run directory, no cgroup subtree).
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ -x "$CORRAL" ] && [ -x "$INITCTL" ] || skip_all "corral or initctl not built"
T=$(mktemp -d /tmp/corral-verify.XXXXXX)
trap 'rm -rf "$T"' EXIT

cat > "$T/good.service" <<EOT
[Unit]
Description=a good one
[Service]
ExecStart=/bin/sleep 1000
Frobnicate=yes
EOT
printf '[Service]\nExecStart=/bin/true\nRestart=sometimes\n' > "$T/bad.service"

"$INITCTL" -r "$T/nothing-here" verify "$T/good.service" > "$T/i.out" 2> "$T/i.err"
is "$?" 0 "initctl verify of a good file: exit 0, with no corral to talk to"
is "$(cat "$T/i.err")" "" "nothing on stderr"
check "it says loaded" grep -q "good.service: loaded" "$T/i.out"
check "the argv that will run" grep -qE '^  ExecStart: +/bin/sleep 1000$' "$T/i.out"
check "the ignored key with its line" grep -qE "^  ignored: +$T/good.service:5: unknown key Frobnicate" "$T/i.out"

"$CORRAL" --run-dir "$T/run" --cgroup-subtree "corral-verify-$$" --verify "$T/good.service" \
	> "$T/c.out" 2>&1
is "$?" 0 "corral --verify of a good file: exit 0"
is "$(cat "$T/c.out")" "$(cat "$T/i.out")" "corral --verify says what initctl verify says"
check "corral --verify made no run directory" test ! -e "$T/run"
check "and no cgroup subtree" cg_subtree_gone "corral-verify-$$"

"$INITCTL" verify "$T/good.service" "$T/bad.service" > "$T/b.out" 2>&1
is "$?" 1 "one of two files rejected: exit 1"
check "the rejected one with file:line" grep -qE "^  error: +$T/bad.service:3: Restart: 'sometimes'" "$T/b.out"
check "the summary" grep -q '^2 files: 1 loaded, 1 rejected$' "$T/b.out"
"$CORRAL" --verify "$T/bad.service" > /dev/null 2>&1
is "$?" 1 "corral --verify: exit 1 too"

if command -v python3 >/dev/null; then
	is "$("$INITCTL" --json verify "$T/good.service" "$T/bad.service" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["loaded"], d["rejected"], [f["loaded"] for f in d["files"]],
      d["files"][0]["service"]["exec"][0]["argv"])')" \
		"1 1 [True, False] ['/bin/sleep', '1000']" "initctl --json verify: valid JSON, the same facts"
	is "$("$INITCTL" verify --json "$T/good.service" | python3 -c 'import json,sys; print(json.load(sys.stdin)["loaded"])')" \
		"1" "--json after verify works too"
else
	skip "python3 not installed" "initctl --json verify"
	skip "python3 not installed" "--json after verify"
fi

"$INITCTL" verify > /dev/null 2>&1
is "$?" 2 "initctl verify without a file: exit 2"
"$INITCTL" verify --frob "$T/good.service" > /dev/null 2>&1
is "$?" 2 "an unknown option: exit 2"
"$INITCTL" --kv verify "$T/good.service" > /dev/null 2>&1
is "$?" 2 "--kv: exit 2 (no such form)"
"$CORRAL" --verify > /dev/null 2>&1
is "$?" 2 "corral --verify without a file: exit 2"
done_testing
