"""docsec calibrate: a known parameter recovered on a toy model, targets-file validation, outputs, CLI exit codes."""

from __future__ import annotations

import json
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from docsec.analysis.calibration import abc
from docsec.analysis.calibration.runner import run_calibration
from docsec.analysis.calibration.targets import load_targets, parse_statistic, spec_from_mapping
from docsec.analysis.cli import main
from docsec.sim.errors import InputError
from docsec.sim.metrics import SUMMARY_NAMES

ROOT = Path(__file__).resolve().parents[2]
NORM = "behaviour.compliance_norm_mean"
INERT = "behaviour.favour_value"
TRUTH = 5.0


def toy_runner(params, seed, *, timeline=(), collect_daily=False):
    """losses = 10 x the compliance norm (+ a little seed noise); warnings = 3 x dismissals; favour value inert."""
    rng = np.random.default_rng(seed)
    summary = dict.fromkeys(SUMMARY_NAMES, 0.0)
    summary["losses"] = 10.0 * params.get(NORM) + rng.normal(0.0, 0.5)
    summary["dismissals"] = 4.0
    summary["warnings"] = 12.0
    return types.SimpleNamespace(summary=summary, daily=None)


def toy_spec(**head) -> dict:
    return {"calibration": {"name": "toy", "base": "default", "replicates": 1, "budget": 200, "accept": 0.05,
                            "sampling_seed": 3, **head},
            "parameters": {NORM: [0.0, 20.0], INERT: "plausible"},
            "target": [{"name": "losses", "statistic": "losses", "value": 10.0 * TRUTH, "tolerance": 5.0},
                       {"statistic": "warnings / dismissals", "range": [2, 5], "weight": 0.5}]}


def test_calibration_recovers_a_known_parameter_and_leaves_an_inert_one_wide(tmp_path):
    spec = spec_from_mapping(toy_spec(), "toy")
    result = run_calibration(spec, tmp_path, engine="serial", progress=False, runner=toy_runner)
    post = result.posterior.set_index("parameter")
    assert post.loc[NORM, "median"] == pytest.approx(TRUTH, abs=0.5)
    assert post.loc[NORM, "q05"] > 3.5 and post.loc[NORM, "q95"] < 6.5
    assert post.loc[NORM, "narrowing"] < 0.15
    assert post.loc[INERT, "narrowing"] > 0.6  # the data say nothing about it: the posterior stays wide
    # the default norm (3.0) gives losses of 30, far from 50: outside the posterior
    assert post.loc[NORM, "default"] == 3.0 and not post.loc[NORM, "default_inside_90"]
    assert len(result.accepted) == 10  # 5% of 200
    fit = result.fit.set_index("target")
    assert fit.loc["losses", "accepted_median"] == pytest.approx(50.0, abs=5.0)
    assert fit.loc["losses", "defaults"] == pytest.approx(30.0, abs=2.0)
    assert fit.loc["warnings / dismissals", "accepted_meeting"] == 1.0


def test_outputs_carry_the_accepted_sets_posterior_fit_and_provenance(tmp_path):
    spec = spec_from_mapping(toy_spec(budget=40, accept=0.1), "toy")
    result = run_calibration(spec, tmp_path, engine="serial", progress=False, runner=toy_runner)
    doc = json.loads((tmp_path / "calibration.json").read_text())
    assert doc["accepted"] == len(result.accepted) == len(doc["accepted_sets"]) == 4
    assert {r["parameter"] for r in doc["posterior"]} == {NORM, INERT}
    assert {r["target"] for r in doc["fit"]} == {"losses", "warnings / dismissals"}
    assert doc["defaults"]["values"][NORM] == 3.0 and doc["provenance"]["docsec_version"]
    assert doc["prior"][NORM] == [0.0, 20.0] and "rejection ABC" in doc["method"]
    accepted = pd.read_csv(tmp_path / "accepted.csv")
    assert sorted(accepted["point_id"]) == sorted(result.accepted)
    samples = pd.read_csv(tmp_path / "samples.csv")
    assert len(samples) == 41 and samples["defaults"].sum() == 1
    html = (tmp_path / "calibration.html").read_text()
    assert html.count('class="plotly-graph-div"') == 2  # one marginal per parameter
    assert "Posterior ranges and where the defaults sit" in html and "<script src=" not in html


def test_sets_tied_at_the_acceptance_distance_are_all_kept():
    dist = pd.Series([0.0, 0.0, 0.0, 0.0, 1.0, 2.0], index=range(6))
    assert abc.accepted_points(dist, 0.2) == [1, 2, 3]  # ceil(0.2 x 5) = 1, but three sets meet every target
    assert abc.accepted_points(pd.Series([0.0, np.inf, 3.0, 1.0]), 0.3) == [3]
    assert abc.accepted_points(pd.Series([0.0, np.inf, 3.0, 1.0]), 0.9) == [2, 3]  # an undefined set never is


