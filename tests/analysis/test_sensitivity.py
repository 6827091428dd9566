"""Sensitivity analysis: known indices recovered through the sweep engine and store; file validation."""

from __future__ import annotations

import math
import types
from pathlib import Path

import numpy as np
import pytest

from docsec.analysis import sensitivity as sa
from docsec.sim.errors import InputError
from docsec.sim.metrics import SUMMARY_NAMES
from docsec.sim.parameters import spec_by_path

ROOT = Path(__file__).resolve().parents[2]
#: Three float parameters whose hard ranges hold [0, 2π]; the runners read them as x1..x3.
PATHS = ("behaviour.workload_pressure", "behaviour.compliance_norm_mean", "behaviour.favour_value")


def _result(output: str, value: float):
    summary = dict.fromkeys(SUMMARY_NAMES, 0.0)
    summary[output] = value
    return types.SimpleNamespace(summary=summary, daily=None)


def ishigami_runner(params, seed, *, timeline=(), collect_daily=False):
    """The Ishigami function (a = 7, b = 0.1) of x_i = parameter - π, in place of the model."""
    x1, x2, x3 = (params.get(p) - math.pi for p in PATHS)
    y = math.sin(x1) + 7.0 * math.sin(x2) ** 2 + 0.1 * x3 ** 4 * math.sin(x1)
    return _result("external_leaks_per_1000_docs", y)


def linear_runner(params, seed, *, timeline=(), collect_daily=False):
    """y = 3 x1 - x2 (x3 inert): every elementary effect is known exactly."""
    x1, x2, _ = (params.get(p) for p in PATHS)
    return _result("losses_per_1000_docs", 3.0 * x1 - x2)


def test_sobol_recovers_ishigami_indices_through_the_sweep_store(tmp_path):
    spec = sa.spec_from_mapping({
        "sensitivity": {"method": "sobol", "outputs": ["external_leaks_per_1000_docs"], "sampling_seed": 3},
        "sobol": {"samples": 512}, "parameters": {p: [0.0, 2 * math.pi] for p in PATHS},
    }, "ishigami")
    result = sa.run_sensitivity(spec, tmp_path, engine="serial", progress=False, runner=ishigami_runner)
    assert result.report.done == 512 * 5 and result.report.failed == 0
    idx = result.indices.set_index(["parameter", "index"])["value"]
    # analytic values (Ishigami & Homma 1990; Saltelli et al. 2008)
    truth = {"S1": (0.3139, 0.4424, 0.0), "ST": (0.5576, 0.4424, 0.2437)}
    for index, values in truth.items():
        for path, expected in zip(PATHS, values):
            assert idx[(path, index)] == pytest.approx(expected, abs=0.07), (path, index)
    assert (tmp_path / "store.sqlite").is_file() and (tmp_path / "indices.csv").is_file()
    # the design saved beside the store recomputes the same indices from the store
    from docsec.analysis.results import load_provenance, load_runs
    design = sa.design_beside(tmp_path / "store.sqlite", load_provenance(tmp_path / "store.sqlite"))
    again = sa.analyse(design, load_runs(tmp_path / "store.sqlite"))
    np.testing.assert_allclose(again["value"], result.indices["value"])


def test_morris_gives_exact_elementary_effects_of_a_linear_function(tmp_path):
    spec = sa.spec_from_mapping({
        "sensitivity": {"method": "morris", "outputs": ["losses_per_1000_docs"], "sampling_seed": 3},
        "morris": {"trajectories": 8, "levels": 4}, "parameters": {p: [1.0, 3.0] for p in PATHS},
    }, "linear")
    result = sa.run_sensitivity(spec, tmp_path, engine="serial", progress=False, runner=linear_runner)
    idx = result.indices.set_index(["parameter", "index"])["value"]
    # an elementary effect is the change per full range: 3 * 2, -1 * 2, 0
    assert idx[(PATHS[0], "mu_star")] == pytest.approx(6.0)
    assert idx[(PATHS[0], "mu")] == pytest.approx(6.0)
    assert idx[(PATHS[1], "mu_star")] == pytest.approx(2.0)
    assert idx[(PATHS[1], "mu")] == pytest.approx(-2.0)
    assert idx[(PATHS[2], "mu_star")] == pytest.approx(0.0, abs=1e-12)
    for path in PATHS:
        assert idx[(path, "sigma")] == pytest.approx(0.0, abs=1e-9)


def test_sensitivity_runs_the_model_through_the_engine(tmp_path):
    spec = sa.spec_from_mapping({
        "sensitivity": {"method": "morris", "outputs": ["exposures_per_1000_docs"], "days": 20, "replicates": 2},
        "morris": {"trajectories": 2},
        "parameters": {"behaviour.worker_curiosity": "plausible", "external_channel.strength": "plausible"},
        "constants": {"population.offices": 3},
    }, "model")
    result = sa.run_sensitivity(spec, tmp_path, engine="serial", progress=False)
    assert result.report.failed == 0 and result.report.done == result.report.planned
    table = result.indices[result.indices["index"] == "mu_star"]
    assert list(table["parameter"]) == ["behaviour.worker_curiosity", "external_channel.strength"]
    assert np.isfinite(table["value"]).all()


