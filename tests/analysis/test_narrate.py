"""Narration of the event log: sentences, display names, filters, and the log written as CSV / JSON Lines."""

from __future__ import annotations

import csv
import json
import re

import pytest

from docsec.analysis.cli import main
from docsec.analysis.narrate import NOTABLE_KINDS, Names, document_phrase, event_rows, narrate, parse_kinds, \
    parse_offices, select, sentence, write_events
from docsec.scenarios.loader import load_scenario
from docsec.sim.errors import InputError
from docsec.sim.events import EVENT_FIELDS, Action, Event
from docsec.sim.run import run_simulation

RAILWAY = Names(offices=("Railway Factory",), roles={"custodian": "vice secretary"})


def ev(day, action, office="Office 1", actor="custodian O-3", document="", detail=""):
    return Event(day, office, actor, action, document, detail)


def test_the_issue_example_sentence():
    e = ev(37, Action.DELEGATED, document="D-112 (secret directive)", detail="worker W-14")
    assert sentence(e, RAILWAY) == ("Day 37 — Railway Factory: the vice secretary O-3 handed registration of "
                                    "directive D-112 (secret) to worker W-14.")
    assert sentence(e) == "Day 37 — Office 1: the custodian O-3 handed registration of directive D-112 (secret) " \
                          "to worker W-14."


@pytest.mark.parametrize(("event", "expected"), [
    (ev(1, Action.KEY_HANDED, detail="worker W-2"), "the vice secretary O-3 handed the storage-room key to worker W-2"),
    (ev(2, Action.READ, actor="worker W-2", document="D-5 (top secret directive)"),
     "worker W-2, who is not cleared, read directive D-5 (top secret)"),
    (ev(3, Action.FAVOUR, detail="7 documents to worker W-9"),
     "the vice secretary O-3 handed 7 documents to worker W-9 in return for a favour"),
    (ev(4, Action.FINDING, actor="custodian O-3", detail="inspector I-1 found handing the storage key to a worker "
                                                          "(day 1)"),
     "inspector I-1 found the vice secretary O-3 handing the storage key to a worker (committed on day 1)"),
    (ev(5, Action.FINDING, actor="", document="D-8 (restricted directive)",
        detail="inspector I-1 found it missing; register shows it last on day 20, lost on day 50"),
     "inspector I-1 found directive D-8 (restricted) missing; the register shows it last on day 20, lost on day 50"),
    (ev(6, Action.WARNING, detail="warning 1 for handing the storage key to a worker"),
     "the vice secretary O-3 received warning 1 for handing the storage key to a worker"),
    (ev(7, Action.DISMISSAL, detail="dismissed for a lost document after 3 warnings"),
     "the vice secretary O-3 was dismissed for a lost document after 3 warnings"),
    (ev(7, Action.REPLACED, actor="custodian O-11", detail="replaces custodian O-3"),
     "the vice secretary O-11 took the post of the vice secretary O-3"),
    (ev(8, Action.OVERDUE, document="D-9 (restricted circulated material)", detail="worker W-4"),
     "the vice secretary O-3 left circulated material D-9 (restricted) uncollected with worker W-4 past its deadline"),
    (ev(9, Action.INVESTIGATION_SOLVED, document="D-9 (secret directive)", detail="traced to custodian O-3"),
     "the investigation into directive D-9 (secret) traced the leak to the vice secretary O-3"),
])
def test_sentences_use_display_names(event, expected):
    assert sentence(event, RAILWAY) == f"Day {event.day} — Railway Factory: {expected}."


def test_organisation_wide_events():
    e = ev(183, Action.INTERVENTION, office="", actor="", detail="crackdown on illegal phones")
    assert sentence(e) == "Day 183 — All offices: crackdown on illegal phones."
    bare = ev(90, Action.INTERVENTION, office="", actor="", detail="external_channel.strength = 0.02")
    assert sentence(bare) == "Day 90 — All offices: the policy changed: external_channel.strength = 0.02."


