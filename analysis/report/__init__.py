"""The study report: one self-contained HTML file with provenance, comparison tables, figures and a reading.

Modules: ``labels`` (words and units for columns), ``study`` (the factors a sweep
varied), ``tables`` (formatted tables), ``reading`` (the plain-language reading),
``page`` (the HTML page, plotly.js embedded once), ``build`` (store -> report).
"""

from .build import StudyAnalysis, analyse_study, load_study, render_report, write_html, write_report

__all__ = ["StudyAnalysis", "analyse_study", "load_study", "render_report", "write_html", "write_report"]
