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

from .live_panels import LivePanel

#: The folder holding plotly.js inside the plotly package, and the file's name.
PLOTLY_FOLDER = Path(plotly.__file__).parent / "package_data"
PLOTLY_ASSET = "plotly.min.js"
#: Where the page finds it: Solara serves its asset folders under /static/assets/.
PLOTLY_URL = f"/static/assets/{PLOTLY_ASSET}"

#: Loads plotly.js once per page (it sets window.Plotly when its script runs), then calls ``render``.
LOADER = """if (window.Plotly) { render(window.Plotly); return; }
      if (!this.plotly_url) {  // in a notebook: plotly.js comes inline (``PlotlyInline``), once per page
        const wait = () => { if (window.Plotly) { render(window.Plotly); } else { setTimeout(wait, 100); } };
        wait();
        return;
      }
      if (!window.docsecPlotlyLoading) {
        window.docsecPlotlyLoading = new Promise((resolve, reject) => {
          const script = document.createElement('script');
          script.src = this.plotly_url;
          script.onload = () => resolve(window.Plotly);
          script.onerror = () => reject(new Error('could not load ' + this.plotly_url));
          document.head.appendChild(script);
        });
      }
      window.docsecPlotlyLoading.then(render);"""

#: Redraws the chart to a new width only when the width really changed, at most every 150 ms
#: (a chart resized on every observation can feed back into its own container's size).
RESIZE = """if (window.ResizeObserver) {
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
    }"""

TEMPLATE = """
<template>
  <div :class="['docsec-plot', css_class]" ref="plot"
       :style="{height: height + 'px', width: '100%', overflow: 'hidden'}"></div>
</template>
<script>
module.exports = {
  mounted() {
    this.draw();
    RESIZE
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
      LOADER
    }
  }
}
</script>
""".replace("LOADER", LOADER).replace("RESIZE", RESIZE)


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
    payload = solara.use_memo(lambda: figure_payload(fig), [id(fig)])  # comparing figures costs more than this
    height = int(fig.layout.height or 360)
    return PlotlyChart.element(figure=payload, height=height, css_class=css_class)


LIVE_TEMPLATE = """
<template>
  <div :class="['docsec-plot', css_class]" ref="plot"
       :style="{height: height + 'px', width: '100%', overflow: 'hidden'}"></div>
</template>
<script>
module.exports = {
  mounted() {
    this.draw();
    RESIZE
  },
  beforeDestroy() {
    if (this.observer) { this.observer.disconnect(); }
    clearTimeout(this.resizeTimer);
    if (this.plotly && this.$refs.plot) { this.plotly.purge(this.$refs.plot); }
  },
  watch: {
    chart_layout() { this.draw(); },
    traces() { this.draw(); },
    overlay() { this.draw(); },
    markers() { this.draw(); }
  },
  methods: {
    line(t, faded) {
      const x = new Array(t.y.length);
      for (let i = 0; i < t.y.length; i++) { x[i] = t.x0 + i; }
      return {type: 'scatter', mode: 'lines', x: x, y: t.y.slice(), name: t.name, meta: t.meta || null,
              opacity: faded ? 0.45 : 1,
              line: {color: t.colour, width: faded ? 1.5 : 2, dash: faded ? 'dot' : 'solid'},
              hovertemplate: 'Day %{x}<br>' + t.name + ' so far: %{y:,} ' + t.unit + '<extra></extra>'};
    },
    draw() {
      const render = (Plotly) => {
        this.plotly = Plotly;
        const el = this.$refs.plot;
        if (!el) { return; }
        const data = [];
        let top = 0;
        for (const t of (this.overlay || [])) { data.push(this.line(t, true)); }
        for (const t of (this.traces || [])) { data.push(this.line(t, false)); }
        for (const t of data) { for (const v of t.y) { if (v > top) { top = v; } } }
        const layout = JSON.parse(JSON.stringify(this.chart_layout || {}));
        const markers = this.markers || [];
        layout.shapes = markers.map(m => ({type: 'line', xref: 'x', yref: 'paper', x0: m[0], x1: m[0], y0: 0, y1: 1,
                                           line: {dash: 'dot', color: '#555555', width: 1}}));
        if (markers.length) {
          data.push({type: 'scatter', mode: 'markers', name: 'policy changes', meta: 'policy changes',
                     showlegend: false, x: markers.map(m => m[0]), y: markers.map(m => 0),
                     marker: {symbol: 'triangle-up', size: 9, color: '#555555'},
                     hovertext: markers.map(m => m[1]), hovertemplate: '%{hovertext}<extra></extra>'});
        }
        // one scale for the current run and the previous one
        layout.yaxis = Object.assign({}, layout.yaxis || {}, {range: [0, Math.max(4, top) * 1.08]});
        this.lastWidth = Math.round(el.getBoundingClientRect().width);
        // the last day the current run's lines reach, once drawn (what tests and benchmarks wait for)
        let last = 0;
        for (const t of (this.traces || [])) { if (t.y.length) { last = Math.max(last, t.x0 + t.y.length - 1); } }
        Plotly.react(el, data, layout,
                     {responsive: true, displaylogo: false, modeBarButtonsToRemove: ['sendDataToCloud']})
          .then(() => { el.setAttribute('data-days', String(last)); });
      };
      LOADER
    }
  }
}
</script>
""".replace("LOADER", LOADER).replace("RESIZE", RESIZE)


