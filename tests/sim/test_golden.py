"""Golden baselines: a small run's summary is checked in; any behavioural change shows here.

Refresh deliberately with `.venv/bin/python tests/sim/refresh_golden.py` and explain why in the commit.
"""

import json
import math
from pathlib import Path

import pytest

from docsec.sim.parameters import Parameters
from docsec.sim.run import run_simulation

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.json"))


def test_baselines_exist():
    assert len(GOLDEN) >= 2


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_summary_matches_golden_baseline(path):
    golden = json.loads(path.read_text())
    summary = run_simulation(Parameters().with_overrides(golden["overrides"]), golden["seed"],
                             collect_daily=False).summary
    assert set(summary) == set(golden["summary"]), "summary columns changed: refresh the baseline"
    for name, expected in golden["summary"].items():
        got = summary[name]
        if expected is None:
            assert math.isnan(got), name
        else:
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-12), name
