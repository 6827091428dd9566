"""Figures of docsec's results: each a function of a DataFrame returning a plotly Figure.

Figures never import the model; labels and units come from the caller (the report
takes them from the metric table). Every figure has a title, axis titles with
units, and hover text that states what a mark is in words.
"""

from .comparison import comparison_bars
from .heatmap import parameter_heatmap
from .sensitivity import sensitivity_bars
from .series import daily_series
from .tradeoff import tradeoff

__all__ = ["comparison_bars", "daily_series", "parameter_heatmap", "sensitivity_bars", "tradeoff"]
