"""Checking an uploaded photo and storing a clean re-encoded copy under a content-addressed key.

Nothing the phone sent is kept verbatim: the bytes must hash to the name they were sent under,
decode completely within a pixel limit, and are then re-encoded without any metadata.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from shared.errors import LimitProblem, ValidationProblem
from sync_server.photo_store import PhotoStore, photo_key, thumb_key
from sync_server.photo_store import check_hash_name as check_hash_name  # the routes check names here too

DEFAULT_MAX_PHOTO_BYTES = 10 * 1024 * 1024  # the phone sends ~0.3-1 MB at 1600 px; leave room for other clients
DEFAULT_MAX_PHOTO_PIXELS = 40_000_000  # about 7300 x 5500, decoded ~120 MB: beyond that it is an attack, not a photo
STORED_QUALITY = 88
THUMB_EDGE = 320
THUMB_QUALITY = 75
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")


@dataclass(frozen=True)
class VerifiedPhoto:
    """A photo that passed every check, re-encoded and ready to store."""

    sha256: str  # of the bytes received: the name records use
    received_size: int
    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int


def too_large(size: int, max_bytes: int) -> LimitProblem:
    return LimitProblem(
        "photo.too_large",
        f"The photo is larger than the server accepts ({max_bytes // (1024 * 1024)} MB); "
        "shrink it on the phone and send it again.",
        {"max_photo_bytes": max_bytes, "size": size},
    )


def verify_photo(
    data: bytes,
    *,
    sha256: str,
    max_bytes: int = DEFAULT_MAX_PHOTO_BYTES,
    max_pixels: int = DEFAULT_MAX_PHOTO_PIXELS,
) -> VerifiedPhoto:
    """Check what arrived and re-encode it; raise a PatrolError saying what is wrong, before anything is written."""
    check_hash_name(sha256)
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise ValidationProblem(
            "photo.hash_mismatch",
            "The photo's bytes do not match its name: it was damaged on the way. Send it again.",
            {"expected": sha256, "actual": actual},
        )
    img = _open(data, max_pixels)
    try:
        img.load()  # decode everything now: a truncated file fails here, not half-way through a re-encode
        upright = _to_rgb(ImageOps.exif_transpose(img))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationProblem(
            "photo.unreadable",
            "The photo is damaged or incomplete and cannot be decoded; take it again.",
            {"reason": str(exc)[:200]},
        ) from None
    finally:
        img.close()
    jpeg = _encode(upright, STORED_QUALITY)
    thumb = upright.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    return VerifiedPhoto(sha256, len(data), jpeg, _encode(thumb, THUMB_QUALITY), upright.width, upright.height)


def photo_path(photo_dir: Path, sha256: str) -> Path:
    """Where a local store keeps a photo (also its name in a backup archive)."""
    return Path(photo_dir) / photo_key(sha256)


def thumb_path(photo_dir: Path, sha256: str) -> Path:
    return Path(photo_dir) / thumb_key(sha256)


def store_photo(store: PhotoStore, photo: VerifiedPhoto) -> None:
    """Put thumbnail, then photo, each only if absent: where the photo is, its thumbnail is too."""
    store.put_if_absent(thumb_key(photo.sha256), photo.thumbnail)
    store.put_if_absent(photo_key(photo.sha256), photo.jpeg)


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise ValidationProblem(
            "photo.not_an_image", "The file is not a JPEG, PNG or WebP image; only photos can be attached."
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own, global limit; ours below is lower, so this only catches the absurd ones.
        raise _too_many_pixels(None, max_pixels) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationProblem(
            "photo.unreadable", "The photo's header is damaged; take it again.", {"reason": str(exc)[:200]}
        ) from None
    if img.width * img.height > max_pixels:
        size = img.size
        img.close()
        raise _too_many_pixels(size, max_pixels)
    return img


def _too_many_pixels(size: tuple[int, int] | None, max_pixels: int) -> LimitProblem:
    detail: dict[str, object] = {"max_pixels": max_pixels}
    if size:
        detail.update(width=size[0], height=size[1])
    return LimitProblem(
        "photo.too_many_pixels",
        f"The image has more pixels than a photo may have ({max_pixels // 1_000_000} megapixels); "
        "it was refused. Shrink it on the phone and send it again.",
        detail,
    )


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    if "A" in img.mode or "transparency" in img.info:
        rgba = img.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return img.convert("RGB")


def _encode(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=True)  # no exif=, icc_profile=: no metadata survives
    return out.getvalue()
