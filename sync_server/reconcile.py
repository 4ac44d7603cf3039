"""Reconciliation: turning newly stored field records into work orders. Start here.

From a pushed record to the order rows, per batch (``sync_server.push`` calls ``reconcile_batch``
inside the batch's transaction, after storing the records):

1. **Fact.** Each new record becomes a ``Fact`` (``shared.reconcile_rules``): its body, author, role
   and effective time. It is indexed in ``recon_facts`` with its *stream*, the set of facts that can
   touch the same orders: the defects of one place and category, one owner complaint, the checks of
   one renovation permit. An action or a return visit joins the stream of the order it names; a
   correction joins the stream of the record it corrects.
2. **Replay.** Each stream the batch touched is brought up to date once (``reconcile_window``). The
   orders of a stream are a pure function of its facts taken in (effective time, id) order
   (``shared.reconcile_rules.Replay``, rules in ``shared.order_effects``). So that the cost does not
   grow with history, the replay starts at the stream's latest *rest point* (a fact after which
   every order of the stream was closed) before the earliest new fact; a fact naming an order closed
   before that point replays only that order's *episode* (the order and its rework orders). The
   running replay is saved in ``recon_streams`` (every 64 facts, with the batch's token each time):
   new facts that sort last are just fed to it, on whichever worker the batch lands; the worker
   that made the latest batch also has it in memory and skips the unpickling. What a replay reads
   besides its facts (the property's clock, deadlines, responsible specialists, permits) is read
   once a batch (``reconcile_reads``).
3. **Write.** The orders that changed are written (``reconcile_write``): numbered, stored in
   ``work_orders`` with their aliases (``wo-<record id>`` of every record that joined them) and
   their history step by step (only the steps not stored yet), and published to the feed as a
   bounded summary, to the desk, the assignee, the responsible specialist and, when the order
   moves, its reporters.
4. **Refuse.** A work-order action that the order's state will never allow, or a return visit that
   is not independent, is returned as a problem; the push rolls the batch back and stores it again
   without that record, so a refused record leaves nothing behind.

The orders depend only on the set of stored facts: a repeated push changes nothing, and the same
records arriving in another order end in the same orders (only the issued numbers differ). Times
are read on the property's own clock (``reference.property_tz``): the day of each fact, and the
slot (morning or afternoon) of a renovation check, which the server decides from the check's
effective time, never from the label the phone sent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared import parse
from shared.errors import PatrolError
from shared.model import (
    CheckpointVisit,
    DecorationCheck,
    DefectReport,
    OwnerComplaint,
    PatrolRound,
    RecordType,
)
from shared.reconcile_rules import Fact, check_role, order_ref, stream_of
from shared.rules import decoration_slot, local_day
from shared.workflow import FINAL
from sync_server import reconcile_reads, reconcile_window
from sync_server.db import Database, feed, findings, recon_facts, reference, work_orders
from sync_server.reconcile_write import utc
from sync_server.settings import Settings


def reconcile_batch(
    db: Database,
    *,
    settings: Settings,
    property_id: str,
    facts: list[tuple[Fact, str | None]],
    source: str = "device",
    must_apply: bool = False,
) -> dict[str, PatrolError]:
    """Index the facts (each with its clock flag) and bring every stream they touch up to date, once each.

    Returns the problem of each fact that must be refused: a work-order action the order's role or
    state does not allow (one that a later state would allow waits, records arrive in any order,
    unless ``must_apply``: a supervisor at the desk sees the current state and wants it done now),
    or a return visit that is not independent. The caller rolls the batch back and tries again
    without them, so a refused fact leaves nothing behind.
    """
    new: dict[str, list[Fact]] = {}
    changed: dict[str, list[Fact]] = {}
    stream_of_fact: dict[str, str | None] = {}
    tz = reference.property_tz(db, property_id=property_id, default=settings.tz)
    for fact, clock_flag in facts:
        row = _index_row(db, fact, tz=tz, property_id=property_id, clock_flag=clock_flag)
        row.update(source=source, body_text=work_orders.body_text(row["body"]))  # encoded once: stored, and a cache key
        if not recon_facts.insert_fact(db, fact=row):
            continue  # this fact was reconciled before
        fact = replace(fact, at=datetime.fromisoformat(row["effective_at"]))  # as a replay reads it back
        reconcile_reads.remember(fact, row)
        stream_of_fact[fact.id] = row["stream"]
        if row["stream"]:
            new.setdefault(row["stream"], []).append(fact)
        if isinstance(fact.body, CheckpointVisit):  # a defect that named this visit can now link its patrol round
            for f in recon_facts.facts_with_visit(db, visit_id=fact.id):
                if f["stream"]:
                    changed.setdefault(f["stream"], []).append(reconcile_reads.fact_of(f))
        if fact.supersedes:  # every stream the chain was in is read again, from before the chain's first record
            chain = recon_facts.chain_of(db, id=fact.supersedes)
            for stream in {f["stream"] for f in chain if f["stream"]}:
                changed.setdefault(stream, []).append(reconcile_reads.fact_of(chain[-1]))
    if not stream_of_fact:
        return {}
    findings.mark_findings_stale(db, property_id=property_id)
    premises = reconcile_reads.Premises.read(db, settings, property_id, tz)
    published: list[feed.Entry] = []
    outcomes = {
        stream: reconcile_window.update(
            db,
            premises=premises,
            stream=stream,
            new=new.get(stream, []),
            changed=changed.get(stream, []),
            published=published,
        )
        for stream in sorted(new.keys() | changed.keys())
    }
    feed.publish_many(db, published)
    problems: dict[str, PatrolError] = {}
    for fact, _ in facts:
        outcome = outcomes.get(stream_of_fact.get(fact.id) or "")
        if outcome is None or fact.id not in outcome.skipped or fact.id in outcome.applied_to:
            continue
        problem = outcome.skipped[fact.id]
        if fact.type is RecordType.WORK_ORDER_ACTION and (must_apply or fact.id not in outcome.waiting):
            problems[fact.id] = problem
        elif fact.type is RecordType.RETURN_VISIT and problem.code in FINAL:
            problems[fact.id] = problem
    return problems


def apply_desk_action(db: Database, *, settings: Settings, property_id: str, fact: Fact, source: str) -> None:
    """A supervisor's action at the desk: applied now to the order as it stands, or refused with its problem."""
    check_role(fact)
    problems = reconcile_batch(
        db, settings=settings, property_id=property_id, facts=[(fact, None)], source=source, must_apply=True
    )
    if problems:
        raise problems[fact.id]


def _index_row(db: Database, fact: Fact, *, tz: ZoneInfo, property_id: str, clock_flag: str | None) -> dict[str, Any]:
    body = fact.body
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
        row["place_id"] = work_orders.order_head(db, id=row["order_ref"]).get("place_id")
    return row


def _stream_of_order(db: Database, ref: str) -> str | None:
    """Order ids are ``wo-<id of the fact that opened it>``: that fact's stream is the order's."""
    head = work_orders.order_head(db, id=ref)
    if head:
        return str(head["stream"])
    opener = recon_facts.get_fact(db, id=ref.removeprefix("wo-")) if ref.startswith("wo-") else None
    return opener["stream"] if opener else None
