#!/bin/sh
# tests/asan/exec.sh - Exec*= control commands with real processes (tests/host/exec.sh)
# with corral and initctl built with ASan and UBSan (make asan); fails on
# any sanitizer report.  See tests/lib/asan-scenario.sh.
here=$(cd "$(dirname "$0")/../.." && pwd)
exec sh "$here/tests/lib/asan-scenario.sh" exec
