"""Design expansion matches its specification: axes, constants, samples within bounds, replicate seeds."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from docsec.analysis.sweep.design import SweepSpec, design_points, expand, replicate_seeds


def grid_spec(**sweep) -> SweepSpec:
    return SweepSpec.from_mapping({
        "sweep": {"replicates": 3, "base_seed": 11, "days": 40, **sweep},
        "parameters": {
            "penalty": {"dismissal_severity": [50.0, 200.0, 1000.0], "publicised": False},
            "custody.uncleared_may_handle": [True, False],
        },
    })


def test_grid_is_the_full_factorial_in_axis_order_with_constants_on_every_run():
    spec = grid_spec()
    runs = expand(spec)
    assert len(runs) == 3 * 2 * 3
    points = design_points(spec)
    assert points == [{"penalty.dismissal_severity": s, "custody.uncleared_may_handle": u}
                      for s, u in itertools.product([50.0, 200.0, 1000.0], [True, False])]
    for run in runs:
        assert run.overrides["penalty.publicised"] is False
        assert run.overrides["run.days"] == 40
        assert {k: run.overrides[k] for k in points[run.point_id]} == points[run.point_id]
    assert len({r.run_id for r in runs}) == len(runs)
    assert spec.varied_paths == ("penalty.dismissal_severity", "custody.uncleared_may_handle")


def test_replicate_i_has_the_same_seed_at_every_point_and_seeds_follow_the_documented_rule():
    spec = grid_spec()
    runs = expand(spec)
    by_replicate = {}
    for run in runs:
        by_replicate.setdefault(run.replicate, set()).add(run.seed)
    assert all(len(seeds) == 1 for seeds in by_replicate.values())  # common random numbers
    seeds = [by_replicate[i].pop() for i in range(3)]
    assert len(set(seeds)) == 3
    children = np.random.SeedSequence(11).spawn(3)
    assert seeds == [int(c.generate_state(1, dtype=np.uint64)[0]) >> 1 for c in children]
    assert all(0 <= s < 2**63 for s in seeds)


def test_more_replicates_keep_the_seeds_of_existing_ones_and_another_base_seed_changes_them():
    assert replicate_seeds(5, 8)[:3] == replicate_seeds(5, 3)
    assert set(replicate_seeds(5, 3)).isdisjoint(replicate_seeds(6, 3))


def test_a_grid_without_axes_is_one_point():
    spec = SweepSpec.from_mapping({"sweep": {"replicates": 4}, "parameters": {"penalty.publicised": False}})
    runs = expand(spec)
    assert [r.point_id for r in runs] == [0, 0, 0, 0]
    assert runs[0].overrides == {"penalty.publicised": False}


def sampled(kind: str, samples: int, seed: int = 3) -> SweepSpec:
    return SweepSpec.from_mapping({
        "sweep": {"replicates": 2},
        "design": {"kind": kind, "samples": samples, "sampling_seed": seed,
                   "bounds": {"penalty": {"dismissal_severity": [50.0, 2000.0], "warnings_before_dismissal": [1, 4]},
                              "inspection": {"audits_per_inspector_per_month": "plausible"}}},
        "parameters": {"penalty.scaling": "uniform"},
    })


@pytest.mark.parametrize("kind", ["lhs", "sobol"])
def test_sampled_points_lie_within_bounds_integers_are_whole_and_the_seed_fixes_them(kind):
    spec = sampled(kind, 16)
    points = design_points(spec)
    assert len(points) == 16 and len(expand(spec)) == 32
    severities = [p["penalty.dismissal_severity"] for p in points]
    assert all(50.0 <= s <= 2000.0 for s in severities)
    warnings = [p["penalty.warnings_before_dismissal"] for p in points]
    assert all(isinstance(w, int) and 1 <= w <= 4 for w in warnings)
    assert set(warnings) == {1, 2, 3, 4}  # 16 space-filling points reach every whole value
    audits = [p["inspection.audits_per_inspector_per_month"] for p in points]
    assert all(0.0 <= a <= 20.0 for a in audits)  # the declared plausible range
    assert all(r.overrides["penalty.scaling"] == "uniform" for r in expand(spec))
    assert design_points(sampled(kind, 16)) == points
    assert design_points(sampled(kind, 16, seed=4)) != points


def test_latin_hypercube_puts_one_point_in_each_stratum_of_every_dimension():
    points = design_points(sampled("lhs", 10))
    strata = sorted(int((p["penalty.dismissal_severity"] - 50.0) / (1950.0 / 10)) for p in points)
    assert strata == list(range(10))


def test_explicit_points_are_run_in_order_with_only_their_own_values():
    spec = SweepSpec.from_mapping({
        "sweep": {"replicates": 2},
        "design": {"kind": "explicit", "points": [{}, {"custody": {"uncleared_may_handle": False}},
                                                  {"external_channel.strength": 0.02}]},
    })
    runs = expand(spec)
    assert [r.overrides for r in runs[::2]] == [{}, {"custody.uncleared_may_handle": False},
                                                {"external_channel.strength": 0.02}]
    assert spec.varied_paths == ("custody.uncleared_may_handle", "external_channel.strength")


def test_design_hash_ignores_names_and_comments_but_not_the_design():
    text = "[sweep]\nreplicates = 2\n[parameters]\npenalty.publicised = [true, false]\n"
    a = SweepSpec.from_mapping({"sweep": {"replicates": 2}, "parameters": {"penalty.publicised": [True, False]}},
                               name="a", source_text=text)
    b = SweepSpec.from_mapping({"sweep": {"replicates": 2, "name": "b"},
                                "parameters": {"penalty": {"publicised": [True, False]}}},
                               source_text="# a comment\n" + text)
    assert a.design_hash() == b.design_hash() and a.source_hash != b.source_hash
    c = SweepSpec.from_mapping({"sweep": {"replicates": 3}, "parameters": {"penalty.publicised": [True, False]}})
    assert c.design_hash() != a.design_hash()
