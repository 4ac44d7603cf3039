"""A problem of an import, placed by sheet, row and column, and worded in the reader's language.

The service layer's problems (``admin.*``) keep their code; their sentence comes from the catalogs'
``import.problem.<code>`` with the column's header and the cell's value, or, for a code the catalogs do not
word, from ``import.problem.other`` around the service's English message.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from shared.i18n import Translator

FAILED = object()  # what a row's change gives back when the service layer refused it


@dataclass
class Issue:
    sheet: str | None
    row: int | None
    column: str | None  # the column letter, or None for a whole row or sheet
    field: str | None  # the column's key (``parent_id``)
    code: str
    args: dict[str, Any] = dataclasses.field(default_factory=dict)  # value, header, the service's message...
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_dict(self, translator: Translator) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "code": self.code,
            "message": message(self, translator),
            "detail": self.detail,
        }


def message(issue: Issue, translator: Translator) -> str:
    args = {"value": "", "header": issue.field or "", "message": "", **issue.args}
    args = {k: v for k, v in args.items() if isinstance(v, str | int)}
    key = f"import.problem.{issue.code}"
    try:
        text = translator.t(key, **args) if translator.has(key) else translator.t("import.problem.other", **args)
    except (KeyError, IndexError):  # a sentence wanting an argument this problem lacks
        text = translator.t("import.problem.other", **args)
    if not args["header"]:
        text = text.removeprefix(": ").removeprefix("：")
    if issue.sheet is None:
        return text
    where = "import.where" if issue.column else ("import.where_row" if issue.row else "import.where_sheet")
    return translator.t(where, sheet=issue.sheet, row=issue.row or "", column=issue.column or "") + text


def as_text(issues: list[Issue], translator: Translator) -> list[str]:
    return [message(i, translator) for i in issues]