def test_every_kind_of_event_has_a_sentence():
    for action in Action:
        text = sentence(ev(1, action, document="D-1 (secret directive)", detail="worker W-1"), RAILWAY)
        assert text.startswith("Day 1 — Railway Factory: ") and text.endswith(".")
        assert "{" not in text and "None" not in text


def test_document_phrase_leaves_unknown_text_alone():
    assert document_phrase("D-7 (restricted circulated material)") == "circulated material D-7 (restricted)"
    assert document_phrase("something else") == "something else"


def test_narration_is_in_day_order_and_names_come_from_the_scenario():
    s = load_scenario("railway-factory")
    events = run_simulation(s.params, 0, timeline=s.timeline, record_events=True).events
    lines = narrate(events, Names.of(s.narration))
    assert len(lines) == len(events)
    days = [int(line.split(" ", 2)[1]) for line in lines]
    assert days == sorted(days)
    assert all(line.startswith(f"Day {d} — Railway Factory: ") for line, d in zip(lines, days, strict=True))
    assert any("the vice secretary O-1 handed the storage-room key to worker W-" in line for line in lines)
    assert not any("custodian" in line for line in lines)


def test_names_of_no_narration_keep_the_model_names():
    assert Names.of(None).office("Office 2") == "Office 2"
    assert Names.of(load_scenario("default").narration).person("custodian O-1") == "the custodian O-1"


# -- filters ------------------------------------------------------------------------------------------------
EVENTS = [
    ev(1, Action.RECEIVED, office="Office 1", document="D-1 (secret directive)"),
    ev(1, Action.KEY_HANDED, office="Office 2", detail="worker W-2"),
    ev(2, Action.INTERVENTION, office="", actor="", detail="crackdown"),
    ev(3, Action.WARNING, office="Office 2", detail="warning 1 for x"),
    ev(4, Action.KEY_HANDED, office="Office 1", detail="worker W-1"),
]


def test_select_by_office_keeps_organisation_wide_events():
    chosen = select(EVENTS, offices=frozenset({"Office 2"}))
    assert [(e.day, e.action) for e in chosen] == [(1, Action.KEY_HANDED), (2, Action.INTERVENTION),
                                                    (3, Action.WARNING)]


def test_select_by_kind_and_first():
    assert [e.day for e in select(EVENTS, kinds=frozenset({Action.KEY_HANDED}))] == [1, 4]
    assert [e.day for e in select(EVENTS, first=2)] == [1, 1]
    assert select(EVENTS, kinds=frozenset({Action.KEY_HANDED}), offices=frozenset({"Office 1"}), first=5) == [EVENTS[4]]
    assert select(EVENTS, first=0) == []


def test_parse_offices_by_number_model_name_or_display_name():
    names = Names(offices=("Railway Factory", "Mine"))
    assert parse_offices(["1", "office 2"], 3, names) == {"Office 1", "Office 2"}
    assert parse_offices(["railway factory,3"], 3, names) == {"Office 1", "Office 3"}
    with pytest.raises(InputError, match="^--office Mine: no such office"):
        parse_offices(["Mine"], 1, names)  # the organisation has fewer offices than the names


@pytest.mark.parametrize(("word", "fragment"), [
    ("4", "--office 4: no such office; allowed: a number from 1 to 3, or 'Office N', or one of 'Railway Factory', "
          "'Mine'"),
    ("Railway Factor", "--office Railway Factor: no such office (did you mean 'Railway Factory'?)"),
    ("Office 0", "--office Office 0: no such office"),
])
def test_parse_offices_rejects_unknown_offices(word, fragment):
    with pytest.raises(InputError) as info:
        parse_offices([word], 3, Names(offices=("Railway Factory", "Mine")))
    assert str(info.value).startswith(fragment)


