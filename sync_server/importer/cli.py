"""``python -m sync_server import`` and ``export``: a property's setup from and to XLSX or CSV files.

The import runs as the operator ``command line`` through the same function as the API: ``--dry-run`` lists
every problem (in ``--lang``) and writes nothing; without it, all rows are written or, with a problem, none.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from shared.i18n import LOCALES, Translator, normalize_locale
from sync_server.settings import add_data_arguments

COMMANDS = ("import", "export")


def add_commands(commands: Any) -> None:
    """The subcommands, on the main parser's subparsers (each brings its own --data-dir)."""
    imp = commands.add_parser("import", help="import a property's setup from an XLSX workbook or CSV files")
    add_data_arguments(imp)
    imp.add_argument("--property-id", required=True)
    imp.add_argument("files", type=Path, nargs="+", help="one .xlsx, or .csv files named after their kind")
    imp.add_argument(
        "--kind", help="what a single CSV holds (property, users, places, areas, units, routes, checkpoints, permits)"
    )
    imp.add_argument("--dry-run", action="store_true", help="only check: list every problem, write nothing")
    imp.add_argument("--lang", default="en", help=f"language of the problems ({', '.join(LOCALES)})")
    exp = commands.add_parser("export", help="export a property's setup to an XLSX workbook or CSV files")
    add_data_arguments(exp)
    exp.add_argument("--property-id", required=True)
    exp.add_argument("--out", type=Path, required=True, help="an .xlsx file, or a directory for one CSV per kind")
    exp.add_argument("--format", choices=("xlsx", "csv"), default=None, help="default: from --out")
    exp.add_argument("--chinese", action="store_true", help="Chinese sheet names and headers")


def run(args: argparse.Namespace) -> int:
    from shared.errors import PatrolError
    from sync_server import clock
    from sync_server.db import migrate, open_db
    from sync_server.settings import Settings, has_database

    settings = Settings(data_dir=args.data_dir, database_url=args.database_url, **clock.settings_from_env())
    translator = Translator(normalize_locale(getattr(args, "lang", "en")))
    if args.command == "export" and not has_database(settings):
        print(f"There is no server database in {args.data_dir}.", file=sys.stderr)
        return 1
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = open_db(settings.db_url)
    try:
        migrate(db)
        return _import(db, settings, args, translator) if args.command == "import" else _export(db, settings, args)
    except PatrolError as problem:
        print(problem.message, file=sys.stderr)
        return 1
    finally:
        db.close()


def _import(db: Any, settings: Any, args: argparse.Namespace, translator: Translator) -> int:
    from shared.errors import ValidationProblem
    from sync_server.admin.common import CLI
    from sync_server.importer import read
    from sync_server.importer.apply import run_import
    from sync_server.importer.problems import Issue, as_text
    from sync_server.importer.sheets import sheet_for

    issues: list[Issue] = []
    tables = []
    for path in args.files:
        if not path.is_file():
            print(f"There is no file {path}.", file=sys.stderr)
            return 1
        if path.suffix.lower() == ".csv":
            sheet = sheet_for(args.kind or path.stem)
            if sheet is None:
                raise ValidationProblem("import.unknown_kind", f"Name {path.name} after its kind or give --kind.")
            tables.append(read.read_csv(path.read_bytes(), sheet.kind, issues))
        else:
            tables.extend(read.read_workbook(path.read_bytes(), issues))
    outcome = run_import(
        db, settings, CLI, property_id=args.property_id, tables=tables, issues=issues, dry_run=args.dry_run
    )
    counts = ", ".join(f"{translator.t('import.count.' + k)} {n}" for k, n in outcome.counts.items())
    for line in as_text(outcome.problems, translator):
        print(line)
    if outcome.problems:
        print(translator.t("import.has_problems", count=len(outcome.problems)), file=sys.stderr)
        return 1
    if args.dry_run:
        print(translator.t("import.dry_run_ok", counts=counts))
        return 0
    print(translator.t("import.done", counts=counts))
    for user in outcome.users:
        print(f"  {user['username']:<24} {user['temporary_password']}")
    return 0


def _export(db: Any, settings: Any, args: argparse.Namespace) -> int:
    from sync_server import exporter
    from sync_server.admin.common import CLI, must_exist

    must_exist(db, CLI, kind="property", id=args.property_id)
    data = exporter.export(db, settings, property_id=args.property_id)
    if (args.format or ("xlsx" if args.out.suffix.lower() == ".xlsx" else "csv")) == "xlsx":
        args.out.write_bytes(exporter.workbook(data, chinese=args.chinese))
        print(f"{args.property_id} exported to {args.out}.")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for kind, rows in data.items():
        (args.out / f"{kind}.csv").write_bytes(exporter.csv_of(kind, rows, chinese=args.chinese))
    print(f"{args.property_id} exported to {args.out} ({', '.join(f'{k}.csv' for k in data)}).")
    return 0
