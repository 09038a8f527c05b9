"""The HTML report: one self-contained file with every section, figure and placeholder.

The runs it reads (an optimize run and a small ε front on the Loess dump) are made once per test
process by :func:`loess_runs`, which the other output tests (compare, io, gdal, browser) import.
"""

from __future__ import annotations

import atexit
import functools
import json
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.cli import main
from optimizer.errors import SinkPlanError

ROOT = Path(__file__).resolve().parents[1]
LOESS = ROOT / "sites" / "loess_dump" / "zones.gpkg"
FRONT_POINTS = 4       # points asked for; the front may hold one more (both extremes and the grid)


def front_size(front_dir) -> int:
    """The points the front run wrote (front.csv)."""
    return sum(1 for _ in open(Path(front_dir) / "front.csv", encoding="utf-8")) - 1


@functools.lru_cache(maxsize=1)
def loess_runs() -> dict:
    """Run ``optimize`` and ``pareto`` (4 points) on the Loess dump once, and build both reports.

    Returns paths: ``root``, ``opt``, ``front``, ``opt_report``, ``front_report`` and their figure
    folders. The folder is removed when the process ends.
    """
    root = Path(tempfile.mkdtemp(prefix="sinkplan-runs-"))
    atexit.register(shutil.rmtree, root, True)
    opt, front = root / "opt", root / "front"
    assert main(["optimize", str(LOESS), "--maximize", "removals", "--out", str(opt)]) == 0
    assert main(["pareto", str(LOESS), "--objectives", "removals,cost", "--points", str(FRONT_POINTS),
                 "--workers", "1", "--out", str(front)]) == 0
    assert main(["report", str(opt), "-o", str(root / "opt_report.html")]) == 0
    assert main(["report", str(front), "-o", str(root / "front_report.html")]) == 0
    return {"root": root, "opt": opt, "front": front, "opt_report": root / "opt_report.html",
            "front_report": root / "front_report.html", "opt_figures": root / "opt_report_figures",
            "front_figures": root / "front_report_figures"}


@pytest.fixture(scope="session")
def runs():
    return loess_runs()


EXPECTED_PLAN_FIGURES = ("fig-site", "fig-plan", "fig-works", "fig-trajectories", "fig-soil-maps", "fig-soil",
                         "fig-cost", "fig-credits-map", "fig-credits")
EXPECTED_FRONT_FIGURES = EXPECTED_PLAN_FIGURES + ("fig-front", "fig-frequency", "fig-jaccard",
                                                  "fig-trajectories-front")


