"""Builds resources/fonts/Symbola-emoji.ttf: the fallback font for emoji in printed documents.

Text pasted from WeChat into a case's facts or a note carries emoji; neither WenQuanYi nor Hanazono has
them, and reportlab cannot draw colour emoji fonts. Symbola (George Douros; Debian fonts-symbola, "free
for any use") draws them in black outline. This keeps its emoji and pictograph blocks only. Run once by a
developer: `apt-get download fonts-symbola && dpkg -x fonts-symbola_*.deb x`, then
`python tools/make_emoji_font.py x/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.ttLib import TTFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_rare_font import _subset, rename_font

OUT = Path(__file__).resolve().parent.parent / "resources" / "fonts" / "Symbola-emoji.ttf"
BLOCKS = [
    (0x2190, 0x21FF),  # arrows
    (0x2300, 0x23FF),  # miscellaneous technical (⌚ ⏰)
    (0x2460, 0x24FF),  # enclosed alphanumerics
    (0x25A0, 0x27BF),  # shapes, miscellaneous symbols (☀ ☎ ♥), dingbats (✅ ✨)
    (0x2900, 0x2BFF),  # supplemental arrows, miscellaneous symbols and arrows (⭐ ⭕)
    (0x1F000, 0x1F2FF),  # mahjong, cards, enclosed alphanumerics and ideographs (🈶)
    (0x1F300, 0x1F6FF),  # pictographs, emoticons (😀), transport (🚗)
    (0x1F900, 0x1F9FF),  # supplemental symbols and pictographs (🤝)
]


def main() -> int:
    source = Path(sys.argv[1])
    _subset(source, [c for start, end in BLOCKS for c in range(start, end + 1)], OUT)
    font = TTFont(str(OUT))
    rename_font(font, "Symbola Emoji", "SymbolaEmoji")
    font.save(str(OUT))
    cmap = TTFont(str(OUT)).getBestCmap()
    missing = [c for c in "😀👍❤🙏🚗☎✅⭐🤝" if ord(c) not in cmap]
    print(OUT, OUT.stat().st_size, "bytes;", len(cmap), "characters; missing:", missing)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
