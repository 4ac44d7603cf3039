"""Users: deactivation stops a phone within one request, a reset password must be changed, devices, the audit log."""

from __future__ import annotations

import pytest

from mobile.login import login as phone_login
from mobile.recorder import save_record
from mobile.store import open_store
from mobile.sync import LOGIN_REQUIRED, SyncClient
from shared.model import DefectCategory, DefectReport, RecordType, Severity
from sync_server.demo import PASSWORD
from tests.conftest import bearer, login

ADMIN = "/api/v1/admin"
SERVER_URL = "http://testserver"


def _login_body(username: str, password: str = PASSWORD, device: str = "x-phone") -> dict:
    return {"username": username, "password": password, "device_id": device, "device_name": device}


def _code(response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


@pytest.fixture
def supervisor(client):
    return bearer(login(client, "demo-supervisor"))


def test_a_deactivated_user_is_refused_on_the_next_request_and_at_login(client, supervisor, server_db):
    token = login(client, "demo-specialist")
    assert client.get("/api/v1/sync/pull", headers=bearer(token)).status_code == 200
    response = client.post(f"{ADMIN}/users/user-demo-specialist/deactivate", headers=supervisor)
    assert response.json()["active"] is False
    assert _code(client.get("/api/v1/sync/pull", headers=bearer(token))) == (401, "auth.user_deactivated")
    assert _code(client.post("/api/v1/auth/login", json=_login_body("demo-specialist"))) == (
        401,
        "auth.user_deactivated",
    )
    wrong = client.post("/api/v1/auth/login", json=_login_body("demo-specialist", "guess"))
    assert _code(wrong) == (401, "auth.invalid_credentials")  # the state shows only with the right password
    live = "SELECT COUNT(*) FROM tokens WHERE user_id = 'user-demo-specialist' AND revoked_at IS NULL"
    assert server_db.execute(live).fetchone()[0] == 0
    assert client.post(f"{ADMIN}/users/user-demo-specialist/reactivate", headers=supervisor).json()["active"]
    assert client.post("/api/v1/auth/login", json=_login_body("demo-specialist")).status_code == 200


def test_a_deactivated_users_phone_keeps_its_unsent_records_and_says_why(client, supervisor, tmp_path):
    store = open_store(tmp_path / "phone.sqlite3")
    try:
        phone_login(client, SERVER_URL, "demo-specialist", PASSWORD, store=store)
        sync = SyncClient(client, store, sleep=lambda s: None)
        assert sync.run().ok
        body = DefectReport("demo-b1-u101", DefectCategory.WATER_LEAKAGE, Severity.HIGH, "Ceiling drips")
        saved = save_record(store, type=RecordType.DEFECT_REPORT, body=body)
        client.post(f"{ADMIN}/users/user-demo-specialist/deactivate", headers=supervisor)
        report = sync.run()
        assert report.status == LOGIN_REQUIRED
        assert store.last_error["code"] == "auth.user_deactivated"
        assert store.login_state()["login_required"] is True
        assert store.pending_counts()["records"] == 1
        assert store.get_record(saved["id"]) is not None
    finally:
        store.close()


def test_a_reset_password_must_be_changed_before_the_next_login(client, supervisor, server_db):
    token = login(client, "demo-maintenance")
    response = client.post(f"{ADMIN}/users/user-demo-maintenance/reset-password", json={}, headers=supervisor)
    temporary = response.json()["temporary_password"]
    assert len(temporary) >= 10 and response.json()["user"]["must_change_password"] is True
    assert _code(client.get("/api/v1/sync/pull", headers=bearer(token)))[0] == 401  # old phones signed out
    assert _code(client.post("/api/v1/auth/login", json=_login_body("demo-maintenance", temporary))) == (
        403,
        "auth.password_change_required",
    )
    change = {"username": "demo-maintenance", "current_password": temporary, "new_password": "short"}
    assert _code(client.post("/api/v1/auth/change-password", json=change)) == (422, "auth.password_too_short")
    change["new_password"] = temporary
    assert _code(client.post("/api/v1/auth/change-password", json=change)) == (422, "auth.password_unchanged")
    wrong = {**change, "current_password": "not the password", "new_password": "my own new password"}
    assert _code(client.post("/api/v1/auth/change-password", json=wrong)) == (401, "auth.invalid_credentials")
    change["new_password"] = "my own new password"
    assert client.post("/api/v1/auth/change-password", json=change).json() == {"changed": True}
    assert client.post("/api/v1/auth/login", json=_login_body("demo-maintenance", temporary)).status_code == 401
    assert client.post("/api/v1/auth/login", json=_login_body("demo-maintenance", "my own new password")).is_success
    stored = server_db.execute("SELECT must_change_password FROM users WHERE id = 'user-demo-maintenance'")
    assert stored.fetchone()[0] == 0


def test_a_temporary_password_shorter_than_10_characters_is_refused(client, supervisor):
    body = {"password": "short"}
    response = client.post(f"{ADMIN}/users/user-demo-maintenance/reset-password", json=body, headers=supervisor)
    assert _code(response) == (422, "auth.password_too_short")
    assert client.post("/api/v1/auth/login", json=_login_body("demo-maintenance")).status_code == 200


def test_revoking_one_device_leaves_the_users_other_phone_working(client, supervisor):
    first = login(client, "demo-specialist", device_id="phone-a")
    second = login(client, "demo-specialist", device_id="phone-b")
    devices = client.get(f"{ADMIN}/users/user-demo-specialist/devices", headers=supervisor).json()
    assert {d["device_id"] for d in devices} == {"phone-a", "phone-b"}
    revoked = client.post(f"{ADMIN}/users/user-demo-specialist/devices/phone-a/revoke", headers=supervisor)
    assert revoked.json()["revoked"] is True
    assert _code(client.get("/api/v1/sync/pull", headers=bearer(first))) == (401, "auth.token_revoked")
    assert client.get("/api/v1/sync/pull", headers=bearer(second)).status_code == 200
    missing = client.post(f"{ADMIN}/users/user-demo-specialist/devices/phone-z/revoke", headers=supervisor)
    assert _code(missing) == (404, "admin.device_not_found")


def test_a_new_role_signs_the_phones_out_and_reaches_the_property(client, supervisor):
    token = login(client, "demo-maintenance")
    changed = client.patch(f"{ADMIN}/users/user-demo-maintenance", json={"role": "specialist"}, headers=supervisor)
    assert changed.json()["role"] == "specialist"
    assert _code(client.get("/api/v1/sync/pull", headers=bearer(token))) == (401, "auth.token_revoked")
    pulled = client.get(
        "/api/v1/sync/pull", params={"limit": 1000}, headers=bearer(login(client, "demo-specialist"))
    ).json()
    users = {c["id"]: c["data"] for c in pulled["changes"] if c["kind"] == "user"}
    assert users["user-demo-maintenance"]["role"] == "specialist"
    response = client.post(f"{ADMIN}/users/user-demo-supervisor/deactivate", headers=supervisor)
    assert _code(response) == (403, "admin.self")


def test_a_new_user_needs_an_existing_property_a_free_name_and_a_long_password(client, supervisor):
    def create(**fields):
        body = {"username": "sun", "name": "Sun Li", "role": "specialist", "property_id": "demo"}
        body["password"] = "long enough password"
        return client.post(f"{ADMIN}/users", json=body | fields, headers=supervisor)

    assert _code(create(password="123456789")) == (422, "auth.password_too_short")
    assert _code(create(role="boss")) == (422, "admin.invalid_role")
    assert _code(create(property_id=None)) == (422, "admin.property_required")
    assert _code(create(username="demo-specialist")) == (409, "admin.username_taken")
    created = create()
    assert created.status_code == 201 and created.json()["active"] is True
    assert client.post("/api/v1/auth/login", json=_login_body("sun", "long enough password")).status_code == 200


def test_the_audit_log_shows_who_changed_what_to_the_properties_supervisor(client, supervisor):
    client.post(f"{ADMIN}/users/user-demo-maintenance/deactivate", headers=supervisor)
    admin = bearer(login(client, "demo-admin"))
    client.patch(f"{ADMIN}/places/other-b1-u101", json={"owner_name": "Ms. Qian"}, headers=admin)
    entries = client.get(f"{ADMIN}/audit", headers=supervisor).json()
    assert {e["property_id"] for e in entries} == {"demo"}  # never the other property's
    latest = entries[0]
    assert (latest["action"], latest["actor_name"], latest["entity_id"]) == (
        "user.deactivate",
        "Zhang Min",
        "user-demo-maintenance",
    )
    assert latest["before"]["active"] is True and latest["after"]["active"] is False
    assert latest["at"].startswith("2026-11-23T01:30")
    other = client.get(f"{ADMIN}/audit", params={"property_id": "other"}, headers=supervisor)
    assert _code(other) == (404, "admin.not_found")
    everything = client.get(f"{ADMIN}/audit", headers=admin).json()
    assert {"demo", "other"} <= {e["property_id"] for e in everything}
    assert everything[0]["entity_id"] == "other-b1-u101" and everything[0]["after"]["owner_name"] == "Ms. Qian"
    page = client.get(f"{ADMIN}/audit", params={"before_id": everything[0]["id"], "limit": 1}, headers=admin).json()
    assert [e["id"] for e in page] == [everything[1]["id"]]
    specialist = bearer(login(client, "demo-specialist"))
    assert _code(client.get(f"{ADMIN}/audit", headers=specialist)) == (403, "auth.forbidden")
