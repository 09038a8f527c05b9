"""Input files and output folders, checked before any work starts.

Input side: :func:`check_input_file` (the path exists, is a file, can be read) and
:func:`decode_text` (UTF-8 text, or a named other encoding). Output side:
:func:`check_output_dir` and :func:`check_output_file` (the target can be written, tested by
writing), and :func:`clear_stale` (a re-run removes what an earlier run left in the same folder
and did not rewrite). Every failure is a :class:`~optimizer.errors.SinkPlanError` whose message
names the path and says what to do.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from ..errors import InputFileError, Issue, OutputPathError, ProblemsError
from ..i18n import N_, _

#: Zoning file suffixes, for the hint when a folder is given instead of a file.
ZONING_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".csv", ".zip")


# ----------------------------------------------------------------------------------------------
# input files
# ----------------------------------------------------------------------------------------------
def input_file_problem(path: str | Path, what: str, example: str | None = None,
                       suffixes: Iterable[str] = ()) -> Issue | None:
    """The problem with an input path, or None when it is a readable file.

    ``what`` names the input in the message ("zoning file", "settings file", "catalog file");
    ``example`` is a file name shown when a folder is given (``"zones.gpkg"``); ``suffixes`` are
    the file kinds to list from that folder as suggestions.
    """
    p = Path(path)
    f = str(p)
    what = _(what)
    if str(path) == "":
        return Issue(file="''", message=_("no {what} given").format(what=what))
    if not p.exists():
        if p.is_symlink():
            return Issue(file=f, message=_("is a broken link; give the {what} itself").format(what=what))
        return Issue(file=f, message=_("file not found"))
    if p.is_dir():
        hint = _("give the {what}").format(what=what) + (_(", e.g. {example}").format(example=example)
                                                         if example else "")
        suffixes = tuple(s.lower() for s in suffixes)
        if suffixes:
            try:
                inside = sorted(c.name for c in p.iterdir() if c.is_file() and c.suffix.lower() in suffixes)
            except OSError:
                inside = []
            if inside:
                shown = ", ".join(str(p / n) for n in inside[:5]) + (", …" if len(inside) > 5 else "")
                hint += _(" (this folder has {files})").format(files=shown)
        return Issue(file=f, message=_("is a folder; {hint}").format(hint=hint))
    if not p.is_file():
        return Issue(file=f, message=_("is not a regular file (a device or pipe?); give the {what}").format(what=what))
    if not os.access(p, os.R_OK):
        return Issue(file=f, message=_("cannot be read (permission denied); check the {what}'s permissions").format(
            what=what))
    return None


def check_input_file(path: str | Path, what: str, *, example: str | None = None, suffixes: Iterable[str] = (),
                     error: type[ProblemsError] = InputFileError) -> Path:
    """Return ``Path(path)`` if it is an existing, readable file; else raise ``error`` (a
    :class:`~optimizer.errors.ProblemsError` subclass: ``SiteError`` for the zoning file,
    ``SettingsError`` for the settings TOML, ``CatalogError`` for a catalog CSV) naming the path.

    A folder gets "…/runs is a folder; give the zoning file, e.g. zones.gpkg", plus the files of
    the right kind found in it (``suffixes``).
    """
    problem = input_file_problem(path, what, example, suffixes)
    if problem is not None:
        raise error([problem])
    return Path(path)


# ----------------------------------------------------------------------------------------------
# text encodings
# ----------------------------------------------------------------------------------------------
#: How to save a CSV as UTF-8 (what Chinese Windows Excel writes by default is GBK).
CSV_ADVICE = N_("save it as UTF-8 (Excel: Save As → 'CSV UTF-8 (Comma delimited) (*.csv)')")
#: How to save a TOML file as UTF-8.
TOML_ADVICE = N_("TOML files must be UTF-8: save it as UTF-8 (e.g. Notepad: Save As → Encoding: UTF-8)")

# Unicode blocks that GBK/GB18030 text of a Chinese planner plausibly contains. Text that decodes
# as GB18030 but yields characters outside these (e.g. Latin-1 bytes read as rare ideographs or
# private-use code points) is not trusted.
_PLAUSIBLE_GB = ((0x00A0, 0x00FF), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x2000, 0x206F), (0x2100, 0x22FF),
                 (0x2460, 0x24FF), (0x2500, 0x25FF), (0x3000, 0x303F), (0x3040, 0x312F), (0x3400, 0x4DBF),
                 (0x4E00, 0x9FFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))

_BINARY_SIGNATURES = ((b"PK\x03\x04", N_("a ZIP archive (an Excel .xlsx workbook?)")),
                      (b"\xd0\xcf\x11\xe0", N_("an old Excel .xls workbook")),
                      (b"SQLite format 3\x00", N_("an SQLite database (a GeoPackage?)")),
                      (b"%PDF", N_("a PDF document")))


# Characters that GBK bytes produce when they happen to be valid UTF-8 (a GBK lead byte C2–DF
# and trail 80–BF form a two-byte UTF-8 sequence: '平台' → 'ƽ̨'): C1 controls, Latin Extended-B,
# IPA, spacing modifiers, combining diacritics. Rare in a planner's text, common in GBK misread.
_GBK_AS_UTF8 = ((0x0080, 0x009F), (0x0180, 0x036F))


def _plausible_gb18030(text: str) -> bool:
    """Every non-ASCII character in a block Chinese text uses, and at least one ideograph."""
    cjk = False
    for ch in text:
        c = ord(ch)
        if c < 0x80:
            continue
        if not any(lo <= c <= hi for lo, hi in _PLAUSIBLE_GB):
            return False
        cjk = cjk or 0x3400 <= c <= 0x9FFF
    return cjk


def _odd_utf8(text: str) -> str:
    """The non-ASCII characters of a UTF-8 reading when every one of them suggests GBK bytes
    misread ('' otherwise: real text in Vietnamese, say, also has ordinary letters)."""
    non_ascii = [ch for ch in text if ord(ch) > 0x7F]
    if not non_ascii or not all(any(lo <= ord(ch) <= hi for lo, hi in _GBK_AS_UTF8) for ch in non_ascii):
        return ""
    return "".join(dict.fromkeys(non_ascii))[:10]


def _where(data: bytes, pos: int) -> str:
    line = data[:pos].count(b"\n") + 1
    return _("byte 0x{byte} on line {line}").format(byte=f"{data[pos]:02x}", line=line)


class Decoded(NamedTuple):
    """The result of :func:`decode_text`."""

    text: str | None            # None when the bytes are not usable text
    encoding: str | None        # "utf-8" or "gb18030"
    problem: Issue | None     # why the bytes are not usable (text None)
    warning: str | None = None  # a doubt to pass on as TextEncodingWarning (file named)


def decode_text(data: bytes, file: str, *, advice: str = CSV_ADVICE, accept_gb18030: bool = True,
                field: str | None = None) -> Decoded:
    """Decode an input file's bytes: UTF-8 (a BOM is allowed), else GB18030.

    GB18030 is a superset of GBK and GB2312, which Chinese Windows Excel writes as "CSV". With
    ``accept_gb18030`` (CSV) such text is read and ``warning`` says so; without it (TOML, UTF-8 by
    specification) it is a ``problem`` that names the likely encoding and says how to save as
    UTF-8. A file without BOM that is valid UTF-8 only by accident (short GBK text such as '平台'
    reads as 'ƽ̨') is taken as GB18030 when that reading is plausible Chinese (CSV), or refused
    like other GBK text (TOML). A UTF-8 BOM is always trusted. Binary files (Excel workbooks,
    GeoPackages) and UTF-16 text are problems naming what they are. The caller warns with
    :class:`~optimizer.errors.TextEncodingWarning` when ``warning`` is set.
    """
    def problem(msg):
        return Decoded(None, None, Issue(file=file, field=field, message=msg))

    advice = _(advice)
    for sig, kind in _BINARY_SIGNATURES:
        if data.startswith(sig):
            return problem(_("is {kind}, not text; {advice}").format(kind=_(kind), advice=advice))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return problem(_("is UTF-16 text (Excel 'Unicode Text' or Notepad 'Unicode'), not UTF-8; {advice}").format(
            advice=advice))
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return Decoded(data[3:].decode("utf-8"), "utf-8", None)
        except UnicodeDecodeError as exc:
            return problem(_("starts with a UTF-8 mark but is not UTF-8 ({where}); {advice}").format(
                where=_where(data, exc.start + 3), advice=advice))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = _where(data, exc.start)
    else:
        odd = _odd_utf8(text)
        if not odd:
            return Decoded(text, "utf-8", None)
        try:
            gb = data.decode("gb18030")
        except UnicodeDecodeError:
            return Decoded(text, "utf-8", None)
        if not _plausible_gb18030(gb):
            return Decoded(text, "utf-8", None)
        sample = next((ln for ln in gb.splitlines() if any(ord(c) > 0x7F for c in ln)), "")[:60]
        if accept_gb18030:
            return Decoded(gb, "gb18030", None,
                           _("{file}: valid UTF-8 only by accident (it would read {odd}); read as GB18030 (GBK) "
                             "instead, e.g. {sample}. Check the text, and {advice} to be sure").format(
                               file=file, odd=repr(odd), sample=repr(sample), advice=advice))
        return problem(_("is valid UTF-8 only by accident (it would read {odd}); it appears to be GBK/GB18030 "
                         "(Chinese Windows) text ({sample}). {advice}; if {odd} is really meant, save it as UTF-8 "
                         "with BOM").format(odd=repr(odd), sample=repr(sample), advice=advice))
    if b"\x00" in data[:4096]:
        return problem(_("is not text (it contains NUL bytes; {where} is not UTF-8); {advice}").format(
            where=where, advice=advice))
    gb_text: str | None
    try:
        gb_text = data.decode("gb18030")
    except UnicodeDecodeError:
        gb_text = None
    if gb_text is not None and _plausible_gb18030(gb_text):
        if accept_gb18030:
            return Decoded(gb_text, "gb18030", None,
                           _("{file}: not UTF-8 ({where}); read as GB18030 (GBK, as written by Chinese Windows "
                             "Excel). Check the text; {advice} to silence this warning").format(
                               file=file, where=where, advice=advice))
        return problem(_("is not UTF-8 ({where}); it appears to be GBK/GB18030 (Chinese Windows) text. "
                         "{advice}").format(where=where, advice=advice))
    return problem(_("is not UTF-8 text ({where}) and not GBK/GB18030 either; {advice}").format(
        where=where, advice=advice))


# ----------------------------------------------------------------------------------------------
# output folders and files
# ----------------------------------------------------------------------------------------------
def read_toml(path: str | Path, what: str, *, example: str, error: type[ProblemsError]) -> tuple[Path, dict]:
    """Check, read and parse a UTF-8 TOML file (TOML's rule: a GBK/GB18030 file is refused with a
    message saying so). Every problem is raised as ``error`` naming the file; a decoding warning is
    issued as :class:`~optimizer.errors.TextEncodingWarning`. Returns the checked path and the data."""
    import tomllib
    import warnings

    from ..errors import TextEncodingWarning

    path = check_input_file(path, what, example=example, suffixes=(".toml",), error=error)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error([Issue(file=str(path), message=_("cannot be read ({error})").format(
            error=exc.strerror or exc))]) from None
    text, _encoding, problem, warning = decode_text(data, str(path), advice=TOML_ADVICE, accept_gb18030=False)
    if problem is not None:
        raise error([problem])
    assert text is not None  # decode_text: set when there is no problem
    if warning is not None:
        warnings.warn(warning, TextEncodingWarning, stacklevel=3)
    try:
        return path, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error([Issue(file=str(path), message=_("not valid TOML: {error}").format(error=exc))]) from None


def _missing_chain(p: Path) -> tuple[list[Path], Path]:
    """The folders from ``p`` up that do not exist (deepest first) and the first that does."""
    missing = []
    q = p.absolute()
    while not q.exists() and not q.is_symlink() and q != q.parent:
        missing.append(q)
        q = q.parent
    return missing, q


def _test_write(folder: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".sinkplan-write-test.", dir=folder)
    os.close(fd)
    os.unlink(tmp)


def check_output_dir(path: str | Path, *, create: bool = False, option: str = "--out") -> Path:
    """Check, before any work starts, that ``path`` can hold a run's outputs; return it as a Path.

    Raises :class:`~optimizer.errors.OutputPathError` naming the path when it is an existing file,
    when a folder on the way is a file, when the folder cannot be created, or when it is not
    writable. Writability is tested by creating and removing a temporary file in it. Folders
    created for the test are removed again unless ``create`` is true, so a run refused later
    (bad zoning file, infeasible problem) leaves nothing behind.

    The CLI calls it first thing in ``optimize`` and ``pareto`` (``option`` names the flag in the
    message)::

        out_dir = check_output_dir(out_dir)          # before reading the site
        ...                                          # validate, solve, write
        clear_stale(out_dir, written)                # after the manifest is written
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise OutputPathError(_("{path}: is a file, not a folder; give {option} a folder (new or existing), "
                                "e.g. {option} runs/{name}").format(path=p, option=option, name=p.stem or "plan"))
    missing, base = _missing_chain(p)
    if base.exists() and not base.is_dir():
        raise OutputPathError(_("{path}: the folder cannot be created because {base} is a file, not a folder; "
                                "choose another {option}").format(path=p, base=base, option=option))
    if not base.exists():   # a dangling symbolic link on the way
        raise OutputPathError(_("{path}: the folder cannot be created because {base} is a broken link; "
                                "choose another {option}").format(path=p, base=base, option=option))
    created: list[Path] = []
    try:
        for q in reversed(missing):
            try:
                q.mkdir()
            except OSError as exc:
                raise OutputPathError(_("{path}: the folder cannot be created ({error}); choose another "
                                        "{option}").format(path=p, error=exc.strerror or exc, option=option)) from None
            created.append(q)
        try:
            _test_write(p)
        except OSError as exc:
            raise OutputPathError(_("{path}: the folder is not writable ({error}); choose another {option} or "
                                    "change the folder's permissions").format(path=p, error=exc.strerror or exc,
                                                                              option=option)) from None
    finally:
        if not create:
            for q in reversed(created):
                try:
                    q.rmdir()
                except OSError:
                    pass
    return p


