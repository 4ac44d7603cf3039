"""The server's rule for a phone's clock: measure its offset at each push, correct its records by it, flag it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared import rules

RECEIVED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("phone_ahead", "offset"),
    [
        (None, timedelta(0)),  # an older app does not say its clock: believed as before
        (timedelta(seconds=40), timedelta(0)),  # as much as the network may take: believed
        (timedelta(days=3), -timedelta(days=3)),
        (-timedelta(hours=2), timedelta(hours=2)),
        (timedelta(days=500), timedelta(0)),  # nonsense: each record is judged by the bounds alone
    ],
)
def test_the_offset_is_what_the_phone_clock_is_behind_the_servers(phone_ahead, offset):
    sent_at = None if phone_ahead is None else RECEIVED + phone_ahead
    assert rules.clock_offset(sent_at, RECEIVED) == offset


def test_a_fast_or_slow_phones_records_are_put_on_the_servers_clock_and_flagged():
    happened = RECEIVED - timedelta(hours=1)
    fast = rules.clock_offset(RECEIVED + timedelta(days=3), RECEIVED)
    assert rules.effective_time(happened + timedelta(days=3), RECEIVED, fast) == (happened, "clock.fast")
    slow = rules.clock_offset(RECEIVED - timedelta(hours=2), RECEIVED)
    assert rules.effective_time(happened - timedelta(hours=2), RECEIVED, slow) == (happened, "clock.slow")
    small = rules.clock_offset(RECEIVED - timedelta(minutes=3), RECEIVED)
    assert rules.effective_time(happened - timedelta(minutes=3), RECEIVED, small) == (happened, None)


def test_a_corrected_time_still_in_the_future_falls_back_to_the_receive_time():
    offset = rules.clock_offset(RECEIVED - timedelta(hours=2), RECEIVED)  # the phone is 2 hours slow...
    recorded = RECEIVED - timedelta(minutes=30)  # ...but this record claims a time it had not reached
    assert rules.effective_time(recorded, RECEIVED, offset) == (RECEIVED, "clock.future")
