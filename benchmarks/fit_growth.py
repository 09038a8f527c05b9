"""Fit the growth and soil-carbon curves and write ``optimizer/catalog/vegetation_growth.csv``.

    python -m benchmarks.fit_growth            # fit, write the table and the draws, print residuals
    python -m benchmarks.fit_growth --dry-run  # fit and print only

Reads every training point (the catalog's records in ``optimizer/catalog/chronosequences.csv``
and the usable field rows of ``benchmarks/data/field_carbon.csv``; :mod:`benchmarks.science`
says which rows are usable and how each is read), fits the model of :mod:`benchmarks.growth_fit`,
prints one line per point (observed, fitted, ln ratio), the global parameters and each
vegetation type × climate class curve, and writes

- ``optimizer/catalog/vegetation_growth.csv``: one row per type × class, with standard errors;
- ``optimizer/catalog/growth_draws.csv``: 100 joint draws of every curve (seeded), for the
  uncertainty analysis.

Deterministic: two runs write byte-identical files. docs/science.md §2.1–§2.3 describes the model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from benchmarks import growth_fit, science

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "optimizer" / "catalog" / "vegetation_growth.csv"
DRAWS = ROOT / "optimizer" / "catalog" / "growth_draws.csv"

SOURCES = {
    "tree_shrub_herb": "Shrestha & Lal 2010; Amichev et al. 2008; field rows (benchmarks/data/field_carbon.csv)",
    "robinia": "Quinkenstein et al. 2012; Pietrzykowski/Greek lignite-spoil stands; field rows",
    "poplar": "Guan et al. 2016 (prior); no aged stand",
    "conifer": "Sun et al. 2017; Karu et al. 2009; Amichev et al. 2008; field rows",
    "shrub": "Bulianta and Li et al. 2014 field rows",
    "grassland": "Shukla et al. 2004; Ohio JASMR; Rosebud; Li et al. 2014; Shrestha & Lal 2010",
    "grass_legume": "prior (no usable stock)",
    "natural_regeneration": "Sokolov spontaneous succession (field rows); Li et al. 2014; Prach & Hobbs 2008 (prior)",
    "eucalyptus_acacia": ("Bargali et al. 1992; Dutta & Agrawal 2003 (shape); Balieiro et al. 2017; Anaden 2025 "
                          "(field rows); Berau 2016"),
    "cropland": "prior; no lasting biomass",
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true", help="fit and print; write nothing")
    args = ap.parse_args(argv)
    pts = science.all_points()
    f = science.fit_points(pts)
    p = f.points
    print(f"{len(p)} points from {p['study_id'].nunique()} studies; cost {f.cost:.3f}")
    print(p[["point", "veg_type", "cls", "quantity", "age_yr", "depth_cm", "value", "fitted", "residual"]]
          .to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    print(f"rms ln ratio {np.sqrt(np.mean(p['residual'] ** 2)):.3f}")
    for k in growth_fit.GLOBAL_PRIORS:
        print(f"{k}: {f.global_value(k):.4g}")
    t = growth_fit.table(f, SOURCES)
    print(t[["veg_type", "climate", "c_max_t_c_per_ha", "k_per_yr", "m", "soc_rate_t_c_per_ha_yr", "soc_tau_yr",
             "n_points", "se_log_c_max"]].to_string(index=False))
    if not args.dry_run:
        t.to_csv(TABLE, index=False, lineterminator="\n")
        growth_fit.draws(f).to_csv(DRAWS, index=False, lineterminator="\n")
        print(f"wrote {TABLE.relative_to(ROOT)} and {DRAWS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
