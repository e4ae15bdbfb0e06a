#!/bin/sh
# tests/asan/reload.sh - reload and enable/disable (tests/host/reload.sh)
# with corral and initctl built with ASan and UBSan (make asan); fails on
# any sanitizer report.  See tests/lib/asan-scenario.sh.
here=$(cd "$(dirname "$0")/../.." && pwd)
exec sh "$here/tests/lib/asan-scenario.sh" reload
