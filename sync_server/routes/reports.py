"""Reports and exports for the owner's file and the supervisor's desk: PDFs in the reader's language, XLSX and CSV."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from shared.i18n import Translator, normalize_locale
from sync_server import auth
from sync_server.db import reference
from sync_server.deps import AppSettings, Db
from sync_server.reports import order_record
from sync_server.routes.auth import Problem
from sync_server.routes.review import _get_visible

router = APIRouter(tags=["reports"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the report"},
    401: {"model": Problem, "description": "auth.missing_token, auth.invalid_token, ..."},
    404: {"model": Problem, "description": "workorder.not_found"},
    422: {"model": Problem, "description": "request.invalid"},
}
Lang = Annotated[str | None, Query(max_length=20, description="the reader's language: en, zh-Hans, zh-Hant, es")]


def translator(db: Any, settings: Any, property_id: str, lang: str | None) -> Translator:
    """The reader's language on the property's own clock."""
    zone = reference.property_tz(db, property_id=property_id, default=settings.tz)
    return Translator(normalize_locale(lang), zone)


@router.get("/api/v1/orders/{order_id}/record.pdf", response_class=Response, responses=PROBLEMS)
def order_record_pdf(
    order_id: str, user: auth.CurrentUser, db: Db, settings: AppSettings, lang: Lang = None
) -> Response:
    """The record of one work order for the owner's file: report and photos, history, return visit and signature,
    sign-off. Whoever may read the order may print it."""
    row = _get_visible(db, user, order_id)
    order = {**row["data"], "number": row["number"], "property_id": row["property_id"]}
    pdf = order_record.render(db, settings, order, translator(db, settings, row["property_id"], lang))
    headers = {"Content-Disposition": f'inline; filename="{row["number"]}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)
