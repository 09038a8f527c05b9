"""``python -m optimizer`` is ``sinkplan``."""

from .cli import entry

entry()
