"""The app frame: sync bar always on top, the current screen, and the role's bottom navigation."""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft

from mobile.context import AppContext
from mobile.state.orders import OrdersBoard
from mobile.state.patrol import PatrolRun
from mobile.views.sync_bar import SyncBar
from shared.model import Role

AUTO_SYNC_SECONDS = 60

# (tab name, icon, catalog key, roles that see it; None = everyone)
TABS: list[tuple[str, Any, str, frozenset[Role] | None]] = [
    ("today", ft.Icons.TODAY, "nav.today", None),
    ("patrol", ft.Icons.DIRECTIONS_WALK, "nav.patrol", frozenset({Role.SPECIALIST, Role.SUPERVISOR, Role.ADMIN})),
    ("orders", ft.Icons.BUILD_CIRCLE_OUTLINED, "nav.orders", None),
    ("review", ft.Icons.FACT_CHECK_OUTLINED, "nav.review", frozenset({Role.SUPERVISOR, Role.ADMIN})),
    ("admin", ft.Icons.ADMIN_PANEL_SETTINGS_OUTLINED, "nav.admin", frozenset({Role.SUPERVISOR, Role.ADMIN})),
    ("more", ft.Icons.MENU, "nav.more", None),
]


class Shell:
    def __init__(self, page: ft.Page, ctx: AppContext) -> None:
        self.page, self.ctx = page, ctx
        self.screen: Any = None
        self.tab = "today"
        self.patrol_run: PatrolRun | None = None  # kept while the user steps out to a defect form
        self.board: OrdersBoard | None = None
        self.photo_wait: Any = None  # the form whose photo downloads are awaited (mobile.views.photo_picker)
        self.sync_bar = SyncBar(self)
        self.body = ft.Column(expand=True, scroll=ft.ScrollMode.AUTO, spacing=12)
        self.message = ft.Text("", color=ft.Colors.PRIMARY, weight=ft.FontWeight.W_500)
        self._auto_sync_started = False
        self._message_sync: Any = None  # the last successful sync when the message was shown
        self.on_change = self._from_sync_thread
        ctx.listeners.append(self.on_change)

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        self.page.controls.clear()
        self.page.add(
            ft.SafeArea(
                ft.Column(
                    [
                        self.sync_bar.control,
                        ft.Container(
                            ft.Column([self.message, self.body], expand=True, spacing=8),
                            padding=ft.Padding.symmetric(horizontal=14, vertical=8),
                            expand=True,
                        ),
                    ],
                    expand=True,
                    spacing=0,
                ),
                expand=True,
            )
        )
        if self.ctx.ready:
            self.enter_app()
        else:
            from mobile.views.first_run import FirstRunView

            self.sync_bar.control.visible = False
            self.page.navigation_bar = None
            self.show(FirstRunView(self))
        if not self._auto_sync_started:
            self._auto_sync_started = True
            self.page.run_task(self._auto_sync)

    def enter_app(self, *, logged_in: bool = False) -> None:
        """After login (or at start when logged in before): Today at once from the local store, with the role's tabs.

        A login syncs at once: another user's login started from an empty feed (``Store.set_login``), and the
        same user's may have missed what happened since; Today redraws when the pull is in.
        """
        self.board = OrdersBoard(ref=self.ctx.ref, save=self.ctx.save, now=self.ctx.now, user=self.ctx.user)
        self.sync_bar.control.visible = True
        self.tab = "today"
        self.build_nav()
        self.go("today")
        if logged_in or self.ctx.status.last_success is None:
            self.ctx.sync_now()  # the first pull brings routes, places and orders

    @property
    def role(self) -> Role:
        try:
            return Role(self.ctx.user.get("role", Role.SPECIALIST.value))
        except ValueError:
            return Role.SPECIALIST

    def tabs(self) -> list[tuple[str, Any, str, frozenset[Role] | None]]:
        return [t for t in TABS if t[3] is None or self.role in t[3]]

    def build_nav(self) -> None:
        t = self.ctx.tr.t
        tabs = self.tabs()
        names = [name for name, *_ in tabs]
        self.page.navigation_bar = ft.NavigationBar(
            destinations=[ft.NavigationBarDestination(icon=icon, label=t(key)) for _, icon, key, _ in tabs],
            selected_index=names.index(self.tab) if self.tab in names else 0,
            on_change=lambda e: self.go(names[int(e.control.selected_index)]),
        )

    # ---- navigation ----------------------------------------------------------------------
    def go(self, tab: str, **params: Any) -> None:
        """Open a tab's main screen."""
        from mobile.views import screens

        self.tab = tab
        if self.page.navigation_bar is not None:
            names = [name for name, *_ in self.tabs()]
            if tab in names:
                self.page.navigation_bar.selected_index = names.index(tab)
        self.show(screens.for_tab(self, tab, **params))

    def submit_form(self, view: Any) -> None:
        """Save a form view's record; back to Today with "saved", or stay and show what to fix."""
        view.problems = view.form.submit()
        if view.problems:
            self.render()
            return
        self.go("today")
        self.show(self.screen, self.ctx.tr.t("common.saved"))

    def show(self, screen: Any, message: str = "") -> None:
        """Open a screen; the message line says only what this screen was opened with (a new screen clears it)."""
        self.screen = screen
        self.message.value = message
        self.message.visible = bool(message)
        self._message_sync = self.ctx.status.last_success
        self.render()

    def render(self) -> None:
        self.ctx.refresh_status()
        self.sync_bar.refresh()
        self.body.controls = [self.screen.build()]
        self.page.update()

    def relabel(self) -> None:
        """The language changed: rebuild everything that shows text."""
        self.page.title = self.ctx.tr.t("app.title")
        if self.page.navigation_bar is not None:
            self.build_nav()
        self.render()

    # ---- sync ----------------------------------------------------------------------------
    def sync(self) -> None:
        self.ctx.sync_now()

    def _from_sync_thread(self) -> None:
        async def redraw() -> None:
            if self.message.visible and self.ctx.status.succeeded_since(self._message_sync):
                self.message.visible, self.message.value = False, ""  # "saved, sent at next sync" is stale now
            self.sync_bar.refresh()
            if not self.ctx.status.running and getattr(self.screen, "refresh_on_sync", False):
                self.body.controls = [self.screen.build()]
            self.page.update()

        self.page.run_task(redraw)

    async def _auto_sync(self) -> None:
        """Sync by itself while the app is open and logged in; failures only show in the bar."""
        while True:
            await asyncio.sleep(AUTO_SYNC_SECONDS)
            if self.on_change not in self.ctx.listeners:
                return  # the page was closed
            if self.ctx.ready and not self.ctx.status.running:
                self.ctx.sync_now()
