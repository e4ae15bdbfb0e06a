#!/bin/sh
# tests/asan/template-env.sh - templates, run-time instances,
# EnvironmentFile= and $VAR expansion (tests/host/template-env.sh) with
# corral and initctl built with ASan and UBSan (make asan); fails on any
# sanitizer report.  See tests/lib/asan-scenario.sh.
here=$(cd "$(dirname "$0")/../.." && pwd)
exec sh "$here/tests/lib/asan-scenario.sh" template-env
