#!/bin/sh
# tests/host/delegate.sh - Delegate=yes with a real delegating client: a
# service running as nobody makes child groups in its own subtree with
# plain mkdir and moves its own children there (echo PID > cgroup.procs,
# what cgcreate/cgexec do), in every hierarchy corral put it in.
# Checked: the group's directory and the files the kernel's delegation
# rules name are nobody's (resource files stay root's); corral lists the
# tasks below and never moves them back; [Group] auto_delete=yes removes
# an emptied child while the service runs; stop kills everything in the
# subtree; release removes the service's children, then the group.  Once
# with the layout corral picks here (v1 hierarchies + the cgroup2 tracking
# tree), once with --layout v2 on the cgroup2 tree alone.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

id nobody >/dev/null 2>&1 || skip_all "needs the user nobody"
V2MNT=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
	/proc/self/mountinfo | head -n 1)
subreaper_scenario delegate

# the service's processes, so a failed run leaves nothing behind
scenario_cleanup() {
	[ -f "$T/out/pids" ] && for p in $(cat "$T/out/pids"); do kill -KILL "$p" 2>/dev/null; done
	return 0
}

# nobody must reach the script and write its report
chmod 711 "$T"
mkdir -p "$T/out"
chmod 1777 "$T/out"
cat > "$T/dlg.sh" <<EOT
#!/bin/sh
# The delegating client.  Its group's directory in each hierarchy, from
# /proc/self/cgroup: a v1 hierarchy is mounted under the name of its
# controllers, the cgroup2 tree at $V2MNT.
out=$T/out
dirs=
while IFS=: read -r _ ctrl path; do
	case \$path in */$SUB/*) ;; *) continue ;; esac
	if [ -z "\$ctrl" ]; then d=$V2MNT\$path; else d=/sys/fs/cgroup/\$ctrl\$path; fi
	[ -d "\$d" ] && dirs="\$dirs \$d"
done < /proc/self/cgroup
for d in \$dirs; do
	mkdir "\$d/keep" "\$d/keep/deep" "\$d/gone" || echo "mkdir in \$d" >> "\$out/error"
done
sleep 1000 &
a=\$!
sleep 1000 &
b=\$!
for d in \$dirs; do
	echo \$a > "\$d/keep/deep/cgroup.procs" || echo "move \$a in \$d" >> "\$out/error"
	echo \$b > "\$d/gone/cgroup.procs" || echo "move \$b in \$d" >> "\$out/error"
done
echo "\$a \$b" > "\$out/pids.tmp"
mv "\$out/pids.tmp" "\$out/pids"
wait
EOT
chmod 755 "$T/dlg.sh"
cat > "$T/conf/services/dlg.service" <<EOT
[Unit]
Description=makes and fills child groups of its own
[Service]
ExecStart=/bin/sh $T/dlg.sh
User=nobody
# a controller list delegates too; one the group does not get is said
Delegate=pids
# a stop must not need the final SIGKILL: KillSignal reaches the subtree
TimeoutStopSec=60
[Group]
auto_delete=yes
EOT

# owner of FILE in every group directory is WANT (v1-only or v2-only
# files are looked at where they exist)
owned() {	# owned WANT FILE...
	want=$1
	shift
	for g in $groups; do
		for f in "$@"; do
			[ -e "$g/$f" ] || [ "$f" = tasks ] || [ "$f" = cgroup.subtree_control ] ||
				[ "$f" = cgroup.clone_children ] || [ "$f" = cgroup.max.depth ] || return 1
			[ -e "$g/$f" ] || continue
			[ "$(stat -c %U "$g/$f")" = "$want" ] || { echo "# $g/$f: $(stat -c %U "$g/$f")"; return 1; }
		done
	done
}

in_all() {	# in_all REL PID: PID listed in every group's REL/cgroup.procs
	for g in $groups; do
		grep -qx "$2" "$g/$1/cgroup.procs" 2>/dev/null || return 1
	done
}

in_place() { in_all keep/deep "$A" && in_all gone "$B"; }

none_has() {	# none_has REL: no group directory has REL any more
	for g in $groups; do
		[ -e "$g/$1" ] && return 1
	done
	return 0
}

all_have() {	# all_have REL
	for g in $groups; do
		[ -d "$g/$1" ] || return 1
	done
}

run_layout() {	# run_layout LAYOUT
	L=$1
	rm -f "$T/out/pids" "$T/out/error"
	touch "$T/log"
	logstart=$(($(wc -l < "$T/log") + 1))
	"$CORRAL" --config-dir "$T/conf" --run-dir "$T/run" --cgroup-subtree "$SUB" --layout "$L" ${DLG_DEBUG:+--debug} \
		>> "$T/log" 2>&1 &
	CP=$!
	check "$L: dlg is running" retry 10 state_is dlg running
	check "$L: the service made its groups and moved its children" retry 10 test -s "$T/out/pids"
	if [ -s "$T/out/error" ]; then
		diag "$(cat "$T/out/error")"
		ok 1 "$L: every mkdir and move of the service's succeeded"
	else
		ok 0 "$L: every mkdir and move of the service's succeeded"
	fi
	read -r A B < "$T/out/pids"
	groups=
	for d in $(cg_subtree_dirs "$SUB"); do
		groups="$groups $d/dlg"
	done
	diag "$L: groups:$groups"
	check "$L: the group's directory, cgroup.procs, tasks (v1), cgroup.subtree_control (v2) are nobody's" \
		owned nobody . cgroup.procs tasks cgroup.subtree_control
	check "$L: resource files stay root's" owned root cgroup.clone_children cgroup.max.depth
	check "$L: the service's children are where it put them" in_place
	procs=$(field dlg procs)
	case " $procs " in
	*" $A "*) case " $procs " in *" $B "*) listed=0 ;; *) listed=1 ;; esac ;;
	*) listed=1 ;;
	esac
	ok $listed "$L: status lists the tasks in the service's child groups"
	[ $listed = 0 ] || diag "procs: $procs, want $A and $B among them"
	sleep 3		# release checks and v1's prune poll have looked meanwhile
	check "$L: corral moved nothing back out of them" in_place
	kill -KILL "$B"
	check "$L: auto_delete removed the emptied child group while the service runs" \
		retry 10 none_has gone
	check "$L: ... and kept the one still in use" all_have keep/deep
	check "$L: dlg still running" state_is dlg running
	ctl stop dlg >/dev/null
	check "$L: stop ends dlg at once (SIGTERM reached the whole subtree)" retry 5 state_is dlg down
	check "$L: the task in the service's own child group was killed" sh -c "! kill -0 $A"
	check "$L: release removed the service's child groups and the group" retry 10 none_has .
	stop_corral
	is "$rc" 0 "$L: corral exits 0"
	cg_subtree_gone "$SUB"
	ok $? "$L: the subtree is gone"
	tail -n "+$logstart" "$T/log" | grep -q "group dlg: controller pids cannot be delegated"
	missing=$?
}

run_layout auto
ok $((1 - missing)) "auto: pids, a v1 hierarchy of corral's, is delegated without a word"
if [ -n "$V2MNT" ]; then
	run_layout v2
	# this machine's cgroup2 tree has no controllers enabled
	if grep -qw pids "$V2MNT/cgroup.subtree_control"; then
		skip "pids is enabled on $V2MNT" "v2: a controller the group lacks is said"
	else
		ok $missing "v2: Delegate=pids, which the group lacks, is said at start"
	fi
else
	skip "no cgroup2 mount" "v2 layout"
fi
done_testing
