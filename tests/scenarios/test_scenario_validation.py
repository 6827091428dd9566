"""Every mistake in a scenario file or name: one line naming the file, the key's full path and what is allowed."""

from __future__ import annotations

import re

import pytest

from docsec.analysis.cli import main
from docsec.scenarios.loader import ScenarioError, load_scenario

HEAD = '[scenario]\ndescription = "x"\n'

#: (case id, file text, expected key path after "file:", a fragment of the message)
BAD_FILES = [
    ("unknown table", '[scenaro]\ndescription = "x"\n', "scenaro",
     "unknown table; allowed: scenario, parameters, timeline, office, narration (did you mean 'scenario'?)"),
    ("group outside [parameters]", HEAD + "[penalty]\nwarning_severity = 1\n", "penalty",
     "parameters go under [parameters], e.g. [parameters.penalty]"),
    ("unknown key in [scenario]", '[scenario]\ndescripton = "x"\n', "scenario.descripton",
     "unknown key; allowed in [scenario]: name, description, extends (did you mean 'description'?)"),
    ("missing description", '[scenario]\nname = "x"\n', "scenario.description", "missing; describe"),
    ("missing [scenario]", "[parameters]\npopulation.offices = 2\n", "scenario", "missing; a scenario needs"),
    ("[scenario] not a table", 'scenario = "x"\n', "scenario", "must be a table [scenario]"),
    ("description of wrong type", "[scenario]\ndescription = 3\n", "scenario.description",
     "must be a non-empty string (got 3)"),
    ("empty description", '[scenario]\ndescription = "  "\n', "scenario.description", "must be a non-empty string"),
    ("unknown parameter group", HEAD + "[parameters]\npenalti.warning_severity = 1\n",
     "parameters.penalti.warning_severity", "group one of population, documents, behaviour, custody, "
                                            "penalty, inspection, investigation, education, external_channel, run "
                                            "(did you mean 'penalty'?)"),
    ("unknown parameter name", HEAD + "[parameters]\npenalty.warning_severty = 1\n",
     "parameters.penalty.warning_severty", "unknown parameter; allowed in penalty: warnings_before_dismissal, "
                                           "warning_severity"),
    ("parameter without its group", HEAD + "[parameters]\noffices = 1\n", "parameters.offices",
     "a parameter is addressed as group.name (did you mean 'population.offices'?)"),
    ("[parameters] not a table", "parameters = 3\n" + HEAD, "parameters",
     "must be a table of parameters as group.name = value"),
    ("wrong type for a rule", HEAD + '[parameters]\ncustody.uncleared_may_handle = "no"\n',
     "parameters.custody.uncleared_may_handle", "must be true or false (got 'no')"),
    ("wrong type for a number", HEAD + '[parameters]\npenalty.dismissal_severity = "high"\n',
     "parameters.penalty.dismissal_severity", "must be a number from 0 to 10000000 (got 'high')"),
    ("fraction for an integer", HEAD + "[parameters]\npopulation.offices = 2.5\n",
     "parameters.population.offices", "must be an integer from 1 to 100000 (got 2.5)"),
    ("out of range", HEAD + "[parameters]\ninspection.thoroughness = 1.5\n", "parameters.inspection.thoroughness",
     "must be a number from 0 to 1 (got 1.5)"),
    ("unknown choice", HEAD + '[parameters]\npenalty.scaling = "unifrom"\n', "parameters.penalty.scaling",
     "must be one of proportional, convex, uniform (got 'unifrom') (did you mean 'uniform'?)"),
    ("a list for a value", HEAD + "[parameters]\npenalty.warning_severity = [1, 2]\n",
     "parameters.penalty.warning_severity", "(got [1, 2])"),
    ("a table below a parameter", HEAD + "[parameters.penalty.ladder]\nsteps = 1\n", "parameters.penalty.ladder",
     "must be a value, not a table"),
    ("shares above one", HEAD + "[parameters]\ndocuments.share_secret = 0.8\ndocuments.share_top_secret = 0.3\n",
     "parameters.documents.share_top_secret", "must not exceed 1 (got 0.8 + 0.3)"),
    ("extends of wrong type", '[scenario]\ndescription = "x"\nextends = ["lax"]\n', "scenario.extends",
     "must be a non-empty string (got ['lax'])"),
    ("extends an unknown scenario", '[scenario]\ndescription = "x"\nextends = "strickt"\n', "scenario.extends",
     "unknown scenario 'strickt' (did you mean 'strict'?); allowed: default, lax, strict"),
    ("extends a missing file", '[scenario]\ndescription = "x"\nextends = "nothere.toml"\n', "scenario.extends",
     "'nothere.toml' does not exist"),
    ("extends itself", '[scenario]\ndescription = "x"\nextends = "s.toml"\n', "scenario.extends",
     "makes a cycle: s.toml -> s.toml"),
    ("timeline not an array of tables", HEAD + "[timeline]\nday = 3\n", "timeline",
     "must be an array of tables, written [[timeline]]"),
    ("intervention on day 0", HEAD + "[[timeline]]\nday = 0\nset.penalty.warning_severity = 1\n",
     "timeline[0].day", "must be a day from 1 to run.days = 365 (got 0)"),
    ("intervention after the run", HEAD + "[[timeline]]\nday = 400\nset.penalty.warning_severity = 1\n",
     "timeline[0].day", "must be a day from 1 to run.days = 365 (got 400)"),
    ("intervention after a shortened run", HEAD + "[parameters]\nrun.days = 30\n"
                                                  "[[timeline]]\nday = 31\nset.penalty.warning_severity = 1\n",
     "timeline[0].day", "must be a day from 1 to run.days = 30 (got 31)"),
    ("intervention day not a whole number", HEAD + "[[timeline]]\nday = 3.5\nset.penalty.warning_severity = 1\n",
     "timeline[0].day", "(got 3.5)"),
    ("intervention without a day", HEAD + "[[timeline]]\nset.penalty.warning_severity = 1\n", "timeline[0].day",
     "missing; the day (1 to run.days = 365)"),
    ("intervention without set", HEAD + "[[timeline]]\nday = 3\n", "timeline[0].set", "missing; the parameters"),
    ("intervention setting nothing", HEAD + "[[timeline]]\nday = 3\nset = {}\n", "timeline[0].set", "sets nothing"),
    ("unknown key in an intervention", HEAD + '[[timeline]]\nday = 3\nnotes = "x"\nset.penalty.warning_severity = 1\n',
     "timeline[0].notes", "unknown key; allowed: day, note, set (did you mean 'note'?)"),
    ("intervention on an unknown parameter",
     HEAD + "[[timeline]]\nday = 3\nset.penalty.warning_severity = 1\n"
            "[[timeline]]\nday = 2\nset.penalty.warning_severty = 1\n",
     "timeline[1].set.penalty.warning_severty", "(did you mean 'warning_severity'?)"),
    ("intervention with a bad value", HEAD + "[[timeline]]\nday = 3\nset.penalty.warning_severity = -1\n",
     "timeline[0].set.penalty.warning_severity", "must be a number from 0 to 1000000"),
    ("intervention on a fixed parameter", HEAD + "[[timeline]]\nday = 3\nset.population.offices = 3\n",
     "timeline[0].set.population.offices", "cannot be changed during a run"),
    ("intervention note of wrong type", HEAD + "[[timeline]]\nday = 3\nnote = 5\nset.penalty.warning_severity = 1\n",
     "timeline[0].note", "must be a non-empty string (got 5)"),
    ("interventions that clash", HEAD + "[[timeline]]\nday = 3\nset.documents.share_secret = 0.8\n"
                                        "[[timeline]]\nday = 4\nset.documents.share_top_secret = 0.3\n",
     "timeline[1].set.documents.share_top_secret", "must not exceed 1"),
    ("too many office names", HEAD + '[parameters]\npopulation.offices = 1\n[narration]\noffices = ["a", "b"]\n',
     "narration.offices", "names 2 offices but the organisation has population.offices = 1"),
    ("repeated office name", HEAD + '[narration]\noffices = ["a", "a"]\n', "narration.offices[1]",
     "repeats the name 'a'"),
    ("office names not a list", HEAD + '[narration]\noffices = "a"\n', "narration.offices",
     "must be a list of office names (got 'a')"),
    ("unknown narration key", HEAD + '[narration]\ncustodain = "a"\n', "narration.custodain",
     "unknown key; allowed in [narration]: offices, custodian, deputy (did you mean 'custodian'?)"),
    ("malformed TOML", HEAD + "[parameters]\npopulation.offices = \n", None,
     "malformed TOML: Invalid value (at line 4, column 22)"),
    ("empty file", "", None, "empty scenario file"),
    ("only comments", "# nothing yet\n\n", None, "empty scenario file"),
]

