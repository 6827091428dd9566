"""Hostile input: parameters given twice, deep nesting, files that are not regular files, usage mistakes,
sizes beyond the machine, names and paths that lead elsewhere. One line each, exit 2, nothing written."""

from __future__ import annotations

import os
import time

import pytest

from docsec.scenarios.loader import ScenarioError, load_scenario, shipped_names, shipped_scenario

DEEP = "[" * 3000 + "]" * 3000


@pytest.mark.parametrize("kind", ["sweep", "run"])
def test_a_parameter_given_twice_quoted_and_in_its_group_is_refused(kind, tmp_path, docsec, rel):
    if kind == "sweep":
        path = tmp_path / "twice.toml"
        path.write_text('[sweep]\nreplicates = 1\n[parameters]\n"penalty.dismissal_severity" = 5.0\n'
                        '[parameters.penalty]\ndismissal_severity = 6.0\n')
    else:
        path = tmp_path / "twice-scenario.toml"
        path.write_text('[scenario]\ndescription = "x"\n[parameters]\n"penalty.dismissal_severity" = 5.0\n'
                        '[parameters.penalty]\ndismissal_severity = 6.0\n')
    line = rel.one_line(docsec(kind, str(path)))
    assert line.endswith("parameters.penalty.dismissal_severity: is given twice (as a quoted \"group.name\" key "
                         "and within its group); give each parameter once")


def test_set_given_twice_is_refused(docsec, rel):
    line = rel.one_line(docsec("run", "--set", "run.days=5", "--set", "run.days=6"))
    assert line == "docsec run: error: --set run.days: is given twice (5 and 6); give each parameter once"


def test_deeply_nested_arrays_are_one_line(tmp_path, rel):
    sweep = tmp_path / "deep.toml"
    sweep.write_text(f"[sweep]\nreplicates = 1\n[parameters]\nrun.days = {DEEP}\n")
    scenario = tmp_path / "deep-scenario.toml"
    scenario.write_text(f'[scenario]\ndescription = "x"\n[parameters]\nrun.days = {DEEP}\n')
    for args in (["sweep", str(sweep)], ["run", str(scenario)], ["run", "--set", f"run.days={DEEP}"]):
        line = rel.one_line(rel.cli(*args, cwd=tmp_path))
        assert "nest" in line and "too deeply" in line


def test_only_regular_files_are_read(tmp_path, rel, docsec):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    start = time.monotonic()
    for args, words in ((["run", "/dev/zero"], "is not a regular file"), (["run", str(fifo)], "is not a regular file"),
                        (["sweep", str(fifo)], "is not a file"), (["show", "/dev/zero"], "is not a regular file")):
        line = rel.one_line(docsec(*args))
        assert words in line, line
    assert time.monotonic() - start < 60  # nothing blocked on the FIFO or read /dev/zero to its end
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (2 * 1024 * 1024))
    assert "larger than 1 MB" in rel.one_line(docsec("run", str(big)))


def test_a_usage_mistake_is_one_line_naming_the_option_with_the_help_hint(tmp_path, rel):
    line = rel.one_line(rel.cli("sweep", "x.toml", "--workers", "two", cwd=tmp_path))
    assert line == "docsec sweep: error: argument --workers: invalid int value: 'two' (see: docsec sweep --help)"


def test_usage_mistake_messages_name_the_option_and_hint(docsec, rel):
    for args, prog in ((["run", "--seed"], "docsec run"), (["export", "s", "--csv", "--bogus"], "docsec export"),
                       (["frob"], "docsec")):
        line = rel.one_line(docsec(*args))
        assert line.startswith(f"{prog}: error: ") and line.endswith(f"(see: {prog} --help)")


