"""The demo property: buildings, common areas, two patrol routes, active renovation permits and five users.

Made through ``sync_server.admin``, the same setup functions a customer's operator uses: the demo is one use of
them, with fixed ids so a second load finds everything in place and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.model import PlaceKind, Role
from sync_server.admin import checkpoints, permits, places, properties, routes, users
from sync_server.admin.common import Actor
from sync_server.db import Database, accounts, reference, transaction
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
    return rows


def _routes(pid: str, specialist: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    plan = {
        "r1": ("Morning round: buildings and lobby", ["lobby", "b1-f1", "b1-f2", "b1-f3", "b2-f1", "b2-f2", "b2-f3"]),
        "r2": ("Afternoon round: garage and grounds", ["garage", "periphery", "unloading", "lobby"]),
    }
    planned, stops_of_routes = [], []
    for key, (name, stops) in plan.items():
        route = f"{pid}-{key}"
        planned.append({"id": route, "name": name, "assigned_to": specialist})
        for position, place in enumerate(stops, start=1):
            stops_of_routes.append(
                {
                    "id": f"{route}-cp{position}",
                    "route_id": route,
                    "place_id": f"{pid}-{place}",
                    "name": f"Checkpoint {position}",
                    "scan_code": f"CP-{pid.upper()}-{key.upper()}-{position:02d}",
                }
            )
    return planned, stops_of_routes


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
            "unit_id": f"{pid}-{unit}",
            "contractor": contractor,
            "starts_on": (today - timedelta(days=7 * n)).isoformat(),
            "ends_on": (today + timedelta(days=30 * n)).isoformat(),
            "workers": [
                {"name": f"Worker {w}", "pass_number": f"{pid.upper()}-P{n}{w:02d}"} for w in range(1, passes + 1)
            ],
            "applied_on": (today - timedelta(days=7 * n + 3)).isoformat(),
            "approved_on": (today - timedelta(days=7 * n + 2)).isoformat(),
        }
        for n, (unit, contractor, passes) in enumerate(plan, start=1)
    ]


ACTOR = Actor(id="demo", name="demo loader", role=Role.ADMIN.value)


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
        for c in checkpoints  # route by route, in walking order
    ]


def load_demo(
    db: Database, settings: Settings, *, property_id: str = "demo", prefix: str = "demo"
) -> list[dict[str, Any]]:
    """Create (or bring up to date) the demo property and its users; return the users. Idempotent."""
    pid = property_id
    with transaction(db):
        if reference.get_property(db, property_id=pid) is None:
            properties.create_property(
                db, settings, ACTOR, property_id=pid, name="Harbour View Gardens", tz=settings.tz_name
            )
        else:
            properties.update_property(db, settings, ACTOR, property_id=pid, tz=settings.tz_name)
        for place in _places(pid):
            if reference.get(db, kind="place", id=place["id"]) is None:
                places.create_place(
                    db,
                    settings,
                    ACTOR,
                    property_id=pid,
                    kind=place["kind"],
                    name=place["name"],
                    parent_id=place.get("parent_id"),
                    place_id=place["id"],
                )
        for key, role, name in ROLES:
            if accounts.get_user(db, user_id=f"user-{prefix}-{key}") is None:
                # the demo's short shared password is set here on purpose, past the rule real users get
                users.create_user(
                    db,
                    settings,
                    ACTOR,
                    username=f"{prefix}-{key}",
                    name=name,
                    role_name=role.value,
                    property_id=pid,
                    password=PASSWORD,
                    user_id=f"user-{prefix}-{key}",
                    enforce_password_rule=False,
                )
        planned, planned_checkpoints = _routes(pid, f"user-{prefix}-specialist")
        for route in planned:
            if reference.get(db, kind="route", id=route["id"]) is None:
                routes.create_route(
                    db,
                    settings,
                    ACTOR,
                    property_id=pid,
                    name=route["name"],
                    assigned_to=route["assigned_to"],
                    route_id=route["id"],
                )
        for checkpoint in planned_checkpoints:
            if reference.get(db, kind="checkpoint", id=checkpoint["id"]) is None:
                checkpoints.add_checkpoint(
                    db,
                    settings,
                    ACTOR,
                    route_id=checkpoint["route_id"],
                    place_id=checkpoint["place_id"],
                    scan_code=checkpoint["scan_code"],
                    name=checkpoint["name"],
                    checkpoint_id=checkpoint["id"],
                )
        for permit in _permits(pid, settings):
            permit_id = permit.pop("id")
            existing = reference.get(db, kind="permit", id=permit_id)
            if existing is None:
                permits.create_permit(db, settings, ACTOR, property_id=pid, permit_id=permit_id, **permit)
            elif existing["status"] == permits.ACTIVE:  # the dates follow today, as a demo's should
                dates = {k: permit[k] for k in ("starts_on", "ends_on", "applied_on", "approved_on")}
                permits.update_permit(db, settings, ACTOR, permit_id=permit_id, **dates)
    return [u for key, _, _ in ROLES if (u := accounts.get_user(db, user_id=f"user-{prefix}-{key}"))]
