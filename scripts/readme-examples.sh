#!/usr/bin/env bash
# Re-run every example of the README, in order, into runs/readme/, and print each command with its
# output (as the README shows them). With the versions of constraints.txt the figures are the
# README's; solver times and, for a front, the last digits of points' gaps vary from run to run.
#
#   python -m pip install -c constraints.txt -e . && bash scripts/readme-examples.sh > readme-output.txt
set -euo pipefail
cd "$(dirname "$0")/.."
export COLUMNS="${COLUMNS:-110}"
R=runs/readme
rm -rf "$R"
run() { echo "\$ $*"; "$@" 2>&1 || echo "(exit status $?)"; echo; }
run sinkplan validate sites/loess_dump/zones.gpkg
run sinkplan options sites/loess_dump/zones.gpkg -o $R/loess/options.csv
run sinkplan optimize sites/loess_dump/zones.gpkg --maximize removals --out $R/loess
run sinkplan optimize sites/loess_dump/zones.gpkg --minimize cost --constraint 'removals>=40000' --out $R/loess-target
run sinkplan optimize sites/loess_dump/zones.gpkg --minimize cost --constraint 'removals>=60000' --out $R/loess-too-much
run sinkplan pareto sites/loess_dump/zones.gpkg --objectives removals,cost --points 8 --out $R/loess-front
run sinkplan compare $R/loess $R/loess-front/plans/point_004.csv $R/loess-front/plans/point_007.csv \
    --labels best,knee,cheapest --top 5 --out $R/compare
run sinkplan report $R/loess-front -o $R/loess-front/report.html
run sinkplan report $R/loess -o $R/loess/report.html
run sinkplan pareto sites/loess_dump/zones.gpkg --objectives removals,cost,diversity --method hybrid \
    --points 9 --generations 150 --seed 1 --out $R/loess-hybrid
