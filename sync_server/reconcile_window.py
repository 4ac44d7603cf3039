"""Replaying only what a new fact can change: a stream from its latest rest point, or one closed order's episode.

A stream's running replay (``shared.reconcile_rules.Replay``) is saved in ``recon_streams`` with
the batch that changed it, in the same transaction: a fact that sorts after the last one fed is
simply fed to the saved replay, so the cost of an in-order fact does not grow with the stream's
history, whichever worker takes the batch. A saved state of another code version, or a fact that
sorts earlier, makes the stream replay from its latest rest point before that fact
(``recon_rest_points``), never from its first fact. When the replay comes to rest it starts
afresh, and a fact naming an order closed before the replay's start replays that order's episode
from the episode's own facts. See ``shared.reconcile_rules`` for why each step gives the same
orders as a replay of the whole stream.
"""

from __future__ import annotations

import hashlib
import pickle
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared import corrections, errors, model, order_effects, order_ledger, reconcile_rules, work_order
from shared.model import DefectReport
from shared.reconcile_rules import Context, Fact, Key, Outcome, Replay, order_ref, referenced_id, replay
from shared.work_order import Order
from sync_server import reconcile_reads
from sync_server.db import Database, feed, recon_facts, replays, work_orders
from sync_server.reconcile_write import utc, write_orders

StoredKey = tuple[str, str]


@dataclass
class _Kept:
    start: StoredKey | None  # the rest point the replay started at (None: the stream's first fact)
    last: StoredKey | None  # the key of the last fact it was fed, or its start
    running: Replay
    unsaved: int = 0  # facts fed since the state was last saved
    written: dict[str, int] = field(default_factory=dict)  # order id -> its first history steps stored as they are


def update(
    db: Database,
    *,
    premises: reconcile_reads.Premises,
    stream: str,
    new: list[Fact],
    changed: list[Fact],
    published: list[feed.Entry],
) -> Outcome | None:
    """Bring a stream's orders up to date after ``new`` facts joined it and ``changed`` ones (superseded,
    or naming a checkpoint visit that just arrived) must be read again; the outcome covers the new facts.
    The feed entries of the orders written are added to ``published``."""
    if not new and not changed:
        return None
    env = _Env(db, premises, stream, published)
    kept = env.load(new) if not changed else None
    if kept is not None:
        # a fact naming an order closed before the saved replay began belongs to that order's episode (and
        # must come after that start); the others are fed to the saved replay if they sort after all it has seen
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
        replays.drop_stream_state(db, stream=stream)  # the saved replay may hold an order just replayed apart
    return _merge(outcomes)


