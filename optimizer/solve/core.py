"""The linear core the exact solvers work on; defined in :mod:`optimizer.linear` (the problem layer
builds it, the solvers read it)."""

from ..linear import LinearCore

__all__ = ["LinearCore"]
