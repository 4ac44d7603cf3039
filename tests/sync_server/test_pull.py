"""Pulling changes: reference data first, then paging by a server cursor, each entity at its latest state."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sync_server.app import create_app
from sync_server.db import feed, open_db, transaction
from sync_server.settings import CHEAP_ARGON2, Settings
from tests.conftest import bearer, login, prepare_data_dir
from tests.sync_server.helpers import defect, push_body

PULL = "/api/v1/sync/pull"


def pull_all(client, token, limit=None, since=""):
    pages, cursor = [], since
    while True:
        query = f"since={cursor}" + (f"&limit={limit}" if limit else "")
        body = client.get(f"{PULL}?{query}", headers=bearer(token)).json()
        pages.append(body["changes"])
        cursor = body["cursor"]
        if not body["has_more"]:
            return pages, cursor


def test_first_pull_brings_the_propertys_reference_data(client):
    token = login(client, "demo-specialist")
    changes = client.get(PULL, headers=bearer(token)).json()["changes"]
    kinds = {c["kind"] for c in changes}
    assert kinds == {"property", "place", "route", "checkpoint", "permit", "user"}
    by_id = {c["id"]: c for c in changes}
    assert by_id["demo"]["data"]["tz"] == "Asia/Shanghai"
    assert by_id["demo-b1-u101"]["data"]["parent_id"] == "demo-b1-f1"
    assert by_id["demo-r1-cp1"]["data"]["scan_code"].startswith("CP-")
    assert by_id["demo-r1"]["data"]["assigned_to"] == "user-demo-specialist"
    assert sum(c["kind"] == "permit" for c in changes) == 3
    assert "password_hash" not in str(by_id["user-demo-specialist"]["data"])
    assert not any(c["id"].startswith("other") for c in changes)


def test_paging_returns_everything_once_in_order(client):
    token = login(client, "demo-specialist")
    everything = client.get(f"{PULL}?limit=1000", headers=bearer(token)).json()["changes"]
    pages, _ = pull_all(client, token, limit=7)
    assert all(len(page) <= 7 for page in pages) and len(pages) > 5
    flat = [c for page in pages for c in page]
    assert flat == everything
    assert [c["seq"] for c in flat] == sorted(c["seq"] for c in flat)


def test_the_cursor_brings_only_what_is_new(client):
    token = login(client, "demo-specialist")
    _, cursor = pull_all(client, token)
    empty = client.get(f"{PULL}?since={cursor}", headers=bearer(token)).json()
    assert (empty["changes"], empty["cursor"], empty["has_more"]) == ([], cursor, False)
    assert empty["server_time"] == "2026-11-23T01:30:00+00:00"  # the server's clock, not the phone's
    record = defect(1)
    client.post("/api/v1/sync/push", json=push_body("demo-specialist-phone", [record]), headers=bearer(token))
    new = client.get(f"{PULL}?since={cursor}", headers=bearer(token)).json()
    assert [(c["kind"], c["id"]) for c in new["changes"]] == [
        ("record", record["id"]),
        ("work_order", f"wo-{record['id']}"),  # the defect became a repair order its reporter follows
    ]
    assert int(new["cursor"]) > int(cursor)


def test_a_changed_entity_comes_once_at_its_latest_state(client, server_db):
    token = login(client, "demo-specialist")
    _, cursor = pull_all(client, token)
    with transaction(server_db):
        for n in range(3):
            data = {"id": "demo-permit1", "status": "active", "passes_registered": n}
            feed.publish(server_db, scopes=["property:demo"], kind="permit", entity_id="demo-permit1", data=data)
    changes = client.get(f"{PULL}?since={cursor}", headers=bearer(token)).json()["changes"]
    assert [(c["id"], c["data"]["passes_registered"]) for c in changes] == [("demo-permit1", 2)]


def test_deletions_travel_as_tombstones(client, server_db):
    token = login(client, "demo-specialist")
    _, cursor = pull_all(client, token)
    with transaction(server_db):
        feed.publish(server_db, kind="permit", entity_id="demo-permit2", data=None, gone=["property:demo"])
    changes = client.get(f"{PULL}?since={cursor}", headers=bearer(token)).json()["changes"]
    assert [(c["id"], c["deleted"]) for c in changes] == [("demo-permit2", True)]


def test_limit_is_capped_by_the_server(tmp_path, new_database_url):
    settings = Settings(data_dir=tmp_path, argon2=CHEAP_ARGON2, pull_max_limit=30, database_url=new_database_url())
    prepare_data_dir(settings, other_property=False)
    db = open_db(settings.db_url)
    with transaction(db):
        for n in range(40):
            feed.publish(db, scopes=["property:demo"], kind="place", entity_id=f"x{n}", data={})
    with TestClient(create_app(settings)) as client:
        token = login(client, "demo-specialist")
        body = client.get(f"{PULL}?limit=5000", headers=bearer(token)).json()
        assert len(body["changes"]) == 30 and body["has_more"] is True
        assert len(client.get(f"{PULL}?limit=3", headers=bearer(token)).json()["changes"]) == 3
    db.close()


def test_a_role_scope_reaches_only_that_role(client, server_db):
    with transaction(server_db):
        feed.publish(
            server_db, scopes=[feed.role_scope("demo", "supervisor")], kind="work_order", entity_id="wo1", data={}
        )
    sees = {
        who: any(c["id"] == "wo1" for c in client.get(PULL, headers=bearer(login(client, who))).json()["changes"])
        for who in ("demo-supervisor", "demo-specialist", "other-supervisor")
    }
    assert sees == {"demo-supervisor": True, "demo-specialist": False, "other-supervisor": False}
