"""Fit the growth and soil-carbon curves: the same as ``python -m benchmarks.fit_growth``.

    python scripts/fit_growth.py [--dry-run]

The fit itself is :mod:`benchmarks.growth_fit` (docs/science.md §2.1–§2.3); the leave-one-study-out
scorecard (``python -m benchmarks.science``) refits it without each study in turn.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.fit_growth import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
