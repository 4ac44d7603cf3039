"""Client-made record ids: UUID version 7 (time-ordered), made without the network."""

from __future__ import annotations

import os
import re
import uuid

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def uuid7(unix_ms: int, random_bytes: bytes | None = None) -> str:
    """A UUIDv7 string for the given millisecond time (RFC 9562 layout).

    The time only orders ids; nothing is ever decided from it.
    """
    rand = random_bytes if random_bytes is not None else os.urandom(10)
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (int.from_bytes(rand[:2], "big") & 0x0FFF) << 64
    value |= 0b10 << 62
    value |= int.from_bytes(rand[2:10], "big") & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def is_uuid(text: str) -> bool:
    return bool(_UUID.fullmatch(text))
