"""The phone's one photo pipeline: upright, RGB, shrunk, re-encoded without metadata, stored under its SHA-256."""

from __future__ import annotations

import hashlib
import io
import math
import os
import tempfile
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageOps, UnidentifiedImageError

from mobile.store import photos as photo_store
from shared.errors import LimitProblem, ValidationProblem

if TYPE_CHECKING:
    from mobile.store import Store

DEFAULT_MAX_EDGE = 1600
DEFAULT_QUALITY = 85
THUMB_EDGE = 320
THUMB_QUALITY = 75
# What the server accepts unless it told us otherwise (sync_server.photos.DEFAULT_MAX_PHOTO_BYTES).
DEFAULT_MAX_PHOTO_BYTES = 10 * 1024 * 1024
# Draft mode decodes a big JPEG at 1/2 to 1/8 scale, so a 108 MP camera photo costs little; other formats
# decode at full size and get a tighter limit. (Pillow itself refuses anything over ~179 MP.)
MAX_JPEG_PIXELS = 180_000_000
MAX_OTHER_PIXELS = 40_000_000
PHOTO_DIR = "photos"
# A photo taken for a form that was never saved is deleted once it is this old (a form is not left open longer).
ORPHAN_GRACE = timedelta(days=1)
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")  # JPEG includes MPO (multi-picture) files

_EXIF_IFD = 0x8769
_DATETIME = 0x0132
_DATETIME_ORIGINAL = 0x9003


@dataclass(frozen=True)
class ProcessedPhoto:
    """A photo ready to store and send: JPEG bytes, their hash and a thumbnail."""

    sha256: str
    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int
    taken_at: str | None  # EXIF form "YYYY:MM:DD HH:MM:SS", the one piece of metadata kept


@dataclass(frozen=True)
class PhotoRef:
    """A photo stored on the phone; a record references it by ``sha256``."""

    sha256: str
    path: Path
    thumb_path: Path
    size: int
    width: int
    height: int
    taken_at: str | None = None


def process_photo(
    source: bytes | str | os.PathLike[str],
    *,
    max_edge: int = DEFAULT_MAX_EDGE,
    quality: int = DEFAULT_QUALITY,
    thumb_edge: int = THUMB_EDGE,
) -> ProcessedPhoto:
    """Run a picked or taken photo through the pipeline; raise ValidationProblem if it is not a usable image."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with _open(data) as img:
        taken_at = _capture_time(img)
        _draft(img, max_edge)
        try:
            upright = ImageOps.exif_transpose(img)
            rgb = _to_rgb(upright)
        except (OSError, SyntaxError, ValueError) as exc:
            raise _unreadable(exc) from None
    shrunk = _shrink(rgb, max_edge)
    jpeg = _encode(shrunk, quality=quality, taken_at=taken_at)
    thumb = _encode(_shrink(shrunk, thumb_edge), quality=THUMB_QUALITY, taken_at=None)
    return ProcessedPhoto(hashlib.sha256(jpeg).hexdigest(), jpeg, thumb, shrunk.width, shrunk.height, taken_at)


def photo_paths(data_dir: Path, sha256: str) -> tuple[Path, Path]:
    """Where a photo and its thumbnail live: fanned out by the first two hex digits."""
    folder = Path(data_dir) / PHOTO_DIR / sha256[:2]
    return folder / f"{sha256}.jpg", folder / f"{sha256}.thumb.jpg"


def ingest_photo(
    store: Store,
    data_dir: str | os.PathLike[str],
    source: bytes | str | os.PathLike[str],
    *,
    max_edge: int = DEFAULT_MAX_EDGE,
    quality: int = DEFAULT_QUALITY,
    max_bytes: int | None = None,
) -> PhotoRef:
    """Process a photo, refuse it now if the server would, store it once and remember it in the phone store.

    ``max_bytes`` defaults to the limit the server announced at the last sync (or the built-in default).
    Taking the same photo twice stores it once and returns the same reference.
    """
    if not hasattr(store, "transaction"):
        raise TypeError("ingest_photo needs the phone's Store (mobile.store.Store), not its Database")
    photo = process_photo(source, max_edge=max_edge, quality=quality)
    if max_bytes is not None:
        limit = max_bytes
    else:
        with store.reading() as db:
            limit = photo_store.max_photo_bytes(db, default=DEFAULT_MAX_PHOTO_BYTES)
    if len(photo.jpeg) > limit:
        raise LimitProblem(
            "photo.too_large",
            f"This photo is {_mb(len(photo.jpeg))} after shrinking; the server accepts at most {_mb(limit)}. "
            "Take it again from a little further away or with less detail.",
            {"size": len(photo.jpeg), "max_photo_bytes": limit},
        )
    path, thumb_path = photo_paths(Path(data_dir), photo.sha256)
    _write_once(path, photo.jpeg)
    _write_once(thumb_path, photo.thumbnail)
    root = Path(data_dir)
    with store.transaction() as db:
        photo_store.save_photo(
            db,
            sha256=photo.sha256,
            size=len(photo.jpeg),
            path=path.relative_to(root).as_posix(),
            thumb_path=thumb_path.relative_to(root).as_posix(),
            width=photo.width,
            height=photo.height,
            taken_at=photo.taken_at,
        )
    return PhotoRef(photo.sha256, path, thumb_path, len(photo.jpeg), photo.width, photo.height, photo.taken_at)


def photo_ref(store: Store, data_dir: str | os.PathLike[str], sha256: str) -> PhotoRef | None:
    """The stored photo with this hash, for showing it (thumbnail in lists, full photo on tap)."""
    with store.reading() as db:
        row = photo_store.get_photo(db, sha256=sha256)
    if row is None:
        return None
    root = Path(data_dir)
    return PhotoRef(
        row["sha256"],
        root / row["path"],
        root / row["thumb_path"],
        row["size"],
        row["width"],
        row["height"],
        row["taken_at"],
    )


def cleanup_photos(
    store: Store,
    data_dir: str | os.PathLike[str],
    *,
    keep: set[str] | None = None,
    grace: timedelta | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Delete photos that no saved record references (e.g. those of a discarded draft); return their hashes.

    ``keep`` names photos still in use by forms being filled in: they are not records yet. With ``grace``,
    only photos stored longer ago than that go, so a form left open (whose photos the app does not know
    about here) keeps them; the app cleans this way on its own (ORPHAN_GRACE).
    """
    before = None
    if grace is not None:
        before = ((now or datetime.now(UTC)).astimezone(UTC) - grace).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    with store.transaction() as db:
        removed = photo_store.forget_unreferenced(db, keep=keep or set(), taken_before=before)
    for sha256 in removed:
        for file in photo_paths(Path(data_dir), sha256):
            file.unlink(missing_ok=True)
    return removed


