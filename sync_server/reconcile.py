"""Reconciliation: turning newly stored field records into work orders (the shell around shared.reconcile_rules).

Each new fact is indexed in ``recon_facts`` with the stream it belongs to; then every stream it
touches is brought up to date (``reconcile_window``: fed to the stream's running replay, or replayed
from its latest rest point) and the orders that changed are written and published. The orders
depend only on the set of stored facts: a repeated push changes nothing, and the same records
arriving in another order end in the same orders (only the issued numbers differ).

A correction of a defect or a complaint is indexed in the stream of the record it corrects (its
chain's first record), so that it replaces that record where it stood and the order keeps its
identity (see ``shared.order_effects``); the stream is replayed from before that first record.
Times are read on the property's own clock (``reference.property_tz``): its day of each fact, and
the slot (morning or afternoon) of a renovation check, which the server decides from the check's
effective time, never from the label the phone sent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from shared import parse
from shared.model import (
    CheckpointVisit,
    DecorationCheck,
    DefectReport,
    OwnerComplaint,
    PatrolRound,
    RecordType,
    Role,
)
from shared.reconcile_rules import Fact, Outcome, check_role, order_ref, stream_of
from shared.rules import decoration_slot, effective_time, local_day
from shared.wire import Record
from shared.workflow import FINAL
from sync_server import reconcile_window
from sync_server.db import findings, orders, recon_facts, reference
from sync_server.reconcile_write import utc
from sync_server.settings import Settings


def reconcile_record(
    db: sqlite_utils.Database,
    *,
    record: Record,
    user: dict[str, Any],
    settings: Settings,
    received_at: datetime,
    clock_offset: timedelta = timedelta(0),
) -> None:
    """Called by the push pipeline inside the record's SAVEPOINT, right after the record was stored.

    Raises the workflow's problem for a work-order action that the order's role or state does
    not allow, or a return visit that is not independent, so the push reports that record
    ``rejected`` and nothing changes.
    """
    at, clock_flag = effective_time(record.recorded_at, received_at, clock_offset)
    apply_fact(
        db,
        settings=settings,
        property_id=user["property_id"],
        id=record.id,
        type=record.type,
        body=record.body,
        author_id=user["id"],
        author_role=Role(user["role"]),
        at=at,
        clock_flag=clock_flag,
        supersedes=record.supersedes,
    )


def apply_fact(
    db: sqlite_utils.Database,
    *,
    settings: Settings,
    property_id: str,
    id: str,
    type: RecordType,
    body: Any,
    author_id: str,
    author_role: Role,
    at: datetime,
    clock_flag: str | None = None,
    supersedes: str | None = None,
    source: str = "device",
    must_apply: bool = False,
) -> Outcome | None:
    """Index one fact and replay what it touches; raise when it is an action that cannot apply.

    An action that a later state of its order would allow waits (records arrive in any order), unless
    ``must_apply`` (a supervisor acting at the desk sees the current state and wants it done now).
    """
    fact = Fact(id, type, at, author_id, author_role, body, supersedes)
    check_role(fact)
    row = _index_row(db, fact, settings=settings, property_id=property_id, clock_flag=clock_flag)
    row.update(source=source)
    if not recon_facts.insert_fact(db, fact=row):
        return None  # this fact was reconciled before
    stored_at = datetime.fromisoformat(row["effective_at"])  # as a replay reads it back
    fact = replace(fact, at=stored_at)
    reconcile_window.remember(fact, {**row, "body_text": orders.body_text(row["body"])})
    findings.mark_findings_stale(db, property_id=property_id)
    new: dict[str, list[Fact]] = {}
    changed: dict[str, list[Fact]] = {}
    if row["stream"]:
        adopted = _adopt(db, [id], row["stream"])
        new[row["stream"]] = [fact, *(reconcile_window.fact_of(r) for r in recon_facts.facts_by_ids(db, ids=adopted))]
    if isinstance(body, CheckpointVisit):  # a defect that named this visit can now link its patrol round
        for f in recon_facts.facts_with_visit(db, visit_id=id):
            if f["stream"]:
                changed.setdefault(f["stream"], []).append(reconcile_window.fact_of(f))
    if supersedes:  # every stream the chain was in is read again, from before the chain's first record
        chain = recon_facts.chain_of(db, id=supersedes)
        for stream in {f["stream"] for f in chain if f["stream"]}:
            changed.setdefault(stream, []).append(reconcile_window.fact_of(chain[-1]))
    outcome = None
    for stream in sorted(new.keys() | changed.keys()):
        result = reconcile_window.update(
            db,
            settings=settings,
            property_id=property_id,
            stream=stream,
            new=new.get(stream, []),
            changed=changed.get(stream, []),
        )
        if stream == row["stream"]:
            outcome = result
    if outcome is not None and id in outcome.skipped and id not in outcome.applied_to:
        problem = outcome.skipped[id]
        if type is RecordType.WORK_ORDER_ACTION and (must_apply or id not in outcome.waiting):
            raise problem
        if type is RecordType.RETURN_VISIT and problem.code in FINAL:
            raise problem
    return outcome


def _adopt(db: sqlite_utils.Database, ids: list[str], stream: str) -> list[str]:
    """Facts parked because they named an order that did not exist yet join its stream (and theirs, in turn)."""
    adopted: list[str] = []
    while ids:
        ids = recon_facts.adopt_parked(db, order_refs=[f"wo-{i}" for i in ids], stream=stream)
        adopted += ids
    return adopted


def _index_row(
    db: sqlite_utils.Database, fact: Fact, *, settings: Settings, property_id: str, clock_flag: str | None
) -> dict[str, Any]:
    body = fact.body
    tz = reference.property_tz(db, property_id=property_id, default=settings.tz)
    row: dict[str, Any] = {
        "id": fact.id,
        "property_id": property_id,
        "type": fact.type.value,
        "author_id": fact.author_id,
        "author_role": fact.author_role.value,
        "effective_at": utc(fact.at),
        "local_day": local_day(fact.at, tz).isoformat(),
        "clock_flag": clock_flag,
        "stream": stream_of(fact.type, body, fact.id),
        "order_ref": order_ref(body),
        "supersedes": fact.supersedes,
        "body": parse.to_json(body),
    }
    if row["order_ref"]:
        row["stream"] = _stream_of_order(db, row["order_ref"])
    elif fact.supersedes and isinstance(body, DefectReport | OwnerComplaint):
        first = recon_facts.chain_of(db, id=fact.supersedes)[-1:]
        if first and first[0]["stream"] and first[0]["type"] == fact.type.value:
            row["stream"] = first[0]["stream"]  # the correction takes the place of the record it corrects
    row["place_id"] = getattr(body, "place_id", None)
    if isinstance(body, DefectReport):
        row["visit_id"] = body.checkpoint_visit_id
    elif isinstance(body, PatrolRound):
        row["route_id"] = body.route_id
    elif isinstance(body, CheckpointVisit):
        row.update(round_id=body.round_id, checkpoint_id=body.checkpoint_id)
        checkpoint = reference.get(db, kind="checkpoint", id=body.checkpoint_id)
        if checkpoint is not None:
            row.update(place_id=checkpoint["place_id"], route_id=checkpoint["route_id"])
    elif isinstance(body, DecorationCheck):
        row.update(permit_id=body.permit_id, slot=decoration_slot(fact.at, tz).value)
        permit = reference.get(db, kind="permit", id=body.permit_id)
        row["place_id"] = permit["unit_id"] if permit else None
    elif row["order_ref"]:
        order = orders.get_order(db, id=row["order_ref"])
        row["place_id"] = order["place_id"] if order else None
    return row


def _stream_of_order(db: sqlite_utils.Database, ref: str) -> str | None:
    """Order ids are ``wo-<id of the fact that opened it>``: that fact's stream is the order's."""
    order = orders.get_order(db, id=ref)
    if order is not None:
        return str(order["stream"])
    opener = recon_facts.get_fact(db, id=ref.removeprefix("wo-")) if ref.startswith("wo-") else None
    return opener["stream"] if opener else None
