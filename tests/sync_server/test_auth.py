"""Login, lockout, token expiry and device revocation, through the HTTP API."""

from __future__ import annotations

from tests.conftest import bearer, login

LOGIN = "/api/v1/auth/login"
PULL = "/api/v1/sync/pull"


def _attempt(client, username, password, device_id="phone-1"):
    return client.post(LOGIN, json={"username": username, "password": password, "device_id": device_id})


def test_login_returns_token_and_user(client):
    response = _attempt(client, "demo-specialist", "demo")
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {
        "id": "user-demo-specialist",
        "username": "demo-specialist",
        "name": "Li Na",
        "role": "specialist",
        "property_id": "demo",
    }
    assert client.get(PULL, headers=bearer(body["token"])).status_code == 200


def test_token_is_stored_only_as_a_hash(client, server_db):
    token = login(client, "demo-specialist")
    stored = [row["token_hash"] for row in server_db.query("SELECT token_hash FROM tokens")]
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    wrong = _attempt(client, "demo-specialist", "nope")
    unknown = _attempt(client, "nobody", "nope")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "auth.invalid_credentials"


def test_five_failures_lock_the_account_even_for_the_right_password(client, clock):
    statuses = [_attempt(client, "demo-specialist", "wrong").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = _attempt(client, "demo-specialist", "demo")
    assert locked.status_code == 429
    assert locked.json()["code"] == "auth.locked"
    assert locked.json()["detail"]["retry_after"] == 60
    assert locked.headers["Retry-After"] == "60"
    clock.advance(seconds=61)
    assert _attempt(client, "demo-specialist", "demo").status_code == 200


def test_unknown_usernames_lock_like_real_ones_so_failures_reveal_no_names(client):
    real = [_attempt(client, "demo-specialist", "wrong").json()["code"] for _ in range(5)]
    unknown = [_attempt(client, "nobody-here", "wrong").json()["code"] for _ in range(5)]
    assert real == unknown == ["auth.invalid_credentials"] * 4 + ["auth.locked"]


def test_lock_time_grows_with_each_lock_and_success_resets_it(client, clock):
    for _ in range(5):
        _attempt(client, "demo-specialist", "wrong")
    clock.advance(seconds=61)
    for _ in range(5):
        last = _attempt(client, "demo-specialist", "wrong")
    assert last.status_code == 429 and last.json()["detail"]["retry_after"] == 120
    clock.advance(seconds=121)
    assert _attempt(client, "demo-specialist", "demo").status_code == 200
    statuses = [_attempt(client, "demo-specialist", "wrong").status_code for _ in range(4)]
    assert statuses == [401] * 4  # the count started again after the success


def test_lockout_of_one_user_does_not_lock_another(client):
    for _ in range(5):
        _attempt(client, "demo-specialist", "wrong")
    assert _attempt(client, "demo-supervisor", "demo").status_code == 200


def test_missing_unknown_expired_tokens_are_refused_with_their_code(client, clock):
    assert client.get(PULL).json()["code"] == "auth.missing_token"
    assert client.get(PULL, headers={"Authorization": "Basic abc"}).json()["code"] == "auth.missing_token"
    response = client.get(PULL, headers=bearer("made-up"))
    assert response.status_code == 401 and response.json()["code"] == "auth.invalid_token"
    token = login(client, "demo-specialist")
    clock.advance(days=29, hours=23)
    assert client.get(PULL, headers=bearer(token)).status_code == 200
    clock.advance(hours=1)
    expired = client.get(PULL, headers=bearer(token))
    assert expired.status_code == 401 and expired.json()["code"] == "auth.token_expired"


def test_supervisor_revokes_a_device_and_its_token_stops_working(client):
    phone = login(client, "demo-specialist", device_id="lost-phone")
    other_phone = login(client, "demo-specialist", device_id="kept-phone")
    supervisor = login(client, "demo-supervisor")
    listed = client.get("/api/v1/devices", headers=bearer(supervisor)).json()["devices"]
    assert {d["device_id"] for d in listed} >= {"lost-phone", "kept-phone"}
    response = client.post("/api/v1/devices/lost-phone/revoke", headers=bearer(supervisor))
    assert response.status_code == 200
    refused = client.get(PULL, headers=bearer(phone))
    assert refused.status_code == 401 and refused.json()["code"] == "auth.token_revoked"
    assert client.get(PULL, headers=bearer(other_phone)).status_code == 200
    listed = {d["device_id"]: d for d in client.get("/api/v1/devices", headers=bearer(supervisor)).json()["devices"]}
    assert listed["lost-phone"]["revoked"] is True and listed["kept-phone"]["revoked"] is False


def test_a_specialist_cannot_revoke_and_sees_only_own_devices(client):
    login(client, "demo-site-supervisor", device_id="site-phone")
    token = login(client, "demo-specialist", device_id="my-phone")
    response = client.post("/api/v1/devices/site-phone/revoke", headers=bearer(token))
    assert response.status_code == 403 and response.json()["code"] == "auth.forbidden"
    devices = client.get("/api/v1/devices", headers=bearer(token)).json()["devices"]
    assert [d["device_id"] for d in devices] == ["my-phone"]


def test_another_propertys_device_is_not_found_and_stays_signed_in(client):
    theirs = login(client, "other-specialist", device_id="their-phone")
    admin = login(client, "demo-admin")
    response = client.post("/api/v1/devices/their-phone/revoke", headers=bearer(admin))
    assert response.status_code == 404 and response.json()["code"] == "device.not_found"
    assert client.get(PULL, headers=bearer(theirs)).status_code == 200
    assert "their-phone" not in str(client.get("/api/v1/devices", headers=bearer(admin)).json())
