"""``--help`` in Chinese: every command's help page under ``--lang zh`` (or ``SINKPLAN_LANG=zh``)
is Chinese, keeps every option name, leaves no English sentence, and fits the terminal measured in
display columns; the English help stays click's own, byte for byte (optimizer/cli/help.py)."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys

import click
import pytest

from optimizer import i18n
from optimizer.cli import app, main
from optimizer.cli.help import display_width, short_help, wrap, wrap_paragraphs

CJK = re.compile(r"[\u4e00-\u9fff]")
# four or more Latin words in a row, separated by single spaces: an English sentence
ENGLISH_RUN = re.compile(r"(?<![\w/.-])[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}(?![\w/.-])")
PAGES = [None, *sorted(app.commands)]          # None: the group itself (`sinkplan --help`)


def _help(capsys, *args: str) -> str:
    code = main(list(args))
    cap = capsys.readouterr()
    assert code == 0, cap.err
    assert cap.err == ""
    return cap.out


def _args(name: str | None) -> list[str]:
    return ["--help"] if name is None else [name, "--help"]


def _option_names(name: str | None) -> list[str]:
    cmd = app if name is None else app.commands[name]
    ctx = click.Context(cmd, info_name=name or "sinkplan", **app.context_settings)
    return [o for p in cmd.get_params(ctx) if isinstance(p, click.Option) for o in (*p.opts, *p.secondary_opts)]


def _english_left(text: str) -> list[str]:
    """English sentences in a help page outside option names, metavars, choices, paths and code."""
    text = re.sub(r"`[^`\n]*`|'[^'\n]*'|\"[^\"\n]*\"", " ", text)          # code and quoted values
    text = re.sub(r"(?<![\w-])--?[A-Za-z][\w-]*", " ", text)                # option names
    text = re.sub(r"\[[^\]\n]*\|[^\]\n]*\]", " ", text)                    # [choice|choice]
    text = re.sub(r"\S*[./]\S*", " ", text)                               # paths, files, a.b
    text = re.sub(r"\b[A-Z][A-Z0-9_]+\b", " ", text)                      # metavars, acronyms
    return ENGLISH_RUN.findall(text)


@pytest.fixture(autouse=True)
def _width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("SINKPLAN_LANG", raising=False)


@pytest.mark.parametrize("name", PAGES, ids=lambda n: n or "sinkplan")
def test_every_help_page_is_chinese_and_keeps_every_option(name, capsys):
    text = _help(capsys, "--lang", "zh", *_args(name))
    english = _help(capsys, *_args(name))
    assert text.startswith("用法：sinkplan"), text
    assert CJK.search(text.split("\n", 1)[1]), text
    assert "\n选项：\n" in text and "显示本帮助并退出。" in text
    for opt in _option_names(name):
        assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", text), (opt, text)
    assert _english_left(text) == [], text
    assert _english_left(english) != []                           # the check does find English
    assert "Usage:" not in text and "Options:" not in text and "Show this message" not in text
    assert "[default:" not in text and "[required]" not in text
    if name is None:
        assert "命令：" in text and all(f"  {c} " in text for c in app.commands)
    assert i18n.language() == "en"                                 # main() hands back English


def test_every_help_text_and_clicks_own_words_have_a_chinese_translation():
    """Short ones too (``Output folder.``), which the English-sentence check alone would miss."""
    from optimizer.cli.help import CLICK_WORDS, help_messages

    texts = {m for m, _where in help_messages(app)} | set(CLICK_WORDS)
    assert len(texts) > 100
    try:
        i18n.set_language("zh")
        left = [t for t in texts if " " in t and not CJK.search(i18n._(t))]
    finally:
        i18n.set_language("en")
    assert left == []


@pytest.mark.parametrize("name", PAGES, ids=lambda n: n or "sinkplan")
def test_chinese_help_fits_the_terminal_in_display_columns(name, capsys):
    text = _help(capsys, "--lang", "zh", *_args(name))
    width = 78                          # click: min(COLUMNS, max_content_width) - 2
    for line in text.splitlines():
        if display_width(line) > width:
            # only a piece that cannot be broken (an option with its metavar, a long name) overflows
            assert " " not in line.strip() or line.lstrip().startswith("-") or not CJK.search(line), line
        assert not re.match(r"\s*[，。、；：）]", line), line     # no line begins with closing punctuation


def test_lang_before_the_subcommand_env_and_the_sub_commands_own_lang(capsys, monkeypatch):
    zh = _help(capsys, "--lang", "zh", "optimize", "--help")
    assert "在预算和其他约束下，求单一目标的最优方案。" in zh
    assert _help(capsys, "--lang", "zh", "--help").startswith("用法：sinkplan [选项] [命令] [参数]...")
    assert _help(capsys, "report", "--lang", "zh", "--help").startswith("用法：sinkplan report [选项] RUN_DIR")
    assert _help(capsys, "portfolio", "--lang", "zh", "--help").startswith("用法：sinkplan portfolio")
    assert _help(capsys, "--lang", "en", "optimize", "--help") == _help(capsys, "optimize", "--help")
    monkeypatch.setenv("SINKPLAN_LANG", "zh")
    assert _help(capsys, "optimize", "--help") == zh
    assert _help(capsys, "--help").startswith("用法：")                   # the group's own --help too
    assert _help(capsys, "--lang", "en", "optimize", "--help").startswith("Usage: sinkplan optimize")


def test_chinese_help_through_the_console_entry():
    env = {**os.environ, "COLUMNS": "100", "SINKPLAN_LANG": "zh"}
    cmd = [sys.executable, "-c", "from optimizer.cli import entry; entry()"]
    r = subprocess.run([*cmd, "pareto", "--help"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "两个或三个目标之间的权衡前沿" in r.stdout and "--pop-size" in r.stdout and "[默认：100；x>=4]" in r.stdout
    env.pop("SINKPLAN_LANG")
    r = subprocess.run([*cmd, "--lang", "zh", "validate", "--help"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "检查分区文件并打印场地摘要" in r.stdout


@pytest.mark.parametrize("columns", ["100", "60"])
@pytest.mark.parametrize("name", PAGES, ids=lambda n: n or "sinkplan")
def test_english_help_is_clicks_own_byte_for_byte(name, columns, capsys, monkeypatch):
    """The translating classes render English exactly as click's stock Command/Group do."""
    monkeypatch.setenv("COLUMNS", columns)
    ours = _help(capsys, *_args(name))
    stock_app = copy.copy(app)
    stock_app.__class__ = click.Group
    stock_app.commands = {}
    for n, c in app.commands.items():
        stock = copy.copy(c)
        stock.__class__ = click.Command
        stock_app.commands[n] = stock
    ctx = stock_app.make_context("sinkplan", [], resilient_parsing=True)
    if name is not None:
        sub = stock_app.commands[name]
        ctx = sub.make_context(name, [], parent=ctx, resilient_parsing=True)
    assert ours == ctx.get_help() + "\n"