def test_resume_is_required_to_continue_and_reuses_the_runs(tmp_path):
    spec = spec_from_mapping(toy_spec(budget=10), "toy")
    run_calibration(spec, tmp_path, engine="serial", progress=False, runner=toy_runner)
    with pytest.raises(InputError, match="already exists; add --resume"):
        run_calibration(spec, tmp_path, engine="serial", progress=False, runner=toy_runner)
    again = run_calibration(spec, tmp_path, engine="serial", progress=False, runner=toy_runner, resume=True)
    from docsec.analysis.results import load_provenance
    sessions = load_provenance(again.stores["default"])["sessions"]
    assert [s["runs_done"] for s in sessions] == [11, 0]


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(extra={}), r"^toy:extra: unknown table; allowed: calibration, parameters, target$"),
    (lambda d: d["calibration"].update(budgett=3), r"toy:calibration\.budgett: unknown key; allowed in \[calibration\]"),
    (lambda d: d["calibration"].update(accept=2), r"toy:calibration\.accept: must be a number from 1e-06 to 1"),
    (lambda d: d["calibration"].update(replicates=0), r"toy:calibration\.replicates: must be an integer from 1"),
    (lambda d: d.pop("parameters"), r"toy:parameters: missing"),
    (lambda d: d["parameters"].update({"custody.key_sharing_permitted": "plausible"}),
     r"toy:parameters\.custody\.key_sharing_permitted: only numeric parameters can be calibrated"),
    (lambda d: d["parameters"].update({NORM: [5, 1]}), r"toy:parameters\.behaviour\.compliance_norm_mean: low must be below high"),
    (lambda d: d["parameters"].update({"behaviour.nope": "plausible"}), r"behaviour\.nope: unknown parameter"),
    (lambda d: d.pop("target"), r"toy:target: missing"),
    (lambda d: d["target"][0].pop("statistic"), r"toy:target\[0\]\.statistic: missing"),
    (lambda d: d["target"][0].update(statistic="losses + nonsense"),
     r"toy:target\[0\]\.statistic: unknown metric 'nonsense' in 'losses \+ nonsense'; allowed: "),
    (lambda d: d["target"][0].update(statistic="a / b / c"), r"toy:target\[0\]\.statistic: at most one '/'"),
    (lambda d: d["target"][0].update(range=[1, 2]), r"toy:target\[0\]: give either value .* or range"),
    (lambda d: d["target"][1].update(range=[5, 2]), r"toy:target\[1\]\.range: must be \[low, high\] with low below high"),
    (lambda d: d["target"][1].update(weight=-1), r"toy:target\[1\]\.weight: must be a number"),
    (lambda d: d["target"][1].update(tolerance=1), r"toy:target\[1\]\.tolerance: only a value target takes a tolerance"),
    (lambda d: d["target"][0].update(colour="red"), r"toy:target\[0\]\.colour: unknown key; allowed in \[\[target\]\]"),
    (lambda d: d["target"][1].update(name="losses"), r"toy:target\[1\]\.name: repeats target\[0\]'s name"),
    (lambda d: d["target"][1].update(scenario="no-such-scenario"), r"toy:target\[1\]\.scenario: .*no-such-scenario"),
    (lambda d: d["parameters"].update({"behaviour.workload_pressure": "plausible"}) or
     d["target"][1].update(scenario="lecture-materials"),
     r"toy:target\[1\]\.scenario: 'lecture-materials' sets behaviour\.workload_pressure itself"),
])
def test_each_bad_targets_file_gets_one_line_naming_the_field(change, message):
    data = toy_spec()
    change(data)
    with pytest.raises(InputError, match=message) as err:
        spec_from_mapping(data, "toy")
    assert "\n" not in str(err.value)


def test_statistics_parse_sums_and_ratios():
    s = parse_statistic("(losses + external_leaks) / documents_received", "f", "k")
    assert s.numerator == ("losses", "external_leaks") and s.denominator == ("documents_received",)
    assert s.text == "(losses + external_leaks) / documents_received"
    runs = pd.DataFrame({"point_id": [0, 0, 1], "status": "done", "losses": [1.0, 3.0, 0.0],
                         "external_leaks": [1.0, 1.0, 0.0], "documents_received": [10.0, 10.0, 0.0]})
    pooled = abc.pooled(runs, s)
    assert pooled[0] == pytest.approx(0.3) and np.isnan(pooled[1])  # no documents: undefined, never accepted


def test_the_shipped_case_file_is_valid_and_packaged():
    spec = load_targets(ROOT / "scenarios" / "calibration" / "case.toml")
    assert spec.name == "case" and len(spec.targets) >= 4
    assert set(spec.scenarios) == {"lax", "no-records", "lecture-materials"}
    assert all(t.note for t in spec.targets)
    from docsec.analysis.cli.calibrate_cmd import shipped_case
    assert shipped_case().is_file()


def test_cli_exit_codes(tmp_path, capsys):
    assert main(["calibrate", str(tmp_path / "missing.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such targets file" in err[0]
    bad = tmp_path / "bad.toml"
    bad.write_text('[calibration]\nname = "x"\n[parameters]\n"behaviour.compliance_norm_mean" = "plausible"\n')
    assert main(["calibrate", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "bad.toml:target: missing" in capsys.readouterr().err
    good = ROOT / "scenarios" / "calibration" / "case.toml"
    assert main(["calibrate", str(good), "--budget", "1"]) == 2
    assert "--budget: must be an integer from 2" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_cli_calibrates_the_case_with_a_small_budget(tmp_path, capsys):
    out = tmp_path / "c"
    assert main(["calibrate", str(ROOT / "scenarios" / "calibration" / "case.toml"), "--budget", "2", "--serial",
                 "--no-progress", "--out", str(out)]) == 0
    doc = json.loads((out / "calibration.json").read_text())
    assert doc["budget"] == 2 and doc["runs"] == 3 * 2 * 3  # (2 sets + the defaults) x 2 replicates x 3 scenarios
    assert set(doc["stores"]) == {"lax", "no-records", "lecture-materials"}
    printed = capsys.readouterr().out
    assert "parameter sets accepted" in printed and "behaviour.compliance_norm_mean" in printed