def error_of(arg) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(arg)
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(("text", "key", "fragment"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_scenario_file(tmp_path, text, key, fragment):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    message = error_of(str(path))
    prefix = f"{path}:{key}: " if key else f"{path}: "
    assert message.startswith(prefix), message
    assert fragment in message, message


def test_intervention_that_is_not_a_table(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("timeline = [3]\n" + HEAD)
    assert error_of(str(path)) == f"{path}:timeline[0]: must be a table with day, note and set (got 3)"


def test_cycle_through_two_files(tmp_path):
    (tmp_path / "a.toml").write_text('[scenario]\ndescription = "a"\nextends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('[scenario]\ndescription = "b"\nextends = "a.toml"\n')
    message = error_of(str(tmp_path / "a.toml"))
    assert message == f"{tmp_path / 'b.toml'}:scenario.extends: 'a.toml' makes a cycle: a.toml -> b.toml -> a.toml"


def test_error_in_an_extended_file_names_that_file(tmp_path):
    (tmp_path / "base.toml").write_text(HEAD + "[parameters]\ninspection.thoroughness = 2\n")
    (tmp_path / "child.toml").write_text('[scenario]\ndescription = "c"\nextends = "base.toml"\n')
    assert error_of(str(tmp_path / "child.toml")).startswith(f"{tmp_path / 'base.toml'}:parameters.inspection")


def test_shortened_run_before_an_inherited_intervention(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text('[scenario]\ndescription = "x"\nextends = "crackdown"\n[parameters]\nrun.days = 100\n')
    assert error_of(str(path)) == (f"{path}:parameters.run.days: 100 ends the run before the intervention on day 183 "
                                   "inherited from 'crackdown'; allowed: at least 183")


def test_not_utf8(tmp_path):
    path = tmp_path / "s.toml"
    path.write_bytes(b"\xff\xfe[scenario]")
    assert error_of(str(path)).startswith(f"{path}: is not UTF-8 text")


def test_a_directory(tmp_path):
    assert error_of(str(tmp_path)) == f"{tmp_path}: is a directory, not a scenario file (give a .toml file)"


def test_a_missing_file(tmp_path):
    assert error_of(str(tmp_path / "nothere.toml")) == f"{tmp_path / 'nothere.toml'}: no such scenario file"


def test_an_unknown_scenario_name():
    message = error_of("strcit")
    assert message.startswith("unknown scenario 'strcit' (did you mean 'strict'?); shipped scenarios: default, lax, "
                              "strict")
    assert message.endswith("or give the path of a .toml file")


def test_no_scenario_given():
    assert "no scenario given" in error_of("")


@pytest.mark.parametrize("command", ["run", "show"])
def test_cli_prints_one_line_and_exits_2(tmp_path, capsys, command):
    path = tmp_path / "bad.toml"
    path.write_text(HEAD + "[parameters]\ninspection.thoroughnes = 0.5\n")
    assert main([command, str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.match(rf"docsec {command}: error: {re.escape(str(path))}:parameters\.inspection\.thoroughnes: "
                    r"unknown parameter; .*\(did you mean 'thoroughness'\?\)", err)