def _html(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="sinkplan-data">(.*?)</script>', html, re.S)
    assert m, "embedded data missing"
    return json.loads(m.group(1).replace("<\\/", "</"))


# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["opt_report", "front_report"])
def test_report_is_one_self_contained_file(runs, which):
    html = _html(runs[which])
    # nothing loaded from elsewhere: no external scripts, styles, images, fonts or frames
    assert not re.search(r'<(script|img|iframe|link|audio|video|source)\b[^>]*\b(src|href)\s*=\s*"(?!#|data:)', html)
    assert not re.search(r"url\(\s*['\"]?(https?:|//)", html)
    assert "@import" not in html
    assert "cdn" not in html.lower()
    assert html.count("<script>") == 1 and html.count("</html>") == 1
    assert not list(runs[which].parent.glob(f".{runs[which].stem}.*")), "temporary files left"


@pytest.mark.parametrize("which,expected", [("opt_report", EXPECTED_PLAN_FIGURES),
                                            ("front_report", EXPECTED_FRONT_FIGURES)])
def test_every_figure_is_inline_svg_and_written_for_print(runs, which, expected):
    html = _html(runs[which])
    for fig_id in expected:
        m = re.search(rf'<figure id="{fig_id}"[^>]*>(.*?)</figure>', html, re.S)
        assert m, f"{fig_id} missing"
        assert "<svg" in m.group(1) and "<path" in m.group(1), f"{fig_id} has no drawing"
    figdir = runs[which.replace("report", "figures")]
    for fig_id in expected:
        stem = fig_id.removeprefix("fig-")
        png, svg = figdir / f"{stem}.png", figdir / f"{stem}.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
        assert "<svg" in svg.read_text(encoding="utf-8")[:2000], svg


def test_sections_units_and_sources_are_there(runs):
    html = _html(runs["opt_report"])
    for sid in ("summary", "site", "plan", "carbon", "soil", "cost", "credits", "placeholders", "solver", "manifest",
                "method"):
        assert f'<section id="{sid}">' in html, sid
    for text in ("t CO2e", "t/yr", "¥", "SL 190-2007", "RUSLE", "CCER-14-001-V01", "Queensland ERC",
                 "proven optimal", "SHA-256"):
        assert text in html, text


def test_report_lists_every_placeholder_the_run_used(runs):
    for which, run in (("opt_report", "opt"), ("front_report", "front")):
        html = _html(runs[which])
        man = json.loads((runs[run] / "manifest.json").read_text())
        for group in man["placeholders"].values():
            for name in group:
                assert name in html, f"{which}: placeholder {name} not reported"
        section = html.split('<section id="placeholders">')[1].split("</section>")[0]
        plan_csv = runs[run] / ("plan.csv" if run == "opt" else "plans/point_000.csv")
        used = set()
        for v in pd.read_csv(plan_csv)["placeholder_params"].dropna():
            used |= {x.strip().rpartition(":")[2] for x in v.split(";") if x.strip()}
        for name in used:
            assert name in section, f"{which}: plan placeholder {name} not in §8"


def test_report_shows_solver_status_gaps_and_manifest_hashes(runs):
    html = _html(runs["front_report"])
    front = pd.read_csv(runs["front"] / "front.csv")
    solver = html.split('<section id="solver">')[1].split("</section>")[0]
    for g in front["gap"]:
        assert f"{g:.1e}" in solver
    man = json.loads((runs["front"] / "manifest.json").read_text())
    assert man["inputs"]["zoning_file"]["sha256"] in html
    assert "All output files match the manifest." in html


def test_embedded_data_matches_the_files(runs):
    data = _data(_html(runs["front_report"]))
    front = pd.read_csv(runs["front"] / "front.csv")
    assert data["kind"] == "front" and len(data["points"]) == len(front) >= FRONT_POINTS
    for p, (_, r) in zip(data["points"], front.iterrows()):
        assert p["values"][0] == pytest.approx(r["removals"], rel=1e-6)
        assert p["values"][1] == pytest.approx(r["cost"], rel=1e-6)
    k = data["initial"]
    plan = pd.read_csv(runs["front"] / "plans" / f"point_{k:03d}.csv")
    assert data["points"][k]["totals"]["removals_tco2e"] == pytest.approx(plan["removals_tco2e"].sum(), rel=1e-6)
    assert "knee" in data["points"][k]["roles"]
    assert len(data["zones"]) == len(plan)
    one = _data(_html(runs["opt_report"]))
    summary = json.loads((runs["opt"] / "summary.json").read_text())
    assert one["kind"] == "plan"
    assert one["points"][0]["totals"]["removals_tco2e"] == pytest.approx(summary["totals"]["removals_tco2e"], rel=1e-5)


def test_report_of_a_plan_file_without_manifest(runs, tmp_path):
    for f in ("point_001.csv", "point_001.gpkg", "point_001_trajectories.csv"):
        shutil.copy(runs["front"] / "plans" / f, tmp_path / f)
    out = tmp_path / "r.html"
    assert main(["report", str(tmp_path / "point_001.csv"), "-o", str(out), "--no-figures"]) == 0
    html = _html(out)
    assert "No manifest.json was found" in html
    assert not (tmp_path / "r_figures").exists()


def test_report_of_a_plan_file_without_measures_column(runs, tmp_path):
    df = pd.read_csv(runs["front"] / "plans" / "point_001.csv")
    df.drop(columns=["measures"]).to_csv(tmp_path / "plan.csv", index=False)
    out = tmp_path / "r.html"
    assert main(["report", str(tmp_path / "plan.csv"), "-o", str(out), "--no-figures"]) == 0
    html = _html(out)
    assert "Option (the plan file has no measures column)" in html
    assert df["option_id"].iloc[0] in html.split('<section id="plan">')[1].split("</section>")[0]


def test_report_credits_and_baseline_are_the_summarys(runs):
    from optimizer.report import style

    html = _html(runs["opt_report"])
    s = json.loads((runs["opt"] / "summary.json").read_text())
    credits = html.split('<section id="credits">')[1].split("</section>")[0]
    for v in s["credits_by_standard"].values():
        assert style.fmt_value(v, "t CO2e") in credits
    summary = html.split('<section id="summary">')[1].split("</section>")[0]
    # the no-works baseline is quoted as a net release (−removals) or as removals, whichever it is
    b = s["baseline_totals"]["removals_tco2e"]
    assert style.fmt_value(-b if b < 0 else b, "t CO2e") in summary
    assert style.fmt_value(s["baseline_totals"]["soil_loss_t_per_yr"], "t/yr") in summary


def test_report_warns_when_outputs_do_not_match_the_manifest(runs, tmp_path):
    run = tmp_path / "opt"
    shutil.copytree(runs["opt"], run)
    df = pd.read_csv(run / "plan.csv")
    df.loc[0, "removals_tco2e"] += 1.0
    df.to_csv(run / "plan.csv", index=False)
    out = tmp_path / "r.html"
    assert main(["report", str(run), "-o", str(out), "--no-figures"]) == 0
    html = _html(out)
    assert "plan.csv: changed since the manifest was written" in html


@pytest.mark.parametrize("args,message", [
    (["report", "{missing}", "-o", "{out}"], "no such run folder"),
    (["report", "{bad}", "-o", "{out}"], "not a SinkPlan plan"),
    (["report", "{opt}", "-o", "{pdf}"], "the report is an HTML file"),
])
def test_report_bad_input_is_a_clear_error(runs, tmp_path, capsys, args, message):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "plan.csv").write_text("a,b\n1,2\n")
    fill = dict(missing=tmp_path / "nope", out=tmp_path / "r.html", bad=bad, opt=runs["opt"], pdf=tmp_path / "r.pdf")
    assert main([a.format(**fill) for a in args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_a_failed_report_leaves_the_old_one(runs, tmp_path, monkeypatch):
    from optimizer.report import build

    out = tmp_path / "report.html"
    out.write_text("the good old report")

    def broken(ctx, figs, **kw):
        raise RuntimeError("boom while rendering")

    monkeypatch.setattr(build, "render_html", broken)
    with pytest.raises(RuntimeError):
        build.build_report(runs["opt"], out, None)
    assert out.read_text() == "the good old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_load_context_roles_and_headline(runs):
    from optimizer.report.context import load_context

    ctx = load_context(runs["front"])
    assert ctx.kind == "front" and ctx.headline == ctx.roles["knee"]
    assert set(ctx.roles) >= {"knee", "closest_to_ideal", "best_removals", "best_cost"}
    front = pd.read_csv(runs["front"] / "front.csv")
    assert front["removals"].iloc[ctx.roles["best_removals"]] == front["removals"].max()
    assert front["cost"].iloc[ctx.roles["best_cost"]] == front["cost"].min()
    with pytest.raises(SinkPlanError, match="no plan.csv"):
        load_context(runs["root"])


# ----------------------------------------------------------------------------------------------
def _section(html: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">.*?</section>', html, re.S)
    return m.group(0) if m else ""


def test_no_uncertainty_section_without_results(runs):
    html = _html(runs["opt_report"])
    assert not (runs["opt"] / "uncertainty").exists()
    assert _section(html, "uncertainty") == "" and 'href="#uncertainty"' not in html


@pytest.mark.slow
def test_uncertainty_robust_end_to_end_and_the_report_section(runs, tmp_path):
    """``sinkplan uncertainty RUN --robust 20`` on a copy of the Loess run, then the report: the
    section "How sure is this plan?" shows the run's own numbers (intervals, deduction per
    standard, robust plans and their price, Morris ranking)."""
    from optimizer.report.style import fmt_value

    run = tmp_path / "opt"
    shutil.copytree(runs["opt"], run)
    assert main(["uncertainty", str(run), "--samples", "20", "--seed", "4", "--robust", "20",
                 "--sensitivity", "2", "--no-figures"]) == 0
    u = run / "uncertainty"
    rob = pd.read_csv(u / "robust.csv").set_index("plan")
    assert {"expected", "cvar10"} <= set(rob.index) and len(rob) == 3
    assert rob.loc["cvar10", "status"] == "optimal" and rob.loc["cvar10", "gap"] <= 0.01 + 1e-12
    # each robust plan is best on its own measure over the same scenarios (within its certified gap)
    assert rob.loc["cvar10", "cvar10_tco2e"] >= (1 - 0.01) * rob["cvar10_tco2e"].max() - 1e-6
    assert rob.loc["expected", "expected_tco2e"] >= (1 - 1e-4) * rob["expected_tco2e"].max() - 1e-6
    assert (rob["expected_given_up_tco2e"] >= -1e-9).all()
    plans = pd.read_csv(u / "robust_plans.csv")
    zones = set(pd.read_csv(run / "plan.csv", dtype={"zone_id": str})["zone_id"])
    for _name, d in plans.astype({"zone_id": str}).groupby("plan"):
        assert len(d) == len(zones) and set(d["zone_id"]) == zones          # one option per zone
    sens = pd.read_csv(u / "sensitivity.csv")
    # one row per plan (the run's and both robust plans) and parameter group
    assert set(sens["plan"]) == {"opt", "expected", "cvar10"} and (sens["mu_star"] >= 0).all()
    assert sens.groupby("plan")["group"].nunique().eq(sens.groupby("plan").size()).all()
    assert set(pd.read_csv(u / "uncertainty.csv")["plan"]) == {"opt", "expected", "cvar10"}

    out = tmp_path / "r.html"
    assert main(["report", str(run), "-o", str(out)]) == 0
    html = _html(out)
    sec = _section(html, "uncertainty")
    assert "How sure is this plan?" in sec and 'href="#uncertainty"' in html
    iv = pd.read_csv(u / "uncertainty.csv")
    rem = iv[iv["metric"] == "removals_tco2e"].iloc[0]
    for col in ("central", "p5", "p50", "p95"):
        assert esc_num(fmt_value(rem[col], "t CO2e")) in sec
    ded = pd.read_csv(u / "deductions.csv")
    for r in ded.itertuples():
        assert f"<td>{r.standard}</td>" in sec
        assert esc_num(fmt_value(r.credits_rule_tco2e, "t CO2e")) in sec
    for name in ("expected", "cvar10"):
        assert f"<td>{name}</td>" in sec
        assert esc_num(fmt_value(rob.loc[name, "expected_given_up_tco2e"], "t CO2e")) in sec
    top = sens[sens["plan"] == "opt"].sort_values("rank").iloc[0]
    assert f"<td>{top['group']}</td>" in sec and "Morris" in sec
    assert 'data-figure="fig-unc-fan"' in sec and "seed 4" in sec


def esc_num(s: str) -> str:
    from optimizer.report.html import esc
    return esc(s)


# ----------------------------------------------------------------------------------------------
# how well the carbon model matches field data (§4)
# ----------------------------------------------------------------------------------------------
def test_the_carbon_section_says_how_the_plans_curves_did_against_field_data(runs):
    from optimizer.report.sections.validation import load_validation

    v = load_validation()
    carbon = _section(_html(runs["opt_report"]), "carbon")
    assert "How well the carbon model matches field data" in carbon
    assert f"{v['within_1_5']} of {v['predicted']} were within a factor of 1.5" in carbon
    plan = pd.read_csv(runs["opt"] / "plan.csv")
    # one row per vegetation type of the plan, and the no-works baseline
    for t in set(plan["vegetation_type"].dropna()) | {"natural_regeneration"}:
        from optimizer.report.sections.validation import VEGETATION_NAMES
        assert f"<td>{VEGETATION_NAMES[t]}" in carbon, t
    # the Loess site is semi-arid: its conifer cell is the scorecard's own
    cell = next(c for c in v["cells"] if (c["vegetation_type"], c["climate_class"]) == ("conifer", "semi_arid"))
    assert re.search(rf"<td>conifers</td><td class=\"num\">{cell['n']}</td><td class=\"num\">"
                     rf"{cell['median_ratio']:.2f}</td>", carbon)


def test_the_shipped_field_validation_is_the_scorecards():
    """optimizer/report/field_validation.json and benchmarks/SCIENCE.md come from one run of
    ``python -m benchmarks.science``: their headlines must agree."""
    from benchmarks import science as S
    from optimizer.report.sections.validation import load_validation

    v = load_validation()
    text = (S.HERE / "SCIENCE.md").read_text(encoding="utf-8")
    m = re.search(r"within a factor of 1\.5 \| [0-9.]+ \((\d+) of (\d+)\)", text)
    assert m and (int(m.group(1)), int(m.group(2))) == (v["within_1_5"], v["predicted"])
    assert v["leave_one_study_out"] and v["command"] == S.COMMAND
    assert sum(c["n"] for c in v["cells"]) == sum(c["n"] for c in v["types"]) == v["predicted"]


def test_validation_summary_groups_by_the_models_climate_class():
    from benchmarks import science as S

    scored = pd.DataFrame({
        "status": ["predicted"] * 4 + ["unusable"], "usable": [True] * 4 + [False],
        "vegetation_type": ["conifer", "conifer", "conifer", "shrub", "shrub"],
        "climate_class": ["humid_tropical", "humid_tropical", "semi_arid", "semi_arid", "semi_arid"],
        "climate": ["humid_subtropical", "humid_subtropical", "semi_arid", "semi_arid", ""],
        "ratio": [1.0, 2.0, 0.5, 1.2, np.nan], "study_id": ["A", "B", "A", "C", "D"], "row": [1, 2, 3, 4, 5],
    })
    v = S.validation_summary(scored)
    assert (v["predicted"], v["studies"], v["within_1_5"]) == (4, 3, 2)
    cells = {(c["vegetation_type"], c["climate_class"]): c for c in v["cells"]}
    assert cells[("conifer", "humid_subtropical")]["n"] == 2                # the model's class, not the field's
    assert cells[("conifer", "humid_subtropical")]["median_ratio"] == pytest.approx(1.5)
    assert {c["vegetation_type"]: c["n"] for c in v["types"]} == {"conifer": 3, "shrub": 1}
