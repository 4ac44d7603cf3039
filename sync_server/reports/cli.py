"""``python -m sync_server report``: a property's period report (the figures, targets, Pareto, causes, overdue
orders) to a PDF file, in a chosen language."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sync_server.settings import add_data_arguments

COMMAND = "report"


def add_command(commands: Any) -> argparse.ArgumentParser:
    """The subcommand, on the main parser's subparsers (it brings its own --data-dir)."""
    sub: argparse.ArgumentParser = commands.add_parser(COMMAND, help="write a property's period report to a PDF")
    add_data_arguments(sub)
    sub.add_argument("--property-id", required=True)
    sub.add_argument("--from", dest="first", type=_day, required=True, help="first day, YYYY-MM-DD")
    sub.add_argument("--to", dest="last", type=_day, required=True, help="last day, YYYY-MM-DD")
    sub.add_argument("--lang", default="en", help="en, zh-Hans, zh-Hant or es")
    sub.add_argument("--tz", default="Asia/Shanghai", help="the zone of a property that has none of its own")
    sub.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    return sub


def run(args: argparse.Namespace) -> int:
    from shared.i18n import Translator, normalize_locale
    from sync_server.db import migrate, open_db, reference
    from sync_server.reports import period
    from sync_server.settings import Settings, has_database

    if args.last < args.first:
        print("The period ends before it starts.", file=sys.stderr)
        return 1
    settings = Settings(data_dir=args.data_dir, tz_name=args.tz, database_url=args.database_url)
    if not has_database(settings):
        print(f"There is no server database in {args.data_dir}.", file=sys.stderr)
        return 1
    db = open_db(settings.db_url)
    try:
        migrate(db)  # a database of an older version reads like a current one
        if reference.get_property(db, property_id=args.property_id) is None:
            print(f"There is no property {args.property_id!r}.", file=sys.stderr)
            return 1
        zone = reference.property_tz(db, property_id=args.property_id, default=settings.tz)
        tr = Translator(normalize_locale(args.lang), zone)
        pdf = period.report(db, settings, args.property_id, args.first, args.last, tr)
    finally:
        db.close()
    args.out.write_bytes(pdf)
    print(f"Report of {args.property_id} from {args.first} to {args.last} written to {args.out}.")
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a day as YYYY-MM-DD, not {text!r}") from None
