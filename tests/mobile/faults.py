"""A transport that breaks the network on purpose: dropped requests, lost answers, repeats, cut bodies, 502/503."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable

import httpx

DROP = "drop"  # never reaches the server (ConnectError)
LOSE_RESPONSE = "lose_response"  # the server did the work, the answer is lost (ReadTimeout)
DUPLICATE = "duplicate"  # the request arrives twice; the phone sees the second answer
CUT_BODY = "cut_body"  # the body is cut short: the server reads malformed JSON
BAD_GATEWAY = "502"
UNAVAILABLE = "503"
ALL = (DROP, LOSE_RESPONSE, DUPLICATE, CUT_BODY, BAD_GATEWAY, UNAVAILABLE)


class FaultyTransport(httpx.BaseTransport):
    """Wraps a real transport. Faults come from ``script`` (one entry per request, None = pass) while it
    lasts, then at ``rate`` drawn from a seeded ``rng``; only requests whose path starts with ``paths``."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        script: Iterable[str | None] = (),
        rate: float = 0.0,
        rng: random.Random | None = None,
        kinds: tuple[str, ...] = ALL,
        paths: tuple[str, ...] = ("/api/v1/sync/",),
        before: Callable[[httpx.Request], None] | None = None,
    ) -> None:
        self.inner = inner
        self.script = list(script)
        self.rate = rate
        self.rng = rng or random.Random(0)
        self.kinds = kinds
        self.paths = paths
        self.before = before
        self.faults: Counter[str] = Counter()
        self.forwarded = 0  # requests the server received, repeats included

    @property
    def total_faults(self) -> int:
        return sum(self.faults.values())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.before is not None:
            self.before(request)
        fault = self._choose(request)
        if fault is None:
            return self._forward(request)
        self.faults[fault] += 1
        if fault == DROP:
            raise httpx.ConnectError("injected: connection refused", request=request)
        if fault == LOSE_RESPONSE:
            self._forward(request).close()
            raise httpx.ReadTimeout("injected: the answer never came", request=request)
        if fault == DUPLICATE:
            self._forward(_copy(request)).close()
            return self._forward(request)
        if fault == CUT_BODY:
            cut = request.content[: self.rng.randrange(1, len(request.content))]
            return self._forward(_copy(request, content=cut))
        message = {"code": f"proxy.{fault}", "message": "injected gateway failure"}
        return httpx.Response(int(fault), json=message, request=request)

    def _choose(self, request: httpx.Request) -> str | None:
        if not request.url.path.startswith(self.paths):
            return None
        if self.script:
            return self.script.pop(0)
        if self.rng.random() >= self.rate:
            return None
        kinds = self.kinds if request.content else tuple(k for k in self.kinds if k != CUT_BODY)
        return self.rng.choice(kinds)

    def _forward(self, request: httpx.Request) -> httpx.Response:
        self.forwarded += 1
        response = self.inner.handle_request(request)
        response.read()
        return response

    def close(self) -> None:
        self.inner.close()


def _copy(request: httpx.Request, *, content: bytes | None = None) -> httpx.Request:
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    return httpx.Request(
        request.method, request.url, headers=headers, content=request.content if content is None else content
    )
