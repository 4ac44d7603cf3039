"""Command line: ``python -m sync_server serve|load-demo|create-user|set-rules|labels``."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from shared.ids import uuid7
from shared.model import Role
from sync_server import clock, labels_cli
from sync_server.settings import Settings

if TYPE_CHECKING:
    import sqlite_utils


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync_server", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    demo = commands.add_parser("load-demo", help="create the demo property and users (safe to run again)")
    user = commands.add_parser("create-user", help="add a user; the password is asked for")
    user.add_argument("--username", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--property-id", default="demo")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    property_rules = commands.add_parser("set-rules", help="set a property's own deadlines")
    property_rules.add_argument("--property-id", required=True)
    property_rules.add_argument(
        "--rectification-hours",
        type=_hours,
        required=True,
        help=f"hours a renovation violation has to be put right ({RECTIFICATION_HOURS[0]}..{RECTIFICATION_HOURS[1]})",
    )
    for sub in (serve, demo, user, property_rules):
        sub.add_argument("--data-dir", type=Path, required=True)
        sub.add_argument("--tz", default="Asia/Shanghai", help="the property's time zone")
    labels_cli.add_command(commands)
    args = parser.parse_args(argv)
    if args.command == labels_cli.COMMAND:
        return labels_cli.run(args)
    settings = Settings(data_dir=args.data_dir, tz_name=args.tz, **clock.settings_from_env())
    if args.command == "serve":
        return _serve(settings, args.host, args.port)
    if args.command == "load-demo":
        return _load_demo(settings)
    if args.command == "set-rules":
        return _set_rules(settings, args.property_id, args.rectification_hours)
    return _create_user(settings, args)


RECTIFICATION_HOURS = (1, 720)  # an hour up to 30 days: anything else is a typing mistake


def _hours(text: str) -> int:
    low, high = RECTIFICATION_HOURS
    try:
        hours = int(text)
    except ValueError:
        hours = 0
    if not low <= hours <= high:
        raise argparse.ArgumentTypeError(f"give a whole number of hours from {low} to {high}, not {text!r}")
    return hours


def _serve(settings: Settings, host: str, port: int) -> int:
    import uvicorn

    from sync_server.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
    return 0


def _open(settings: Settings) -> sqlite_utils.Database:
    from sync_server.db import migrate, open_db

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = open_db(settings.db_path)
    migrate(db)
    return db


def _load_demo(settings: Settings) -> int:
    from sync_server.demo import PASSWORD, load_demo

    db = _open(settings)
    try:
        users = load_demo(db, settings)
    finally:
        db.close()
    print(f"Demo property loaded into {settings.data_dir}. Users (password {PASSWORD!r}):")
    for user in users:
        print(f"  {user['username']:<24} {user['role']:<16} {user['name']}")
    return 0


def _set_rules(settings: Settings, property_id: str, rectification_hours: int) -> int:
    from sync_server.db import orders, reference, transaction
    from sync_server.properties import publish_property

    db = _open(settings)
    try:
        if reference.get_property(db, property_id=property_id) is None:
            print(f"There is no property {property_id!r} in {settings.data_dir}; nothing changed.", file=sys.stderr)
            return 1
        with transaction(db):
            orders.set_rectification_hours(db, property_id=property_id, hours=rectification_hours)
            publish_property(db, property_id=property_id, settings=settings)  # phones show the new deadline
    finally:
        db.close()
    print(f"Property {property_id}: renovation violations must now be put right within {rectification_hours} hours.")
    return 0


def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    from sync_server import auth
    from sync_server.db import accounts, transaction
    from sync_server.demo import publish_user

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    if len(password) < 8 and not args.password_stdin:
        print("The password needs at least 8 characters.", file=sys.stderr)
        return 2
    db = _open(settings)
    try:
        with transaction(db):
            user_id = f"user-{uuid7(int(settings.now().timestamp() * 1000))}"
            added = accounts.insert_user(
                db,
                id=user_id,
                username=args.username,
                name=args.name,
                role=args.role,
                property_id=args.property_id,
                password_hash=auth.hash_password(password, settings.argon2),
                created_at=settings.now(),
            )
            if added:
                user = accounts.get_user(db, user_id=user_id)
                assert user is not None
                publish_user(db, user=user)
    finally:
        db.close()
    if not added:
        print(f"A user named {args.username!r} exists already; nothing changed.", file=sys.stderr)
        return 1
    print(f"User {args.username} ({args.role}) created with id {user_id}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
