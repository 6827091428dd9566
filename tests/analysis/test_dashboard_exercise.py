"""The tabletop exercise without a browser: join codes, seats, drafts, rounds, injects, paths, effects, report."""

from __future__ import annotations

import dataclasses
import re
import threading

import pytest

from docsec.analysis.dashboard.after_action import report_html
from docsec.analysis.dashboard.exercise import (
    BASELINE,
    CENTRE,
    CODE_ALPHABET,
    POLICY_ONLY,
    ROOM,
    Exercise,
    Registry,
    normalise_code,
)
from docsec.analysis.dashboard.injects import parse_injects, shipped_injects, timeline_cards
from docsec.analysis.dashboard import catalog
from docsec.sim.decisions import Choice
from docsec.sim.errors import InputError
from docsec.sim.parameters import ParameterError, Parameters


@pytest.fixture
def exercise():
    return Registry().create("facilitator", scenario="default", seed=3, round_days=30, rounds=3, office_seats=2)


def test_codes_are_short_unambiguous_and_unique():
    reg = Registry()
    codes = {reg.create("f", scenario="default", rounds=1).code for _ in range(30)}
    assert len(codes) == 30
    assert all(len(c) == 4 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01OIL") & set(CODE_ALPHABET)
    code = next(iter(codes))
    assert reg.get(f" {code.lower()} ").code == code  # typed in small letters, with spaces
    with pytest.raises(ParameterError, match=r"^code: must be the 4-character code"):
        normalise_code("AB")
    with pytest.raises(ParameterError, match=r"^code: no exercise has the code"):
        reg.get("ZZZZ" if "ZZZZ" not in codes else "YYYY")


def test_a_seat_belongs_to_one_browser_and_a_reload_keeps_it(exercise):
    assert exercise.seat_names == [CENTRE, "office-1", "office-2"]
    exercise.take_seat(CENTRE, "browser-a", "Ana")
    assert exercise.take_seat(CENTRE, "browser-a") == CENTRE  # the same browser again: same seat, same name
    assert exercise.who(CENTRE) == "the centre (policy) (Ana)"
    with pytest.raises(ParameterError, match=r"^seat: the centre \(policy\) is taken; choose a free seat$"):
        exercise.take_seat(CENTRE, "browser-b")
    with pytest.raises(ParameterError, match=r"^seat: this browser already holds the centre"):
        exercise.take_seat("office-1", "browser-a")
    with pytest.raises(ParameterError, match=r"^seat: unknown seat 'office-9'; allowed: centre, office-1, office-2$"):
        exercise.take_seat("office-9", "browser-b")
    with pytest.raises(ParameterError, match=r"^seat: this browser does not hold that seat"):
        exercise.set_draft(CENTRE, "browser-b", {"penalty.publicised": False})


def test_a_round_is_played_once_however_often_it_is_asked(exercise):
    results = []
    threads = [threading.Thread(target=lambda: results.append(exercise.play_round(1))) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    assert exercise.days_played == 30 and len(exercise.results) == 1
    assert exercise.play_round(1) is None and exercise.play_round(3) is None


def test_seats_decide_for_their_office_and_the_model_plays_the_rest(exercise):
    exercise.take_seat("office-1", "b1")
    exercise.take_seat(CENTRE, "b0")
    exercise.set_draft("office-1", "b1", {Choice.HAND_OVER_KEY.value: True, Choice.DELEGATE.value: False})
    exercise.set_draft(CENTRE, "b0", {"external_channel.strength": 0.02})
    assert exercise.ready() == {"office-1": True, CENTRE: True}
    result = exercise.play_round(1)
    assert [d.seat for d in result.decisions] == [CENTRE, "office-1"]
    log = exercise.room.model.decisions_log
    mine = [d for d in log if d.office == 1 and d.official.startswith("custodian")]
    by_seat = {(d.choice, d.taken) for d in mine if d.by_seat}
    assert by_seat and by_seat <= {(Choice.HAND_OVER_KEY, True), (Choice.DELEGATE, False)}
    assert not any(d.by_seat for d in log if d.office != 1)  # nobody holds the other offices
    assert exercise.room.model.params.external_channel.strength == 0.02
    assert exercise.policy_only.params.external_channel.strength == 0.02
    assert exercise.baseline.params.external_channel.strength != 0.02
    assert exercise.drafts == {"office-1": {Choice.HAND_OVER_KEY.value: True, Choice.DELEGATE.value: False}}


def test_without_decisions_all_three_paths_are_the_same(exercise):
    result = exercise.play_round(1)
    assert result.totals[ROOM] == result.totals[POLICY_ONLY] == result.totals[BASELINE]


def test_a_fired_inject_opens_the_next_round_and_applies_on_every_path(exercise):
    inject = exercise.fire("phone-crackdown")
    assert [c.title for c in exercise.pending_cards()] == [inject.title]
    with pytest.raises(ParameterError, match=r"already fired for round 1"):
        exercise.fire("phone-crackdown")
    with pytest.raises(ParameterError, match=r"^inject: unknown inject 'rain'; allowed: leak-abroad"):
        exercise.fire("rain")
    result = exercise.play_round(1)
    assert [c.source for c in result.cards] == ["facilitator"]
    for model in (exercise.room.model, exercise.policy_only, exercise.baseline):
        assert model.params.external_channel.strength == 0.02
    assert result.totals[ROOM] == result.totals[BASELINE]  # news is not the room's doing
    assert exercise.pending_cards() == []


def test_the_scenario_timeline_becomes_cards_in_the_round_of_their_day():
    crackdown = catalog.scenario("crackdown")
    days = [iv.day for iv in crackdown.timeline]
    cards = timeline_cards(crackdown, 7, 181, 210)
    assert cards and all(181 <= c.day <= 210 for c in cards) and all(c.source == "scenario" for c in cards)
    assert timeline_cards(crackdown, 1, 1, 30) == [] and min(days) > 30


def test_shipped_injects_are_valid_parameter_changes():
    injects = shipped_injects()
    assert len(injects) >= 5 and len({i.key for i in injects}) == len(injects)
    for inject in injects:
        Parameters().with_overrides(inject.set)
        assert inject.title and inject.text


@pytest.mark.parametrize("text, message", [
    ('[[inject]]\nkey = "a"\ntitle = "A"\ntext = "t"\nset."penalty.nope" = 1\n', r"inject\[0\]\.set\.penalty\.nope"),
    ('[[inject]]\nkey = "a"\ntitle = "A"\ntext = "t"\n', r"inject\[0\]\.set: must set at least one parameter"),
    ('[[inject]]\nkey = "a"\ntitle = ""\ntext = "t"\nset."penalty.publicised" = true\n',
     r"inject\[0\]\.title: must be a non-empty text"),
    ('[[inject]]\nkey = "a"\ntitle = "A"\ntext = "t"\ncolour = 1\nset."penalty.publicised" = true\n',
     r"inject\[0\]\.colour: unknown key"),
    ('[[inject]]\nkey = "a"\ntitle = "A"\ntext = "t"\nset."population.offices" = 3\n', r"inject\[0\]\.set"),
])
def test_a_bad_inject_names_its_field(text, message):
    with pytest.raises(ParameterError, match=message):
        parse_injects(text, where="x.toml")


def test_an_office_seat_sees_its_office_and_rumours_not_the_whole_picture(exercise):
    exercise.take_seat("office-2", "b2")
    exercise.play_round(1)
    exercise.play_round(2)
    view = exercise.office_view(2)
    assert view["office"]["office"] == "Office 2"
    assert all(line.office == "Office 2" for line in view["feed"])
    assert view["rumours"] and all("another office" in r for r in view["rumours"])
    assert exercise.office_view(2) is view  # made once per round, however many pages draw it
    default = catalog.scenario("default")
    quiet = dataclasses.replace(default, params=default.params.with_overrides({"penalty.publicised": False}))
    hushed = Exercise("ABCD", quiet, seed=3, round_days=30, rounds=3, office_seats=2)
    hushed.play_round(1)
    hushed.play_round(2)
    assert hushed.room.model.events and any(e.action.name == "WARNING" for e in hushed.room.model.events)
    assert hushed.office_view(2)["rumours"] == []  # unpublicised sanctions do not travel


def test_the_centre_knows_detections_not_hidden_violations(exercise):
    exercise.play_round(1)
    known = exercise.centre_view()
    assert list(known["round"]) == [1]
    assert "violations_committed" not in known.columns and "exposures" not in known.columns
    assert "violations_detected" in known.columns


def test_effects_credit_each_decision_and_vanish_without_one(exercise):
    exercise.take_seat(CENTRE, "b0")
    exercise.play_round(1)
    exercise.set_draft(CENTRE, "b0", {"custody.uncleared_may_handle": False, "custody.key_sharing_permitted": False})
    exercise.play_round(2)
    effects = exercise.effects()
    assert set(effects["round"]) == {2} and set(effects["seat"]) == {CENTRE}
    hours = effects.set_index("metric").loc["custody_workload_hours", "effect"]
    assert hours > 0  # officials keep custody themselves


def test_the_after_action_report_is_offline_printable_and_names_seats(exercise):
    exercise.take_seat(CENTRE, "b0", "Ana <script>")
    exercise.take_seat("office-1", "b1")
    exercise.set_draft(CENTRE, "b0", {"penalty.publicised": False})
    exercise.set_draft("office-1", "b1", {Choice.CONCEAL_LOSS.value: False})
    exercise.fire("amnesty")
    exercise.play_round(1)
    exercise.play_round(2)
    page = report_html(exercise)
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page
    assert "<script" not in page and not re.search(r"(src|href)=\"?https?:", page)  # nothing to fetch
    assert "Ana &lt;script&gt;" in page
    assert page.count('data-testid="aar-round"') == 2
    assert "An amnesty for reported losses" in page
    assert "refuses: conceal a loss" in page and "Penalties: publicised = no" in page
    assert 'data-testid="aar-paths"' in page and 'data-testid="aar-effects"' in page
    assert "custodian of Office 1" in page


def test_bad_setup_is_refused_naming_the_field():
    with pytest.raises(ParameterError, match=r"^exercise\.office_seats: must be a whole number from 0 to 20"):
        Exercise("ABCD", "default", office_seats=30)
    with pytest.raises(InputError, match=r"is not a shipped scenario"):
        Exercise("ABCD", "../secret.toml")


def test_a_changed_exercise_wakes_the_pages_that_wait_on_it(exercise):
    seen_all, seen_room = exercise.current(False), exercise.current(True)
    exercise.take_seat(CENTRE, "b0")
    assert exercise.wait_change(seen_room, 0.01, room=True)
    seen_room, seen_all = exercise.current(True), exercise.current(False)
    exercise.set_draft(CENTRE, "b0", {"penalty.publicised": False})
    assert exercise.wait_change(seen_all, 0.01) and not exercise.wait_change(seen_room, 0.01, room=True)


def test_the_facilitator_and_seat_views_build_without_a_browser(exercise):
    solara = pytest.importorskip("solara")
    import ipyvuetify as v

    from docsec.analysis.dashboard.exercise_view import FacilitatorView, ParticipantView

    exercise.take_seat(CENTRE, "b0", "Ana")
    exercise.take_seat("office-1", "b1")
    exercise.fire("amnesty")
    exercise.play_round(1)
    _, facilitator = solara.render(FacilitatorView(exercise), handle_error=False)
    assert facilitator.find(v.Btn, class_="start-round").widget.children == ["Start round 2"]
    for seat, session in ((CENTRE, "b0"), ("office-1", "b1")):
        _, page = solara.render(ParticipantView(exercise, session, seat), handle_error=False)
        assert "round 2 of 3" in " ".join(str(t.widget.children) for t in page.find(class_="my-seat"))


def test_a_freed_seat_returns_to_the_model_and_can_be_taken_again(exercise):
    exercise.take_seat("office-1", "lost-phone", "Dana")
    exercise.set_draft("office-1", "lost-phone", {Choice.DELEGATE.value: True})
    exercise.free_seat("office-1")
    assert "office-1" not in exercise.holders and "office-1" not in exercise.drafts
    result = exercise.play_round(1)
    assert result.decisions == () and not any(d.by_seat for d in exercise.room.model.decisions_log)
    assert exercise.take_seat("office-1", "new-phone") == "office-1"


def test_an_inject_fired_while_a_round_runs_opens_the_round_after(exercise):
    exercise.playing = True  # a round under way
    exercise.fire("amnesty")
    exercise.playing = False
    assert exercise.pending_cards() == []
    exercise.play_round(1)
    assert [c.title for c in exercise.pending_cards()] == ["An amnesty for reported losses"]


def test_an_offices_choices_hold_until_changed_and_leaving_them_out_is_the_model_playing_it(exercise):
    exercise.take_seat("office-1", "b1")
    exercise.set_draft("office-1", "b1", {Choice.HAND_OVER_KEY.value: True, Choice.DELEGATE.value: True})
    for n in (1, 2, 3):
        exercise.play_round(n)
    decisions = exercise.decisions()
    assert [(d.round, d.seat) for d in decisions] == [(1, "office-1")]  # one decision, in force for 3 rounds
    assert all(d.by_seat for d in exercise.room.model.decisions_log if d.office == 1 and d.day > 60
               and d.official.startswith("custodian") and d.choice in (Choice.HAND_OVER_KEY, Choice.DELEGATE))
    without = exercise.replay_totals(leave_out=decisions[0])
    policy_only = {m: sum(r.totals[POLICY_ONLY][m] for r in exercise.results) for m in without}
    assert without == pytest.approx(policy_only)  # no seat left: the model plays every office
    assert exercise.replay_totals() == pytest.approx(
        {m: sum(r.totals[ROOM][m] for r in exercise.results) for m in without})  # the replay is the room's path
    assert exercise.effects() is exercise.effects()  # one set of replays per round played
