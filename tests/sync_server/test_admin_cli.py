"""The administration commands: create-property, create-user's checks, deactivate-user, reset-password."""

from __future__ import annotations

import io
import sqlite3

from sync_server.__main__ import main


def _one(db_path, sql):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchone()


def _user(monkeypatch, data: str, password: str, *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    args = ["create-user", "--data-dir", data, "--username", "zhao", "--name", "Zhao Lei", *extra]
    return main([*args, "--password-stdin"])


def test_create_user_refuses_a_property_that_does_not_exist(tmp_path, monkeypatch, capsys):
    data = str(tmp_path / "d")
    assert _user(monkeypatch, data, "a long password", "--role", "specialist", "--property-id", "tower-a") == 1
    assert "no property 'tower-a'" in capsys.readouterr().err
    assert _one(tmp_path / "d" / "server.sqlite3", "SELECT COUNT(*) FROM users") == (0,)


def test_create_user_refuses_a_password_shorter_than_10_characters(tmp_path, monkeypatch, capsys):
    data = str(tmp_path / "d")
    assert main(["create-property", "--data-dir", data, "--property-id", "tower-a", "--name", "Tower A"]) == 0
    assert _user(monkeypatch, data, "123456789", "--role", "specialist", "--property-id", "tower-a") == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert _user(monkeypatch, data, "1234567890", "--role", "specialist", "--property-id", "tower-a") == 0
    assert _one(tmp_path / "d" / "server.sqlite3", "SELECT property_id FROM users") == ("tower-a",)


def test_an_administrator_may_have_no_property_others_must(tmp_path, monkeypatch, capsys):
    data = str(tmp_path / "d")
    assert _user(monkeypatch, data, "a long password", "--role", "supervisor") == 1
    assert "belongs to a property" in capsys.readouterr().err
    assert _user(monkeypatch, data, "a long password", "--role", "admin") == 0
    assert _one(tmp_path / "d" / "server.sqlite3", "SELECT role, property_id FROM users") == ("admin", "")


def test_create_property_takes_its_zone_and_refuses_a_wrong_one(tmp_path, capsys):
    data = str(tmp_path / "d")
    args = ["create-property", "--data-dir", data, "--property-id", "plaza", "--name", "Plaza"]
    assert main([*args, "--tz", "Europe/Madrid", "--rectification-hours", "48"]) == 0
    db_path = tmp_path / "d" / "server.sqlite3"
    assert _one(db_path, "SELECT name, tz FROM properties") == ("Plaza", "Europe/Madrid")
    assert _one(db_path, "SELECT rectification_hours FROM property_rules") == (48,)
    assert main([*args, "--tz", "Europe/Atlantis"]) == 1
    assert "not a time zone" in capsys.readouterr().err
    assert main(args) == 1
    assert "exists already" in capsys.readouterr().err
    assert _one(db_path, "SELECT action, actor_name FROM audit_log") == ("property.create", "command line")


def test_deactivate_user_and_reset_password_from_the_command_line(tmp_path, monkeypatch, capsys):
    data = str(tmp_path / "d")
    assert main(["load-demo", "--data-dir", data]) == 0
    assert main(["deactivate-user", "--data-dir", data, "--username", "demo-specialist"]) == 0
    assert "deactivated" in capsys.readouterr().out
    db_path = tmp_path / "d" / "server.sqlite3"
    assert _one(db_path, "SELECT deactivated_at IS NOT NULL FROM users WHERE username = 'demo-specialist'") == (1,)
    assert main(["deactivate-user", "--data-dir", data, "--username", "nobody"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("temporary pass 1\n"))
    args = ["reset-password", "--data-dir", data, "--username", "demo-maintenance", "--password-stdin"]
    assert main(args) == 0
    row = _one(db_path, "SELECT must_change_password FROM users WHERE username = 'demo-maintenance'")
    assert row == (1,)
