"""The review side: work orders by state, owner and deadline, findings, the patrol and inspection log, sign-off."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from shared.errors import NotFoundProblem, ValidationProblem
from shared.ids import uuid7
from shared.model import RecordType, Role, WorkOrderAction, WorkOrderActionRecord, WorkOrderKind, WorkOrderState
from shared.reconcile_rules import Fact
from shared.rules import day_ends_at, local_day
from shared.workflow import allowed_actions
from sync_server import auth, reconcile, record_checks, schedule
from sync_server.db import feed, findings, recon_facts, reference, transaction, work_orders
from sync_server.deps import AppSettings, Db
from sync_server.routes.auth import Problem

router = APIRouter(tags=["review"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "auth.missing_token, auth.invalid_token, ..."},
    403: {"model": Problem, "description": "workflow.role_not_allowed, workflow.not_assignee"},
    404: {"model": Problem, "description": "workorder.not_found"},
    409: {"model": Problem, "description": "workflow.invalid_transition"},
    422: {"model": Problem, "description": "request.invalid"},
}
LOG_TYPES = [t.value for t in RecordType if t is not RecordType.WORK_ORDER_ACTION]


class OrderList(BaseModel):
    orders: list[dict[str, Any]]
    now: str


class FindingList(BaseModel):
    findings: list[dict[str, Any]]
    now: str


class LogEntry(BaseModel):
    id: str
    type: str
    at: str
    day: str
    author_id: str
    place_id: str | None
    route_id: str | None
    round_id: str | None
    checkpoint_id: str | None
    permit_id: str | None
    slot: str | None
    clock_flag: str | None
    body: dict[str, Any]


class Log(BaseModel):
    day: str
    entries: list[LogEntry]


class ActionRequest(BaseModel):
    action: WorkOrderAction
    note: Annotated[str, Field(max_length=4000)] = ""
    assignee_id: Annotated[str | None, Field(max_length=64, description="a maintenance user of the property")] = None


class SignOffRequest(BaseModel):
    note: Annotated[str, Field(max_length=4000)] = ""


def _zone(db: Any, user: dict[str, Any], settings: Any) -> ZoneInfo:
    """Times are shown on the clock of the reader's property."""
    return reference.property_tz(db, property_id=user["property_id"], default=settings.tz)


def _visible(user: dict[str, Any], scopes: list[str]) -> bool:
    return user["role"] in auth.SUPERVISING_ROLES or bool(set(feed.scopes_for(user)) & set(scopes))


