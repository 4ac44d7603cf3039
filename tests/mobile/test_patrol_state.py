"""Patrol: checkpoint by checkpoint, presence proven by code or reason, an issue opens the defect form."""

from __future__ import annotations

from mobile.state.defect import DefectForm
from mobile.state.patrol import IssueDraft, PatrolRun, routes_for
from mobile.state.ports import Problem
from shared.model import CheckpointResult, PresenceProof, RecordType
from tests.mobile.state_fixtures import T0, Saved, demo_ref


def start() -> tuple[PatrolRun, Saved]:
    saved = Saved()
    return PatrolRun(ref=demo_ref(), save=saved, now=lambda: T0, route_id="r-lobby"), saved


def test_specialist_sees_only_their_routes() -> None:
    assert [r["id"] for r in routes_for(demo_ref(), "u-spec")] == ["r-lobby"]


def test_checkpoints_are_walked_in_route_order_and_the_round_is_saved_at_start() -> None:
    run, saved = start()
    assert [c["id"] for c in run.checkpoints] == ["cp1", "cp2"]
    assert saved.of(RecordType.PATROL_ROUND)[0].route_id == "r-lobby"


def test_a_checkpoint_needs_its_code_or_a_reason() -> None:
    run, saved = start()
    assert run.mark(CheckpointResult.OK) == Problem("patrol.proof_missing")
    run.code = "CP-2"  # the next checkpoint's code, not this one's
    assert run.mark(CheckpointResult.OK) == Problem("patrol.code_wrong")
    assert run.index == 0 and not saved.of(RecordType.CHECKPOINT_VISIT)
    run.code = " cp-1 "
    assert run.mark(CheckpointResult.OK) is None
    visit = saved.of(RecordType.CHECKPOINT_VISIT)[0]
    assert visit.proof.method is PresenceProof.SCANNED and visit.proof.code == "cp-1"
    assert run.index == 1 and run.code == ""


def test_a_stated_reason_proves_presence() -> None:
    run, saved = start()
    run.reason = "Code label torn off"
    assert run.mark(CheckpointResult.OK) is None
    assert saved.of(RecordType.CHECKPOINT_VISIT)[0].proof.method is PresenceProof.REASON


def test_an_issue_needs_a_note_and_opens_the_defect_form_with_the_place_filled() -> None:
    run, saved = start()
    run.code = "CP-1"
    assert run.mark(CheckpointResult.ISSUE) == Problem("patrol.issue_note_missing")
    run.note = "Glass door cracked"
    draft = run.mark(CheckpointResult.ISSUE)
    assert isinstance(draft, IssueDraft)
    assert draft.place_id == "lobby" and draft.checkpoint_visit_id == "r2"
    form = DefectForm(
        ref=demo_ref(),
        save=saved,
        place_id=draft.place_id,
        checkpoint_visit_id=draft.checkpoint_visit_id,
        description=draft.description,
    )
    assert form.places.place_id == "lobby" and form.places.area_id == "lobby"
    assert form.description == "Glass door cracked"


def test_finishing_supersedes_the_start_record_with_the_finish_time() -> None:
    run, saved = start()
    for code in ("CP-1", "CP-2"):
        run.code = code
        run.mark(CheckpointResult.OK)
    assert run.current is None and run.ok_count == 2 and run.issue_count == 0
    run.finish()
    run.finish()  # twice is once
    rounds = [(b, s) for t, b, s in saved.records if t is RecordType.PATROL_ROUND]
    assert len(rounds) == 2
    assert rounds[1][1] == "r1" and rounds[1][0].finished_at == T0
