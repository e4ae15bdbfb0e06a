#!/bin/sh
# tests/host/views.sh - initctl top, analyze and metrics (issue 15) against
# corral as a subreaper in a private subtree, with a CPU-burning service,
# idle ones, a dependency (app Requires= db, in the nested group
# front/app), a oneshot that ends done and a service that fails (exit 3):
# - top -b: the burner is first in the second frame, its CPU% agrees with
#   its share measured from /proc (and is > 50 when the machine gave it
#   that much), every group has its row, plain lines without escape codes;
# - top on an 80x24 terminal (tmux): header, rows, the burner on top,
#   redrawn in place (one header in the whole pane history), a sort key
#   re-sorts, q quits with the terminal restored, and so does SIGTERM;
#   colour only without NO_COLOR;
# - analyze blame lists every service, slowest first; critical-chain app
#   goes through db; plot is valid XML (xmllint) that rsvg-convert renders
#   to a PNG of the expected size, not blank;
# - metrics parse with the real Prometheus parser (Debian's
#   python3-prometheus-client) and agree with `initctl status`.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

# Debian's python3, where python3-prometheus-client is installed
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
scenario_cleanup() {
	command -v tmux >/dev/null && tmux -S "$T/tmux.sock" kill-server 2>/dev/null
}
subreaper_scenario views

S=$T/conf/services
mkdir -p "$S"
cat > "$S/burn.service" <<'EOT'
[Service]
ExecStart=/bin/sh -c 'while :; do :; done'
EOT
printf '[Service]\nExecStart=/bin/sleep 100000\n[Group]\nnumtasks.max=5\n' > "$S/idle.service"
printf '[Service]\nExecStart=/bin/sleep 100000\n' > "$S/db.service"
printf '[Unit]\nAfter=db\nRequires=db\n[Service]\nExecStart=/bin/sleep 100000\n[Group]\nName=app\nParent=front\n' \
	> "$S/app.service"
printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' > "$S/once.service"
printf '[Service]\nExecStart=/bin/sh -c "exit 3"\n' > "$S/bad.service"
ALL="app bad burn db idle once"

"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" > "$T/log" 2>&1 &
CP=$!
check "corral answers" retry 10 ctl list
for s in burn idle db app; do
	check "$s is running" retry 10 state_is "$s" running
done
check "once is done" retry 10 state_is once "done"
check "bad failed (exit 3)" retry 10 state_is bad failed

# --- top, batch ------------------------------------------------------------
# the burner's CPU share over the same window, measured independently
# from /proc (utime + stime of its process), to check top's CPU% against
# whatever this shared machine gave it
ticks() { awk '{ print $14 + $15 }' "/proc/$(field burn pid)/stat"; }
up() { awk '{ print $1 }' /proc/uptime; }
k0=$(ticks) u0=$(up)
ctl top -b -n 2 -d 1 > "$T/top.txt" 2> "$T/top.err"
is "$?" 0 "top -b -n 2 -d 1 exits 0"
k1=$(ticks) u1=$(up)
share=$(awk -v k="$((k1 - k0))" -v hz="$(getconf CLK_TCK)" -v a="$u0" -v b="$u1" \
	'BEGIN { printf "%.1f", k / hz / (b - a) * 100 }')
is "$(grep -c '^NAME ' "$T/top.txt")" 2 "two frames, each with the column header"
# the rows of the second frame
awk '/^NAME / { f++; next } f == 2 && NF { print }' "$T/top.txt" > "$T/frame2"
is "$(awk 'NR == 1 { print $1 }' "$T/frame2")" burn "the CPU burner is the first row"
# the CPU% column by its header (more columns follow it: MEM/LIMIT with
# the memory subsystem)
CPUCOL=$(awk '/^NAME / { for (i = 1; i <= NF; i++) if ($i == "CPU%") { print i; exit } }' "$T/top.txt")
cpu=$(awk -v c="$CPUCOL" '$1 == "burn" { print $c }' "$T/frame2")
check "its CPU% ($cpu) agrees with /proc ($share, over a slightly longer window)" \
	awk -v c="$cpu" -v p="$share" 'BEGIN { d = c - p; if (d < 0) d = -d; exit !(c > 0 && d <= 15) }'
if awk -v p="$share" 'BEGIN { exit !(p >= 60) }'; then
	check "its CPU% over the interval is above 50 (got $cpu)" awk -v c="$cpu" 'BEGIN { exit !(c + 0 > 50) }'
else
	skip "this machine gave the burner only $share% of a CPU" "its CPU% over the interval is above 50"
