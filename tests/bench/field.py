"""A property in the field, for the benchmarks: its people, their phones, and the work-order loop they run.

Phones make records exactly as the app does (``mobile.recorder.save_record``): a UUIDv7 from the phone's clock,
the next device_seq, the user's id as author, the body built from the ``shared.model`` dataclass and checked with
the server's own ``decode_record`` before it is kept. A phone only knows what it pulled: an action names an order
id the server made, and a return visit answers a ``return_visit_due`` the server published to that phone.

The loop, as in the field (DOMAIN.md): specialists patrol and report defects and owners' complaints; the
supervisor dispatches every reported order to maintenance; maintenance starts and completes what was dispatched
to them; the specialist the visit is due to visits the owner (most visits pass and close the order, one in ten
fails and opens a rework order, which goes round again); complaints are replied to, half of them at once (no
repair needed, the reply closes them), the others after dispatch. So orders close, and no open order grows
without end, unless a benchmark makes one grow on purpose (bench_hot_order).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from shared.ids import uuid7
from shared.model import (
    CheckpointResult,
    CheckpointVisit,
    DefectCategory,
    DefectReport,
    OwnerComplaint,
    PatrolRound,
    PresenceProof,
    Proof,
    RecordType,
    ReturnVisit,
    Satisfaction,
    Severity,
    WorkOrderAction,
    WorkOrderActionRecord,
)
from shared.wire import decode_record, encode_record
from sync_server.admin import users
from sync_server.db import Database, open_db, transaction
from sync_server.demo import ACTOR, PASSWORD, load_demo
from sync_server.settings import CHEAP_ARGON2, Settings

A = WorkOrderAction
OPEN_FOR_DISPATCH = {"reported"}
NEEDED = {  # the fields of pulled entities the phones act on
    "work_order": {"id", "kind", "state", "assignee_id", "reporter_ids"},
    "return_visit_due": {"id", "assignee_id", "completed_at"},
}
ROUTE_STOPS = {  # the places of each demo route's checkpoints, in walking order (sync_server.demo)
    "r1": ["lobby", "b1-f1", "b1-f2", "b1-f3", "b2-f1", "b2-f2", "b2-f3"],
    "r2": ["garage", "periphery", "unloading", "lobby"],
}
UNITS = [f"b{b}-u{f}0{u}" for b in (1, 2) for f in (1, 2, 3) for u in (1, 2)]
PLACES = UNITS + ["lobby", "garage", "periphery", "unloading"]
CATEGORIES = list(DefectCategory)


@dataclass(frozen=True)
class Person:
    id: str
    username: str
    role: str
    property_id: str


def field_property(data_dir: Path, **people: int) -> list[Person]:
    """A new server data dir holding the demo property with this many more people (``add_property``)."""
    from tests.conftest import prepare_data_dir  # the fixtures' own setup path

    settings = Settings(data_dir=data_dir, argon2=CHEAP_ARGON2)
    prepare_data_dir(settings, other_property=False)
    db = open_db(settings.db_url)
    try:
        return add_property(db, settings, "demo", **people)
    finally:
        db.close()


def add_property(
    db: Database,
    settings: Settings,
    property_id: str,
    *,
    specialists: int = 1,
    supervisors: int = 1,
    maintenance: int = 1,
) -> list[Person]:
    """The demo property under ``property_id`` (its five users), plus more specialists, supervisors and maintenance."""
    load_demo(db, settings, property_id=property_id, prefix=property_id)
    people = [
        Person(f"user-{property_id}-{key}", f"{property_id}-{key}", key.replace("-", "_"), property_id)
        for key in ("specialist", "supervisor", "maintenance")
    ]
    for role, count in (("specialist", specialists), ("supervisor", supervisors), ("maintenance", maintenance)):
        for n in range(2, count + 1):
            person = Person(f"user-{property_id}-{role}-{n}", f"{property_id}-{role}-{n}", role, property_id)
            with transaction(db):
                users.create_user(
                    db,
                    settings,
                    ACTOR,
                    username=person.username,
                    name=f"{role.title()} {n}",
                    role_name=role,
                    property_id=property_id,
                    password=PASSWORD,
                    user_id=person.id,
                    enforce_password_rule=False,
                )
            people.append(person)
    return people


@dataclass
class FieldPhone:
    """One person's phone: makes records, digests pulled pages, and knows what its role owes the orders it saw."""

    person: Person
    colleagues: list[Person]
    seed: int = 0
    seq: int = 0
    cursor: str = ""
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    visits: dict[str, dict[str, Any]] = field(default_factory=dict)
    done: set[tuple[str, str]] = field(default_factory=set)  # (order id, what) this phone already recorded
    queue: list[dict[str, Any]] = field(default_factory=list)  # made, not yet handed to the sync

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.person.id}:{self.seed}")
        self.device_id = f"{self.person.username}-bench-phone"
        self.maintenance = [p.id for p in self.colleagues if p.role == "maintenance"]
        self.supervisors = sorted(p.id for p in self.colleagues if p.role == "supervisor")

    @property
    def pid(self) -> str:
        return self.person.property_id

    def make(self, type: RecordType, body: Any, supersedes: str | None = None) -> dict[str, Any]:
        """A record as ``mobile.recorder.save_record`` makes it."""
        now = datetime.now().astimezone()
        self.seq += 1
        payload = encode_record(
            id=uuid7(int(now.timestamp() * 1000)),
            type=type,
            device_seq=self.seq,
            recorded_at=now,
            body=body,
            author_id=self.person.id,
            supersedes=supersedes,
        )
        decode_record(payload)
        return payload

    def took(self, page: dict[str, Any]) -> None:
        """Keep what a pull page brought, as the phone's reference cache does."""
        for change in page["changes"]:
            kept = {"work_order": self.orders, "return_visit_due": self.visits}.get(change["kind"])
            if kept is None:
                continue
            if change["deleted"]:
                kept.pop(change["id"], None)
                continue
            missing = NEEDED[change["kind"]] - set(change["data"])
            if missing:  # the phones act on these fields: without them the loop would stall without a word
                raise RuntimeError(f"a pulled {change['kind']} lacks {sorted(missing)}: update tests/bench/field.py")
            kept[change["id"]] = change["data"]
        self.cursor = page["cursor"]

    # what each role records after a pull

    def owed(self) -> list[dict[str, Any]]:
        """The actions and visits this phone's person owes the orders it pulled, each made once."""
        made: list[dict[str, Any]] = []
        if self.person.role == "supervisor":
            for oid, order in sorted(self.orders.items()):
                if order.get("state") in OPEN_FOR_DISPATCH and self._mine_to_dispatch(oid, order):
                    made += self._once(oid, "dispatch", self._dispatch)
        elif self.person.role == "maintenance":
            for oid, order in sorted(self.orders.items()):
                if order.get("assignee_id") == self.person.id and order.get("state") in ("dispatched", "in_progress"):
                    made += self._once(oid, "complete", self._repair)
        elif self.person.role == "specialist":
            for oid, visit in sorted(self.visits.items()):
                if visit.get("assignee_id") in (self.person.id, None):
                    made += self._once(f"{oid}@{visit.get('completed_at')}", "visit", self._visit)
            for oid, order in sorted(self.orders.items()):
                state = order.get("state")
                mine = (order.get("reporter_ids") or [None])[0] == self.person.id  # one reply, from the reporter
                if mine and order.get("kind") == "complaint" and state not in ("closed", "signed_off"):
                    if state != "reported" or self._answered_at_once(order):
                        made += self._once(oid, "reply", self._reply)
        return made

    def _once(self, oid: str, what: str, make: Any) -> list[dict[str, Any]]:
        if (oid, what) in self.done:
            return []
        self.done.add((oid, what))
        records: list[dict[str, Any]] = make(oid)
        return records

    def _mine_to_dispatch(self, oid: str, order: dict[str, Any]) -> bool:
        """Supervisors share the orders out: two dispatching one order would hand it to two people."""
        turn = int(oid.replace("-", "")[-4:], 16) % len(self.supervisors)
        return not self._answered_at_once(order) and self.supervisors[turn] == self.person.id

    @staticmethod
    def _answered_at_once(order: dict[str, Any]) -> bool:
        """Half the complaints need no repair: customer service replies and that closes them."""
        return order.get("kind") == "complaint" and int(order["id"][-1], 16) % 2 == 0

    def _dispatch(self, oid: str) -> list[dict[str, Any]]:
        assignee = self.maintenance[self.rng.randrange(len(self.maintenance))]
        return [self.make(RecordType.WORK_ORDER_ACTION, WorkOrderActionRecord(oid, A.DISPATCH, assignee_id=assignee))]

    def _repair(self, oid: str) -> list[dict[str, Any]]:
        made = []
        if self.orders[oid].get("state") == "dispatched" and self.rng.random() < 0.5:
            made.append(self.make(RecordType.WORK_ORDER_ACTION, WorkOrderActionRecord(oid, A.START)))
        made.append(self.make(RecordType.WORK_ORDER_ACTION, WorkOrderActionRecord(oid, A.COMPLETE, note="replaced")))
        return made

    def _visit(self, key: str) -> list[dict[str, Any]]:
        oid = key.split("@")[0]  # one visit per completion: a rework order is visited again after it is redone
        ok = self.rng.random() < 0.9
        body = ReturnVisit(
            oid,
            fixed=ok,
            satisfaction=Satisfaction.SATISFIED if ok else Satisfaction.DISSATISFIED,
            comment="" if ok else "Still damp",
            no_signature_reason="owner at work",
        )
        return [self.make(RecordType.RETURN_VISIT, body)]

    def _reply(self, oid: str) -> list[dict[str, Any]]:
        body = WorkOrderActionRecord(oid, A.REPLY, note="told the owner when the repair is planned")
        return [self.make(RecordType.WORK_ORDER_ACTION, body)]

    # a specialist's own field records

    def field_records(self, count: int) -> list[dict[str, Any]]:
        """The next ``count`` records of a specialist's day, as the app's screens save them: patrol rounds (the
        start, each checkpoint of the route in walking order with its scanned code, a defect from a checkpoint
        with an issue, the finish as a correction of the start) between defects and owners' complaints reported
        on the way, in about the proportions of ``tests.sync_server.helpers.record_mix``. A round saved in part
        goes with the next sync, as on the phone."""
        while len(self.queue) < count:
            self.queue += self._next_job()
        made, self.queue = self.queue[:count], self.queue[count:]
        return made

    def _next_job(self) -> list[dict[str, Any]]:
        if self.rng.random() < 1 / 6:
            return self._round()
        place = f"{self.pid}-{self.rng.choice(PLACES)}"
        if self.rng.random() < 0.7:
            category = self.rng.choice(CATEGORIES)
            words = f"{category.value.replace('_', ' ')} needs a repair"
            return [self.make(RecordType.DEFECT_REPORT, DefectReport(place, category, Severity.MEDIUM, words))]
        severity = Severity.URGENT if self.rng.random() < 0.05 else Severity.MEDIUM
        body = OwnerComplaint(place, "Mr Wang", "Noise at night from the pump room", severity=severity)
        return [self.make(RecordType.OWNER_COMPLAINT, body)]

    def _round(self) -> list[dict[str, Any]]:
        route = self.rng.choice(list(ROUTE_STOPS))
        route_id, started = f"{self.pid}-{route}", datetime.now().astimezone()
        job = [self.make(RecordType.PATROL_ROUND, PatrolRound(route_id, started))]
        round_id = job[0]["id"]
        for n, stop in enumerate(ROUTE_STOPS[route], start=1):
            proof = Proof(PresenceProof.SCANNED, code=f"CP-{self.pid.upper()}-{route.upper()}-{n:02d}")
            issue = self.rng.random() < 0.1
            result, note = (CheckpointResult.ISSUE, "Light out") if issue else (CheckpointResult.OK, "")
            visit = CheckpointVisit(round_id, f"{route_id}-cp{n}", result, proof, note)
            job.append(self.make(RecordType.CHECKPOINT_VISIT, visit))
            if issue:  # the defect form opens from the checkpoint, at its place
                body = DefectReport(
                    f"{self.pid}-{stop}",
                    DefectCategory.ELECTRICAL,
                    Severity.MEDIUM,
                    "Light out",
                    checkpoint_visit_id=job[-1]["id"],
                )
                job.append(self.make(RecordType.DEFECT_REPORT, body))
        finish = PatrolRound(route_id, started, finished_at=datetime.now().astimezone())
        job.append(self.make(RecordType.PATROL_ROUND, finish, supersedes=round_id))
        return job


def leak_report(phone: FieldPhone, place_id: str) -> dict[str, Any]:
    """The same leak as everyone else reports it (one place, one category): it joins the one open order."""
    body = DefectReport(place_id, DefectCategory.WATER_LEAKAGE, Severity.HIGH, "Water drips from the ceiling")
    return phone.make(RecordType.DEFECT_REPORT, body)