def test_parse_kinds():
    assert parse_kinds(["key_handed,warning", "Dismissal", "favour-trade"]) == {
        Action.KEY_HANDED, Action.WARNING, Action.DISMISSAL, Action.FAVOUR}
    with pytest.raises(InputError, match=r"^--kind key_handd: unknown kind of event \(did you mean 'key_handed'\?\); "
                                         r"allowed: received, registered"):
        parse_kinds(["key_handd"])


# -- the log as a file --------------------------------------------------------------------------------------
STAMP = {"scenario": "railway-factory", "seed": 7, "docsec_version": "0.1.0"}


def test_write_csv(tmp_path):
    path = tmp_path / "log.csv"
    assert write_events(EVENTS, path, RAILWAY, STAMP) == len(EVENTS)
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == [*EVENT_FIELDS, "office_name", *STAMP]
    assert rows[1]["action"] == "key_handed" and rows[1]["detail"] == "worker W-2"
    assert rows[0]["office_name"] == "Railway Factory" and rows[1]["office_name"] == "Office 2"
    assert {r["seed"] for r in rows} == {"7"} and {r["scenario"] for r in rows} == {"railway-factory"}
    assert [p.name for p in tmp_path.iterdir()] == ["log.csv"]  # no temporary file left behind


def test_write_jsonl(tmp_path):
    path = tmp_path / "log.jsonl"
    write_events(EVENTS, path, provenance=STAMP)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(rows) == len(EVENTS)
    assert rows[3] == {"day": 3, "office": "Office 2", "actor": "custodian O-3", "action": "warning", "document": "",
                       "detail": "warning 1 for x", "office_name": "Office 2", **STAMP}


@pytest.mark.parametrize(("name", "fragment"), [
    ("log.txt", "unknown file type '.txt'; allowed: .csv (CSV), .jsonl (JSON Lines)"),
    ("log", "unknown file type '(none)'"),
    ("nofolder/log.csv", "folder"),
])
def test_write_rejects_bad_destinations(tmp_path, name, fragment):
    with pytest.raises(InputError) as info:
        write_events(EVENTS, tmp_path / name)
    assert str(info.value).startswith(f"--events {tmp_path / name}: ") and fragment in str(info.value)


