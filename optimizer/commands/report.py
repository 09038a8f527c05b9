"""``sinkplan compare`` and ``sinkplan report`` (issue: plan files, comparisons, regulator report)."""

from __future__ import annotations


def register(app) -> None:
    """Add this module's commands to the ``sinkplan`` Typer app."""
    return None
