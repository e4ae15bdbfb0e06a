#!/bin/sh
# tests/lib/asan-scenario.sh SCENARIO - run tests/host/SCENARIO.sh with
# corral and initctl from the sanitizer build (ASAN_BUILD, default
# build/asan; `make asan`), pass its TAP lines through, and add one check:
# no AddressSanitizer, UndefinedBehaviorSanitizer or LeakSanitizer report
# from corral (as PID 1 or subreaper), from a child it forked before exec,
# or from any initctl call.
#
# Reports are written to files (log_path) rather than to stderr: the
# scenarios send corral's stderr to a console log in a temporary directory
# they delete, and one whose exit status is not checked would let a report
# go unseen.  The console log is kept (KEEP_LOG, where the scenario
# supports it) and searched as well, for whatever a sanitizer could only
# print to stderr (e.g. that it could not open log_path).
# shellcheck disable=SC2317  # trap handlers look unreachable
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
name=$1
A=${ASAN_BUILD:-$here/build/asan}
case $A in /*) ;; *) A=$here/$A ;; esac

if [ ! -x "$A/corral" ] || [ ! -x "$A/initctl" ]; then
	echo "not ok 1 - $name: sanitizer build in $A (make asan)"
	echo "1..1"
	exit 1
fi

R=$(mktemp -d /tmp/corral-asan.XXXXXX)
trap 'rm -rf "$R"' EXIT
trap 'exit 1' INT TERM

# halt_on_error / -fno-sanitize-recover: the first report ends the
# process, so nothing runs on with a corrupted heap; exitcode 86 tells a
# sanitizer death from an ordinary failure in the scenario's own checks.
# detect_leaks=1: LeakSanitizer stops the process's threads with ptrace
# from a clone()d tracer; that works as PID 1 of a PID namespace too
# (checked: a leak in a program run by `unshare --pid --fork` is reported),
# given root or CAP_SYS_PTRACE and no Yama scope 3.  It only runs at exit,
# so it covers the subreaper runs (corral exits 0 on SIGTERM) and every
# initctl call; as PID 1 corral never exits (reboot(2) ends the namespace
# with a signal), so there is no exit-time leak check to run there.
ASAN_OPTIONS="log_path=$R/report:halt_on_error=1:exitcode=86:detect_leaks=1:abort_on_error=0"
UBSAN_OPTIONS="log_path=$R/report:halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS
CORRAL_BIN=$A/corral INITCTL_BIN=$A/initctl KEEP_LOG=$R/console.log
export CORRAL_BIN INITCTL_BIN KEEP_LOG

{
	sh "$here/tests/host/$name.sh"
	echo $? > "$R/rc"
} | {
	n=0
	while IFS= read -r line; do
		case $line in
		"1..0"*)	# skipped whole: nothing ran, nothing to add
			echo "$line"
			exit 0 ;;
		1..*) ;;	# the plan moves to the end, one check later
		"ok "*|"not ok "*)
			n=$((n + 1))
			echo "$line" ;;
		*)	echo "$line" ;;
		esac
	done
	rc=$(cat "$R/rc" 2>/dev/null || echo 1)
	n=$((n + 1))
	reports=
	for f in "$R"/report*; do
		[ -e "$f" ] && reports="$reports $f"
	done
	if [ -z "$reports" ] && ! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' \
		"$R/console.log" 2>/dev/null; then
		echo "ok $n - $name: no sanitizer report (ASan, UBSan, LSan) from corral or initctl"
	else
		echo "not ok $n - $name: no sanitizer report (ASan, UBSan, LSan) from corral or initctl"
		rc=1
		# shellcheck disable=SC2086  # one path per word
		[ -n "$reports" ] && head -n 40 $reports | sed 's/^/# /'
		grep -E -A 20 'AddressSanitizer|LeakSanitizer|runtime error:' \
			"$R/console.log" 2>/dev/null | head -n 40 | sed 's/^/# /'
	fi
	echo "1..$n"
	[ "$rc" -eq 0 ]
}
