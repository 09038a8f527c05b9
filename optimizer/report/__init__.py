"""Figures, tables and the HTML report. Reads results only; never re-runs a model."""
