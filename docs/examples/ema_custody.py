"""docsec under deep uncertainty with the EMA Workbench: uncertainties about people, levers of policy.

The uncertainties are what a ministry cannot choose: how much pressure of work officials
feel, how curious workers are, how strong the external channel (illegal phones) is, and
each run's seed. The levers are what it can choose: the custody regime (one categorical
lever: lax delegation or strict custody, each a pair of custody rules), the audit capacity
and the severity of dismissal. The outcomes are columns of docsec's run summary.

Parameters of the model are named ``group__name`` (Mesa's keyword form of ``group.name``),
so an uncertainty or lever named so reaches the model unchanged; EMA's numpy integers and
floats are accepted as they come.

Run it with ``python docs/examples/ema_custody.py`` (needs ``pip install 'docsec[ema]'``).
"""

from __future__ import annotations

import pandas as pd
from ema_workbench import (CategoricalParameter, Constant, IntegerParameter, Model, RealParameter, ScalarOutcome,
                           SequentialEvaluator, perform_experiments)

from docsec.sim.parameters import Parameters
from docsec.sim.run import run_simulation

#: The custody regime lever: each level is a pair of custody rules.
REGIMES: dict[str, dict[str, bool]] = {
    "lax delegation": {"custody.uncleared_may_handle": True, "custody.key_sharing_permitted": True},
    "strict custody": {"custody.uncleared_may_handle": False, "custody.key_sharing_permitted": False},
}
#: Outcomes, by their names in the run summary, and which way is better.
OUTCOMES: dict[str, int] = {
    "external_leaks_per_1000_docs": ScalarOutcome.MINIMIZE,
    "concealed_losses_per_1000_docs": ScalarOutcome.MINIMIZE,
    "detection_share": ScalarOutcome.MAXIMIZE,
    "custody_hours_per_office_day": ScalarOutcome.MINIMIZE,
}


def docsec_year(custody_regime: str = "lax delegation", seed: int = 0, offices: int = 20, days: int = 365,
                **parameters) -> dict[str, float]:
    """One run of docsec: the regime's rules, then every other parameter given as ``group__name``."""
    base = Parameters().with_overrides({**REGIMES[custody_regime], "population.offices": offices,
                                        "run.days": days})
    params = Parameters.from_keywords(base=base, **parameters)
    summary = run_simulation(params, seed=int(seed), collect_daily=False).summary  # EMA samples numpy integers
    return {name: summary[name] for name in OUTCOMES}


def docsec_model(offices: int = 20, days: int = 365) -> Model:
    """docsec as an EMA model: its uncertainties, levers, constants and outcomes."""
    model = Model("docsec", function=docsec_year)
    model.uncertainties = [
        RealParameter("behaviour__workload_pressure", 0.5, 2.0),
        RealParameter("behaviour__worker_curiosity", 0.1, 0.5),
        RealParameter("external_channel__strength", 0.02, 0.2),
        IntegerParameter("seed", 0, 2**31 - 1),  # replicates, sampled with the other uncertainties
    ]
    model.levers = [
        CategoricalParameter("custody_regime", list(REGIMES)),
        RealParameter("inspection__audits_per_inspector_per_month", 1.0, 8.0),
        RealParameter("penalty__dismissal_severity", 100.0, 2000.0),
    ]
    model.constants = [Constant("offices", offices), Constant("days", days)]
    model.outcomes = [ScalarOutcome(name, kind=kind) for name, kind in OUTCOMES.items()]
    return model


def main(scenarios: int = 20, policies: int = 4, offices: int = 20, days: int = 365,
         sampling_seed: int = 2026) -> pd.DataFrame:
    """Run ``scenarios`` x ``policies`` experiments; return one row per experiment with its outcomes.

    ``sampling_seed`` seeds the workbench's Latin-hypercube samples of the uncertainties and of the
    levers, so the same call gives the same experiments (and, since each run's seed is one of the
    uncertainties, the same outcomes).
    """
    model = docsec_model(offices=offices, days=days)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(
            model, scenarios=scenarios, policies=policies, evaluator=evaluator,
            uncertainty_sampling_kwargs={"rng": sampling_seed}, lever_sampling_kwargs={"rng": sampling_seed + 1})
    table = experiments.reset_index(drop=True).join(pd.DataFrame(outcomes))
    return table


if __name__ == "__main__":
    results = main()
    by_regime = results.groupby("custody_regime", observed=True)[list(OUTCOMES)].mean()
    print(by_regime.round(3).to_string())
