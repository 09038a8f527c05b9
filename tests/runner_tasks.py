"""Task functions for tests/test_runner.py, importable by Dask workers started as separate processes."""

from __future__ import annotations

import os
import time


def square(x: float, delay_s: float = 0.0) -> dict:
    if delay_s:
        time.sleep(delay_s)
    if x < 0:
        raise ValueError(f"negative input {x}")
    return {"value": x * x, "pid": os.getpid()}


def offset(base: dict, x: float) -> dict:
    return {"value": base["offset"] + x}


def make_base(v: float) -> dict:
    return {"offset": v, "pid": os.getpid()}
