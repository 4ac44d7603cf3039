"""A clock an end-to-end test can move from outside the server process: the time is read from a file.

Only used when ``PATROL_TEST_CLOCK_FILE`` names a file (the CLI warns when it does); production
servers run on the real clock.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ENV = "PATROL_TEST_CLOCK_FILE"


def file_clock(path: Path) -> Callable[[], datetime]:
    """``now()`` is the ISO time written in ``path`` (the real time while it is empty or missing)."""

    def now() -> datetime:
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            text = ""
        return datetime.fromisoformat(text) if text else datetime.now(UTC)

    return now


def settings_from_env() -> dict[str, Any]:
    """Settings keywords for a test clock, when the environment asks for one."""
    path = os.environ.get(ENV)
    if not path:
        return {}
    print(f"WARNING: the server clock is read from {path} ({ENV}); for tests only.", file=sys.stderr)
    return {"now": file_clock(Path(path))}


def set_file_clock(path: Path, at: datetime) -> None:
    """Move a file clock (written atomically, so the server never reads half a time)."""
    scratch = path.with_suffix(".tmp")
    scratch.write_text(at.isoformat())
    scratch.replace(path)
