"""`docsec compare`, the main job: the shipped study, and every option reaching what it controls."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from docsec.analysis.cli import main
from docsec.analysis.cli.compare_cmd import default_study
from docsec.analysis.results import load_provenance, load_runs
from docsec.analysis.sweep.design import design_points, load_sweep
from docsec.scenarios.loader import load_scenario

SEVERITIES = ("penalty.warning_severity", "penalty.dismissal_severity", "penalty.harsher_severity")
RULES = ("custody.uncleared_may_handle", "custody.key_sharing_permitted")


def tiny_study(folder: Path, replicates: int = 2) -> Path:
    """Lax vs strict at penalties x1 and x4 of the lax scenario's, 4 offices, 30 days."""
    lax = load_scenario("lax").params
    x4 = "\n".join(f"{p} = {4 * lax.get(p)!r}" for p in SEVERITIES)
    points = []
    for rule in ("true", "false"):
        rules = "\n".join(f"{r} = {rule}" for r in RULES) + "\n"
        points += [f"[[design.points]]\n{rules}", f"[[design.points]]\n{rules}{x4}\n"]
    path = folder / "tiny.toml"
    path.write_text(f'[sweep]\nname = "tiny"\nbase = "lax"\nreplicates = {replicates}\nbase_seed = 3\ndays = 30\n\n'
                    '[design]\nkind = "explicit"\n\n' + "\n".join(points)
                    + "\n[parameters]\npopulation.offices = 4\n\n[outputs]\ndaily = true\n")
    return path


# -- the shipped study -----------------------------------------------------------------------------------


def test_shipped_study_is_lax_against_strict_at_four_or_more_penalty_levels():
    spec = load_sweep(default_study())
    assert spec.base == "lax" and spec.design == "explicit" and spec.keep_daily
    assert spec.replicates >= 10
    base = load_scenario("lax").params
    cells = set()
    for point in design_points(spec):
        rules = {point.get(r, base.get(r)) for r in RULES}
        assert len(rules) == 1, point  # the two custody rules move together
        ratios = {point.get(p, base.get(p)) / base.get(p) for p in SEVERITIES}
        assert len(ratios) == 1, point  # the three severities scale together, exactly
        cells.add((rules.pop(), ratios.pop()))
    levels = {ratio for _, ratio in cells}
    assert len(levels) >= 4 and 1.0 in levels
    assert cells == {(rule, ratio) for rule in (True, False) for ratio in levels}  # a full cross


def test_shipped_study_points_at_x1_restate_no_severity():
    spec = load_sweep(default_study())
    for point in design_points(spec):
        if not any(p in point for p in SEVERITIES):
            continue
        assert all(p in point for p in SEVERITIES)
    assert sum(not any(p in pt for p in SEVERITIES) for pt in design_points(spec)) == 2


