"""What the always-visible sync bar says: pending records and photos, last success, progress, problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mobile.state.messages import error_text
from shared.i18n import Translator


@dataclass
class SyncStatus:
    pending: int = 0
    pending_photos: int = 0
    last_success: datetime | None = None
    last_error: str | None = None  # the server's or the sync client's words
    last_error_code: str | None = None  # said in the user's language when the catalogs know it
    problems: list[dict[str, Any]] = field(default_factory=list)  # rejected/conflict records with the server's words
    running: bool = False
    done: int = 0
    total: int = 0

    @property
    def progress(self) -> float | None:
        """0..1 while the total is known, None (an indeterminate bar) while it is not."""
        if not self.running:
            return None
        return min(1.0, self.done / self.total) if self.total else None

    def headline(self, tr: Translator) -> str:
        if self.running:
            return tr.t("sync.running", done=self.done, total=self.total)
        parts = [tr.t("sync.pending", count=self.pending) if self.pending else tr.t("sync.all_sent")]
        if self.pending_photos:
            parts.append(tr.t("sync.pending_photos", count=self.pending_photos))
        if self.problems:
            parts.append(tr.t("sync.problems", count=len(self.problems)))
        return " · ".join(parts)

    def detail(self, tr: Translator) -> str:
        if self.last_error and not self.running:
            return tr.t("sync.failed", message=error_text(tr, self.last_error_code, self.last_error))
        if self.last_success is None:
            return tr.t("sync.never")
        return tr.t("sync.last", when=tr.short(self.last_success))

    def succeeded_since(self, since: datetime | None) -> bool:
        """A sync succeeded after ``since`` (the last success when a message was shown): the message is stale."""
        return not self.running and self.last_error is None and self.last_success not in (None, since)

    @property
    def attention(self) -> bool:
        """The bar turns to a warning colour when something needs the user."""
        return bool(self.problems) or (self.last_error is not None and not self.running)


def problem_record_text(tr: Translator, record: dict[str, Any]) -> str:
    """Why the server did not take a record, in the user's language when its code is known, and what to do."""
    why = error_text(tr, record.get("status_code"), str(record.get("status_message") or ""))
    hint = tr.t(problem_hint_key(str(record.get("sync_status"))))
    return f"{why}\n{hint}" if why else hint


def problem_hint_key(status: str) -> str:
    return "sync.conflict_hint" if status == "conflict" else "sync.rejected_hint"
