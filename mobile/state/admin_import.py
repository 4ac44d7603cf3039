"""Bulk import from a spreadsheet: pick a file, dry run, see every problem by sheet/row/column, then import.

"Import" is possible only after a dry run of the same file found no problem; the answer of a real import
carries each new user's temporary password, shown once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mobile.admin_api import XLSX
from mobile.state.admin import problem_of
from mobile.state.ports import Problem
from shared.errors import PatrolError

KINDS = ["places", "areas", "routes", "permits", "users"]


@dataclass
class ImportProblem:
    sheet: str
    row: int | None
    column: str
    message: str
    code: str


class ImportState:
    def __init__(self, api: Any, property_id: str) -> None:
        self.api = api
        self.property_id = property_id
        self.file_name = ""
        self.data: bytes | None = None
        self.kind = ""  # for a CSV: which shape it holds
        self.checked = False  # a dry run of this very file answered
        self.problems: list[ImportProblem] = []
        self.counts: dict[str, int] = {}
        self.result: dict[str, Any] | None = None  # the real import's answer
        self.problem: Problem | None = None
        self.busy = False

    @property
    def is_csv(self) -> bool:
        return self.file_name.lower().endswith(".csv")

    def choose(self, file_name: str, data: bytes) -> None:
        self.file_name, self.data = file_name, data
        self.checked, self.problems, self.counts, self.result, self.problem = False, [], {}, None, None

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self.checked, self.problems, self.result = False, [], None

    @property
    def can_check(self) -> bool:
        return self.data is not None and (not self.is_csv or bool(self.kind)) and not self.busy

    @property
    def can_import(self) -> bool:
        return self.checked and not self.problems and self.result is None and not self.busy

    def dry_run(self) -> bool:
        if not self.can_check:
            self.problem = Problem("admin.import.choose_file")
            return False
        answer = self._send(dry_run=True)
        if answer is None:
            return False
        self.checked = True
        self.counts = dict(answer.get("counts") or {})
        self.problems = [_problem(p) for p in answer.get("problems") or []]
        return not self.problems

    def run(self) -> bool:
        if not self.can_import:
            return False
        answer = self._send(dry_run=False)
        if answer is None:
            return False
        self.result = answer
        self.counts = dict(answer.get("counts") or {})
        return True

    @property
    def new_users(self) -> list[dict[str, str]]:
        return list((self.result or {}).get("users") or [])

    def _send(self, *, dry_run: bool) -> dict[str, Any] | None:
        params: dict[str, Any] = {"dry_run": "true" if dry_run else "false"}
        if self.is_csv:
            params["kind"] = self.kind
        headers = {"Content-Type": "text/csv" if self.is_csv else XLSX}
        self.problem, self.busy = None, True
        try:
            answer: dict[str, Any] = self.api.call(
                "POST", f"/properties/{self.property_id}/import", params=params, content=self.data, headers=headers
            )
            return answer
        except PatrolError as e:
            listed = e.detail.get("problems")
            if e.code == "import.has_problems" and isinstance(listed, list):
                self.problems = [_problem(p) for p in listed]  # the file changed meanwhile: nothing was written
                self.checked = True
            else:
                self.problem = problem_of(e)
            return None
        finally:
            self.busy = False


def _problem(p: dict[str, Any]) -> ImportProblem:
    row = p.get("row")
    return ImportProblem(
        sheet=str(p.get("sheet") or ""),
        row=int(row) if isinstance(row, int) else None,
        column=str(p.get("column") or p.get("field") or ""),
        message=str(p.get("message") or p.get("code") or ""),
        code=str(p.get("code") or ""),
    )
