"""Patrol findings: a route not walked on a day, a checkpoint skipped in a round, an issue never reported.

A round is what the app makes of one walk (``mobile.state.patrol.PatrolRun``): a PatrolRound record at
the start, CheckpointVisit records naming that first record, and at *Finish* a correction of the start
record (its ``supersedes``) that adds ``finished_at``. So a round is a chain of versions: its visits are
those naming any version, and it is finished when its latest version says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.model import CheckpointResult, RecordType
from shared.rules import day_ends_at, route_due_on
from sync_server.db import Database, recon_facts, reference
from sync_server.schedule_window import Window, finding

ROUND = RecordType.PATROL_ROUND.value
VISIT = RecordType.CHECKPOINT_VISIT.value


@dataclass(frozen=True)
class Round:
    id: str  # the first record's: what the app's visits name, and what findings call the round
    route_id: str
    day: date
    author_id: str
    finished: bool
    version_ids: frozenset[str]


def patrol_findings(db: Database, window: Window) -> list[dict[str, Any]]:
    routes = {r["id"]: r for r in reference.all_of(db, kind="route", property_id=window.property_id)}
    checkpoints = {c["id"]: c for c in reference.all_of(db, kind="checkpoint", property_id=window.property_id)}
    rounds = rounds_of(db, window)
    found = _routes_missed(window, routes, rounds)
    found += _checkpoints_skipped(db, window, routes, checkpoints, rounds)
    found += _issues_unreported(db, window, routes, checkpoints)
    return found


def rounds_of(db: Database, window: Window) -> list[Round]:
    """The rounds started on the window's days, each with all its versions."""
    started = recon_facts.facts_between(
        db, property_id=window.property_id, start=window.start, end=window.end, types=[ROUND]
    )
    versions = [
        v
        for v in recon_facts.versions_of(db, ids=[f["id"] for f in started])
        if v["type"] == ROUND and v["property_id"] == window.property_id
    ]
    by_id = {v["id"]: v for v in versions}
    chains: dict[str, list[dict[str, Any]]] = {}
    for version in versions:
        chains.setdefault(_first_of(version, by_id)["id"], []).append(version)
    superseded = {v["supersedes"] for v in versions if v["supersedes"]}
    rounds = []
    for first_id, chain in chains.items():
        first = by_id[first_id]
        day = window.day_of(first["effective_at"])
        if not window.covers(day):
            continue  # started before the window: an earlier refresh judged it
        latest = max(
            [v for v in chain if v["id"] not in superseded] or chain, key=lambda v: (v["effective_at"], v["id"])
        )
        rounds.append(
            Round(
                id=first_id,
                route_id=str(latest["body"]["route_id"]),
                day=day,
                author_id=first["author_id"],
                finished=latest["body"].get("finished_at") is not None,
                version_ids=frozenset(v["id"] for v in chain),
            )
        )
    return sorted(rounds, key=lambda r: (r.day, r.id))


def _first_of(version: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    seen = {version["id"]}
    while version["supersedes"] in by_id and version["supersedes"] not in seen:
        version = by_id[version["supersedes"]]
        seen.add(version["id"])
    return version


def _routes_missed(window: Window, routes: dict[str, dict[str, Any]], rounds: list[Round]) -> list[dict[str, Any]]:
    walked = {(r.route_id, r.day) for r in rounds}
    found = []
    for route in routes.values():
        for day in window.days:
            ends = day_ends_at(day, window.tz)
            if window.now < ends or (route["id"], day) in walked or not route_due_on(day, route.get("weekdays")):
                continue
            found.append(
                finding(
                    "patrol.route_missed",
                    f"{route['id']}:{day.isoformat()}",
                    day,
                    f"The patrol route '{route['name']}' was not walked on {day.isoformat()}.",
                    owner_id=route["assigned_to"],
                    route_id=route["id"],
                    due_at=ends.isoformat(),
                )
            )
    return found


def _checkpoints_skipped(
    db: Database,
    window: Window,
    routes: dict[str, dict[str, Any]],
    checkpoints: dict[str, dict[str, Any]],
    rounds: list[Round],
) -> list[dict[str, Any]]:
    round_of = {version: r.id for r in rounds for version in r.version_ids}
    visited: dict[str, set[str]] = {}
    for visit in recon_facts.facts_of_rounds(db, round_ids=sorted(round_of)):
        visited.setdefault(round_of[visit["round_id"]], set()).add(visit["checkpoint_id"])
    found = []
    for patrol in rounds:
        route = routes.get(patrol.route_id)
        if route is None or (not patrol.finished and window.now < day_ends_at(patrol.day, window.tz)):
            continue  # still under way
        on_route = sorted(
            (c for c in checkpoints.values() if c["route_id"] == route["id"]), key=lambda c: c["position"]
        )
        for checkpoint in on_route:
            if checkpoint["id"] in visited.get(patrol.id, set()):
                continue
            found.append(
                finding(
                    "patrol.checkpoint_skipped",
                    f"{patrol.id}:{checkpoint['id']}",
                    patrol.day,
                    f"{checkpoint['name']} of '{route['name']}' was skipped in the round of {patrol.day.isoformat()}.",
                    owner_id=patrol.author_id,
                    route_id=route["id"],
                    round_id=patrol.id,
                    checkpoint_id=checkpoint["id"],
                    place_id=checkpoint["place_id"],
                )
            )
    return found


def _issues_unreported(
    db: Database,
    window: Window,
    routes: dict[str, dict[str, Any]],
    checkpoints: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """An issue marked at a checkpoint whose defect form was never filled, once the day of the visit is over."""
    visits = recon_facts.facts_between(
        db, property_id=window.property_id, start=window.start, end=window.end, types=[VISIT]
    )
    corrected = recon_facts.superseded_among(db, ids=[v["id"] for v in visits])
    issues = [
        v
        for v in visits
        if v["id"] not in corrected
        and v["body"].get("result") == CheckpointResult.ISSUE.value
        and window.now >= day_ends_at(window.day_of(v["effective_at"]), window.tz)
    ]
    versions = {v["id"]: v for v in recon_facts.versions_of(db, ids=[v["id"] for v in issues])}
    named = {d["visit_id"] for d in recon_facts.facts_naming_visits(db, visit_ids=sorted(versions))}
    found = []
    for visit in issues:
        if _earlier_versions(visit, versions) & named:
            continue
        day = window.day_of(visit["effective_at"])
        checkpoint = checkpoints.get(visit["checkpoint_id"] or "", {})
        route = routes.get(checkpoint.get("route_id", ""), {})
        where = f"{checkpoint.get('name', visit['checkpoint_id'])} of '{route.get('name', '')}'"
        found.append(
            finding(
                "patrol.issue_unreported",
                visit["id"],
                day,
                f"The issue found at {where} on {day.isoformat()} was never reported as a defect.",
                owner_id=visit["author_id"],
                visit_id=visit["id"],
                round_id=visit["round_id"],
                route_id=checkpoint.get("route_id"),
                checkpoint_id=visit["checkpoint_id"],
                place_id=visit["place_id"],
                note=visit["body"].get("note", ""),
                due_at=day_ends_at(day, window.tz).isoformat(),
            )
        )
    return found


def _earlier_versions(visit: dict[str, Any], versions: dict[str, dict[str, Any]]) -> set[str]:
    """This visit's id and those of the records it corrects: a defect may name any of them."""
    ids = {visit["id"]}
    while visit["supersedes"] in versions and visit["supersedes"] not in ids:
        visit = versions[visit["supersedes"]]
        ids.add(visit["id"])
    return ids
