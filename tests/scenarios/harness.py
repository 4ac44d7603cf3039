"""Scenarios that start where the user starts: the app's state objects make the records, the real sync sends them.

A ``Field`` is one server (``create_app`` in-process, or a live uvicorn process) and the phones of the
people who use it. Each ``Phone`` is the app's own ``AppContext`` (its store, ``mobile.recorder`` and the
real ``SyncClient``), logged in like the first-run screen does, and builds the screens' state objects the
way the views build them. One ``FakeClock`` is the time of the phones and of the server alike; a phone
may have its wall clock set wrong (``field.phone(name, clock_off=timedelta(days=3))``), while the time that
passes (its monotonic clock) passes for it as for everyone.

What the supervisor sees is read from the supervisor's phone after it synced (``field.findings()``,
``field.orders()``), or from the review endpoints (``field.review(...)``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from mobile.context import AppContext
from mobile.state.defect import DefectForm
from mobile.state.orders import OrdersBoard
from mobile.state.patrol import IssueDraft, PatrolRun, checkpoints_of
from mobile.state.ports import Problem
from mobile.state.renovation import SiteCheckForm, rectification_hours
from mobile.state.today import Today
from mobile.state.visit import ReturnVisitForm
from mobile.sync import SyncReport
from shared.model import CheckpointResult, WorkOrderAction
from sync_server.demo import PASSWORD

TZ = ZoneInfo("Asia/Shanghai")  # the demo property's zone
SIGNATURE = [[(40.0, 120.0), (120.0, 60.0), (200.0, 150.0), (300.0, 80.0)]]  # an owner's scribble

SPECIALIST, SITE_SUPERVISOR, SUPERVISOR, MAINTENANCE = (
    "demo-specialist",
    "demo-site-supervisor",
    "demo-supervisor",
    "demo-maintenance",
)


def local(day: int, hour: int, minute: int = 0, *, month: int = 11, tz: ZoneInfo = TZ) -> datetime:
    """A wall-clock time of the property in 2026 (23 November is a Monday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=tz)