def test_bounds_default_to_the_declared_plausible_range_and_integers_are_rounded():
    spec = sa.spec_from_mapping({
        "sensitivity": {"method": "morris", "outputs": ["losses_per_1000_docs"]},
        "morris": {"trajectories": 6, "levels": 4},
        "parameters": {"penalty.warnings_before_dismissal": "plausible", "penalty.dismissal_severity": [10, 20]},
    })
    declared = spec_by_path()["penalty.warnings_before_dismissal"]
    assert spec.bounds["penalty.warnings_before_dismissal"] == (declared.sweep_min, declared.sweep_max)
    assert spec.bounds["penalty.dismissal_severity"] == (10.0, 20.0)
    design = sa.make_design(spec)
    warnings = {p["penalty.warnings_before_dismissal"] for p in design.points}
    assert all(isinstance(w, int) for w in warnings) and warnings <= set(range(0, 6))
    # repeated sample rows share a design point; every row maps to one
    assert len(design.points) <= len(design.sample)
    assert len({tuple(p.values()) for p in design.points}) == len(design.points)
    assert design.row_points.max() == len(design.points) - 1


def test_list_form_of_parameters_means_plausible_ranges():
    spec = sa.spec_from_mapping({"sensitivity": {"method": "sobol", "outputs": "losses_per_1000_docs"},
                                 "parameters": ["behaviour.worker_curiosity", "inspection.thoroughness"]})
    assert spec.bounds == {"behaviour.worker_curiosity": (0.0, 1.0), "inspection.thoroughness": (0.0, 1.0)}
    assert spec.outputs == ("losses_per_1000_docs",)


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "scenarios" / "sensitivity").glob("*.toml")))
def test_shipped_sensitivity_files_are_valid(name):
    spec = sa.load_sensitivity(ROOT / "scenarios" / "sensitivity" / name)
    design = sa.make_design(spec)
    sweep = sa.sweep_spec(design)
    assert sweep.design == "explicit" and len(sweep.points) == len(design.points)
    assert spec.outputs and len(spec.bounds) >= 2


GOOD = {"sensitivity": {"method": "morris", "outputs": ["losses_per_1000_docs"]},
        "parameters": {"behaviour.worker_curiosity": "plausible", "inspection.thoroughness": [0.1, 0.9]}}


def _with(**changes):
    data = {k: dict(v) for k, v in GOOD.items()}
    for dotted, value in changes.items():
        table, key = dotted.split("__")
        data.setdefault(table, {})[key] = value
    return data


