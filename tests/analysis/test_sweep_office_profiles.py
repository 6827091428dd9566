"""A sweep whose base scenario has [[office]] profiles runs every point with them."""

from docsec.analysis.results import load_runs
from docsec.analysis.sweep.design import SweepSpec
from docsec.analysis.sweep.execute import base_hash, run_sweep
from docsec.analysis.sweep.base import resolve_base
from docsec.scenarios.loader import load_scenario
from docsec.sim.run import run_simulation

SCENARIO = """
[scenario]
description = "two offices, the second with a corruptible secretary"
[parameters]
population.offices = 2
behaviour.corruptibility_mean = 0.0
behaviour.favour_offer_rate = 0.2
[[office]]
number = 2
set.behaviour.corruptibility_mean = 0.9
set.behaviour.favour_value = 200.0
"""


def test_office_profiles_reach_every_run_of_a_sweep(tmp_path):
    base = tmp_path / "corrupt.toml"
    base.write_text(SCENARIO)
    spec = SweepSpec.from_mapping({"sweep": {"replicates": 2, "base": str(base), "days": 120},
                                   "parameters": {"penalty.dismissal_severity": [100.0, 400.0]}}, name="profiles")
    store = tmp_path / "p.sqlite"
    run_sweep(spec, store, engine="serial", progress=False)
    runs = load_runs(store)
    assert (runs["favour_trades"] > 0).all()  # only the profiled office trades: no profile, no trades
    scenario = load_scenario(str(base))
    row = runs.iloc[0]
    params = scenario.params.with_overrides({"run.days": 120,
                                             "penalty.dismissal_severity": row["penalty.dismissal_severity"]})
    expected = run_simulation(params, int(row["seed"]), office_profiles=scenario.office_profiles,
                              collect_daily=False)
    assert row["favour_trades"] == expected.summary["favour_trades"]


def test_base_hash_changes_with_office_profiles(tmp_path):
    base = tmp_path / "corrupt.toml"
    base.write_text(SCENARIO)
    plain = tmp_path / "plain.toml"
    plain.write_text(SCENARIO.split("[[office]]")[0])
    with_profile = resolve_base(SweepSpec.from_mapping({"sweep": {"base": str(base), "replicates": 1}}, name="a"))
    without = resolve_base(SweepSpec.from_mapping({"sweep": {"base": str(plain), "replicates": 1}}, name="b"))
    assert with_profile.office_profiles and not without.office_profiles
    assert base_hash(with_profile) != base_hash(without)
