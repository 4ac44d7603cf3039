"""Liveness: what the phone checks before it syncs."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from shared.wire import PROTOCOL_VERSION
from sync_server import __version__

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    protocol: int


@router.get("/api/v1/health", response_model=Health)
async def health() -> Health:  # on the event loop: it never waits for a worker thread behind logins or pushes
    return Health(status="ok", version=__version__, protocol=PROTOCOL_VERSION)
