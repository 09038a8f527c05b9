"""``--help`` in the language of ``--lang`` / ``SINKPLAN_LANG``.

The help strings are module-level (option ``help=N_("…")``, command docstrings), so they are
evaluated in English before the language is known; :class:`Command` and :class:`Group` translate
them through ``_()`` when the help is rendered, after the group's eager ``--lang`` has been
processed. Click's own words ("Usage:", "Options", "Show this message and exit.", "[default: …]")
are taken from SinkPlan's catalog too (:data:`CLICK_WORDS`), not from click's gettext domain, so
the process's global gettext state is left alone.

In English every method hands over to click's own, so the English help is click's, byte for byte.
In another language the text is wrapped by display width (a CJK character takes two columns and
a line may break between two of them, never before a closing punctuation mark), which click's
wrapper, counting characters and breaking only at spaces, does not do.
"""

from __future__ import annotations

import inspect
import unicodedata
from collections.abc import Iterable, Iterator

import click
from click.formatting import HelpFormatter

from ..i18n import N_, _, language, set_language

#: Click's own words in a help page, translated from SinkPlan's catalog (click's msgids).
CLICK_WORDS = (N_("Usage:"), N_("Options"), N_("Commands"), N_("Positional arguments"),
               N_("Show this message and exit."), N_("Show the version and exit."), N_("default: {default}"),
               N_("required"), N_("env var: {var}"), N_("[OPTIONS]"), N_("COMMAND [ARGS]..."),
               N_("[COMMAND] [ARGS]..."), N_("(dynamic)"))

_NO_LINE_START = set("，。、；：？！）》」』】％”’,.;:?!)]}%…")   # never begins a line
_NO_LINE_END = set("（《「『【“‘([{")                          # never ends one


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: two for a wide (CJK) character, none for a combining one."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def _wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in "WF"


def _tokens(text: str) -> list[tuple[str, bool]]:
    """``text`` as unbreakable pieces, each with whether a space comes before it: a wide character
    alone, a run of narrow non-space characters as one word; closing punctuation joins the piece
    before it and opening punctuation the piece after it."""
    pieces: list[tuple[str, bool]] = []
    space, word = False, ""
    for c in text:
        if c.isspace():
            if word:
                pieces.append((word, space))
                word = ""
            space = True
        elif _wide(c):
            if word:
                pieces.append((word, space))
                word, space = "", False
            pieces.append((c, space))
            space = False
        else:
            word += c
    if word:
        pieces.append((word, space))
    merged: list[tuple[str, bool]] = []
    for piece, sp in pieces:
        if merged and not sp and (piece[0] in _NO_LINE_START or merged[-1][0][-1] in _NO_LINE_END
                                  or _open_bracket(merged[-1][0])):
            merged[-1] = (merged[-1][0] + piece, merged[-1][1])
        else:
            merged.append((piece, sp))
    return merged


def _open_bracket(piece: str) -> bool:
    """``piece`` begins a short bracketed note still open (click's ``[默认：60.0]``): keep it whole."""
    return piece.startswith("[") and "]" not in piece and display_width(piece) < _BRACKET_WHOLE


_BRACKET_WHOLE = 24    # columns: a longer [...] may break inside


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """One paragraph as lines of at most ``width`` columns (a piece wider than that stands alone)."""
    lines: list[str] = []
    line, used = initial_indent, display_width(initial_indent)
    fresh = True
    for piece, space in _tokens(text):
        gap = 1 if space and not fresh else 0
        w = display_width(piece)
        if not fresh and used + gap + w > width:
            lines.append(line)
            line, used, gap = subsequent_indent, display_width(subsequent_indent), 0
        line += " " * gap + piece
        used += gap + w
        fresh = False
    lines.append(line)
    return lines


def _join_lines(lines: Iterable[str]) -> str:
    """A paragraph's source lines as one line: a space between them, none between two wide characters."""
    out = ""
    for line in lines:
        line = line.strip()
        if out and line:
            out += line if _wide(out[-1]) and _wide(line[0]) else " " + line
        else:
            out += line
    return out


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(indent, text) of each paragraph (blank-line separated) of ``text``, as click reads them."""
    block: list[str] = []
    for line in text.expandtabs().splitlines() + [""]:
        if line.strip():
            block.append(line)
        elif block:
            yield len(block[0]) - len(block[0].lstrip()), _join_lines(block)
            block = []


def wrap_paragraphs(text: str, width: int, indent: str = "") -> str:
    """Every paragraph of ``text`` wrapped to ``width`` columns, paragraphs one blank line apart."""
    return "\n\n".join("\n".join(wrap(par, width, indent + " " * extra, indent + " " * extra))
                       for extra, par in _paragraphs(text))


class WideHelpFormatter(HelpFormatter):
    """Click's help formatter measuring text in display columns (for languages written in CJK)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            word = _("Usage:")
            prefix = word if word and _wide(word[-1]) else word + " "
        head = f"{prefix:>{self.current_indent}}{prog} "
        if not args:
            self.write(head.rstrip(" ") + "\n")
            return
        text_width = self.width - self.current_indent
        if text_width >= display_width(head) + 20:
            lines = wrap(args, text_width, head, " " * display_width(head))
        else:
            indent = " " * (max(self.current_indent, display_width(prefix)) + 4)
            lines = [head] + wrap(args, text_width, indent, indent)
        self.write("\n".join(lines) + "\n")

    def write_heading(self, heading: str) -> None:
        colon = "：" if heading and _wide(heading[-1]) else ":"
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

    def write_text(self, text: str) -> None:
        self.write(wrap_paragraphs(text, self.width, " " * self.current_indent) + "\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        if not rows:
            return
        first_col = min(max(display_width(r[0]) for r in rows), col_max) + col_spacing
        pad = " " * (first_col + self.current_indent)
        text_width = max(self.width - first_col - 2, 10)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + pad)
            lines = wrap_paragraphs(second, text_width).splitlines() or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write((pad + line if line else "") + "\n")