def _with_view(order: dict[str, Any], user: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The stored order plus what depends on the reader and the clock: overdue, and the actions they may take."""
    overdue = [
        d["name"] for d in order["deadlines"] if d["met_at"] is None and now > datetime.fromisoformat(d["due_at"])
    ]
    kind = WorkOrderKind(order["kind"])
    actions = [a.value for a in allowed_actions(WorkOrderState(order["state"]), Role(user["role"]), kind)]
    return {**order, "overdue": bool(overdue), "overdue_deadlines": overdue, "allowed_actions": actions}


@router.get("/api/v1/orders", response_model=OrderList, responses=PROBLEMS)
def list_orders(
    user: auth.CurrentUser,
    db: Db,
    settings: AppSettings,
    state: Annotated[list[WorkOrderState] | None, Query(description="one or more states")] = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    owner: Annotated[str | None, Query(max_length=100, description="assignee or responsible specialist")] = None,
    overdue: Annotated[bool | None, Query(description="only orders past an unmet deadline")] = None,
    start: Annotated[date | None, Query(alias="from", description="reported on or after this property day")] = None,
    end: Annotated[date | None, Query(alias="to", description="reported on or before this property day")] = None,
    category: Annotated[str | None, Query(max_length=40, description="a defect category")] = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> dict[str, Any]:
    """Orders of the property, soonest deadline first; supervisors see all, others those they are part of.

    Each order without its history (``history_total`` counts its steps): ``GET /api/v1/orders/{id}`` has them."""
    now = settings.now()
    zone = _zone(db, user, settings)
    rows = work_orders.list_orders(
        db,
        property_id=user["property_id"],
        states=[s.value for s in state] if state else None,
        kind=kind,
        owner_id=owner,
        due_before_utc=_utc(now) if overdue else None,
        reported_from_utc=_utc(datetime.combine(start, time(0), zone)) if start else None,
        reported_before_utc=_utc(day_ends_at(end, zone)) if end else None,
        category=category,
        limit=limit,
    )
    found = [_with_view(r["data"], user, now) for r in rows if _visible(user, r["scopes"])]
    if overdue is not None:
        found = [o for o in found if o["overdue"] is overdue]
    return {"orders": found, "now": now.astimezone(zone).isoformat()}


def _utc(at: datetime) -> str:
    """As the orders table stores times: UTC with fixed precision."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _get_visible(db: Any, user: dict[str, Any], order_id: str) -> dict[str, Any]:
    row = work_orders.get_order(db, id=order_id)
    if row is None or row["property_id"] != user["property_id"] or not _visible(user, row["scopes"]):
        raise NotFoundProblem(
            "workorder.not_found",
            "No such work order; pull to refresh the list of orders.",
            {"work_order_id": order_id},
        )
    return row


@router.get("/api/v1/orders/{order_id}", response_model=dict[str, Any], responses=PROBLEMS)
def get_order(order_id: str, user: auth.CurrentUser, db: Db, settings: AppSettings) -> dict[str, Any]:
    """One order with its full history (who, what, when, from which record) and its deadlines."""
    return _with_view(_get_visible(db, user, order_id)["data"], user, settings.now())


@router.post("/api/v1/orders/{order_id}/actions", response_model=dict[str, Any], responses=PROBLEMS)
def act_on_order(
    order_id: str, request: ActionRequest, user: auth.CurrentUser, db: Db, settings: AppSettings
) -> dict[str, Any]:
    """Dispatch, start, complete, close or sign off from the desk: the same state machine as the phones' records."""
    _get_visible(db, user, order_id)
    if request.action is WorkOrderAction.DISPATCH and not request.assignee_id:
        raise ValidationProblem(
            "request.invalid", "Choose who the work order is dispatched to.", {"field": "assignee_id"}
        )
    if request.assignee_id:
        record_checks.check_assignee(
            db, assignee_id=request.assignee_id, property_id=user["property_id"], field="assignee_id"
        )
    now = settings.now()
    body = WorkOrderActionRecord(order_id, request.action, request.note, request.assignee_id)
    body.check()  # the same rules as a phone's record: a close needs its reason
    with transaction(db):
        fact = Fact(
            uuid7(int(now.timestamp() * 1000)),
            RecordType.WORK_ORDER_ACTION,
            now,
            user["id"],
            Role(user["role"]),
            body,
        )
        reconcile.apply_desk_action(db, settings=settings, property_id=user["property_id"], fact=fact, source="review")
    return _with_view(_get_visible(db, user, order_id)["data"], user, now)


@router.post("/api/v1/orders/{order_id}/sign-off", response_model=dict[str, Any], responses=PROBLEMS)
def sign_off(
    order_id: str, request: SignOffRequest, user: auth.CurrentUser, db: Db, settings: AppSettings
) -> dict[str, Any]:
    """A supervisor signs a closed order off: it is filed."""
    return act_on_order(order_id, ActionRequest(action=WorkOrderAction.SIGN_OFF, note=request.note), user, db, settings)


@router.get("/api/v1/findings", response_model=FindingList, responses=PROBLEMS)
def list_findings(
    user: auth.CurrentUser,
    db: Db,
    settings: AppSettings,
    day: Annotated[date | None, Query(description="a property day, YYYY-MM-DD")] = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    owner: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """What was missed or is late, with who owns it; supervisors see all, others their own."""
    schedule.refresh_if_due(db, property_id=user["property_id"], settings=settings)
    found = findings.list_findings(
        db, property_id=user["property_id"], day=day.isoformat() if day else None, kind=kind, owner_id=owner
    )
    if user["role"] not in auth.SUPERVISING_ROLES:
        found = [
            f for f in found if f["owner_id"] == user["id"] or (not f["owner_id"] and f["owner_role"] == user["role"])
        ]
    return {"findings": found, "now": settings.now().astimezone(_zone(db, user, settings)).isoformat()}


@router.get("/api/v1/log", response_model=Log, responses=PROBLEMS)
def patrol_log(
    user: auth.CurrentUser,
    db: Db,
    settings: AppSettings,
    day: Annotated[date | None, Query(description="a property day, YYYY-MM-DD; today by default")] = None,
    start: Annotated[date | None, Query(alias="from", description="first property day of a range")] = None,
    end: Annotated[date | None, Query(alias="to", description="last property day of a range (included)")] = None,
    q: Annotated[str | None, Query(max_length=100, description="words searched in what was recorded")] = None,
    person: Annotated[str | None, Query(max_length=100, description="a user id")] = None,
    place: Annotated[str | None, Query(max_length=100, description="a place id")] = None,
    record_type: Annotated[RecordType | None, Query(alias="type", description="one record type")] = None,
    category: Annotated[str | None, Query(max_length=40, description="a defect category")] = None,
) -> dict[str, Any]:
    """The patrol and inspection log of a day or a range (at most 2000 entries): every field record, by person,
    place, type, category and words; others see their own."""
    zone = _zone(db, user, settings)
    first = start or day or end or local_day(settings.now(), zone)
    last = end or first  # a day, or a range
    if last < first:
        raise ValidationProblem("request.invalid", "The end of the range is before its start.", {"field": "to"})
    if user["role"] not in auth.SUPERVISING_ROLES:
        person = user["id"]
    facts = recon_facts.log_facts(
        db,
        property_id=user["property_id"],
        day_from=first.isoformat(),
        day_to=last.isoformat(),
        types=[record_type.value] if record_type and record_type.value in LOG_TYPES else LOG_TYPES,
        author_id=person,
        place_id=place,
        category=category,
        text=q.strip() if q and q.strip() else None,
    )
    entries = [
        {
            **{k: f[k] for k in LogEntry.model_fields if k in f},
            "at": datetime.fromisoformat(f["effective_at"]).astimezone(zone).isoformat(),
            "day": f["local_day"],
        }
        for f in facts
    ]
    return {"day": first.isoformat(), "entries": entries}
