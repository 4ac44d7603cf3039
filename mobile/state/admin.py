"""Administration screens' logic: one Section per kind (users, places, routes, permits, ...) with a searchable
list, a create/edit form whose server refusals land next to their field, and actions that ask first when they
cannot be undone. The views only draw what a Section holds; tests drive Sections against the real API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mobile.state.ports import Problem
from shared.errors import PatrolError
from shared.i18n import Translator

Options = Callable[[], list[tuple[str, str]]]  # (value, label) pairs, label a catalog key when it starts "admin."


@dataclass
class Field:
    name: str
    label: str  # catalog key
    kind: str = "text"  # text, choice, password, date, number, multi (several choices), bool
    options: Options | None = None
    on_create_only: bool = False  # e.g. a username or a first password: not editable afterwards
    required: bool = False


@dataclass
class Action:
    key: str  # catalog key of its button
    run: Callable[[dict[str, Any]], Any]
    confirm: str | None = None  # catalog key of the "cannot be undone" question; None: runs at once
    done: str = "admin.done"


@dataclass
class FormState:
    values: dict[str, Any] = field(default_factory=dict)
    editing: dict[str, Any] | None = None  # the item edited; None for a new one
    problems: dict[str, Problem] = field(default_factory=dict)  # by field name; "" = the form as a whole


def problem_of(error: PatrolError) -> Problem:
    return Problem("", text=error.message, code=error.code, detail=dict(error.detail))


def field_of(error: PatrolError, names: list[str]) -> str:
    """The form field a server refusal names (``body.unit_id``, ``workers.1``, ``password``...), else ""."""
    named = str(error.detail.get("field") or "").removeprefix("body.")
    head = named.split(".")[0].split("[")[0]
    if head == "password" and "new_password" in names:
        return "new_password"
    return head if head in names else ""


class Section:
    """A list with search, one selected item, a form and the item's actions; subclasses name the paths."""

    key = ""  # admin.section.<key>
    fields: list[Field] = []

    def __init__(self, api: Any, property_id: str) -> None:
        self.api = api
        self.property_id = property_id
        self.items: list[dict[str, Any]] = []
        self.query = ""
        self.selected: dict[str, Any] | None = None
        self.form: FormState | None = None
        self.busy = False
        self.problem: Problem | None = None  # a refusal outside any form (loading, an action)
        self.message = ""  # catalog key of what just happened ("saved", "deactivated")
        self.message_args: dict[str, Any] = {}
        self.asking: tuple[Action, dict[str, Any]] | None = None  # the action waiting for its confirmation
        self.translator: Callable[[], Translator] = Translator  # the app's current one (the language may change)

    def t(self, key: str, **args: Any) -> str:
        return self.translator().t(key, **args)

    # ---- what a subclass says ----------------------------------------------------------------
    def list_path(self) -> str:
        raise NotImplementedError

    def create_path(self) -> str:
        return self.list_path()

    def patch_path(self, item: dict[str, Any]) -> str:
        raise NotImplementedError

    def title(self, item: dict[str, Any]) -> str:
        return str(item.get("name") or item.get("id"))

    def subtitle(self, item: dict[str, Any]) -> str:
        return str(item.get("id", ""))

    def actions(self, item: dict[str, Any]) -> list[Action]:
        return []

    def body(self, values: dict[str, Any], *, new: bool) -> dict[str, Any]:
        """The request body from the form's values: empty texts left out of a new item."""
        names = [f.name for f in self.fields if new or not f.on_create_only]
        out = {n: values.get(n) for n in names}
        return {k: v for k, v in out.items() if not (new and v in ("", None, []))}

    def values_of(self, item: dict[str, Any]) -> dict[str, Any]:
        return {f.name: item.get(f.name) if item.get(f.name) is not None else "" for f in self.fields}

    # ---- list ----------------------------------------------------------------------------------
    def load(self) -> None:
        self.problem = None
        try:
            self.items = list(self.api.get(self.list_path()))
        except PatrolError as e:
            self.problem = problem_of(e)
        if self.selected is not None:
            self.selected = next((i for i in self.items if i.get("id") == self.selected.get("id")), None)

    def visible(self) -> list[dict[str, Any]]:
        words = self.query.casefold().split()
        return [i for i in self.items if all(w in f"{self.title(i)} {self.subtitle(i)}".casefold() for w in words)]

    def select(self, item: dict[str, Any] | None) -> None:
        self.selected, self.asking, self.message, self.problem = item, None, "", None
        self.form = FormState(values=self.values_of(item), editing=item) if item is not None else None

    def new(self) -> None:
        self.selected, self.asking, self.message, self.problem = None, None, "", None
        self.form = FormState(values={f.name: "" if f.kind != "multi" else [] for f in self.fields})

    def editable(self, f: Field) -> bool:
        return self.form is not None and (self.form.editing is None or not f.on_create_only)

    # ---- form ----------------------------------------------------------------------------------
    def set(self, name: str, value: Any) -> None:
        if self.form is not None:
            self.form.values[name] = value
            self.form.problems.pop(name, None)

    def save(self) -> bool:
        """Create or update; on refusal the problem sits at its field (or over the form) and nothing is lost."""
        form = self.form
        if form is None:
            return False
        form.problems = {
            f.name: Problem("admin.required")
            for f in self.fields
            if f.required and self.editable(f) and form.values.get(f.name) in ("", None, [])
        }
        if form.problems:
            return False
        new = form.editing is None
        self.busy = True
        try:
            body = self.body(form.values, new=new)
            saved = (
                self.api.post(self.create_path(), body)
                if new
                else self.api.patch(self.patch_path(form.editing or {}), body)
            )
        except PatrolError as e:
            form.problems = {self.field_for(e): problem_of(e)}
            return False
        finally:
            self.busy = False
        self.after_save(saved, new=new)
        self.load()
        self.select(next((i for i in self.items if i.get("id") == saved.get("id")), saved))
        self.message = "admin.saved"
        return True

    def field_for(self, error: PatrolError) -> str:
        """The form field a refusal is about ("" = the form as a whole)."""
        return field_of(error, [f.name for f in self.fields])

    def after_save(self, saved: dict[str, Any], *, new: bool) -> None:
        """A subclass's follow-up (nothing by default)."""

    # ---- actions ---------------------------------------------------------------------------------
    def act(self, action: Action, item: dict[str, Any], *, confirmed: bool = False) -> bool:
        """Run an item's action; one that cannot be undone only asks the first time."""
        if action.confirm and not confirmed:
            self.asking, self.message = (action, item), ""  # an earlier "saved" would read as the answer
            return False
        self.asking, self.problem, self.busy = None, None, True
        try:
            result = action.run(item)
        except PatrolError as e:
            self.problem = problem_of(e)
            return False
        finally:
            self.busy = False
        self.message, self.message_args = action.done, result if isinstance(result, dict) else {}
        self.load()
        if self.selected is not None:
            self.select_keep_message(self.selected)
        return True

    def confirm(self) -> bool:
        if self.asking is None:
            return False
        action, item = self.asking
        return self.act(action, item, confirmed=True)

    def cancel(self) -> None:
        self.asking = None

    def select_keep_message(self, item: dict[str, Any]) -> None:
        message, args = self.message, self.message_args
        self.select(item)
        self.message, self.message_args = message, args
