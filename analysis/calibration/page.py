"""calibration.html: the posterior's marginals against the prior, the fit of each target, where the defaults sit.

Built with the report's page helpers (same style, plotly.js embedded once, no
network requests); the marginal figure takes plain tables, never the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ..figures._style import colour, esc, finish, number
from ..report.labels import parameter_title
from ..report.page import Section, Table, render_page

BINS = 20


def marginal_figure(path: str, samples: pd.DataFrame, accepted: list[int], default: float,
                    bounds: tuple[float, float]) -> go.Figure:
    """Histogram of the prior sample and of the accepted sets for one parameter, the default marked."""
    lo, hi = bounds
    size = (hi - lo) / BINS
    drawn = samples.drop(index=0, errors="ignore")[path]
    fig = go.Figure()
    fig.add_trace(go.Histogram(x=drawn, name="prior sample", marker_color=colour(5), opacity=0.45,
                               xbins={"start": lo, "end": hi, "size": size}, histnorm="probability density",
                               hovertemplate="%{x}: density %{y:.3g}<extra>prior sample</extra>"))
    fig.add_trace(go.Histogram(x=samples.loc[accepted, path], name="accepted (posterior)", marker_color=colour(0),
                               opacity=0.8, xbins={"start": lo, "end": hi, "size": size},
                               histnorm="probability density",
                               hovertemplate="%{x}: density %{y:.3g}<extra>accepted</extra>"))
    fig.add_vline(x=float(default), line_dash="dash", line_color=colour(1),
                  annotation_text=esc(f"default {number(default)}"), annotation_position="top right")
    fig.update_layout(barmode="overlay", height=340)
    fig.update_xaxes(range=[lo, hi])
    return finish(fig, title=f"{parameter_title(path, with_group=True)}: prior and posterior",
                  x_title=parameter_title(path), y_title="Density", legend_title="Sample")


def _posterior_table(post: pd.DataFrame) -> Table:
    rows = []
    for _, r in post.iterrows():
        where = ("inside" if r["default_inside_90"] else "outside") + f" (quantile {number(r['default_quantile'])})"
        rows.append([r["parameter"], f"{number(r['prior_low'])} to {number(r['prior_high'])}",
                     f"{number(r['q05'])} to {number(r['q95'])}", number(r["median"]), number(r["default"]), where,
                     number(r["narrowing"])])
    return Table(header=["Parameter", "Prior range", "Posterior 90% range", "Posterior median", "Default",
                         "Default in the posterior's 90% range", "Width / prior width"], rows=rows,
                 numeric=[False, True, True, True, True, False, True])


def _fit_table(fit: pd.DataFrame) -> Table:
    rows = [[r["target"], r["statistic"], r["scenario"], r["wanted"], number(r["weight"]), number(r["defaults"]),
             f"{number(r['accepted_median'])} ({number(r['accepted_min'])} to {number(r['accepted_max'])})",
             f"{100 * r['accepted_meeting']:.0f}%" if pd.notna(r["accepted_meeting"]) else "n/a"]
            for _, r in fit.iterrows()]
    return Table(header=["Target", "Statistic", "Scenario", "Wanted", "Weight", "Defaults give",
                         "Accepted sets give: median (range)", "Accepted sets meeting it"], rows=rows,
                 numeric=[False, False, False, True, True, True, True, True])


def render(result: Any, doc: Mapping[str, Any]) -> str:
    """The page as text."""
    s = result.spec
    d = doc["defaults"]
    intro = [
        s.description.strip() or f"Calibration '{s.name}'.",
        f"Method: {doc['method']}. {s.budget} parameter sets × {s.replicates} replicates in "
        f"{len(s.scenarios)} scenario{'s' * (len(s.scenarios) != 1)} ({', '.join(s.scenarios)}): {doc['runs']} runs"
        + (f", {doc['failed_runs']} failed" if doc["failed_runs"] else "") + f"; {doc['accepted']} accepted "
        f"(the closest {s.accept:.0%}, distance up to {number(doc['acceptance_distance'])}).",
        f"The defaults (the base scenario '{s.base}') are at distance {number(d['distance'])} from the targets; "
        f"{100 * (d['share_of_draws_closer'] or 0):.0f}% of the drawn sets come closer.",
    ]
    figures = [(marginal_figure(p, result.samples, result.accepted, result.defaults[p], s.bounds[p]),
                "Bars: density of the prior sample (light) and of the accepted sets (dark); dashed: the default.")
               for p in s.bounds]
    prov = doc["provenance"]
    sections = [
        Section("What was calibrated", paragraphs=intro),
        Section("Posterior ranges and where the defaults sit", tables=[_posterior_table(result.posterior)]),
        Section("Fit of each target", tables=[_fit_table(result.fit)],
                notes=[f"{r['target']}: {r['note']}" for _, r in result.fit.iterrows() if r["note"]]),
        Section("Marginals", figures=figures),
        Section("Provenance", tables=[Table(header=["Item", "Value"], rows=[
            ["Targets file", doc["targets_file"] or "(built in code)"], ["Targets file SHA-256", doc["targets_file_hash"]],
            ["Sampling seed", s.sampling_seed], ["Base seed", s.base_seed],
            *([f"Store ({k})", v] for k, v in doc["stores"].items()), *([k, v] for k, v in prov.items())])]),
    ]
    return render_page(f"docsec calibrate: {s.name}", "Pattern-oriented calibration against the case's patterns.",
                       sections)
