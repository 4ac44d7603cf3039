"""Photos nobody took up: files left half-written, and photos no record names after a grace period.

A phone sends its records first and their photos after, so a photo no record names is a leftover
(its record was refused) or abuse (uploads used as free storage). Each user may hold a bounded
amount of such photos (``Settings.unreferenced_photo_quota``, checked at upload); they are removed
once ``Settings.unreferenced_photo_grace`` has passed, by the server's periodic tick and at start.
"""

from __future__ import annotations

import logging

from shared.errors import LimitProblem
from sync_server.db import Database, transaction
from sync_server.db import photos as photo_db
from sync_server.photo_store import photo_key, photo_store, thumb_key
from sync_server.settings import Settings

log = logging.getLogger(__name__)
# Swept at start: older than this, no upload is still writing it (another worker may be writing a fresh one;
# one write takes well under a second). Failed uploads remove their own; these are left by a crash.
STALE_PART_SECONDS = 600


def remove_stale_parts(settings: Settings, *, older_than: float = STALE_PART_SECONDS) -> int:
    """Delete what interrupted writes left behind (a local store's temporary files); return how many."""
    removed = photo_store(settings).remove_unfinished(older_than)
    if removed:
        log.info("removed %d unfinished photo uploads", removed)
    return removed


def sweep(db: Database, settings: Settings) -> list[str]:
    """Remove photos no record names, uploaded longer than the grace period ago; return the hashes removed."""
    before = (settings.now() - settings.unreferenced_photo_grace).isoformat()
    store = photo_store(settings)
    with transaction(db):
        gone = photo_db.remove_unreferenced(db, uploaded_before=before)
        for sha256 in gone:  # inside the transaction: an upload of the same photo waits, then stores it again
            store.delete(photo_key(sha256))  # the photo first: where it is, its thumbnail must be too
            store.delete(thumb_key(sha256))
    if gone:
        log.info("removed %d photos no record names", len(gone))
    return gone


def check_quota(db: Database, settings: Settings, *, user: dict[str, str], sha256: str, size: int) -> None:
    """Refuse a photo no record names yet when its sender already holds their quota of such photos."""
    if photo_db.is_referenced(db, property_id=user["property_id"], sha256=sha256):
        return
    held = photo_db.unreferenced_bytes(db, property_id=user["property_id"], user_id=user["id"])
    quota = settings.unreferenced_photo_quota
    if held + size > quota:
        raise LimitProblem(
            "photo.quota_exceeded",
            "This photo belongs to no record the server has, and you have sent many such photos already. "
            "Sync your records first; photos no record names are removed after a while.",
            {"quota_bytes": quota, "held_bytes": held},
        )
