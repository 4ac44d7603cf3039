"""Where photo bytes are kept: the data directory (the default) or an S3-compatible bucket.

The store only holds bytes under content-addressed keys (``ab/<sha256>.jpg`` and ``ab/<sha256>.thumb.jpg``, the
same layout on disk and in a bucket, so ``aws s3 sync <data-dir>/photos s3://bucket/`` moves a server over). What
a key names never changes, so a key is written only if absent and nothing is ever overwritten. Who may see a
photo is the database's business (sync_server.db.photos), never the store's.
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


class S3Store:
    """Objects in an S3-compatible bucket (AWS S3, SeaweedFS, MinIO, Ceph...), through boto3.

    A PUT is all or nothing on every S3 server: an upload cut short leaves no object, so no temporary names.
    Path-style addressing (``endpoint/bucket/key``) works with servers that have no wildcard DNS names.
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        create_bucket: bool = False,
    ) -> None:
        import boto3  # only servers configured for a bucket need boto3 installed
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        # None for the keys: boto3's usual chain (AWS_ACCESS_KEY_ID..., ~/.aws, an instance role).
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region or "us-east-1",
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 4, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
                max_pool_connections=32,  # the request threads share the client
            ),
        )
        if self._bucket_exists():
            return
        if not create_bucket:  # a typing mistake must not scatter photos over new buckets
            raise ValidationProblem(
                "settings.photo_bucket_missing",
                f"There is no bucket {bucket!r} at {self.client.meta.endpoint_url}: create it (with versioning, see "
                "the README), or start the server with --s3-create-bucket.",
            )
        self.client.create_bucket(Bucket=bucket)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix} at {self.client.meta.endpoint_url}"

    def put_if_absent(self, key: str, data: bytes) -> bool:
        # Head, then put: two workers racing on one key both write the same content, which is harmless.
        if self.exists(key):
            return False
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data, ContentType="image/jpeg")
        return True

    def get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        body = answer["Body"]
        try:
            data: bytes = body.read()
        finally:
            body.close()
        return data

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as exc:
            if _missing(exc):
                return False
            raise  # a wrong key or a missing bucket is the operator's to see, not "no photo"
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"].removeprefix(self.prefix)

    def remove_unfinished(self, older_than: float) -> int:
        return 0  # single PUTs only (a photo is far below the multipart size): nothing is ever half-written

    def _bucket_exists(self) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchBucket", "NotFound"):
                return False
            raise
        return True


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


def _missing(exc: Any) -> bool:
    return exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


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