fi
check "the idle service's CPU% is below 5" awk -v c="$CPUCOL" '$1 == "idle" { f = 1; exit !($c + 0 < 5) } END { exit !f }' "$T/frame2"
is "$(awk '$1 == "front/app" { print $2 }' "$T/frame2")" running "the nested group shows as front/app, running"
is "$(awk '$1 == "idle" { print $3 }' "$T/frame2")" 1/5 "tasks/limit of idle (numtasks.max=5)"
is "$(awk '$1 == "bad" { print $2 }' "$T/frame2")" failed "a failed service has its row"
is "$(wc -l < "$T/frame2")" 6 "one row per group"
check "batch output has no escape codes" sh -c "! grep -q \"$(printf '\033')\" '$T/top.txt'"
check "the first frame has no CPU% yet (no earlier sample)" \
	awk -v c="$CPUCOL" '/^NAME / { f++; next } f == 1 && $1 == "burn" { exit !($c == "-") }' "$T/top.txt"
ctl top -d 0 > /dev/null 2> "$T/err"
is "$?" 2 "top -d 0 is refused (exit 2)"
check "... saying what -d wants" grep -q "top -d '0'" "$T/err"
"$INITCTL" -r "$T/nowhere" top -b -n 1 > /dev/null 2>&1
is "$?" 3 "top without corral: exit 3 (cannot connect)"

# --- top on a terminal (tmux, 80x24) --------------------------------------
if command -v tmux >/dev/null; then
	tm() { tmux -S "$T/tmux.sock" "$@"; }
	pane() { tm capture-pane -p -t views "$@"; }
	# the rows below the column header
	first_row() { pane | awk '/^NAME / { getline; print $1; exit }'; }
	TERM=xterm tm -f /dev/null new-session -d -s views -x 80 -y 24 \
		"sh -c '\"$INITCTL\" -r \"$T/run\" top -d 0.5; echo TOP-EXIT \$?; stty -a > \"$T/stty\"; sleep 600'"
	check "top shows its header" retry 10 sh -c "tmux -S '$T/tmux.sock' capture-pane -p -t views | grep -q '^corral top - clock'"
	check "... and the burner first once CPU% is known" retry 10 sh -c \
		"tmux -S '$T/tmux.sock' capture-pane -p -t views | awk '/^NAME / { for (i = 1; i <= NF; i++) if (\$i == \"CPU%\") c = i; getline; exit !(\$1 == \"burn\" && \$c + 0 > 5) }'"
	c1=$(pane | sed -n 's/^corral top - clock \([0-9.]*\)s.*/\1/p')
	sleep 1.5
	pane > "$T/pane"
	c2=$(sed -n 's/^corral top - clock \([0-9.]*\)s.*/\1/p' "$T/pane")
	check "it refreshed (clock $c1 -> $c2)" awk -v a="$c1" -v b="$c2" 'BEGIN { exit !(b > a) }'
	is "$(sed -n 1p "$T/pane" | cut -c1-17)" "corral top - cloc" "the frame starts at the top line (redrawn from home)"
	is "$(pane -S - -E - | grep -c '^corral top - clock')" 1 \
		"redrawn in place: one header in the pane and its scrollback"
	is "$(tm display-message -p -t views '#{history_size}')" 0 "nothing scrolled off the screen"
	for s in $ALL; do
		n=$s
		[ "$s" = app ] && n=front/app
		check "row of $n" grep -q "^$n  *[a-z]" "$T/pane"
	done
	check "every line fits 80 columns" awk 'length($0) > 80 { exit 1 }' "$T/pane"
	check "the footer shows the sort keys" grep -q '\[c cpu%\].*q quit' "$T/pane"
	check "colour on a terminal without NO_COLOR (running in green)" sh -c \
		"tmux -S '$T/tmux.sock' capture-pane -e -p -t views | grep -q \"$(printf '\033')\\[32mrunning\""
	tm send-keys -t views n
	check "key n sorts by name: bad first" retry 5 sh -c \
		"tmux -S '$T/tmux.sock' capture-pane -p -t views | awk '/^NAME / { getline; exit !(\$1 == \"bad\") }'"
	check "... and the header says so" retry 5 sh -c \
		"tmux -S '$T/tmux.sock' capture-pane -p -t views | grep -q 'sorted by name'"
	tm send-keys -t views r
	check "key r reverses: once first" retry 5 sh -c \
		"tmux -S '$T/tmux.sock' capture-pane -p -t views | awk '/^NAME / { getline; exit !(\$1 == \"once\") }'"
	tm send-keys -t views q
	check "q quits, exit status 0" retry 5 sh -c "tmux -S '$T/tmux.sock' capture-pane -p -t views | grep -q '^TOP-EXIT 0'"
	check "the terminal is back in canonical mode with echo" retry 5 sh -c \
		"grep -qw icanon '$T/stty' && ! grep -qw -- -icanon '$T/stty' && grep -qw echo '$T/stty'"
	tm kill-session -t views

	# SIGTERM: terminal restored too, and initctl dies of the signal
	TERM=xterm NO_COLOR=1 tm -f /dev/null new-session -d -s sig -x 80 -y 24 \
		"sh -c 'sh -c \"echo \\\$\\\$ > $T/top.pid; exec \\\"$INITCTL\\\" -r $T/run top -d 0.5\"; echo TOP-EXIT \$?; stty -a > \"$T/stty2\"; sleep 600'"
	check "top under NO_COLOR shows its rows" retry 10 sh -c "tmux -S '$T/tmux.sock' capture-pane -p -t sig | grep -q '^burn '"
	check "NO_COLOR: no colour codes" sh -c \
		"! tmux -S '$T/tmux.sock' capture-pane -e -p -t sig | grep -q \"$(printf '\033')\\[3[0-9]m\""
	kill -TERM "$(cat "$T/top.pid")"
	check "SIGTERM: top ends by the signal (status 143)" retry 5 sh -c \
		"tmux -S '$T/tmux.sock' capture-pane -p -t sig | grep -q '^TOP-EXIT 143'"
	check "SIGTERM: the terminal is restored" retry 5 sh -c \
		"grep -qw icanon '$T/stty2' && ! grep -qw -- -icanon '$T/stty2' && grep -qw echo '$T/stty2'"
	tm kill-server
