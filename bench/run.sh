#!/bin/sh
# bench/run.sh - the side-by-side benchmark (make bench): installs runit and
# s6 when missing (bench/install-peers.sh; BENCH_NO_INSTALL=1 skips that and
# the missing peers show as "n/a"), then runs bench/bench.py with its
# arguments.  The cgroup subtrees and the tmpfs scratch directory are named
# after this shell's pid and removed here too, so nothing is left even if
# the Python driver itself is killed.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
id=$$

[ "$(id -u)" = 0 ] || { echo "bench: needs root (cgroups)" >&2; exit 1; }

cleanup() {
	# at each hierarchy's root, and below this shell's own cgroups (where
	# corral, not the machine's init, makes its subtree: the memory
	# hierarchy of a shared machine puts every process below its root)
	own=$(cut -d: -f3 /proc/$$/cgroup | sort -u | grep -v '^/$')
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		for t in "corral-bench-$id" "corral-bench-$id-corral"; do
		for d in "$h$t" $(for o in $own; do echo "${h%/}$o/$t"; done); do
			[ -d "$d" ] || continue
			# only what this run started can be in there; never pid 0/1/us
			# shellcheck disable=SC2038  # pids from the files, not names
			find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null |
				awk -v self=$$ '$1 > 1 && $1 != self' | xargs -r kill -KILL 2>/dev/null
			sleep 0.2
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		done
		done
	done
	rm -rf "/dev/shm/corral-bench-$id"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if [ -z "${BENCH_NO_INSTALL:-}" ]; then
	sh "$here/bench/install-peers.sh" ||
		echo "bench: runit/s6 not installed; their columns show n/a" >&2
fi
python3 "$here/bench/bench.py" --id "$id" "$@"
