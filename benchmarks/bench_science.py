"""The science scorecard's headline as benchmark rows (issue 10, item 9; details in ``benchmarks/science.py``).

``run(quick)`` scores the model against the usable field rows of ``benchmarks/data/field_carbon.csv``
(``quick``, as in CI: the shipped fit, so every row is in sample and the metrics say so; the full
run refits the growth model without each study in turn, about a minute) and returns the headline
with the issue's targets: at least 2/3 of the rows predicted out of sample within a factor of 1.5,
none beyond a factor of 4, no vegetation type × climate cell whose median ratio is more than 30 %
off. The full table: ``python -m benchmarks.science --markdown benchmarks/SCIENCE.md``.
"""

from __future__ import annotations

from . import science


def _row(metric, value, unit, target=None, size=""):
    return {"benchmark": "science", "size": size, "metric": metric, "value": value, "unit": unit, "target": target}


def run(quick: bool = False) -> list[dict]:
    scored = science.score(leave_one_study_out=not quick)
    if quick:      # the shipped fit saw every study: score its rows, and say they are in sample
        scored["status"] = scored["status"].replace({"in sample": "predicted"})
    h = science.headline(scored)
    t = h["targets"]
    size = f"{h['predicted']} of {h['field_rows']} rows" + (" (in sample)" if quick else " (out of sample)")
    return [
        _row("share_within_1.5x", h["share_within_1_5"], "fraction", t["share_within_1_5"], size),
        _row("rows_beyond_4x_without_reason", h["beyond_4_unexplained"], "rows", t["beyond_4_unexplained"], size),
        _row("rows_beyond_4x", h["beyond_4"], "rows", None, size),
        _row("worst_cell_abs_bias", h["worst_cell_bias"], f"|median-1| ({h['worst_cell']})", t["worst_cell_bias"],
             size),
        _row("usable_rows_not_representable", h["not_representable"], f"of {h['usable_rows']} usable", None, size),
    ]


if __name__ == "__main__":
    for r in run(quick=True):
        print(r)