def check_output_file(path: str | Path, *, suffixes: Iterable[str] | None = None, option: str = "--output") -> Path:
    """Check, before any work starts, that the file ``path`` can be written; return it as a Path.

    Raises :class:`~optimizer.errors.OutputPathError` when ``path`` is a folder, when its suffix is
    not one of ``suffixes`` (e.g. ``(".csv", ".parquet")``), or when its folder cannot be created
    or written (tested as in :func:`check_output_dir`, which leaves nothing behind). An existing
    file is fine: it is replaced atomically when the run succeeds. For ``sinkplan options -o`` and
    ``sinkplan report -o``.
    """
    p = Path(path)
    suffixes = tuple(suffixes) if suffixes is not None else None
    if p.is_dir():
        first = next(iter(suffixes or ()), "")
        raise OutputPathError(_("{path}: is a folder; give {option} a file name").format(path=p, option=option)
                              + (_(", e.g. {example}").format(example=p / ("output" + first)) if first else ""))
    if suffixes is not None:
        allowed = tuple(s.lower() for s in suffixes)
        if p.suffix.lower() not in allowed:
            raise OutputPathError(_("{path}: cannot write {suffix}; use one of {allowed}").format(
                path=p, suffix=repr(p.suffix) if p.suffix else repr(_("a file without suffix")),
                allowed=", ".join(allowed)))
    check_output_dir(p.parent, option=option)
    return p