@pytest.mark.parametrize("data, message", [
    ({**GOOD, "extra": {}}, r"f\.toml:extra: unknown table; allowed: sensitivity, morris, sobol"),
    (_with(sensitivity__seed=1), r"f\.toml:sensitivity\.seed: unknown key; allowed in \[sensitivity\]: name"),
    (_with(sensitivity__method="fast"), r"f\.toml:sensitivity\.method: must be one of morris, sobol \(got 'fast'\)"),
    (_with(sensitivity__outputs=["leaks"]),
     r"f\.toml:sensitivity\.outputs\[0\]: unknown metric 'leaks'; allowed: documents_received"),
    (_with(sensitivity__outputs=[]), r"f\.toml:sensitivity\.outputs: must list at least one summary metric"),
    (_with(sensitivity__replicates=0), r"f\.toml:sensitivity\.replicates: must be an integer from 1 to 10000"),
    (_with(sobol__samples=100), r"f\.toml:sobol\.samples: must be a power of two, e.g. 64 or 128 \(got 100\)"),
    (_with(morris__levels=5), r"f\.toml:morris\.levels: must be an even number of grid levels"),
    (_with(sobol__second_order="yes"), r"f\.toml:sobol\.second_order: must be true or false \(got 'yes'\)"),
    ({"parameters": GOOD["parameters"]}, r"f\.toml:sensitivity: missing: a sensitivity file needs"),
    ({**GOOD, "parameters": {"behaviour.worker_curiosity": "plausible"}},
     r"f\.toml:parameters: list at least two parameters to vary"),
    ({**GOOD, "parameters": {"custody.uncleared_may_handle": "plausible", "inspection.thoroughness": "plausible"}},
     r"f\.toml:parameters\.custody\.uncleared_may_handle: only numeric parameters can be varied; "
     r".*under \[constants\]"),
    ({**GOOD, "parameters": {"behaviour.worker_curiosity": [0.5, 0.2], "inspection.thoroughness": "plausible"}},
     r"f\.toml:parameters\.behaviour\.worker_curiosity: low must be below high \(got \[0\.5, 0\.2\]\)"),
    ({**GOOD, "parameters": {"behaviour.worker_curiosity": [0.5, 2.0], "inspection.thoroughness": "plausible"}},
     r"f\.toml:parameters\.behaviour\.worker_curiosity\[1\]: must be a number from 0 to 1 \(got 2\.0\)"),
    ({**GOOD, "parameters": {"behaviour.worker_curiosity": "wide", "inspection.thoroughness": "plausible"}},
     r"f\.toml:parameters\.behaviour\.worker_curiosity: must be \[low, high\].*or \"plausible\""),
    ({**GOOD, "parameters": {"behaviour.curiosity": "plausible", "inspection.thoroughness": "plausible"}},
     r"f\.toml:parameters\.behaviour\.curiosity: unknown parameter; allowed in behaviour: .*worker_curiosity"),
    (_with(constants__inspection={"thoroughness": 0.5}),
     r"f\.toml:constants\.inspection\.thoroughness: is also a varied parameter; set it in one place only"),
    (_with(constants__population={"offices": -1}), r"f\.toml:constants\.population\.offices: must be an integer"),
])
def test_bad_sensitivity_file_names_the_key(data, message):
    # parameter values are checked by the parameter declarations (ParameterError, also an InputError)
    with pytest.raises(InputError, match=message):
        sa.spec_from_mapping(data, "f.toml")


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(sa.SensitivityFileError, match=r"nope\.toml: no such sensitivity file"):
        sa.load_sensitivity(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[sensitivity\nmethod = 'morris'\n")
    with pytest.raises(sa.SensitivityFileError, match=r"bad\.toml: malformed TOML"):
        sa.load_sensitivity(bad)


# -- the command ----------------------------------------------------------------------------------------

TINY = """
[sensitivity]
name = "tiny"
method = "morris"
outputs = ["exposures_per_1000_docs"]
days = 10

[morris]
trajectories = 2

[parameters]
"behaviour.worker_curiosity" = "plausible"
"external_channel.strength" = [0.0, 0.5]

[constants]
"population.offices" = 2
"""


def _tiny_file(folder: Path) -> Path:
    path = folder / "tiny.toml"
    path.write_text(TINY)
    return path


def test_sensitivity_command_runs_prints_and_reports(tmp_path, capsys):
    from docsec.analysis.cli import main

    out, report = tmp_path / "out", tmp_path / "rep" / "s.html"
    args = ["sensitivity", str(_tiny_file(tmp_path)), "--out", str(out), "--report", str(report), "--serial",
            "--no-progress"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "External channel: strength (probability)" in captured.out and "μ*" in captured.out
    assert (out / "store.sqlite").is_file() and (out / "indices.csv").is_file() and (out / "sensitivity.json").is_file()
    assert report.is_file() and "Morris screening of exposures" in report.read_text(encoding="utf-8")
    assert "run/s" not in captured.err
    # a second run refuses to overwrite; --resume reuses the finished store
    assert main(args) == 2
    assert "already exists; add --resume" in capsys.readouterr().err
    assert main([*args, "--resume"]) == 0


def test_sensitivity_dry_run_counts_without_running(tmp_path, capsys):
    from docsec.analysis.cli import main

    assert main(["sensitivity", str(_tiny_file(tmp_path)), "--out", str(tmp_path / "o"), "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "morris over 2 parameters, 6 sample rows" in err and "x 1 replicates" in err
    assert not (tmp_path / "o").exists()


def test_sensitivity_engine_options_reach_the_sweep(tmp_path, monkeypatch):
    from docsec.analysis.cli import main, sensitivity_cmd

    seen = {}

    def fake(spec, out, **kwargs):
        seen.update(kwargs, out=out)
        raise KeyboardInterrupt  # stop before reporting: only the call matters here

    monkeypatch.setattr(sensitivity_cmd, "run_sensitivity", fake)
    file = str(_tiny_file(tmp_path))
    assert main(["sensitivity", file, "--dask", "tcp://scheduler:8786", "--no-progress"]) == 130
    assert seen["engine"] == "dask" and seen["dask_address"] == "tcp://scheduler:8786"
    assert seen["progress"] is False and seen["out"] == Path("results/sensitivity-tiny")
    assert main(["sensitivity", file, "--workers", "3", "--resume", "--out", str(tmp_path / "o")]) == 130
    assert seen["engine"] == "process" and seen["workers"] == 3 and seen["resume"] is True
    assert seen["progress"] is True and seen["out"] == tmp_path / "o"


def test_sensitivity_command_rejects_bad_input(tmp_path, capsys):
    from docsec.analysis.cli import main

    assert main(["sensitivity", str(tmp_path / "none.toml")]) == 2
    assert "none.toml: no such sensitivity file" in capsys.readouterr().err
    assert main(["sensitivity", str(_tiny_file(tmp_path)), "--workers", "0"]) == 2
    assert "--workers: must be at least 1 (got 0)" in capsys.readouterr().err
