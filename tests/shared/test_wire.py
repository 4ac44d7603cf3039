from datetime import UTC, datetime

import pytest

from shared.errors import ValidationProblem
from shared.ids import is_uuid, uuid7
from shared.model import DefectCategory, DefectReport, RecordType, Severity
from shared.wire import content_hash, decode_record, encode_record

T = datetime(2026, 11, 23, 7, 40, tzinfo=UTC)


def defect_raw(**body_changes):
    body = DefectReport("b1-f2-u203", DefectCategory.WATER_LEAKAGE, Severity.HIGH, "Ceiling drips", ["a" * 64])
    raw = encode_record(
        id=uuid7(1_700_000_000_000), type=RecordType.DEFECT_REPORT, device_seq=1, recorded_at=T, body=body
    )
    raw["body"].update(body_changes)
    return raw


def test_uuid7_is_a_version_7_uuid_ordered_by_time():
    first, second = uuid7(1000), uuid7(2000)
    assert is_uuid(first) and first[14] == "7"
    assert first < second


def test_a_record_round_trips():
    record = decode_record(defect_raw())
    assert record.body.category is DefectCategory.WATER_LEAKAGE
    assert record.recorded_at == T
    assert record.content_hash == content_hash(defect_raw() | {"id": record.id})


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"category": "wet"}, "record.invalid_field", "body.category"),
        ({"photos": ["nothex"]}, "record.invalid_field", "body.photos[0]"),
        ({"description": "x" * 5000}, "record.too_long", "body.description"),
        ({"severity": 3}, "record.invalid_field", "body.severity"),
        ({"colour": "red"}, "record.unknown_field", "body.colour"),
        ({"description": "   "}, "record.invalid_field", "body.description"),
        ({"fixed_on_spot": "yes"}, "record.invalid_field", "body.fixed_on_spot"),
    ],
)
def test_bad_bodies_name_the_field(change, code, field):
    with pytest.raises(ValidationProblem) as caught:
        decode_record(defect_raw(**change))
    assert (caught.value.code, caught.value.detail["field"]) == (code, field)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"id": "not-a-uuid"}, "record.invalid_id"),
        ({"type": "selfie"}, "record.unknown_type"),
        ({"device_seq": 0}, "record.invalid_field"),
        ({"device_seq": True}, "record.invalid_field"),
        ({"recorded_at": "2026-11-23T07:40:00"}, "record.missing_offset"),
        ({"recorded_at": "yesterday"}, "record.invalid_field"),
        ({"extra": 1}, "record.unknown_field"),
    ],
)
def test_bad_envelopes_are_refused(change, code):
    with pytest.raises(ValidationProblem) as caught:
        decode_record(defect_raw() | change)
    assert caught.value.code == code


def test_numbers_are_read_only_from_ascii_digits() -> None:
    from shared.parse import ascii_number

    assert [ascii_number(t) for t in ("42", "²", "٣", "１", "", "4 2", "-1")] == [
        42,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
