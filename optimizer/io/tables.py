"""Reading and writing tables. Writing: CSV or Parquet, atomically, the format chosen from the
file name. Reading: a planner's CSV (zoning file, catalog), UTF-8 or GB18030, every cell as text."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pandas as pd

from ..errors import Issue, SinkPlanError, TextEncodingWarning
from ..i18n import _
from .atomic import write_atomic
from .excel import restore, write_csv
from .paths import CSV_ADVICE, decode_text

TABLE_FORMATS = (".csv", ".parquet")


def write_table(df: pd.DataFrame, path: str | Path, *, excel: bool = False) -> Path:
    """Write ``df`` atomically. A CSV has its formula-like text cells neutralised
    (:func:`optimizer.io.excel.neutralise`); with ``excel`` it is UTF-8 with BOM and a units row."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return write_csv(df, path, excel=excel)
    if suffix == ".parquet":
        return write_atomic(path, lambda p: df.to_parquet(p, index=False))
    raise SinkPlanError(_("{path}: cannot write {suffix}; use one of {allowed}").format(
        path=path, suffix=repr(suffix), allowed=", ".join(TABLE_FORMATS)))


def read_csv_text(path: str | Path, problems: list[Issue], notes: list[str] | None = None
                  ) -> pd.DataFrame | None:
    """Read a planner's CSV with every cell as text (empty cells as ``""``).

    The bytes are decoded as UTF-8 (with or without BOM), else as GB18030 (what Chinese Windows
    Excel writes as "CSV"); then a :class:`~optimizer.errors.TextEncodingWarning` names the file
    and the encoding, and a note is added to ``notes``. A file that is neither, or is not a CSV,
    adds one problem naming the file and returns None. The path is assumed to be a readable file
    (see :func:`optimizer.io.paths.check_input_file`).
    """
    p = Path(path)
    f = str(p)
    try:
        data = p.read_bytes()
    except OSError as exc:
        problems.append(Issue(file=f, message=_("cannot be read ({error})").format(error=exc.strerror or exc)))
        return None
    text, encoding, problem, warning = decode_text(data, f, advice=CSV_ADVICE)
    if problem is not None:
        problems.append(problem)
        return None
    assert text is not None and encoding is not None  # decode_text: both set when there is no problem
    if warning is not None:
        warnings.warn(warning, TextEncodingWarning, stacklevel=3)
    if encoding != "utf-8" and notes is not None:
        notes.append(_("read as {encoding} text (not UTF-8): save it as UTF-8").format(encoding=encoding.upper()))
    try:
        return restore(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False), numeric=False)
    except pd.errors.EmptyDataError:
        problems.append(Issue(file=f, message=_("is empty (no header row)")))
    except pd.errors.ParserError as exc:
        problems.append(Issue(file=f, message=_("is not a readable CSV: {error}").format(error=str(exc).strip())))
    return None
