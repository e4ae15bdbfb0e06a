#!/bin/sh
# tests/host/exec.sh - Exec*= lines with real processes (issue 12 item 4),
# corral as a subreaper in a private subtree.  Each command is a small sh
# script that appends a line to a marker log (its tag, $MAINPID, uid, its
# pids cgroup), so order, environment and group are checked from outside:
# - ExecStartPre= (in order, '-' failure ignored, '@' argv[0]),
#   ExecStartPost= with $MAINPID, all in the service's group;
# - status shows the control command that runs ("start-pre: ... (pid N)");
# - initctl reload NAME runs ExecReload= with $MAINPID and waits for it;
#   a failing one is reported and the service keeps running; no
#   ExecReload= is an error;
# - stop: ExecStop= while the main process is still alive, then SIGTERM,
#   then ExecStopPost=;
# - a failing ExecStartPre= fails the start: no main process, no
#   ExecStop=, but ExecStopPost=;
# - '+' runs as root although User=nobody;
# - Type=oneshot with two ExecStart= and RemainAfterExit=yes: "running"
#   with no process, a dependant starts, stop runs its ExecStop=;
# - an ExecStart= continued over many lines (2.5 KB, far past libinih's
#   199 bytes) gets every argument.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
subreaper_scenario exec

S=$T/conf/services
M=$T/m
mkdir -p "$M"
# nobody must reach the scripts and the marker log
chmod 755 "$T"
chmod 777 "$M"
: > "$M/log"
chmod 666 "$M/log"
cat > "$T/rec.sh" <<'EOS'
#!/bin/sh
# rec.sh TAG: one line into the marker log
m=$(dirname "$0")/m
[ "$1" = reload ] && kill -HUP "$MAINPID"
alive=no
[ -n "${MAINPID:-}" ] && kill -0 "$MAINPID" 2>/dev/null && alive=yes
echo "$1 mainpid=${MAINPID:-} alive=$alive uid=$(id -u) cg=$(awk -F: '$2 == "pids" { print $3 }' /proc/self/cgroup)" >> "$m/log"
EOS
cat > "$T/daemon.sh" <<'EOS'
#!/bin/sh
# daemon.sh DIR: records HUP and TERM in DIR/log
echo $$ > "$1/daemon.pid"
trap 'echo hup >> "$1/log"' HUP
trap 'echo term >> "$1/log"; exit 0' TERM
while :; do sleep 1 & wait $!; done
EOS
cat > "$T/args.sh" <<'EOS'
#!/bin/sh
# args.sh DIR ARGS...: how many, the first and the last
d=$1
shift
first=$1
for a; do last=$a; done
echo "$# $first $last" > "$d/args"
EOS
R="/bin/sh $T/rec.sh"

cat > "$S/full.service" <<EOF2
[Service]
ExecStartPre=$R pre1
ExecStartPre=-/bin/false
ExecStartPre=:@/bin/sh my-argv0 -c 'tr "\\\\0" " " < /proc/\$\$/cmdline > $M/argv0'
ExecStartPre=$R pre2
ExecStart=/bin/sh $T/daemon.sh $M
ExecStartPost=$R post
ExecReload=:$R reload
ExecStop=$R stop
ExecStopPost=$R stoppost
EOF2
printf '[Service]\nExecStartPre=/bin/sh -c "while [ ! -e %s/go ]; do sleep 0.1; done"\nExecStart=/bin/sleep 1000\n' \
	"$M" > "$S/slowpre.service"
printf '[Service]\nExecStartPre=/bin/false\nExecStart=/bin/sleep 1000\nExecStop=%s prefail-stop\nExecStopPost=%s prefail-stoppost\n' \
	"$R" "$R" > "$S/prefail.service"
printf '[Service]\nExecStart=/bin/sleep 1000\nExecReload=/bin/sh -c "exit 3"\n' > "$S/rfail.service"
printf '[Service]\nUser=nobody\nExecStartPre=+%s plus\nExecStartPre=%s plain\nExecStart=/bin/sleep 1000\n' \
	"$R" "$R" > "$S/priv.service"
printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=%s one1\nExecStart=%s one2\nExecStop=%s onestop\n' \
	"$R" "$R" "$R" > "$S/remain.service"
printf '[Unit]\nRequires=remain\nAfter=remain\n[Service]\nExecStart=/bin/sleep 1000\n' > "$S/dep.service"
{
	printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh %s/args.sh %s \\\n' "$T" "$M"
	i=1
	while [ $i -le 300 ]; do
		printf ' arg%d' $i
		[ $((i % 10)) = 0 ] && [ $i != 300 ] && printf ' \\\n'
		i=$((i + 1))
	done
	printf '\n'
} > "$S/long.service"

start_corral
check "corral answers" retry 10 ctl list

