"""Logging the phone in: trade a user name and password for a token kept in the store.

The sync client that then uses the token is ``mobile.sync``.
"""

from __future__ import annotations

from typing import Any

import httpx

from mobile.store import Store
from mobile.sync import is_json, server_problem
from shared.errors import AuthProblem, LimitProblem, PatrolError, PermissionProblem


def login(
    http: httpx.Client,
    url: str,
    username: str,
    password: str,
    *,
    store: Store,
    device_name: str = "Patrol phone",
    force: bool = False,
) -> dict[str, Any]:
    """Log in at ``url`` (the server's base address) and keep the token on the phone; returns the user.

    Raises AuthProblem (wrong name or password), LimitProblem (locked for a while, ``detail['retry_after']``),
    PatrolError ``sync.offline`` when the server cannot be reached, or PermissionProblem
    ``auth.other_user_pending`` when another user's records still wait to be sent from this phone
    (their login is the only one that can send them; ``force=True`` logs in anyway).
    """
    base = url.rstrip("/")
    body = {"username": username, "password": password, "device_id": store.device_id, "device_name": device_name}
    try:
        response = http.post(f"{base}/api/v1/auth/login", json=body)
    except httpx.TransportError:
        raise PatrolError("sync.offline", f"Cannot reach {base}; check the address and the network.") from None
    if response.status_code == 429:
        raise LimitProblem(**server_problem(response, "auth.locked", "Too many failed logins; wait and try again."))
    if response.status_code in (401, 403):
        raise AuthProblem(**server_problem(response, "auth.invalid_credentials", "Wrong user name or password."))
    if not response.is_success or not is_json(response):
        raise PatrolError(**server_problem(response, "sync.server_error"))
    data = response.json()
    previous = store.user
    if not force and previous and previous.get("id") != data["user"].get("id"):
        waiting = store.unsent_of(previous["id"])
        if waiting:
            name = previous.get("name") or previous["id"]
            raise PermissionProblem(
                "auth.other_user_pending",
                f"{waiting} record(s) by {name} are not sent yet. Log in as {name} and sync first.",
                {"user_id": previous["id"], "count": waiting},
            )
    store.set_login(server_url=base, token=data["token"], user=data["user"])
    return dict(data["user"])
