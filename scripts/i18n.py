"""Message catalogs of SinkPlan (Babel): extract the messages marked with ``_()`` and ``N_()`` into
``optimizer/locale/sinkplan.pot`` and merge them into each language's ``.po``.

    python scripts/i18n.py            # extract, then update (or create) optimizer/locale/zh/LC_MESSAGES/sinkplan.po
    python scripts/i18n.py --check    # exit 1 when a message has no translation or the .pot is stale

Translators edit the ``.po`` files; they are compiled in memory when SinkPlan loads them
(:mod:`optimizer.i18n`), so no ``.mo`` file is committed. Terms: SL 190-2007 and the Chinese CCER
methodology texts (see docs or the header of the .po).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "optimizer" / "locale"
LANGUAGES = ("zh",)
KEYWORDS = {"_": None, "N_": None}


def extract() -> Catalog:
    cat = Catalog(project="SinkPlan", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / "optimizer", method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
        if message:
            cat.add(message, None, [(f"optimizer/{filename}", lineno)], auto_comments=comments, context=context)
    for message, where in data_messages():
        cat.add(message, None, [(where, 0)])
    return cat


def data_messages() -> list[tuple[str, str]]:
    """Labels that live in data, not in ``_()`` calls: the report's label tables, measure names of
    the bundled catalog, measure groups and the comparison metrics (``style.label`` translates them),
    and the command line's help texts (command docstrings; the options' ``help=N_(…)`` again, as
    click holds them), which :mod:`optimizer.cli.help` translates when ``--help`` is rendered."""
    sys.path.insert(0, str(ROOT))
    import pandas as pd

    from optimizer.analysis.compare import METRICS
    from optimizer.catalog import GROUPS
    from optimizer.cli import app
    from optimizer.cli.help import help_messages
    from optimizer.report import style

    out = []
    for name in ("ZONE_TYPE_LABELS", "CATEGORY_LABELS", "GRADE_LABELS", "POOL_LABELS"):
        out += [(v, f"optimizer/report/style.py:{name}") for v in getattr(style, name).values()]
    out += [(v[0], "optimizer/report/style.py:OBJECTIVE_LABELS") for v in style.OBJECTIVE_LABELS.values()]
    out += [(m.label, "optimizer/analysis/compare.py:METRICS") for m in METRICS]
    out += [(g, "optimizer/catalog:GROUPS") for g in GROUPS]
    measures = pd.read_csv(ROOT / "optimizer" / "catalog" / "measures.csv", dtype=str)
    out += [(n, "optimizer/catalog/measures.csv:name") for n in measures["name"].dropna()]
    out += help_messages(app)
    return out


def _po_bytes(cat: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, cat, width=100, omit_header=False, sort_output=True, include_lineno=False)
    return buf.getvalue()


def _ids(po: Path) -> set:
    with po.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    template = extract()
    problems = []
    pot = LOCALE / "sinkplan.pot"
    if check and (not pot.is_file() or _ids(pot) != {m.id for m in template if m.id}):
        problems.append(f"{pot} is stale: run python scripts/i18n.py")
    elif not check:
        LOCALE.mkdir(parents=True, exist_ok=True)
        pot.write_bytes(_po_bytes(template))
    for lang in LANGUAGES:
        po = LOCALE / lang / "LC_MESSAGES" / "sinkplan.po"
        if po.is_file():
            problems += [f"{po}: {msgid!r} is translated twice (the later entry silently wins)"
                         for msgid in _duplicates(po)]
            with po.open("rb") as f:
                cat = read_po(f, locale=lang)
        else:
            cat = Catalog(locale=lang, project="SinkPlan", charset="utf-8")
        cat.update(template, no_fuzzy_matching=True)
        missing = [m.id for m in cat if m.id and not m.string]
        if check:
            problems += [f"{po}: no translation for {m!r}" for m in missing]
        else:
            po.parent.mkdir(parents=True, exist_ok=True)
            po.write_bytes(_po_bytes(cat))
            print(f"{po}: {len([m for m in cat if m.id])} messages, {len(missing)} untranslated")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


def _duplicates(po: Path) -> list[str]:
    """msgids (with their msgctxt) that occur more than once in ``po``: babel keeps one silently,
    GNU msgfmt refuses the file."""
    import ast

    seen: set[tuple[str, str]] = set()
    dup = []
    for entry in po.read_text(encoding="utf-8").split("\n\n"):
        parts: dict[str, str] = {}
        key = None
        for line in entry.splitlines():
            if line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
                key, _sp, rest = line.partition(" ")
                parts[key] = ast.literal_eval(rest)
            elif line.startswith('"') and key is not None:
                parts[key] += ast.literal_eval(line)
        if parts.get("msgid"):
            key_ = (parts.get("msgctxt", ""), parts["msgid"])
            if key_ in seen:
                dup.append(parts["msgid"])
            seen.add(key_)
    return dup


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
