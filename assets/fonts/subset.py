"""Rebuild NotoSansCJK-subset.otf: the CJK glyphs the catalogs use plus the common characters.

Run from the repository root with fontTools installed (``pip install fonttools``) and Debian's
``fonts-noto-cjk`` package: ``python assets/fonts/subset.py``. Noto Sans CJK is under the SIL Open
Font License 1.1 (OFL.txt beside this file), which allows redistributing a subset.
"""

from __future__ import annotations

import json
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
HERE = Path(__file__).parent
TARGET = HERE / "NotoSansCJK-subset.otf"


def common_characters() -> set[str]:
    chars = {chr(c) for c in range(0x20, 0x250)}  # Latin, Latin-1, Latin Extended (Spanish and names)
    chars |= {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF00, 0xFFF0)}  # CJK punctuation
    chars |= set("·–—‘’“”…•→←↑↓√×÷°")
    # GB2312 level 1: the 3,755 most common simplified characters.
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    # Big5 level 1: the 5,401 common traditional characters.
    for hi in range(0xA4, 0xC7):
        for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            try:
                chars.add(bytes([hi, lo]).decode("big5"))
            except UnicodeDecodeError:
                pass
    for catalog in (HERE.parent.parent / "shared" / "locales").glob("*.json"):
        chars |= set("".join(json.loads(catalog.read_text(encoding="utf-8")).values()))
    return chars


def main() -> None:
    collection = TTCollection(str(SOURCE))
    font = next(f for f in collection.fonts if "SC" in f["name"].getDebugName(1))  # Noto Sans CJK SC
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # phones and browsers render CJK well unhinted; saves a fifth of the size
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(common_characters())))
    subsetter.subset(font)
    font.save(str(TARGET))
    print(TARGET, TARGET.stat().st_size)


if __name__ == "__main__":
    main()
