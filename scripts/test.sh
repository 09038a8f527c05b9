#!/usr/bin/env bash
# The test command of the README (and of .ci/run): installs what the tests need, runs them, then
# runs every benchmark once at its smallest size.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v ogrinfo >/dev/null 2>&1 || need+=(gdal-bin)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
python -m pip install -q -e '.[test]'
python -m pytest
python -m benchmarks.run --quick
