"""Bad input on every endpoint gets a 4xx with a documented code, never a 500, and writes nothing."""

from __future__ import annotations

import dataclasses
import json

import pytest
from fastapi.testclient import TestClient

from sync_server.app import create_app
from tests.conftest import bearer, login
from tests.sync_server.helpers import defect, push_body

PUSH = "/api/v1/sync/push"
LOGIN = "/api/v1/auth/login"
DEVICE = "demo-specialist-phone"


def counts(db):
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("records", "tokens", "feed", "users")}


@pytest.fixture
def token(client):
    return login(client, "demo-specialist")


@pytest.fixture
def before(server_db, token):
    return counts(server_db)


def check(response, status, code, field=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["message"]
    assert set(body) == {"code", "message", "detail"}
    if field is not None:
        assert body["detail"]["field"] == field
    return body


GOOD_LOGIN = {"username": "demo-specialist", "password": "demo", "device_id": "phone-2"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**GOOD_LOGIN, "username": 123}, "username"),
        ({**GOOD_LOGIN, "username": "x" * 10_000}, "username"),
        ({**GOOD_LOGIN, "password": ["demo"]}, "password"),
        ({**GOOD_LOGIN, "device_id": "../../etc/passwd"}, "device_id"),
        ({k: v for k, v in GOOD_LOGIN.items() if k != "device_id"}, "device_id"),
        ([GOOD_LOGIN], "body"),
    ],
)
def test_login_with_wrong_shapes_is_422(client, server_db, before, body, field):
    check(client.post(LOGIN, json=body), 422, "request.invalid", field)
    assert counts(server_db) == before


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe{}", b"[" * 100_000 + b"]" * 100_000, b""])
def test_malformed_json_is_400_on_login_and_push(client, token, server_db, before, raw):
    headers = {"Content-Type": "application/json"}
    login_response = client.post(LOGIN, content=raw, headers=headers)
    # 413 request.too_large: the 200 KB of brackets is over the login's body limit
    assert login_response.status_code in (400, 413, 422) and login_response.json()["code"].startswith("request.")
    check(client.post(PUSH, content=raw, headers={**headers, **bearer(token)}), 400, "request.malformed_json")
    assert counts(server_db) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ({"device_id": DEVICE}, "records"),
        ({"device_id": DEVICE, "records": {"a": 1}}, "records"),
        ({"device_id": 7, "records": []}, "device_id"),
        ({"device_id": DEVICE, "records": [], "extra": 1}, "extra"),
    ],
)
def test_push_with_wrong_shapes_is_422(client, token, server_db, before, body, field):
    check(client.post(PUSH, json=body, headers=bearer(token)), 422, "request.invalid", field)
    assert counts(server_db) == before


def test_unknown_protocol_version_is_400(client, token, server_db, before):
    body = {**push_body(DEVICE, [defect(1)]), "protocol": 2}
    check(client.post(PUSH, json=body, headers=bearer(token)), 400, "sync.protocol_unsupported")
    assert counts(server_db) == before


def test_too_many_records_is_413_with_the_limits(client, token, server_db, before):
    body = push_body(DEVICE, [defect(n) for n in range(1, 502)])
    problem = check(client.post(PUSH, json=body, headers=bearer(token)), 413, "sync.batch_too_large")
    assert problem["detail"] == {"max_records": 500, "max_bytes": 4 * 1024 * 1024}
    assert counts(server_db) == before


@pytest.fixture
def small_client(settings):
    with TestClient(create_app(dataclasses.replace(settings, max_request_bytes=20_000))) as test_client:
        yield test_client


def test_too_many_bytes_is_413_whether_declared_or_streamed(small_client, server_db):
    token = login(small_client, "demo-specialist")
    before = counts(server_db)
    body = push_body(DEVICE, [defect(n, description="x" * 3000) for n in range(1, 10)])
    check(small_client.post(PUSH, json=body, headers=bearer(token)), 413, "sync.batch_too_large")
    chunks = iter([b'{"device_id": "demo-specialist-phone", "records": [', b" " * 30_000, b"]}"])
    streamed = small_client.post(PUSH, content=chunks, headers={**bearer(token), "Content-Type": "application/json"})
    check(streamed, 413, "sync.batch_too_large")
    assert counts(server_db) == before


