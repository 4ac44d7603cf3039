"""Restoring a backup (sync_server.backup) into a new data directory, everything checked before it appears.

The archive is unpacked into a temporary directory beside the target. Only the names the manifest lists
are accepted, as plain files of the declared size and SHA-256; then the database must pass SQLite's
integrity check and match the manifest table by table. Only then is the temporary directory renamed to
the target: a refused archive leaves the target exactly as it was and no half-written files anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from shared.errors import ValidationProblem
from sync_server import photos as pipeline
from sync_server.backup import CHUNK, DATABASE, FORMAT, FORMAT_VERSION, MANIFEST, PHOTO_MEMBER, fsync_dir
from sync_server.db import snapshot
from sync_server.photo_store import PhotoStore

MAX_MANIFEST_BYTES = 256 * 1024 * 1024  # ~150 bytes a file: room for a million photos, not for a decompression bomb
_HEX64 = re.compile(r"[0-9a-f]{64}")
# What a damaged or cut gzip/tar stream raises while being read.
_READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)
T = TypeVar("T")


def restore(archive: Path, data_dir: Path, *, store: PhotoStore | None = None) -> dict[str, Any]:
    """Restore ``archive`` into ``data_dir`` (absent or empty); return the archive's manifest.

    With ``store`` (a bucket), the photos go there, once everything is checked, instead of into ``photos/``; a
    failure part-way leaves some in the bucket, harmless since nothing there is ever overwritten.
    """
    target, archive = Path(data_dir), Path(archive)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ValidationProblem(
            "restore.target_not_empty",
            f"{target} is not empty: restore only into a new or empty directory, so that nothing is overwritten.",
        )
    if not archive.is_file():
        raise ValidationProblem("restore.no_archive", f"There is no file {archive}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.restoring-"))
    try:
        manifest = _unpack(archive, work)
        _check_database(work, manifest)
        if store is not None:
            _put_photos(work, manifest, store)
        if target.exists():
            target.rmdir()  # empty (checked above); rename() cannot replace a directory everywhere
        os.rename(work, target)
        fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _put_photos(work: Path, manifest: dict[str, Any], store: PhotoStore) -> None:
    for entry in manifest["photos"]:
        path = work / entry["path"]
        store.put_if_absent(path.relative_to(work / "photos").as_posix(), path.read_bytes())
    shutil.rmtree(work / "photos", ignore_errors=True)


def _damaged(message: str, **detail: Any) -> ValidationProblem:
    return ValidationProblem("restore.damaged", f"The archive is damaged: {message}. Nothing was restored.", detail)


def _reading(step: Callable[[], T]) -> T:
    try:
        return step()
    except _READ_ERRORS as exc:
        raise _damaged(f"it cannot be read to the end ({exc or type(exc).__name__}); it may be truncated") from None


def _unpack(archive: Path, work: Path) -> dict[str, Any]:
    try:
        tar = tarfile.open(archive, mode="r:gz")
    except _READ_ERRORS:
        raise ValidationProblem(
            "restore.not_an_archive",
            f"{archive} is not a .tar.gz archive made by `python -m sync_server backup` (or is damaged from its "
            "first bytes). Nothing was restored.",
        ) from None
    with tar:
        first = _reading(tar.next)
        if first is None or first.name != MANIFEST or not first.isreg() or first.size > MAX_MANIFEST_BYTES:
            raise ValidationProblem(
                "restore.not_a_backup",
                f"{archive} does not start with a {MANIFEST}: it is not a backup made by "
                "`python -m sync_server backup`. Nothing was restored.",
            )
        source = _reading(lambda: tar.extractfile(first))
        assert source is not None  # a regular file always has a reader
        manifest = check_manifest(_reading(source.read))
        expected = {entry["path"]: entry for entry in [manifest["database"], *manifest["photos"]]}
        seen: set[str] = set()
        while (member := _reading(tar.next)) is not None:
            entry = expected.get(member.name)
            if entry is None or member.name in seen or not member.isreg():
                raise ValidationProblem(
                    "restore.unexpected_member",
                    f"The archive holds {member.name!r}, which its manifest does not list as a file "
                    "(or holds it twice, or not as a plain file). Nothing was restored.",
                    {"member": member.name},
                )
            if member.size != entry["size"]:
                raise _damaged(f"{member.name} has {member.size} bytes, the manifest says {entry['size']}")
            if _copy(tar, member, work / member.name) != entry["sha256"]:
                raise _damaged(f"{member.name} does not match its SHA-256 in the manifest", member=member.name)
            seen.add(member.name)
        _reading(lambda: _drain(tar))  # reads the gzip trailer: its CRC covers the whole stream
    missing = sorted(set(expected) - seen)
    if missing:
        raise ValidationProblem(
            "restore.incomplete",
            f"{len(missing)} files the manifest lists are not in the archive (first: {missing[0]}): "
            "it is truncated or incomplete. Nothing was restored.",
            {"missing": missing[:50]},
        )
    return manifest


def _copy(tar: tarfile.TarFile, member: tarfile.TarInfo, path: Path) -> str:
    """Write a member's bytes to ``path`` (a name the manifest check allowed); return their SHA-256."""
    source = _reading(lambda: tar.extractfile(member))
    assert source is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with path.open("xb") as out:
        while chunk := _reading(lambda: source.read(CHUNK)):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _drain(tar: tarfile.TarFile) -> None:
    stream = tar.fileobj
    assert stream is not None
    while stream.read(CHUNK):
        pass


