"""Sweeps: many parameter points, many replicates each, run locally or on a cluster into a durable store.

Modules: ``files`` (sweep-file TOML and its validation), ``design`` (SweepSpec,
design points, replicate seeds, RunSpec), ``base`` (the base scenario and the
parameters of every point), ``worker`` (one run, as executed by any engine),
``engines`` (serial, local processes, Dask), ``store`` (the SQLite results store),
``progress`` (the progress bar) and ``execute`` (``run_sweep``, tying them together).
"""
