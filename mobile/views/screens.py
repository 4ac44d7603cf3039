"""Which screen each tab opens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mobile.views.shell import Shell


def for_tab(shell: Shell, tab: str, **params: Any) -> Any:
    from mobile.views.admin import AdminView
    from mobile.views.orders import OrdersView
    from mobile.views.patrol import PatrolView
    from mobile.views.review import ReviewView
    from mobile.views.settings import SettingsView
    from mobile.views.today import TodayView

    views = {
        "today": TodayView,
        "patrol": PatrolView,
        "orders": OrdersView,
        "review": ReviewView,
        "more": SettingsView,
        "admin": AdminView,
    }
    return views.get(tab, TodayView)(shell, **params)
