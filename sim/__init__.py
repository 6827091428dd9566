"""docsec's model: parameters, documents, agents, the Mesa model, metrics and one run.

No file I/O, plotting or command-line parsing lives here.
"""

__version__ = "0.1.0"
