"""Photos: which ones the server lacks, upload by hash, and serving photo and thumbnail within the property."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from shared.errors import NotFoundProblem
from shared.parse import ascii_number
from sync_server import auth, errors, photo_sweep
from sync_server import photos as pipeline
from sync_server.db import Database, transaction
from sync_server.db import photos as photo_db
from sync_server.deps import AppSettings, Db
from sync_server.photo_store import photo_key, photo_store, thumb_key
from sync_server.routes.auth import Problem
from sync_server.settings import Settings

router = APIRouter(tags=["photos"])
errors.STATUS_BY_CODE.setdefault("photo.not_an_image", 415)

MAX_QUERY_HASHES = 1000
# A photo at the pixel limit decodes to ~120 MB: a few at a time keep memory bounded whatever the thread pool does.
_DECODING = threading.BoundedSemaphore(2)
Sha256 = Annotated[str, PathParam(description="SHA-256 of the photo's bytes, lowercase hex")]
# Content-addressed: what a hash names never changes, so phones and browsers may keep it for good.
CACHE = {"Cache-Control": "private, max-age=31536000, immutable"}
_AUTH = {"model": Problem, "description": "auth.missing_token, auth.invalid_token, auth.token_expired, ..."}
UPLOAD_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: _AUTH,
    413: {
        "model": Problem,
        "description": "photo.too_large (detail.max_photo_bytes), photo.too_many_pixels (detail.max_pixels),"
        " photo.quota_exceeded (a photo no record names, beyond the sender's quota of such photos)",
    },
    415: {"model": Problem, "description": "photo.not_an_image"},
    422: {"model": Problem, "description": "photo.invalid_hash, photo.hash_mismatch, photo.unreadable"},
}
READ_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: _AUTH,
    404: {"model": Problem, "description": "photo.not_found: no such photo in your property"},
    422: {"model": Problem, "description": "photo.invalid_hash"},
}


class MissingQuery(BaseModel):
    hashes: list[str] = Field(max_length=MAX_QUERY_HASHES, description="photo hashes the phone wants to send")


class Limits(BaseModel):
    max_photo_bytes: int
    max_photo_pixels: int


class MissingAnswer(BaseModel):
    missing: list[str] = Field(description="the asked hashes the server does not have yet: send these")
    limits: Limits


class Stored(BaseModel):
    sha256: str
    created: bool = Field(description="false when the server already had this photo")
    width: int
    height: int


def limits(settings: Settings) -> Limits:
    return Limits(max_photo_bytes=settings.max_photo_bytes, max_photo_pixels=settings.max_photo_pixels)


@router.post("/api/v1/photos/missing", response_model=MissingAnswer, responses={401: _AUTH, 422: READ_PROBLEMS[422]})
def missing_photos(query: MissingQuery, user: auth.CurrentUser, db: Db, settings: AppSettings) -> MissingAnswer:
    """Of the given hashes, those the server lacks for your property; also the upload limits."""
    for sha256 in query.hashes:
        pipeline.check_hash_name(sha256)
    missing = photo_db.missing_photos(db, property_id=user["property_id"], hashes=query.hashes)
    return MissingAnswer(missing=missing, limits=limits(settings))


@router.head("/api/v1/photos/{sha256}", responses={200: {"description": "the server has it"}, 404: {}})
def photo_exists(sha256: Sha256, user: auth.CurrentUser, db: Db) -> Response:
    """200 when your property has this photo, 404 when it still has to be sent."""
    pipeline.check_hash_name(sha256)
    found = photo_db.has_photo(db, property_id=user["property_id"], sha256=sha256)
    return Response(status_code=200 if found else 404, headers=CACHE if found else None)


@router.put(
    "/api/v1/photos/{sha256}",
    response_model=Stored,
    status_code=201,
    responses={200: {"model": Stored, "description": "the server already had it"}, **UPLOAD_PROBLEMS},
    openapi_extra={
        "requestBody": {"required": True, "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
async def upload_photo(
    sha256: Sha256, request: Request, response: Response, user: auth.CurrentUser, db: Db, settings: AppSettings
) -> Stored:
    """Send a photo's raw bytes under their SHA-256. It is checked, re-encoded without metadata and kept."""
    pipeline.check_hash_name(sha256)
    existing = await run_in_threadpool(photo_db.get_photo, db, property_id=user["property_id"], sha256=sha256)
    if existing is not None:
        response.status_code = 200
        return Stored(sha256=sha256, created=False, width=existing["width"], height=existing["height"])
    data = await _read_limited(request, settings.max_photo_bytes)
    await run_in_threadpool(photo_sweep.check_quota, db, settings, user=user, sha256=sha256, size=len(data))
    stored = await run_in_threadpool(_verify_and_store, db, settings, user, sha256, data)
    response.status_code = 201 if stored.created else 200
    return stored


