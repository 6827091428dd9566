"""``docsec validate``: stylised facts of deterrence and compliance, tested on the model as paired experiments.

Modules: ``facts`` (the data a fact is made of), ``catalogue`` (the suite's facts),
``design`` (a fact as sweeps, or why it cannot be expressed), ``outcomes`` (each
run's outcome from the store's tables), ``verdict`` (paired effects, intervals and
verdicts), ``runner`` (the suite through the sweep engine and results stores),
``figure`` (one figure per fact) and ``output`` (validation.json and validation.html).
"""
