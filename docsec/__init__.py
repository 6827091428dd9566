"""docsec: an agent-based simulation of how organisations keep, and lose, confidential documents.

The installed package is one namespace: ``docsec.sim`` (the model), ``docsec.scenarios`` (scenario
files and their loader) and ``docsec.analysis`` (sweeps, statistics, figures, reports, the
dashboard and the command line). Importing ``docsec`` imports nothing else.
"""

from .sim import __version__

__all__ = ["__version__"]
