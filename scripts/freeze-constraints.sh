#!/usr/bin/env bash
# Write constraints.txt: the versions a fresh install of SinkPlan resolves to today (the README's
# figures and benchmarks/RESULTS.md are made with these; re-run them after regenerating).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(mktemp -d)/venv"
"${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -e '.[test]'
{
    echo "# The versions the README's figures and benchmarks/RESULTS.md were made with (Python 3.11, Linux x86_64)."
    echo "# Reproduce exactly:  python -m pip install -c constraints.txt -e '.[test]'"
    echo "# Regenerate after an upgrade: scripts/freeze-constraints.sh (then re-run the README's examples)."
    "$venv/bin/python" -m pip freeze --exclude-editable | grep -v '^-e '
} > constraints.txt.tmp
mv constraints.txt.tmp constraints.txt
rm -rf "$(dirname "$venv")"
echo "wrote constraints.txt"
