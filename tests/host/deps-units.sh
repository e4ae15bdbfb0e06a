#!/bin/sh
# tests/host/deps-units.sh - the dependencies real Debian units use (issue
# 12 item 1), with real processes, corral as a subreaper in a private
# subtree:
# - network.target and network-online.target are reached when the oneshot
#   ordered Before= them is done; a service After= them starts only then
#   (it refuses to run before the oneshot's file exists);
# - Requires=/Wants= on .socket units corral does not have are satisfied,
#   with one notice per unit name; Requires= on a missing service fails;
# - DefaultDependencies=yes: after basic.target, which follows a oneshot
#   ordered Before=sysinit.target;
# - multi-user.target is reached once everything started, and a unit
#   After= it starts after that;
# - BindsTo=, PartOf=, Conflicts= (through an Alias=), Requisite=, and a
#   NAME.target file, each with what initctl status shows.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
subreaper_scenario units

S=$T/conf/services
SLEEP='[Service]\nExecStart=/bin/sleep 1000\n'
# like ifupdown's networking.service: a oneshot before the network targets
printf '[Unit]\nDescription=Raise network\nDefaultDependencies=no\nBefore=network.target network-online.target\nConflicts=shutdown.target\n[Service]\nType=oneshot\nExecStart=/bin/sh -c "sleep 1; touch %s/net-up"\n[Install]\nWantedBy=multi-user.target network-online.target\n' \
	"$T" > "$S/netup.service"
# like a Debian daemon: fails if started before the network is up
printf '[Unit]\nDescription=Web server\nDocumentation=man:web(8)\nAfter=network-online.target nss-lookup.target remote-fs.target time-sync.target\nWants=network-online.target\nRequires=web.socket\n[Service]\nExecStart=/bin/sh -c "test -e %s/net-up && exec sleep 1000"\n[Install]\nWantedBy=multi-user.target\nAlias=httpd.service\n' \
	"$T" > "$S/web.service"
printf '[Unit]\nAfter=sysinit.target basic.target local-fs.target\nWants=web.socket\n%b' "$SLEEP" > "$S/early.service"
# like systemd-tmpfiles-setup: early, before sysinit.target
printf '[Unit]\nDefaultDependencies=no\nBefore=sysinit.target\n[Service]\nType=oneshot\nExecStart=/bin/sh -c "sleep 1; touch %s/prepared"\n' \
	"$T" > "$S/prep.service"
# DefaultDependencies=yes: after basic.target, so after prep
printf '[Service]\nExecStart=/bin/sh -c "test -e %s/prepared && exec sleep 1000"\n' "$T" > "$S/db.service"
printf '[Unit]\nBindsTo=db.service\nAfter=db.service\n%b' "$SLEEP" > "$S/dbhelper.service"
printf '[Unit]\nPartOf=db.service\n%b' "$SLEEP" > "$S/dbpart.service"
printf '[Unit]\nConflicts=httpd.service\n%b' "$SLEEP" > "$S/zrival.service"
printf '[Unit]\nRequisite=zrival\n%b' "$SLEEP" > "$S/needy.service"
printf '[Unit]\nRequires=nothere.service\n%b' "$SLEEP" > "$S/ghost.service"
printf '[Unit]\nAfter=multi-user.target\n%b' "$SLEEP" > "$S/late.service"
printf '[Unit]\nDescription=The database stack\nWants=db dbpart\nAfter=db dbpart\n' > "$S/stack.target"

start_corral
check "corral answers" retry 10 ctl list
check "web runs: started after network-online.target was reached" retry 20 state_is web running
is "$(field netup state)" "done" "  the oneshot before it is done"
is "$(field network.target type) $(field network.target reached)" "target yes" \
	"network.target: a built-in target, reached"
is "$(field network-online.target state)" running "network-online.target reached"
net_done=$(grep -n 'netup: stopping → done' "$T/log" | head -n 1 | cut -d: -f1)
reached=$(grep -n 'network-online.target: waiting → running' "$T/log" | head -n 1 | cut -d: -f1)
web_start=$(grep -n 'web: waiting → starting' "$T/log" | head -n 1 | cut -d: -f1)
check "  in order: the oneshot done, the target reached, web started (log lines $net_done $reached $web_start)" \
	test "${net_done:-0}" -gt 0 -a "${reached:-0}" -gt "${net_done:-0}" -a "${web_start:-0}" -gt "${reached:-0}"
is "$(field web restarts)" 0 "  web never failed (it would have, started early)"

check "db (DefaultDependencies=yes) runs after prep (Before=sysinit.target) is done" \
	retry 20 state_is db running
is "$(field db restarts)" 0 "  it never failed (it would have, started before prep)"
prep_done=$(grep -n 'prep: stopping → done' "$T/log" | head -n 1 | cut -d: -f1)
db_start=$(grep -n 'db: waiting → starting' "$T/log" | head -n 1 | cut -d: -f1)
check "  in order (log lines $prep_done $db_start)" \
	test "${prep_done:-0}" -gt 0 -a "${db_start:-0}" -gt "${prep_done:-0}"

