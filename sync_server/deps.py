"""FastAPI dependencies shared by every router: the settings and a database connection per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from sync_server.db import Database, open_db
from sync_server.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Database]:
    """A connection for one request (SQLite opens fast, PostgreSQL's come from a pool; never shared by threads)."""
    db = open_db(get_settings(request).db_url)
    try:
        yield db
    finally:
        db.close()


Db = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]
