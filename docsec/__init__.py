"""docsec: an agent-based simulation of how organisations keep, and lose, confidential documents.

The Python API (docs/api.md; a worked example in docs/tutorial.ipynb)::

    import docsec

    r = docsec.run("strict", seed=1, days=180)        # one run: r.summary, r.daily, r.events, r.provenance
    docsec.list_scenarios()                           # the shipped scenarios (a DataFrame)
    docsec.load_scenario("railway-factory")           # a Scenario, to inspect or to run
    s = docsec.sweep("regimes", store="regimes.sqlite")   # a sweep into a results store
    docsec.load_runs(s.store), docsec.load_daily(s.store)
    c = docsec.compare(store="compare.sqlite", replicates=5)  # the report's tables and plotly figures
    docsec.sensitivity("screening", out="screening")  # Morris or Sobol indices
    docsec.Model                                      # the Mesa model: mesa.batch_run(docsec.Model, ...)

The installed package is one namespace: ``docsec.sim`` (the model), ``docsec.scenarios`` (scenario
files and their loader) and ``docsec.analysis`` (sweeps, statistics, figures, reports, the dashboard
and the command line). ``docsec.scenarios`` is that package, which is why the function listing the
shipped scenarios is ``list_scenarios``.

Importing ``docsec`` imports nothing but ``docsec.sim``'s version: each name of the API is looked up
on first use (module ``__getattr__``), so ``import docsec`` stays cheap and loads neither Mesa, pandas
nor plotly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .sim import __version__

#: Each public name of the API and the module that defines it (imported on first use).
#: Validation against the case's observations and calibration (analysis/validation,
#: analysis/calibration) join this table, and __all__, once those packages exist.
_API: dict[str, str] = {
    "run": "docsec.runs",
    "Run": "docsec.runs",
    "list_scenarios": "docsec.runs",
    "load_scenario": "docsec.runs",
    "sweep": "docsec.studies",
    "Sweep": "docsec.studies",
    "compare": "docsec.studies",
    "Comparison": "docsec.studies",
    "sensitivity": "docsec.studies",
    "load_runs": "docsec.studies",
    "load_daily": "docsec.studies",
    "load_provenance": "docsec.studies",
    "InputError": "docsec.sim.errors",
    "Parameters": "docsec.sim.parameters",
}
#: Names whose object is defined under another name.
_RENAMED: dict[str, tuple[str, str]] = {"Model": ("docsec.sim.model", "DocSecModel")}

__all__ = ["__version__", *_API, *_RENAMED]

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time these are looked up on first use
    from .runs import Run, list_scenarios, load_scenario, run
    from .sim.errors import InputError
    from .sim.model import DocSecModel as Model
    from .sim.parameters import Parameters
    from .studies import (Comparison, Sweep, compare, load_daily, load_provenance, load_runs, sensitivity,
                          sweep)


def __getattr__(name: str) -> Any:
    if name in _API:
        module, attribute = _API[name], name
    elif name in _RENAMED:
        module, attribute = _RENAMED[name]
    else:
        raise AttributeError(f"module 'docsec' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # later look-ups find it directly
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
