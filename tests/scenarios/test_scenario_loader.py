"""Loading scenarios: shipped names and user files, extends, timelines, narration names, hashes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from docsec.scenarios.export import to_toml
from docsec.scenarios.loader import Narration, Scenario, ScenarioError, list_scenarios, load_scenario, shipped_names
from docsec.sim.errors import InputError
from docsec.sim.events import Action
from docsec.sim.interventions import Intervention
from docsec.sim.parameters import Parameters
from docsec.sim.run import run_simulation

CASE_SCENARIOS = ("railway-factory", "favours-for-documents", "no-records", "lecture-materials", "crackdown")


def write(folder: Path, text: str, name: str = "mine.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_is_the_default_parameters_with_no_timeline():
    s = load_scenario("default")
    assert isinstance(s, Scenario)
    assert s.params == Parameters()
    assert s.timeline == ()
    assert s.params.custody.uncleared_may_handle and s.params.custody.key_sharing_permitted


def test_lax_and_strict_differ_only_in_the_custody_regime():
    lax, strict = load_scenario("lax").params.flat(), load_scenario("strict").params.flat()
    assert lax == Parameters().flat()
    differing = {k for k in lax if lax[k] != strict[k]}
    assert differing == {"custody.uncleared_may_handle", "custody.key_sharing_permitted"}
    assert strict["custody.uncleared_may_handle"] is False and strict["custody.key_sharing_permitted"] is False


def test_every_shipped_scenario_loads_with_its_file_name_and_a_description():
    names = shipped_names()
    assert names[:3] == ["default", "lax", "strict"]
    assert set(CASE_SCENARIOS) <= set(names)
    for name in names:
        s = load_scenario(name)
        assert s.name == name == Path(s.source).stem
        assert s.summary and len(s.summary) < 200
        assert len(s.source_hash) == 64


def test_case_scenarios_name_the_observations_they_draw_on():
    for name in CASE_SCENARIOS:
        assert "(O" in load_scenario(name).summary, name


def test_list_scenarios_gives_name_and_one_line_description():
    rows = list_scenarios()
    assert [n for n, _ in rows] == shipped_names()
    assert all("\n" not in d and d for _, d in rows)
    assert dict(rows)["strict"].startswith("Strict custody")


def test_shipped_scenarios_are_found_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_scenario("lax")
    assert Path(s.source).parent == Path(__file__).resolve().parents[2] / "scenarios"


def test_a_shipped_name_wins_over_a_folder_of_that_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "strict").mkdir()
    assert load_scenario("strict").params.custody.uncleared_may_handle is False


def test_a_user_file_by_path_with_groups_as_tables_or_dotted_keys(tmp_path):
    path = write(tmp_path, """
[scenario]
description = "Mine: a small organisation."

[parameters]
population.offices = 3
"penalty.dismissal_severity" = 500

[parameters.inspection]
thoroughness = 0.9
""")
    s = load_scenario(str(path))
    assert s.name == "mine" and s.description == "Mine: a small organisation."
    assert s.params.population.offices == 3
    assert s.params.penalty.dismissal_severity == 500.0
    assert s.params.inspection.thoroughness == 0.9
    assert s.source == str(path)
    assert s.source_hash == hashlib.sha256(path.read_text().encode()).hexdigest()
    assert load_scenario(path).params == s.params  # a Path works as well as a string


def test_name_key_overrides_the_file_name(tmp_path):
    path = write(tmp_path, '[scenario]\nname = "my-regime"\ndescription = "x"\n')
    assert load_scenario(str(path)).name == "my-regime"


def test_extends_a_shipped_scenario_and_overrides_it(tmp_path):
    path = write(tmp_path, """
[scenario]
description = "Strict, with harsher dismissal."
extends = "strict"

