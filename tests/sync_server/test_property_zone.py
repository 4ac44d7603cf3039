"""Each property lives on its own clock: the review endpoints show times and days in the reader's property zone."""

from __future__ import annotations

from tests.conftest import bearer, login


def test_review_times_are_on_the_readers_property_clock(client, server_db, clock):
    server_db.execute("UPDATE properties SET tz = 'America/Mexico_City' WHERE id = 'other'")
    ours, theirs = login(client, "demo-supervisor"), login(client, "other-supervisor")
    for path in ("/api/v1/orders", "/api/v1/findings"):
        assert client.get(path, headers=bearer(ours)).json()["now"].endswith("+08:00")
        assert client.get(path, headers=bearer(theirs)).json()["now"].endswith("-06:00")
    # 01:30 UTC on Monday is still Sunday evening in Mexico City: "today" there is the 22nd
    assert client.get("/api/v1/log", headers=bearer(ours)).json()["day"] == "2026-11-23"
    assert client.get("/api/v1/log", headers=bearer(theirs)).json()["day"] == "2026-11-22"
