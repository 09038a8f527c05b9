"""Writing tables (CSV, Parquet) atomically, choosing the format from the file name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import SinkPlanError
from .atomic import write_atomic

TABLE_FORMATS = (".csv", ".parquet")


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return write_atomic(path, lambda p: df.to_csv(p, index=False, float_format="%.10g"))
    if suffix == ".parquet":
        return write_atomic(path, lambda p: df.to_parquet(p, index=False))
    raise SinkPlanError(f"{path}: cannot write {suffix!r}; use one of {', '.join(TABLE_FORMATS)}")
