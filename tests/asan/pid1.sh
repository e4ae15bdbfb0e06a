#!/bin/sh
# tests/asan/pid1.sh - corral as PID 1 of a PID + mount namespace (tests/host/pid1.sh)
# with corral and initctl built with ASan and UBSan (make asan); fails on
# any sanitizer report.  See tests/lib/asan-scenario.sh.
here=$(cd "$(dirname "$0")/../.." && pwd)
exec sh "$here/tests/lib/asan-scenario.sh" pid1
