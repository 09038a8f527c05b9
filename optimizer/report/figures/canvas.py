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


#: Fonts that draw Chinese, in order of preference (Debian: fonts-noto-cjk, fonts-wqy-microhei).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC")
LATIN_FONT = "DejaVu Sans"


@functools.cache
def cjk_font() -> str | None:
    """The first installed font of :data:`CJK_FONTS` that matplotlib can use, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((f for f in CJK_FONTS if f in installed), None)
    if found is None:
        # matplotlib's font cache predates a font installed later (apt-get install fonts-noto-cjk): add
        # the system's CJK font files to this process's font list
        for path in font_manager.findSystemFonts():
            name = Path(path).name.lower()
            if "cjk" in name or "wqy" in name or "sourcehan" in name:
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        installed = {f.name for f in font_manager.fontManager.ttflist}
        found = next((f for f in CJK_FONTS if f in installed), None)
    return found


def font_rc() -> dict:
    """The font family: DejaVu Sans for Latin text, a CJK font for what it cannot draw (matplotlib
    falls back glyph by glyph). In Chinese without any CJK font: a :class:`FontWarning`, once."""
    from ...i18n import language

    cjk = cjk_font()
    if cjk is None and language() == "zh":
        _warn_no_cjk()
    # concrete family names, not "sans-serif": matplotlib falls back glyph by glyph only along a list of names
    return {"font.family": [LATIN_FONT] + ([cjk] if cjk else [])}


@functools.cache
def _warn_no_cjk() -> None:
    import warnings

    from ...errors import FontWarning
    from ...i18n import _
    warnings.warn(_("no font that draws Chinese is installed: the figures' Chinese text will show as boxes "
                    "(Debian: apt-get install fonts-noto-cjk)"), FontWarning, stacklevel=4)


def new_figure(width_in: float = 8.0, height_in: float = 4.5) -> Figure:
    import matplotlib

    matplotlib.rcParams.update(RC)
    matplotlib.rcParams.update(font_rc())
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
