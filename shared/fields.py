"""The field types record bodies are built from, and the constraints ``shared.parse`` reads.

Each alias below is a plain type with ``Annotated`` metadata: ``shared.parse`` finds the
``MaxLen``, ``Pattern``, ``Range`` and ``MaxItems`` markers in a body's type hints and checks
the decoded JSON against them. The record bodies themselves are in ``shared.model``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated


@dataclass(frozen=True)
class MaxLen:
    chars: int


@dataclass(frozen=True)
class Pattern:
    regex: str
    hint: str


@dataclass(frozen=True)
class Range:
    low: int
    high: int


@dataclass(frozen=True)
class MaxItems:
    count: int


Id = Annotated[str, Pattern(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}", "an id of letters, digits, '-', '_', '.' or ':'")]
Sha256 = Annotated[str, Pattern(r"[0-9a-f]{64}", "a SHA-256 hash in 64 lowercase hex digits")]
Name = Annotated[str, MaxLen(200)]
Text = Annotated[str, MaxLen(4000)]
Count = Annotated[int, Range(0, 10_000)]
Photos = Annotated[list[Sha256], MaxItems(20)]