#: SinkPlan's own run outputs (regular expressions on the path relative to the run folder, "/"
#: separated): what ``optimize`` and ``pareto`` write, and the temporary files of an interrupted
#: atomic write (``.{stem}.XXXXXXXX{suffix}``, see ``optimizer.io.atomic``). Nothing else is ever
#: removed.
_STEMS = r"(?:plan|plan_trajectories|front|supported_front|summary|manifest)"
_POINT = r"point_\d{3,}(?:_trajectories)?"
RUN_OUTPUTS: tuple[str, ...] = (
    r"front\.csv",
    r"supported_front\.csv",
    r"plans/point_\d{3,}(?:\.csv|\.gpkg|\.geojson|_trajectories\.csv)",
    r"plan(?:\.csv|\.gpkg|\.geojson|_trajectories\.csv)",
    r"summary\.json",
    r"manifest\.json",
    rf"\.{_STEMS}\.[a-z0-9_]{{8}}\.(?:csv|gpkg|geojson|json)(?:-journal|-wal|-shm)?",
    rf"plans/\.{_POINT}\.[a-z0-9_]{{8}}\.(?:csv|gpkg|geojson)(?:-journal|-wal|-shm)?",
)


def _key(p: Path) -> str:
    return os.path.normcase(os.path.abspath(p))


