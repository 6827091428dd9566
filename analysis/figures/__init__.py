"""Figures of docsec's results: each a function of a DataFrame returning a plotly Figure.

Figures never import the model; labels and units come from the caller (the report
takes them from the metric table). Every figure has a title, axis titles with
units, and hover text that states what a mark is in words.
"""

from analysis.figures.comparison import comparison_bars
from analysis.figures.heatmap import parameter_heatmap
from analysis.figures.sensitivity import sensitivity_bars
from analysis.figures.series import daily_series
from analysis.figures.tradeoff import tradeoff

__all__ = ["comparison_bars", "daily_series", "parameter_heatmap", "sensitivity_bars", "tradeoff"]
