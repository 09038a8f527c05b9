"""Languages of what people read: the report, its figures and the command line's messages.

gettext catalogs made with Babel (``scripts/i18n.py`` extracts the messages into
``optimizer/locale/sinkplan.pot`` and updates each ``optimizer/locale/LANG/LC_MESSAGES/sinkplan.po``).
Only the ``.po`` files are committed: they are compiled in memory when first used
(:func:`translations`), so an edit to a ``.po`` shows at once. Terms follow SL 190-2007 (土壤侵蚀
模数, 容许土壤流失量, 侵蚀强度分级) and the Chinese texts of the CCER methodologies (碳汇, 基线,
额外性, 泄漏).

``set_language("zh")`` (the CLI's ``--lang`` or ``SINKPLAN_LANG``) switches every later ``_()``;
English is the source language and the default.
"""

from __future__ import annotations

import functools
import gettext
import io
import os
from importlib import resources

LANGUAGES = ("en", "zh")
DOMAIN = "sinkplan"
_current = [os.environ.get("SINKPLAN_LANG", "en") if os.environ.get("SINKPLAN_LANG") in LANGUAGES else "en"]


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (a NullTranslations for English or a missing catalog)."""
    if lang == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = resources.files(__package__).joinpath("locale", lang, "LC_MESSAGES", f"{DOMAIN}.po")
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def set_language(lang: str | None) -> str:
    """Use ``lang`` ("en" or "zh") from now on; returns the language in force."""
    if lang:
        if lang not in LANGUAGES:
            from .errors import SinkPlanError
            raise SinkPlanError(f"language {lang!r}: use one of {', '.join(LANGUAGES)}")
        _current[0] = lang
    return _current[0]


def language() -> str:
    return _current[0]


def _(message: str) -> str:
    """``message`` in the current language (itself when there is no translation)."""
    if not message or _current[0] == "en":
        return message
    return translations(_current[0]).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (module-level tables)."""
    return message
