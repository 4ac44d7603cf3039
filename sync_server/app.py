"""The FastAPI application: settings, database per request, routers and the error mapping."""

from __future__ import annotations

from fastapi import FastAPI

from sync_server import __version__, errors
from sync_server.db import migrate, open_db
from sync_server.deps import get_db, get_settings
from sync_server.routes import auth, devices, health, photos, review, sync
from sync_server.settings import Settings

__all__ = ["create_app", "get_db", "get_settings"]

# Each area's router; add yours here with its import above.
ROUTERS = [health.router, auth.router, devices.router, sync.router, photos.router, review.router]


def create_app(settings: Settings) -> FastAPI:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = open_db(settings.db_path)
    try:
        migrate(db)
    finally:
        db.close()
    app = FastAPI(
        title="Patrol sync server",
        version=__version__,
        description="Receives field records from phones, reconciles them into work orders, serves changes back.",
    )
    app.state.settings = settings
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    return app
