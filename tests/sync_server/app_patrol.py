"""The app's own patrol screen logic (``PatrolRun``, ``DefectForm``) saving through a scripted phone, so the
server sees records exactly as the app makes them: a start record, visits naming it, a finish that supersedes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from mobile.state.defect import DefectForm
from mobile.state.patrol import IssueDraft, PatrolRun
from mobile.state.ports import MemoryRef, SaveRecord
from shared.model import CheckpointResult, DefectCategory, RecordType
from tests.work_order_records import Phone


def app_ref(phone: Phone) -> MemoryRef:
    """The reference data the phone pulled, as the app caches it."""
    data: dict[str, list[dict[str, Any]]] = {}
    for (kind, _), item in phone.pull().items():
        data.setdefault(kind, []).append(item)
    return MemoryRef(data)


def app_save(phone: Phone, now: Callable[[], datetime]) -> SaveRecord:
    """The app's save: the record goes out at once (as when online); asserts the server accepted it."""

    def save(type: RecordType, body: Any, *, supersedes: str | None = None) -> str:
        raw = phone.record(body, now(), type=type, supersedes=supersedes)
        result = phone.push(raw)[raw["id"]]
        assert result["status"] == "accepted", result
        return str(raw["id"])

    return save


def walk(
    phone: Phone,
    route_id: str,
    positions: list[int],
    now: Callable[[], datetime],
    *,
    issues: tuple[int, ...] = (),
    finish: bool = True,
) -> PatrolRun:
    """Walk a route with the app: scan the checkpoints at these positions (others are passed by), mark
    the ``issues`` positions as an issue with a note, then press Finish."""
    run = PatrolRun(ref=app_ref(phone), save=app_save(phone, now), now=now, route_id=route_id)
    for position in positions:
        run.index = [int(c["position"]) for c in run.checkpoints].index(position)
        assert run.current is not None
        assert run.accept_scan([str(run.current["scan_code"])]) is None  # the camera read the label
        if position in issues:
            run.note = "Fire door propped open"
            assert isinstance(run.mark(CheckpointResult.ISSUE), IssueDraft)
        else:
            assert run.mark(CheckpointResult.OK) is None
    if finish:
        run.finish()
    return run


def report_issue(phone: Phone, run: PatrolRun, position: int, now: Callable[[], datetime]) -> str:
    """Fill the defect form the app opens after an issue at this checkpoint; return the defect's id."""
    checkpoint = next(c for c in run.checkpoints if int(c["position"]) == position)
    visit_id = run.visit_ids[str(checkpoint["id"])]
    form = DefectForm(
        ref=app_ref(phone),
        save=app_save(phone, now),
        place_id=checkpoint["place_id"],
        checkpoint_visit_id=visit_id,
        description="Fire door propped open",
    )
    form.category = DefectCategory.FIRE_FACILITIES
    assert form.submit() == []
    assert form.saved_id is not None
    return form.saved_id
