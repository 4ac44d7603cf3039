"""Writing reconciled orders: numbers, the order rows and what each reader's pull shows of them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.model import Role
from shared.work_order import Event, Order
from sync_server.db import Database, feed, work_orders

OVERSEERS = ("supervisor", "admin")  # roles that see every order of their property
HISTORY_SHOWN = 20  # the latest steps of an order that phones keep; the whole record is fetched when opened
PHOTOS_SHOWN = 12


def write_orders(
    db: Database,
    *,
    tz: ZoneInfo,
    property_id: str,
    stream: str,
    changed: list[Order],
    before: dict[str, dict[str, Any]],
    vanished: dict[str, dict[str, Any]],
    stored_steps: Mapping[str, int] | None = None,
) -> list[feed.Entry]:
    """Store the orders a replay changed and return their feed entries; ``before`` holds their stored rows.

    ``vanished`` are stored orders the replay no longer makes (a correction, or a late report that
    another report's order joined): they are deleted and unpublished, and an order that absorbed
    one of them keeps the number people already saw. ``stored_steps`` tells, for orders of a running
    replay, how many of their first history steps are stored as they stand: only the steps after
    those are written, so a long order costs what its new steps do. The caller publishes the entries
    (in their order), once for its whole batch.
    """
    published: list[feed.Entry] = []
    for oid in vanished:  # first, so that an heir can take over the number
        work_orders.delete_order(db, id=oid)
    inherited: set[str] = set()
    numbers: dict[str, str] = {}
    for order in changed:
        old = before.get(order.id)
        number = old["number"] if old else None
        if number is None:
            heir = next((v for k, v in vanished.items() if k in order.aliases and k not in inherited), None)
            if heir is not None:
                number = heir["number"]
                inherited.add(heir["id"])
        if number is None:
            number = work_orders.next_number(db, year=order.reported_at.astimezone(tz).year)
        numbers[order.id] = number
    first = {o.id: (stored_steps or {}).get(o.id, 0) if o.id in before else 0 for o in changed}
    shown = {o.id: min(first[o.id], max(len(o.history) - HISTORY_SHOWN, 0)) for o in changed}
    related = {e.related_order_id for o in changed for e in o.history[shown[o.id] :] if e.related_order_id}
    numbers.update(work_orders.numbers_of(db, ids=sorted(related - numbers.keys())))
    for order in changed:
        old = before.get(order.id)
        data = {
            **order.head_json(tz),
            "number": numbers[order.id],
            "property_id": property_id,
            "history_total": len(order.history),
        }
        # the replay knows which order a step names; people know it by number
        steps = [_step(e, tz, numbers) for e in order.history[shown[order.id] :]]
        new_steps = steps[first[order.id] - shown[order.id] :]
        scopes = order_scopes(property_id, data)
        pending = order.return_visit_pending()
        visit_scopes = _visit_scopes(property_id, pending.assignee_id) if pending else []
        old_scopes = old["scopes"] if old else []
        old_visit_scopes = old["visit_scopes"] if old else []
        text = work_orders.order_text(data)  # the stored form: compared as text, nothing is parsed back
        if (
            old is not None
            and (old["data_text"], old_scopes, old_visit_scopes) == (text, scopes, visit_scopes)
            and first[order.id] == 0
            and work_orders.history_texts(db, id=order.id) == [work_orders.order_text(e) for e in new_steps]
        ):
            continue  # replayed again, unchanged
        due = order.next_due_at()
        work_orders.save_order(
            db,
            data=data,
            stream=stream,
            due_at_utc=utc(due) if due else None,
            reported_at_utc=utc(order.reported_at),
            scopes=scopes,
            visit_scopes=visit_scopes,
            aliases=order.aliases if not first[order.id] else _aliases_of(order, new_steps),
            data_text=text,
            events=(first[order.id], new_steps),
        )
        told = scopes if old is None or _moved(old, data) else _without_earlier_reporters(scopes, old_scopes, data)
        gone = [s for s in old_scopes if s not in scopes]
        latest = steps[-HISTORY_SHOWN:]
        visit = return_visit_data(data, pending.to_json(tz)) if pending else None
        published += [
            feed.Entry("work_order", order.id, summary(data, latest), told, gone),
            feed.Entry("return_visit_due", order.id, visit, visit_scopes, old_visit_scopes),
        ]
    for oid, row in vanished.items():
        published += [
            feed.Entry("work_order", oid, None, (), row["scopes"]),
            feed.Entry("return_visit_due", oid, None, (), row["visit_scopes"]),
        ]
    return published


def _aliases_of(order: Order, steps: list[dict[str, Any]]) -> list[str]:
    """The aliases of the records these steps come from (a record joins an order with a step of its own)."""
    records = {f"wo-{e['record_id']}" for e in steps}
    return [a for a in order.aliases if a in records]


def _step(event: Event, tz: ZoneInfo, numbers: dict[str, str]) -> dict[str, Any]:
    step = event.to_json(tz)
    if step["related_order_id"]:
        step["related_number"] = numbers.get(step["related_order_id"])
    return step


def summary(data: dict[str, Any], latest: list[dict[str, Any]]) -> dict[str, Any]:
    """What the feed carries of an order: bounded, whatever the number of its reports and steps.

    ``data`` is the order as stored (without its history), ``latest`` its last steps. The thousandth
    report of one leak costs a phone what the first did; the full history and every photo come with
    ``GET /api/v1/orders/{id}``.
    """
    short = {k: v for k, v in data.items() if k != "record_ids"}
    short.update(
        history=latest[-HISTORY_SHOWN:],
        photos=data["photos"][:PHOTOS_SHOWN],
        photos_total=len(data["photos"]),
        record_count=len(data["record_ids"]),
    )
    return short


def _moved(old: dict[str, Any], data: dict[str, Any]) -> bool:
    """Whether the order changed in a way its reporters follow (its state or who works on it)."""
    return bool(old["state"] != data["state"] or old["assignee_id"] != data["assignee_id"])


def _without_earlier_reporters(scopes: list[str], old_scopes: list[str], data: dict[str, Any]) -> list[str]:
    """One more report joining an open order is news to the desk and to the new reporter, not to earlier ones."""
    earlier = {feed.user_scope(r) for r in data["reporter_ids"]} & set(old_scopes)
    keep = {feed.user_scope(u) for u in (data["assignee_id"], data["responsible_id"]) if u}
    return [s for s in scopes if s not in earlier or s in keep]


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
    keep = ("number", "kind", "place_id", "category", "description", "verdict", "owner_name", "completed_at", "photos")
    return {
        "id": order["id"],
        "work_order_id": order["id"],
        **{k: order[k] for k in keep},
        "due_at": deadline["due_at"],
        "assignee_id": deadline["assignee_id"],
    }


def utc(at: datetime) -> str:
    """UTC with fixed precision, so that stored times sort as text."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")
