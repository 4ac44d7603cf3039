"""``python -m sync_server labels``: a property's checkpoint labels to a PDF file, for printing on sticker sheets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sync_server.settings import add_data_arguments

COMMAND = "labels"


def add_command(commands: Any) -> argparse.ArgumentParser:
    """The subcommand, on the main parser's subparsers (it brings its own --data-dir)."""
    sub: argparse.ArgumentParser = commands.add_parser(
        COMMAND, help="write the checkpoint labels (QR codes) of a property to a PDF"
    )
    add_data_arguments(sub)
    sub.add_argument("--property-id", required=True)
    sub.add_argument("--route-id", help="only this route's checkpoints")
    sub.add_argument("--skip", type=_slots, default=0, help="label slots already used on the first sheet")
    sub.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    return sub


def run(args: argparse.Namespace) -> int:
    from shared.errors import NotFoundProblem
    from sync_server import labels
    from sync_server.db import migrate, open_db
    from sync_server.settings import Settings, has_database

    settings = Settings(data_dir=args.data_dir, database_url=args.database_url)
    if not has_database(settings):
        print(f"There is no server database in {args.data_dir}.", file=sys.stderr)
        return 1
    db = open_db(settings.db_url)
    try:
        migrate(db)  # a database of an older version reads like a current one
        found = labels.labels_of(db, property_id=args.property_id, route_id=args.route_id)
    except NotFoundProblem as problem:
        print(problem.message, file=sys.stderr)
        return 1
    finally:
        db.close()
    sheet = labels.Sheet()
    args.out.write_bytes(labels.render(found, sheet, skip=args.skip))
    if missing := labels.missing_characters(found):
        print(f"The label font lacks these characters; they are left out: {missing}", file=sys.stderr)
    sheets = sheet.pages(len(found) + args.skip)
    print(f"{len(found)} labels on {sheets} sheet(s) of {sheet.per_page} written to {args.out}.")
    return 0


def _slots(text: str) -> int:
    if not text.isdigit() or int(text) > 200:
        raise argparse.ArgumentTypeError(f"give the number of labels already used, 0 to 200, not {text!r}")
    return int(text)
