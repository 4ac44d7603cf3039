"""The daily digest from pulled data (works offline), and acknowledging a finding online with a note."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from mobile.admin_api import AdminApi
from mobile.state.digest import DigestState, build_digest
from mobile.state.ports import MemoryRef

NOW = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)


def ref() -> MemoryRef:
    return MemoryRef(
        {
            "work_order": [
                {"id": "late", "state": "in_progress", "due_at": "2026-11-03T09:00:00+00:00", "assignee_id": "m1"},
                {"id": "late-done", "state": "done", "due_at": "2026-11-02T09:00:00+00:00", "assignee_id": "m1"},
                {"id": "fine", "state": "dispatched", "due_at": "2026-11-05T09:00:00+00:00", "assignee_id": "m1"},
                {"id": "closed-late", "state": "closed", "due_at": "2026-11-01T09:00:00+00:00"},
                {"id": "back", "state": "rework", "due_at": "2026-11-06T09:00:00+00:00", "assignee_id": "m1"},
                {"id": "new", "state": "reported", "reported_at": "2026-11-04T08:00:00+00:00"},
            ],
            "finding": [
                {"id": "f1", "kind": "order.overdue", "day": "2026-11-03"},
                {"id": "f2", "kind": "patrol.route_missed", "day": "2026-11-04"},
                {"id": "f0", "kind": "patrol.route_missed", "day": "2026-11-01", "acked_at": "2026-11-02T01:00:00Z"},
            ],
            "user": [{"id": "m1", "role": "maintenance", "name": "Li"}, {"id": "s1", "role": "specialist"}],
        }
    )


def api(seen: list[httpx.Request], *, down: bool = False, status: int = 200) -> AdminApi:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if down:
            raise httpx.ConnectError("no network")
        if status != 200:
            return httpx.Response(status, json={"code": "finding.not_found", "message": "No such finding."})
        body = json.loads(request.content)
        fid = request.url.path.split("/")[-2]
        return httpx.Response(
            200,
            json={
                "id": fid,
                "acked_by": "sup",
                "acked_at": "2026-11-04T09:01:00+00:00",
                "ack_note": body["note"],
                "assigned_to": body.get("assignee_id"),
            },
        )

    return AdminApi(httpx.Client(transport=httpx.MockTransport(answer)), base_url="http://s", token="t", locale="en")


def test_the_digest_lists_what_needs_attention_from_pulled_data_only() -> None:
    digest = build_digest(ref(), NOW)
    assert [o["id"] for o in digest.overdue] == ["late-done", "late"]  # an overdue closed order is done with
    assert [o["id"] for o in digest.reworked] == ["back"]
    assert [o["id"] for o in digest.unassigned] == ["new"]
    assert [f["id"] for f in digest.findings] == ["f2", "f1"]  # f0 was acknowledged already
    assert digest.total == 6


def test_acknowledging_with_a_note_and_an_assignee_takes_the_finding_off_the_list() -> None:
    seen: list[httpx.Request] = []
    state = DigestState(ref=ref(), now=lambda: NOW, api=api(seen))
    assert [u["id"] for u in state.assignees()] == ["m1"]
    state.open("f1")
    assert not state.acknowledge() and state.problem is not None and state.problem.key == "digest.note_missing"
    assert seen == []
    state.note, state.assignee_id = "  Li checks the pump today  ", "m1"
    assert state.acknowledge() and state.done_id == "f1" and state.finding_id is None
    request = seen[-1]
    assert request.method == "POST" and request.url.path == "/api/v1/findings/f1/ack"
    assert json.loads(request.content) == {"note": "Li checks the pump today", "assignee_id": "m1"}
    assert [f["id"] for f in state.digest().findings] == ["f2"]


def test_offline_the_acknowledge_says_it_needs_the_network_and_changes_nothing() -> None:
    seen: list[httpx.Request] = []
    state = DigestState(ref=ref(), now=lambda: NOW, api=api(seen, down=True))
    state.open("f2")
    state.note = "seen"
    assert not state.acknowledge()
    assert state.problem is not None and state.problem.key == "digest.offline"
    assert state.finding_id == "f2" and [f["id"] for f in state.digest().findings] == ["f2", "f1"]


def test_a_refusal_keeps_the_servers_code() -> None:
    state = DigestState(ref=ref(), now=lambda: NOW, api=api([], status=404))
    state.open("gone")
    state.note = "x"
    assert not state.acknowledge() and state.problem is not None and state.problem.code == "finding.not_found"
