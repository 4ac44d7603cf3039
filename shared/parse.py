"""Turn decoded JSON into the dataclasses of ``shared.model``, naming exactly what is wrong.

Field types drive the parsing: str, int, bool, StrEnum, timezone-aware datetime, nested
dataclasses, ``list[...]``, ``X | None`` and the ``Annotated`` constraints of ``shared.fields``.
Unknown fields are refused so that a typo never passes silently.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from functools import cache, partial
from typing import Any, TypeVar

from shared.errors import ValidationProblem
from shared.fields import MaxItems, MaxLen, Pattern, Range

T = TypeVar("T")
_DEFAULT_MAX_CHARS = 4000


def parse(cls: type[T], data: Any, where: str = "body") -> T:
    """Build ``cls`` from JSON data, or raise ValidationProblem naming the field at fault."""
    value = _parse_dataclass(cls, data, where)
    check = getattr(value, "check", None)
    if check is not None:
        check()
    return value


def parse_time(value: Any, where: str) -> datetime:
    """An ISO 8601 timestamp with its UTC offset: a time without one cannot be placed."""
    if not isinstance(value, str) or len(value) > 40:
        raise _wrong(where, "a date and time like 2026-11-23T07:40:00+08:00", value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _wrong(where, "a date and time like 2026-11-23T07:40:00+08:00", value) from None
    if parsed.tzinfo is None:
        raise ValidationProblem(
            "record.missing_offset",
            f"{where}: the time has no UTC offset; send it like 2026-11-23T07:40:00+08:00.",
            {"field": where},
        )
    return parsed


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


Parser = Callable[[Any, str], Any]


def _parse_dataclass(cls: type[T], data: Any, where: str) -> T:
    if not isinstance(data, dict):
        raise _wrong(where, "an object", data)
    names, fields = _fields(cls)  # type: ignore[arg-type]
    if not names.issuperset(data):
        unknown = sorted(set(data) - names)
        raise ValidationProblem(
            "record.unknown_field",
            f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; check the spelling.",
            {"field": f"{where}.{unknown[0]}"},
        )
    values: dict[str, Any] = {}
    for name, required, parser in fields:
        if name not in data:
            if required:
                path = f"{where}.{name}"
                raise ValidationProblem("record.missing_field", f"{path} is required.", {"field": path})
            continue
        values[name] = parser(data[name], f"{where}.{name}")
    return cls(**values)


@cache
def _fields(cls: type) -> tuple[frozenset[str], list[tuple[str, bool, Parser]]]:
    """A dataclass's field names, and per field whether it is required and its parser (worked out once a class)."""
    hints = _hints(cls)
    fields = [
        (f.name, f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING, _parser(hints[f.name]))
        for f in dataclasses.fields(cls)
    ]
    return frozenset(f[0] for f in fields), fields


@cache
def _parser(hint: Any) -> Parser:
    """The parser of one field type, worked out once: reading the type's annotations is most of the cost."""
    constraints: tuple[Any, ...] = ()
    if typing.get_origin(hint) is typing.Annotated:
        hint, *extra = typing.get_args(hint)
        constraints = tuple(extra)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = _parser([a for a in typing.get_args(hint) if a is not type(None)][0])
        return lambda value, where: None if value is None else inner(value, where)
    if origin is list:
        limit = next((c.count for c in constraints if isinstance(c, MaxItems)), 100)
        (item_hint,) = typing.get_args(hint)
        item = _parser(item_hint)

        def parse_list(value: Any, where: str) -> list[Any]:
            if not isinstance(value, list):
                raise _wrong(where, "a list", value)
            if len(value) > limit:
                raise _too_long(where, f"at most {limit} items", {"max_items": limit})
            return [item(v, f"{where}[{i}]") for i, v in enumerate(value)]

        return parse_list
    if dataclasses.is_dataclass(hint):
        return lambda value, where: parse(hint, value, where)  # type: ignore[arg-type]
    if isinstance(hint, type) and issubclass(hint, Enum):
        return partial(_parse_enum, hint)
    if hint is datetime:
        return parse_time
    if hint is bool:
        return _parse_bool
    if hint is int:
        return partial(_parse_int, tuple(c for c in constraints if isinstance(c, Range)))
    if hint is str:
        return lambda value, where: _parse_str(value, where, constraints)
    raise TypeError(f"no parser for {hint!r}")  # a programming error, not bad input


def _parse_enum(enum: type[Enum], value: Any, where: str) -> Enum:
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise _wrong(where, f"one of: {choices}", value) from None


def _parse_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _wrong(where, "true or false", value)
    return value


def _parse_int(ranges: tuple[Range, ...], value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(where, "a whole number", value)
    for c in ranges:
        if not c.low <= value <= c.high:
            raise _wrong(where, f"a number from {c.low} to {c.high}", value)
    return value


def _parse_str(value: Any, where: str, constraints: tuple[Any, ...]) -> str:
    if not isinstance(value, str):
        raise _wrong(where, "text", value)
    limit = next((c.chars for c in constraints if isinstance(c, MaxLen)), _DEFAULT_MAX_CHARS)
    if len(value) > limit:
        raise _too_long(where, f"at most {limit} characters", {"max_chars": limit})
    for c in constraints:
        if isinstance(c, Pattern) and not re.fullmatch(c.regex, value):  # whole: "$" would let "id\n" through
            raise _wrong(where, c.hint, value)
    if "\x00" in value:
        raise _wrong(where, "text without NUL characters", "…")
    if not is_encodable(value):
        raise _wrong(where, "text without broken characters (a lone surrogate); type it again", "…")
    return value


def is_encodable(text: str) -> bool:
    """Whether text can be stored and sent as UTF-8: JSON's "\\ud800" escape decodes to a lone surrogate."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def ascii_number(text: str) -> int | None:
    """A whole number in ASCII digits, or None (``str.isdigit`` also takes "²", which int() refuses, and "٣")."""
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def _wrong(where: str, expected: str, got: Any) -> ValidationProblem:
    shown = repr(got)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return ValidationProblem(
        "record.invalid_field",
        f"{where}: expected {expected}, got {shown}.",
        {"field": where, "expected": expected},
    )


def _too_long(where: str, limit: str, detail: dict[str, Any]) -> ValidationProblem:
    return ValidationProblem("record.too_long", f"{where}: too long, {limit} allowed.", {"field": where, **detail})


def to_json(value: Any) -> Any:
    """The JSON form of a parsed dataclass (the inverse of ``parse``)."""
    if isinstance(value, _SCALARS):  # before Enum: a StrEnum is also a str
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_json(getattr(value, name)) for name in _names(type(value))}
    return value


_SCALARS = (str, int, float, bool, type(None))


@cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))
