"""``docsec calibrate``: pattern-oriented calibration by rejection ABC through the sweep engine.

Modules: ``targets`` (the targets file and its validation), ``abc`` (statistics,
distances, acceptance, posterior and fit), ``runner`` (the prior sample through
the sweep engine, the output files) and ``page`` (calibration.html).
"""
