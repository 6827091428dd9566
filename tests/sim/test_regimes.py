"""Lax delegation against strict custody over paired replicates (common random numbers)."""

import math

from docsec.sim.parameters import Parameters
from docsec.sim.run import run_simulation

SEEDS = range(12)


def sign_test_p(differences) -> float:
    """One-sided exact sign test: chance of at least this many positive differences if none were favoured."""
    nonzero = [d for d in differences if d != 0]
    n = len(nonzero)
    k = sum(d > 0 for d in nonzero)
    return sum(math.comb(n, i) for i in range(k, n + 1)) / 2 ** n


def test_lax_delegation_exposes_more_than_strict_custody(strict_rules):
    base = Parameters().with_overrides({"run.days": 180})
    strict = base.with_overrides(strict_rules)
    diffs = []
    for seed in SEEDS:
        lax_s = run_simulation(base, seed, collect_daily=False).summary
        strict_s = run_simulation(strict, seed, collect_daily=False).summary
        assert lax_s["documents_received"] == strict_s["documents_received"]  # common arrivals
        diffs.append(lax_s["exposures_per_1000_docs"] - strict_s["exposures_per_1000_docs"])
    assert sign_test_p(diffs) < 0.01
    assert sum(diffs) / len(diffs) > 50.0  # per 1,000 documents


def test_sign_test_known_values():
    assert sign_test_p([1] * 10) == 1 / 1024
    assert sign_test_p([1, -1]) == 0.75
    assert sign_test_p([0, 0, 1]) == 0.5


def test_strict_custody_costs_officials_more_time(strict_rules):
    base = Parameters().with_overrides({"run.days": 120})
    lax = [run_simulation(base, s, collect_daily=False).summary for s in range(4)]
    strict = [run_simulation(base.with_overrides(strict_rules), s, collect_daily=False).summary for s in range(4)]
    assert all(st["custody_workload_hours"] > lx["custody_workload_hours"] for lx, st in zip(lax, strict))
