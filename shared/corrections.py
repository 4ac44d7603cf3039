"""Corrections of field records: a correction takes the place of the record it corrects (pure).

A phone corrects a defect or a complaint with a new record of the same type whose envelope
``supersedes`` the earlier one (a typo in the description, the wrong place or category). The order
that record opened or joined must stay the order people know: same id and number, same state,
assignee and history. So the replay does not see a new report: ``in_place`` turns a chain of
corrections into the *original* record (its id, its time, its author) with the *latest* body, so
that the order reads as corrected from the start, plus one ``Correction`` fact per correction at the
correction's own time, which adds a ``corrected`` event saying what changed (``changes_of``) to the
order that holds the record (``shared.order_effects``).

A correction that puts a defect in another place or category (so in another stream,
``repair:<place>:<category>``) is indexed in the stream of the original, with every fact that names
its order: the order moves with its defect, keeps its number and history, and an action addressed
to the old order id still finds it. If the defect had joined an open order of its first place and
category, that order gets ``moved_out`` (with ``related_order_id``, the order that holds the defect
now); a new report of the new place and category from then on opens an order of its own stream.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.model import DefectReport, OwnerComplaint

if TYPE_CHECKING:
    from shared.reconcile_rules import Fact

_CORRECTED = ("description", "severity", "place_id", "category", "cause", "owner_name")


@dataclass(frozen=True)
class Correction:
    """What the replay makes of a correction at its own time: the record ``of`` now reads ``after``."""

    of: str  # the id of the original record, whose order the correction changes
    before: DefectReport | OwnerComplaint
    after: DefectReport | OwnerComplaint


def changes_of(before: Any, after: Any) -> dict[str, dict[str, Any]]:
    """What a correction changed, field by field: ``{field: {"from": old, "to": new}}``."""
    found = {}
    for name in _CORRECTED:
        old, new = getattr(before, name, None), getattr(after, name, None)
        if old != new:
            found[name] = {"from": _plain(old), "to": _plain(new)}
    return found


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def in_place(facts: Iterable[Fact], superseded: frozenset[str]) -> tuple[list[Fact], dict[str, Any]]:
    """The facts as the replay takes them, and the first body of each corrected record (by its id).

    A correction chain (a record, its correction, the correction of that...) becomes the original
    record's id and time with the latest body, plus one ``Correction`` per correction at its own
    time. A correction of a record that is not among ``facts`` is taken as a report of its own.
    """
    facts = list(facts)
    by_id = {f.id: f for f in facts}
    superseded = superseded | {f.supersedes for f in facts if f.supersedes}

    def corrects(f: Fact) -> Fact | None:
        target = by_id.get(f.supersedes or "")
        correctable = isinstance(f.body, DefectReport | OwnerComplaint)
        return target if correctable and target is not None and type(target.body) is type(f.body) else None

    def root(f: Fact) -> Fact:
        seen = {f.id}
        while (target := corrects(f)) is not None and target.id not in seen:  # a cycle cannot hang the replay
            f = target
            seen.add(f.id)
        return f

    taken: list[Fact] = []
    latest: dict[str, Fact] = {}
    for f in facts:
        target = corrects(f)
        if target is None:
            if f.id not in superseded:
                taken.append(f)
            continue
        first = root(f)
        taken.append(dataclasses.replace(f, body=Correction(first.id, target.body, f.body), supersedes=None))
        if f.id not in superseded and (first.id not in latest or f.key > latest[first.id].key):
            latest[first.id] = f
    originals: dict[str, Any] = {}
    for first_id, last in latest.items():
        first = by_id[first_id]
        originals[first_id] = first.body
        taken.append(dataclasses.replace(first, body=last.body))
    return taken, originals
