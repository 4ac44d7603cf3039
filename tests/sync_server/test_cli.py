"""The command line: load-demo is idempotent and create-user adds a user who can log in."""

from __future__ import annotations

import io
import sqlite3

import pytest

from sync_server.__main__ import main
from sync_server.auth import verify_password
from sync_server.settings import Argon2Params


def _count(db_path, sql):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchone()[0]


def test_load_demo_twice_creates_everything_once(tmp_path, capsys):
    data = tmp_path / "demo"
    assert main(["load-demo", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    for username in ("demo-specialist", "demo-site-supervisor", "demo-supervisor", "demo-maintenance", "demo-admin"):
        assert username in out
    assert "'demo'" in out
    # The checkpoint codes a newcomer types on the patrol screen, under their route and place.
    assert "Morning round: buildings and lobby" in out and "Lobby" in out
    assert "CP-DEMO-R1-01" in out and "CP-DEMO-R2-04" in out
    db_path = data / "server.sqlite3"
    first = [_count(db_path, f"SELECT COUNT(*) FROM {t}") for t in ("users", "places", "permits", "checkpoints")]
    seq = _count(db_path, "SELECT MAX(seq) FROM feed")
    assert main(["load-demo", "--data-dir", str(data)]) == 0
    assert [
        _count(db_path, f"SELECT COUNT(*) FROM {t}") for t in ("users", "places", "permits", "checkpoints")
    ] == first
    assert _count(db_path, "SELECT MAX(seq) FROM feed") == seq  # nothing re-published: phones pull nothing new
    assert first == [5, 24, 3, 11]
    areas = _count(db_path, "SELECT group_concat(name) FROM places WHERE kind = 'area'")
    assert {"Lobby", "Underground garage", "Periphery", "Unloading area"} == set(areas.split(","))


def test_create_user_reads_the_password_and_refuses_a_taken_username(tmp_path, monkeypatch, capsys):
    data = str(tmp_path / "d")
    assert main(["create-property", "--data-dir", data, "--property-id", "tower-a", "--name", "Tower A"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    args = ["create-user", "--data-dir", data, "--username", "zhao", "--name", "Zhao Lei", "--role", "specialist"]
    assert main([*args, "--property-id", "tower-a", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another one, long enough\n"))
    assert main([*args, "--property-id", "tower-a", "--password-stdin"]) == 1
    assert "is taken already" in capsys.readouterr().err
    db_path = tmp_path / "d" / "server.sqlite3"
    assert _count(db_path, "SELECT COUNT(*) FROM users WHERE username = 'zhao'") == 1
    stored = _count(db_path, "SELECT password_hash FROM users WHERE username = 'zhao'")
    assert verify_password(stored, "correct horse battery", Argon2Params())
    assert not verify_password(stored, "another one, long enough", Argon2Params())


def test_an_unknown_command_or_role_is_refused(tmp_path):
    with pytest.raises(SystemExit):
        main(["create-user", "--data-dir", str(tmp_path), "--username", "a", "--name", "A", "--role", "boss"])


def test_set_rules_gives_a_property_its_own_rectification_deadline(tmp_path, capsys):
    data = str(tmp_path / "d")
    assert main(["load-demo", "--data-dir", data]) == 0
    db_path = tmp_path / "d" / "server.sqlite3"
    assert _count(db_path, "SELECT COUNT(*) FROM property_rules") == 0  # the server's default, 24 h
    capsys.readouterr()
    assert main(["set-rules", "--data-dir", data, "--property-id", "demo", "--rectification-hours", "48"]) == 0
    assert "48 hours" in capsys.readouterr().out
    assert main(["set-rules", "--data-dir", data, "--property-id", "demo", "--rectification-hours", "72"]) == 0
    assert _count(db_path, "SELECT rectification_hours FROM property_rules WHERE property_id = 'demo'") == 72
    assert _count(db_path, "SELECT COUNT(*) FROM property_rules") == 1
    # the phones learn it in their next pull: the property as published carries its rules
    published = "SELECT json_extract(data, '$.rectification_hours') FROM feed_data WHERE kind = 'property'"
    assert _count(db_path, published) == 72


@pytest.mark.parametrize("hours", ["0", "721", "-5", "twelve", "1.5"])
def test_set_rules_refuses_hours_outside_1_to_720(tmp_path, capsys, hours):
    data = str(tmp_path / "d")
    with pytest.raises(SystemExit) as exit_info:
        main(["set-rules", "--data-dir", data, "--property-id", "demo", "--rectification-hours", hours])
    assert exit_info.value.code == 2
    assert "whole number of hours from 1 to 720" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()  # refused before anything was opened


def test_set_rules_refuses_an_unknown_property(tmp_path, capsys):
    data = str(tmp_path / "d")
    assert main(["load-demo", "--data-dir", data]) == 0
    assert main(["set-rules", "--data-dir", data, "--property-id", "nowhere", "--rectification-hours", "48"]) == 1
    assert "no property 'nowhere'" in capsys.readouterr().err
    assert _count(tmp_path / "d" / "server.sqlite3", "SELECT COUNT(*) FROM property_rules") == 0
