"""Where photo bytes are kept: the data directory (the default) or an S3-compatible bucket.

The store only holds bytes under content-addressed keys (``ab/<sha256>.jpg`` and ``ab/<sha256>.thumb.jpg``, the
same layout on disk and in a bucket, so ``aws s3 sync <data-dir>/photos s3://bucket/`` moves a server over). What
a key names never changes, so a key is written only if absent and nothing is ever overwritten. Who may see a
photo is the database's business (sync_server.db.photos), never the store's.

Here: the keys, the store's protocol, the data directory's store, the command-line options and choosing the
store the settings name. The bucket's store is in ``photo_s3.py``.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from shared.errors import ValidationProblem
from sync_server.photo_s3 import S3Store
from sync_server.settings import Settings

PART_PATTERN = ".incoming-*.part"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def check_hash_name(sha256: str) -> str:
    """A photo name must be a SHA-256 in lowercase hex: the only names ever used for keys."""
    if not _SHA256.fullmatch(sha256):
        raise ValidationProblem(
            "photo.invalid_hash",
            "A photo is addressed by the SHA-256 of its bytes in 64 lowercase hex digits.",
            {"sha256": sha256[:80]},
        )
    return sha256


def photo_key(sha256: str) -> str:
    """The key of a stored photo: built from the checked hash alone, never from anything else a client sent."""
    return f"{check_hash_name(sha256)[:2]}/{sha256}.jpg"


def thumb_key(sha256: str) -> str:
    return f"{check_hash_name(sha256)[:2]}/{sha256}.thumb.jpg"


class PhotoStore(Protocol):
    def put_if_absent(self, key: str, data: bytes) -> bool:
        """Store ``data`` under ``key`` unless something is there already; True when this call wrote it."""

    def get(self, key: str) -> bytes | None:
        """The bytes under ``key``, or None when there are none."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens when it is not there."""

    def keys(self) -> Iterator[str]:
        """Every key stored (operators' checks and tests; never on a request's path)."""

    def remove_unfinished(self, older_than: float) -> int:
        """Remove what writes cut short by a crash left behind, older than ``older_than`` seconds; return how many."""


class LocalStore:
    """Files under a directory; each written to a temporary file, then renamed: a reader never sees half a photo."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __str__(self) -> str:
        return str(self.root)

    def put_if_absent(self, key: str, data: bytes) -> bool:
        path = self.root / key
        if path.is_file():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)  # two writers of one key write the same bytes: the second rename is harmless
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True

    def get(self, key: str) -> bytes | None:
        try:
            return (self.root / key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def exists(self, key: str) -> bool:
        return (self.root / key).is_file()

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*.jpg")):
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(self.root).as_posix()

    def remove_unfinished(self, older_than: float) -> int:
        removed = 0
        cutoff = time.time() - older_than
        for part in self.root.glob(f"*/{PART_PATTERN}"):
            try:
                if part.stat().st_mtime < cutoff:
                    part.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # removed by someone else meanwhile
        return removed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The photo store's options (``serve``, ``backup``); keys come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY."""
    parser.add_argument(
        "--photo-store",
        metavar="s3://BUCKET[/PREFIX]",
        help="keep photos in an S3-compatible bucket (default: the data directory's photos/)",
    )
    parser.add_argument("--s3-endpoint-url", help="the S3 server, e.g. http://127.0.0.1:8333 (default: AWS)")
    parser.add_argument("--s3-region", help="the bucket's region (default us-east-1)")
    parser.add_argument(
        "--s3-create-bucket", action="store_true", help="create the bucket when it is missing (development)"
    )


def settings_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Settings keywords for the options above (none for commands without them)."""
    if getattr(args, "photo_store", None) is None:
        return {}
    return {
        "photo_store_url": args.photo_store,
        "s3_endpoint_url": args.s3_endpoint_url,
        "s3_region": args.s3_region,
        "s3_create_bucket": args.s3_create_bucket,
    }


def photo_store(settings: Settings) -> PhotoStore:
    """The store the settings name, made once per distinct configuration (an S3 client is dear to make)."""
    return _store(
        settings.photo_store_url or "",
        Path(settings.data_dir),
        settings.s3_endpoint_url,
        settings.s3_region,
        settings.s3_access_key,
        settings.s3_secret_key,
        settings.s3_create_bucket,
    )


def forget_stores() -> None:
    """Drop the stores made so far: the next ``photo_store`` makes a new one (and a new S3 client)."""
    _store.cache_clear()


@functools.lru_cache(maxsize=32)
def _store(
    url: str,
    data_dir: Path,
    endpoint_url: str | None,
    region: str | None,
    access_key: str | None,
    secret_key: str | None,
    create_bucket: bool,
) -> PhotoStore:
    if not url:
        return LocalStore(data_dir / "photos")
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ValidationProblem(
            "settings.photo_store_invalid",
            f"The photo store {url!r} is not understood: give s3://bucket or s3://bucket/prefix, "
            "or leave it out to keep photos in the data directory.",
        )
    return S3Store(
        parts.netloc,
        prefix=parts.path,
        endpoint_url=endpoint_url,
        region=region,
        access_key=access_key,
        secret_key=secret_key,
        create_bucket=create_bucket,
    )
