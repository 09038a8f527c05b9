"""A figure's canvas and its files: the house style (``RC``), new figures, PNG/SVG written
atomically, and the SVG to inline in HTML."""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure

from ...io.atomic import write_atomic

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

RC: dict[RcKeyType, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",          # text stays text in SVG: smaller, selectable, searchable
    "svg.hashsalt": "sinkplan",      # reproducible ids
}


def new_figure(width_in: float = 8.0, height_in: float = 4.5) -> Figure:
    import matplotlib

    matplotlib.rcParams.update(RC)
    return Figure(figsize=(width_in, height_in), layout="constrained")


def save_figure(fig: Figure, directory: Path, stem: str, formats=("png", "svg"), dpi: int = 150) -> list[Path]:
    """Write ``directory/stem.{png,svg}`` atomically; returns the paths."""
    out = []
    for fmt in formats:
        target = Path(directory) / f"{stem}.{fmt}"
        write_atomic(target, functools.partial(fig.savefig, format=fmt, dpi=dpi, metadata=_metadata(fmt)))
        out.append(target)
    return out


def _metadata(fmt: str) -> dict:
    return {"Date": None, "Creator": "SinkPlan"} if fmt == "svg" else {"Software": "SinkPlan"}


_PROLOG = re.compile(r"^.*?(<svg\b)", re.S)
_META = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


def svg_text(fig: Figure, salt: str, title: str = "") -> str:
    """The figure as an inline ``<svg>`` element (no XML prolog, scalable to its container).

    ``salt`` makes the element ids of this figure unique within one HTML page.
    """
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": salt}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    s = _META.sub("", _PROLOG.sub(r"\1", buf.getvalue(), count=1))
    s = re.sub(r'<svg\b([^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r'<svg\1', s, count=1)
    aria = f' role="img" aria-label="{_esc(title)}"' if title else ' role="img"'
    # never wider than 1.2 × the figure's own size, so small figures do not blow up on wide screens
    max_px = int(fig.get_figwidth() * 96 * 1.2)
    return s.replace("<svg", f'<svg class="figure-svg" style="max-width:{max_px}px"{aria}', 1)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
