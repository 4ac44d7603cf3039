"""Checkpoint labels as a PDF to print on sticker sheets, for supervisors (their property) and administrators."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from shared.errors import PermissionProblem, ValidationProblem
from shared.model import Role
from sync_server import auth, labels
from sync_server.deps import Db
from sync_server.routes.auth import Problem

router = APIRouter(tags=["labels"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the labels, one per checkpoint"},
    401: {"model": Problem, "description": "auth.missing_token, auth.invalid_token, ..."},
    403: {"model": Problem, "description": "auth.forbidden, admin.other_property"},
    404: {"model": Problem, "description": "property.not_found, route.not_found, labels.no_checkpoints"},
    422: {"model": Problem, "description": "request.invalid"},
}
MISSING_HEADER = "X-Missing-Characters"  # characters the label font lacks, as U+XXXX: they print as nothing


@router.get("/api/v1/labels.pdf", response_class=Response, responses=PROBLEMS)
def labels_pdf(
    user: auth.CurrentUser,
    db: Db,
    route_id: Annotated[str | None, Query(max_length=100, description="only this route's checkpoints")] = None,
    property_id: Annotated[
        str | None, Query(max_length=100, description="the property; administrators must name it")
    ] = None,
    skip: Annotated[int, Query(ge=0, le=200, description="label slots already used on the first sheet")] = 0,
) -> Response:
    """One QR label per checkpoint (code, property, route, place, checkpoint) on A4 sheets of 3 × 8 stickers."""
    auth.require_supervising(user)
    if user["role"] == Role.ADMIN.value:
        if not property_id:
            raise ValidationProblem(
                "request.invalid", "Choose the property whose labels to print.", {"field": "property_id"}
            )
    elif property_id not in (None, user["property_id"]):
        # the same answer as the administration endpoints give a supervisor naming another property
        raise PermissionProblem(
            "admin.other_property", f"You manage property {user['property_id']!r} only, not {property_id!r}."
        )
    chosen = property_id or user["property_id"]
    found = labels.labels_of(db, property_id=chosen, route_id=route_id)
    headers = {"Content-Disposition": f'inline; filename="{_filename(chosen, route_id)}"'}
    missing = labels.missing_characters(found)
    if missing:
        headers[MISSING_HEADER] = " ".join(f"U+{ord(ch):04X}" for ch in missing)
    return Response(labels.render(found, skip=skip), media_type="application/pdf", headers=headers)


def _filename(property_id: str, route_id: str | None) -> str:
    name = "-".join(part for part in ("labels", property_id, route_id) if part)
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".pdf"  # ids may hold anything a header cannot