class Phone:
    """One person's phone: the app context, logged in and synced once, and the screens' state objects."""

    def __init__(self, field: Field, username: str, *, clock_off: timedelta = timedelta(0)) -> None:
        self.field = field
        self.username = username
        self.clock_off = clock_off  # how far this phone's wall clock is ahead of the true time (behind if < 0)
        self.ctx = AppContext(
            data_dir=field.phones_dir / username,
            server_url=field.url,
            http=field.http(),
            clock=lambda: field.now() + clock_off,
            monotonic=lambda: field.now().timestamp(),
        )
        self.ctx.login(field.url, username, PASSWORD)
        self.board = OrdersBoard(ref=self.ctx.ref, save=self.ctx.save, now=self.ctx.now, user=self.ctx.user)
        self.sync()  # the first pull brings places, routes, permits and orders, as after the first-run screen

    @property
    def user_id(self) -> str:
        return str(self.ctx.user["id"])

    def sync(self) -> SyncReport:
        """One sync, as the sync bar's button runs it: push, photos, pull. It must succeed."""
        report = self.ctx.sync_client.run()
        assert report.ok, f"{self.username}: {report.message}"
        self.ctx.refresh_status()
        return report

    # ---- the screens' state objects, built the way the views build them -----------------------
    def patrol(self, route_id: str) -> PatrolRun:
        return PatrolRun(ref=self.ctx.ref, save=self.ctx.save, now=self.ctx.now, route_id=route_id)

    def defect(
        self, *, place_id: str | None = None, checkpoint_visit_id: str | None = None, description: str = ""
    ) -> DefectForm:
        return DefectForm(
            ref=self.ctx.ref,
            save=self.ctx.save,
            place_id=place_id,
            checkpoint_visit_id=checkpoint_visit_id,
            description=description,
        )

    def site_check(self, permit_id: str) -> SiteCheckForm:
        ctx = self.ctx
        return SiteCheckForm(
            ref=ctx.ref,
            save=ctx.save,
            now=ctx.now,
            tz=ctx.tz,
            permit_id=permit_id,
            rectification_hours=rectification_hours(ctx.ref),  # as the renovation view builds it
        )

    def return_visit(self, order_id: str) -> ReturnVisitForm:
        return ReturnVisitForm(
            ref=self.ctx.ref, save=self.ctx.save, ingest=self.ctx.ingest_photo, work_order_id=order_id
        )

    def orders(self) -> OrdersBoard:
        """The orders tab's board (the shell keeps one per login, with this phone's unsent actions laid over)."""
        return self.board

    def today(self) -> Today:
        """The Today screen's content for this user, as the Today view builds it."""
        return self.ctx.today(self.board)

    def complaint(self) -> Any:
        """The on-site complaint form (``mobile.state.complaint``; imported here so this module loads without it)."""
        from mobile.state.complaint import ComplaintForm

        return ComplaintForm(ref=self.ctx.ref, save=self.ctx.save)

    # ---- common walks through those screens -------------------------------------------------
    def walk(
        self,
        route_id: str,
        *,
        stop_before: int | None = None,
        issues: dict[int, str] | None = None,
        minutes_each: int = 2,
        finish: bool = True,
    ) -> PatrolRun:
        """Walk a route: scan each checkpoint's label, mark it fine (or an issue with a note), then Finish.

        ``stop_before=n`` finishes the round at checkpoint n (1-based) without marking it or the rest;
        ``issues={n: note}`` marks checkpoint n as a problem (the defect form it opens is left unsaved).
        Walking from one checkpoint to the next takes ``minutes_each`` on the shared clock.
        """
        issues = issues or {}
        run = self.patrol(route_id)
        while run.current is not None:
            position = run.index + 1
            if stop_before is not None and position >= stop_before:
                break
            self.field.pass_time(minutes=minutes_each)
            assert run.accept_scan([str(run.current["scan_code"])]) is None
            if position in issues:
                run.note = issues[position]
                outcome = run.mark(CheckpointResult.ISSUE)
                assert isinstance(outcome, IssueDraft), outcome
            else:
                assert run.mark(CheckpointResult.OK) is None
        if finish:
            run.finish()
        return run

    def report_defect(self, place_id: str, category: Any, description: str, **fields: Any) -> str:
        """Fill and save the defect form; returns the order id the server will give the report."""
        form = self.defect(place_id=place_id)
        form.category = category
        form.description = description
        for name, value in fields.items():
            setattr(form, name, value)
        assert form.submit() == []
        assert form.saved_id is not None
        return f"wo-{form.saved_id}"

    def act(self, order_id: str, action: WorkOrderAction, *, note: str = "", assignee_id: str | None = None) -> None:
        """Press an action button on the order's detail screen; the app must accept it."""
        problem = self.try_act(order_id, action, note=note, assignee_id=assignee_id)
        assert problem is None, f"{self.username} could not {action.value} {order_id}: {problem}"

    def try_act(
        self, order_id: str, action: WorkOrderAction, *, note: str = "", assignee_id: str | None = None
    ) -> Problem | None:
        order = self.order(order_id)
        assert order is not None, f"{self.username}'s phone does not know order {order_id}"
        return self.board.act(order, action, note=note, assignee_id=assignee_id)

    def visit(self, order_id: str, *, fixed: bool, satisfaction: Any, comment: str = "") -> str:
        """Fill and save the return-visit form with the owner's signature; returns the record id."""
        form = self.return_visit(order_id)
        form.fixed, form.satisfaction, form.comment = fixed, satisfaction, comment
        form.owner_name = "Mr. Zhou"
        for stroke in SIGNATURE:
            form.start_stroke(*stroke[0])
            for point in stroke[1:]:
                form.extend_stroke(*point)
        assert form.submit() == []
        assert form.saved_id is not None
        return form.saved_id

    # ---- what this phone knows ---------------------------------------------------------------
    def order(self, order_id: str) -> dict[str, Any] | None:
        return self.ctx.ref.item("work_order", order_id)

    def items(self, kind: str) -> list[dict[str, Any]]:
        return self.ctx.ref.items(kind)

    def record(self, record_id: str) -> dict[str, Any] | None:
        return self.ctx.store.get_record(record_id)

    def records(self, type: str | None = None) -> list[dict[str, Any]]:
        """Records made here and pulled from the server (a supervisor pulls everyone's)."""
        return [r for r in self.ctx.records() if type is None or r["type"] == type]

    def checkpoints(self, route_id: str) -> list[dict[str, Any]]:
        return checkpoints_of(self.ctx.ref, route_id)

    def close(self) -> None:
        self.ctx.close()


