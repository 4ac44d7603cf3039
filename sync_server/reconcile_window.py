"""Replaying only what a new fact can change: a stream from its latest rest point, or one closed order's episode.

A stream's running replay (``shared.reconcile_rules.Replay``) is kept in memory between pushes,
tagged with a token stored in ``recon_streams`` in the same transaction: a fact that sorts after
the last one fed is simply fed to it, so the cost of an in-order fact does not grow with the
stream's history. A tag that does not match (a rolled-back push, a restart, another process) or a
fact that sorts earlier makes the stream replay from its latest rest point before that fact
(``recon_rest_points``), never from its first fact. When the replay comes to rest it starts
afresh, and a fact naming an order closed before the replay's start replays that order's episode
from the episode's own facts. See ``shared.reconcile_rules`` for why each step gives the same
orders as a replay of the whole stream.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from shared import parse
from shared.model import BODY_TYPES, DefectReport, RecordType, Role
from shared.reconcile_rules import Context, Fact, Key, Outcome, Replay, order_ref, referenced_id, replay
from shared.work_order import Order
from sync_server.db import Database, orders, recon_facts, reference, replays
from sync_server.reconcile_write import utc, write_orders
from sync_server.settings import Settings

StoredKey = tuple[str, str]
V = TypeVar("V")


@dataclass
class _Kept:
    start: StoredKey | None  # the rest point the replay started at (None: the stream's first fact)
    last: StoredKey | None  # the key of the last fact it was fed, or its start
    running: Replay


def update(
    db: Database,
    *,
    settings: Settings,
    property_id: str,
    stream: str,
    new: list[Fact],
    changed: list[Fact],
) -> Outcome | None:
    """Bring a stream's orders up to date after ``new`` facts joined it and ``changed`` ones (superseded,
    or naming a checkpoint visit that just arrived) must be read again; the outcome covers the new facts."""
    if not new and not changed:
        return None
    env = _Env(db, settings, property_id, stream)
    tag = replays.stream_state(db, stream=stream)
    kept = _KEPT.pop(tag["token"], None) if tag else None  # taken out: a push rolled back must not leave it behind
    if kept is not None and not changed:
        # a fact naming an order closed before the kept replay began belongs to that order's episode (and
        # must come after that start); the others are fed to the kept replay if they sort after all it has seen
        frozen, window = env.split(new, kept.start)
        if all(stored(f.key) > (kept.start or ("", "")) for f in frozen) and all(
            stored(f.key) > (kept.last or ("", "")) for f in window
        ):
            return _merge([*(env.episode(f) for f in frozen), env.append(kept, window)])
    earliest = stored(min(f.key for f in [*new, *changed]))
    start = replays.rest_point_before(db, stream=stream, key=earliest)
    frozen, window = env.split([*new, *changed], start)
    outcomes = [env.episode(f) for f in frozen]
    if window:
        outcomes.append(env.rebuild(start))
    else:
        replays.drop_stream_state(db, stream=stream)  # the kept replay may hold an order just replayed apart
    return _merge(outcomes)


class _Env:
    """The steps of one stream's update, with the database, settings and property they work in."""

    def __init__(self, db: Database, settings: Settings, property_id: str, stream: str) -> None:
        self.db, self.settings, self.property_id, self.stream = db, settings, property_id, stream

    def split(self, facts: list[Fact], start: StoredKey | None) -> tuple[list[Fact], list[Fact]]:
        """(facts naming an order opened before ``start``, the others): the first belong to that order's episode."""
        if start is None:
            return [], list(facts)
        named = {f.id: referenced_id(ref) for f in facts if (ref := order_ref(f.body))}
        keys = replays.fact_keys(self.db, ids=sorted(set(named.values())))
        frozen = [f for f in facts if f.id in named and named[f.id] in keys and keys[named[f.id]] <= start]
        ids = {f.id for f in frozen}
        return frozen, [f for f in facts if f.id not in ids]

    def append(self, kept: _Kept, facts: list[Fact]) -> Outcome:
        """Feed facts that sort after everything the kept replay has seen, and write what they changed."""
        kept.running.ctx = self.context(facts)
        rests = kept.running.feed(facts)
        outcome = kept.running.finish()
        changed = [o for o in outcome.orders if o.id in outcome.touched]
        before = {r["id"]: r for r in replays.order_heads(self.db, ids=[o.id for o in changed])}
        self.write(changed, before, {})
        replays.add_rest_points(self.db, stream=self.stream, keys=[stored(k) for k in rests])
        self.keep(kept, rests)
        return outcome

    def rebuild(self, start: StoredKey | None) -> Outcome:
        """Replay the stream from a rest point: every fact after it except those of episodes closed before it."""
        rows = replays.facts_of_stream_after(self.db, stream=self.stream, after=start)
        _, facts = self.split([fact_of(r) for r in rows], start)
        running = Replay(self.context(facts))
        rests = running.feed(facts)
        outcome = running.finish()
        before = {r["id"]: r for r in replays.orders_of_stream_after(self.db, stream=self.stream, after=start)}
        made = {o.id for o in outcome.orders}
        self.write(outcome.orders, before, {k: v for k, v in before.items() if k not in made})
        replays.replace_rest_points(self.db, stream=self.stream, after=start, keys=[stored(k) for k in rests])
        last = stored(running.last) if running.last else start
        self.keep(_Kept(start, last, running), rests)
        return outcome

    def episode(self, fact: Fact) -> Outcome:
        """Replay the closed order a fact names, with its rework chain, from their own facts and this one."""
        ref = order_ref(fact.body) or ""
        rows = replays.episode_of(self.db, alias=ref)
        ids = {fact.id}
        for row in rows:
            ids.update(row["data"]["record_ids"])
            ids.update(e["record_id"] for e in row["data"]["history"] if e["record_id"])
        found = recon_facts.facts_by_ids(self.db, ids=sorted(ids))
        for row in [r for r in found if r["supersedes"] and r["supersedes"] not in ids]:
            found += recon_facts.chain_of(self.db, id=row["supersedes"])  # a correction needs what it corrects
        facts = [fact_of(r) for r in {r["id"]: r for r in found}.values()]
        outcome = replay(facts, self.context(facts))
        before = {r["id"]: r for r in rows}
        made = {o.id for o in outcome.orders}
        # only the episode's own orders: a record a correction moved out of it may open another, partly seen here
        roots = {r["root_id"] for r in rows}
        own = [o for o in outcome.orders if o.id in before or o.root_id in roots]
        self.write(own, before, {k: v for k, v in before.items() if k not in made})
        return outcome

    def keep(self, kept: _Kept, rests: list[Key]) -> None:
        """Tag the replay and keep it for the next fact; at rest it starts afresh from its last fact."""
        running = kept.running
        if rests and running.last == rests[-1]:
            kept = _Kept(stored(rests[-1]), stored(rests[-1]), Replay(running.ctx))
        elif running.last is not None:
            kept.last = stored(running.last)
        running.touched.clear()
        token = secrets.token_hex(8)
        replays.save_stream_state(self.db, stream=self.stream, token=token, start=kept.start, last=kept.last)
        _KEPT[token] = kept
        while len(_KEPT) > _KEPT_MAX:
            _KEPT.popitem(last=False)

    def write(self, changed: list[Order], before: dict[str, Any], vanished: dict[str, Any]) -> None:
        write_orders(
            self.db,
            settings=self.settings,
            property_id=self.property_id,
            stream=self.stream,
            changed=changed,
            before=before,
            vanished=vanished,
        )

    def context(self, facts: list[Fact]) -> Context:
        db, property_id = self.db, self.property_id
        visit_ids = [f.body.checkpoint_visit_id for f in facts if isinstance(f.body, DefectReport)]
        visits = recon_facts.facts_by_ids(db, ids=[v for v in visit_ids if v])
        permits = _Lazy(lambda: {p["id"]: p for p in reference.all_of(db, kind="permit", property_id=property_id)})
        return Context(
            tz=reference.property_tz(db, property_id=property_id, default=self.settings.tz),
            rectification_hours=orders.rectification_hours(
                db, property_id=property_id, default=self.settings.rectification_hours
            ),
            responsible=_Lazy(lambda: responsible_by_place(db, property_id=property_id)),
            visit_rounds={v["id"]: v["round_id"] for v in visits if v["round_id"]},
            permit_places=_Lazy(lambda: {k: p["unit_id"] for k, p in permits.items()}),
            permit_passes=_Lazy(lambda: {k: p["passes_registered"] for k, p in permits.items()}),
            superseded=frozenset(recon_facts.superseded_among(db, ids=[f.id for f in facts])),
        )