[parameters]
penalty.dismissal_severity = 900
custody.key_sharing_permitted = true
""")
    s = load_scenario(str(path))
    assert s.extends == ("strict", "default")
    assert s.params.custody.uncleared_may_handle is False          # from strict
    assert s.params.custody.key_sharing_permitted is True          # overridden here
    assert s.params.penalty.dismissal_severity == 900.0


def test_extends_a_file_relative_to_the_extending_file(tmp_path, monkeypatch):
    sub = tmp_path / "mine"
    sub.mkdir()
    write(sub, """
[scenario]
description = "Base."
[parameters]
population.offices = 2
[narration]
offices = ["North", "South"]
custodian = "secretary"
[[timeline]]
day = 50
set.external_channel.strength = 0.05
""", "base.toml")
    child = write(sub, """
[scenario]
description = "Child."
extends = "base.toml"
[parameters]
run.days = 100
[narration]
deputy = "vice secretary"
[[timeline]]
day = 10
note = "education begins"
set.education.campaign_interval_days = 30
""", "child.toml")
    monkeypatch.chdir(tmp_path)  # the relative path is taken from the child's folder, not from here
    s = load_scenario(str(child))
    assert s.params.population.offices == 2 and s.params.run.days == 100
    assert [iv.day for iv in s.timeline] == [10, 50]
    assert s.timeline[0] == Intervention(10, {"education.campaign_interval_days": 30}, "education begins")
    assert s.narration == Narration(offices=("North", "South"), custodian="secretary", deputy="vice secretary")
    assert s.extends == ("base",)


def test_hash_of_an_extending_scenario_follows_its_resolved_content(tmp_path):
    base = write(tmp_path, '[scenario]\ndescription = "b"\n[parameters]\nbehaviour.favour_value = 10\n', "base.toml")
    child_text = '[scenario]\ndescription = "c"\nextends = "base.toml"\n'
    child = write(tmp_path, child_text, "child.toml")
    first = load_scenario(str(child)).source_hash
    write(tmp_path, "# only a comment\n" + child_text, "child.toml")
    assert load_scenario(str(child)).source_hash == first      # same resolved content, same hash
    base.write_text('[scenario]\ndescription = "b"\n[parameters]\nbehaviour.favour_value = 11\n')
    assert load_scenario(str(child)).source_hash != first      # the parent changed what the child runs


def test_interventions_are_validated_values_and_take_effect_on_their_day(tmp_path):
    path = write(tmp_path, """
[scenario]
description = "A crackdown on day 5."
[parameters]
population.offices = 2
run.days = 10
[[timeline]]
day = 5
note = "harsher punishment announced"
set = { "penalty.dismissal_severity" = 1000, "penalty.scaling" = "uniform" }
""")
    s = load_scenario(str(path))
    (iv,) = s.timeline
    assert iv.set == {"penalty.dismissal_severity": 1000.0, "penalty.scaling": "uniform"}
    result = run_simulation(s.params, 1, timeline=s.timeline, record_events=True)
    notes = [e for e in result.events if e.action is Action.INTERVENTION]
    assert [(e.day, e.detail) for e in notes] == [(5, "harsher punishment announced")]
    assert result.params.penalty.dismissal_severity == 1000.0


def test_shown_scenario_loads_back_to_the_same_scenario(tmp_path):
    for name in ("railway-factory", "crackdown"):
        original = load_scenario(name)
        copy = load_scenario(str(write(tmp_path, to_toml(original), f"{name}-copy.toml")))
        assert copy.params == original.params
        assert copy.timeline == original.timeline
        assert copy.narration == original.narration
        assert copy.description == original.description
        assert copy.name == name


def test_scenario_error_is_an_input_error():
    assert issubclass(ScenarioError, InputError)
    err = ScenarioError("a.toml", "parameters.x", "bad")
    assert str(err) == "a.toml:parameters.x: bad"
    assert (err.file, err.key, err.message) == ("a.toml", "parameters.x", "bad")


def test_every_scenario_file_is_a_shipped_scenario():
    folder = Path(__file__).resolve().parents[2] / "scenarios"
    assert sorted(p.stem for p in folder.glob("*.toml")) == sorted(shipped_names())
    assert all(os.access(folder / f"{n}.toml", os.R_OK) for n in shipped_names())