class _Env:
    """The steps of one stream's update, with the database and the property they work in."""

    def __init__(
        self, db: Database, premises: reconcile_reads.Premises, stream: str, published: list[feed.Entry]
    ) -> None:
        self.db, self.premises, self.stream, self.published = db, premises, stream, published

    def split(self, facts: list[Fact], start: StoredKey | None) -> tuple[list[Fact], list[Fact]]:
        """(facts naming an order opened before ``start``, the others): the first belong to that order's episode."""
        if start is None:
            return [], list(facts)
        named = {f.id: referenced_id(ref) for f in facts if (ref := order_ref(f.body))}
        keys = replays.fact_keys(self.db, ids=sorted(set(named.values())))
        frozen = [f for f in facts if f.id in named and named[f.id] in keys and keys[named[f.id]] <= start]
        ids = {f.id for f in frozen}
        return frozen, [f for f in facts if f.id not in ids]

    def load(self, new: list[Fact]) -> _Kept | None:
        """The stream's saved replay, fed what other batches fed it since it was saved; None if there is none."""
        saved = replays.stream_state(self.db, stream=self.stream)
        if saved is None or saved["version"] != STATE_VERSION:
            return None
        kept = _CACHE.pop(saved["token"], None)  # taken out: a batch rolled back must not leave it behind
        if kept is not None:
            return kept
        running, written = pickle.loads(saved["state"])  # written by this server's code version only
        kept = _Kept(saved["start"], saved["last"], running, saved["unsaved"], written)
        ids = {f.id for f in new}
        rows = replays.facts_of_stream_after(self.db, stream=self.stream, after=kept.last)
        _, since = self.split([reconcile_reads.fact_of(r) for r in rows if r["id"] not in ids], kept.start)
        if since:
            kept.running.ctx = self.context(since)
            kept.running.feed(since)  # the orders as those batches wrote them: nothing to write again
            kept.last = stored(max(f.key for f in since))
        return kept

    def append(self, kept: _Kept, facts: list[Fact]) -> Outcome:
        """Feed facts that sort after everything the saved replay has seen, and write what they changed."""
        kept.running.ctx = self.context(facts)
        rests = kept.running.feed(facts)
        outcome = kept.running.finish()
        changed = [o for o in outcome.orders if o.id in outcome.touched]
        before = {r["id"]: r for r in replays.order_heads(self.db, ids=[o.id for o in changed])}
        self.write(changed, before, {}, kept.written)
        kept.written.update((o.id, len(kept.running.orders[o.id].history)) for o in changed)
        replays.add_rest_points(self.db, stream=self.stream, keys=[stored(k) for k in rests])
        kept.unsaved += len(facts)
        self.keep(kept, rests)
        return outcome

    def rebuild(self, start: StoredKey | None) -> Outcome:
        """Replay the stream from a rest point: every fact after it except those of episodes closed before it."""
        rows = replays.facts_of_stream_after(self.db, stream=self.stream, after=start)
        _, facts = self.split([reconcile_reads.fact_of(r) for r in rows], start)
        running = Replay(self.context(facts))
        rests = running.feed(facts)
        outcome = running.finish()
        before = {r["id"]: r for r in replays.orders_of_stream_after(self.db, stream=self.stream, after=start)}
        made = {o.id for o in outcome.orders}
        self.write(outcome.orders, before, {k: v for k, v in before.items() if k not in made})
        replays.replace_rest_points(self.db, stream=self.stream, after=start, keys=[stored(k) for k in rests])
        last = stored(running.last) if running.last else start
        written = {o.id: len(o.history) for o in running.orders.values()}
        self.keep(_Kept(start, last, running, written=written), rests, save=True)
        return outcome

    def episode(self, fact: Fact) -> Outcome:
        """Replay the closed order a fact names, with its rework chain, from their own facts and this one."""
        ref = order_ref(fact.body) or ""
        rows = replays.episode_of(self.db, alias=ref)
        ids = {fact.id, *work_orders.event_record_ids(self.db, ids=[r["id"] for r in rows])}
        for row in rows:
            ids.update(row["data"]["record_ids"])
        found = recon_facts.facts_by_ids(self.db, ids=sorted(ids))
        for row in [r for r in found if r["supersedes"] and r["supersedes"] not in ids]:
            found += recon_facts.chain_of(self.db, id=row["supersedes"])  # a correction needs what it corrects
        facts = [reconcile_reads.fact_of(r) for r in {r["id"]: r for r in found}.values()]
        outcome = replay(facts, self.context(facts))
        before = {r["id"]: r for r in rows}
        made = {o.id for o in outcome.orders}
        # only the episode's own orders: a record a correction moved out of it may open another, partly seen here
        roots = {r["root_id"] for r in rows}
        own = [o for o in outcome.orders if o.id in before or o.root_id in roots]
        self.write(own, before, {k: v for k, v in before.items() if k not in made})
        return outcome

    def keep(self, kept: _Kept, rests: list[Key], *, save: bool = False) -> None:
        """Keep the replay for the next batch (at rest it starts afresh from its last fact): in this process, and
        in the database every ``SAVE_EVERY`` facts, so that any worker continues it from there."""
        running = kept.running
        if rests and running.last == rests[-1]:
            kept = _Kept(stored(rests[-1]), stored(rests[-1]), Replay(running.ctx))
            save = True
        elif running.last is not None:
            kept.last = stored(running.last)
        running.touched.clear()
        token = secrets.token_hex(8)
        if save or kept.unsaved >= SAVE_EVERY:
            state = pickle.dumps((kept.running, kept.written), protocol=pickle.HIGHEST_PROTOCOL)
            replays.save_stream_state(
                self.db,
                stream=self.stream,
                token=token,
                version=STATE_VERSION,
                start=kept.start,
                last=kept.last,
                state=state,
            )
            kept.unsaved = 0
        else:
            replays.note_stream_fed(self.db, stream=self.stream, token=token, unsaved=kept.unsaved)
        _CACHE[token] = kept
        while len(_CACHE) > _CACHE_MAX:
            _CACHE.popitem(last=False)

    def write(
        self, changed: list[Order], before: dict[str, Any], vanished: dict[str, Any], stored_steps: Any = None
    ) -> None:
        self.published += write_orders(
            self.db,
            tz=self.premises.tz,
            property_id=self.premises.id,
            stream=self.stream,
            changed=changed,
            before=before,
            vanished=vanished,
            stored_steps=stored_steps,
        )

    def context(self, facts: list[Fact]) -> Context:
        db, premises = self.db, self.premises
        visit_ids = [f.body.checkpoint_visit_id for f in facts if isinstance(f.body, DefectReport)]
        visits = recon_facts.facts_by_ids(db, ids=[v for v in visit_ids if v])
        return Context(
            tz=premises.tz,
            rectification_hours=premises.rectification_hours,
            responsible=premises.responsible,
            visit_rounds={v["id"]: v["round_id"] for v in visits if v["round_id"]},
            permit_places=premises.permit_places,
            permit_passes=premises.permit_passes,
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


SAVE_EVERY = 64  # facts a stream's saved replay may be behind: what another worker feeds it again
_CACHE: OrderedDict[str, _Kept] = OrderedDict()  # the latest batch's token -> its replay, saves the unpickling
_CACHE_MAX = 2_000


def _state_version() -> str:
    """What a saved replay was made by: the source of the modules whose objects it holds."""
    digest = hashlib.sha256()
    for module in (corrections, errors, model, order_effects, order_ledger, reconcile_rules, work_order):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


STATE_VERSION = _state_version()