# --- start: pre, main, post ------------------------------------------------------
check "full is running" retry 10 state_is full running
DPID=$(cat "$M/daemon.pid")
is "$(field full pid)" "$DPID" "  its main process is daemon.sh"
is "$(awk '{ print $1 }' "$M/log" | grep -E '^(pre1|pre2|post)$' | tr '\n' ' ')" "pre1 pre2 post " \
	"ExecStartPre= in order ('-/bin/false' ignored), then ExecStartPost="
check "  the '-' failure is logged as ignored" grep -q "full: ExecStartPre /bin/false: exited 1; ignored" "$T/log"
is "$(grep '^post ' "$M/log" | sed 's/.*mainpid=\([0-9]*\).*/\1/')" "$DPID" "  ExecStartPost= has \$MAINPID"
is "$(grep -c "cg=/$SUB/full\$" "$M/log")" 3 "  every command ran in the service's group"
is "$(cut -d' ' -f1,2 "$M/argv0")" "my-argv0 -c" "'@': the second word is argv[0]"

# --- status shows the control command ------------------------------------------------
check "slowpre waits in start-pre" retry 10 state_is slowpre start-pre
ctlline=$(field slowpre control)
case $ctlline in
"start-pre: /bin/sh -c \"while"*"(pid "[0-9]*")") ok 0 "  status: control $ctlline" ;;
*) ok 1 "  status: control start-pre: ... (pid N)"; diag "got '$ctlline'" ;;
esac
is "$(field slowpre pid)" 0 "  no main process yet"
touch "$M/go"
check "  then running" retry 10 state_is slowpre running

# --- reload NAME -------------------------------------------------------------
out=$(ctl reload full 2>&1)
is "$?:$out" "0:full running" "initctl reload full: waits, answers 'full running'"
is "$(grep '^reload ' "$M/log" | sed 's/.*mainpid=\([0-9]*\).*/\1/')" "$DPID" "  ExecReload= had \$MAINPID"
check "  the daemon got SIGHUP" retry 5 grep -qx hup "$M/log"
is "$(field full pid)" "$DPID" "  same main process"
out=$(ctl reload rfail 2>&1)
rc=$?
is "$rc" 1 "a failing ExecReload=: initctl reload exits 1"
case $out in *"reload failed: ExecReload /bin/sh: exited 3"*) ok 0 "  saying why" ;;
*) ok 1 "  saying why"; diag "got '$out'" ;; esac
is "$(field rfail state)" running "  the service keeps running"
out=$(ctl reload remain 2>&1)
is "$?:$out" "1:initctl: error: remain has no ExecReload=" "reload of a service without ExecReload=: an error"

# --- stop: ExecStop= first, the signal, then ExecStopPost= ----------------------------
ctl stop full >/dev/null
check "full stops" retry 10 state_is full down
is "$(awk '{ print $1 }' "$M/log" | grep -E '^(stop|term|stoppost)$' | tr '\n' ' ')" "stop term stoppost " \
	"stop: ExecStop=, then SIGTERM, then ExecStopPost="
check "  ExecStop= saw \$MAINPID alive" grep -q "^stop mainpid=$DPID alive=yes" "$M/log"

# --- a failing ExecStartPre= --------------------------------------------------------
check "prefail fails" retry 10 state_is prefail failed
is "$(field prefail detail)" "ExecStartPre /bin/false: exited 1" "  detail names the command"
check "  ExecStopPost= ran" retry 5 grep -q '^prefail-stoppost ' "$M/log"
check "  ExecStop= did not (never started)" sh -c "! grep -q '^prefail-stop ' '$M/log'"

# --- '+' ------------------------------------------------------------------------------
if id nobody >/dev/null 2>&1; then
	check "priv runs" retry 10 state_is priv running
	is "$(sed -n 's/^plus .*uid=\([0-9]*\).*/\1/p' "$M/log")" 0 "'+': ExecStartPre= as root"
	is "$(sed -n 's/^plain .*uid=\([0-9]*\).*/\1/p' "$M/log")" "$(id -u nobody)" "  without: as User=nobody"
else
	skip "no user nobody" "'+' prefix"
fi

# --- oneshot, RemainAfterExit ------------------------------------------------------------
check "remain is running (RemainAfterExit=yes)" retry 10 state_is remain running
is "$(field remain pid)" 0 "  with no process"
is "$(awk '{ print $1 }' "$M/log" | grep -E '^one' | tr '\n' ' ')" "one1 one2 " "  both ExecStart= ran, in order"
check "  its dependant runs" retry 10 state_is dep running
ctl stop remain >/dev/null
check "stop remain: down" retry 10 state_is remain down
check "  its ExecStop= ran" grep -q '^onestop ' "$M/log"
is "$(field dep state)" down "  the dependant stopped first"

# --- a long continued line ---------------------------------------------------------------
check "long ran" retry 10 state_is long running
is "$(cat "$M/args" 2>/dev/null)" "300 arg1 arg300" "ExecStart= over 30 continued lines: all 300 arguments"

stop_corral
is "$rc" 0 "SIGTERM: corral stops everything and exits 0"
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# /' "$T/log" | tail -n 80
done_testing
