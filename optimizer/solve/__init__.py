"""Solvers: exact (fast MCKP engine, general MILP through PuLP), ε-constraint and supported
fronts, genetic and hybrid search — all behind one :func:`solve` (:mod:`.api`)."""

from .api import Epsilon, Exact, Genetic, Hybrid, Stop, Supported, solve

__all__ = ["solve", "Exact", "Epsilon", "Supported", "Genetic", "Hybrid", "Stop"]
