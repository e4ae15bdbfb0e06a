#!/bin/sh
# tests/run-suites.sh OUTDIR SUITE... - run TAP programs through automake's
# tap-driver.sh and print the totals as the last line: "N passed, N failed".
# Skipped tests count as passed for that line and are also shown separately.
# Exit status is non-zero if anything failed or errored.
set -u

out=$1
shift
driver=$(ls /usr/share/automake-*/tap-driver.sh 2>/dev/null | sort -V | tail -n 1)
if [ -z "$driver" ]; then
	echo "run-suites: automake's tap-driver.sh not found" >&2
	exit 2
fi
mkdir -p "$out"
rm -f "$out"/*.trs "$out"/*.log
for t in "$@"; do
	name=$(echo "$t" | sed "s|^build/||; s|/|-|g; s|\.sh$||")
	# tap-driver needs the test's own stdout; stderr goes to the log too
	"$driver" --test-name "$name" --log-file "$out/$name.log" \
		--trs-file "$out/$name.trs" --color-tests no \
		--expect-failure no --enable-hard-errors yes -- "$t" 2>&1 |
		grep -v '^PASS:' || true
done
pass=0 fail=0 skip=0
for trs in "$out"/*.trs; do
	[ -e "$trs" ] || continue
	p=$(grep -c '^:test-result: PASS' "$trs")
	s=$(grep -c '^:test-result: SKIP' "$trs")
	x=$(grep -c '^:test-result: XFAIL' "$trs")
	f=$(grep -cE '^:test-result: (FAIL|XPASS|ERROR)' "$trs")
	pass=$((pass + p + s + x))
	if [ "$f" -gt 0 ]; then
		echo "---- ${trs%.trs}.log (failed) ----"
		cat "${trs%.trs}.log"
	fi
	skip=$((skip + s))
	fail=$((fail + f))
done
echo "# $skip of the passed were skipped; logs in $out"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
