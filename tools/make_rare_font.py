"""Builds resources/fonts/HanaMin-rare.ttf: the fallback font for rare characters in names.

It is a subset of the Hanazono Mincho fonts (Debian fonts-hanazono; Hanazono Font License / SIL OFL):
all of CJK Extension A (U+3400–U+4DBF) from HanaMinA, plus the Extension B characters listed below
(seen in personal names) from HanaMinB. Run once by a developer: `python tools/make_rare_font.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont

SRC = Path("/usr/share/fonts/truetype/hanazono")
OUT = Path(__file__).resolve().parent.parent / "resources" / "fonts" / "HanaMin-rare.ttf"
EXT_B_NAME_CHARS = "𠮷𡈼𣲗𨭉𩽾𩾌𠙶𡎚𤧛𥔲𦍑𧿹𨚕𪚥𠇹𡘙𢚖𣘗𤆬𥁕𦈡𧾷𨙸𩙿𪟝𠊎𠝹𡌶𡗗𢀖𢈈𣎴𤩽𥘅𦙶𧊅𨐈𩇦𪉖𬌗𬀩𬍛𬎆𬜯𫗧𬘬"


def _subset(path: Path, unicodes: list[int], out: Path) -> None:
    opts = subset.Options()
    opts.layout_features = []
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    font = subset.load_font(str(path), opts)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(font)
    font.save(str(out))


def rename_font(font: TTFont, family: str, postscript: str) -> None:
    """Give a subset its own names, so no system confuses it with the full font."""
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = family
        elif record.nameID == 6:
            record.string = postscript


def main() -> int:
    tmp_a, tmp_b = OUT.with_suffix(".a.ttf"), OUT.with_suffix(".b.ttf")
    _subset(SRC / "HanaMinA.ttf", list(range(0x3400, 0x4DC0)), tmp_a)
    _subset(SRC / "HanaMinB.ttf", [ord(c) for c in EXT_B_NAME_CHARS], tmp_b)
    merged = Merger().merge([str(tmp_a), str(tmp_b)])
    rename_font(merged, "HanaMin Rare", "HanaMinRare")
    merged.save(str(OUT))
    tmp_a.unlink()
    tmp_b.unlink()
    cmap = TTFont(str(OUT)).getBestCmap()
    missing = [c for c in "䶮𠮷" if ord(c) not in cmap]
    print(OUT, OUT.stat().st_size, "bytes; missing:", missing)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
