"""Administration from the command line: create-property, create-user, deactivate-user, reset-password.

Each command calls the same ``sync_server.admin`` function as the API, as the operator ``command line``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from shared.errors import PatrolError
from shared.model import Role
from sync_server.admin import properties, users
from sync_server.admin.common import CLI
from sync_server.settings import Settings

if TYPE_CHECKING:
    from sync_server.db import Database

COMMANDS = ("create-property", "create-user", "deactivate-user", "reset-password")


def add_commands(commands: Any) -> list[argparse.ArgumentParser]:
    """Add the subcommands to ``main``'s subparsers; returns them so main gives each --data-dir and --tz."""
    prop = commands.add_parser("create-property", help="add a property (its time zone is --tz)")
    prop.add_argument("--property-id", required=True)
    prop.add_argument("--name", required=True)
    prop.add_argument("--rectification-hours", type=int, default=None, help="hours a renovation violation has")
    user = commands.add_parser("create-user", help="add a user; the password is asked for (10 characters or more)")
    user.add_argument("--username", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--property-id", default=None, help="an existing property; left out only for a server admin")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    off = commands.add_parser("deactivate-user", help="stop a user: their phones are signed out, login refused")
    off.add_argument("--username", required=True)
    reset = commands.add_parser("reset-password", help="set a temporary password the user must change at login")
    reset.add_argument("--username", required=True)
    reset.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    return [prop, user, off, reset]


def run(args: argparse.Namespace, settings: Settings, open_db: Callable[[Settings], Database]) -> int:
    from sync_server.db import transaction

    password = _password(args) if args.command in ("create-user", "reset-password") else ""
    db = open_db(settings)
    try:
        with transaction(db):
            message = _ACTIONS[args.command](db, settings, args, password)
    except PatrolError as problem:
        print(f"{problem.message} Nothing changed.", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(message)
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass("Password: ")


def _create_property(db: Database, settings: Settings, args: argparse.Namespace, _: str) -> str:
    created = properties.create_property(
        db,
        settings,
        CLI,
        property_id=args.property_id,
        name=args.name,
        tz=args.tz,
        rectification_hours=args.rectification_hours,
    )
    return f"Property {created['id']} ({created['name']}, {created['tz']}) created."


def _create_user(db: Database, settings: Settings, args: argparse.Namespace, password: str) -> str:
    user = users.create_user(
        db,
        settings,
        CLI,
        username=args.username,
        name=args.name,
        role_name=args.role,
        property_id=args.property_id,
        password=password,
    )
    return f"User {user['username']} ({user['role']}) created with id {user['id']}."


def _user_named(db: Database, username: str) -> dict[str, Any]:
    from shared.errors import NotFoundProblem
    from sync_server.db import admin as admin_db

    user = admin_db.user_row(db, username=username)
    if not user:
        raise NotFoundProblem("admin.not_found", f"There is no user named {username!r}.")
    return user


def _deactivate(db: Database, settings: Settings, args: argparse.Namespace, _: str) -> str:
    user = users.deactivate_user(db, settings, CLI, user_id=_user_named(db, args.username)["id"])
    return f"User {user['username']} is deactivated: their phones are signed out and they cannot log in."


def _reset(db: Database, settings: Settings, args: argparse.Namespace, password: str) -> str:
    user, _ = users.reset_password(db, settings, CLI, user_id=_user_named(db, args.username)["id"], password=password)
    return f"User {user['username']} must choose a new password at the next login."


_ACTIONS: dict[str, Callable[[Database, Settings, argparse.Namespace, str], str]] = {
    "create-property": _create_property,
    "create-user": _create_user,
    "deactivate-user": _deactivate,
    "reset-password": _reset,
}
