"""Reconciliation: turning newly stored field records into work orders (the shell around shared.reconcile_rules).

Each new fact is indexed in ``recon_facts`` with the stream it belongs to; then every stream it
touches is replayed from all its facts and the resulting orders are written and published. The
orders therefore depend only on the set of stored facts: a repeated push changes nothing, and the
same records arriving in another order end in the same orders (only the issued numbers differ).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from shared import parse
from shared.model import BODY_TYPES, CheckpointVisit, DecorationCheck, DefectReport, PatrolRound, RecordType, Role
from shared.reconcile_rules import Context, Fact, Outcome, check_role, order_ref, replay, stream_of
from shared.rules import effective_time, local_day
from shared.wire import Record
from sync_server.db import feed, findings, orders, reference
from sync_server.settings import Settings

OVERSEERS = ("supervisor", "admin")  # roles that see every order of their property


def reconcile_record(
    db: sqlite_utils.Database, *, record: Record, user: dict[str, Any], settings: Settings, received_at: datetime
) -> None:
    """Called by the push pipeline inside the record's SAVEPOINT, right after the record was stored.

    Raises the workflow's problem for a work-order action that the order's role or state does
    not allow, so the push reports that record ``rejected`` and nothing changes.
    """
    at, clock_flag = effective_time(record.recorded_at, received_at)
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
    fact = Fact(id, type, at, author_id, author_role, body)
    check_role(fact)
    row = _index_row(db, fact, settings=settings, property_id=property_id, clock_flag=clock_flag)
    row.update(supersedes=supersedes, source=source)
    if not orders.insert_fact(db, fact=row):
        return None  # this fact was reconciled before
    stored_at = datetime.fromisoformat(row["effective_at"])  # as a replay reads it back
    _remember(replace(fact, at=stored_at), {**row, "body_text": orders.body_text(row["body"])})
    findings.mark_findings_stale(db, property_id=property_id)
    streams = {row["stream"]} if row["stream"] else set()
    if isinstance(body, CheckpointVisit):  # a defect that named this visit can now link its patrol round
        streams |= {f["stream"] for f in orders.facts_with_visit(db, visit_id=id) if f["stream"]}
    if supersedes:
        earlier = orders.get_fact(db, id=supersedes)
        if earlier is not None and earlier["stream"]:
            streams.add(earlier["stream"])
    if row["stream"]:
        _adopt(db, [id], row["stream"])
    outcome = None
    for stream in sorted(streams):
        result = replay_stream(db, settings=settings, property_id=property_id, stream=stream)
        if stream == row["stream"]:
            outcome = result
    if type is RecordType.WORK_ORDER_ACTION and outcome is not None:
        if id not in outcome.applied_to and (must_apply or id not in outcome.waiting):
            raise outcome.skipped[id]
    return outcome


def _adopt(db: sqlite_utils.Database, ids: list[str], stream: str) -> None:
    """Facts parked because they named an order that did not exist yet join its stream (and theirs, in turn)."""
    while ids:
        ids = orders.adopt_parked(db, order_refs=[f"wo-{i}" for i in ids], stream=stream)


def _index_row(
    db: sqlite_utils.Database, fact: Fact, *, settings: Settings, property_id: str, clock_flag: str | None
) -> dict[str, Any]:
    body = fact.body
    row: dict[str, Any] = {
        "id": fact.id,
        "property_id": property_id,
        "type": fact.type.value,
        "author_id": fact.author_id,
        "author_role": fact.author_role.value,
        "effective_at": _utc(fact.at),
        "local_day": local_day(fact.at, settings.tz).isoformat(),
        "clock_flag": clock_flag,
        "stream": stream_of(fact.type, body, fact.id),
        "order_ref": order_ref(body),
        "body": parse.to_json(body),
    }
    if row["order_ref"]:
        row["stream"] = _stream_of_order(db, row["order_ref"])
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
        row.update(permit_id=body.permit_id, slot=body.slot.value)
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
    opener = orders.get_fact(db, id=ref.removeprefix("wo-")) if ref.startswith("wo-") else None
    return opener["stream"] if opener else None


# ---- replaying a stream ------------------------------------------------------------------------
def replay_stream(db: sqlite_utils.Database, *, settings: Settings, property_id: str, stream: str) -> Outcome:
    rows = orders.facts_of_stream(db, stream=stream)
    facts = [_fact(row) for row in rows]
    visit_ids = [f.body.checkpoint_visit_id for f in facts if isinstance(f.body, DefectReport)]
    visits = orders.facts_by_ids(db, ids=[v for v in visit_ids if v])
    ctx = Context(
        tz=settings.tz,
        rectification_hours=orders.rectification_hours(
            db, property_id=property_id, default=settings.rectification_hours
        ),
        responsible=_Lazy(lambda: responsible_by_place(db, property_id=property_id)),
        visit_rounds={v["id"]: v["round_id"] for v in visits if v["round_id"]},
        permit_places=_Lazy(
            lambda: {p["id"]: p["unit_id"] for p in reference.all_of(db, kind="permit", property_id=property_id)}
        ),
        superseded=frozenset(orders.superseded_among(db, ids=[r["id"] for r in rows])),
    )
    outcome = replay(facts, ctx)
    _write(db, settings=settings, property_id=property_id, stream=stream, outcome=outcome)
    return outcome


def _fact(row: dict[str, Any]) -> Fact:
    """The fact of a stored row; facts never change, so what was parsed once is kept (parsing is the cost)."""
    fact = _PARSED.get(_key(row))
    if fact is None:
        record_type = RecordType(row["type"])
        body: Any = parse.parse(BODY_TYPES[record_type], row["body"])
        at = datetime.fromisoformat(row["effective_at"])
        fact = Fact(row["id"], record_type, at, row["author_id"], Role(row["author_role"]), body)
        _remember(fact, row)
    else:
        _PARSED.move_to_end(_key(row))
    return fact


def _key(row: dict[str, Any]) -> tuple[str, ...]:
    return (row["id"], row["type"], row["effective_at"], row["author_id"], row["author_role"], row["body_text"])


def _remember(fact: Fact, row: dict[str, Any]) -> None:
    _PARSED[_key(row)] = fact
    if len(_PARSED) > _PARSED_MAX:
        _PARSED.popitem(last=False)


_PARSED: OrderedDict[tuple[str, ...], Fact] = OrderedDict()
_PARSED_MAX = 50_000


class _Lazy(Mapping[str, str]):
    """A mapping read from the database only if the replay asks (most replays never complete an order)."""

    def __init__(self, load: Callable[[], dict[str, str]]) -> None:
        self._load = load
        self._data: dict[str, str] | None = None

    def _get(self) -> dict[str, str]:
        if self._data is None:
            self._data = self._load()
        return self._data

    def __getitem__(self, key: str) -> str:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def responsible_by_place(db: sqlite_utils.Database, *, property_id: str) -> dict[str, str]:
    """The specialist responsible for each place: the one assigned to a patrol route with a checkpoint there.

    A unit or floor without its own checkpoint inherits from the nearest place above it that has one.
    """
    routes = {r["id"]: r["assigned_to"] for r in reference.all_of(db, kind="route", property_id=property_id)}
    direct: dict[str, str] = {}
    for checkpoint in reference.all_of(db, kind="checkpoint", property_id=property_id):
        owner = routes.get(checkpoint["route_id"])
        if owner:
            direct.setdefault(checkpoint["place_id"], owner)
    parents = {p["id"]: p["parent_id"] for p in reference.all_of(db, kind="place", property_id=property_id)}
    result: dict[str, str] = {}
    for place in parents:
        cursor: str | None = place
        while cursor is not None and cursor not in direct:
            cursor = parents.get(cursor)
        if cursor is not None:
            result[place] = direct[cursor]
    return result


def _write(db: sqlite_utils.Database, *, settings: Settings, property_id: str, stream: str, outcome: Outcome) -> None:
    before = {row["id"]: row for row in orders.orders_of_stream(db, stream=stream)}
    new_ids = {o.id for o in outcome.orders}
    vanished = {oid: row for oid, row in before.items() if oid not in new_ids}
    for oid in vanished:  # first, so that an heir can take over the number
        orders.delete_order(db, id=oid)
    inherited: set[str] = set()
    for order in outcome.orders:
        old = before.get(order.id)
        number = old["data"]["number"] if old else None
        if number is None:  # an order that absorbed one that vanished keeps the number people already saw
            heir = next((v for k, v in vanished.items() if k in order.aliases and k not in inherited), None)
            if heir is not None:
                number = heir["data"]["number"]
                inherited.add(heir["id"])
        if number is None:
            number = orders.next_number(db, year=order.reported_at.astimezone(settings.tz).year)
        data = {**order.to_json(settings.tz), "number": number, "property_id": property_id}
        scopes = order_scopes(property_id, data)
        pending = order.return_visit_pending()
        visit_scopes = _visit_scopes(property_id, pending.assignee_id) if pending else []
        old_scopes = old["scopes"] if old else []
        old_visit_scopes = old["visit_scopes"] if old else []
        if old is not None and old["data"] == data and old_scopes == scopes and old_visit_scopes == visit_scopes:
            continue
        due = order.next_due_at()
        orders.save_order(
            db,
            data=data,
            stream=stream,
            due_at_utc=_utc(due) if due else None,
            reported_at_utc=_utc(order.reported_at),
            scopes=scopes,
            visit_scopes=visit_scopes,
        )
        _publish(db, "work_order", order.id, data, scopes, old_scopes)
        visit = return_visit_data(data, pending.to_json(settings.tz)) if pending else {}
        _publish(db, "return_visit_due", order.id, visit, visit_scopes, old_visit_scopes)
    for oid, row in vanished.items():
        _publish(db, "work_order", oid, {"id": oid}, [], row["scopes"])
        _publish(db, "return_visit_due", oid, {"id": oid}, [], row["visit_scopes"])


def order_scopes(property_id: str, data: dict[str, Any]) -> list[str]:
    """Who sees an order in their pull: supervisors, its reporters, its assignee and the responsible specialist."""
    scopes = {feed.role_scope(property_id, role) for role in OVERSEERS}
    if data["kind"] == "rectification":
        scopes.add(feed.role_scope(property_id, Role.SITE_SUPERVISOR.value))
    for user_id in [*data["reporter_ids"], data["assignee_id"], data["responsible_id"]]:
        if user_id:
            scopes.add(feed.user_scope(user_id))
    return sorted(scopes)


def _visit_scopes(property_id: str, assignee_id: str | None) -> list[str]:
    scopes = {feed.role_scope(property_id, role) for role in OVERSEERS}
    if assignee_id:
        scopes.add(feed.user_scope(assignee_id))
    return sorted(scopes)


def return_visit_data(order: dict[str, Any], deadline: dict[str, Any]) -> dict[str, Any]:
    """The ``return_visit_due`` feed entry: what the specialist's phone lists as a visit to make."""
    keep = ("number", "kind", "place_id", "category", "description", "owner_name", "completed_at", "photos")
    return {
        "id": order["id"],
        "work_order_id": order["id"],
        **{k: order[k] for k in keep},
        "due_at": deadline["due_at"],
        "assignee_id": deadline["assignee_id"],
    }


def _publish(
    db: sqlite_utils.Database, kind: str, entity_id: str, data: dict[str, Any], scopes: list[str], old: list[str]
) -> None:
    for scope in scopes:
        feed.publish(db, scope=scope, kind=kind, entity_id=entity_id, data=data)
    for scope in old:
        if scope not in scopes:
            feed.publish(db, scope=scope, kind=kind, entity_id=entity_id, data={"id": entity_id}, deleted=True)


def _utc(at: datetime) -> str:
    """UTC with fixed precision, so that stored times sort as text."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")
