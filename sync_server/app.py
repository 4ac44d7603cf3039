"""The FastAPI application: settings, database per request, routers and the error mapping."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from sync_server import __version__, docs, errors, photo_sweep, schedule
from sync_server.auth import LoginGuard
from sync_server.db import leases, migrate, open_db
from sync_server.deps import get_db, get_settings
from sync_server.hashing import HashPool
from sync_server.limits import RequestLimits
from sync_server.routes import (
    admin,
    admin_import,
    admin_users,
    auth,
    devices,
    health,
    labels,
    photos,
    reports,
    review,
    stats,
    sync,
)
from sync_server.settings import Settings

__all__ = ["create_app", "get_db", "get_settings"]

# Each area's router; add yours here with its import above.
ROUTERS = [
    health.router,
    auth.router,
    devices.router,
    sync.router,
    photos.router,
    review.router,
    admin.router,
    admin_users.router,
    labels.router,
    reports.router,
    admin_import.router,
    stats.router,
]
log = logging.getLogger(__name__)


def refresh_all(settings: Settings) -> None:
    """One tick of the findings clock, on its own connection; photos nobody took up are swept with it.

    With several workers, the one holding the tick's lease ticks; another takes over when it stops renewing."""
    db = open_db(settings.db_url)
    try:
        hold = max(30.0, 3 * settings.findings_tick_seconds)
        if leases.take(db, name="findings_tick", holder=leases.holder(), now=time.time(), seconds=hold):
            schedule.tick(db, settings)
            photo_sweep.sweep(db, settings)
    finally:
        db.close()


async def _tick_forever(settings: Settings) -> None:
    """At start, then every few seconds: cheap when no property is due (one read), once however many requests came."""
    while True:
        try:
            await run_in_threadpool(refresh_all, settings)
        except Exception:  # a locked database or a bad row: try again next tick, never stop the clock
            log.exception("the findings tick failed")
        await asyncio.sleep(settings.findings_tick_seconds)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Findings are recorded when they fall due, by a periodic tick, not only when someone looks."""
    settings: Settings = app.state.settings
    await run_in_threadpool(_sweep_at_start, settings)
    task = asyncio.create_task(_tick_forever(settings)) if settings.findings_tick_seconds > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        app.state.login_guard.pool.close()


def _sweep_at_start(settings: Settings) -> None:
    """Leftovers of a previous run: half-written upload files, and photos past their grace period."""
    try:
        photo_sweep.remove_stale_parts(settings)
        db = open_db(settings.db_url)
        try:
            photo_sweep.sweep(db, settings)
        finally:
            db.close()
    except Exception:  # a locked database (another worker writing) or a bad file: the tick tries again
        log.exception("sweeping leftovers at start failed")


def create_app(settings: Settings) -> FastAPI:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = open_db(settings.db_url)
    try:
        migrate(db)
    finally:
        db.close()
    app = FastAPI(
        title="Patrol sync server",
        version=__version__,
        description="Receives field records from phones, reconciles them into work orders, serves changes back.",
        lifespan=lifespan,
        docs_url=None,  # served by sync_server.docs from local files, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.login_guard = LoginGuard(HashPool(settings.hash_workers, settings.hash_queue))
    app.add_middleware(RequestLimits, settings=settings)
    errors.install(app)
    docs.install(app)
    for router in ROUTERS:
        app.include_router(router)
    return app
