"""What phones learn of their property: its name, time zone, working hours and the deadline rules it sets."""

from __future__ import annotations

from typing import Any

from sync_server.db import Database, admin, feed, reference, work_orders
from sync_server.settings import Settings


def publish_property(db: Database, *, property_id: str, settings: Settings) -> dict[str, Any]:
    """Publish the property with its rules, so phones show deadlines from them and never from constants."""
    row = reference.get_property(db, property_id=property_id)
    assert row is not None, property_id
    hours = work_orders.rectification_hours(db, property_id=property_id, default=settings.rectification_hours)
    data = {**admin.decode(row), "rectification_hours": hours}
    feed.publish(db, kind="property", entity_id=property_id, data=data, scopes=[feed.property_scope(property_id)])
    return data
