"""Reading checkpoint codes from a camera picture with whichever decoder this installation has.

zxing-cpp (QR and 1-D barcodes) where it is installed; otherwise OpenCV's QR detector, the decoder Flet's mobile
package index has for phone builds (``opencv-python`` there, ``opencv-python-headless`` on desktops and CI).
"""

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
    """Whether this installation can decode codes: either native decoder will do (checked without importing)."""
    return any(_installed(name) for name in ("zxingcpp", "cv2"))


def read_codes(image_bytes: bytes) -> list[str]:
    """The texts of every code found in the picture, in the decoder's order; empty when none is readable.

    A picture that is not an image, is too big, or shows no code gives an empty list: the caller asks the
    user to try again or type the code, so there is nothing to raise.
    """
    image = _open(image_bytes)
    if image is None:
        return []
    found: list[str] = []
    for raw in _decode(image):
        text = _clean(raw)
        if text and text not in found:
            found.append(text)
    return found


def decode_checkpoint_code(image_bytes: bytes) -> str | None:
    """The first code in the picture, or None when there is none."""
    codes = read_codes(image_bytes)
    return codes[0] if codes else None


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _decode(image: Any) -> list[str]:
    """zxing-cpp when it imports, else OpenCV; imported here, so without either the app starts and typing works."""
    try:
        import zxingcpp
    except ImportError:
        return _opencv(image)
    return [barcode.text for barcode in zxingcpp.read_barcodes(image) if barcode.valid]


def _opencv(image: Any) -> list[str]:
    """QR codes only: the labels this product prints are QR codes (sync_server.labels)."""
    try:
        import cv2
        import numpy
    except ImportError:
        return []
    pixels = numpy.asarray(image)
    # The ArUco-based detector (OpenCV 4.8+) reads printed labels the classic one sometimes misses, and the
    # classic one's single-code search sometimes finds what its many-codes search missed: try each in turn.
    searches = [cv2.QRCodeDetector().detectAndDecodeMulti, _single(cv2.QRCodeDetector())]
    if hasattr(cv2, "QRCodeDetectorAruco"):
        searches.insert(0, cv2.QRCodeDetectorAruco().detectAndDecodeMulti)
    for search in searches:
        ok, texts, *_ = search(pixels)
        found = [text for text in texts if text] if ok else []
        if found:
            return found
    return []


def _single(detector: Any) -> Any:
    """The one-code search, answering like the many-codes one: (found, texts, ...)."""

    def search(pixels: Any) -> tuple[bool, list[str]]:
        text = detector.detectAndDecode(pixels)[0]
        return bool(text), [text]

    return search


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