else
	skip "tmux not installed" "top on a terminal"
fi

# --- analyze ---------------------------------------------------------------
ctl analyze blame > "$T/blame"
is "$?" 0 "analyze blame exits 0"
for s in $ALL; do
	check "blame lists $s" awk -v s="$s" '$3 == s { f = 1 } END { exit !f }' "$T/blame"
done
check "blame is sorted, slowest first" awk 'NR > 1 && $1 != "-" { v = $1 + 0; if (NR > 2 && v > p) exit 1; p = v }' "$T/blame"
check "app waited for db (its wait is not 0)" awk '$3 == "app" { exit !($2 + 0 > 0) }' "$T/blame"
ctl analyze critical-chain app > "$T/chain"
is "$?" 0 "analyze critical-chain app exits 0"
check "the chain of app starts with app" grep -q '^app @[0-9.]*s +[0-9.]*s$' "$T/chain"
check "... and goes through db" grep -q '^`-db @[0-9.]*s +[0-9.]*s$' "$T/chain"
ctl analyze critical-chain > "$T/chain-all"
is "$?" 0 "analyze critical-chain without a name (the last service ready)"
ctl analyze critical-chain nosuch > /dev/null 2> "$T/err"
is "$?" 1 "critical-chain of an unknown service fails"
check "... naming it" grep -q 'no service named nosuch' "$T/err"
ctl analyze frobnicate > /dev/null 2> "$T/err"
is "$?" 2 "analyze with an unknown view: usage (exit 2)"

ctl analyze plot > "$T/boot.svg"
is "$?" 0 "analyze plot exits 0"
if command -v xmllint >/dev/null; then
	check "the plot is well-formed XML (xmllint)" xmllint --noout "$T/boot.svg"
else
	skip "xmllint not installed" "the plot is well-formed XML"
fi
for s in $ALL; do
	check "the plot has a bar label for $s" grep -q "<text [^>]*>$s <tspan" "$T/boot.svg"
done
check "the plot draws the dependency app -> db" grep -q 'marker-end="url(#arrow)"/>$' "$T/boot.svg"
check "labels carry the cpuset" grep -q 'cpus [0-9]' "$T/boot.svg"
check "labels carry the group CPU time" grep -q 'cpu [0-9]*\.[0-9][0-9]s' "$T/boot.svg"
if command -v rsvg-convert >/dev/null; then
	rsvg-convert -o "$T/boot.png" "$T/boot.svg"
	is "$?" 0 "rsvg-convert renders the plot"
	"$PY" - "$T/boot.png" > "$T/png" <<'EOP'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
w, h, depth, ctype = struct.unpack(">IIBB", data[16:26])
idat, pos = b"", 8
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype]
stride = w * bpp
rows, prev = [], bytearray(stride)
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line))
    prev = line
colours = set()
for r in rows:
    for x in range(0, stride, bpp):
        colours.add(r[x:x + bpp])
print(w, h, len(colours))
EOP
	read -r pw ph pc < "$T/png"
	is "$pw" 1120 "PNG width (chart and labels)"
	is "$ph" $((60 + 24 * 6 + 70)) "PNG height: one 24-pixel row per service"
	check "the PNG is not blank: $pc distinct colours" test "${pc:-0}" -gt 8
else
	skip "rsvg-convert not installed" "the plot renders"
fi

