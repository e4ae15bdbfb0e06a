#!/bin/sh
# tests/fuzz/run.sh - run every libFuzzer target (tests/fuzz/fuzz_*.c, built
# by `make fuzzers` into FUZZ_BUILD, default build/fuzz) for FUZZ_SECONDS
# each (default 20), one TAP line per target: "ok" only if the target ran
# its time out without a crash, a leak, a sanitizer report, a timeout or
# an out-of-memory.
#
# Each target starts from a copy of its committed seeds
# (tests/fuzz/corpus/<name>/) in FUZZ_BUILD/run/<name>/corpus, so the
# committed corpus is never written to; what the run found and any
# reproducer (crash-*, leak-*, timeout-*, oom-*) stay in that directory.
# Reproduce with: FUZZ_BUILD/fuzz_<name> FILE.
# FUZZ_JOBS targets run at the same time (default: 2, this machine's cores).
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"

B=${FUZZ_BUILD:-$here/build/fuzz}
case $B in /*) ;; *) B=$here/$B ;; esac
secs=${FUZZ_SECONDS:-20}
jobs=${FUZZ_JOBS:-2}

# halt on the first report; LeakSanitizer on (libFuzzer checks for leaks
# after each input that allocated more than it freed)
ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:allocator_may_return_null=0
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

run_one() {	# run_one NAME: fuzz, leave the exit status in run/NAME/rc
	w=$B/run/$1
	rm -rf "$w"
	mkdir -p "$w/corpus" "$w/artifacts"
	if [ -d "$here/tests/fuzz/corpus/$1" ]; then
		cp -R "$here/tests/fuzz/corpus/$1/." "$w/corpus/"
	fi
	# -timeout: one input taking 10 s is a hang; -rss_limit_mb: bounded
	# memory; -max_len: service files are bounded far above, but longer
	# inputs only slow the search down
	"$B/fuzz_$1" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$w/artifacts/" "$w/corpus" > "$w/log" 2>&1
	echo $? > "$w/rc"
}

report() {	# report NAME: one TAP line from run/NAME
	w=$B/run/$1
	rc=$(cat "$w/rc" 2>/dev/null || echo missing)
	found=$(ls "$w/artifacts" 2>/dev/null)
	runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$w/log" 2>/dev/null)
	if [ "$rc" = 0 ] && [ -z "$found" ] &&
		! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant failed' "$w/log"; then
		ok 0 "fuzz_$1: ${runs:-?} inputs in ${secs} s, no crash, leak or sanitizer report"
	else
		ok 1 "fuzz_$1: ${runs:-?} inputs in ${secs} s, no crash, leak or sanitizer report"
		diag "exit status $rc; log $w/log"
		for f in $found; do
			diag "reproducer: $B/fuzz_$1 $w/artifacts/$f"
		done
		grep -E -A 12 'ERROR: |runtime error:|invariant failed' "$w/log" | head -n 40 | sed 's/^/# /'
	fi
}

[ -d "$B" ] || mkdir -p "$B"
names=
for src in "$here"/tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	n=$(basename "$src" .c)
	names="$names ${n#fuzz_}"
done
[ -n "$names" ] || skip_all "no tests/fuzz/fuzz_*.c"

# missing binaries fail (make check builds them): a target that silently
# did not run would hide whatever it would have found
todo=
for n in $names; do
	if [ -x "$B/fuzz_$n" ]; then
		todo="$todo $n"
	else
		ok 1 "fuzz_$n: built ($B/fuzz_$n missing: make fuzzers)"
	fi
done

# at most $jobs at a time, reported in order as each batch ends
batch=
count=0
for n in $todo; do
	run_one "$n" &
	batch="$batch $n"
	count=$((count + 1))
	if [ "$count" -ge "$jobs" ]; then
		wait
		for m in $batch; do report "$m"; done
		batch=
		count=0
	fi
done
wait
for m in $batch; do report "$m"; done
done_testing