def check_manifest(data: bytes) -> dict[str, Any]:
    """The parsed manifest, or ``restore.manifest_invalid`` saying what is wrong with it."""
    try:
        manifest = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _invalid(f"it is not JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _invalid(f"its format is not {FORMAT!r}")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise _invalid(f"format version {version!r}; this server ({FORMAT_VERSION}) restores only its own")
    if not isinstance(manifest.get("created_at"), str) or not isinstance(manifest.get("server_version"), str):
        raise _invalid("created_at or server_version is missing")
    database = manifest.get("database")
    if not isinstance(database, dict) or not _is_file_entry(database) or database["path"] != DATABASE:
        raise _invalid(f"the database entry must name {DATABASE} with its sha256 and size")
    photos = manifest.get("photos")
    if not isinstance(photos, list) or not all(_is_file_entry(e) and _is_photo_path(e["path"]) for e in photos):
        raise _invalid("every photo entry needs a path photos/xx/<sha256>[.thumb].jpg, a sha256 and a size")
    if len({e["path"] for e in photos}) != len(photos):
        raise _invalid("a photo is listed twice")
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not all(
        isinstance(t, dict) and _is_count(t.get("rows")) and _is_hex(t.get("sha256")) for t in tables.values()
    ):
        raise _invalid("every table needs its rows and sha256")
    return manifest


def _invalid(reason: str) -> ValidationProblem:
    return ValidationProblem(
        "restore.manifest_invalid", f"The archive's {MANIFEST} is not valid: {reason}. Nothing was restored."
    )


def _is_file_entry(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("path"), str)
        and _is_hex(entry.get("sha256"))
        and _is_count(entry.get("size"))
    )


def _is_photo_path(path: str) -> bool:
    match = PHOTO_MEMBER.fullmatch(path)
    return match is not None and match["sha"][:2] == match["prefix"]


def _is_hex(value: Any) -> bool:
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_database(work: Path, manifest: dict[str, Any]) -> None:
    database = work / DATABASE
    problems = snapshot.integrity_problems(database)
    if problems:
        raise ValidationProblem(
            "restore.database_damaged",
            "The archive's database fails SQLite's integrity check: "
            + "; ".join(problems[:3])
            + ". Nothing was restored.",
            {"problems": problems[:20]},
        )
    tables = snapshot.table_digests(database)
    differ = sorted(
        name for name in set(tables) | set(manifest["tables"]) if tables.get(name) != manifest["tables"].get(name)
    )
    if differ:
        raise _damaged(f"the database's tables {', '.join(differ)} differ from the manifest", tables=differ)
    listed = {entry["path"] for entry in manifest["photos"]}
    for sha256 in snapshot.photo_hashes(database):
        for path in (pipeline.photo_path(work / "photos", sha256), pipeline.thumb_path(work / "photos", sha256)):
            if path.relative_to(work).as_posix() not in listed:
                raise ValidationProblem(
                    "restore.incomplete",
                    f"The database lists photo {sha256} but the archive does not hold "
                    f"{path.relative_to(work).as_posix()}. Nothing was restored.",
                )
