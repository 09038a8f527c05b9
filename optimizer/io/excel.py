"""Tables a spreadsheet opens safely: formula injection neutralised, units beside the header.

Every CSV and XLSX SinkPlan writes goes through :func:`neutralise`: a text cell that begins with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which Excel strips before reading a
formula) gets a leading apostrophe, so Excel and LibreOffice show it as text instead of running
it (OWASP, "CSV Injection"). Cells that are plain numbers ("-12.5") are left alone: they cannot be
formulas. Readers of SinkPlan's own tables undo it (:func:`restore`), so a zone id ``=A1`` or
``-07`` round-trips.

``--excel`` output (:func:`write_excel_csv`, :func:`write_xlsx`) is for people, not programs: a
UTF-8 CSV with a byte-order mark (Excel on Chinese Windows reads BOM-less UTF-8 as GBK) and a
second header row of units; or an ``.xlsx`` workbook with the same rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .atomic import write_atomic

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")

#: Column-name endings → unit, longest first (the naming habit of STYLE.md: the unit in the name).
UNIT_SUFFIXES = (
    ("_t_per_ha_yr", "t/(ha·yr)"), ("_tco2e_per_ha", "t CO2e/ha"), ("_cny_per_ha", "CNY/ha"),
    ("_t_per_yr", "t/yr"), ("_per_ha", "/ha"), ("_tco2e", "t CO2e"), ("_cny", "CNY"), ("_m3", "m³"),
    ("_ha", "ha"), ("_deg", "°"), ("_cm", "cm"), ("_yr", "yr"), ("_t", "t"), ("_m", "m"),
)
UNIT_ROW_MARK = "[unit]"


def unit_of(column: str) -> str:
    """The unit a column's name carries (``removals_tco2e`` → ``t CO2e``), or ``""``."""
    c = str(column).split("[", 1)[0].lstrip("Δ")
    if c in ("year",):
        return "yr"
    for suffix, unit in UNIT_SUFFIXES:
        if c.endswith(suffix):
            return unit
    return ""


def _unsafe(v: object) -> bool:
    return isinstance(v, str) and v.startswith(FORMULA_START) and not _NUMBER.match(v.strip())


def neutralise_value(v: object) -> object:
    return "'" + v if _unsafe(v) else v  # type: ignore[operator]


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its text cells (and column names) safe from being read as formulas: a copy
    when a cell had to change, else ``df`` itself."""
    out = df
    for c in df.columns:
        if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype):
            col = df[c]
            mask = col.map(_unsafe).astype(bool)
            if mask.any():
                out = out.copy() if out is df else out
                out[c] = col.astype(object).where(~mask, "'" + col.astype(str))
    if any(_unsafe(c) for c in df.columns):
        out = out.copy() if out is df else out
        out.columns = [neutralise_value(c) for c in out.columns]
    return out


def restore_value(v: object) -> object:
    if isinstance(v, str) and len(v) > 1 and v[0] == "'" and _unsafe(v[1:]):
        return v[1:]
    return v


def restore(df: pd.DataFrame, *, numeric: bool = True) -> pd.DataFrame:
    """Undo :func:`neutralise` on a table SinkPlan wrote, and drop an ``--excel`` units row (then,
    with ``numeric``, columns of numbers are numbers again)."""
    out = df.copy()
    out.columns = [restore_value(c) for c in out.columns]
    if len(out) and str(out.iloc[0, 0]) == UNIT_ROW_MARK:
        out = out.iloc[1:].reset_index(drop=True)
        for c in (out.columns if numeric else ()):  # the units row made numeric columns text
            num = pd.to_numeric(out[c], errors="coerce")
            if num.notna().sum() == out[c].replace("", pd.NA).notna().sum():
                out[c] = num
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype):
            out[c] = out[c].map(restore_value)
    return out


def units_row(df: pd.DataFrame) -> pd.DataFrame:
    """One row of units, its first cell :data:`UNIT_ROW_MARK`."""
    units = [unit_of(c) for c in df.columns]
    if len(units):
        units[0] = UNIT_ROW_MARK
    return pd.DataFrame([units], columns=df.columns)


def write_csv(df: pd.DataFrame, path: str | Path, *, excel: bool = False) -> Path:
    """A CSV, atomically, formulas neutralised; with ``excel`` UTF-8 with BOM and a units row."""
    body = neutralise(df)
    if excel:
        body = pd.concat([units_row(body).astype(object), body.astype(object)], ignore_index=True)
    enc = "utf-8-sig" if excel else "utf-8"
    return write_atomic(path, lambda p: body.to_csv(p, index=False, float_format="%.10g", encoding=enc))


def write_excel_csv(df: pd.DataFrame, path: str | Path) -> Path:
    return write_csv(df, path, excel=True)


def write_xlsx(sheets: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """An ``.xlsx`` workbook, one sheet per table, a units row under each header, every text cell
    stored as text (openpyxl would otherwise store ``=…`` as a formula) and neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def _write(p: Path) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        for name, df in sheets.items():
            ws = wb.create_sheet(title=str(name)[:31])
            body = neutralise(df)
            ws.append([str(c) for c in body.columns])
            ws.append([unit_of(c) for c in df.columns])
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for cell in ws[2]:
                cell.font = Font(italic=True)
            for row in body.itertuples(index=False):
                ws.append([None if (v is None or (isinstance(v, float) and v != v)) else
                           (v.item() if hasattr(v, "item") else v) for v in row])
            for r in ws.iter_rows(min_row=1):
                for cell in r:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"
            ws.freeze_panes = "B3"
        wb.save(p)

    return write_atomic(path, _write)
