"""Refresh the golden baseline summaries (run by hand only, after a deliberate change of behaviour).

    .venv/bin/python tests/sim/refresh_golden.py

Each file in tests/sim/golden/ holds the run's overrides and seed and the summary it must give.
Explain the behavioural change in the commit that refreshes them.
"""

import json
import math
from pathlib import Path

from docsec.sim.parameters import Parameters
from docsec.sim.run import run_simulation

GOLDEN = Path(__file__).resolve().parent / "golden"

#: The baselines: name -> (overrides, seed). Small enough to run in a second.
BASELINES = {
    "default_120_days": ({"run.days": 120}, 7),
    "strict_120_days": ({"run.days": 120, "custody.uncleared_may_handle": False,
                         "custody.key_sharing_permitted": False}, 7),
}


def summary_for(overrides: dict, seed: int) -> dict:
    s = run_simulation(Parameters().with_overrides(overrides), seed, collect_daily=False).summary
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in s.items()}


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, (overrides, seed) in BASELINES.items():
        payload = {"overrides": overrides, "seed": seed, "summary": summary_for(overrides, seed)}
        (GOLDEN / f"{name}.json").write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN / name}.json")


if __name__ == "__main__":
    main()
