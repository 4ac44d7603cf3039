"""Patrol: checkpoint by checkpoint, presence proven by code or reason, an issue opens the defect form."""

from __future__ import annotations

from mobile.state.defect import DefectForm
from mobile.state.patrol import IssueDraft, PatrolRun, routes_for
from mobile.state.ports import Problem
from shared.i18n import Translator
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
    assert visit.proof.method is PresenceProof.TYPED and visit.proof.code == "cp-1"  # typed, not scanned
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


def test_only_a_code_the_camera_read_counts_as_scanned() -> None:
    run, saved = start()
    assert run.accept_scan(["CP-1"]) is None
    run.code = "cp-1 "  # edited by hand after the scan: a person typed what is recorded
    assert run.mark(CheckpointResult.OK) is None
    run.code = "CP-2"  # the next checkpoint: typed, although the previous one was scanned
    assert run.mark(CheckpointResult.OK) is None
    methods = [v.proof.method for v in saved.of(RecordType.CHECKPOINT_VISIT)]
    assert methods == [PresenceProof.TYPED, PresenceProof.TYPED]


def test_leaving_mid_round_or_finishing_empty_is_asked_first() -> None:
    run, saved = start()
    assert run.finish_warning() == Problem("patrol.confirm_finish_empty")
    assert run.close_warning() == Problem("patrol.confirm_close", {"count": 2})
    run.code = "CP-1"
    run.mark(CheckpointResult.OK)
    assert run.finish_warning() is None  # one checkpoint done: finishing early is an ordinary finish
    assert run.close_warning() == Problem("patrol.confirm_close", {"count": 1})
    assert Translator("en").t("patrol.confirm_close", count=1).startswith("Leave this round? 1 checkpoint not done")
    run.code = "CP-2"
    run.mark(CheckpointResult.OK)
    assert run.close_warning() is None and run.finish_warning() is None  # all done: nothing to lose
    assert len(saved.of(RecordType.PATROL_ROUND)) == 1  # asking saves nothing


def test_a_scanned_label_proves_presence_like_a_typed_code() -> None:
    run, saved = start()
    assert run.accept_scan(["CP-1"]) is None
    assert run.code == "CP-1"
    assert run.mark(CheckpointResult.OK) is None
    visit = saved.of(RecordType.CHECKPOINT_VISIT)[0]
    assert visit.proof.method is PresenceProof.SCANNED and visit.proof.code == "CP-1"
    assert visit.checkpoint_id == "cp1" and run.index == 1


def test_a_picture_of_the_label_fills_the_code_end_to_end() -> None:
    import io

    import qrcode

    from mobile.scan import read_codes

    buf = io.BytesIO()
    qrcode.make("CP-1").save(buf)
    run, saved = start()
    assert run.accept_scan(read_codes(buf.getvalue())) is None
    run.mark(CheckpointResult.OK)
    assert saved.of(RecordType.CHECKPOINT_VISIT)[0].proof.code == "CP-1"


def test_another_checkpoints_label_is_refused_at_once_and_keeps_what_was_typed() -> None:
    run, saved = start()
    run.code = "cp-"
    assert run.accept_scan(["CP-2"]) == Problem("patrol.scan_wrong", {"code": "CP-2"})
    assert run.code == "cp-" and run.index == 0
    assert run.mark(CheckpointResult.OK) == Problem("patrol.code_wrong")  # and typing it is refused too
    assert not saved.of(RecordType.CHECKPOINT_VISIT)


def test_nothing_read_asks_to_come_closer_or_type() -> None:
    run, saved = start()
    assert run.accept_scan([]) == Problem("patrol.scan_none")
    assert run.accept_scan(["  "]) == Problem("patrol.scan_none")
    assert run.code == "" and not saved.of(RecordType.CHECKPOINT_VISIT)


def test_with_several_labels_in_the_picture_this_checkpoints_is_taken() -> None:
    run, _ = start()
    assert run.accept_scan(["CP-2", "cp-1"]) is None
    assert run.code == "cp-1"


def test_scanning_after_the_last_checkpoint_does_nothing() -> None:
    run, saved = start()
    for code in ("CP-1", "CP-2"):
        assert run.accept_scan([code]) is None
        run.mark(CheckpointResult.OK)
    assert run.accept_scan(["CP-1"]) is None and run.current is None
    assert len(saved.of(RecordType.CHECKPOINT_VISIT)) == 2
