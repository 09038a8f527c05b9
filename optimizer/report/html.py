"""Small HTML helpers and the page template of the report (one self-contained file)."""

from __future__ import annotations

import html as _html
import json

from ..i18n import _
from .assets import CSS, JS


def esc(v) -> str:
    return _html.escape("" if v is None else str(v), quote=True)


def table(headers, rows, num=(), cls: str = "", caption: str = "") -> str:
    """An HTML table; ``num`` are the column indices to right-align (numbers). Cells are escaped
    unless given as :class:`Raw`."""
    num = set(num)
    out = [f'<table class="{esc(cls)}">' if cls else "<table>"]
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th class="num">{cell(h)}</th>' if i in num else f"<th>{cell(h)}</th>"
                                       for i, h in enumerate(headers)) + "</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>" + "".join(f'<td class="num">{cell(c)}</td>' if i in num else f"<td>{cell(c)}</td>"
                                    for i, c in enumerate(r)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


class Raw(str):
    """HTML that is already safe (not escaped again)."""


def cell(v) -> str:
    return v if isinstance(v, Raw) else esc(v)


def figure(svg: str, caption: str, fig_id: str, files: list[str] | None = None, cls: str = "") -> str:
    links = ""
    if files:
        links = (' <span class="note">' + esc(_("(for print: {files})")).format(
            files=", ".join(f'<span class="mono">{esc(f)}</span>' for f in files)) + "</span>")
    c = f' class="{cls}"' if cls else ""
    return (f'<figure id="{esc(fig_id)}" data-figure="{esc(fig_id)}"{c}>{svg}'
            f"<figcaption>{caption}{links}</figcaption></figure>")


def cards(items) -> str:
    """``items``: (key, value, sub) triples."""
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="k">{esc(k)}</div><div class="v">{esc(v)}</div>'
        f'<div class="s">{esc(s)}</div></div>' for k, v, s in items) + "</div>"


# Characters that must not appear raw inside a <script> element: '<' (``</script>``, ``<!--``
# start a tag or the "script data escaped" state of the HTML parser, WHATWG HTML §13.2.5.4),
# '>' and '&' for symmetry with the other escapes, U+2028/U+2029 (line terminators in older
# JavaScript). JSON's own escapes (\u003c …) keep the data identical after JSON.parse; the same
# escaping as Django's ``json_script`` and Rails' ``json_escape``.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}


def json_for_script(data) -> str:
    """JSON text safe to place inside a ``<script>`` element (no '<', '>', '&' left raw)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_SCRIPT_ESCAPES)


def json_script(data: dict, element_id: str) -> str:
    """Embed data as JSON in ``<script type="application/json">``: zone ids or notes containing
    ``</script>`` or ``<!--`` cannot end the element or hide the rest of the page."""
    return f'<script type="application/json" id="{esc(element_id)}">{json_for_script(data)}</script>'


def page(title: str, header: str, nav: list[tuple[str, str]], body: str, data: dict, footer: str,
         lang: str = "en") -> str:
    toc = "".join(f'<a href="#{esc(i)}">{esc(t)}</a>' for i, t in nav)
    return (
        f"<!DOCTYPE html>\n<html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"SinkPlan\">\n"
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{header}\n<nav class=\"toc\" aria-label=\"{esc(_('Contents'))}\">{toc}</nav>\n<main>\n{body}\n</main>\n"
        f"<footer>{footer}</footer>\n{json_script(data, 'sinkplan-data')}\n<script>{JS}</script>\n</body>\n</html>\n"
    )