def test_a_failed_write_leaves_an_earlier_file_intact(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text("earlier results\n")
    with pytest.raises(TypeError):
        write_events(EVENTS, path, provenance={"bad": object()})  # not JSON-serialisable: fails mid-write
    assert path.read_text() == "earlier results\n"
    assert [p.name for p in tmp_path.iterdir()] == ["log.jsonl"]


def test_event_rows_keep_every_field():
    rows = event_rows(EVENTS[:1])
    assert rows == [{"day": 1, "office": "Office 1", "actor": "custodian O-3", "action": "received",
                     "document": "D-1 (secret directive)", "detail": "", "office_name": "Office 1"}]


# -- circulated material an official keeps himself; keys taken back at audits ----------------------------------
CIRCULAR = "D-9 (secret circulated material)"


@pytest.mark.parametrize(("action", "expected"), [
    (Action.CIRCULATED, "the deputy O-182 kept circulated material D-9 (secret) to read, due back by its deadline"),
    (Action.COLLECTED, "the deputy O-182 returned circulated material D-9 (secret) after keeping it to read"),
    (Action.OVERDUE, "the deputy O-182 kept circulated material D-9 (secret) past its deadline instead of "
                     "returning it"),
])
def test_material_an_official_keeps_himself_is_not_handed_to_himself(action, expected):
    e = ev(5, action, actor="deputy O-182", document=CIRCULAR, detail="deputy O-182")
    text = sentence(e)
    assert text == f"Day 5 — Office 1: {expected}."
    assert text.count("O-182") == 1


def test_material_handed_to_someone_else_names_the_recipient():
    e = ev(5, Action.CIRCULATED, actor="deputy O-182", document=CIRCULAR, detail="custodian O-181")
    assert sentence(e, RAILWAY) == ("Day 5 — Railway Factory: the deputy O-182 handed out circulated material D-9 "
                                    "(secret) to the vice secretary O-181.")


def test_no_sentence_hands_material_from_an_official_to_himself():
    s = load_scenario("railway-factory")  # one official: no colleague to hand circulated material to
    events = run_simulation(s.params, 1, timeline=s.timeline, office_profiles=s.office_profiles,
                            record_events=True).events
    to_self = [e for e in events if e.action is Action.CIRCULATED and e.actor == e.detail]
    assert to_self  # the model records the official himself as the recipient
    lines = narrate(events, Names.of(s.narration))
    assert sum(" kept circulated material " in line and " to read, due back" in line for line in lines) == len(to_self)
    for line in lines:
        for title in re.findall(r"handed out .* to (the [a-z ]+ O-\d+)", line):
            assert f"— Railway Factory: {title} handed out" not in line, line


KEY_HANDED = ev(4, Action.KEY_HANDED, actor="custodian O-3", detail="worker W-4")


@pytest.mark.parametrize(("detail", "expected"), [
    ("taken back after inspector I-2's audit found it with a worker",
     "inspector I-2's audit found the storage-room key with worker W-4 and took it back"),
    ("taken back after inspector I-2's audit: the rules no longer allow it",
     "inspector I-2's audit took the storage-room key back from worker W-4: the rules no longer allow a worker to "
     "hold it"),
    ("taken back by custodian O-3", "the vice secretary O-3 took the storage-room key back from worker W-4"),
    ("taken back when custodian O-9 took office",
     "the storage-room key went back from worker W-4 when the vice secretary O-9 took office"),
])
def test_a_key_taken_back_says_who_took_it_and_why(detail, expected):
    back = ev(9, Action.KEY_RETURNED, actor="worker W-4", detail=detail)
    assert sentence(back, RAILWAY) == f"Day 9 — Railway Factory: {expected}."
    # with the log, who handed it over and when
    assert narrate([back], RAILWAY, log=[KEY_HANDED, back]) == [
        f"Day 9 — Railway Factory: {expected} (handed over by the vice secretary O-3 on day 4)."]


def test_a_selection_reads_the_hand_over_from_the_whole_log():
    first_back = ev(6, Action.KEY_RETURNED, actor="worker W-4", detail="taken back by custodian O-3")
    again = ev(8, Action.KEY_HANDED, actor="custodian O-3", detail="worker W-7")
    back = ev(12, Action.KEY_RETURNED, actor="worker W-7", detail="taken back by custodian O-3")
    other_office = ev(10, Action.KEY_HANDED, office="Office 2", actor="custodian O-13", detail="worker W-20")
    log = [KEY_HANDED, first_back, again, other_office, back]
    assert narrate([first_back, back], log=log) == [
        "Day 6 — Office 1: the custodian O-3 took the storage-room key back from worker W-4 (handed over by the "
        "custodian O-3 on day 4).",
        "Day 12 — Office 1: the custodian O-3 took the storage-room key back from worker W-7 (handed over by the "
        "custodian O-3 on day 8)."]


def test_key_returns_in_a_run_name_the_hand_over_that_put_the_key_out():
    s = load_scenario("railway-factory")
    events = run_simulation(s.params, 1, timeline=s.timeline, office_profiles=s.office_profiles,
                            record_events=True).events
    back = [e for e in events if e.action is Action.KEY_RETURNED]
    assert back
    for e, line in zip(back, narrate(back, log=events), strict=True):
        last = [h for h in events if h.action is Action.KEY_HANDED and h.office == e.office and h.day <= e.day][-1]
        assert line.endswith(f"(handed over by the {last.actor} on day {last.day}).")
        assert "storage-room key" in line and e.actor in line


# -- notable events by default --------------------------------------------------------------------------------
def test_notable_kinds_are_the_dashboards():
    from docsec.analysis.dashboard.feed import KIND_OF as FEED_KINDS, NOTABLE as FEED_NOTABLE
    from docsec.analysis.event_kinds import KIND_OF, NOTABLE

    assert FEED_KINDS is KIND_OF and FEED_NOTABLE is NOTABLE
    assert NOTABLE_KINDS == {a for a in Action if KIND_OF[a] in NOTABLE}
    assert Action.WARNING in NOTABLE_KINDS and Action.LEAKED in NOTABLE_KINDS
    assert not NOTABLE_KINDS & {Action.RECEIVED, Action.REGISTERED, Action.READ, Action.CIRCULATED}
    assert set(KIND_OF) == set(Action)


def _story(capsys, *args):
    assert main(["run", *args]) == 0
    captured = capsys.readouterr()
    return captured.out.split("\n\n", 1)[0].splitlines(), captured.err


def test_narrate_without_filters_tells_the_notable_events(capsys):
    lines, err = _story(capsys, "strict", "--days", "60", "--seed", "1", "--narrate")
    events = run_simulation(load_scenario("strict").params.with_overrides({"run.days": 60}), 1,
                            record_events=True).events
    notable = [e for e in events if e.action in NOTABLE_KINDS]
    assert len(lines) == len(notable) < len(events) / 5
    assert lines == narrate(notable, log=events)
    assert f"note: narrated {len(notable):,} notable events of {len(events):,}" in err and "--all" in err


def test_narrate_all_tells_every_event(capsys):
    lines, err = _story(capsys, "strict", "--days", "20", "--seed", "1", "--narrate", "--all")
    events = run_simulation(load_scenario("strict").params.with_overrides({"run.days": 20}), 1,
                            record_events=True).events
    assert len(lines) == len(events)
    assert any(" arrived; " in line for line in lines)
    assert "notable events" not in err


def test_narrate_kind_chooses_routine_kinds_too(capsys):
    lines, err = _story(capsys, "strict", "--days", "20", "--seed", "1", "--narrate", "--kind", "registered")
    assert lines and all(" registered " in line for line in lines)
    assert "notable events" not in err


def test_events_file_keeps_every_kind_while_narration_tells_the_notable(tmp_path, capsys):
    path = tmp_path / "log.csv"
    lines, _ = _story(capsys, "strict", "--days", "20", "--seed", "1", "--narrate", "--events", str(path))
    rows = list(csv.DictReader(path.open()))
    assert len(rows) > len(lines)
    assert {r["action"] for r in rows} > {a.value for a in NOTABLE_KINDS} & {r["action"] for r in rows}


@pytest.mark.parametrize(("args", "message"), [
    (["--all"], "docsec run: error: --all: narrates every event instead of the notable ones; give --narrate too"),
    (["--narrate", "--all", "--kind", "warning"],
     "docsec run: error: --all and --kind exclude each other: --all narrates every kind, --kind only those named"),
])
def test_all_needs_narrate_and_excludes_kind(capsys, tmp_path, args, message):
    assert main(["run", "strict", "--days", "5", *args]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == message


def test_loss_investigations_read_as_losses_not_leaks():
    from docsec.analysis.narrate import sentence
    from docsec.sim.events import Action, Event
    opened = Event(40, "Office 1", "", Action.INVESTIGATION_OPENED, "D-7 (secret directive)", "the document is missing")
    solved = Event(54, "Office 1", "custodian O-3", Action.INVESTIGATION_SOLVED, "D-7 (secret directive)",
                   "its loss traced to custodian O-3")
    leak = Event(54, "Office 1", "", Action.INVESTIGATION_OPENED, "D-8 (secret directive)", "the contents surfaced outside")
    assert "investigation into its whereabouts" in sentence(opened) and "surfaced" not in sentence(opened)
    assert "traced its loss to" in sentence(solved) and "leak" not in sentence(solved)
    assert "surfaced outside" in sentence(leak)
