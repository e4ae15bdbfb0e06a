#!/bin/sh
# tests/asan/signals.sh - BusyBox-compatible signals to corral as PID 1 (tests/host/signals.sh)
# with corral and initctl built with ASan and UBSan (make asan); fails on
# any sanitizer report.  See tests/lib/asan-scenario.sh.
here=$(cd "$(dirname "$0")/../.." && pwd)
exec sh "$here/tests/lib/asan-scenario.sh" signals
