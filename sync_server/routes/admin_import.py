"""Bulk import and export of a property's setup (XLSX workbook or one CSV per kind), for supervisors and admins.

The import runs every row through the administration service layer in one transaction: a dry run reports
every problem and writes nothing; a real import writes all rows or, with any problem, nothing (422).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from shared.errors import ValidationProblem
from shared.i18n import Translator, normalize_locale
from sync_server import errors, exporter
from sync_server.admin.common import Actor, must_exist
from sync_server.db import Database
from sync_server.deps import AppSettings, Db
from sync_server.errors import SafeJSONResponse
from sync_server.importer import read
from sync_server.importer.apply import run_import
from sync_server.importer.problems import Issue
from sync_server.routes.admin_models import PROBLEMS, CurrentActor
from sync_server.routes.auth import Problem
from sync_server.settings import Settings

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=PROBLEMS)
errors.STATUS_BY_CODE.update(
    {"import.empty_file": 400, "import.not_a_workbook": 400, "import.not_csv": 400, "import.unknown_kind": 400}
)
Kind = Literal["property", "users", "places", "areas", "units", "routes", "checkpoints", "permits"]
IMPORT_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "import.empty_file, import.not_a_workbook, import.not_csv, ..."},
    413: {"model": Problem, "description": "import.too_large, import.too_many_rows"},
    422: {"model": Problem, "description": "import.has_problems (detail.problems lists them), import.no_known_sheets"},
}


def _translator(accept_language: str | None) -> Translator:
    first = (accept_language or "").split(",")[0].split(";")[0].strip()
    return Translator(normalize_locale(first))


@router.post(
    "/properties/{property_id}/import",
    responses=IMPORT_PROBLEMS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                exporter.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def import_setup(
    property_id: str,
    request: Request,
    actor: CurrentActor,
    db: Db,
    settings: AppSettings,
    dry_run: Annotated[bool, Query(description="check only: list every problem, write nothing")] = True,
    kind: Annotated[Kind | None, Query(description="what a CSV holds (required for CSV)")] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Import a workbook (one sheet per kind) or a CSV of one kind; problems come in the reader's language."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        read.check_size(int(declared))  # refuse before reading a huge body
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        read.check_size(len(data))
    translator = _translator(accept_language)
    # reading and hashing the users' passwords take a while: off the event loop
    return await run_in_threadpool(
        _import,
        bytes(data),
        request.headers.get("content-type", ""),
        kind,
        property_id,
        actor,
        db,
        settings,
        dry_run,
        translator,
    )


def _import(
    body: bytes,
    content_type: str,
    kind: str | None,
    property_id: str,
    actor: Actor,
    db: Database,
    settings: Settings,
    dry_run: bool,
    translator: Translator,
) -> JSONResponse:
    issues: list[Issue] = []
    if "csv" in content_type or (kind and not body.startswith(read.XLSX_MAGIC)):
        if kind is None:
            raise ValidationProblem("import.unknown_kind", "Say which kind the CSV holds (kind=places, ...).")
        tables = [read.read_csv(body, kind, issues)]
    else:
        tables = [t for t in read.read_workbook(body, issues) if kind is None or t.sheet.kind == kind]
    outcome = run_import(db, settings, actor, property_id=property_id, tables=tables, issues=issues, dry_run=dry_run)
    problems = [i.as_dict(translator) for i in outcome.problems]
    if problems and not dry_run:
        return SafeJSONResponse(
            {
                "code": "import.has_problems",
                "message": translator.t("import.has_problems", count=len(problems)),
                "detail": {"problems": problems, "counts": outcome.counts},
            },
            status_code=422,
        )
    answer: dict[str, Any] = {"dry_run": dry_run, "ok": outcome.ok, "counts": outcome.counts, "problems": problems}
    if not dry_run:
        answer["users"] = outcome.users
    return SafeJSONResponse(answer)


@router.get(
    "/properties/{property_id}/export",
    response_class=Response,
    responses={200: {"content": {exporter.XLSX_TYPE: {}, "text/csv": {}}, "description": "the setup"}},
)
def export_setup(
    property_id: str,
    actor: CurrentActor,
    db: Db,
    settings: AppSettings,
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
    kind: Annotated[Kind | None, Query(description="the kind, for format=csv")] = None,
    headers: Annotated[Literal["en", "zh"], Query(description="English or Chinese sheet names and headers")] = "en",
) -> Response:
    """The property's setup in the shapes the import reads (round trip without loss)."""
    must_exist(db, actor, kind="property", id=property_id)
    chinese = headers == "zh"
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", property_id)
    if format == "csv":
        if kind is None or kind in ("areas", "units"):
            raise ValidationProblem("request.invalid", "Choose the kind to export as CSV.", {"field": "kind"})
        rows = exporter.rows_of(db, settings, property_id=property_id, kind=kind)
        return Response(
            exporter.csv_of(kind, rows, chinese=chinese),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{safe}-{kind}.csv"'},
        )
    data = exporter.export(db, settings, property_id=property_id)
    return Response(
        exporter.workbook(data, chinese=chinese),
        media_type=exporter.XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{safe}-setup.xlsx"'},
    )


__all__ = ["router"]