# ---- the steps ---------------------------------------------------------------------------
def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow warns from ~89 MP on; real camera JPEGs go past that, and our own limits follow.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise ValidationProblem(
            "photo.not_an_image", "This file is not a photo the app can read; pick a JPEG or PNG picture."
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise _unreadable(exc) from None
    limit = MAX_JPEG_PIXELS if img.format in ("JPEG", "MPO") else MAX_OTHER_PIXELS
    if img.width * img.height > limit:
        img.close()
        raise _too_many_pixels()
    return img


def _draft(img: Image.Image, max_edge: int) -> None:
    # JPEG can decode at 1/2, 1/4 or 1/8 scale directly: a 12 MP photo is read at ~3 MP for 1600 px.
    scale = max_edge / max(img.size)
    if img.format in ("JPEG", "MPO") and scale < 1:
        img.draft("RGB", (math.ceil(img.width * scale), math.ceil(img.height * scale)))


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        # Transparent areas become white, as they would look on paper, instead of black.
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale to 8 bits first or everything comes out white.
        return img.point(lambda v: v / 256).convert("L").convert("RGB")
    return img.convert("RGB")


def _shrink(img: Image.Image, max_edge: int) -> Image.Image:
    long_edge = max(img.size)
    if long_edge <= max_edge:
        return img
    scale = max_edge / long_edge
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _capture_time(img: Image.Image) -> str | None:
    try:
        exif = img.getexif()
        taken = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    except Exception:  # a broken EXIF block must not cost the photo; the time is a nicety
        return None
    if isinstance(taken, bytes):
        taken = taken.decode("ascii", "replace")
    if not isinstance(taken, str) or len(taken) != 19:
        return None
    return taken


def _encode(img: Image.Image, *, quality: int, taken_at: str | None) -> bytes:
    out = io.BytesIO()
    extra = {}
    if taken_at:
        exif = Image.Exif()  # a fresh block: nothing of the original (GPS, device, owner) comes along
        exif.get_ifd(_EXIF_IFD)[_DATETIME_ORIGINAL] = taken_at
        extra["exif"] = exif
    img.save(out, "JPEG", quality=quality, optimize=True, **extra)
    return out.getvalue()


def _write_once(path: Path, data: bytes) -> None:
    """Write atomically; a file already there has the same content by construction (its name is its hash)."""
    if path.exists() and path.stat().st_size == len(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _too_many_pixels() -> ValidationProblem:
    return ValidationProblem("photo.too_many_pixels", "This picture is far too large to be a photo; pick another one.")


def _unreadable(exc: BaseException) -> ValidationProblem:
    return ValidationProblem(
        "photo.unreadable",
        "This photo is damaged or incomplete and cannot be read; take it again.",
        {"reason": str(exc)[:200]},
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