@router.get(
    "/api/v1/photos/{sha256}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, 304: {"description": "If-None-Match: unchanged"}, **READ_PROBLEMS},
)
def get_photo(sha256: Sha256, request: Request, user: auth.CurrentUser, db: Db, settings: AppSettings) -> Response:
    """The photo (re-encoded JPEG), for users of the property it was sent to."""
    return _serve(db, settings, user, request, sha256, photo_key)


@router.get(
    "/api/v1/photos/{sha256}/thumbnail",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, 304: {"description": "If-None-Match: unchanged"}, **READ_PROBLEMS},
)
def get_thumbnail(sha256: Sha256, request: Request, user: auth.CurrentUser, db: Db, settings: AppSettings) -> Response:
    """A small JPEG (at most 320 px) for lists."""
    return _serve(db, settings, user, request, sha256, thumb_key)


async def _read_limited(request: Request, max_bytes: int) -> bytes:
    declared = ascii_number(request.headers.get("content-length", ""))
    if declared is not None and declared > max_bytes:
        raise pipeline.too_large(declared, max_bytes)  # refuse before reading a byte of it
    chunks, size = [], 0
    async for chunk in request.stream():  # the declared length may be absent (chunked) or lie
        size += len(chunk)
        if size > max_bytes:
            raise pipeline.too_large(size, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _verify_and_store(db: Database, settings: Settings, user: dict[str, Any], sha256: str, data: bytes) -> Stored:
    with _DECODING:
        photo = pipeline.verify_photo(
            data, sha256=sha256, max_bytes=settings.max_photo_bytes, max_pixels=settings.max_photo_pixels
        )
    store = photo_store(settings)
    if not store.exists(photo_key(sha256)):  # another property may have sent the same photo
        pipeline.store_photo(store, photo)
    with transaction(db):  # the bytes are stored before the row says so
        if not store.exists(photo_key(sha256)):  # swept since we looked: store it again
            pipeline.store_photo(store, photo)
        created = photo_db.add_photo(
            db,
            property_id=user["property_id"],
            sha256=sha256,
            received_size=photo.received_size,
            stored_size=len(photo.jpeg),
            width=photo.width,
            height=photo.height,
            uploaded_by=user["id"],
            uploaded_at=settings.now().isoformat(),
        )
    return Stored(sha256=sha256, created=created, width=photo.width, height=photo.height)


def _serve(
    db: Database,
    settings: Settings,
    user: dict[str, Any],
    request: Request,
    sha256: str,
    key_of: Callable[[str], str],
) -> Response:
    key = key_of(sha256)  # checks the name first
    # Another property's photo is answered exactly like one that does not exist: hashes reveal nothing.
    allowed = photo_db.has_photo(db, property_id=user["property_id"], sha256=sha256)
    etag = f'"{key.rsplit("/", 1)[-1].removesuffix(".jpg")}"'  # what a key names never changes
    if allowed and etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={**CACHE, "ETag": etag})
    data = photo_store(settings).get(key) if allowed else None
    if data is None:
        raise NotFoundProblem(
            "photo.not_found",
            "There is no such photo in your property. It may not have been sent yet; sync the phone that took it.",
            {"sha256": sha256},
        )
    return Response(data, media_type="image/jpeg", headers={**CACHE, "ETag": etag})
