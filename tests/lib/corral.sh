# tests/lib/corral.sh - helpers shared by the host scenarios (sourced after
# tap.sh, with $here set to the repository).  The initctl helpers expect $T,
# the scenario's temporary directory, with the control socket in $T/run.
# shellcheck shell=sh

# the binaries under test; CORRAL_BIN / INITCTL_BIN pick others (static)
# shellcheck disable=SC2034  # used by the scripts that source this
CORRAL=${CORRAL_BIN:-$here/build/corral}
INITCTL=${INITCTL_BIN:-$here/build/initctl}

# Where a private subtree is: at each hierarchy's root, or (where this
# shell, and so the corral it starts, is in a non-root cgroup, as every
# process is in the memory hierarchy of the development machine) below that
# cgroup, where corral puts its subtree when it is not the machine's init.
cg_subtree_dirs() {
	for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
		[ -d "$d" ] && echo "$d"
	done
	cut -d: -f3 /proc/$$/cgroup | sort -u | while read -r p; do
		[ "$p" = / ] && continue
		for d in /sys/fs/cgroup/*"$p/$1" /sys/fs/cgroup"$p/$1"; do
			[ -d "$d" ] && echo "$d"
		done
	done
}

# Remove a private subtree from every hierarchy.  Only processes corral
# started for this scenario can be in it; they are ended first because a
# cgroup with tasks cannot be removed.
cg_remove_subtree() {
	for d in $(cg_subtree_dirs "$1"); do
		[ -d "$d" ] || continue
		# never pid 0 (cgroup2's name for a task of another pid
		# namespace: kill 0 is our own process group), 1 or ourselves
		# shellcheck disable=SC2038  # pids from the files, not file names
		find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null |
			awk -v self=$$ '$1 > 1 && $1 != self' | xargs -r kill -KILL 2>/dev/null
		sleep 0.2
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	# the subtree lock of a corral that was killed, not stopped
	rm -f "/run/corral-subtree.$1.lock"
}

# 0 if no hierarchy has the subtree any more
cg_subtree_gone() {
	[ -z "$(cg_subtree_dirs "$1")" ]
}

ctl() { "$INITCTL" -r "${RUN_DIR:-$T/run}" "$@"; }
# field NAME KEY: one value from `initctl --kv status NAME` (the stable form)
field() { ctl --kv status "$1" | awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }
state_is() { [ "$(field "$1" state)" = "$2" ]; }

# subreaper_scenario TAG: the frame of a scenario that runs corral as a
# subreaper in a private subtree (call it after the script's own skip
# checks): skips without root; sets SUB (corral-test-PID), T (a temporary
# directory with T/conf/services), CP (corral's pid, once started); on exit
# runs scenario_cleanup if the script defines one (its own processes, its
# own logs), kills corral, removes the subtree and T, and copies T/log to
# $KEEP_LOG when that is set.
subreaper_scenario() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
	SUB=corral-test-$$
	T=$(mktemp -d "/tmp/corral-$1.XXXXXX")
	CP=
	mkdir -p "$T/conf/services"
	trap subreaper_cleanup EXIT
	trap 'exit 1' INT TERM
}

subreaper_cleanup() {
	command -v scenario_cleanup >/dev/null && scenario_cleanup
	[ -n "$CP" ] && kill -KILL "$CP" 2>/dev/null
	cg_remove_subtree "$SUB"
	[ -n "${KEEP_LOG:-}" ] && [ -f "$T/log" ] && cp "$T/log" "$KEEP_LOG"
	rm -rf "$T"
}

# start_corral: corral on T/conf, socket in T/run (or RUN_DIR), console
# appended to T/log
start_corral() {
	"$CORRAL" --config-dir "$T/conf" --run-dir "${RUN_DIR:-$T/run}" --cgroup-subtree "$SUB" \
		>> "$T/log" 2>&1 &
	CP=$!
}

# stop_corral: SIGTERM, wait; its exit status in rc
stop_corral() {
	kill -TERM "$CP"
	wait "$CP"
	rc=$?
	CP=
}
