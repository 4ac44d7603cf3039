"""Restore refuses every damaged, truncated, tampered or foreign archive, and then leaves no trace anywhere."""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from shared.errors import ValidationProblem
from sync_server.backup import backup
from sync_server.restore import restore
from tests.sync_server.backup_data import manifest_of, members, with_manifest, write_archive
from tests.sync_server.test_backup import loaded  # noqa: F401  (the fixture)

Entries = list[tuple[str, bytes]]
# A byte flipped or cut at an arbitrary place surfaces as whichever check meets it first.
DAMAGE = {
    "restore.damaged",
    "restore.incomplete",
    "restore.not_a_backup",
    "restore.not_an_archive",
    "restore.manifest_invalid",
}

pytestmark = pytest.mark.sqlite_only  # the SQLite file and its online backup; PostgreSQL: pg_dump


@pytest.fixture
def good(loaded, tmp_path) -> Path:  # noqa: F811
    archive = tmp_path / "made" / "good.tar.gz"
    backup(loaded.data_dir, archive)
    return archive


def refused(archive: Path, tmp_path: Path) -> str:
    """Restore ``archive`` into a new dir under ``tmp_path/restore``; it must be refused, leaving nothing."""
    parent = tmp_path / "restore"
    parent.mkdir(exist_ok=True)
    with pytest.raises(ValidationProblem) as problem:
        restore(archive, parent / "target")
    assert list(parent.iterdir()) == []  # neither the target nor a half-filled temporary directory
    assert "Nothing was restored" in problem.value.message
    return problem.value.code


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def flip_database(entries: Entries) -> Entries:
    return [(n, flip(d, len(d) // 2) if n == "server.sqlite3" else d) for n, d in entries]


def drop_photo(entries: Entries) -> Entries:
    dropped = next(n for n, _ in entries if n.endswith(".jpg") and ".thumb" not in n)
    return [(n, d) for n, d in entries if n != dropped]


def wrong_photo_hash(entries: Entries) -> Entries:
    manifest = manifest_of(entries)
    manifest["photos"][1]["sha256"] = hashlib.sha256(b"something else").hexdigest()
    return with_manifest(entries, manifest)


def wrong_row_count(entries: Entries) -> Entries:
    manifest = manifest_of(entries)
    manifest["tables"]["records"]["rows"] += 1
    return with_manifest(entries, manifest)


def traversal_member(entries: Entries) -> Entries:
    return [*entries, ("../../x", b"owned")]


def traversal_in_manifest(entries: Entries) -> Entries:
    manifest = manifest_of(entries)
    manifest["photos"].append({"path": "../../x", "sha256": hashlib.sha256(b"owned").hexdigest(), "size": 5})
    return [*with_manifest(entries, manifest), ("../../x", b"owned")]


def duplicate_member(entries: Entries) -> Entries:
    return [*entries, entries[-1]]


def manifest_not_first(entries: Entries) -> Entries:
    return [*entries[1:], entries[0]]


def newer_format(entries: Entries) -> Entries:
    manifest = manifest_of(entries)
    manifest["format_version"] = 2
    return with_manifest(entries, manifest)


def broken_database(entries: Entries) -> Entries:
    """A database that fails SQLite's integrity check, its manifest hash and size made to match."""
    manifest = manifest_of(entries)
    database = dict(entries)["server.sqlite3"]
    third = len(database) // 3
    database = database[:third] + b"\xff" * third + database[2 * third :]
    manifest["database"].update(sha256=hashlib.sha256(database).hexdigest(), size=len(database))
    return [(n, database if n == "server.sqlite3" else d) for n, d in with_manifest(entries, manifest)]


REWRITES: dict[str, tuple[Callable[[Entries], Entries], str]] = {
    "flipped byte in the database": (flip_database, "restore.damaged"),
    "missing photo": (drop_photo, "restore.incomplete"),
    "manifest hash mismatch": (wrong_photo_hash, "restore.damaged"),
    "manifest row count mismatch": (wrong_row_count, "restore.damaged"),
    "path traversal member": (traversal_member, "restore.unexpected_member"),
    "path traversal in the manifest": (traversal_in_manifest, "restore.manifest_invalid"),
    "member twice": (duplicate_member, "restore.unexpected_member"),
    "manifest not first": (manifest_not_first, "restore.not_a_backup"),
    "format from a newer server": (newer_format, "restore.manifest_invalid"),
    "database failing integrity_check": (broken_database, "restore.database_damaged"),
}


@pytest.mark.parametrize("case", REWRITES)
def test_a_tampered_archive_is_refused_and_nothing_is_written(good, tmp_path, case):
    rewrite, code = REWRITES[case]
    archive = write_archive(tmp_path / "bad.tar.gz", rewrite(members(good)))
    assert refused(archive, tmp_path) == code
    assert not (tmp_path.parent / "x").exists() and not (tmp_path / "x").exists()


def test_the_untouched_rewrite_restores_so_the_refusals_above_are_for_their_damage(good, tmp_path):
    archive = write_archive(tmp_path / "same.tar.gz", members(good))
    restore(archive, tmp_path / "fine")
    assert (tmp_path / "fine" / "server.sqlite3").is_file()


@pytest.mark.parametrize("fraction", [0.001, 0.02, 0.3, 0.6, 0.95])
def test_a_truncated_archive_is_refused(good, tmp_path, fraction):
    data = good.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: int(len(data) * fraction)])
    assert refused(cut, tmp_path) in DAMAGE


def test_an_archive_cut_inside_the_gzip_trailer_is_refused(good, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[:-4])  # every member complete; only the length/CRC trailer is gone
    assert refused(cut, tmp_path) == "restore.damaged"


@pytest.mark.parametrize("fraction", [0.001, 0.1, 0.35, 0.5, 0.75, 0.99])
def test_a_flipped_byte_anywhere_in_the_archive_file_is_refused(good, tmp_path, fraction):
    data = good.read_bytes()
    bad = tmp_path / "flipped.tar.gz"
    bad.write_bytes(flip(data, int(len(data) * fraction)))
    assert refused(bad, tmp_path) in DAMAGE


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 a zip, or so it says", b"\xff\xd8\xff\xe0 a jpeg", b"hello\n"])
def test_a_file_that_is_not_an_archive_is_refused(tmp_path, content):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(content)
    assert refused(bogus, tmp_path) == "restore.not_an_archive"


def test_a_plain_tar_of_something_else_is_not_a_backup(tmp_path):
    archive = write_archive(tmp_path / "other.tar.gz", [("notes.txt", b"hello")])
    assert refused(archive, tmp_path) == "restore.not_a_backup"


def test_a_symlink_in_place_of_a_photo_is_refused(good, tmp_path):
    entries = members(good)
    photo = next(n for n, _ in entries if n.startswith("photos/"))
    archive = tmp_path / "link.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            if name == photo:
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            else:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if name != photo else None)
    assert refused(archive, tmp_path) == "restore.unexpected_member"


def test_a_refused_restore_leaves_an_existing_empty_target_empty(good, tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    archive = write_archive(tmp_path / "bad.tar.gz", drop_photo(members(good)))
    with pytest.raises(ValidationProblem):
        restore(archive, target)
    assert target.is_dir() and list(target.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tar.gz", "empty", "made", "server"]
