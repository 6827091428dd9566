"""``docsec scenarios`` and ``docsec show``."""

from __future__ import annotations

import json

from docsec.analysis.cli import build_parser, main
from docsec.scenarios.loader import list_scenarios, load_scenario
from docsec.sim.parameters import Parameters


def test_scenarios_lists_every_shipped_scenario_with_its_one_line_description(capsys):
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = list_scenarios()
    assert len(lines) == len(rows)
    for line, (name, summary) in zip(lines, rows, strict=True):
        assert line.startswith(name + " ") and line.endswith(summary)


def test_scenarios_paths(capsys):
    assert main(["scenarios", "--paths"]) == 0
    out = capsys.readouterr().out
    assert load_scenario("strict").source in out


def test_show_prints_the_resolved_scenario_as_a_loadable_file(tmp_path, capsys):
    assert main(["show", "crackdown"]) == 0
    text = capsys.readouterr().out
    assert "# extends strict -> default" in text
    assert 'custody.uncleared_may_handle = false  # default: true' in text
    assert "inspection.thoroughness = 0.6\n" in text                 # unchanged: no comment
    assert len([line for line in text.splitlines() if " = " in line and line[0].islower()
                and "." in line.split(" = ")[0] and not line.startswith("set.")]) == len(Parameters().flat())
    copy = tmp_path / "copy.toml"
    copy.write_text(text)
    again = load_scenario(str(copy))
    original = load_scenario("crackdown")
    assert again.params == original.params and again.timeline == original.timeline


def test_show_changed_only(capsys):
    assert main(["show", "railway-factory", "--changed"]) == 0
    text = capsys.readouterr().out
    shown = [line.split(" = ")[0] for line in text.split("[parameters]\n")[1].split("\n\n")[0].splitlines()]
    s = load_scenario("railway-factory").params.flat()
    defaults = Parameters().flat()
    assert sorted(shown) == sorted(k for k in s if s[k] != defaults[k])
    assert 'offices = ["Railway Factory"]' in text and 'custodian = "vice secretary"' in text


def test_show_json(capsys):
    assert main(["show", "phone-crackdown", "--json", "--changed"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["name"] == "phone-crackdown" and payload["parameters"] == {}
    assert payload["timeline"] == [{"day": 183, "note": "crackdown on illegal phones",
                                    "set": {"external_channel.strength": 0.02}}]
    assert payload["source_hash"] == load_scenario("phone-crackdown").source_hash


def test_show_unknown_scenario_is_one_line_exit_2(capsys):
    assert main(["show", "railway"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("docsec show: error: unknown scenario 'railway'") and err.count("\n") == 1


def test_help_documents_every_option():
    choices = next(a for a in build_parser()._actions if a.dest == "command").choices
    for command in ("scenarios", "show"):
        sub = choices[command]
        text = sub.format_help()
        for action in sub._actions:
            assert action.help and all(flag in text for flag in action.option_strings)
