"""Chinese validation messages and warnings: a bad input of every kind, given to the command line
with ``--lang zh``, exits 2 with a Chinese message that names the file, zone and field, no
traceback and no English sentence left; every translation keeps its message's placeholders (a
lost ``{zone}`` would turn a user's mistake into a KeyError)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from optimizer import i18n
from optimizer.cli import main

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "optimizer" / "locale" / "zh" / "LC_MESSAGES" / "sinkplan.po"
CJK = re.compile(r"[\u4e00-\u9fff]")
# four or more Latin words in a row, separated by single spaces: an English sentence (names in
# quotes, paths and comma-separated lists of valid values are removed or do not match)
ENGLISH_RUN = re.compile(r"(?<![\w/.-])[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}(?![\w/.-])")


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_every_translation_keeps_the_placeholders_of_its_message():
    with PO.open("rb") as f:
        catalog = read_po(f, locale="zh")
    bad = []
    for m in catalog:
        if not m.id or not m.string or isinstance(m.id, tuple):
            continue
        try:
            want, got = _placeholders(m.id), _placeholders(m.string)
        except ValueError:          # a literal brace in prose: then both must parse alike
            want, got = {"<unparsable>"}, set()
            try:
                _placeholders(m.string)
            except ValueError:
                continue
        if want != got:
            bad.append((m.id, m.string))
    assert bad == []


def _cli(args: list[str], capsys) -> tuple[int, str]:
    code = main(["--lang", "zh", *args])
    cap = capsys.readouterr()
    return code, cap.err + cap.out


def _english_left(text: str, tmp_path: Path) -> list[str]:
    """English sentences in ``text`` outside quoted names, paths and CLI options."""
    text = text.replace(str(tmp_path), "")
    text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`", " ", text)       # quoted names, values, commands
    text = re.sub(r"--[a-z-]+", " ", text)
    return ENGLISH_RUN.findall(text)


def _assert_chinese_error(code: int, text: str, tmp_path: Path, *names: str) -> None:
    assert code == 2, text
    assert "Traceback" not in text
    assert text.startswith("错误："), text
    assert CJK.search(text.replace("错误：", "")), text
    for n in names:
        assert n in text, (n, text)
    assert _english_left(text, tmp_path) == [], text


ZONES = ("zone_id,zone_type,slope_deg,slope_length_m,soil_depth_cm,area_ha\n"
         "P-1,platform,2,40,10,1.5\n"
         "S-1,slope,25,30,0,2.0\n"
         "W-1,waste_heap,28,20,0,1.0\n")


@pytest.fixture()
def zones(tmp_path) -> Path:
    f = tmp_path / "zones.csv"
    f.write_text(ZONES, encoding="utf-8")
    return f


def test_a_bad_zoning_file_in_chinese(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("zone_id,zone_type,slope_deg,slope_length_m,area_ha\n"
                   "S-1,slpe,95,30,1\nS-2,slope,nan,-3,1\nS-3,slope,,,0\n", encoding="utf-8")
    code, text = _cli(["validate", str(bad)], capsys)
    _assert_chinese_error(code, text, tmp_path, "bad.csv", "'S-1'", "'zone_type'", "'slpe'", "'S-2'", "'slope_deg'",
                          "'slope_length_m'", "'S-3'", "'area_ha'")
    assert "分区文件中发现" in text and "分区 'S-1'" in text and "字段 'slope_deg'" in text
    assert "超出 0–90 ° 的范围" in text and "坡长" in text


def test_a_zoning_file_that_is_a_folder_or_gbk_text_in_chinese(tmp_path, capsys):
    code, text = _cli(["validate", str(tmp_path)], capsys)
    _assert_chinese_error(code, text, tmp_path, "是文件夹", "分区文件")
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes("[site]\nname = '矿区'\n".encode("gb18030"))
    (tmp_path / "zones.csv").write_text(ZONES, encoding="utf-8")
    code, text = _cli(["validate", str(tmp_path / "zones.csv"), "--settings", str(gbk)], capsys)
    _assert_chinese_error(code, text, tmp_path, "gbk.toml", "UTF-8", "记事本")


def test_a_bad_settings_file_in_chinese(tmp_path, zones, capsys):
    toml = tmp_path / "site.toml"
    toml.write_text('[site]\nregoin = "loess_plateau"\n[erosion]\nk = 1\n'
                    '[accounting]\ndiscount_rate = nan\nhorizon_yr = 1.5\n', encoding="utf-8")
    code, text = _cli(["validate", str(zones), "--settings", str(toml)], capsys)
    _assert_chinese_error(code, text, tmp_path, "site.toml", "'site.regoin'", "'region'", "'[erosion]'",
                          "'accounting.discount_rate'", "'accounting.horizon_yr'")
    assert "场地设置中发现 4 个问题" in text and "未知的设置项" in text and "未知的节" in text


def test_a_bad_catalog_override_in_chinese(tmp_path, zones, capsys):
    cat = tmp_path / "my_catalog.csv"
    cat.write_text("measure_id,group,name,zone_types,source,confidence,min_slope_deg,max_slope_deg,colour\n"
                   "my_shrubs,vegetaton,My shrubs,slope;moon,own trial,Q,30,10,\n", encoding="utf-8")
    code, text = _cli(["validate", str(zones), "--catalog", str(cat)], capsys)
    _assert_chinese_error(code, text, tmp_path, "my_catalog.csv", "'colour'")
    assert "未知的列" in text
    cat.write_text("measure_id,group,name,zone_types,source,confidence,min_slope_deg,max_slope_deg\n"
                   "my_shrubs,vegetaton,My shrubs,slope;moon,own trial,Q,30,10\n", encoding="utf-8")
    code, text = _cli(["validate", str(zones), "--catalog", str(cat)], capsys)
    _assert_chinese_error(code, text, tmp_path, "my_catalog.csv", "行 'my_shrubs'", "'group'", "'vegetaton'",
                          "'moon'", "'confidence'", "'Q'", "min_slope_deg")
    assert "措施目录中发现" in text and "未知的措施类别" in text


def test_a_bad_locks_file_and_bad_locks_in_chinese(tmp_path, zones, capsys):
    locks = tmp_path / "locks.csv"
    locks.write_text("zone,option\nS-1,terrace\n", encoding="utf-8")
    args = ["optimize", str(zones), "--maximize", "removals", "--out", str(tmp_path / "run"), "-q"]
    code, text = _cli([*args, "--locks-file", str(locks)], capsys)
    _assert_chinese_error(code, text, tmp_path, "locks.csv", "zone_id", "lock_option", "forbid", "锁定文件")
    locks.write_text("zone_id,lock_option,forbid\nS-9,no_works,\nS-1,no_such_option,\nP-1,,no_such_measure\n",
                     encoding="utf-8")
    code, text = _cli([*args, "--locks-file", str(locks)], capsys)
    _assert_chinese_error(code, text, tmp_path, "'S-9'", "'S-1'", "'no_such_option'", "'P-1'", "'no_such_measure'")
    assert "锁定：没有分区 'S-9'" in text and "不可行" in text and "既不是措施编号也不是方案编号" in text
    code, text = _cli([*args, "--locks-file", str(tmp_path / "missing_locks.csv")], capsys)
    _assert_chinese_error(code, text, tmp_path, "missing_locks.csv", "文件不存在", "锁定文件中发现 1 个问题")


def test_a_bad_portfolio_file_in_chinese(tmp_path, zones, capsys):
    toml = tmp_path / "portfolio.toml"
    toml.write_text('[portfolio]\nname = "二号矿"\nbudget_cny = -5\nobjectiv = "removals"\n'
                    '[[sites]]\nname = "a/b"\npath = "nowhere.csv"\nweight = 0\n'
                    '[[sites]]\npath = "zones.csv"\n', encoding="utf-8")
    code, text = _cli(["portfolio", str(toml), "--out", str(tmp_path / "out")], capsys)
    _assert_chinese_error(code, text, tmp_path, "portfolio.toml", "'portfolio.budget_cny'", "'portfolio.objectiv'",
                          "'sites[0].name'", "'sites[0].path'", "'sites[0].weight'", "'sites[1].name'")
    assert "项目组合文件中发现" in text and "共用预算" in text and "nowhere.csv：文件不存在" in text


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("zh_run")
    f = folder / "zones.csv"
    f.write_text(ZONES, encoding="utf-8")
    assert main(["optimize", str(f), "--maximize", "removals", "--out", str(folder / "run"), "-q"]) == 0
    return folder / "run"


def test_a_bad_observation_file_in_chinese(tmp_path, run_dir, capsys):
    obs = tmp_path / "obs.csv"
    obs.write_text("zone_id,date,cover_pct,method\n"
                   "S-9,2027-06-01,40,\n"
                   "S-1,someday,30,\n"
                   "P-1,2028-06-01,140,\n"
                   "W-1,2028-06-01,20,drone\n", encoding="utf-8")
    code, text = _cli(["monitor", str(run_dir), "--observations", str(obs), "--out", str(tmp_path / "m")], capsys)
    _assert_chinese_error(code, text, tmp_path, "obs.csv", "'S-9'", "'S-1'", "'date'", "'someday'", "'P-1'",
                          "'cover_pct'", "'W-1'", "'method'", "'drone'")
    assert "监测数据文件中发现" in text and "运行结果中没有这个分区" in text and "不是日期" in text


def test_warnings_in_chinese(tmp_path, capsys):
    """SlopeRangeWarning and ClimateRangeWarning reach the user in Chinese, naming the zones."""
    steep = tmp_path / "steep.csv"
    steep.write_text("zone_id,zone_type,slope_deg,slope_length_m,area_ha\nS-1,slope,65,30,1\n", encoding="utf-8")
    toml = tmp_path / "steep.toml"
    toml.write_text("[climate]\nannual_rainfall_mm = 2800\n", encoding="utf-8")
    code, text = _cli(["options", str(steep), "--settings", str(toml), "-o", str(tmp_path / "o.csv")], capsys)
    assert code == 0, text
    warnings = [ln for ln in text.splitlines() if ln.startswith("警告：")]
    assert any("S-1 (65°)" in w and "坡度" in w and "外推" in w for w in warnings), text
    assert any("年降水量 2800 mm 超出" in w and "外推" in w for w in warnings), text
    for w in warnings:
        assert _english_left(w, tmp_path) == [], w


def test_english_messages_are_unchanged(tmp_path, capsys):
    """The source language stays as tests and users know it (byte for byte on a sample)."""
    bad = tmp_path / "bad.csv"
    bad.write_text("zone_id,zone_type,slope_deg,slope_length_m,area_ha\nS-1,slpe,95,30,1\n", encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"2 problems found in the zoning file:\n  - {bad}, zone 'S-1', field 'zone_type': unknown zone type " \
           "'slpe'; did you mean 'slope'?" in err
    assert f"{bad}, zone 'S-1', field 'slope_deg': 95 ° is outside 0–90 °" in err
    assert i18n.language() == "en"


def test_the_rarer_commands_print_their_tables_in_chinese(tmp_path, run_dir, capsys):
    """Column headers and summary lines of catalog, settings, options, simulate and compare."""
    code, text = _cli(["catalog"], capsys)
    assert code == 0 and "措施目录各表按可信度等级统计" in text and "行数" in text
    assert _english_left(text, tmp_path) == [], text
    code, text = _cli(["settings"], capsys)
    assert code == 0 and all(h in text for h in ("节", "键", "默认值", "单位", "说明"))
    zones = run_dir.parent / "zones.csv"
    code, text = _cli(["options", str(zones), "-o", str(tmp_path / "options.csv")], capsys)
    assert code == 0 and "3 个分区" in text and "每分区" in text, text
    code, text = _cli(["simulate", str(zones), "--option", "P-1=natural_regeneration", "--years", "5",
                       "-o", str(tmp_path / "traj.csv")], capsys)
    assert code == 0 and "1 个分区–方案组合，第 0–5 年：6 行" in text, text
    code, text = _cli(["compare", str(run_dir), str(run_dir)], capsys)
    assert code == 0, text
    assert all(h in text for h in ("场地总计", "指标", "单位", "净碳汇量", "建设投资")), text
    assert "3 个分区中有 0 个在至少一个方案中的选择不同" in text
    assert _english_left(text.replace("t CO2e", ""), tmp_path) == [], text


def test_worker_processes_speak_the_parents_language(tmp_path, zones, capsys):
    """A portfolio scores its sites in spawned workers: their messages come back in Chinese too."""
    bad = tmp_path / "bad.csv"
    bad.write_text("zone_id,zone_type,slope_deg,slope_length_m,area_ha\nS-1,slpe,20,30,1\n", encoding="utf-8")
    toml = tmp_path / "pf.toml"
    toml.write_text('[portfolio]\nname = "p"\nbudget_cny = 1e7\n[[sites]]\nname = "a"\npath = "zones.csv"\n'
                    '[[sites]]\nname = "b"\npath = "bad.csv"\n', encoding="utf-8")
    code, text = _cli(["portfolio", str(toml), "--out", str(tmp_path / "out"), "--workers", "2"], capsys)
    _assert_chinese_error(code, text, tmp_path, "'sites[1] (b)'", "bad.csv", "'S-1'", "'zone_type'", "'slpe'")
    assert "项目组合中有 1 个场地无法使用" in text and "未知的分区类型" in text


@pytest.mark.parametrize("args, names", [
    (["optimize", "--bogus"], ["'--bogus'"]),
    (["sweep", "SITE_PLACEHOLDER", "--batch", "0", "--grid", "price=1", "--out", "OUT"], ["'--batch'", "x>=1"]),
    (["optimize", "SITE_PLACEHOLDER", "--maximize", "bogus", "--out", "OUT"], ["'--maximize'", "'bogus'"]),
])
def test_click_usage_errors_in_chinese(args, names, tmp_path, capsys):
    """Click's own usage errors (an unknown option, a value out of range, a value of the wrong
    type) read in Chinese under --lang zh; in English they are click's words unchanged."""
    zones = tmp_path / "zones.csv"
    zones.write_text(ZONES, encoding="utf-8")
    args = [str(zones) if a == "SITE_PLACEHOLDER" else str(tmp_path / "out") if a == "OUT" else a for a in args]
    code, text = _cli(args, capsys)
    _assert_chinese_error(code, text, tmp_path, *names)
    code = main(args)
    english = capsys.readouterr().err
    assert code == 2 and english.startswith("error: ")
    assert re.search(r"No such option|Invalid value|is not", english), english