def test_push_needs_a_live_token(client, server_db, clock):
    body = push_body(DEVICE, [defect(1)])
    check(client.post(PUSH, json=body), 401, "auth.missing_token")
    check(client.post(PUSH, json=body, headers=bearer("forged")), 401, "auth.invalid_token")
    token = login(client, "demo-specialist")
    supervisor = login(client, "demo-supervisor")
    client.post(f"/api/v1/devices/{DEVICE}/revoke", headers=bearer(supervisor))
    check(client.post(PUSH, json=body, headers=bearer(token)), 401, "auth.token_revoked")
    fresh = login(client, "demo-specialist", device_id="new-phone")
    clock.advance(days=31)
    check(client.post(PUSH, json=push_body("new-phone", [defect(1)]), headers=bearer(fresh)), 401, "auth.token_expired")
    assert counts(server_db)["records"] == 0


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("since=abc", 400, "sync.invalid_cursor"),
        ("since=-1", 400, "sync.invalid_cursor"),
        ("since=1e3", 400, "sync.invalid_cursor"),
        ("since=999999", 400, "sync.invalid_cursor"),
        ("since=" + "9" * 50, 422, "request.invalid"),
        ("limit=0", 422, "request.invalid"),
        ("limit=ten", 422, "request.invalid"),
    ],
)
def test_bad_pull_queries_are_refused(client, token, query, status, code):
    check(client.get(f"/api/v1/sync/pull?{query}", headers=bearer(token)), status, code)


def test_unknown_paths_and_methods_get_the_error_shape(client, token):
    check(client.get("/api/v1/nothing"), 404, "request.not_found")
    check(client.get(PUSH, headers=bearer(token)), 405, "request.method_not_allowed")
    check(
        client.post("/api/v1/devices/" + "x" * 5000 + "/revoke", headers=bearer(login(client, "demo-admin"))),
        404,
        "device.not_found",
    )


def test_another_propertys_supervisor_sees_none_of_our_data(client, token):
    client.post(PUSH, json=push_body(DEVICE, [defect(1)]), headers=bearer(token))
    theirs = client.get("/api/v1/sync/pull", headers=bearer(login(client, "other-supervisor"))).json()["changes"]
    assert theirs and all(not c["id"].startswith("demo") and c["kind"] != "record" for c in theirs)


def test_a_lone_surrogate_rejects_only_its_own_record(client, token, server_db, before):
    good = defect(1)
    bad_text = defect(2, description="Leak \ud800 here")
    bad_key = {**defect(3), "body": {**defect(3)["body"], "\udfff": 1}}
    bad_author = defect(4, author_id="\ud800")
    bad_id = {**defect(5), "id": "\ud800"}
    records = [good, bad_text, bad_key, bad_author, bad_id]
    # sent as the JSON escape "\ud800": valid JSON that decodes to a string UTF-8 cannot hold
    raw = json.dumps(push_body(DEVICE, records)).encode("ascii")
    response = client.post(PUSH, content=raw, headers={**bearer(token), "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] + ["rejected"] * 4
    assert all(r["message"] for r in results[1:])
    assert results[1]["detail"]["field"] == "body.description"
    assert counts(server_db)["records"] == before["records"] + 1


@pytest.mark.parametrize("since", ["²", "٣", "１２", "3\n"])
def test_a_cursor_of_non_ascii_digits_is_refused(client, token, since):
    check(client.get("/api/v1/sync/pull", params={"since": since}, headers=bearer(token)), 400, "sync.invalid_cursor")


@pytest.mark.parametrize(
    ("field", "value"),
    [("place_id", "demo-b1-u101\n"), ("photos", ["a" * 64 + "\n"]), ("place_id", "demo-b1-u101\u0660")],
)
def test_ids_and_hashes_match_whole(client, token, server_db, before, field, value):
    record = defect(1)
    record["body"][field] = value
    result = client.post(PUSH, json=push_body(DEVICE, [record]), headers=bearer(token)).json()["results"][0]
    assert (result["status"], result["code"]) == ("rejected", "record.invalid_field")
    assert counts(server_db) == before
