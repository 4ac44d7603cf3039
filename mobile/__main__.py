"""Start the app: ``python -m mobile --server URL --data-dir DIR --port N --web`` serves the web build on 127.0.0.1."""

from __future__ import annotations

import argparse
import os


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mobile", description="The patrol app (Flet).")
    parser.add_argument("--server", default="", help="the sync server's address, filled in on first run")
    parser.add_argument("--data-dir", default="", help="where the phone's data lives (default: app storage)")
    parser.add_argument("--port", type=int, default=8550, help="port of the web build")
    parser.add_argument("--web", action="store_true", help="serve the web build in a browser (no CDN)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.server:
        os.environ["PATROL_SERVER"] = args.server
    if args.data_dir:
        os.environ["PATROL_DATA_DIR"] = args.data_dir
    from mobile.app import run

    run(web=args.web, port=args.port)


if __name__ == "__main__":
    main()
