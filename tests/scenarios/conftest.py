"""The scenario field: the real app in-process (Starlette's TestClient), phones on the same fake clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import FakeClock
from tests.scenarios.harness import Field

SERVER_URL = "http://testserver"  # Starlette TestClient's base address


@pytest.fixture
def field(app: FastAPI, clock: FakeClock, tmp_path: Path, tick: Callable[[], object]) -> Iterator[Field]:
    """The demo property's server (tests/conftest.py ``settings``: Shanghai, Monday 09:30) and its phones."""
    the_field = Field(
        url=SERVER_URL,
        http=lambda: TestClient(app),
        now=clock.now,
        clock=clock,
        phones_dir=tmp_path / "phones",
        tick=tick,
    )
    yield the_field
    the_field.close()
