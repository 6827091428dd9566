"""[[office]] tables: per-office parameters in scenario files."""

import pytest

from docsec.scenarios.export import to_toml
from docsec.scenarios.loader import ScenarioError, load_scenario
from docsec.sim.events import Action
from docsec.sim.model import DocSecModel
from docsec.sim.violations import ViolationKind

HEAD = '[scenario]\ndescription = "test"\n[parameters]\npopulation.offices = 4\n'
FACTORY = HEAD + """
[[office]]
number = 2
note = "the railway factory"
set.behaviour.workload_pressure = 3.0
set.documents.key_keeping_hours = 2.0
set.custody.key_sharing_permitted = false
"""


def test_office_table_becomes_a_profile_and_reaches_the_model(tmp_path):
    path = tmp_path / "f.toml"
    path.write_text(FACTORY)
    scenario = load_scenario(str(path))
    (profile,) = scenario.office_profiles
    assert profile.office == 2 and profile.note == "the railway factory"
    assert profile.set == {"behaviour.workload_pressure": 3.0, "documents.key_keeping_hours": 2.0,
                           "custody.key_sharing_permitted": False}
    key_violations = {}
    for seed in range(3):
        model = DocSecModel(scenario.params.with_overrides({"run.days": 60}),
                            office_profiles=scenario.office_profiles, record_events=True, rng=seed)
        factory, other = model.offices[1].params, model.offices[0].params
        assert (factory.behaviour.workload_pressure, factory.documents.key_keeping_hours,
                factory.custody.key_sharing_permitted) == (3.0, 2.0, False)
        assert (other.behaviour.workload_pressure, other.documents.key_keeping_hours,
                other.custody.key_sharing_permitted) == (1.0, 0.25, True)
        model.run_days()
        # handing over the key is a violation in the factory only: open ones, and those audits found
        for office in model.offices:
            for v in office.open_violations:
                if v.kind is ViolationKind.KEY_SHARING:
                    key_violations[office.name] = key_violations.get(office.name, 0) + 1
        for e in model.events:
            if e.action is Action.FINDING and ViolationKind.KEY_SHARING.value in e.detail:
                key_violations[e.office] = key_violations.get(e.office, 0) + 1
    assert set(key_violations) == {"Office 2"}


def test_extending_file_sets_its_office_over_the_inherited_profile(tmp_path):
    (tmp_path / "base.toml").write_text(FACTORY)
    (tmp_path / "child.toml").write_text('[scenario]\ndescription = "c"\nextends = "base.toml"\n'
                                         '[[office]]\nnumber = 2\nset.behaviour.workload_pressure = 5.0\n'
                                         '[[office]]\nnumber = 4\nset.behaviour.corruptibility_mean = 0.5\n')
    scenario = load_scenario(str(tmp_path / "child.toml"))
    profiles = {p.office: p for p in scenario.office_profiles}
    assert profiles[2].set["behaviour.workload_pressure"] == 5.0
    assert profiles[2].set["documents.key_keeping_hours"] == 2.0
    assert profiles[2].note == "the railway factory"
    assert profiles[4].set == {"behaviour.corruptibility_mean": 0.5}


def test_exported_scenario_loads_back_with_its_profiles(tmp_path):
    path = tmp_path / "f.toml"
    path.write_text(FACTORY)
    scenario = load_scenario(str(path))
    out = tmp_path / "exported.toml"
    out.write_text(to_toml(scenario))
    again = load_scenario(str(out))
    assert again.office_profiles == scenario.office_profiles
    assert again.params == scenario.params


@pytest.mark.parametrize("table, key, fragment", [
    ("[[office]]\nnumber = 7\n", "office[0].number", "must be an office number from 1 to population.offices = 4"),
    ("[[office]]\nset.behaviour.workload_pressure = 1.0\n", "office[0].number", "must be an office number"),
    ("[[office]]\nnumber = 1\n[[office]]\nnumber = 1\n", "office[1].number", "already has an [[office]] table"),
    ("[[office]]\nnumber = 1\nset.penalty.warning_severity = 1.0\n", "office[0].set.penalty.warning_severity",
     "cannot differ between offices"),
    ("[[office]]\nnumber = 1\nset.behaviour.workload_pressure = -1.0\n", "office[0].set.behaviour.workload_pressure",
     "must be a number from 0 to 20"),
    ("[[office]]\nnumber = 1\nsett.behaviour.workload_pressure = 1.0\n", "office[0].sett",
     "unknown key; allowed: number, note, set"),
])
def test_bad_office_tables(tmp_path, table, key, fragment):
    path = tmp_path / "s.toml"
    path.write_text(HEAD + table)
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(path))
    message = str(err.value)
    assert message.startswith(f"{path}:{key}: ")
    assert fragment in message
    assert "\n" not in message


def test_office_must_be_an_array_of_tables(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("office = 3\n" + HEAD)
    with pytest.raises(ScenarioError, match=r":office: must be an array of tables, written \[\[office\]\]"):
        load_scenario(str(path))
