"""Reading checkpoint codes (QR or 1-D barcodes) from a camera picture; the decoder is optional on a phone build."""

from __future__ import annotations

import importlib.util
import io
import warnings
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

# A label a few centimetres wide is plenty at this size; bigger pictures only cost time on a phone.
MAX_EDGE = 1600
MAX_PIXELS = 60_000_000  # anything bigger is not a camera picture of a label
MAX_CODE_CHARS = 200  # what a proof's code may hold (shared.model.Proof)


def decoder_available() -> bool:
    """Whether this installation can decode codes (zxing-cpp is a native wheel some phone builds lack)."""
    return importlib.util.find_spec("zxingcpp") is not None


def read_codes(image_bytes: bytes) -> list[str]:
    """The texts of every code found in the picture, in the decoder's order; empty when none is readable.

    A picture that is not an image, is too big, or shows no code gives an empty list: the caller asks the
    user to try again or type the code, so there is nothing to raise.
    """
    image = _open(image_bytes)
    if image is None:
        return []
    import zxingcpp  # imported here: without the native decoder the app still starts, typing codes works

    found: list[str] = []
    for barcode in zxingcpp.read_barcodes(image):
        text = _clean(barcode.text)
        if barcode.valid and text and text not in found:
            found.append(text)
    return found


def decode_checkpoint_code(image_bytes: bytes) -> str | None:
    """The first code in the picture, or None when there is none."""
    codes = read_codes(image_bytes)
    return codes[0] if codes else None


def _open(data: bytes) -> Any:
    """A small upright greyscale copy of the picture, or None when it cannot be read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit follows
            img = Image.open(io.BytesIO(data))
            if img.width * img.height > MAX_PIXELS:
                return None
            if img.format in ("JPEG", "MPO"):
                img.draft("L", (MAX_EDGE, MAX_EDGE))  # decode big camera JPEGs at a fraction of their size
            upright = ImageOps.exif_transpose(img).convert("L")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    upright.thumbnail((MAX_EDGE, MAX_EDGE))
    return upright


def _clean(text: str) -> str:
    # Printed labels sometimes carry a trailing newline or control characters; a code is one line.
    line = "".join(ch for ch in text if ch.isprintable()).strip()
    return line[:MAX_CODE_CHARS]