# --- units corral does not have --------------------------------------------------
is "$(field early state)" running "Wants=web.socket, After=sysinit/basic/local-fs.target: runs"
is "$(grep -c 'web.socket: corral has no such unit; treated as satisfied' "$T/log")" 1 \
	"  one notice for web.socket, named by two units"
is "$(field ghost state)" failed "Requires= on a service that is not loaded: failed"
is "$(field ghost detail)" "requires nothere, which is not loaded" "  and says why"

# --- multi-user.target ------------------------------------------------------------
check "multi-user.target reached" retry 10 state_is multi-user.target running
check "late (After=multi-user.target) runs" retry 10 state_is late running
mu=$(grep -n 'multi-user.target: waiting → running' "$T/log" | head -n 1 | cut -d: -f1)
late=$(grep -n 'late: waiting → starting' "$T/log" | head -n 1 | cut -d: -f1)
check "  after multi-user.target was reached (log lines $mu $late)" \
	test "${mu:-0}" -gt 0 -a "${late:-0}" -gt "${mu:-0}"
check "the boot summary counts the 10 services started, not targets" \
	grep -qE 'corral: all 10 services up in [0-9.]+ s \(2 failed\)$' "$T/log"
is "$(field shutdown.target state)" down "shutdown.target (Conflicts= of netup) is never started"

# --- a target file --------------------------------------------------------------------
is "$(field stack.target type) $(field stack.target state)" "target running" "stack.target (a file): reached"
check "  initctl list shows it reached" sh -c "\"$INITCTL\" -r '$T/run' list | grep -qE '^stack.target +reached'"

# --- Alias=, and what status shows ------------------------------------------------------
is "$(ctl --kv status httpd.service | awk '$1 == "service" { print $2 }')" web "initctl status httpd.service: web (its Alias=)"
is "$(field web wants)" network-online.target "  --kv status: wants"
is "$(field web alias)" httpd "  --kv status: alias"
check "  initctl status shows Wants= and Alias=" \
	sh -c "\"$INITCTL\" -r '$T/run' status web | grep -q 'Wants: network-online.target' &&
	       \"$INITCTL\" -r '$T/run' status web | grep -q 'Alias: httpd'"

# --- Conflicts= through the alias; Requisite= ------------------------------------------
is "$(field zrival state)" down "zrival (Conflicts=httpd.service) is not started at boot: web sorts first"
check "  logged" grep -q 'zrival: conflicts with web, which also starts at boot; not started' "$T/log"
is "$(field needy state)" failed "Requisite=zrival, which is down: needy failed"
is "$(field needy detail)" "requisite zrival is not running" "  and says why"
ctl start zrival >/dev/null
check "initctl start zrival: zrival runs" retry 20 state_is zrival running
is "$(field web state)" down "  and web was stopped"
ctl start needy >/dev/null
check "  needy (Requisite=zrival) starts now" retry 10 state_is needy running

# --- BindsTo= and PartOf= -------------------------------------------------------------------
n=0
for u in db dbhelper dbpart; do retry 10 state_is $u running && n=$((n + 1)); done
is "$n" 3 "db, dbhelper (BindsTo=db), dbpart (PartOf=db) run"
part=$(field dbpart pid)
ctl restart db >/dev/null
check "initctl restart db: dbpart (PartOf=db) restarted too" \
	retry 20 sh -c "[ \"\$(\"$INITCTL\" -r '$T/run' --kv status dbpart | awk '\$1 == \"pid\" { print \$2 }')\" != '$part' ]"
check "  dbpart running again" retry 10 state_is dbpart running
is "$(field dbhelper state)" running "  dbhelper (BindsTo=db) survives a restart of db"
kill -KILL "$(field db pid)"
check "db killed: failed" retry 20 state_is db failed
check "  dbhelper (BindsTo=db) stopped" retry 20 state_is dbhelper down
check "  logged as bound" grep -q 'dbhelper: stopping, it is bound to db' "$T/log"
is "$(field dbpart state)" running "  dbpart (PartOf=db) stays: a failure is not a stop request"
ctl start db >/dev/null
check "db started again" retry 10 state_is db running
ctl stop db >/dev/null
check "initctl stop db: dbpart stopped too" retry 20 state_is dbpart down
is "$(field stack.target state)" running "  the target that wants them stays reached"

# --- reload ------------------------------------------------------------------------------
printf '[Unit]\nWants=getty.target\nAfter=getty.target\n%b' "$SLEEP" > "$S/clock.service"
rm "$S/stack.target"
ctl reload >/dev/null
check "reload: clock (After=getty.target) runs" retry 10 state_is clock running
is "$(field getty.target type) $(field getty.target state)" "target running" \
	"  getty.target, first named by clock, is added and reached"
check "  stack.target (its file removed) is dropped" \
	retry 10 sh -c "! \"$INITCTL\" -r '$T/run' --kv status stack.target >/dev/null 2>&1"
is "$(field network.target state)" running "  the built-in network.target stays (it has no file)"

[ -n "${SHOW:-}" ] && { ctl list; ctl status network.target; ctl status web; } | sed "s/^/# /"
stop_corral
is "$rc" 0 "SIGTERM: corral stops everything and exits 0"
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# /' "$T/log" | tail -n 80
done_testing
