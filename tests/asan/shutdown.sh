#!/bin/sh
# tests/asan/shutdown.sh - corral stopped by SIGTERM, six rounds
# (tests/host/shutdown.sh): the engine-close use-after-free of issue 9
# item 12 shows only in this build, corral and initctl built with ASan and UBSan (make asan); fails on
# any sanitizer report.  See tests/lib/asan-scenario.sh.
here=$(cd "$(dirname "$0")/../.." && pwd)
exec sh "$here/tests/lib/asan-scenario.sh" shutdown
