"""Solvers: exact (fast MCKP engine, general MILP through PuLP), genetic and hybrid."""