class Field:
    """A server and the phones that talk to it, on one clock."""

    def __init__(
        self,
        *,
        url: str,
        http: Callable[[], httpx.Client],
        now: Callable[[], datetime],
        clock: Any,
        phones_dir: Path,
        tick: Callable[[], object] | None = None,
    ) -> None:
        self.tick = tick  # the server's findings tick, run by hand in-process (a live server runs its own)
        self.url = url
        self.http = http  # a new HTTP client per phone: each app has its own
        self.now = now
        self.clock = clock  # the FakeClock (None against a live server on the real clock)
        self.phones_dir = phones_dir
        self._phones: dict[str, Phone] = {}

    def phone(self, username: str, *, clock_off: timedelta = timedelta(0)) -> Phone:
        """The phone of ``username`` (the same one each time), logged in and synced; its wall clock off by
        ``clock_off`` (chosen when the phone is first made)."""
        if username not in self._phones:
            self._phones[username] = Phone(self, username, clock_off=clock_off)
        return self._phones[username]

    @property
    def supervisor(self) -> Phone:
        return self.phone(SUPERVISOR)

    def pass_time(self, **delta: float) -> None:
        """Time passes: the fake clock is moved; on a live server's real clock it passes by itself."""
        if self.clock is not None:
            self.clock.advance(**delta)

    def at(self, when: datetime) -> None:
        """Move the shared clock (forward only: the phones and the server never see time run back)."""
        assert when >= self.clock.now(), f"the clock would run back from {self.clock.now()} to {when}"
        self.clock.set(when)

    # ---- what the supervisor sees --------------------------------------------------------------
    def findings(self, kind: str | None = None, **match: Any) -> list[dict[str, Any]]:
        """The findings on the supervisor's phone after the server's tick and a sync, of one kind and fields."""
        if self.tick is not None:
            self.tick()
        self.supervisor.sync()
        found = [f for f in self.supervisor.items("finding") if kind is None or f.get("kind") == kind]
        return sorted((f for f in found if all(f.get(k) == v for k, v in match.items())), key=lambda f: str(f["id"]))

    def orders(self) -> dict[str, dict[str, Any]]:
        """Every work order on the supervisor's phone after it synced, by id."""
        self.supervisor.sync()
        return {str(o["id"]): o for o in self.supervisor.items("work_order")}

    def order(self, order_id: str) -> dict[str, Any]:
        found = self.orders().get(order_id)
        assert found is not None, f"the supervisor's phone has no order {order_id}"
        return found

    def review(self, path: str, **params: Any) -> dict[str, Any]:
        """A review endpoint (``/api/v1/orders``, ``/api/v1/findings``, ``/api/v1/log``) as the supervisor."""
        phone = self.supervisor
        response = phone.ctx.http.get(
            self.url + path, params=params, headers={"Authorization": f"Bearer {phone.ctx.store.token}"}
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    def close(self) -> None:
        for phone in self._phones.values():
            phone.close()


def deadlines(order: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """An order's deadlines by name."""
    return {str(d["name"]): d for d in order.get("deadlines") or []}
