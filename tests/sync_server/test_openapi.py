"""/openapi.json describes every endpoint with its bodies and error shapes."""

from __future__ import annotations


def test_openapi_documents_the_endpoints(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    expected = {
        ("/api/v1/health", "get"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/devices", "get"),
        ("/api/v1/devices/{device_id}/revoke", "post"),
        ("/api/v1/sync/push", "post"),
        ("/api/v1/sync/pull", "get"),
    }
    assert {(p, m) for p in paths for m in paths[p]} >= expected
    push = paths["/api/v1/sync/push"]["post"]
    record = push["requestBody"]["content"]["application/json"]["schema"]["properties"]["records"]["items"]
    assert "defect_report" in record["properties"]["type"]["enum"]
    assert {"413", "401", "400"} <= set(push["responses"])
    pull_params = {p["name"] for p in paths["/api/v1/sync/pull"]["get"]["parameters"]}
    assert pull_params == {"since", "limit"}
    assert "LoginRequest" in spec["components"]["schemas"] and "PullResponse" in spec["components"]["schemas"]
    assert spec["components"]["schemas"]["Problem"]["required"] == ["code", "message", "detail"]
