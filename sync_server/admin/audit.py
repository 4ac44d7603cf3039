"""Reading the audit log: what changed, when, and who changed it."""

from __future__ import annotations

from typing import Any

from sync_server.admin.common import Actor, must_exist, require_admin_role
from sync_server.db import Database
from sync_server.db import admin as admin_db

MAX_ENTRIES = 500


def read_audit(
    db: Database,
    actor: Actor,
    *,
    property_id: str | None = None,
    entity_id: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Newest first, ``limit`` at a time (page with ``before_id``): a supervisor reads their property's entries,
    an administrator any property's or, without ``property_id``, everything."""
    require_admin_role(actor)
    if property_id is None and not actor.is_admin:
        property_id = actor.property_id or ""
    if property_id:
        must_exist(db, actor, kind="property", id=property_id)
    return admin_db.audit_entries(
        db, property_id=property_id, entity_id=entity_id, before_id=before_id, limit=max(1, min(limit, MAX_ENTRIES))
    )