def test_compare_without_arguments_runs_the_shipped_study(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # --replicates 2 and --serial keep the test short; everything else is the default
    assert main(["compare", "--replicates", "2", "--serial", "--no-progress"]) == 0
    out = capsys.readouterr().out
    store = tmp_path / "docsec-compare" / "store.sqlite"
    assert store.is_file() and (tmp_path / "docsec-compare" / "report.html").is_file()
    runs = load_runs(store)
    assert len(runs) == 2 * len(load_sweep(default_study()).points) and set(runs["replicate"]) == {0, 1}
    assert "Lax delegation (95% interval)" in out and "Strict custody (95% interval)" in out
    assert "External leaks (per 1,000 documents)" in out and "Custody hours per office day (hours)" in out
    assert "* Strict custody" in out
    assert "report: docsec-compare/report.html" in out
    assert load_provenance(store)["sweep_name"] == "compare"


def test_compare_options_reach_the_study(tmp_path, capsys):
    study = tiny_study(tmp_path)
    out_dir, report = tmp_path / "out", tmp_path / "elsewhere" / "r.html"
    code = main(["compare", "--study", str(study), "--out", str(out_dir), "--report", str(report),
                 "--replicates", "3", "--serial", "--confidence", "0.9", "--interval", "bootstrap"])
    assert code == 0
    captured = capsys.readouterr()
    runs = load_runs(out_dir / "store.sqlite")
    assert len(runs) == 4 * 3 and load_provenance(out_dir / "store.sqlite")["sweep_name"] == "tiny"
    assert report.is_file() and not (out_dir / "report.html").exists()
    assert "Lax delegation (90% interval)" in captured.out
    assert "on the serial engine" in captured.out
    html = report.read_text(encoding="utf-8")
    assert "90% interval" in html and "bias-corrected and accelerated (BCa) bootstrap" in html
    # the progress bar is on by default (on standard error)
    assert "run/s" in captured.err or "runs/s" in captured.err or "run]" in captured.err


def test_compare_again_reuses_the_same_study_made_by_the_same_code(tmp_path, capsys):
    study = tiny_study(tmp_path)
    args = ["compare", "--study", str(study), "--out", str(tmp_path / "o"), "--serial", "--no-progress"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 0
    assert "8 of 8 runs finished (0 this time" in capsys.readouterr().out


def test_compare_refuses_a_store_made_by_other_code_unless_fresh_or_resumed(tmp_path, capsys):
    import sqlite3

    study = tiny_study(tmp_path)
    out = tmp_path / "o"
    args = ["compare", "--study", str(study), "--out", str(out), "--serial", "--no-progress"]
    assert main(args) == 0
    with sqlite3.connect(out / "store.sqlite") as conn:  # as if an older revision had made it
        table = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
        assert "meta" in table
        conn.execute("update meta set value = '\"0000000\"' where key = 'git_revision'")
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "holds results made by other code (git_revision)" in err and "--fresh" in err
    assert main([*args, "--resume"]) == 0
    assert "8 of 8 runs finished (0 this time" in capsys.readouterr().out
    assert main([*args, "--fresh"]) == 0
    assert "8 of 8 runs finished (8 this time" in capsys.readouterr().out
    assert len(list(out.glob("store-*.sqlite"))) == 1  # the earlier store is kept aside


def test_compare_no_progress_hides_the_bar_and_workers_reach_the_engine(tmp_path, capsys):
    study = tiny_study(tmp_path, replicates=1)
    assert main(["compare", "--study", str(study), "--out", str(tmp_path / "o"), "--workers", "1",
                 "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "on the process engine, 1 worker)" in captured.out
    assert "run/s" not in captured.err and "%|" not in captured.err


@pytest.mark.parametrize("args, message", [
    (["--replicates", "0"], r"--replicates: must be an integer from 1 to 100000 \(got 0\)"),
    (["--workers", "0"], r"--workers: must be at least 1 \(got 0\)"),
    (["--confidence", "1.5"], r"--confidence: must be a number between 0 and 1, exclusive \(got 1.5\)"),
])
def test_compare_rejects_bad_options_without_running(tmp_path, capsys, args, message):
    import re

    assert main(["compare", "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err
    assert re.search(r"docsec compare: error: " + message, err)
    assert not (tmp_path / "o").exists()


def test_compare_rejects_a_missing_study_file(tmp_path, capsys):
    assert main(["compare", "--study", str(tmp_path / "none.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "none.toml: no such sweep file" in capsys.readouterr().err


def test_compare_rejects_an_unknown_interval_method(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--interval", "wald"])
    assert exc.value.code == 2
    assert "invalid choice: 'wald'" in capsys.readouterr().err


def test_compare_table_has_paired_intervals(tmp_path, capsys):
    study = tiny_study(tmp_path, replicates=3)
    assert main(["compare", "--study", str(study), "--out", str(tmp_path / "o"), "--serial", "--no-progress"]) == 0
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.startswith("External leaks")]
    assert lines, out
    # each row: lax (interval), strict (interval), paired difference (interval), change, pairs
    cells = lines[0].split("(per 1,000 documents)", 1)[1]
    assert cells.count("(") == 3 and cells.count(" to ") == 3 and cells.rstrip().endswith(" 3")
    change = cells.split()[-2]
    assert change.endswith("%") and not math.isnan(float(change.rstrip("%").replace("−", "-")))
