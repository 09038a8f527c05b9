#!/usr/bin/env bash
# The test command of the README (and of .ci/run).
#
# It creates a FRESH virtual environment, installs SinkPlan into it with the pinned versions of
# constraints.txt (so a dependency that only happens to be on this machine fails here, not for a
# user), runs every test tier, then every benchmark once at its smallest size.
#
#   bash scripts/test.sh            # everything (what CI runs): tests, ruff, mypy, benchmarks
#   bash scripts/test.sh --fast     # the fast tier only (daily work; about a minute)
#
# GDAL's command-line tools and headless Chromium (real clients the tests check outputs with) are
# installed from Debian's packages when missing and this runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."

tier=(-m "slow or not slow")
full=1
if [ "${1:-}" = "--fast" ]; then
    tier=(-m "not slow")
    full=0
fi

need=()
command -v ogrinfo >/dev/null 2>&1 || need+=(gdal-bin)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# QGIS (tests/test_qgis.py opens plan GeoPackages in it) and a CJK font (Chinese figures and
# reports): optional; their tests skip when these cannot be installed
opt=()
/usr/bin/python3 -c 'import qgis.core' >/dev/null 2>&1 || opt+=(python3-qgis qgis-providers)
fc-list 2>/dev/null | grep -qi 'cjk' || opt+=(fonts-noto-cjk)
if [ ${#opt[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${opt[@]}" >/dev/null; } ||
        echo "note: could not install ${opt[*]}; their tests will be skipped" >&2
fi

python="${PYTHON:-python3}"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "SinkPlan needs Python >= 3.11")'
venv="${SINKPLAN_TEST_VENV:-.venv-test}"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -c constraints.txt -e '.[test]'

# numba's kernel cache of this run lives in the fresh environment too (nothing from earlier runs)
export NUMBA_CACHE_DIR="$PWD/$venv/numba-cache"
"$venv/bin/python" -m pytest "${tier[@]}" -n 2
if [ "$full" = 1 ]; then
    # the code habits of pyproject.toml: ruff's rule set, mypy on the package
    "$venv/bin/python" -m ruff check optimizer tests benchmarks scripts
    "$venv/bin/python" -m mypy
    "$venv/bin/python" -m benchmarks.run --quick
fi
