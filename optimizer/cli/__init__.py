"""The ``sinkplan`` command. Thin: it parses, calls the library, prints.

Every user mistake exits with status 2 and one clear message, never a traceback: usage errors
(click's), and the library's :class:`~optimizer.errors.SinkPlanError` (a bad zoning file, setting,
catalog row, constraint, an infeasible problem). Ctrl-C exits 130, SIGTERM 143. A bare
``sinkplan`` prints the help; ``sinkplan --version`` the version.
"""

from __future__ import annotations

import os
import signal
import sys

import click

from .. import __version__
from ..errors import SinkPlanError, Terminated
from ..i18n import LANGUAGES, N_, _, set_language
from .clicktext import route_click_messages
from .common import err
from .help import Group, use_language

route_click_messages()


@click.group(cls=Group, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="sinkplan", message="%(prog)s %(version)s")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, envvar="SINKPLAN_LANG", is_eager=True,
              callback=use_language,
              help=N_("Language of messages, reports and figures: en or zh (default: SINKPLAN_LANG, else en)."))
@click.pass_context
def app(ctx: click.Context, lang: str | None) -> None:
    """SinkPlan: plan the ecological restoration of mines for carbon.

    Read a zoning file, score every feasible restoration option per zone, find the best plans and
    Pareto fronts, compare them and write a report. Start with `sinkplan validate SITE`.
    """
    set_language(lang or "en")
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def _register() -> None:
    from . import batch, catalog, front, inputs, monitor, plan, portfolio, results, simulate, uncertainty
    for module in (inputs, plan, front, results, simulate, catalog, batch, portfolio, uncertainty, monitor):
        module.register(app)


_register()


#: The signal that arrived during this call, if any: compiled code (numba's LLVM callbacks) can
#: swallow the exception a handler raises and fail later with an unrelated error, so the exit says
#: "interrupted" by what arrived, not by what the exception chain happens to show.
_RECEIVED: list[int] = []


def _on_sigterm(signum, frame):  # pragma: no cover - exercised through a subprocess
    _RECEIVED.append(signum)
    raise Terminated()


def _on_sigint(signum, frame):  # pragma: no cover - exercised through a subprocess
    _RECEIVED.append(signum)
    raise KeyboardInterrupt


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings to the user as one line each (``warning: …``), not Python's source-line format."""
    from rich.text import Text
    err.print(Text(_("warning: "), style="bold yellow") + Text(str(message)), highlight=False, soft_wrap=True)


def _caused_by(exc: BaseException, kinds: tuple) -> bool:
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, kinds):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return False


def main(argv: list[str] | None = None) -> int:
    """Run ``sinkplan`` with ``argv``; return the exit status (never raises for a user mistake)."""
    previous = previous_int = None
    _RECEIVED.clear()
    previous_hook = sys.unraisablehook

    def unraisable(u):   # a Ctrl-C raised inside numba's LLVM callbacks: recorded, not a traceback
        # once a signal arrived, what fails in a finaliser (LLVM objects a compile left half-built)
        # is the interrupt's echo too
        if not isinstance(u.exc_value, (KeyboardInterrupt, Terminated)) and not _RECEIVED:
            previous_hook(u)

    sys.unraisablehook = unraisable
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
        # Ctrl-C as Python's own handler, recorded; a SIGINT the caller ignores (a background job)
        # stays ignored
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            previous_int = signal.signal(signal.SIGINT, _on_sigint)
    except ValueError:  # not the main thread (e.g. called from a notebook's worker thread)
        pass
    import warnings
    env_lang = os.environ.get("SINKPLAN_LANG")
    set_language(env_lang if env_lang in LANGUAGES else "en")  # until --lang is read (a --help before it)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            app.main(args=argv, prog_name="sinkplan", standalone_mode=False)
    except SinkPlanError as exc:
        from rich.text import Text
        err.print(Text(_("error: "), style="bold red") + Text(str(exc)), highlight=False, soft_wrap=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:  # usage errors: one line, then where to look
        from rich.text import Text
        ctx = getattr(exc, "ctx", None)
        where = _(" (see '{cmd} --help')").format(cmd=ctx.command_path) if ctx is not None else ""
        err.print(Text(_("error: "), style="bold red") + Text(exc.format_message() + where), highlight=False,
                  soft_wrap=True)
        return 2
    except (click.exceptions.Abort, KeyboardInterrupt):
        err.print(_("interrupted"), highlight=False)
        return 130
    except Terminated:
        err.print(_("terminated"), highlight=False)
        return 143
    except BrokenPipeError:  # `sinkplan ... | head`
        return 141
    except Exception as exc:
        # compiled code (numba) turns a Ctrl-C inside it into a SystemError caused by it, or swallows
        # it in an LLVM callback and fails later on its half-built state
        if _caused_by(exc, (KeyboardInterrupt, Terminated)) or _RECEIVED:
            terminated = _caused_by(exc, (Terminated,)) or signal.SIGTERM in _RECEIVED
            err.print(_("terminated") if terminated else _("interrupted"), highlight=False)
            return 143 if terminated else 130
        raise
    finally:
        set_language("en")   # the next call (a test, a notebook) starts in English again
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if previous_int is not None:
            signal.signal(signal.SIGINT, previous_int)
        sys.unraisablehook = previous_hook
    return 0


def entry() -> None:  # pragma: no cover - the console script
    from ..parallel import own_process

    own_process()
    try:
        code = main()
    except KeyboardInterrupt:  # Ctrl-C outside the command itself (e.g. while importing)
        code = 130
    if _RECEIVED or code in (130, 143):
        # the process ends because of a signal: objects compiled code left half-built (numba's LLVM
        # modules, when Ctrl-C lands during a compile) can fail in their finalisers as the
        # interpreter exits; those reports are the interrupt's echo, not news for the user
        sys.unraisablehook = _silent
    _exit(code)


def _exit(code: int) -> None:  # pragma: no cover - the console script
    """End the process with ``code`` once the work is done: the exit handlers run (children
    ended, logs flushed), the standard streams are flushed, and then the process ends without
    tearing down every module one by one, which takes a quarter of a second once pandas, GDAL and
    numba are loaded (benchmarks/RESULTS.md, run W) and does nothing the operating system will not
    do. Every file SinkPlan writes is closed (and renamed into place) before the command returns."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`sinkplan ... | head`) or a closed stream
            code = code or 141
    os._exit(code)


def _silent(unraisable) -> None:  # pragma: no cover - at interpreter exit after a signal
    return None
