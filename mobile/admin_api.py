"""The administration client: the app's httpx client and login token against /api/v1/admin (and password change).

Every refusal becomes a PatrolError with the server's code, words and detail (the field it names), so the
screens can say it in the user's language next to the field; an unreachable server is ``sync.offline``.
"""

from __future__ import annotations

from typing import Any

import httpx

from mobile.sync import server_problem
from shared.errors import PatrolError

ADMIN = "/api/v1/admin"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AdminApi:
    def __init__(self, http: httpx.Client, *, base_url: str, token: str | None, locale: str = "en") -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.locale = locale

    @classmethod
    def of_store(cls, http: httpx.Client, store: Any, locale: str = "en") -> AdminApi:
        return cls(http, base_url=store.server_url or "", token=store.token, locale=locale)

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {
            **kwargs.pop("headers", {}),
            "Authorization": f"Bearer {self.token}",
            "Accept-Language": self.locale,
        }
        try:
            response = self.http.request(method, self.base_url + path, headers=headers, **kwargs)
        except httpx.TransportError:
            raise PatrolError("sync.offline", f"Cannot reach {self.base_url}.") from None
        if not response.is_success:
            raise refusal(response)
        return response

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """JSON in, JSON out; ``path`` is below /api/v1/admin."""
        return self.send(method, ADMIN + path, **kwargs).json()

    def get(self, path: str, **params: Any) -> Any:
        given = {k: v for k, v in params.items() if v is not None}
        # httpx replaces a query written in the path with ``params``, even an empty one
        return self.call("GET", path, **({"params": given} if given else {}))

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.call("POST", path, json=body or {})

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.call("PATCH", path, json=body)

    def labels_pdf(self, route_id: str, property_id: str | None = None) -> bytes:
        params = {"route_id": route_id, **({"property_id": property_id} if property_id else {})}
        return self.send("GET", "/api/v1/labels.pdf", params=params).content


def refusal(response: httpx.Response) -> PatrolError:
    """The server's {code, message, detail} as a PatrolError (an import's problems travel in detail)."""
    return PatrolError(**server_problem(response))


def change_password(http: httpx.Client, url: str, username: str, current: str, new: str) -> None:
    """After a reset: the user sets their own password (then logs in with it)."""
    body = {"username": username, "current_password": current, "new_password": new}
    try:
        response = http.post(url.rstrip("/") + "/api/v1/auth/change-password", json=body)
    except httpx.TransportError:
        raise PatrolError("sync.offline", f"Cannot reach {url}.") from None
    if not response.is_success:
        raise refusal(response)
