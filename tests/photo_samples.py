"""For the photo tests: real images made with Pillow (camera-like JPEGs, PNG with alpha, bombs, junk), a cut network."""

from __future__ import annotations

import io
import random
import struct
import zlib
from functools import cache

import httpx
from PIL import Image

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
ORIENTATION, MAKE, MODEL, DATETIME_ORIGINAL = 0x0112, 0x010F, 0x0110, 0x9003
TAKEN_AT = "2026:11:23 07:40:12"


def noise(size: tuple[int, int], *, seed: int) -> Image.Image:
    """Greyscale noise, the same for the same seed (the same photo taken twice must give the same bytes)."""
    return Image.frombytes("L", size, random.Random(seed).randbytes(size[0] * size[1]))


def halves(width: int, height: int, left: str = "red", right: str = "blue") -> Image.Image:
    """Left half one colour, right half another: orientation is visible in the pixels."""
    img = Image.new("RGB", (width, height), right)
    img.paste(Image.new("RGB", (width // 2, height), left), (0, 0))
    return img


def camera_jpeg(
    img: Image.Image, *, orientation: int = 1, gps: bool = True, taken_at: str | None = TAKEN_AT, quality: int = 90
) -> bytes:
    """A JPEG as a phone camera writes it: orientation tag, maker, model, capture time and GPS position."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "PhoneMaker"
    exif[MODEL] = "Model X"
    if taken_at:
        exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = taken_at
    if gps:
        position = exif.get_ifd(GPS_IFD)
        position[1] = "N"
        position[2] = (22.0, 32.0, 11.5)
        position[3] = "E"
        position[4] = (114.0, 3.0, 40.2)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def big_photo(width: int = 4000, height: int = 3000) -> Image.Image:
    """A 12-megapixel picture with detail everywhere (a smooth one would compress unrealistically well)."""
    base = noise((width // 8, height // 8), seed=width * height)
    grad = Image.linear_gradient("L").resize((width // 8, height // 8))
    rgb = Image.merge("RGB", (base, grad, grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    return rgb.resize((width, height), Image.Resampling.BILINEAR)


def png_with_alpha(width: int = 300, height: int = 200) -> bytes:
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))  # fully transparent black
    img.paste(Image.new("RGBA", (width // 2, height), (0, 128, 0, 255)), (0, 0))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def small_jpeg(seed: int = 0, size: tuple[int, int] = (640, 480)) -> bytes:
    """A distinct small JPEG per seed."""
    img = Image.new("RGB", size, ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256))
    img.paste(noise((size[0] // 4, size[1] // 4), seed=seed).convert("RGB"), (seed % 50, 10))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


@cache
def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A real decompression bomb: ~50 kB of PNG that decodes to ``width * height`` pixels (1 bit each, all zero)."""
    row_bytes = 1 + (width + 7) // 8  # filter byte + the row's bits
    compressor = zlib.compressobj(6)
    block = b"\x00" * (row_bytes * 1000)
    idat = b"".join(compressor.compress(block) for _ in range(height // 1000)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    whole = camera_jpeg(big_photo(800, 600))
    return whole[: len(whole) // 2]


def text_named_jpg() -> bytes:
    return b"Meeting notes: fix the lobby light on Monday.\n" * 20


class CuttingTransport(httpx.BaseTransport):
    """Wraps a real transport and cuts the connection once ``budget`` photo bytes went out; offline after that.

    Counts the body bytes of photo uploads that left the phone (``photo_bytes``) and which photos reached
    the server (``arrived``), so a test can check that nothing was sent twice.
    """

    def __init__(self, inner: httpx.BaseTransport, *, budget: int | None = None) -> None:
        self.inner = inner
        self.budget = budget
        self.broken = False
        self.photo_bytes = 0
        self.arrived: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.broken:
            raise httpx.ConnectError("injected: no network", request=request)
        is_upload = request.method == "PUT" and request.url.path.startswith("/api/v1/photos/")
        body = b""
        for chunk in request.stream:  # type: ignore[union-attr]
            if is_upload and self.budget is not None and self.photo_bytes + len(chunk) > self.budget:
                self.photo_bytes = self.budget  # the part that made it onto the wire before the cut
                self.broken = True
                raise httpx.WriteError("injected: connection cut in the middle of an upload", request=request)
            if is_upload:
                self.photo_bytes += len(chunk)
            body += chunk
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "transfer-encoding")}
        response = self.inner.handle_request(httpx.Request(request.method, request.url, headers=headers, content=body))
        response.read()
        if is_upload and response.is_success:
            self.arrived.append(request.url.path.rsplit("/", 1)[-1])
        return response

    def close(self) -> None:
        self.inner.close()
