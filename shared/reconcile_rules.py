"""What field records make of work orders: a pure replay of one stream of facts into its orders.

A *stream* is the set of facts that can touch the same orders: the defects of one place and
category (with the actions and return visits of their orders and rework orders), one owner
complaint, or the checks of one renovation permit. The orders depend only on the set of facts,
never on the order they arrived in:

- facts are taken in (effective time, record id) order; superseded facts are left out, except that
  a correction of a defect or a complaint takes the place (the id and the time) of the record it
  corrects, and says what it changed at its own time (``shared.corrections``);
- a fact that names an order not opened yet, or an action the order's state does not allow yet,
  is held and retried after each change of that order (clocks of two phones disagree by minutes);
- what still cannot apply at the end is *skipped* with the problem that stopped it, or *waiting*
  when a later state of the order would allow it (``shared.workflow.may_apply_later``). The push
  pipeline rejects a new work-order action that is skipped (never one that waits, so arrival order
  cannot change the outcome); a return visit is refused only when it is not independent
  (``shared.workflow.FINAL``: no state of the order can make such a fact apply, so it is not held).

So that a stream's cost does not grow with its history, a ``Replay`` keeps its running state: facts
that sort after the last one fed are fed to it one by one (``feed``), and ``finish`` reads the
orders without disturbing it. After a fact where every order of the replay is closed or signed
off and no held fact waits for a fact still to come, the replay is *at rest*: what comes later
touches those orders only by naming them (a sign-off, an action or visit too late to count), and
such a fact changes nothing but the named order's *episode* (the order and its rework orders),
which can be replayed from its own facts. The server therefore replays a stream only from its
latest rest point before the earliest fact that changed. A permit stream never rests once it has
a rectification order, since a new check counts the violations of all the permit's orders.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared import rules
from shared.corrections import Correction, in_place
from shared.errors import NotFoundProblem, PatrolError
from shared.model import (
    DecorationCheck,
    DefectReport,
    OwnerComplaint,
    RecordType,
    ReturnVisit,
    Role,
    WorkOrderActionRecord,
    WorkOrderKind,
    WorkOrderState,
)
from shared.order_effects import OrderEffects, order_ref, stream_of, verdict_of
from shared.work_order import Order
from shared.workflow import FINAL, OPEN_STATES, ROLES, check_inspector, check_visitor, may_apply_later, next_state

__all__ = ["Context", "Fact", "Key", "Outcome", "Replay", "check_role", "order_ref", "replay", "stream_of"]

S = WorkOrderState
Key = tuple[datetime, str]  # the order facts are taken in: (effective time, record id)


@dataclass(frozen=True)
class Fact:
    """A stored field record as reconciliation sees it: the body plus who and when."""

    id: str
    type: RecordType
    at: datetime  # the effective time (see shared.rules.effective_time)
    author_id: str
    author_role: Role
    body: Any
    supersedes: str | None = None  # the record this one corrects

    @property
    def key(self) -> Key:
        return (self.at, self.id)


@dataclass(frozen=True)
class Context:
    tz: ZoneInfo
    rectification_hours: int = rules.RECTIFICATION_HOURS_DEFAULT
    responsible: Mapping[str, str] = field(default_factory=dict)  # place id -> responsible specialist
    visit_rounds: Mapping[str, str] = field(default_factory=dict)  # checkpoint visit id -> patrol round id
    permit_places: Mapping[str, str] = field(default_factory=dict)  # renovation permit id -> unit
    permit_passes: Mapping[str, int] = field(default_factory=dict)  # renovation permit id -> passes registered
    superseded: frozenset[str] = frozenset()


@dataclass
class Outcome:
    orders: list[Order]
    skipped: dict[str, PatrolError]  # record id -> why it did not apply
    applied_to: dict[str, str]  # record id -> the order it opened or changed
    waiting: dict[str, str] = field(default_factory=dict)  # action id -> order it may still apply to later
    touched: frozenset[str] = frozenset()  # orders that changed since the replay's owner last cleared ``touched``


def check_role(fact: Fact) -> None:
    """Refuse a fact the author's role may never record, whatever state the order is in."""
    body = fact.body
    if isinstance(body, WorkOrderActionRecord) and fact.author_role not in ROLES[body.action]:
        next_state(S.REPORTED, body.action, fact.author_role)  # raises the worded PermissionProblem
    elif isinstance(body, ReturnVisit):
        check_visitor(fact.author_role, fact.author_id, None)
    elif isinstance(body, DecorationCheck):
        check_inspector(fact.author_role)


def replay(facts: Iterable[Fact], ctx: Context) -> Outcome:
    """The orders of a set of facts, replayed from nothing."""
    running = Replay(ctx)
    running.feed(facts)
    return running.finish()


def referenced_id(ref: str) -> str:
    """The record an order reference names: order ids and their aliases are ``wo-<record id>``."""
    return ref.removeprefix("wo-")