class LiveChart(ipyvue.VueTemplate):
    """A live chart (``live_panels.LivePanel``): layout, lines and overlay sync separately, each only on change."""

    template = traitlets.Unicode(LIVE_TEMPLATE).tag(sync=True)
    chart_layout = traitlets.Dict().tag(sync=True)  # (a widget's `layout` is ipywidgets' own)
    traces = traitlets.List().tag(sync=True)
    overlay = traitlets.List().tag(sync=True)
    markers = traitlets.List().tag(sync=True)
    height = traitlets.Int(280).tag(sync=True)
    css_class = traitlets.Unicode("").tag(sync=True)
    plotly_url = traitlets.Unicode(PLOTLY_URL).tag(sync=True)


#: Where live charts find plotly.js: the dashboard's server; "" in a notebook (``PlotlyInline`` brings it).
plotly_location = solara.create_context(PLOTLY_URL)


@solara.component
def LivePanelChart(panel: LivePanel, css_class: str = ""):
    """A live panel in the page; only the parts that changed since the last draw are sent."""
    url = solara.use_context(plotly_location)
    return LiveChart.element(chart_layout=panel.layout, traces=panel.traces, overlay=panel.overlay, markers=panel.markers,
                             height=int(panel.layout.get("height", 280)), css_class=css_class, plotly_url=url)


INLINE_TEMPLATE = """
<template><span class="docsec-plotly-inline" style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    if (window.Plotly || !this.source) { return; }
    // plotly.js as a plain script: hide an AMD loader (the classic notebook's require.js) so that it
    // sets window.Plotly, as it does on the dashboard's own page
    const define = window.define;
    window.define = undefined;
    try {
      const script = document.createElement('script');
      script.text = this.source;
      document.head.appendChild(script);
    } finally {
      window.define = define;
    }
  }
}
</script>
"""


class PlotlyInline(ipyvue.VueTemplate):
    """plotly.js itself, for a page that does not serve it (a Jupyter notebook): loaded once, offline."""

    template = traitlets.Unicode(INLINE_TEMPLATE).tag(sync=True)
    source = traitlets.Unicode("").tag(sync=True)


def plotly_source() -> str:
    """The text of the plotly.js bundled with the plotly package."""
    return (PLOTLY_FOLDER / PLOTLY_ASSET).read_text(encoding="utf-8")
