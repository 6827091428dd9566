"""Experiments and their results: runs, sweeps, the results store, statistics, figures, reports."""
