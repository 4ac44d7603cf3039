"""Running the app under uvicorn with what it lacks against slow or crowded clients.

uvicorn closes idle keep-alive connections, but waits forever for a request's head (a client that
connects and sends nothing, or a header a byte a minute), accepts heads of any size, and answers its
connection cap with a bare text 503. ``GuardedProtocol`` adds a deadline and a size cap for the head
and a JSON ``server.busy`` 503 (Retry-After) over the cap. Body limits and deadlines are in
``sync_server.limits``; the open-files limit is raised so the cap, not the kernel, is what refuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import resource
import signal
import socket
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sync_server.settings import Settings

log = logging.getLogger(__name__)
BUSY_RETRY_AFTER = 2
_BUSY_BODY = json.dumps(
    {
        "code": "server.busy",
        "message": "The server is busy right now; the app tries again shortly.",
        "detail": {"retry_after": BUSY_RETRY_AFTER},
    }
).encode()


async def _busy(scope: Any, receive: Any, send: Any) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_BUSY_BODY)).encode()),
        (b"retry-after", str(BUSY_RETRY_AFTER).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": _BUSY_BODY})


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a head deadline and size cap and a JSON 503 over the connection cap."""

    head_timeout = 10.0
    max_head_bytes = 32 * 1024
    max_connections = 2048

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._reading_head = True
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._reading_head and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:  # still no end of the headers: refuse, not buffer on
                self._cancel_head_timer()
                self.send_400_response("Request head too large.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head, self._head_bytes = True, 0
        if self._head_timer is None:  # the next request on a kept-alive connection: a new deadline
            self._arm_head_timer()

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._cancel_head_timer()
        if len(self.connections) > self.max_connections or len(self.tasks) >= self.max_connections:
            log.warning("over %d connections: answering 503", self.max_connections)
            normal, self.app = self.app, _busy  # the cycle takes the app when it is made, just below
            try:
                super().on_headers_complete()
            finally:
                self.app = normal
            return
        super().on_headers_complete()

    def _arm_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()  # nothing useful can be answered to half a request line


def protocol_for(settings: Settings) -> type[GuardedProtocol]:
    return type(
        "GuardedProtocol",
        (GuardedProtocol,),
        {
            "head_timeout": settings.head_timeout,
            "max_head_bytes": settings.max_head_bytes,
            "max_connections": settings.max_connections,
        },
    )


def raise_open_files_limit(wanted: int) -> int:
    """Raise the soft limit on open files towards ``wanted`` (within the hard limit); return the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def run(make_app: Callable[[], Any], settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Serve until SIGTERM or Ctrl-C; with ``workers`` > 1, as that many processes sharing one listening socket."""
    files = raise_open_files_limit(settings.max_connections + 256)  # + the database, photos and logs
    if files < settings.max_connections + 64:
        log.warning("only %d open files allowed: fewer connections than %d fit", files, settings.max_connections)
    options: dict[str, Any] = {
        "log_level": "warning",
        "http": protocol_for(settings),
        "timeout_keep_alive": int(max(1, settings.keep_alive_timeout)),
        "timeout_graceful_shutdown": int(max(1, settings.shutdown_timeout)),
        "backlog": settings.max_connections,
    }
    if workers <= 1:
        uvicorn.run(make_app(), host=host, port=port, **options)
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind((host, port))
    listening.listen(settings.max_connections)
    _Supervisor(make_app, listening, options, workers).run()


class _Supervisor:
    """Forks the workers, starts another when one dies (a crash, kill -9), and passes SIGTERM on to them.

    Each worker makes its own app after the fork: no thread, connection or lock is shared. Everything the
    workers must agree on is in the database (see ``sync_server.db.leases``).
    """

    def __init__(self, make_app: Callable[[], Any], listening: socket.socket, options: dict[str, Any], n: int):
        self.make_app, self.listening, self.options, self.n = make_app, listening, options, n
        self.children: set[int] = set()
        self.stopping = False

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for _ in range(self.n):
            self._spawn()
        while self.children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            self.children.discard(pid)
            if not self.stopping:
                log.warning("worker %d ended (status %d): starting another", pid, status)
                time.sleep(0.2)  # a worker that cannot start at all does not spin
                self._spawn()

    def _spawn(self) -> None:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                server = uvicorn.Server(uvicorn.Config(self.make_app(), **self.options))
                server.run(sockets=[self.listening])
                code = 0
            finally:
                os._exit(code)  # never back into the supervisor's loop
        self.children.add(pid)

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)  # a second SIGTERM is harmless to uvicorn; only a second SIGINT forces