def _merge(outcomes: list[Outcome]) -> Outcome:
    merged = Outcome([], {}, {})
    for outcome in outcomes:
        merged.orders += outcome.orders
        merged.skipped.update(outcome.skipped)
        merged.applied_to.update(outcome.applied_to)
        merged.waiting.update(outcome.waiting)
    return merged


def stored(key: Key) -> StoredKey:
    """A replay key as the database stores and compares it."""
    return (utc(key[0]), key[1])


_KEPT: OrderedDict[str, _Kept] = OrderedDict()  # token -> the replay it tags
_KEPT_MAX = 2_000


# ---- facts as the replay reads them ------------------------------------------------------------
def fact_of(row: dict[str, Any]) -> Fact:
    """The fact of a stored row; facts never change, so what was parsed once is kept (parsing is the cost)."""
    fact = _PARSED.get(_row_key(row))
    if fact is None:
        record_type = RecordType(row["type"])
        body: Any = parse.parse(BODY_TYPES[record_type], row["body"])
        at = datetime.fromisoformat(row["effective_at"])
        fact = Fact(row["id"], record_type, at, row["author_id"], Role(row["author_role"]), body, row["supersedes"])
        remember(fact, row)
    else:
        _PARSED.move_to_end(_row_key(row))
    return fact


def _row_key(row: dict[str, Any]) -> tuple[str, ...]:
    return (row["id"], row["type"], row["effective_at"], row["author_id"], row["author_role"], row["body_text"])


def remember(fact: Fact, row: dict[str, Any]) -> None:
    _PARSED[_row_key(row)] = fact
    if len(_PARSED) > _PARSED_MAX:
        _PARSED.popitem(last=False)


_PARSED: OrderedDict[tuple[str, ...], Fact] = OrderedDict()
_PARSED_MAX = 50_000


class _Lazy(Mapping[str, V]):
    """A mapping read from the database only if the replay asks (most replays never complete an order)."""

    def __init__(self, load: Callable[[], dict[str, V]]) -> None:
        self._load = load
        self._data: dict[str, V] | None = None

    def _get(self) -> dict[str, V]:
        if self._data is None:
            self._data = self._load()
        return self._data

    def __getitem__(self, key: str) -> V:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def responsible_by_place(db: Database, *, property_id: str) -> dict[str, str]:
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
