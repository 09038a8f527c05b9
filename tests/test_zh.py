"""Chinese throughout: catalogs complete, the CLI's messages, zoning files with Chinese field names
and values, and figures drawn without a missing glyph (the report itself in Chromium:
tests/test_browser.py)."""

from __future__ import annotations

import html
import re
import sys
import warnings
from pathlib import Path

import pytest

from optimizer import i18n
from optimizer.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_every_message_has_a_chinese_translation_and_the_template_is_current():
    sys.path.insert(0, str(ROOT / "scripts"))
    import i18n as script  # scripts/i18n.py
    assert script.main(["--check"]) == 0


def test_a_message_translated_twice_is_caught(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    import i18n as script  # scripts/i18n.py
    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr ""\n\nmsgid "Range"\nmsgstr "范围"\n\nmsgctxt "map"\nmsgid "Range"\nmsgstr "r"\n\n'
                  'msgid ""\n"Ran"\n"ge"\nmsgstr "x"\n', encoding="utf-8")
    assert script._duplicates(po) == ["Range"]          # the context makes the second one another message
    assert script._duplicates(ROOT / "optimizer" / "locale" / "zh" / "LC_MESSAGES" / "sinkplan.po") == []


def test_gettext_switches_language_and_english_is_the_default():
    assert i18n.language() == "en"
    assert i18n._("6. Cost") == "6. Cost"
    try:
        i18n.set_language("zh")
        assert i18n._("6. Cost") == "6. 成本"
        assert i18n._("Erosion grade (SL 190-2007)") == "侵蚀强度分级（SL 190-2007）"   # the code keeps its case
        assert i18n._("a message nobody translated") == "a message nobody translated"
    finally:
        i18n.set_language("en")
    with pytest.raises(Exception, match="language 'fr'"):
        i18n.set_language("fr")


def test_terms_follow_sl_190_and_ccer():
    """The standards' own words: erosion grades of SL 190-2007, 基线 and 泄漏 of the CCER texts."""
    from optimizer.report import style
    try:
        i18n.set_language("zh")
        grades = [style.label(g, style.GRADE_LABELS) for g in style.GRADE_LABELS]
        assert grades[1:] == ["轻度", "中度", "强烈", "极强烈", "剧烈"] and grades[0].startswith("微度")
        net = i18n._("Net of the baseline and leakage")
        assert "基线" in net and "泄漏" in net
        assert i18n._("Soil loss [t/(ha·yr)]").startswith("土壤侵蚀模数")
    finally:
        i18n.set_language("en")


def _chinese_site(folder: Path) -> Path:
    f = folder / "分区.csv"
    f.write_text("分区编号,分区类型,坡度,坡长,土层厚度,自燃,污染,用地类型,面积,业主\n"
                 "甲-1,平台,2,40,10,无,否,采矿用地,1.5,矿务局\n"
                 "乙-1,边坡,25,30,0,无,否,规划造林地,2.0,张三\n"
                 "丙-1,矸石山,28,20,0,中度,是,采矿用地,1.0,\n", encoding="utf-8")
    return f


def test_chinese_field_names_and_values_are_read(tmp_path):
    from optimizer.site import read_site

    site = read_site(_chinese_site(tmp_path))
    z = site.zones.set_index("zone_id")
    assert list(z["zone_type"].astype(str)) == ["platform", "slope", "waste_heap"]
    assert z.at["乙-1", "slope_deg"] == 25 and z.at["乙-1", "slope_length_m"] == 30
    assert z.at["丙-1", "burning"] == "medium" and bool(z.at["丙-1", "contaminated"])
    assert z.at["乙-1", "land_designation"] == "planned_afforestation_land"
    assert z.at["甲-1", "area_ha"] == 1.5 and z.at["甲-1", "业主"] == "矿务局"