# --- metrics -----------------------------------------------------------------
ctl --kv status > "$T/status-before"
ctl metrics > "$T/metrics"
is "$?" 0 "metrics exits 0"
ctl --kv status > "$T/status-after"
if "$PY" -c 'import prometheus_client.parser' 2>/dev/null; then
	"$PY" - "$T/metrics" "$T/status-before" "$T/status-after" > "$T/metrics.tap" 2>&1 <<'EOP'
import sys
from prometheus_client.parser import text_string_to_metric_families

def status(path):
    svcs, cur = {}, None
    for line in open(path):
        k, _, v = line.rstrip("\n").partition(" ")
        if k == "service":
            cur = svcs[v] = {}
        elif cur is not None and k:
            cur[k] = v
    return svcs

fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
before, after = status(sys.argv[2]), status(sys.argv[3])
fails = 0
def check(cond, what):
    global fails
    print(("ok - " if cond else "not ok - ") + what)
    fails += not cond

def samples(fam, **labels):
    return [s for s in fams[fam].samples if all(s.labels.get(k) == v for k, v in labels.items())]

want = {"corral_service_state": "gauge", "corral_service_restarts": "counter",
        "corral_service_start_duration_seconds": "gauge", "corral_service_last_exit_code": "gauge",
        "corral_group_cpu_seconds": "counter", "corral_group_tasks": "gauge",
        "corral_group_tasks_max": "gauge", "corral_group_fork_failures": "counter"}
for name, typ in want.items():
    check(name in fams and fams[name].type == typ and fams[name].documentation,
          "family %s: # TYPE %s and # HELP" % (name, typ))
for name, st in after.items():
    on = [s.labels["state"] for s in samples("corral_service_state", service=name) if s.value == 1]
    check(on == [st["state"]], "%s: state gauge %s = status %s" % (name, on, st["state"]))
    r = samples("corral_service_restarts", service=name)
    check(len(r) == 1 and r[0].value == int(st["restarts"]), "%s: restarts = status" % name)
check(samples("corral_service_last_exit_code", service="bad")[0].value == 3, "bad: last exit code 3")
check(samples("corral_service_last_exit_code", service="once")[0].value == 0, "once: last exit code 0")
d = samples("corral_service_start_duration_seconds", service="app")
check(len(d) == 1 and 0 < d[0].value < 10, "app: a start duration")
for name, st in after.items():
    if "cpu_user_ms" not in st:
        continue
    g = st["group"]
    u = samples("corral_group_cpu_seconds", group=g, mode="user")
    s = samples("corral_group_cpu_seconds", group=g, mode="system")
    lo = (int(before[name]["cpu_user_ms"]) + int(before[name]["cpu_system_ms"])) / 1000
    hi = (int(st["cpu_user_ms"]) + int(st["cpu_system_ms"])) / 1000
    check(len(u) == 1 and len(s) == 1 and lo - 0.0005 <= u[0].value + s[0].value <= hi + 0.0005,
          "%s: cpu seconds %s between the status before and after (%s..%s)" %
          (g, u and s and u[0].value + s[0].value, lo, hi))
    t = samples("corral_group_tasks", group=g)
    check(len(t) == 1 and t[0].value == int(st["numtasks_current"]), "%s: tasks = status" % g)
    m = samples("corral_group_tasks_max", group=g)
    want_max = float("inf") if st["numtasks_max"] == "max" else int(st["numtasks_max"])
    check(len(m) == 1 and m[0].value == want_max, "%s: tasks max %s" % (g, want_max))
    f = samples("corral_group_fork_failures", group=g)
    check(len(f) == 1 and f[0].value == int(st["fork_failures"]), "%s: fork failures = status" % g)
check(samples("corral_group_tasks_max", group="idle")[0].value == 5, "idle: tasks max 5")
check(samples("corral_group_tasks", group="front/app"), "the nested group front/app has its series")
sys.exit(1 if fails else 0)
EOP
	rc=$?
	sed 's/^/# /' "$T/metrics.tap"
	is "$rc" 0 "the Prometheus parser reads the metrics, which agree with status"
	check "every check of the metrics ran" test "$(grep -c '^ok - ' "$T/metrics.tap")" -ge 30
else
	skip "python3-prometheus-client not installed" "metrics parse"
fi
check "label values are quoted" grep -q '^corral_group_tasks{group="front/app"} 1$' "$T/metrics"
ctl --json status > "$T/status.json"
check "status --json with the history is still JSON" "$PY" -c \
	'import json, sys; d = json.load(open(sys.argv[1])); assert all(s["history"] and "now_mono" in s for s in d if s["name"] != "never")' \
	"$T/status.json"
"$INITCTL" help > "$T/help"
is "$?" 0 "initctl help exits 0"
for c in "top \[-b\] \[-d SECONDS\] \[-n ITERATIONS\]" "analyze blame" "analyze critical-chain" "analyze plot" "metrics"; do
	check "the help documents $c" grep -q "$c" "$T/help"
done
done_testing
