"""Click's own error messages in the user's language.

Click builds its usage errors ("Invalid value for '--batch': 0 is not in the range x>=1.",
"Missing option '--out'.", "No such option '--bogus'.") with ``gettext.gettext`` bound in each of
its modules, which reads ``.mo`` files of the process's default domain and so never SinkPlan's
catalog. :func:`route_click_messages` points those module-level names at SinkPlan's ``_``, so
under ``--lang zh`` the message is Chinese too (error messages only: help words are
:mod:`optimizer.cli.help`'s); in English ``_`` returns the text unchanged, as
click's default does. The msgids below are click's own (click 8.x), marked here for extraction;
Chinese has no plural forms, so both forms of a plural are separate entries.
"""

from __future__ import annotations

import sys

from ..i18n import N_, _

#: Click's usage-error messages (msgids exactly as click writes them).
CLICK_ERRORS = (
    N_("Error: {message}"), N_("Try '{command} {option}' for help."), N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"), N_("Missing argument"), N_("Missing option"),
    N_("Missing parameter"), N_("Missing {param_type}"), N_("Missing parameter: {param_name}"),
    N_("No such option {name!r}."), N_("No such command {name!r}."), N_("unknown error"),
    N_("Could not open file {filename!r}: {message}"), N_("Did you mean {possibility}?"),
    N_("(Did you mean one of: {possibilities}?)"), N_("Choose from:\n\t{choices}"),
    N_("{value!r} is not {choice}."), N_("{value!r} is not one of {choices}."),
    N_("{value!r} is not a valid {number_type}."), N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"), N_("file"), N_("directory"),
    N_("path"), N_("{name} {filename!r} does not exist."), N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."), N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."), N_("Got unexpected extra argument ({args})"),
    N_("Got unexpected extra arguments ({args})"), N_("Missing command."),
    N_("Option {name!r} does not take a value."), N_("Option {name!r} requires an argument."),
    N_("Option {name!r} requires {nargs} arguments."), N_("Argument {name!r} takes {nargs} values."),
    N_("Aborted!"),
)

#: Click's modules that bind ``_`` and ``ngettext`` from :mod:`gettext` at import.
CLICK_MODULES = ("click.core", "click.exceptions", "click.types", "click.parser", "click.decorators",
                 "click.termui", "click.formatting", "click.utils")


_ERRORS = frozenset(CLICK_ERRORS)


def _error_text(message: str) -> str:
    """An error message of click's in the current language; any other text of click's (help words,
    which click caches on its objects and :mod:`optimizer.cli.help` translates when it renders)
    stays as click wrote it."""
    return _(message) if message in _ERRORS else message


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _error_text(singular if n == 1 else plural)


def route_click_messages() -> None:
    """Make click's module-level ``_``/``ngettext`` SinkPlan's (idempotent)."""
    for name in CLICK_MODULES:
        module = sys.modules.get(name)
        if module is None:
            continue
        names = vars(module)
        if "_" in names:
            names["_"] = _error_text
        if "ngettext" in names:
            names["ngettext"] = _ngettext
