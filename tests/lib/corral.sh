# tests/lib/corral.sh - helpers shared by the host scenarios (sourced after
# tap.sh, with $here set to the repository).  The initctl helpers expect $T,
# the scenario's temporary directory, with the control socket in $T/run.
# shellcheck shell=sh

# the binaries under test; CORRAL_BIN / INITCTL_BIN pick others (static)
# shellcheck disable=SC2034  # used by the scripts that source this
CORRAL=${CORRAL_BIN:-$here/build/corral}
INITCTL=${INITCTL_BIN:-$here/build/initctl}

# Remove a private subtree from every hierarchy.  Only processes corral
# started for this scenario can be in it; they are ended first because a
# cgroup with tasks cannot be removed.
cg_remove_subtree() {
	for d in /sys/fs/cgroup/*/"$1"; do
		[ -d "$d" ] || continue
		# shellcheck disable=SC2038  # pids from the files, not file names
		find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		sleep 0.2
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
}

# 0 if no hierarchy has the subtree any more
cg_subtree_gone() {
	for d in /sys/fs/cgroup/*/"$1"; do
		[ -d "$d" ] && return 1
	done
	return 0
}

ctl() { "$INITCTL" -r "$T/run" "$@"; }
# field NAME KEY: one value from `initctl status NAME`
field() { ctl status "$1" | awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }
state_is() { [ "$(field "$1" state)" = "$2" ]; }
