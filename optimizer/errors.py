"""Exception and warning classes of SinkPlan.

User mistakes (a bad zoning file, a bad setting, an infeasible problem) raise a subclass of
:class:`SinkPlanError`; the command line prints its message and exits with status 2, never a
traceback. Programming errors stay ordinary Python exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import N_, _


class SinkPlanError(Exception):
    """A problem the user can fix. The message is complete and says what to do."""

    exit_code = 2


@dataclass(frozen=True)
class Issue:
    """One problem found in an input: which file, which zone, which field, what is wrong."""

    file: str
    message: str
    zone_id: str | None = None
    field: str | None = None
    row: str | None = None          # a catalog row (measure id, parameter, ...) when not a zone

    def __str__(self) -> str:
        where = self.file
        if self.zone_id is not None:
            where += _(", zone {zone}").format(zone=repr(self.zone_id))
        if self.row is not None:
            where += _(", row {row}").format(row=repr(self.row))
        if self.field is not None:
            where += _(", field {field}").format(field=repr(self.field))
        return _("{where}: {message}").format(where=where, message=self.message)


class ProblemsError(SinkPlanError):
    """Several problems gathered, then reported at once (InVEST-style validation)."""

    what = N_("input")

    def __init__(self, problems: list[Issue], header: str | None = None):
        self.problems = list(problems)
        n = len(self.problems)
        what = _(self.what)
        head = header or (_("1 problem found in the {what}:") if n == 1
                          else _("{n} problems found in the {what}:")).format(n=n, what=what)
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in self.problems))


class SiteError(ProblemsError):
    """The zoning file cannot be used as it is."""

    what = N_("zoning file")


class LocksError(SiteError):
    """A locks file (``--locks-file``: zone_id, lock_option, forbid) that cannot be read."""

    what = N_("locks file")


class SettingsError(ProblemsError):
    """The site settings TOML has a bad key or value."""

    what = N_("site settings")


class CatalogError(ProblemsError):
    """The measure catalog (bundled or the planner's own) is inconsistent."""

    what = N_("measure catalog")


class PortfolioError(ProblemsError):
    """The portfolio TOML (``sinkplan portfolio``) has a bad section, key, value or site."""

    what = N_("portfolio file")


class InputFileError(ProblemsError):
    """An input path that cannot be read as a file: missing, a folder, unreadable."""

    what = N_("input files")


class OutputPathError(SinkPlanError):
    """An output folder (``--out``) or file that cannot be written; raised before any work starts."""


class ProblemDefinitionError(SinkPlanError):
    """An optimisation problem whose pieces do not fit (unknown objective, bad constraint)."""


class InfeasibleError(SinkPlanError):
    """No plan meets the constraints. The message says which constraint and by how much."""

    def __init__(self, message: str, explanations: list[str] | None = None):
        self.explanations = list(explanations or [])
        super().__init__(message)


class SolverError(SinkPlanError):
    """A solver failed (not installed, crashed) in a way that is not the problem's fault."""


class Terminated(BaseException):
    """SIGTERM, raised by the command line's handler so that ``finally`` blocks (temporary files,
    worker pools) run before the process exits with status 143."""


class PlanFileError(SinkPlanError):
    """A plan file or run folder cannot be read as SinkPlan output; the message names the file."""


class KernelCacheWarning(UserWarning):
    """Compiled kernels cannot be kept on disk (no writable cache folder): every run compiles them."""


class PlaceholderWarning(UserWarning):
    """A result depends on a [P] placeholder parameter that has no published source."""


class GeometryWarning(UserWarning):
    """A geometry was repaired or is suspicious but usable."""


class TextEncodingWarning(UserWarning):
    """A text input (CSV) was not UTF-8 and was read in another encoding (GB18030); the warning
    names the file and the encoding so the planner can check the text and save it as UTF-8."""


class SlopeRangeWarning(UserWarning):
    """A zone's slope is steeper than the range the RUSLE slope-steepness relation was calibrated
    on (docs/science.md §3.4): its soil loss is extrapolated. The warning names the zones, once."""


class ClimateRangeWarning(UserWarning):
    """The site's rainfall or temperature lies outside the climates the growth fit saw
    (docs/science.md §2.2): its growth curves are extrapolated."""


class FontWarning(UserWarning):
    """No font that draws Chinese is installed: figures in Chinese would show empty boxes."""