def test_english_sample_unchanged(capsys):
    assert _help(capsys, "settings", "--help") == (
        "Usage: sinkplan settings [OPTIONS]\n\n"
        "  Print the settings schema: every key with its section, default and unit.\n\n"
        "Options:\n"
        "  -h, --help  Show this message and exit.\n")


def test_wrap_breaks_between_cjk_characters_by_display_width():
    text = ("在 --out 中写出 plan.gpkg、plan.geojson、plan.csv 和 manifest.json。"
            "“碳汇量至少 40,000 t CO2e 的最低成本方案”。")
    lines = wrap(text, 30)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert display_width(line) <= 30, line
        assert line[0] not in "，。、；：）”", line
    assert any(w in "".join(lines) for w in ("plan.gpkg、", "plan.geojson、"))   # ASCII words stay whole
    assert wrap("abc defgh", 4) == ["abc", "defgh"]                  # a longer word stands alone
    assert display_width("碳汇 t") == 6


def test_paragraphs_join_lines_without_a_space_between_cjk():
    text = "第一段第一行\n第一段第二行 with words\nand more\n\n第二段"
    assert wrap_paragraphs(text, 80, "  ") == "  第一段第一行第一段第二行 with words and more\n\n  第二段"


def test_short_help_is_the_first_sentence_cut_by_display_width():
    assert short_help("检查分区文件。其余说明。", 40) == "检查分区文件。"
    cut = short_help("用监测观测数据校准每个已施工分区的生长（贝叶斯方法，按植被类型 × 气候部分合并）。", 30)
    assert cut.endswith("…") and display_width(cut) <= 30
    assert short_help("Check a file. More.", 40) == "Check a file."


def test_the_help_option_follows_the_context_not_clicks_first_cache(capsys):
    """click caches a command's help option with the names of the first context that asks: a
    command first invoked on its own (as a library user or another test may) must not lose the
    group's ``-h`` for later calls (a CI run failed on this ordering)."""
    from click.testing import CliRunner

    r = CliRunner().invoke(app.commands["settings"], ["--help"])
    assert r.exit_code == 0 and "-h, --help" not in r.output
    assert _help(capsys, "settings", "--help").endswith("  -h, --help  Show this message and exit.\n")
