"""Command line: ``python -m sync_server serve|load-demo|set-rules|backup|restore|labels|report`` and the administration
commands."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from shared.parse import ascii_number
from sync_server import admin_cli, backup, clock, labels_cli, photo_store
from sync_server.importer import cli as import_cli
from sync_server.reports import cli as report_cli
from sync_server.settings import Settings, add_data_arguments

if TYPE_CHECKING:
    from sync_server.db import Database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync_server", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1, help="processes serving at once (default 1)")
    for flag, kind, help_text in SERVE_LIMITS:
        serve.add_argument(flag, type=kind, help=help_text)
    photo_store.add_arguments(serve)
    demo = commands.add_parser("load-demo", help="create the demo property and users (safe to run again)")
    property_rules = commands.add_parser("set-rules", help="set a property's own deadlines")
    property_rules.add_argument("--property-id", required=True)
    property_rules.add_argument(
        "--rectification-hours",
        type=_hours,
        required=True,
        help=f"hours a renovation violation has to be put right ({RECTIFICATION_HOURS[0]}..{RECTIFICATION_HOURS[1]})",
    )
    for sub in (serve, demo, property_rules, *admin_cli.add_commands(commands)):
        add_data_arguments(sub)
        sub.add_argument("--tz", default="Asia/Shanghai", help="the property's time zone")
    backup.add_commands(commands)
    labels_cli.add_command(commands)
    import_cli.add_commands(commands)
    report_cli.add_command(commands)
    args = parser.parse_args(argv)
    if args.command in backup.COMMANDS:
        return backup.run_command(args)
    if args.command == labels_cli.COMMAND:
        return labels_cli.run(args)
    if args.command in import_cli.COMMANDS:
        return import_cli.run(args)
    if args.command == report_cli.COMMAND:
        return report_cli.run(args)
    limits = {
        _field(flag): value for flag, _, _ in SERVE_LIMITS if (value := getattr(args, _field(flag), None)) is not None
    }
    settings = Settings(
        data_dir=args.data_dir,
        tz_name=args.tz,
        **limits,
        **clock.settings_from_env(),
        **photo_store.settings_from_args(args),
        database_url=args.database_url,
    )
    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers)
    if args.command == "load-demo":
        return _load_demo(settings)
    if args.command == "set-rules":
        return _set_rules(settings, args.property_id, args.rectification_hours)
    return admin_cli.run(args, settings, _open)


# Operator limits of `serve` (Settings fields of the same name; the README's operator part explains them).
SERVE_LIMITS: list[tuple[str, type, str]] = [
    ("--max-connections", int, "connections at once; beyond, requests get 503 server.busy (default 2048)"),
    ("--head-timeout", float, "seconds a client has to send a request's headers (default 10)"),
    ("--body-read-timeout", float, "seconds a request body may stall (default 15)"),
    ("--shutdown-timeout", float, "seconds SIGTERM waits for running requests (default 5)"),
    ("--hash-workers", int, "threads hashing passwords (default: half the cores)"),
    ("--hash-queue", int, "logins waiting for a hashing thread before 429 auth.busy (default 32)"),
]


def _field(flag: str) -> str:
    return flag.removeprefix("--").replace("-", "_")


RECTIFICATION_HOURS = (1, 720)  # an hour up to 30 days: anything else is a typing mistake


def _hours(text: str) -> int:
    low, high = RECTIFICATION_HOURS
    hours = ascii_number(text.strip()) or 0  # int() would also read "١٢" and "１２"
    if not low <= hours <= high:
        raise argparse.ArgumentTypeError(f"give a whole number of hours from {low} to {high}, not {text!r}")
    return hours


def _serve(settings: Settings, host: str, port: int, workers: int) -> int:
    from sync_server import serving
    from sync_server.app import create_app
    from sync_server.db import dispose

    try:
        photo_store.photo_store(settings)
    except Exception as exc:  # a wrong URL, bucket, endpoint or key: say so now, not at the first upload
        print(f"The photo store cannot be used: {exc}", file=sys.stderr)
        return 1
    photo_store.forget_stores()  # each worker makes its own: a client's connections must not cross a fork
    _open(settings).close()  # migrated once, before any worker starts
    dispose()  # and its pooled connection closed: a connection must not cross a fork
    serving.run(lambda: create_app(settings), settings, host, port, workers)
    return 0


def _open(settings: Settings) -> Database:
    from sync_server.db import migrate, open_db

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = open_db(settings.db_url)
    migrate(db)
    return db


def _load_demo(settings: Settings) -> int:
    from sync_server.demo import PASSWORD, checkpoint_codes, load_demo

    db = _open(settings)
    try:
        users = load_demo(db, settings)
    finally:
        db.close()
    print(f"Demo property loaded into {settings.data_dir}. Users (password {PASSWORD!r}):")
    for user in users:
        print(f"  {user['username']:<24} {user['role']:<16} {user['name']}")
    # Without printed labels a newcomer types these on the patrol screen (recorded as "typed", not "scanned").
    print("Checkpoint codes (route, checkpoint, place, code):")
    route = ""
    for route_name, checkpoint, place, code in checkpoint_codes():
        if route_name != route:
            route = route_name
            print(f"  {route}")
        print(f"    {checkpoint:<14} {place:<28} {code}")
    return 0


def _set_rules(settings: Settings, property_id: str, rectification_hours: int) -> int:
    from shared.errors import PatrolError
    from sync_server.admin import properties
    from sync_server.admin.common import CLI
    from sync_server.db import transaction

    db = _open(settings)
    try:
        with transaction(db):  # the same function as the API's: audited, and phones get the new deadline
            properties.update_property(
                db, settings, CLI, property_id=property_id, rectification_hours=rectification_hours
            )
    except PatrolError as problem:
        print(f"{problem.message} Nothing changed.", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"Property {property_id}: renovation violations must now be put right within {rectification_hours} hours.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
