#!/bin/sh
# tests/asan/delegate.sh - Delegate= with a delegating client
# (tests/host/delegate.sh) with corral and initctl built with ASan and
# UBSan (make asan); fails on any sanitizer report.  See
# tests/lib/asan-scenario.sh.
here=$(cd "$(dirname "$0")/../.." && pwd)
exec sh "$here/tests/lib/asan-scenario.sh" delegate
