"""The full patrol again, against a real uvicorn process on the real clock: the same app, a real HTTP server."""

from __future__ import annotations

import httpx
import pytest

from mobile.recorder import local_now
from shared.model import RecordType
from tests.scenarios.harness import SPECIALIST, Field

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_field(live_server, tmp_path):
    server = live_server()
    the_field = Field(
        url=server.url, http=lambda: httpx.Client(timeout=30), now=local_now, clock=None, phones_dir=tmp_path / "phones"
    )
    yield the_field
    the_field.close()


def test_full_patrol_over_real_http_gives_no_skipped_checkpoint(live_field):
    specialist = live_field.phone(SPECIALIST)
    for route in ("demo-r1", "demo-r2"):
        run = specialist.walk(route)
        assert run.done_count == run.total
    report = specialist.sync()
    assert report.accepted == 2 * 2 + 7 + 4  # each round's start and finish, and every checkpoint visit

    # Finished rounds are judged at once: the supervisor need not wait for the day's end.
    assert live_field.findings("patrol.checkpoint_skipped") == []
    assert len(live_field.supervisor.records(RecordType.CHECKPOINT_VISIT.value)) == 7 + 4
    rounds = live_field.review("/api/v1/log")["entries"]
    assert {e["route_id"] for e in rounds if e["type"] == "patrol_round"} == {"demo-r1", "demo-r2"}
