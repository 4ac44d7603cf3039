"""Backup and restore of a data directory: a faithful round trip, atomic writes, and the CLI's answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shared.errors import ValidationProblem
from sync_server.__main__ import main
from sync_server.app import create_app
from sync_server.backup import backup
from sync_server.db import snapshot
from sync_server.restore import restore
from sync_server.settings import Settings
from tests.conftest import login
from tests.sync_server.backup_data import members, photo, photo_defect, pull_all, push, sha256_of, upload
from tests.sync_server.helpers import record_mix

PHOTOS = 3

pytestmark = pytest.mark.sqlite_only  # the SQLite file and its online backup; PostgreSQL: pg_dump


@pytest.fixture
def loaded(settings: Settings, client: TestClient) -> Settings:
    """The demo data dir after a phone pushed 60 records and 3 defects with a photo each."""
    token = login(client, "demo-specialist")
    records = record_mix(60)
    push(client, token, "demo-specialist-phone", records)
    for n in range(PHOTOS):
        sha256, data = photo(n)
        if n % 2:  # the record first, its photo later (the server asks for it), and the other way round
            push(client, token, "demo-specialist-phone", [photo_defect(61 + n, sha256)])
            upload(client, token, sha256, data)
        else:
            upload(client, token, sha256, data)
            push(client, token, "demo-specialist-phone", [photo_defect(61 + n, sha256)])
    return settings


def photo_files(data_dir: Path) -> dict[str, str]:
    return {p.relative_to(data_dir).as_posix(): sha256_of(p) for p in (data_dir / "photos").rglob("*.jpg")}


def test_a_restored_data_dir_holds_the_same_rows_photos_and_answers_the_same_pull(loaded, client, tmp_path):
    token = login(client, "demo-specialist")
    before = pull_all(client, token)  # first: any findings refresh a pull triggers is in the backup too
    summary = backup(loaded.data_dir, tmp_path / "backup.tar.gz")
    manifest = summary.manifest
    assert manifest["tables"]["records"]["rows"] == 60 + PHOTOS
    assert manifest["tables"]["photos"]["rows"] == PHOTOS and len(manifest["photos"]) == 2 * PHOTOS
    assert {e["path"]: e["sha256"] for e in manifest["photos"]} == photo_files(loaded.data_dir)

    target = tmp_path / "restored"
    assert restore(tmp_path / "backup.tar.gz", target) == manifest
    assert sha256_of(target / "server.sqlite3") == manifest["database"]["sha256"]
    assert snapshot.table_digests(target / "server.sqlite3") == snapshot.table_digests(loaded.db_path)
    assert photo_files(target) == photo_files(loaded.data_dir)
    assert sorted(p.name for p in target.iterdir()) == ["photos", "server.sqlite3"]

    restored = Settings(data_dir=target, argon2=loaded.argon2, now=loaded.now, findings_tick_seconds=0)
    with TestClient(create_app(restored)) as again:
        assert pull_all(again, login(again, "demo-specialist")) == before
        sha256 = manifest["photos"][0]["path"].split("/")[-1].removesuffix(".jpg").removesuffix(".thumb")
        assert again.get(f"/api/v1/photos/{sha256}", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_backup_replaces_the_archive_atomically_and_leaves_no_temporary_files(loaded, tmp_path):
    out = tmp_path / "out" / "nightly.tar.gz"
    first = backup(loaded.data_dir, out)
    (loaded.data_dir / "photos").joinpath(first.manifest["photos"][0]["path"].removeprefix("photos/")).unlink()
    old = out.read_bytes()
    with pytest.raises(ValidationProblem) as refused:
        backup(loaded.data_dir, out)
    assert refused.value.code == "backup.photo_missing"
    assert out.read_bytes() == old  # the last good backup is still there, whole
    assert [p.name for p in out.parent.iterdir()] == ["nightly.tar.gz"]


def test_backup_of_a_directory_without_a_database_is_refused(tmp_path):
    with pytest.raises(ValidationProblem) as refused:
        backup(tmp_path / "nothing", tmp_path / "b.tar.gz")
    assert refused.value.code == "backup.no_database"
    assert list(tmp_path.iterdir()) == []


def test_cli_backup_prints_one_line_and_restore_refuses_a_non_empty_target(loaded, tmp_path, capsys):
    archive = tmp_path / "b.tar.gz"
    assert main(["backup", "--data-dir", str(loaded.data_dir), "--out", str(archive)]) == 0
    out = capsys.readouterr().out.strip()
    assert out.count("\n") == 0 and "63 records" in out and f"{PHOTOS} photos ({2 * PHOTOS} files)" in out
    assert str(archive) in out and " MB " in out

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("keep me")
    assert main(["restore", "--archive", str(archive), "--data-dir", str(occupied)]) == 1
    assert "restore.target_not_empty" in capsys.readouterr().err
    assert [p.name for p in occupied.iterdir()] == ["notes.txt"] and (occupied / "notes.txt").read_text() == "keep me"

    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["restore", "--archive", str(archive), "--data-dir", str(empty)]) == 0
    assert "63 records" in capsys.readouterr().out
    assert (
        sha256_of(empty / "server.sqlite3") == json.loads(dict(members(archive))["manifest.json"])["database"]["sha256"]
    )


def test_cli_restore_of_a_damaged_archive_exits_non_zero_with_a_clear_message(tmp_path, capsys):
    bogus = tmp_path / "b.tar.gz"
    bogus.write_text("this is a shopping list, not a backup")
    assert main(["restore", "--archive", str(bogus), "--data-dir", str(tmp_path / "new")]) == 1
    err = capsys.readouterr().err
    assert "Restore refused (restore.not_an_archive)" in err and "Nothing was restored" in err
    assert not (tmp_path / "new").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.tar.gz"]
