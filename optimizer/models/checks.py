"""Input checks of the erosion models: gather every problem, then speak once.

Each model function turns its inputs into float arrays (:func:`_as_float`), lists every value
outside its physical range (:func:`_range_problems`) and raises one :class:`ValueError` naming them
all (:func:`_raise_if`).
"""

from __future__ import annotations

import numpy as np


def _as_float(value):
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"expected numbers, got {value!r}") from exc



def _range_problems(name, values, low, high, requirement, low_inclusive=True):
    """A one-item list describing the values outside [low, high] (or NaN), else []."""
    too_low = values < low if low_inclusive else values <= low
    bad = ~np.isfinite(values) | too_low | (values > high)
    if not bad.any():
        return []
    where = np.argwhere(bad)
    shown = []
    for index in where[:5]:
        text = f"{values[tuple(index)]:g}"
        if values.ndim == 1:
            text += f" at index {int(index[0])}"
        elif values.ndim > 1:
            text += f" at index {tuple(int(i) for i in index)}"
        shown.append(text)
    more = f" and {len(where) - 5} more" if len(where) > 5 else ""
    return [f"{name} must be {requirement}; got {', '.join(shown)}{more}"]


def _raise_if(problems):
    if problems:
        raise ValueError("; ".join(problems))
