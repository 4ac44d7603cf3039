"""Administration of people: users (create, role, deactivate, reset password), their devices, and the audit log."""

from __future__ import annotations

from typing import Any

from mobile.state.admin import Action, Field, Section, problem_of
from shared.errors import PatrolError
from shared.model import Role

ROLES = [r.value for r in Role]


class UsersSection(Section):
    key = "users"
    fields = [
        Field("username", "admin.user.username", on_create_only=True, required=True),
        Field("name", "admin.user.name", required=True),
        Field(
            "role", "admin.user.role", kind="choice", options=lambda: [(r, f"role.{r}") for r in ROLES], required=True
        ),
        Field("password", "admin.user.password", kind="password", on_create_only=True, required=True),
        Field("must_change_password", "admin.user.must_change", kind="bool", on_create_only=True),
    ]

    def __init__(self, api: Any, property_id: str, *, me: str = "") -> None:
        super().__init__(api, property_id)
        self.me = me  # one's own account: no deactivating oneself
        self.devices: list[dict[str, Any]] = []

    def list_path(self) -> str:
        return f"/users?property_id={self.property_id}"

    def create_path(self) -> str:
        return "/users"

    def patch_path(self, item: dict[str, Any]) -> str:
        return f"/users/{item['id']}"

    def subtitle(self, item: dict[str, Any]) -> str:
        role = str(item.get("role", ""))
        return f"{item.get('username', '')} · {self.t(f'role.{role}') if role in ROLES else role}"

    def new(self) -> None:
        super().new()
        if self.form is not None:
            self.form.values.update(role=Role.SPECIALIST.value, must_change_password=True)

    def body(self, values: dict[str, Any], *, new: bool) -> dict[str, Any]:
        out = super().body(values, new=new)
        if new:
            out["property_id"] = self.property_id
            out["must_change_password"] = bool(values.get("must_change_password"))
        return out

    def select(self, item: dict[str, Any] | None) -> None:
        super().select(item)
        self.devices = []
        if item is not None and item.get("id"):
            try:
                self.devices = list(self.api.get(f"/users/{item['id']}/devices"))
            except PatrolError as e:
                self.problem = problem_of(e)

    def actions(self, item: dict[str, Any]) -> list[Action]:
        uid = item["id"]
        if uid == self.me:
            return []
        reset = Action("admin.user.reset", lambda i: self._reset(i), done="admin.user.reset_done")
        if not item.get("active", True):
            return [Action("admin.user.reactivate", lambda i: self.api.post(f"/users/{uid}/reactivate")), reset]
        deactivate = Action(
            "admin.user.deactivate",
            lambda i: self.api.post(f"/users/{uid}/deactivate"),
            confirm="admin.user.deactivate_confirm",
            done="admin.user.deactivated",
        )
        return [reset, deactivate]

    def _reset(self, item: dict[str, Any]) -> dict[str, Any]:
        answer = self.api.post(f"/users/{item['id']}/reset-password")
        return {"name": item.get("name", ""), "password": answer["temporary_password"]}

    def device_actions(self, device: dict[str, Any]) -> list[Action]:
        if device.get("revoked") or self.selected is None:
            return []
        uid, did = self.selected["id"], device["device_id"]
        return [
            Action(
                "admin.device.revoke",
                lambda _: self.api.post(f"/users/{uid}/devices/{did}/revoke"),
                confirm="admin.device.revoke_confirm",
                done="admin.device.revoked",
            )
        ]


class AuditSection(Section):
    """Read only: who changed what, newest first."""

    key = "audit"
    fields = []

    def list_path(self) -> str:
        return f"/audit?property_id={self.property_id}"

    def title(self, item: dict[str, Any]) -> str:
        return f"{item.get('action', '')} · {item.get('entity_kind', '')} {item.get('entity_id', '')}"

    def subtitle(self, item: dict[str, Any]) -> str:
        return f"{item.get('actor_name', '')} · {str(item.get('at', ''))[:16].replace('T', ' ')}"

    def select(self, item: dict[str, Any] | None) -> None:
        super().select(item)
        self.form = None  # nothing to edit in a log

    def changes(self, item: dict[str, Any]) -> list[str]:
        """One line per field that changed: "name: old → new" (a creation shows the new values)."""
        before, after = item.get("before") or {}, item.get("after") or {}
        lines = []
        for key in sorted(set(before) | set(after)):
            old, new = before.get(key), after.get(key)
            if old != new:
                lines.append(f"{key}: {_short(old)} → {_short(new)}" if key in before else f"{key}: {_short(new)}")
        return lines


def _short(value: Any) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= 80 else text[:77] + "…"
