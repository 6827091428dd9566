"""Drawing a plotly figure in the page: a small Vue widget around plotly.js, served from this machine.

Why not Solara's ``FigurePlotly``: it wraps plotly's ``FigureWidget``, whose
front end keeps sending layout messages after its widget has been replaced
(a "no comm channel defined" error in the browser each time a chart is redrawn
in a new place), and which sizes itself before the page's layout settles. This
widget sends nothing back: Python gives it the figure as JSON, and the browser
draws it with ``Plotly.react`` (which updates a chart in place), resizing it with
its container. plotly.js is the copy bundled in the ``plotly`` Python package,
served by the dashboard's own server (``PLOTLY_ASSET``), so no CDN is involved.
"""

from __future__ import annotations

import json
from pathlib import Path

import ipyvue
import plotly
import plotly.graph_objects as go
import solara
import traitlets

#: The folder holding plotly.js inside the plotly package, and the file's name.
PLOTLY_FOLDER = Path(plotly.__file__).parent / "package_data"
PLOTLY_ASSET = "plotly.min.js"
#: Where the page finds it: Solara serves its asset folders under /static/assets/.
PLOTLY_URL = f"/static/assets/{PLOTLY_ASSET}"

TEMPLATE = """
<template>
  <div :class="['docsec-plot', css_class]" ref="plot"
       :style="{height: height + 'px', width: '100%', overflow: 'hidden'}"></div>
</template>
<script>
module.exports = {
  mounted() {
    this.draw();
    if (window.ResizeObserver) {
      // redraw to a new width only when the width really changed, at most every 150 ms: a chart
      // resized on every observation can feed back into its own container's size
      this.lastWidth = 0;
      this.observer = new ResizeObserver((entries) => {
        const width = Math.round(entries[0].contentRect.width);
        if (!width || Math.abs(width - this.lastWidth) < 2) { return; }
        this.lastWidth = width;
        clearTimeout(this.resizeTimer);
        this.resizeTimer = setTimeout(() => {
          if (this.plotly && this.$refs.plot) { this.plotly.Plots.resize(this.$refs.plot); }
        }, 150);
      });
      this.observer.observe(this.$refs.plot);
    }
  },
  beforeDestroy() {
    if (this.observer) { this.observer.disconnect(); }
    clearTimeout(this.resizeTimer);
    if (this.plotly && this.$refs.plot) { this.plotly.purge(this.$refs.plot); }
  },
  watch: {
    figure() { this.draw(); }
  },
  methods: {
    draw() {
      const render = (Plotly) => {
        this.plotly = Plotly;
        const el = this.$refs.plot;
        if (!el) { return; }
        // plotly.js changes the objects it is given (it decodes arrays, adds ids): give it a copy,
        // never the widget's own synced data, or each draw would change the data it draws
        const figure = JSON.parse(JSON.stringify(this.figure || {}));
        this.lastWidth = Math.round(el.getBoundingClientRect().width);
        Plotly.react(el, figure.data || [], figure.layout || {},
                     {responsive: true, displaylogo: false, modeBarButtonsToRemove: ['sendDataToCloud']});
      };
      if (window.Plotly) { render(window.Plotly); return; }
      if (!window.docsecPlotlyLoading) {
        // plotly.js sets window.Plotly when its script runs: one script tag for the page
        window.docsecPlotlyLoading = new Promise((resolve, reject) => {
          const script = document.createElement('script');
          script.src = this.plotly_url;
          script.onload = () => resolve(window.Plotly);
          script.onerror = () => reject(new Error('could not load ' + this.plotly_url));
          document.head.appendChild(script);
        });
      }
      window.docsecPlotlyLoading.then(render);
    }
  }
}
</script>
"""


class PlotlyChart(ipyvue.VueTemplate):
    """A plotly figure drawn in the browser by plotly.js (one-way: Python to browser)."""

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    figure = traitlets.Dict().tag(sync=True)
    height = traitlets.Int(360).tag(sync=True)
    css_class = traitlets.Unicode("").tag(sync=True)
    plotly_url = traitlets.Unicode(PLOTLY_URL).tag(sync=True)


def figure_payload(fig: go.Figure) -> dict:
    """The figure as plain JSON data (numpy arrays as lists), what plotly.js takes."""
    payload = json.loads(fig.to_json())
    payload["layout"].pop("width", None)  # the chart takes its container's width
    return payload


@solara.component
def Chart(fig: go.Figure, css_class: str = ""):
    """A plotly figure in the page; its height is the figure's (or 360 pixels)."""
    payload = solara.use_memo(lambda: figure_payload(fig), [fig])
    height = int(fig.layout.height or 360)
    return PlotlyChart.element(figure=payload, height=height, css_class=css_class)
