"""Files a supervisor downloads from the server (period reports, exports, an order's record) saved on the phone.

One way to do it for every screen: ask the server with the user's token and language, save the answer under
``<data dir>/reports/``, and on a refusal or without a connection save nothing and keep the problem to show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mobile.state.admin import problem_of
from mobile.state.ports import Problem
from shared.errors import PatrolError
from shared.model import Role

FOLDER = "reports"
SUPERVISING = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})


def save_download(api: Any, data_dir: Path | None, path: str, filename: str, params: dict[str, Any]) -> Path:
    """GET ``path`` in the user's language and save the body as ``<data dir>/reports/<filename>``.

    Raises the server's PatrolError (``sync.offline`` without a connection) before anything is written."""
    asked = {**params, "lang": getattr(api, "locale", None)}
    content = api.send("GET", path, params={k: v for k, v in asked.items() if v is not None}).content
    folder = (data_dir or Path.cwd()) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / filename
    saved.write_bytes(content)
    return saved


class OrderRecordDownload:
    """The "Download record (PDF)" action of an order's detail: the record for the owner's file, for supervisors."""

    def __init__(self, api: Any, data_dir: Path | None, user: dict[str, Any]) -> None:
        self.api, self.data_dir, self.user = api, data_dir, user
        self.saved: Path | None = None
        self.problem: Problem | None = None

    @property
    def allowed(self) -> bool:
        return self.user.get("role") in SUPERVISING

    @property
    def offline(self) -> bool:
        return self.problem is not None and self.problem.code == "sync.offline"

    def download(self, order: dict[str, Any]) -> Path | None:
        """``GET /api/v1/orders/{id}/record.pdf`` saved as ``record-<number>.pdf``; None (and a problem) offline."""
        self.saved, self.problem = None, None
        if not self.allowed:
            return None
        name = f"record-{order.get('number') or order['id']}.pdf"
        try:
            self.saved = save_download(self.api, self.data_dir, f"/api/v1/orders/{order['id']}/record.pdf", name, {})
        except PatrolError as e:
            self.problem = problem_of(e)
        return self.saved
