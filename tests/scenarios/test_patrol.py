"""Daily patrol (DOMAIN.md, the four field records 1): walked in the app, judged by what the supervisor pulls."""

from __future__ import annotations

import json

from shared.model import CheckpointResult, DefectCategory, RecordType
from tests.scenarios.harness import SPECIALIST, local

ROUTES = ("demo-r1", "demo-r2")
# The app saves a round's start and, at Finish, a correction of it; the visits name the start record.
CHAIN = "needs: patrol round chain (visits of a finished round count for its correction)"


def test_full_patrol_walked_in_the_app_gives_no_skipped_checkpoint(field):
    specialist = field.phone(SPECIALIST)
    for route in ROUTES:
        run = specialist.walk(route)
        assert run.done_count == run.total == len(specialist.checkpoints(route))
    specialist.sync()
    field.at(local(24, 0, 30))  # the day is over on the property's clock

    assert field.findings("patrol.checkpoint_skipped") == []
    assert field.findings("patrol.route_missed", day="2026-11-23") == []
    walked = field.supervisor.records(RecordType.CHECKPOINT_VISIT.value)
    assert len(walked) == 7 + 4  # every checkpoint of both demo routes reached the supervisor


def test_one_checkpoint_skipped_gives_exactly_one_finding(field):
    specialist = field.phone(SPECIALIST)
    specialist.walk("demo-r1")
    specialist.walk("demo-r2", stop_before=4)  # Finish pressed at the last checkpoint without marking it
    specialist.sync()
    field.at(local(24, 0, 30))

    skipped = field.findings("patrol.checkpoint_skipped")
    assert [(f["checkpoint_id"], f["owner_id"], f["day"]) for f in skipped] == [
        ("demo-r2-cp4", "user-demo-specialist", "2026-11-23")
    ]


def test_skipped_checkpoint_of_a_finished_round_is_a_finding_the_same_day(field):
    specialist = field.phone(SPECIALIST)
    specialist.walk("demo-r1", stop_before=7)
    specialist.sync()
    field.clock.advance(minutes=30)  # the supervisor looks the same morning: a finished round is judged at once

    skipped = field.findings("patrol.checkpoint_skipped")
    assert [f["checkpoint_id"] for f in skipped] == ["demo-r1-cp7"]


def test_patrol_not_walked_is_a_finding(field):
    specialist = field.phone(SPECIALIST)
    specialist.walk("demo-r1")
    specialist.sync()
    field.at(local(23, 23, 50))
    assert field.findings("patrol.route_missed") == []  # not missed while the day lasts

    field.at(local(24, 0, 10))
    missed = field.findings("patrol.route_missed")
    assert [(f["route_id"], f["day"], f["owner_id"]) for f in missed] == [
        ("demo-r2", "2026-11-23", "user-demo-specialist")
    ]


def test_typed_code_recorded_as_typed(field):
    specialist = field.phone(SPECIALIST)
    run = specialist.patrol("demo-r1")
    first, second = run.checkpoints[0], run.checkpoints[1]
    field.clock.advance(minutes=2)
    run.code = f"  {str(first['scan_code']).lower()} "  # typed from the label, in any case, with stray blanks
    assert run.mark(CheckpointResult.OK) is None
    field.clock.advance(minutes=2)
    assert run.accept_scan([str(second["scan_code"])]) is None  # the camera read this one
    assert run.mark(CheckpointResult.OK) is None
    run.finish()
    specialist.sync()

    visits = _proofs(field)
    assert visits[first["id"]]["method"] == "typed"
    assert visits[first["id"]]["code"].lower() == str(first["scan_code"]).lower()
    assert (visits[second["id"]]["method"], visits[second["id"]]["code"]) == ("scanned", second["scan_code"])


def _proofs(field):
    field.supervisor.sync()
    return {
        r["body"]["checkpoint_id"]: r["body"]["proof"]
        for r in field.supervisor.records(RecordType.CHECKPOINT_VISIT.value)
    }


def test_issue_visit_without_defect_is_a_finding(field):
    specialist = field.phone(SPECIALIST)
    # checkpoint 2: a problem, and the defect form it opens is saved; checkpoint 3: a problem, the form abandoned
    run = specialist.patrol("demo-r1")
    reported = abandoned = None
    while run.current is not None:
        position = run.index + 1
        field.clock.advance(minutes=2)
        assert run.accept_scan([str(run.current["scan_code"])]) is None
        if position in (2, 3):
            run.note = "Water on the stairs" if position == 2 else "Broken handrail"
            draft = run.mark(CheckpointResult.ISSUE)
            if position == 2:
                form = specialist.defect(
                    place_id=draft.place_id,
                    checkpoint_visit_id=draft.checkpoint_visit_id,
                    description=draft.description,
                )
                form.category = DefectCategory.WATER_LEAKAGE
                assert form.submit() == []
                reported = draft.checkpoint_visit_id
            else:
                abandoned = draft.checkpoint_visit_id
        else:
            assert run.mark(CheckpointResult.OK) is None
    run.finish()
    specialist.sync()
    field.at(local(24, 0, 30))

    unreported = field.findings("patrol.issue_unreported")
    assert len(unreported) == 1
    assert unreported[0]["owner_id"] == "user-demo-specialist"
    assert abandoned in json.dumps(unreported[0])  # it names the visit whose problem was never reported
    assert reported not in json.dumps(unreported[0])


def test_problem_found_on_patrol_becomes_a_work_order_linked_to_the_round(field):
    specialist = field.phone(SPECIALIST)
    run = specialist.patrol("demo-r2")
    field.pass_time(minutes=3)
    assert run.accept_scan([str(run.current["scan_code"])]) is None
    run.note = "Ceiling drips onto parking bay 12"
    draft = run.mark(CheckpointResult.ISSUE)
    # the defect form opens from the checkpoint with its place and the note filled in
    form = specialist.defect(
        place_id=draft.place_id, checkpoint_visit_id=draft.checkpoint_visit_id, description=draft.description
    )
    assert (form.places.place_id, form.description) == ("demo-garage", "Ceiling drips onto parking bay 12")
    form.category = DefectCategory.WATER_LEAKAGE
    assert form.submit() == []
    specialist.sync()

    order = field.order(f"wo-{form.saved_id}")
    assert (order["kind"], order["place_id"], order["category"]) == ("repair", "demo-garage", "water_leakage")
    assert order["checkpoint_visit_ids"] == [draft.checkpoint_visit_id]
    assert order["round_ids"] == [run.round_id]
