"""The demo property: buildings, common areas, two patrol routes, active renovation permits and five users."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlite_utils

from shared.model import PlaceKind, Role
from sync_server import auth
from sync_server.db import accounts, feed, reference, transaction
from sync_server.properties import publish_property
from sync_server.settings import Settings

PASSWORD = "demo"
ROLES = [
    ("specialist", Role.SPECIALIST, "Li Na"),
    ("site-supervisor", Role.SITE_SUPERVISOR, "Wang Wei"),
    ("supervisor", Role.SUPERVISOR, "Zhang Min"),
    ("maintenance", Role.MAINTENANCE, "Chen Gang"),
    ("admin", Role.ADMIN, "Liu Yang"),
]
AREAS = [
    ("lobby", "Lobby"),
    ("garage", "Underground garage"),
    ("periphery", "Periphery"),
    ("unloading", "Unloading area"),
]


def _places(pid: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for b in (1, 2):
        building = f"{pid}-b{b}"
        rows.append({"id": building, "property_id": pid, "kind": PlaceKind.BUILDING.value, "name": f"Building {b}"})
        for f in (1, 2, 3):
            floor = f"{building}-f{f}"
            rows.append({"id": floor, "property_id": pid, "kind": "floor", "name": f"Floor {f}", "parent_id": building})
            for u in (1, 2):
                unit = f"{building}-u{f}0{u}"
                rows.append(
                    {"id": unit, "property_id": pid, "kind": "unit", "name": f"Unit {f}0{u}", "parent_id": floor}
                )
    for key, name in AREAS:
        rows.append({"id": f"{pid}-{key}", "property_id": pid, "kind": PlaceKind.AREA.value, "name": name})
    for row in rows:
        row.setdefault("parent_id", None)
    return rows


def _routes(pid: str, specialist: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    plan = {
        "r1": ("Morning round: buildings and lobby", ["lobby", "b1-f1", "b1-f2", "b1-f3", "b2-f1", "b2-f2", "b2-f3"]),
        "r2": ("Afternoon round: garage and grounds", ["garage", "periphery", "unloading", "lobby"]),
    }
    routes, checkpoints = [], []
    for key, (name, places) in plan.items():
        route = f"{pid}-{key}"
        routes.append({"id": route, "property_id": pid, "name": name, "assigned_to": specialist})
        for position, place in enumerate(places, start=1):
            checkpoints.append(
                {
                    "id": f"{route}-cp{position}",
                    "property_id": pid,
                    "route_id": route,
                    "place_id": f"{pid}-{place}",
                    "name": f"Checkpoint {position}",
                    "scan_code": f"CP-{pid.upper()}-{key.upper()}-{position:02d}",
                    "position": position,
                }
            )
    return routes, checkpoints


def _permits(pid: str, settings: Settings) -> list[dict[str, Any]]:
    today = settings.now().astimezone(settings.tz).date()
    plan = [
        ("b1-u302", "Bright Home Renovation Co.", 6),
        ("b2-u201", "Jade Decor Ltd.", 4),
        ("b2-u102", "Hu & Sons", 3),
    ]
    return [
        {
            "id": f"{pid}-permit{n}",
            "property_id": pid,
            "unit_id": f"{pid}-{unit}",
            "contractor": contractor,
            "starts_on": (today - timedelta(days=7 * n)).isoformat(),
            "ends_on": (today + timedelta(days=30 * n)).isoformat(),
            "passes_registered": passes,
            "status": "active",
        }
        for n, (unit, contractor, passes) in enumerate(plan, start=1)
    ]


def checkpoint_codes(property_id: str = "demo") -> list[tuple[str, str, str, str]]:
    """(route, checkpoint, place, code) of every demo checkpoint: what a newcomer types when no label is printed."""
    rows = {p["id"]: p for p in _places(property_id)}

    def label(place_id: str) -> str:  # "Building 2 · Floor 1": floors repeat across buildings
        place = rows.get(place_id)
        if place is None:
            return ""
        parent = label(place["parent_id"]) if place.get("parent_id") else ""
        return f"{parent} · {place['name']}" if parent else str(place["name"])

    routes, checkpoints = _routes(property_id, "")
    names = {r["id"]: r["name"] for r in routes}
    return [
        (names[c["route_id"]], c["name"], label(c["place_id"]), c["scan_code"])
        for c in sorted(checkpoints, key=lambda c: (c["route_id"], c["position"]))
    ]


def load_demo(
    db: sqlite_utils.Database, settings: Settings, *, property_id: str = "demo", prefix: str = "demo"
) -> list[dict[str, Any]]:
    """Create (or bring up to date) the demo property and its users; return the users. Idempotent."""
    pid = property_id
    users = []
    with transaction(db):
        if _put(db, "property", {"id": pid, "name": "Harbour View Gardens", "tz": settings.tz_name}, pid):
            publish_property(db, property_id=pid, settings=settings)
        for place in _places(pid):
            _put(db, "place", place, pid)
        for key, role, name in ROLES:
            user_id = f"user-{prefix}-{key}"
            if accounts.get_user(db, user_id=user_id) is None:
                accounts.insert_user(
                    db,
                    id=user_id,
                    username=f"{prefix}-{key}",
                    name=name,
                    role=role.value,
                    property_id=pid,
                    password_hash=auth.hash_password(PASSWORD, settings.argon2),
                    created_at=settings.now(),
                )
                publish_user(db, user=_must(accounts.get_user(db, user_id=user_id)))
            users.append(_must(accounts.get_user(db, user_id=user_id)))
        routes, checkpoints = _routes(pid, f"user-{prefix}-specialist")
        for route in routes:
            _put(db, "route", route, pid)
        for checkpoint in checkpoints:
            _put(db, "checkpoint", checkpoint, pid)
        for permit in _permits(pid, settings):
            _put(db, "permit", permit, pid)
    return users


def publish_user(db: sqlite_utils.Database, *, user: dict[str, Any]) -> None:
    data = {k: user[k] for k in ("id", "name", "role")}
    feed.publish(db, scope=feed.property_scope(user["property_id"]), kind="user", entity_id=user["id"], data=data)


def _put(db: sqlite_utils.Database, kind: str, row: dict[str, Any], pid: str) -> bool:
    """Save and publish a reference row, only when it is new or changed (so a second load is silent)."""
    existing = reference.get(db, kind=kind, id=row["id"])
    if existing is not None and all(existing.get(k) == v for k, v in row.items()):
        return False
    reference.save(db, kind=kind, row=row)
    if kind != "property":  # published with its rules
        feed.publish(db, scope=feed.property_scope(pid), kind=kind, entity_id=row["id"], data=row)
    return True


def _must(user: dict[str, Any] | None) -> dict[str, Any]:
    assert user is not None
    return user
