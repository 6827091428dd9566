"""``docsec run``: scenario argument, every flag reaching what it controls, narration and files."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from docsec.analysis.cli import build_parser, main
from docsec.scenarios.loader import load_scenario
from docsec.sim import __version__
from docsec.sim.events import EVENT_FIELDS, Action
from docsec.sim.metrics import COUNTER_NAMES


def run_json(capsys, *argv):
    assert main(["run", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def error_of(capsys, *argv) -> str:
    assert main(["run", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.count("\n") == 1
    return captured.err.strip()


def test_default_scenario_when_none_is_named(capsys):
    assert main(["run", "--days", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("default: 20 offices, 5 days, seed 0")
    assert "external_leaks_per_1000_docs" in out


def test_a_shipped_scenario_by_name(capsys):
    payload = run_json(capsys, "railway-factory", "--days", "40")
    s = load_scenario("railway-factory")
    assert payload["scenario"] == "railway-factory"
    assert payload["scenario_hash"] == s.source_hash and payload["scenario_source"] == s.source
    assert payload["parameters"]["population.offices"] == 1
    assert payload["parameters"]["run.days"] == 40
    assert payload["provenance"]["docsec_version"] == __version__


def test_a_user_file_by_path(tmp_path, capsys):
    path = tmp_path / "two.toml"
    path.write_text('[scenario]\ndescription = "Two offices."\n[parameters]\npopulation.offices = 2\nrun.days = 7\n')
    payload = run_json(capsys, str(path))
    assert payload["scenario"] == "two" and payload["parameters"]["population.offices"] == 2
    assert payload["parameters"]["run.days"] == 7


def test_seed_reaches_the_run(capsys):
    a = run_json(capsys, "lax", "--days", "30", "--seed", "1")
    b = run_json(capsys, "lax", "--days", "30", "--seed", "1")
    c = run_json(capsys, "lax", "--days", "30", "--seed", "2")
    assert a["seed"] == 1 and a["summary"] == b["summary"] and a["summary"] != c["summary"]


def test_set_applies_on_top_of_the_scenario(capsys):
    payload = run_json(capsys, "strict", "--days", "3", "--set", "penalty.dismissal_severity=700",
                       "--set", "custody.key_sharing_permitted=true")
    assert payload["parameters"]["penalty.dismissal_severity"] == 700.0
    assert payload["parameters"]["custody.key_sharing_permitted"] is True
    assert payload["parameters"]["custody.uncleared_may_handle"] is False  # still strict


def test_timeline_takes_effect_and_days_shorter_than_an_intervention_are_noted(capsys):
    full = run_json(capsys, "crackdown", "--days", "200")
    assert full["parameters"]["penalty.dismissal_severity"] == 200.0           # as the run started
    assert full["parameters_at_end"]["penalty.dismissal_severity"] == 1000.0   # after the crackdown
    assert full["spec_hash"] == load_scenario("crackdown").params.with_overrides({"run.days": 200}).spec_hash()
    assert [iv["day"] for iv in full["timeline"]] == [183, 183]
    assert main(["run", "crackdown", "--days", "100", "--json"]) == 0
    captured = capsys.readouterr()
    short = json.loads(captured.out)
    assert short["parameters_at_end"]["penalty.dismissal_severity"] == 200.0 and short["timeline"] == []
    assert captured.err.count("note: the intervention on day 183") == 2


def test_narrate_prints_sentences_then_the_summary(capsys):
    assert main(["run", "railway-factory", "--days", "40", "--narrate", "--kind", "key_handed,warning"]) == 0
    out = capsys.readouterr().out
    story, summary = out.split("\n\n", 1)
    lines = story.splitlines()
    assert lines and all(line.startswith("Day ") and " — Railway Factory: the vice secretary O-" in line
                         for line in lines)
    assert any("handed the storage-room key" in line for line in lines)
    assert any("received warning 1" in line for line in lines)
    assert summary.startswith("railway-factory: 1 office, 40 days, seed 0")


def test_narrate_filters_office_and_first(capsys):
    assert main(["run", "lecture-materials", "--days", "20", "--narrate", "--all", "--office", "Mine",
                 "--first", "6"]) == 0
    story = capsys.readouterr().out.split("\n\n", 1)[0].splitlines()
    assert len(story) == 6
    assert all(" — Mine: " in line for line in story)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_events_file_with_provenance(tmp_path, capsys, fmt):
    path = tmp_path / f"log.{fmt}"
    assert main(["run", "favours-for-documents", "--days", "60", "--seed", "3", "--events", str(path),
                 "--kind", "favour_trade,leaked"]) == 0
    assert "favours-for-documents: 1 office" in capsys.readouterr().out
    if fmt == "csv":
        rows = list(csv.DictReader(path.open()))
    else:
        rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert rows
    assert set(rows[0]) >= {*EVENT_FIELDS, "office_name", "scenario", "scenario_hash", "seed", "spec_hash",
                            "docsec_version", "git_revision", "mesa_version"}
    assert {r["action"] for r in rows} <= {Action.FAVOUR.value, Action.LEAKED.value}
    assert {str(r["seed"]) for r in rows} == {"3"}
    assert {r["scenario_hash"] for r in rows} == {load_scenario("favours-for-documents").source_hash}
    assert {r["office_name"] for r in rows} == {"Convenience Office"}


def test_daily_file_with_provenance(tmp_path, capsys):
    path = tmp_path / "daily.csv"
    assert main(["run", "lax", "--days", "12", "--daily", str(path)]) == 0
    table = pd.read_csv(path)
    assert list(table.columns[:1 + len(COUNTER_NAMES)]) == ["day", *COUNTER_NAMES]
    assert len(table) == 12 and set(table["scenario"]) == {"lax"} and set(table["seed"]) == {0}


def test_list_parameters_and_kinds(capsys):
    assert main(["run", "--list-parameters"]) == 0
    assert "penalty.dismissal_severity" in capsys.readouterr().out
    assert main(["run", "--list-kinds"]) == 0
    assert capsys.readouterr().out.split() == [a.value for a in Action]


# -- mistakes: one line, exit 2, nothing written ---------------------------------------------------------------
def test_unknown_scenario(capsys):
    assert error_of(capsys, "strcit").startswith("docsec run: error: unknown scenario 'strcit' (did you mean "
                                                 "'strict'?)")


def test_bad_set(capsys):
    assert error_of(capsys, "lax", "--set", "penalty.dismisal_severity=3").startswith(
        "docsec run: error: --set penalty.dismisal_severity: unknown parameter")


def test_bad_days(capsys):
    assert error_of(capsys, "lax", "--days", "0") == "docsec run: error: --days: must be an integer from 1 to 36500 " \
                                                     "(got 0)"


def test_filters_without_narrate_or_events(capsys):
    assert "filter the events of --narrate or --events" in error_of(capsys, "lax", "--kind", "warning")


def test_bad_kind_and_office_and_first(capsys):
    assert "--kind warnin: unknown kind of event (did you mean 'warning'?)" in error_of(
        capsys, "lax", "--narrate", "--kind", "warnin")
    assert "--office 21: no such office" in error_of(capsys, "lax", "--narrate", "--office", "21")
    assert "--first -1: must be a whole number" in error_of(capsys, "lax", "--narrate", "--first", "-1")


def test_bad_events_file_is_refused_before_running_and_touches_nothing(tmp_path, capsys):
    earlier = tmp_path / "log.txt"
    earlier.write_text("earlier")
    assert "unknown file type '.txt'" in error_of(capsys, "lax", "--events", str(earlier))
    assert earlier.read_text() == "earlier"
    assert "does not exist" in error_of(capsys, "lax", "--events", str(tmp_path / "no" / "log.csv"))
    assert "is a directory" in error_of(capsys, "lax", "--daily", str(tmp_path))


def test_narrate_and_json_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "--narrate", "--json"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_help_documents_every_option():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["run"]
    text = sub.format_help()
    for action in sub._actions:
        for flag in action.option_strings:
            assert flag in text
        assert action.help, action.dest
    assert "SCENARIO" in text
