"""Backups: one .tar.gz holding an online copy of the database, every stored photo and a manifest of hashes.

Archive members, named as in the data directory so that a restore is an extraction (sync_server.restore):

    manifest.json                     first: a restore knows every member's size and hash before reading one
    server.sqlite3                    SQLite's online backup of the live database, as of one commit
    photos/ab/<sha256>.jpg            each photo the copied database lists, and its
    photos/ab/<sha256>.thumb.jpg      thumbnail (both immutable once written: content-addressed)

The server may keep running and receiving pushes meanwhile: photos that arrive after the database was
copied are not listed in it and are left out; every photo it lists is in.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from shared.errors import PatrolError, ValidationProblem
from sync_server import __version__, photo_store
from sync_server.db import snapshot
from sync_server.photo_store import LocalStore, PhotoStore, photo_key, thumb_key
from sync_server.settings import Settings, utc_now

FORMAT = "patrol-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "server.sqlite3"  # Settings.db_path, relative to the data directory
PHOTO_MEMBER = re.compile(r"photos/(?P<prefix>[0-9a-f]{2})/(?P<sha>[0-9a-f]{64})(?:\.thumb)?\.jpg")
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    manifest: dict[str, Any]
    size: int
    seconds: float

    def line(self) -> str:
        size = f"{self.size / 1e6:.1f} MB"
        return f"Backup written to {self.path}: {counts_text(self.manifest)}, {size} in {self.seconds:.1f} s."


def counts_text(manifest: dict[str, Any]) -> str:
    """'120 records, 14 work orders, 5 users, 9 photos (18 files)', for the one-line summaries."""
    tables = manifest["tables"]
    rows = {name: tables.get(name, {}).get("rows", 0) for name in ("records", "work_orders", "photos", "users")}
    return (
        f"{rows['records']} records, {rows['work_orders']} work orders, {rows['users']} users, "
        f"{rows['photos']} photos ({len(manifest['photos'])} files)"
    )


def backup(
    data_dir: Path, out: Path, *, now: Callable[[], datetime] = utc_now, store: PhotoStore | None = None
) -> BackupSummary:
    """Write the archive to ``out`` atomically (a temporary file beside it, renamed at the end).

    Photos are read from ``store`` (default: the data directory's); a bucket's are fetched into the temporary
    directory first, since the manifest with every size and hash comes before them in the archive.
    """
    started = time.monotonic()
    database = Path(data_dir) / DATABASE
    if not database.is_file():
        raise ValidationProblem(
            "backup.no_database",
            f"There is no server database in {data_dir}: check --data-dir.",
            {"path": str(database)},
        )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as work:
        copy = Path(work) / DATABASE
        snapshot.copy_database(database, copy)
        problems = snapshot.integrity_problems(copy)
        if problems:
            raise ValidationProblem(
                "backup.database_damaged",
                "The server database fails SQLite's integrity check; it was not backed up. " + "; ".join(problems[:5]),
                {"problems": problems[:20]},
            )
        local = store if store is not None else LocalStore(Path(data_dir) / "photos")
        photo_files = _photo_files(local, snapshot.photo_hashes(copy), Path(work))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": now().isoformat(),
            "server_version": __version__,
            "database": {"path": DATABASE, **_file_digest(copy), "integrity_check": "ok"},
            "tables": snapshot.table_digests(copy),
            "photos": [{"path": member, **_file_digest(path)} for member, path in photo_files],
        }
        _write_atomic(out, manifest, [(DATABASE, copy), *photo_files])
    return BackupSummary(out, manifest, out.stat().st_size, time.monotonic() - started)


def _photo_files(store: PhotoStore, hashes: list[str], work: Path) -> list[tuple[str, Path]]:
    """(member name, file) of every photo and thumbnail the copied database lists; all must be in the store."""
    files: list[tuple[str, Path]] = []
    missing: list[str] = []
    for sha256 in hashes:
        for key in (photo_key(sha256), thumb_key(sha256)):
            member = f"photos/{key}"  # the data directory's layout: a restore is an extraction
            path = _local_copy(store, key, work / member)
            if path is None:
                missing.append(member)
            else:
                files.append((member, path))
    if missing:
        raise ValidationProblem(
            "backup.photo_missing",
            f"{len(missing)} photo files the database lists are missing from {store} (first: {missing[0]}); "
            "no backup was written. Restore them from an older backup, then back up again.",
            {"missing": missing[:50]},
        )
    return files


def _local_copy(store: PhotoStore, key: str, scratch: Path) -> Path | None:
    """A file holding the bytes of ``key``: the store's own file, or one fetched into ``scratch``."""
    if isinstance(store, LocalStore):
        path = store.root / key
        return path if path.is_file() else None
    data = store.get(key)
    if data is None:
        return None
    scratch.parent.mkdir(parents=True, exist_ok=True)
    scratch.write_bytes(data)
    return scratch


def _file_digest(path: Path) -> dict[str, Any]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


class _HashingReader:
    """Hands tarfile the bytes of a file while hashing exactly what went into the archive."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        return data


def _write_atomic(out: Path, manifest: dict[str, Any], files: list[tuple[str, Path]]) -> None:
    expected = {entry["path"]: entry for entry in [manifest["database"], *manifest["photos"]]}
    mtime = int(time.time())
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                tar.addfile(_info(MANIFEST, len(body), mtime), io.BytesIO(body))
                for member, path in files:
                    entry = expected[member]
                    with path.open("rb") as fh:
                        reader = _HashingReader(fh)
                        tar.addfile(_info(member, entry["size"], mtime), reader)
                    if reader.digest.hexdigest() != entry["sha256"]:  # immutable files: only a disk fault gets here
                        raise ValidationProblem("backup.file_changed", f"{path} changed while it was being backed up.")
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, out)
        fsync_dir(out.parent)  # the rename itself survives a power cut
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _info(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o600  # the database holds password hashes
    return info


COMMANDS = ("backup", "restore")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``backup`` and ``restore`` subcommands of ``python -m sync_server``."""
    made = commands.add_parser("backup", help="archive the database and photos (the server may keep running)")
    made.add_argument("--data-dir", type=Path, required=True)
    made.add_argument("--out", type=Path, required=True, help="the archive to write, e.g. patrol-2026-11-30.tar.gz")
    photo_store.add_arguments(made)
    back = commands.add_parser("restore", help="check a backup archive and restore it into a new data directory")
    back.add_argument("--archive", type=Path, required=True)
    back.add_argument("--data-dir", type=Path, required=True, help="a directory that does not exist yet, or is empty")
    photo_store.add_arguments(back)  # a bucket's photos go back to a bucket


def run_command(args: argparse.Namespace) -> int:
    failed = "Backup failed" if args.command == "backup" else "Restore refused"
    where = photo_store.settings_from_args(args)
    try:
        store = photo_store.photo_store(Settings(data_dir=args.data_dir, **where)) if where else None
        if args.command == "backup":
            print(backup(args.data_dir, args.out, store=store).line())
            return 0
        from sync_server.restore import restore

        manifest = restore(args.archive, args.data_dir, store=store)
    except PatrolError as problem:
        print(f"{failed} ({problem.code}): {problem.message}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk, a directory we may not write to
        print(f"{failed}: {exc}", file=sys.stderr)
        return 1
    print(
        f"Restored {args.archive} (made {manifest['created_at']} by server {manifest['server_version']}) "
        f"into {args.data_dir}: {counts_text(manifest)}."
    )
    return 0
