#!/bin/sh
# tests/host/reload.sh - re-reading the services directory (initctl reload
# and SIGHUP) and enable/disable, with corral as a subreaper:
# - a new file is started, a removed one stopped and dropped, a changed
#   one keeps running its old definition ("changed") until restarted;
# - a file that no longer loads is reported and its service kept running;
# - a disabled service is loaded but not started at boot, and can still be
#   started by hand; enable brings it back at the next boot.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
subreaper_scenario reload

S=$T/conf/services
svc() {	# svc NAME DESCRIPTION
	printf '[Unit]\nDescription=%s\n[Service]\nExecStart=/bin/sleep 1000\n' "$2" > "$S/$1.service"
}
svc keep "keep, old"
svc gone "gone"
svc bad "bad, old"
start_corral
check "corral answers" retry 10 ctl list
check "keep, gone and bad are running" retry 10 sh -c "
	for s in keep gone bad; do \"$INITCTL\" -r '$T/run' --kv status \$s | grep -qx 'state running' || exit 1; done"
KEEPPID=$(field keep pid)

svc keep "keep, new"
rm "$S/gone.service"
svc fresh "fresh"
printf '[Service]\nType=bogus\nExecStart=/bin/true\n' > "$S/bad.service"
out=$(ctl reload)
is "$(echo "$out" | tail -n 1)" "reloaded: 1 added, 1 changed, 1 removed, 1 kept (file does not load)" \
	"initctl reload answers with a summary"
check "fresh is started" retry 10 state_is fresh running
check "gone is stopped and dropped" retry 10 sh -c "! \"$INITCTL\" -r '$T/run' --kv status gone"
is "$(field keep pid)" "$KEEPPID" "keep (changed) still runs its old process"
is "$(field keep changed)" "yes (restart to apply)" "  status says: changed, restart to apply"
is "$(field keep description)" "keep, old" "  the old definition is still in use"
check "bad.service's error is reported with file:line" grep -q 'bad.service:2: Type' "$T/log"
is "$(field bad state)" running "  and bad keeps running its old definition"
ctl restart keep >/dev/null
check "after initctl restart keep runs again" retry 10 state_is keep running
is "$(field keep description)" "keep, new" "  with the new definition"
is "$(field keep changed)" "" "  and nothing is pending"

# SIGHUP does the same
svc fresh2 "fresh2"
kill -HUP "$CP"
check "SIGHUP: fresh2 is started" retry 10 state_is fresh2 running
check "  the reload is logged" grep -q 'reloaded: 1 added, 0 changed, 0 removed, 1 kept' "$T/log"

# enable / disable
out=$(ctl disable fresh)
ok $? "initctl disable fresh"
check "  leaves a marker in the configuration directory" test -e "$T/conf/disabled/fresh"
is "$(field fresh enabled)" no "  status: enabled no"
is "$(field fresh state)" running "  a running service keeps running"
ctl disable nosuch > /dev/null 2>&1
is $? 1 "disable of an unknown service is refused"
stop_corral
is "$rc" 0 "corral stops cleanly"
start_corral
check "corral answers again" retry 10 ctl list
check "keep is started at boot" retry 10 state_is keep running
is "$(field fresh state)" down "a disabled service is not started at boot"
check "  and the log says why" grep -q 'fresh: disabled; not started at boot' "$T/log"
ctl start fresh >/dev/null
check "  but it starts by hand" retry 10 state_is fresh running
ctl enable fresh >/dev/null
check "initctl enable removes the marker" test ! -e "$T/conf/disabled/fresh"
is "$(field fresh enabled)" yes "  status: enabled yes"
stop_corral
is "$rc" 0 "corral stops cleanly"
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# /' "$T/log" | tail -n 60
done_testing