def test_cli_messages_in_chinese(tmp_path, capsys):
    site = _chinese_site(tmp_path)
    assert main(["--lang", "zh", "optimize", str(site), "--maximize", "removals", "--out", str(tmp_path / "a"),
                 "-q"]) == 0
    other = tmp_path / "other.csv"
    other.write_text(site.read_text(encoding="utf-8").replace("丙-1", "丁-9"), encoding="utf-8")
    assert main(["optimize", str(other), "--maximize", "removals", "--out", str(tmp_path / "b"), "-q"]) == 0
    capsys.readouterr()
    assert main(["--lang", "zh", "compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "错误：" in err and "分区不一致" in err and "丁-9" in err and "丙-1" in err
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 2   # English again by default
    assert "error: " in capsys.readouterr().err


def test_chinese_figures_have_no_missing_glyph(tmp_path):
    from optimizer.report.build import build_report
    from optimizer.report.figures.canvas import cjk_font

    if cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-noto-cjk; scripts/test.sh does)")
    site = _chinese_site(tmp_path)
    assert main(["optimize", str(site), "--maximize", "removals", "--out", str(tmp_path / "run"), "-q"]) == 0
    try:
        i18n.set_language("zh")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = build_report(tmp_path / "run", tmp_path / "r.html", tmp_path / "figs", ("png", "svg"))
    finally:
        i18n.set_language("en")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    assert res["figures"]
    svg = (tmp_path / "figs" / "soil.svg").read_text(encoding="utf-8")
    assert "土壤" in svg or "分区" in svg or "方案" in svg or "Noto Sans CJK" in svg


def test_a_warning_when_no_cjk_font(monkeypatch):
    from optimizer.errors import FontWarning
    from optimizer.report.figures import canvas

    monkeypatch.setattr(canvas, "cjk_font", lambda: None)
    canvas._warn_no_cjk.cache_clear()
    try:
        i18n.set_language("zh")
        with pytest.warns(FontWarning, match="fonts-noto-cjk"):
            canvas.font_rc()
    finally:
        i18n.set_language("en")
        canvas._warn_no_cjk.cache_clear()


# Latin words a Chinese report may keep: units, codes, names of standards, software and methods.
KEPT_LATIN = {"CO2e", "CNY", "NPV", "RUSLE", "USDA", "CCER", "Verra", "VCS", "IPCC", "Refinement", "McCool",
              "Chapman", "Richards", "Carras", "SinkPlan", "GeoPackage", "works", "Python", "JSON", "Jaccard",
              "Das", "Queensland", "ERC", "SHA", "Linux", "EPSG", "HiGHS", "PuLP", "docs", "science", "scripts",
              "make_sites", "manifest", "json", "sinkplan", "Pareto", "standard", "synthetic"}
ENGLISH_PROSE = re.compile(r"\b(the|and|with|of|which|each|zones?|plans?|from|over|are|is|by|for)\b")


def prose_of_report(html_text: str) -> dict[str, str]:
    """Section id → its prose: headings, paragraphs, captions, table headers and list items, without
    table cells (data: zone ids, catalog sources), figures, code spans and the JSON manifest."""
    main = html_text[html_text.index("<main>"):html_text.index("</main>")]
    for pattern in (r"<svg.*?</svg>", r"<pre.*?</pre>", r'<span class="mono">.*?</span>', r"<td[^>]*>.*?</td>",
                    r"<select.*?</select>"):
        main = re.sub(pattern, " ", main, flags=re.S)
    return {sid: html.unescape(re.sub(r"<[^>]+>", " ", body))
            for sid, body in re.findall(r'<section id="([^"]+)">(.*?)</section>', main, flags=re.S)}


def english_words(text: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z_]{2,}", text)
    return [w for w in words if w not in KEPT_LATIN and not w.isupper()]


def test_chinese_report_has_no_english_prose(tmp_path):
    """Every section of the zh report speaks Chinese: no English function words in its prose, and
    Latin words (outside units, codes and names) are a handful against thousands of Chinese characters."""
    from optimizer.report.build import build_report

    site = _chinese_site(tmp_path)
    assert main(["optimize", str(site), "--maximize", "removals", "--out", str(tmp_path / "run"), "-q"]) == 0
    try:
        i18n.set_language("zh")
        build_report(tmp_path / "run", tmp_path / "r.html", None)
    finally:
        i18n.set_language("en")
    sections = prose_of_report((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert {"summary", "site", "plan", "carbon", "soil", "cost", "credits", "solver", "method",
            "annex"} <= set(sections)
    for sid, text in sections.items():
        cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
        latin = english_words(text)
        assert not ENGLISH_PROSE.findall(" ".join(latin)), (sid, latin)
        assert len(latin) <= max(8, cjk // 40), (sid, cjk, latin)


def test_chinese_cli_messages(tmp_path, capsys):
    site = _chinese_site(tmp_path)
    assert main(["--lang", "zh", "optimize", str(site), "--maximize", "removals", "--minimize", "cost",
                 "--out", str(tmp_path / "x")]) == 2
    assert "请且仅请给出" in capsys.readouterr().err
    assert main(["--lang", "zh", "optimize", str(site), "--maximize", "removals", "--budget", "nan",
                 "--out", str(tmp_path / "x")]) == 2
    assert "不是有限数" in capsys.readouterr().err
    assert main(["--lang", "zh", "optimize", str(site), "--maximize", "removals", "--out", str(tmp_path / "y")]) == 0
    text = capsys.readouterr().out
    assert "方案：" in text and "已写出" in text


def test_the_monitoring_section_speaks_chinese():
    """The report's Monitoring section under zh: headings, prose, table headers, its row labels and
    flags in Chinese (issue 14)."""
    import pandas as pd

    from optimizer.report.sections.monitoring import Monitoring, monitoring_section

    zones = pd.DataFrame({"zone_id": ["P-1", "P-2"], "worked": [True, True], "flag": ["failing", ""],
                          "flagged": [True, False], "growth_multiplier_mean": [0.3, 1.1],
                          "growth_multiplier_p5": [0.2, 0.9], "growth_multiplier_p95": [0.45, 1.3],
                          "n_observations": [3, 2]})
    summary = {"observations_used": 5, "observations": 9, "zones_observed": 2, "zones_flagged": 1,
               "failing": ["P-1"], "thriving": [], "to_date_year": 2034, "removals_to_date_tco2e_estimated": 100.0,
               "removals_to_date_tco2e_forecast": 120.0, "removals_horizon_tco2e_recalibrated": 900.0,
               "removals_horizon_tco2e_p5": 850.0, "removals_horizon_tco2e_p95": 950.0,
               "removals_horizon_tco2e_forecast": 1000.0, "campaign_error_inflation": {"C2": 3.3}}
    mrv = pd.DataFrame({"standard": ["VCS"], "to_date_year": [2034], "zones_eligible": [2],
                        "removals_to_date_tco2e": [80.0], "baseline_to_date_tco2e": [10.0],
                        "leakage_to_date_tco2e": [0.0], "deductions_to_date_tco2e": [15.0],
                        "credits_issuable_tco2e": [55.0], "credits_forecast_tco2e": [70.0],
                        "difference_tco2e": [-15.0]})
    m = Monitoring(path=Path("runs/mon"), zones=zones, site=pd.DataFrame(), summary=summary, mrv=mrv)
    try:
        i18n.set_language("zh")
        html_zh = monitoring_section(m, {})
    finally:
        i18n.set_language("en")
    html_en = monitoring_section(m, {})
    text = prose_of_report(f"<main>{html_zh}</main>")["monitoring"]
    latin = english_words(text)
    assert not ENGLISH_PROSE.findall(" ".join(latin)), latin
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 100
    for english in ("Observations used", "Removals to 2034", "failing", "Credits issuable", "Flagged zones"):
        assert english in html_en and english not in html_zh, english
    assert "长势不良" in html_zh and "可签发碳信用量" in html_zh