def _doc(text: str | None) -> str:
    """A command's help as click shows it (dedented, cut at a form feed), translated."""
    return _(inspect.cleandoc(text).partition("\f")[0]) if text else ""


def short_help(text: str, limit: int) -> str:
    """The first sentence of ``text`` (its first paragraph), cut to ``limit`` columns with "…"."""
    par = next((p for _i, p in _paragraphs(text)), "")
    stop = min((i for i in (par.find("。"), par.find(". ")) if i >= 0), default=-1)
    sentence = par[:stop + 1] if stop >= 0 else par
    if display_width(sentence) <= limit:
        return sentence
    cut = ""
    for c in sentence:
        if display_width(cut + c) > limit - 1:
            break
        cut += c
    return cut.rstrip(" ，,；;、") + "…"


def _option_record(param: click.Parameter, ctx: click.Context) -> tuple[str, str] | None:
    """``click.Option.get_help_record`` with its help and click's bracketed words translated."""
    if not isinstance(param, click.Option) or param.hidden:
        return None
    help_text = _(param.help) if param.help else ""
    extra = param.get_help_extra(ctx)
    items = []
    if "envvars" in extra:
        items.append(_("env var: {var}").format(var=", ".join(extra["envvars"])))
    if "default" in extra:
        default = extra["default"]
        items.append(_("default: {default}").format(default=_(default) if default == "(dynamic)" else default))
    if "range" in extra:
        items.append(extra["range"])
    if "required" in extra:
        items.append(_("required"))
    if items:
        joined = ("；" if any(_wide(c) for c in "".join(items)) else "; ").join(items)
        help_text = f"{help_text}  [{joined}]" if help_text else f"[{joined}]"
    return param.get_help_spec(ctx), help_text


class _Translated(click.Command):
    """Help rendered in the current language; click's own rendering in English."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        # click caches the help option with the names of the first context that asked for it: a
        # command first reached without the group's context (called directly, as a library user or
        # a test may) would keep "--help" alone for every later call. Rebuild it when they differ.
        cached = self._help_option
        if cached is not None and set(cached.opts) | set(cached.secondary_opts) != set(
                self.get_help_option_names(ctx)):
            self._help_option = None
        return super().get_help_option(ctx)

    def get_help(self, ctx: click.Context) -> str:
        if language() == "en":
            return super().get_help(ctx)
        formatter = WideHelpFormatter(width=ctx.terminal_width, max_width=ctx.max_content_width)
        self.format_help(ctx, formatter)
        return formatter.getvalue().rstrip("\n")

    def get_short_help_str(self, limit: int = 45) -> str:
        if language() == "en":
            return super().get_short_help_str(limit)
        return short_help(_doc(self.short_help) or _doc(self.help), limit)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        if language() != "en" and self.options_metavar and pieces and pieces[0] == self.options_metavar:
            pieces[0] = _(self.options_metavar)
        return pieces

    def format_help_text(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        if language() == "en":
            return super().format_help_text(ctx, formatter)
        text = _doc(self.help)
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_arguments(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        if language() == "en":
            return super().format_arguments(ctx, formatter)
        args = [p for p in self.get_params(ctx) if isinstance(p, click.Argument)]
        if any(a.help is not None for a in args):
            with formatter.section(_("Positional arguments")):
                formatter.write_dl([(a.make_metavar(ctx), _(a.help) if a.help else "") for a in args])

    def format_options(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        if language() == "en":
            return super().format_options(ctx, formatter)
        rows = [r for r in (_option_record(p, ctx) for p in self.get_params(ctx)) if r is not None]
        if rows:
            with formatter.section(_("Options")):
                formatter.write_dl(rows)


class Command(_Translated):
    """A ``sinkplan`` sub-command whose ``--help`` follows ``--lang``."""


class Group(_Translated, click.Group):
    """The ``sinkplan`` group: its ``--help`` and its list of commands follow ``--lang``."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        if language() != "en" and pieces and pieces[-1] == self.subcommand_metavar:
            pieces[-1] = _(self.subcommand_metavar)
        return pieces

    def format_options(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        if language() == "en":
            return super().format_options(ctx, formatter)
        _Translated.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        if language() == "en":
            return super().format_commands(ctx, formatter)
        commands = [(name, cmd) for name in self.list_commands(ctx)
                    if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _c in commands)
            with formatter.section(_("Commands")):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in commands])


def help_messages(group: click.Group) -> list[tuple[str, str]]:
    """Every help text of ``group`` and its commands, as ``(message, where)`` for the catalog: the
    command docstrings (as click shows them) and the options' and arguments' help."""
    out: list[tuple[str, str]] = []
    ctx = click.Context(group, info_name="sinkplan")
    for name, cmd in [("sinkplan", group)] + sorted(group.commands.items()):
        where = f"optimizer/cli:{name}"
        for text in (cmd.help, cmd.short_help):
            if text:
                out.append((inspect.cleandoc(text).partition("\f")[0], where))
        for p in cmd.get_params(ctx):
            if p.help:      # an Option's, or (click ≥ 8.5) an Argument's
                out.append((p.help, f"{where}:{p.name}"))
    return out


def use_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Callback of the eager ``--lang`` options: the language takes effect as soon as it is parsed,
    so a ``--help`` after it (on the group or a sub-command) is rendered in it."""
    if value:
        set_language(value)
    return value
