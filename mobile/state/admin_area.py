"""The administration area: which sections a role gets, for which property, and which one is open."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mobile.state.admin import Section, problem_of
from mobile.state.admin_import import ImportState
from mobile.state.admin_people import AuditSection, UsersSection
from mobile.state.admin_setup import PermitsSection, PlacesSection, PropertiesSection, RoutesSection
from mobile.state.ports import Problem
from shared.errors import PatrolError
from shared.i18n import Translator
from shared.model import Role

ADMIN_ROLES = frozenset({Role.ADMIN.value, Role.SUPERVISOR.value})
SECTIONS = ["users", "places", "routes", "permits", "import", "audit", "properties"]


def may_administer(user: dict[str, Any]) -> bool:
    return user.get("role") in ADMIN_ROLES


class AdminArea:
    def __init__(
        self,
        api: Any,
        user: dict[str, Any],
        *,
        data_dir: Path | None = None,
        translator: Callable[[], Translator] = Translator,
    ) -> None:
        self.api = api
        self.translator = translator
        self.user = user
        self.data_dir = data_dir
        self.is_admin = user.get("role") == Role.ADMIN.value
        self.properties: list[dict[str, Any]] = []
        self.property_id = str(user.get("property_id") or "")
        self.current = "users"
        self.problem: Problem | None = None
        self.sections: dict[str, Section] = {}
        self.importer = ImportState(api, self.property_id)

    @property
    def names(self) -> list[str]:
        return [s for s in SECTIONS if s != "properties" or self.is_admin]

    def start(self) -> None:
        """Load the properties one may manage, then the open section."""
        try:
            self.properties = list(self.api.get("/properties"))
        except PatrolError as e:
            self.problem = problem_of(e)
            return
        ids = [p["id"] for p in self.properties]
        if self.property_id not in ids and ids:
            self.property_id = ids[0]
        self.choose_property(self.property_id)

    def choose_property(self, property_id: str) -> None:
        self.property_id = property_id
        me = str(self.user.get("id", ""))
        self.sections = {
            "users": UsersSection(self.api, property_id, me=me),
            "places": PlacesSection(self.api, property_id),
            "routes": RoutesSection(self.api, property_id, data_dir=self.data_dir, admin=self.is_admin),
            "permits": PermitsSection(self.api, property_id),
            "audit": AuditSection(self.api, property_id),
            "properties": PropertiesSection(self.api, property_id),
        }
        for section in self.sections.values():
            section.translator = self.translator
        self.importer = ImportState(self.api, property_id)
        self.open(self.current)

    def open(self, name: str) -> None:
        self.current = name if name in self.names else "users"
        section = self.sections.get(self.current)
        if section is not None:
            section.load()

    @property
    def section(self) -> Section | None:
        return self.sections.get(self.current)
