"""Reports and exports for the owner's file and the supervisor's desk: PDFs in the reader's language, XLSX and CSV."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from shared.errors import ValidationProblem
from shared.i18n import Translator, normalize_locale
from sync_server import auth, exports, figures_export, stats
from sync_server.db import reference
from sync_server.deps import AppSettings, Db
from sync_server.reports import order_record
from sync_server.reports import period as period_report
from sync_server.routes.auth import Problem
from sync_server.routes.review import _get_visible
from sync_server.routes.stats import check_period

router = APIRouter(tags=["reports"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the report"},
    401: {"model": Problem, "description": "auth.missing_token, auth.invalid_token, ..."},
    404: {"model": Problem, "description": "workorder.not_found"},
    422: {"model": Problem, "description": "request.invalid"},
}
EXPORT_PROBLEMS: dict[int | str, dict[str, Any]] = {
    200: {"content": {m: {} for m in exports.MEDIA_TYPES.values()}, "description": "the export"},
    401: PROBLEMS[401],
    403: {"model": Problem, "description": "auth.forbidden"},
    422: {"model": Problem, "description": "request.invalid, stats.bad_period (figures)"},
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


def period(first: date, last: date) -> tuple[date, date]:
    if last < first:
        raise ValidationProblem("request.invalid", "The period ends before it starts.", {"field": "to"})
    return first, last


def supervisor_only(user: dict[str, Any]) -> str:
    """Exports and period reports are the supervisor's desk: their own property's data only."""
    auth.require_supervising(user)
    if not user.get("property_id"):
        raise ValidationProblem("request.invalid", "Choose the property to report on.", {"field": "property_id"})
    return str(user["property_id"])


@router.get("/api/v1/exports/{what}.{fmt}", response_class=FileResponse, responses=EXPORT_PROBLEMS)
def export(
    what: Literal["orders", "records", "findings", "figures"],
    fmt: Literal["xlsx", "csv"],
    user: auth.CurrentUser,
    db: Db,
    settings: AppSettings,
    first: Annotated[date, Query(alias="from", description="first property day of the period")],
    last: Annotated[date, Query(alias="to", description="last property day of the period")],
    lang: Lang = None,
) -> FileResponse:
    """A period's orders (by day reported), records (by day they happened) or findings as XLSX or CSV, one row
    each, with headers in the reader's language; written to a temporary file row by row, so memory stays flat.
    ``figures`` is the period's figures themselves (what ``GET /api/v1/stats`` gives), one table per kind."""
    property_id = supervisor_only(user)
    first, last = period(first, last)
    if what == "figures":
        check_period(first, last)  # the figures walk every day of the period: as long as GET /stats allows
    tr = translator(db, settings, property_id, lang)
    handle, name = tempfile.mkstemp(suffix=f".{fmt}", prefix="export-")
    os.close(handle)
    path = Path(name)
    try:
        if what == "figures":
            figures_export.write(stats.figures_for(db, settings, property_id, first, last), fmt, path, tr)
        else:
            exports.write(db, what, fmt, path, property_id=property_id, first=first, last=last, tr=tr)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    filename = f"{what}-{first.isoformat()}-{last.isoformat()}.{fmt}"
    return FileResponse(
        path,
        media_type=exports.MEDIA_TYPES[fmt],
        filename=filename,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.get("/api/v1/reports/period.pdf", response_class=Response, responses=EXPORT_PROBLEMS)
def period_pdf(
    user: auth.CurrentUser,
    db: Db,
    settings: AppSettings,
    first: Annotated[date, Query(alias="from", description="first property day of the period")],
    last: Annotated[date, Query(alias="to", description="last property day of the period")],
    lang: Lang = None,
) -> Response:
    """The weekly or monthly report: figures, targets met or missed, the Pareto chart, causes, overdue orders."""
    property_id = supervisor_only(user)
    first, last = period(first, last)
    tr = translator(db, settings, property_id, lang)
    pdf = period_report.report(db, settings, property_id, first, last, tr)
    filename = f"report-{first.isoformat()}-{last.isoformat()}.pdf"
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )
