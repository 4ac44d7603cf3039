"""Administration of a property's setup: the property, places, patrol routes with checkpoints, renovation permits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mobile.state.admin import Action, Field, FormState, Section, field_of, problem_of
from mobile.state.ports import Problem
from shared.errors import PatrolError

PLACE_KINDS = ["building", "floor", "unit", "area"]
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class PropertiesSection(Section):
    """Administrators only: the properties themselves."""

    key = "properties"
    fields = [
        Field("id", "admin.property.id", on_create_only=True, required=True),
        Field("name", "admin.property.name", required=True),
        Field("tz", "admin.property.tz", required=True),
        Field("rectification_hours", "admin.property.rectification_hours", kind="number"),
        *[Field(f"hours_{d}", f"admin.weekday.{d}", kind="hours") for d in WEEKDAYS],
    ]

    def list_path(self) -> str:
        return "/properties"

    def patch_path(self, item: dict[str, Any]) -> str:
        return f"/properties/{item['id']}"

    def subtitle(self, item: dict[str, Any]) -> str:
        return f"{item.get('id', '')} · {item.get('tz', '')}"

    def values_of(self, item: dict[str, Any]) -> dict[str, Any]:
        values = super().values_of(item)
        hours = item.get("working_hours") or {}
        values.update({f"hours_{d}": "-".join(hours.get(d) or []) for d in WEEKDAYS})
        return values

    def body(self, values: dict[str, Any], *, new: bool) -> dict[str, Any]:
        out = {k: v for k, v in super().body(values, new=new).items() if not k.startswith("hours_")}
        out["rectification_hours"] = _number(out.get("rectification_hours"))
        # "08:30-18:00" per day; an empty day is closed. All seven or none (the server's default hours).
        spans = {d: str(values.get(f"hours_{d}") or "").strip() for d in WEEKDAYS}
        if any(spans.values()):
            out["working_hours"] = {d: [p.strip() for p in s.split("-", 1)] if s else None for d, s in spans.items()}
        return {k: v for k, v in out.items() if v is not None}

    def field_for(self, error: PatrolError) -> str:
        named = str(error.detail.get("field") or "")
        if named.startswith("working_hours."):
            return f"hours_{named.split('.')[1]}"
        return super().field_for(error)


class PlacesSection(Section):
    key = "places"
    fields = [
        Field("kind", "admin.place.kind", kind="choice", on_create_only=True, required=True),
        Field("name", "admin.place.name", required=True),
        Field("parent_id", "admin.place.parent", kind="choice"),
        Field("owner_name", "admin.place.owner_name"),
        Field("owner_contact", "admin.place.owner_contact"),
    ]

    def __init__(self, api: Any, property_id: str) -> None:
        super().__init__(api, property_id)
        self.fields = [
            Field(f.name, f.label, f.kind, self._options(f.name), f.on_create_only, f.required) for f in self.fields
        ]

    def _options(self, name: str) -> Any:
        if name == "kind":
            return lambda: [(k, f"admin.place.kind.{k}") for k in PLACE_KINDS]
        if name == "parent_id":
            return lambda: [(p["id"], p["name"]) for p in self.items if p.get("kind") in ("building", "floor")]
        return None

    def list_path(self) -> str:
        return f"/properties/{self.property_id}/places"

    def patch_path(self, item: dict[str, Any]) -> str:
        return f"/places/{item['id']}"

    def subtitle(self, item: dict[str, Any]) -> str:
        parent = next((p["name"] for p in self.items if p["id"] == item.get("parent_id")), "")
        kind = str(item.get("kind", ""))
        kind = self.t(f"admin.place.kind.{kind}") if kind in PLACE_KINDS else kind
        return " · ".join(x for x in (kind, parent, item.get("owner_name") or "") if x)

    def actions(self, item: dict[str, Any]) -> list[Action]:
        pid = item["id"]
        return [
            Action(
                "admin.archive",
                lambda _: self.api.post(f"/places/{pid}/archive"),
                confirm="admin.archive_confirm",
                done="admin.archived",
            )
        ]


class RoutesSection(Section):
    key = "routes"
    fields = [
        Field("name", "admin.route.name", required=True),
        Field("assigned_to", "admin.route.assigned_to", kind="choice"),
        Field("weekdays", "admin.route.weekdays", kind="multi"),
    ]

    def __init__(self, api: Any, property_id: str, *, data_dir: Path | None = None, admin: bool = False) -> None:
        super().__init__(api, property_id)
        self.data_dir, self.admin = data_dir, admin
        self.places: list[dict[str, Any]] = []
        self.people: list[dict[str, Any]] = []
        self.checkpoint = FormState()
        self.labels_path: Path | None = None
        self.fields = [
            Field("name", "admin.route.name", required=True),
            Field(
                "assigned_to", "admin.route.assigned_to", "choice", lambda: [(u["id"], u["name"]) for u in self.people]
            ),
            Field("weekdays", "admin.route.weekdays", "multi", lambda: [(d, f"admin.weekday.{d}") for d in WEEKDAYS]),
        ]

    def load(self) -> None:
        super().load()
        try:
            self.places = list(self.api.get(f"/properties/{self.property_id}/places"))
            people = self.api.get(f"/users?property_id={self.property_id}")
            # who walks a route: the property's active specialists
            self.people = [u for u in people if u.get("active", True) and u.get("role") == "specialist"]
        except PatrolError as e:
            self.problem = problem_of(e)

    def list_path(self) -> str:
        return f"/properties/{self.property_id}/routes"

    def patch_path(self, item: dict[str, Any]) -> str:
        return f"/routes/{item['id']}"

    def subtitle(self, item: dict[str, Any]) -> str:
        who = next((u["name"] for u in self.people if u["id"] == item.get("assigned_to")), "")
        count = self.t("admin.route.checkpoint_count", count=len(item.get("checkpoints", [])))
        return " · ".join(x for x in (count, who) if x)

    def values_of(self, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": item.get("name", ""),
            "assigned_to": item.get("assigned_to") or "",
            "weekdays": item.get("weekdays") or [],
        }

    def select(self, item: dict[str, Any] | None) -> None:
        super().select(item)
        self.checkpoint = FormState(values={"place_id": "", "scan_code": "", "name": ""})
        if self.labels_path is not None and (item is None or self.labels_path.stem != f"labels-{item['id']}"):
            self.labels_path = None  # another route's labels

    def place_name(self, place_id: str) -> str:
        return next((p["name"] for p in self.places if p["id"] == place_id), place_id)

    def add_checkpoint(self) -> bool:
        """Add the checkpoint form's place and code at the end of the selected route."""
        route, cp = self.selected, self.checkpoint
        if route is None:
            return False
        cp.problems = {n: Problem("admin.required") for n in ("place_id", "scan_code") if not cp.values.get(n)}
        if cp.problems:
            return False
        body = {k: v for k, v in cp.values.items() if v}
        self.busy = True
        try:
            self.api.post(f"/routes/{route['id']}/checkpoints", body)
        except PatrolError as e:
            cp.problems = {field_of(e, ["place_id", "scan_code", "name"]): problem_of(e)}
            return False
        finally:
            self.busy = False
        self.load()
        self.select_keep_message(next(i for i in self.items if i["id"] == route["id"]))
        self.message = "admin.route.checkpoint_added"
        return True

    def checkpoint_actions(self, checkpoint: dict[str, Any]) -> list[Action]:
        """Move a checkpoint one place earlier on the route, or archive it (asked first)."""
        cid, position = checkpoint["id"], int(checkpoint.get("position") or 1)
        up = Action(
            "admin.checkpoint.up",
            lambda _: self.api.patch(f"/checkpoints/{cid}", {"position": position - 1}),
            done="admin.saved",
        )
        return ([up] if position > 1 else []) + [
            Action(
                "admin.archive",
                lambda _: self.api.post(f"/checkpoints/{cid}/archive"),
                confirm="admin.archive_confirm",
                done="admin.archived",
            )
        ]

    def actions(self, item: dict[str, Any]) -> list[Action]:
        rid = item["id"]
        return [
            Action("admin.route.labels", lambda i: self.print_labels(i), done="admin.route.labels_saved"),
            Action(
                "admin.archive",
                lambda _: self.api.post(f"/routes/{rid}/archive"),
                confirm="admin.archive_confirm",
                done="admin.archived",
            ),
        ]

    def print_labels(self, item: dict[str, Any]) -> dict[str, Any]:
        """The route's labels PDF, saved where the user can find it (the browser also gets a link to open)."""
        pdf = self.api.labels_pdf(item["id"], self.property_id if self.admin else None)
        folder = (self.data_dir or Path.cwd()) / "labels"
        folder.mkdir(parents=True, exist_ok=True)
        self.labels_path = folder / f"labels-{item['id']}.pdf"
        self.labels_path.write_bytes(pdf)
        return {"path": str(self.labels_path), "bytes": len(pdf)}


