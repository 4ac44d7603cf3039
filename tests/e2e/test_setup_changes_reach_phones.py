"""Administration changes reach the phones on their next pull, over real HTTP to a live server."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from mobile.context import StoreRef
from mobile.recorder import save_record
from mobile.state.patrol import checkpoints_of, routes_for
from mobile.state.renovation import active_permits
from mobile.sync import LOGIN_REQUIRED, SyncClient
from shared.model import DefectCategory, DefectReport, RecordType, Severity
from tests.conftest import bearer, login
from tests.e2e.conftest import no_sleep

pytestmark = pytest.mark.e2e


def test_new_route_moved_checkpoint_ended_permit_and_deactivation_reach_the_phone(live_server, make_phone):
    server = live_server()
    store = make_phone(server, "demo-specialist")
    ref = StoreRef(store)
    admin = bearer(login(server.url, "demo-supervisor"))
    with httpx.Client(base_url=f"{server.url}/api/v1/admin", headers=admin, timeout=30) as http:
        route = http.post(
            "/properties/demo/routes",
            json={
                "name": "Roof round",
                "assigned_to": "user-demo-specialist",
                "checkpoints": [{"place_id": "demo-b2-f3", "scan_code": "ROOF-1"}],
            },
        ).json()
        assert http.patch("/checkpoints/demo-r1-cp1", json={"place_id": "demo-periphery"}).status_code == 200
        permit = http.get("/properties/demo/permits").json()[0]
        day = date.fromisoformat(permit["starts_on"])
        assert permit["id"] in {p["id"] for p in active_permits(ref, day)}  # on Today before it ends
        assert checkpoints_of(ref, "demo-r1")[0]["place_id"] == "demo-lobby"
        ended = http.post(f"/permits/{permit['id']}/end", json={"passes_returned": 5, "fees_settled": False})
        assert ended.json()["status"] == "ended"

        with httpx.Client(timeout=30) as phone_http:
            sync = SyncClient(phone_http, store, sleep=no_sleep)
            assert sync.run().ok
            assert route["id"] in {r["id"] for r in routes_for(ref, "user-demo-specialist")}
            assert [c["scan_code"] for c in checkpoints_of(ref, route["id"])] == ["ROOF-1"]
            assert checkpoints_of(ref, "demo-r1")[0]["place_id"] == "demo-periphery"
            assert ref.item("permit", permit["id"])["status"] == "ended"
            assert permit["id"] not in {p["id"] for p in active_permits(ref, day)}  # gone from Today

            body = DefectReport("demo-b1-u101", DefectCategory.CLEANING, Severity.LOW, "Rubbish in the stairwell")
            saved = save_record(store, type=RecordType.DEFECT_REPORT, body=body)
            assert http.post("/users/user-demo-specialist/deactivate").status_code == 200
            report = sync.run()
            assert report.status == LOGIN_REQUIRED
            assert store.last_error["code"] == "auth.user_deactivated"
            assert store.pending_counts()["records"] == 1
            assert store.get_record(saved["id"]) is not None
