"""What each kind of fact does to a stream's work orders: opening, joining and moving them (pure).

``OrderEffects`` is the half of the replay (``shared.reconcile_rules.Replay``) that knows the
domain: a defect opens or joins a repair order, a complaint opens its order, a decoration check
opens, joins or closes a rectification order, an action moves an order through the workflow and a
return visit closes it or opens a rework order. The other half decides when each fact is tried.

A correction takes the place of the record it corrects (``shared.corrections``): ``correction``
says what it changed in the order that holds the record, and ``moved_out`` in the order it left.

Each effect is made of the steps of ``shared.order_ledger`` (open, link, move, add a history event),
which ``OrderEffects`` inherits with the orders they write to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared import rules
from shared.corrections import Correction, changes_of
from shared.errors import PermissionProblem
from shared.model import (
    ChecklistItem,
    DecorationCheck,
    DefectCategory,
    DefectReport,
    OwnerComplaint,
    RecordType,
    ReturnVisit,
    Role,
    WorkOrderAction,
    WorkOrderActionRecord,
    WorkOrderKind,
    WorkOrderState,
)
from shared.order_ledger import OrderLedger
from shared.work_order import DISSATISFIED, FIXED_SATISFIED, NOT_FIXED, Deadline, Order, order_id_for
from shared.workflow import OPEN_STATES, after_return_visit, check_kind, check_visitor, complaint_closes, next_state

if TYPE_CHECKING:
    from shared.reconcile_rules import Context, Fact

S, K, A = WorkOrderState, WorkOrderKind, WorkOrderAction


def stream_of(record_type: RecordType, body: Any, record_id: str) -> str | None:
    """The stream a fact belongs to, or None when it opens no order (actions and visits follow their order)."""
    if isinstance(body, DefectReport):
        return None if body.fixed_on_spot else f"repair:{body.place_id}:{body.category.value}"
    if isinstance(body, OwnerComplaint):
        return f"complaint:{record_id}"
    if isinstance(body, DecorationCheck):
        return f"permit:{body.permit_id}"
    return None


def order_ref(body: Any) -> str | None:
    """The order an action, a return visit or a correction names."""
    if isinstance(body, WorkOrderActionRecord | ReturnVisit):
        return body.work_order_id
    if isinstance(body, Correction):
        return order_id_for(body.of)
    return None


class OrderEffects(OrderLedger):
    """The effect of one fact on the orders; the replay supplies the state and decides when a fact is tried."""

    ctx: Context
    originals: dict[str, Any]  # record id -> its body as first reported, when a correction took its place
    left: dict[str, str]  # corrected record id -> the open order of its first place it never joined

    # ---- opening orders -------------------------------------------------------------------
    def defect(self, fact: Fact, body: DefectReport) -> None:
        stream = stream_of(fact.type, body, fact.id)
        if stream is None:
            return
        original = self.originals.get(fact.id)
        first = stream_of(fact.type, original, fact.id) if original is not None else stream
        if first != stream and (left := self.open_repair(first)) is not None:
            self.left[fact.id] = left.id  # corrected away from an order it would have joined
        open_repairs = [o for o in [self.open_repair(stream)] if o is not None]
        if open_repairs:
            order = open_repairs[0]
            self.link(order, fact)
            order.add_reporter(fact.author_id)
            self.event(order, fact, "reported_again", None, {"note": body.description})
            if _SEVERITY.index(body.severity.value) > _SEVERITY.index(order.severity or "low"):
                order.severity = body.severity.value
        else:
            order = self.open(
                fact,
                K.REPAIR,
                stream,
                body.description,
                place_id=body.place_id,
                category=body.category.value,
                severity=body.severity.value,
                cause=body.cause.value if body.cause else None,
            )
            order.deadlines["handling"] = Deadline("handling", rules.handling_due(fact.at, self.ctx.tz))
        order.add_photos(body.photos)
        if body.checkpoint_visit_id:
            order.checkpoint_visit_ids.append(body.checkpoint_visit_id)
            round_id = self.ctx.visit_rounds.get(body.checkpoint_visit_id)
            if round_id and round_id not in order.round_ids:
                order.round_ids.append(round_id)

    def open_repair(self, stream: str | None) -> Order | None:
        return next(
            (o for o in self.orders.values() if o.kind is K.REPAIR and o.stream == stream and o.state in OPEN_STATES),
            None,
        )

    def complaint(self, fact: Fact, body: OwnerComplaint) -> None:
        order = self.open(
            fact,
            K.COMPLAINT,
            f"complaint:{fact.id}",
            body.description,
            place_id=body.place_id,
            owner_name=body.owner_name,
            severity=body.severity.value,
        )
        order.add_photos(body.photos)
        order.deadlines["handling"] = Deadline("handling", rules.handling_due(fact.at, self.ctx.tz))
        # the reply is owed by whoever took the complaint down (and their supervisor)
        due = rules.complaint_reply_due(fact.at, self.ctx.tz)
        order.deadlines["reply"] = Deadline("reply", due, assignee_id=fact.author_id)

    def decoration_check(self, fact: Fact, body: DecorationCheck) -> None:
        permit = [o for o in self.orders.values() if o.kind is K.RECTIFICATION and o.permit_id == body.permit_id]
        open_orders = [o for o in permit if o.state in OPEN_STATES]
        found = [{"item": v.item.value, "description": v.description} for v in body.violations]
        passes = self.ctx.permit_passes.get(body.permit_id)
        unregistered = ChecklistItem.WORKERS_HAVE_PASSES
        if passes is not None and body.workers_seen > passes and unregistered not in {v.item for v in body.violations}:
            # more workers on site than passes registered with the permit, whatever the phone concluded
            found.append({"item": unregistered.value, "description": ""})
        if not found:
            if fact.author_role is not Role.SITE_SUPERVISOR:
                return  # a manager's clean spot check is no follow-up: the site supervisor confirms it was put right
            for order in open_orders:  # the follow-up check found it put right
                self.move(order, fact, "rectified", S.CLOSED, {"note": body.note})
                order.closed_at = fact.at
                order.meet("rectification", fact.at)
                order.record_ids.append(fact.id)
            return
        photos = [p for v in body.violations for p in v.photos] + list(body.photos)
        if open_orders:
            order = open_orders[0]
            self.event(order, fact, "violations_found_again", None, {"note": body.note, "violations": found})
            self.link(order, fact)
            order.add_reporter(fact.author_id)
        else:
            order = self.open(
                fact,
                K.RECTIFICATION,
                f"permit:{body.permit_id}",
                body.note,
                permit_id=body.permit_id,
                place_id=self.ctx.permit_places.get(body.permit_id),
                violations=found,
            )
            due = rules.rectification_due(fact.at, self.ctx.tz, self.ctx.rectification_hours)
            order.deadlines["rectification"] = Deadline("rectification", due)
        order.add_photos(photos)
        order.violation_checks += 1
        if rules.needs_preventive_measures(sum(o.violation_checks for o in permit) + (order not in permit)):
            for o in [*permit, order]:
                if not o.permit_flagged:
                    o.permit_flagged = True
                    self.touched.add(o.id)

    # ---- changing orders ------------------------------------------------------------------
    def action(self, order: Order, fact: Fact, body: WorkOrderActionRecord) -> None:
        new = next_state(order.state, body.action, fact.author_role)
        check_kind(order.kind, body.action)
        if fact.author_role is Role.MAINTENANCE and order.assignee_id != fact.author_id:
            raise PermissionProblem(
                "workflow.not_assignee",
                "This work order is dispatched to someone else; ask a supervisor to dispatch it to you.",
                {"assignee_id": order.assignee_id},
            )
        behalf = None
        if body.action in (A.START, A.COMPLETE) and fact.author_role in (Role.SUPERVISOR, Role.ADMIN):
            behalf = order.assignee_id if order.assignee_id != fact.author_id else None  # done for the assignee
        if body.action is A.DISPATCH:
            order.assignee_id = body.assignee_id
            order.meet("notice", fact.at)  # the dispatch is the written notice to maintenance
            if order.kind is K.COMPLAINT:
                order.meet("handling", fact.at)
            if order.kind is K.REWORK and "handling" not in order.deadlines:  # handled within 24 h of its notice
                order.deadlines["handling"] = Deadline("handling", rules.handling_due(fact.at, self.ctx.tz))
        elif body.action is A.COMPLETE:
            order.completed_at = fact.at
            order.meet("handling", fact.at)
            if order.kind is not K.RECTIFICATION:  # a complaint's repair is visited like any repair (7 days)
                category = DefectCategory(order.category) if order.category else DefectCategory.OTHER
                fallback = order.reporter_ids[0] if order.reporter_ids else None
                responsible = self.ctx.responsible.get(order.place_id or "") or fallback
                order.responsible_id = responsible
                due = rules.return_visit_due(fact.at, category, self.ctx.tz)
                order.deadlines["return_visit"] = Deadline("return_visit", due, assignee_id=responsible)
        elif body.action is A.CLOSE:  # by hand: what was still owed was not done
            for deadline in order.open_deadlines():
                deadline.missed_at = fact.at
        elif body.action is A.REPLY:
            order.meet("reply", fact.at)
            order.meet("handling", fact.at)
            if complaint_closes(new, replied=True, visited=order.met("return_visit")):
                new = S.CLOSED
        elif body.action is A.SIGN_OFF:
            order.signed_off_by, order.signed_off_at = fact.author_id, fact.at
        if new is S.CLOSED:
            order.closed_at = fact.at
        self.move(order, fact, body.action.value, new, {"note": body.note, "on_behalf_of": behalf})
        order.record_ids.append(fact.id)

    def return_visit(self, order: Order, fact: Fact, body: ReturnVisit) -> None:
        check_visitor(fact.author_role, fact.author_id, order.assignee_id)
        said = {"note": body.comment, "verdict": verdict_of(body)}
        if order.kind is K.COMPLAINT and order.state is S.DONE and order.met("return_visit"):
            # the owner was visited and satisfied already; the complaint only waits for its reply
            self.event(order, fact, "return_visit_noted", None, said)
            order.record_ids.append(fact.id)
            return
        new = after_return_visit(order.state, body.successful)
        order.meet("return_visit", fact.at)
        order.record_ids.append(fact.id)
        order.add_photos(body.photos)
        if body.successful:
            if order.kind is K.COMPLAINT and not order.met("reply"):
                self.event(order, fact, "return_visit_ok", None, said)  # closes once the owner has the reply
                return
            self.move(order, fact, "return_visit_ok", new, said)
            order.closed_at = fact.at
            parent = self.orders.get(order.parent_id or "")
            while parent is not None and parent.state is S.REWORK:
                if parent.kind is K.COMPLAINT and not parent.met("reply"):
                    self.move(parent, fact, "return_visit_ok", S.DONE, {**said, "related_order_id": order.id})
                    break
                self.move(parent, fact, "closed_by_rework", S.CLOSED, {"related_order_id": order.id})
                parent.closed_at = fact.at
                parent = self.orders.get(parent.parent_id or "")
            return
        self.move(order, fact, "return_visit_failed", new, said)
        rework = self.open(
            fact,
            K.REWORK,
            order.stream,
            body.comment,  # the owner's words; the verdict says why
            verdict=said["verdict"],
            place_id=order.place_id,
            category=order.category,
            severity=order.severity,
            permit_id=order.permit_id,
            parent_id=order.id,
            root_id=order.root_id,
            cause=body.cause.value if body.cause else order.cause,
        )
        rework.add_photos(body.photos)
        rework.deadlines["notice"] = Deadline("notice", rules.rework_notice_due(fact.at, self.ctx.tz))
        self.event(order, fact, "rework_opened", None, {"related_order_id": rework.id})

    def correction(self, order: Order, fact: Fact, body: Correction) -> None:
        """Say what a correction changed, in the order that holds the record (its fields read corrected already)."""
        changes = changes_of(body.before, body.after)
        self.link(order, fact)  # an action that names the correction finds the order too
        self.event(order, fact, "corrected", None, {"changes": changes})
        moved = stream_of(fact.type, body.before, body.of) != stream_of(fact.type, body.after, body.of)
        left = self.orders.get(self.left.pop(body.of, "")) if moved else None
        if left is not None:
            self.event(left, fact, "moved_out", None, {"changes": changes, "related_order_id": order.id})
            left.record_ids.append(fact.id)


def verdict_of(body: ReturnVisit) -> str:
    """What a return visit found, as a code (``shared.work_order.VERDICTS``)."""
    if body.successful:
        return FIXED_SATISFIED
    return NOT_FIXED if not body.fixed else DISSATISFIED


_SEVERITY = ["low", "medium", "high", "urgent"]