class PermitsSection(Section):
    key = "permits"

    def __init__(self, api: Any, property_id: str) -> None:
        super().__init__(api, property_id)
        self.units: list[dict[str, Any]] = []
        self.ending = FormState(values={"passes_returned": "", "fees_settled": False})
        self.fields = [
            Field(
                "unit_id", "admin.permit.unit", "choice", lambda: [(u["id"], u["name"]) for u in self.units], True, True
            ),
            Field("contractor", "admin.permit.contractor", required=True),
            Field("starts_on", "admin.permit.starts_on", "date", required=True),
            Field("ends_on", "admin.permit.ends_on", "date", required=True),
            Field("applied_on", "admin.permit.applied_on", "date"),
            Field("approved_on", "admin.permit.approved_on", "date"),
            Field("workers", "admin.permit.workers", "lines"),
        ]

    def load(self) -> None:
        super().load()
        try:
            self.units = [p for p in self.api.get(f"/properties/{self.property_id}/places") if p["kind"] == "unit"]
        except PatrolError as e:
            self.problem = problem_of(e)

    def list_path(self) -> str:
        return f"/properties/{self.property_id}/permits"

    def patch_path(self, item: dict[str, Any]) -> str:
        return f"/permits/{item['id']}"

    def title(self, item: dict[str, Any]) -> str:
        unit = next((u["name"] for u in self.units if u["id"] == item.get("unit_id")), item.get("unit_id", ""))
        return f"{unit} · {item.get('contractor', '')}"

    def subtitle(self, item: dict[str, Any]) -> str:
        status = str(item.get("status", ""))
        said = self.t(f"admin.permit.status.{status}") if status in ("active", "ended") else status
        late = f" · {self.t('admin.permit.late')}" if item.get("approval_late") else ""
        return f"{item.get('starts_on', '')} – {item.get('ends_on', '')} · {said}{late}"

    def values_of(self, item: dict[str, Any]) -> dict[str, Any]:
        values = super().values_of(item)
        values["workers"] = "\n".join(f"{w['name']}, {w['pass_number']}" for w in item.get("workers", []))
        return values

    def body(self, values: dict[str, Any], *, new: bool) -> dict[str, Any]:
        out = super().body(values, new=new)
        lines = [x.strip() for x in str(values.get("workers") or "").splitlines() if x.strip()]
        workers = [
            dict(zip(("name", "pass_number"), [p.strip() for p in x.rsplit(",", 1)], strict=False)) for x in lines
        ]
        out["workers"] = [{"name": w.get("name", ""), "pass_number": w.get("pass_number", "")} for w in workers]
        return out if new else {k: v for k, v in out.items() if v != ""}

    def select(self, item: dict[str, Any] | None) -> None:
        super().select(item)
        passes = item.get("passes_registered", "") if item else ""
        self.ending = FormState(values={"passes_returned": str(passes), "fees_settled": False})

    def actions(self, item: dict[str, Any]) -> list[Action]:
        if item.get("status") == "ended":
            return []
        return [Action("admin.permit.end", self._end, confirm="admin.permit.end_confirm", done="admin.permit.ended")]

    def _end(self, item: dict[str, Any]) -> Any:
        passes = _number(self.ending.values.get("passes_returned"))
        body = {"passes_returned": passes, "fees_settled": bool(self.ending.values.get("fees_settled"))}
        return self.api.post(f"/permits/{item['id']}/end", body)


def _number(value: Any) -> Any:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else (None if text == "" else text)
