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


UNPICKLED = {"n": 0}      # how many times this process has unpickled a Counted value


class Counted:
    """A shared value that counts, per process, how often it arrives pickled (a transfer)."""

    def __init__(self, v: float):
        self.v = v

    def __setstate__(self, state: dict) -> None:
        UNPICKLED["n"] += 1
        self.__dict__.update(state)


def make_counted(v: float) -> Counted:
    return Counted(v)


def squares(base, delay_s: float, xs: list) -> list:
    """A batch: one record per item, or the item's own error (a negative input)."""
    out: list = []
    for x in xs:
        if delay_s:
            time.sleep(delay_s)
        if x < 0:
            out.append(ValueError(f"negative input {x}"))
        else:
            out.append({"value": x * x + (base.v if base is not None else 0.0), "pid": os.getpid(),
                        "unpickled": UNPICKLED["n"]})
    return out


def broken(xs: list) -> list:
    raise RuntimeError("the whole batch broke")


def batches(n: int, size: int, delay_s: float = 0.0, base=None) -> list:
    """``n`` items ``i0…`` in batches of ``size`` of :func:`squares`."""
    from optimizer.runner import Batch, Item

    items = [Item(id=f"i{i:03d}", arg=float(i), meta={"x": i}) for i in range(n)]
    return [Batch(fn=squares, args=(base, delay_s), items=tuple(items[k:k + size])) for k in range(0, n, size)]


def gc_threshold():
    """The worker's garbage-collector thresholds."""
    import gc
    return gc.get_threshold()