class Replay(OrderEffects):
    """The running state of one stream's replay (before the facts still held are given up)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.orders: dict[str, Order] = {}
        self.alias: dict[str, str] = {}  # wo-<record id> -> order id
        self.held: dict[str, list[Fact]] = {}  # order alias -> facts waiting for it
        self.problems: dict[str, PatrolError] = {}
        self.applied_to: dict[str, str] = {}
        self.waiting: dict[str, str] = {}
        self.changed: dict[str, None] = {}
        self.touched: set[str] = set()
        self.originals: dict[str, Any] = {}
        self.left: dict[str, str] = {}
        self.last: Key | None = None  # the key of the last fact fed

    def __getstate__(self) -> dict[str, Any]:
        """Saved between batches without its context, which reads the database and is given again."""
        return {**self.__dict__, "ctx": None}

    def feed(self, facts: Iterable[Fact]) -> list[Key]:
        """Take facts that all sort after the last one fed; return the keys after which the replay was at rest."""
        taken, originals = in_place(facts, self.ctx.superseded)
        self.originals.update(originals)
        ordered = sorted(taken, key=lambda f: f.key)
        if ordered and self.last is not None and ordered[0].key <= self.last:
            raise ValueError("a fact sorts before the last one fed: replay from an earlier rest point instead")
        position = {f.id: i for i, f in enumerate(ordered)}
        rests: list[Key] = []
        for i, fact in enumerate(ordered):
            self.take(fact)
            self.settle()
            self.last = fact.key

            def comes_later(record_id: str, now: int = i) -> bool:
                return position.get(record_id, -1) > now

            if self.at_rest(comes_later):
                rests.append(fact.key)
        return rests

    def at_rest(self, upcoming: Callable[[str], bool]) -> bool:
        """Every order closed or signed off (none a rectification) and no held fact waits for an upcoming fact."""
        for order in self.orders.values():
            if order.state in OPEN_STATES or order.kind is WorkOrderKind.RECTIFICATION:
                return False
        return not any(ref not in self.alias and upcoming(referenced_id(ref)) for ref in self.held)

    def finish(self) -> Outcome:
        """The orders as they stand, with held facts given up, leaving the running state as it was."""
        final = _shallow(self)
        for waiting in self.held.values():
            for fact in waiting:
                order_id = self.alias.get(order_ref(fact.body) or "")
                if order_id is not None and final.orders[order_id] is self.orders[order_id]:
                    order = self.orders[order_id]
                    final.orders[order_id] = dataclasses.replace(order, history=list(order.history))
        for waiting in self.held.values():
            for fact in waiting:
                final.give_up(fact)
        skipped = {k: v for k, v in self.problems.items() if k not in final.applied_to}
        return Outcome(list(final.orders.values()), skipped, final.applied_to, final.waiting, frozenset(final.touched))

    # ---- dispatch -------------------------------------------------------------------------
    def take(self, fact: Fact) -> None:
        body = fact.body
        if isinstance(body, DefectReport):
            self.defect(fact, body)
        elif isinstance(body, OwnerComplaint):
            self.complaint(fact, body)
        elif isinstance(body, DecorationCheck):
            self.decoration_check(fact, body)
        elif isinstance(body, WorkOrderActionRecord | ReturnVisit | Correction):
            self.attempt(fact)

    def attempt(self, fact: Fact) -> bool:
        """Apply an action or a visit to its order, or hold it; True when it applied."""
        ref = order_ref(fact.body)
        assert ref is not None
        order_id = self.alias.get(ref)
        if order_id is None:
            self.problems[fact.id] = NotFoundProblem(
                "workorder.not_found", "No such work order; pull to refresh the list of orders.", {"work_order_id": ref}
            )
            self.hold(ref, fact)
            return False
        order = self.orders[order_id]
        try:
            if isinstance(fact.body, WorkOrderActionRecord):
                self.action(order, fact, fact.body)
            elif isinstance(fact.body, Correction):
                self.correction(order, fact, fact.body)
            else:
                self.return_visit(order, fact, fact.body)
        except PatrolError as problem:
            self.problems[fact.id] = problem
            if problem.code not in FINAL:  # no later state can make those right
                self.hold(ref, fact)
            return False
        self.problems.pop(fact.id, None)
        self.applied_to[fact.id] = order.id
        self.settle()
        return True

    def hold(self, ref: str, fact: Fact) -> None:
        waiting = self.held.setdefault(ref, [])
        if fact not in waiting:
            waiting.append(fact)

    def settle(self) -> None:
        """Retry what was held for every order that changed (a rework's visit also closes its parent)."""
        while self.changed:
            order_id = next(iter(self.changed))
            del self.changed[order_id]
            self.retry(self.orders[order_id])

    def retry(self, order: Order) -> None:
        """Give facts held for this order another chance now that it changed."""
        for ref in [*order.aliases, order.id]:
            waiting = self.held.pop(ref, [])
            for fact in sorted(waiting, key=lambda f: f.key):
                if fact.id not in self.applied_to:
                    self.attempt(fact)

    def give_up(self, fact: Fact) -> None:
        if fact.id in self.applied_to:
            return
        order_id = self.alias.get(order_ref(fact.body) or "")
        if order_id is None:
            return
        order = self.orders[order_id]
        body = fact.body
        if isinstance(body, ReturnVisit):
            if order.state in (S.CLOSED, S.SIGNED_OFF, S.REWORK):
                # a visit is a fact about the owner: keep it in the history even when it decides nothing
                said = {"note": body.comment, "verdict": verdict_of(body)}
                self.event(order, fact, "return_visit_noted", None, said)
                self.applied_to[fact.id] = order.id
            return
        if not isinstance(body, WorkOrderActionRecord):
            return
        problem = self.problems.get(fact.id)
        why = {
            "note": body.note,
            "reason": problem.code if problem else None,
            "reason_detail": {"action": body.action.value, **(problem.detail if problem else {})},
        }
        if may_apply_later(order.state, body.action):
            self.waiting[fact.id] = order.id
            self.event(order, fact, "action_waiting", None, why)
        else:
            self.event(order, fact, "action_skipped", None, why)


def _shallow(running: Replay) -> Replay:
    """A copy that shares the orders and held facts but has its own maps, for ``finish`` to give up into."""
    final = Replay(running.ctx)
    final.orders = dict(running.orders)
    final.alias = running.alias
    final.held = running.held
    final.problems = running.problems
    final.applied_to = dict(running.applied_to)
    final.touched = set(running.touched)
    final.originals, final.left = running.originals, dict(running.left)
    return final
