"""The photo store in an S3-compatible bucket (``S3Store``); the keys and choosing a store: ``photo_store.py``.

Only servers configured for a bucket need boto3 installed: it is imported when a store is made.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.errors import ValidationProblem


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


def _missing(exc: Any) -> bool:
    return exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")