def test_a_sweep_of_ten_trillion_runs_is_refused_at_once(tmp_path, rel):
    path = tmp_path / "huge.toml"
    axes = "\n".join(f"behaviour.{name} = [{', '.join(str(0.01 * i) for i in range(1, 11))}]"
                     for name in ("workload_pressure", "workload_variability", "corruptibility_mean",
                                  "trait_dispersion"))
    path.write_text(f"[sweep]\nreplicates = 1000000\ndays = 5\n[parameters]\n{axes}\n"
                    "penalty.dismissal_severity = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]\n")
    start = time.monotonic()
    line = rel.one_line(rel.cli("sweep", str(path), "--out", str(tmp_path / "huge.sqlite"), cwd=tmp_path))
    assert time.monotonic() - start < 60
    assert "100,000 design points x 1,000,000 replicates = 100,000,000,000 runs" in line
    assert "an estimate" in line and "reduce the design or the replicates" in line
    assert not (tmp_path / "huge.sqlite").exists()


def test_an_organisation_at_the_declared_bounds_is_refused_with_its_estimate(docsec, rel):
    line = rel.one_line(docsec("run", "--set", "population.offices=100000", "--set",
                               "population.workers_per_office=500"))
    assert line.startswith("docsec run: error: population: a run of 100,000 offices x 502 people")
    assert "(an estimate)" in line and line.endswith("or add --force")


def test_workers_beyond_the_runs_or_cores_are_capped_with_a_note(docsec, sweep_file, tmp_path):
    proc = docsec("sweep", str(sweep_file), "--out", str(tmp_path / "c.sqlite"), "--workers", "500",
                  "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "note: --workers 500 capped at 4 (only 4 runs to do)" in proc.stderr
    from docsec.analysis.results import load_provenance

    assert load_provenance(tmp_path / "c.sqlite")["sessions"][0]["workers"] == 4


def test_a_sweep_name_that_leads_out_of_its_folder_is_refused(tmp_path, docsec, rel, monkeypatch):
    path = tmp_path / "sly.toml"
    path.write_text('[sweep]\nname = "../../escaped"\nreplicates = 1\n')
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    line = rel.one_line(docsec("sweep", str(path)))
    assert "sweep.name: must be a name of letters, digits" in line
    assert not list(tmp_path.rglob("escaped*"))


def test_extends_reads_only_shipped_scenarios_and_files_in_its_folder(tmp_path):
    secret = tmp_path / "secret.toml"
    secret.write_text("password = 'hunter2'\n")
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "link.toml").symlink_to(secret)
    for target in (str(secret), "../secret.toml", "link.toml", "/etc/passwd"):
        child = folder / "child.toml"
        child.write_text(f'[scenario]\ndescription = "c"\nextends = "{target}"\n')
        with pytest.raises(ScenarioError) as err:
            load_scenario(child)
        message = str(err.value)
        assert "scenario.extends" in message and "hunter2" not in message and "password" not in message
        assert len(message.splitlines()) == 1
    (folder / "base.toml").write_text('[scenario]\ndescription = "b"\n[parameters]\nrun.days = 9\n')
    child.write_text('[scenario]\ndescription = "c"\nextends = "base.toml"\n')
    assert load_scenario(child).params.run.days == 9


def test_shipped_scenario_accepts_only_shipped_names():
    assert shipped_scenario("strict").name == "strict"
    for value in ("../scenarios/strict.toml", "/etc/passwd", "strict.toml", "", None, 3):
        with pytest.raises(ScenarioError, match="is not a shipped scenario; allowed: " + ", ".join(shipped_names())):
            shipped_scenario(value)


def test_narration_names_never_become_spreadsheet_formulas(tmp_path, docsec):
    import csv

    path = tmp_path / "formulas.toml"
    path.write_text('[scenario]\nname = "=cmd"\ndescription = "x"\n[parameters]\npopulation.offices = 2\n'
                    'run.days = 20\n[narration]\noffices = ["=HYPERLINK(\\"http://x\\")", "+1+1"]\n'
                    'custodian = "@boss"\ndeputy = "-deputy"\n')
    events, daily = tmp_path / "events.csv", tmp_path / "daily.csv"
    proc = docsec("run", str(path), "--events", str(events), "--daily", str(daily))
    assert proc.returncode == 0, proc.stderr
    for file in (events, daily):
        cells = [cell for row in csv.reader(file.open()) for cell in row]
        assert cells and not [c for c in cells if c[:1] in ("=", "+", "@")], file
    names = {row["office_name"] for row in csv.DictReader(events.open())}
    assert "'=HYPERLINK(\"http://x\")" in names
