#!/bin/sh
# tests/host/spawn.sh - what the cheap spawn (clone(CLONE_VM|CLONE_VFORK),
# everything prepared in PID 1) must still do: the executable is found in
# the service's own PATH (Environment=PATH=), a file without #! runs
# through /bin/sh as execvp() would run it, an unknown one fails with
# "stage exec: ENOENT" and one that is not executable with EACCES;
# User= gets exactly the supplementary groups initgroups() would give;
# a container that refuses the task (a cgroup2 "domain invalid" group of
# the tracking tree) is "stage attach", and the program is never run,
# while the other hierarchies keep no task of it.
# Only the corral started here is signalled, by pid; the trap removes its
# subtree (including the threaded group made here) and the temporary files.
# shellcheck disable=SC2317  # trap handlers look unreachable
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
subreaper_scenario spawn
S=$T/conf/services
mkdir -p "$T/run" "$T/bin"

# a program only in the service's PATH, and a file there that is not
# executable
# shellcheck disable=SC2016  # $0 and $* are the script's own
printf '#!/bin/sh\necho "$0 $*" > %s/mine.out\nexec sleep 1000\n' "$T" > "$T/bin/h1-mine"
chmod 755 "$T/bin/h1-mine"
printf '#!/bin/sh\ntouch %s/noexec.ran\n' "$T" > "$T/bin/h1-noexec"
chmod 644 "$T/bin/h1-noexec"
# no #! line: execvp() hands such a file to /bin/sh, and so does corral
printf 'echo "$#:$1" > %s/noshebang.out\n' "$T" > "$T/bin/h1-noshebang"
chmod 755 "$T/bin/h1-noshebang"
cat > "$S/noshebang.service" <<EOT
[Service]
Type=oneshot
ExecStart=h1-noshebang arg1
Environment=PATH=$T/bin:/bin
EOT
cat > "$S/mine.service" <<EOT
[Service]
ExecStart=h1-mine one two
Environment=PATH=/nonexistent-h1:$T/bin:/bin
EOT
cat > "$S/unknown.service" <<EOT
[Service]
ExecStart=h1-no-such-program-anywhere
Restart=no
EOT
cat > "$S/noexec.service" <<EOT
[Service]
ExecStart=h1-noexec
Environment=PATH=$T/bin
Restart=no
EOT
# the user's own groups: compare with id(1), which asks the same database;
# a user with a supplementary group if /etc/group names one
user=$(getent group | awk -F: '$4 != "" { split($4, m, ","); print m[1]; exit }')
id "${user:-daemon}" >/dev/null 2>&1 || user=daemon
chmod 755 "$T"
mkdir -m 1777 "$T/pub"
id "$user" >/dev/null 2>&1 || user=nobody
cat > "$S/groups.service" <<EOT
[Service]
Type=oneshot
User=$user
ExecStart=/bin/sh -c "id -G > $T/pub/groups.out"
EOT

# what the service holds: /dev/null, its output pipe twice, nothing of
# PID 1's (ls's own directory descriptor aside)
cat > "$S/fds.service" <<EOT
[Service]
Type=oneshot
ExecStart=/bin/ls -l /proc/self/fd/
EOT

# The tracking tree (cgroup2) refuses tasks in a "domain invalid" group:
# a sibling made threaded turns the parent into a threaded domain and
# every other child into domain invalid.  corral adopts both directories.
U=
for d in /sys/fs/cgroup/unified /sys/fs/cgroup; do
	[ -f "$d/cgroup.subtree_control" ] && { U=$d; break; }
done
if [ -n "$U" ] && mkdir -p "$U/$SUB/inv/refused" "$U/$SUB/inv/thr" &&
	echo threaded > "$U/$SUB/inv/thr/cgroup.type" &&
	[ "$(cat "$U/$SUB/inv/refused/cgroup.type")" = "domain invalid" ]; then
	cat > "$S/refused.service" <<EOT
[Service]
ExecStart=/bin/sh -c "touch $T/refused.ran; exec sleep 1000"
Restart=no
[Group]
Parent=inv
EOT
else
	U=
fi

start_corral
check "corral answers" retry 10 ctl list

check "a program found in the service's PATH runs" retry 20 state_is mine running
check "... with its arguments" retry 10 grep -qx "$T/bin/h1-mine one two" "$T/mine.out"

check "a script without #! runs through /bin/sh" retry 20 state_is noshebang "done"
is "$(cat "$T/noshebang.out" 2>/dev/null)" "1:arg1" "... with its arguments"
check "an unknown program fails" retry 20 state_is unknown failed
is "$(field unknown exec_error)" "stage exec: No such file or directory" \
	"... reported as stage exec: ENOENT"
check "a file that is not executable fails" retry 20 state_is noexec failed
is "$(field noexec exec_error)" "stage exec: Permission denied" \
	"... reported as stage exec: EACCES"
check "... and never ran" test ! -e "$T/noexec.ran"

check "User=$user: the oneshot is done" retry 20 state_is groups "done"
is "$(tr ' ' '\n' < "$T/pub/groups.out" 2>/dev/null | sort -n | tr '\n' ' ')" \
	"$(id -G "$user" | tr ' ' '\n' | sort -n | tr '\n' ' ')" \
	"... with the supplementary groups of $user (getgrouplist)"

check "the oneshot listing its descriptors is done" retry 20 state_is fds "done"
ctl log fds > "$T/fds.log" 2>&1
fdl() { awk -v f="$1" '$(NF-2) == f && $(NF-1) == "->" { print $NF }' "$T/fds.log"; }
is "$(fdl 0)" /dev/null "stdin is /dev/null"
case $(fdl 1) in
pipe:*) ok 0 "stdout is a pipe" ;;
*) ok 1 "stdout is a pipe (got '$(fdl 1)')" ;;
esac
is "$(fdl 2)" "$(fdl 1)" "stderr is the same pipe"
is "$(awk '$(NF-1) == "->" { n++ } END { print n + 0 }' "$T/fds.log")" 4 \
	"nothing else but ls's own directory"
check "corral still logs to its own output after spawning" \
	grep -q "fds: .*done" "$T/log"

if [ -n "$U" ]; then
	check "a group that refuses the task fails" retry 20 state_is refused failed
	case $(field refused exec_error) in
	"stage attach: "*) ok 0 "... reported as stage attach ($(field refused exec_error))" ;;
	*) ok 1 "... reported as stage attach (got '$(field refused exec_error)')" ;;
	esac
	check "... and the program never ran" test ! -e "$T/refused.ran"
	n=$(cat "/sys/fs/cgroup/pids/$SUB/inv/refused/cgroup.procs" 2>/dev/null | wc -l)
	is "$n" 0 "... and no task of it is left in the pids hierarchy"
else
	for what in fails "stage attach" "never ran" "no task left"; do
		skip "no cgroup2 tracking tree with threaded groups" "refused: $what"
	done
fi

stop_corral
is "$rc" 0 "SIGTERM stops the services and corral exits 0"
done_testing