def clear_stale(out_dir: str | Path, written: Iterable[str | Path], patterns: Iterable[str] = RUN_OUTPUTS
                ) -> list[Path]:
    """Remove SinkPlan outputs in ``out_dir`` that this run did not write; return what was removed.

    A re-run into the same folder rewrites its own files, but a front of 8 points written over a
    front of 20 would leave ``plans/point_008.*`` … ``point_019.*`` behind, and an ``optimize`` run
    over an old ``pareto`` folder would leave ``front.csv`` (which readers look at first). Only
    files whose path relative to ``out_dir`` fully matches one of ``patterns`` (regular
    expressions; default :data:`RUN_OUTPUTS`, SinkPlan's own names) and is not in ``written`` are
    removed; only ``out_dir`` and its ``plans`` folder are looked at, and ``plans`` is removed only
    when it ends up empty. A planner's own files are never touched.

    Call it after every output and the manifest have been written (a failed run then leaves the
    previous run's files, which its manifest describes)::

        files = write_plan(...); files.append(write_json(out_dir / "manifest.json", doc))
        removed = clear_stale(out_dir, files)
    """
    out = Path(out_dir)
    if not out.is_dir():
        return []
    keep = {_key(Path(w)) for w in written}
    regex = [re.compile(p) for p in patterns]
    removed: list[Path] = []
    plans = out / "plans"
    candidates = list(out.iterdir())
    if plans.is_dir() and not plans.is_symlink():
        candidates += list(plans.iterdir())
    for c in candidates:
        if not (c.is_file() or c.is_symlink()) or c.is_dir():
            continue
        rel = c.relative_to(out).as_posix()
        if _key(c) in keep or not any(r.fullmatch(rel) for r in regex):
            continue
        c.unlink()
        removed.append(c)
    if removed and plans.is_dir() and not plans.is_symlink() and not any(plans.iterdir()):
        plans.rmdir()
    return removed
