"""The report as a reader's browser lays it out (headless Chromium, file:// page, no server).

A report of a study like the shipped one (two regimes × five penalty levels, every metric of
the comparison) must show every table without a horizontal scroll at the page's width, and
draw the trade-off plot with no text over its markers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from docsec.analysis.report import analyse_study
from docsec.analysis.report.build import TABLE_METRICS, render_report

from .conftest import CHROMIUM, CHROMIUM_FLAGS

pytestmark = pytest.mark.browser

LEVELS = (0.25, 1.0, 4.0, 16.0, 64.0)


def _study_runs() -> pd.DataFrame:
    """Lax/strict × five penalty multiples × six seeds; rare counts near zero, so intervals reach below it."""
    gen = np.random.default_rng(5)
    rows = []
    for rule in (True, False):
        for mult in LEVELS:
            for seed in range(1, 7):
                row = {"run_id": f"{rule}-{mult}-{seed}", "point_id": LEVELS.index(mult) + 5 * (not rule),
                       "replicate": seed - 1, "seed": seed, "status": "done",
                       "custody.uncleared_may_handle": rule, "custody.key_sharing_permitted": rule,
                       "penalty.warning_severity": 5.0 * mult, "penalty.dismissal_severity": 200.0 * mult,
                       "penalty.harsher_severity": 2000.0 * mult}
                for i, metric in enumerate(TABLE_METRICS):
                    scale = 10.0 ** (2 - i % 4) * (0.5 if not rule else 1.0)
                    row[metric] = max(0.0, gen.normal(scale, scale * 0.8))  # skewed, near zero for some
                rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium to run the browser tests")
    playwright = pytest.importorskip("playwright.sync_api")
    prov = {"base_parameters": {"penalty.warning_severity": 5.0, "penalty.dismissal_severity": 200.0,
                                "penalty.harsher_severity": 2000.0}, "replicates": 6, "sweep_name": "layout"}
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_report(analyse_study(_study_runs(), prov)), encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(path.as_uri())
        page.wait_for_selector(".plotly-graph-div .main-svg")
        yield page
        browser.close()


def test_no_table_needs_a_horizontal_scroll(report_page):
    tables = report_page.evaluate("""() => Array.from(document.querySelectorAll('.table-wrap')).map(w => ({
        caption: (w.querySelector('caption') || {}).textContent || w.querySelector('th').textContent,
        table: w.querySelector('table').scrollWidth, room: w.clientWidth}))""")
    assert len(tables) >= 5  # factors, two comparisons, the design points in parts, provenance
    too_wide = [t for t in tables if t["table"] > t["room"]]
    assert not too_wide, too_wide
    parts = [t for t in tables if t["caption"].startswith("Metrics ")]
    assert len(parts) == 2  # seven metrics: four, then three


def test_the_trade_off_plot_has_no_text_over_its_markers(report_page):
    found = report_page.evaluate("""() => {
        const fig = Array.from(document.querySelectorAll('.plotly-graph-div'))
            .find(d => d.layout && d.layout.title && d.layout.title.text.startsWith('Detection against concealment'));
        if (!fig) return null;
        return {markers: fig.querySelectorAll('.scatterlayer .point').length,
                texts: fig.querySelectorAll('.scatterlayer .textpoint').length};
    }""")
    assert found is not None
    assert found["markers"] == 10 and found["texts"] == 0
