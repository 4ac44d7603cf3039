"""The replay's record of a stream's work orders, and the four steps that write to it (pure).

``OrderLedger`` holds the orders of the stream being replayed with the links from records to them, and
writes to them in four steps: ``open`` an order, ``link`` a record to it, ``move`` it to a state and add a
history ``event``. Each step notes which orders changed, so the replay retries the facts held for them and
its owner writes them. What each kind of fact does with these steps: ``shared.order_effects``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.model import WorkOrderKind, WorkOrderState
from shared.work_order import Event, Order, order_id_for

if TYPE_CHECKING:
    from shared.reconcile_rules import Fact

S = WorkOrderState


class OrderLedger:
    """The orders of one stream's replay and the steps that change them; the replay supplies the state."""

    orders: dict[str, Order]
    alias: dict[str, str]  # wo-<record id> -> order id
    applied_to: dict[str, str]
    changed: dict[str, None]  # orders to retry held facts for, in the order they changed
    touched: set[str]  # orders changed since the owner of the replay last wrote them

    def open(self, fact: Fact, kind: WorkOrderKind, stream: str, description: str, **fields: Any) -> Order:
        order = Order(
            id=order_id_for(fact.id),
            kind=kind,
            state=S.REPORTED,
            stream=stream,
            reported_at=fact.at,
            description=description,
            **fields,
        )
        order.root_id = order.root_id or order.id
        self.orders[order.id] = order
        self.link(order, fact)
        order.add_reporter(fact.author_id)
        self.event(order, fact, "reported", S.REPORTED)
        return order

    def link(self, order: Order, fact: Fact) -> None:
        alias = order_id_for(fact.id)
        self.alias[alias] = order.id
        order.aliases.append(alias)
        order.record_ids.append(fact.id)
        self.applied_to[fact.id] = order.id
        self.changed[order.id] = None

    def move(
        self, order: Order, fact: Fact, action: str, new: WorkOrderState, fields: dict[str, Any] | None = None
    ) -> None:
        old = order.state
        order.state = new
        self.changed[order.id] = None
        self.event(order, fact, action, new, fields, from_state=old)

    def event(
        self,
        order: Order,
        fact: Fact,
        action: str,
        to_state: WorkOrderState | None,
        fields: dict[str, Any] | None = None,
        from_state: WorkOrderState | None = None,
    ) -> None:
        """Add a history entry; ``fields`` are its data besides who, when and what (see shared.work_order)."""
        order.history.append(Event(fact.at, fact.author_id, action, fact.id, from_state, to_state, **(fields or {})))
        self.touched.add(order.id)
