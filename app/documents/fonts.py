"""Fonts and paragraph styles of the printed documents.

* The document font is WenQuanYi Micro Hei (`resources/fonts/wqy-microhei.ttc`, face 0): TrueType, so
  reportlab embeds it, as a subset.
* Characters it lacks (𠮷 U+20BB7, 䶮 U+4DAE, the rest of CJK Extension A and the Extension B characters
  seen in names) are drawn with the fallback `HanaMin-rare.ttf`, and emoji pasted from WeChat (😀 👍 ✅)
  with `Symbola-emoji.ttf` (black outlines: reportlab cannot draw colour emoji fonts), chosen per
  character by the fonts' cmaps (`markup()` for Paragraphs, `runs()`/`draw_text()` for the canvas).
  Emoji presentation selectors (U+FE0F, U+FE0E) and joiners (U+200D) have no glyph anywhere and are
  left out, so "❤️" prints as one heart, not a heart and a box.
* reportlab writes the ToUnicode map of a subset with 4 hex digits per character, which truncates
  characters beyond the BMP (𠮷 came out of `pdftotext` as U+20BB). `_to_unicode_cmap` writes them as
  UTF-16 surrogate pairs instead; it replaces `reportlab.pdfbase.ttfonts.makeToUnicodeCMap` (same output
  for every BMP character).
* Chinese line breaking: the full-width punctuation that must not start a line is added to reportlab's
  `ALL_CANNOT_START` (both the `textsplit` and the `paragraph` module copies), so no line starts with "，".
* There is no bold face: headings use size and spacing, never a fake bold.

Nothing here imports Qt.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import paragraph

from app.paths import resources_dir

MAIN_FONT = "MDWenQuanYi"
MAIN_FILE = "wqy-microhei.ttc"
RARE_FONT = "MDHanaMinRare"
RARE_FILE = "HanaMin-rare.ttf"
EMOJI_FONT = "MDSymbolaEmoji"
EMOJI_FILE = "Symbola-emoji.ttf"
FALLBACKS = ((RARE_FONT, RARE_FILE), (EMOJI_FONT, EMOJI_FILE))  # in the order they are tried

# Must not begin a line (GB/T 15834 and common practice): closing brackets and quotes, pause and stop marks.
CANNOT_START = "，。、；：！？》〉）」』】〕〗〙〛｝］”’…—～·％‰．｡､ﾞﾟ〃々"


class FontMissing(RuntimeError):
    """The document font is not where the program expects it (a damaged installation)."""


@dataclass(frozen=True)
class Fonts:
    main: str
    main_chars: frozenset[int]
    fallbacks: tuple[tuple[str, frozenset[int]], ...]  # (font name, its characters), tried in order

    @property
    def rare(self) -> str | None:
        return next((name for name, _chars in self.fallbacks if name == RARE_FONT), None)

    def font_for(self, char: str) -> str:
        code = ord(char)
        if code in self.main_chars:
            return self.main
        return next((name for name, chars in self.fallbacks if code in chars), self.main)


_lock = threading.Lock()


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's ToUnicode CMap, with characters beyond the BMP written as UTF-16 surrogate pairs."""

    def utf16(code: int) -> str:
        if code > 0xFFFF:
            code -= 0x10000
            return f"{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}"
        return f"{code:04X}"

    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange", f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{utf16(code)}>" for i, code in enumerate(subset)),
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ]
    return "\n".join(lines)


def _extend_line_breaking() -> None:
    extra = "".join(c for c in CANNOT_START if c not in textsplit.ALL_CANNOT_START)
    if extra:
        textsplit.ALL_CANNOT_START = textsplit.ALL_CANNOT_START + extra
    missing = "".join(c for c in textsplit.ALL_CANNOT_START if c not in paragraph.ALL_CANNOT_START)
    if missing:
        paragraph.ALL_CANNOT_START = paragraph.ALL_CANNOT_START + missing


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


@cache
def fonts() -> Fonts:
    """Register the document fonts with reportlab (once; later calls return the cached result)."""
    with _lock:
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        _extend_line_breaking()
        main_path = fonts_dir() / MAIN_FILE
        if not main_path.is_file():
            raise FontMissing(f"The document font {main_path} is missing; reinstall Mediation Desk.")
        main = TTFont(MAIN_FONT, str(main_path), subfontIndex=0)
        pdfmetrics.registerFont(main)
        # no bold or italic faces: map them to the regular one, so <b> never fails or fakes a bold
        pdfmetrics.registerFontFamily(MAIN_FONT, normal=MAIN_FONT, bold=MAIN_FONT, italic=MAIN_FONT,
                                      boldItalic=MAIN_FONT)
        fallbacks = []
        for name, file_name in FALLBACKS:
            path = fonts_dir() / file_name
            if path.is_file():
                font = TTFont(name, str(path))
                pdfmetrics.registerFont(font)
                pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
                fallbacks.append((name, frozenset(font.face.charToGlyph)))
        return Fonts(MAIN_FONT, frozenset(main.face.charToGlyph), tuple(fallbacks))


# ---------------------------------------------------------------- text

_XML_INVALID = {c: None for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)}
_XML_INVALID.update({0xFE0E: None, 0xFE0F: None, 0x200D: None})  # emoji selectors and joiners: no glyph


def clean(text: str | None) -> str:
    """Text without the control characters that PDF text and reportlab's markup cannot carry (nor the
    emoji selectors and joiners no font here draws)."""
    if not text:
        return ""
    return text.translate(_XML_INVALID).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")


def runs(text: str) -> list[tuple[str, str]]:
    """`text` cut into (font name, piece) runs: the main font, and the fallback for the characters it lacks."""
    f = fonts()
    result: list[tuple[str, str]] = []
    for char in clean(text):
        name = f.font_for(char)
        if result and result[-1][0] == name:
            result[-1] = (name, result[-1][1] + char)
        else:
            result.append((name, char))
    return result


def markup(text: str | None) -> str:
    """Paragraph markup for plain `text`: XML-escaped, newlines as <br/>, rare characters in the fallback font."""
    f = fonts()
    parts: list[str] = []
    for name, piece in runs(text or ""):
        escaped = escape(piece).replace("\n", "<br/>")
        parts.append(escaped if name == f.main else f'<font name="{name}">{escaped}</font>')
    return "".join(parts)


def text_width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in runs(text))


def draw_text(canvas: Canvas, x: float, y: float, text: str, size: float, align: str = "left",
              char_space: float = 0) -> None:
    """Draw one line of text on the canvas, with the fallback font where needed (align: left, centre, right)."""
    pieces = runs(text.replace("\n", " "))
    width = sum(pdfmetrics.stringWidth(p, n, size) for n, p in pieces) + char_space * max(len(text) - 1, 0)
    if align == "centre":
        x -= width / 2
    elif align == "right":
        x -= width
    obj = canvas.beginText(x, y)
    if char_space:
        obj.setCharSpace(char_space)
    for name, piece in pieces:
        obj.setFont(name, size)
        obj.textOut(piece)
    canvas.drawText(obj)


# ---------------------------------------------------------------- styles

@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle  # running text, 12 pt (小四)
    body_indent: ParagraphStyle  # a paragraph with a two-character first-line indent
    amount: ParagraphStyle  # the line with a term's sum of money, under the term's text
    heading: ParagraphStyle  # a section heading: larger, with space above, no bold
    cell: ParagraphStyle  # text in a form's table cell, 10.5 pt (五号)
    cell_centre: ParagraphStyle
    cell_amount: ParagraphStyle  # a term's sum of money in a grid cell, indented under the term
    label: ParagraphStyle  # the label cell of a form, centred
    small: ParagraphStyle
    small_centre: ParagraphStyle
    caption: ParagraphStyle  # the grey hint in a signature box
    date: ParagraphStyle  # the date line under a signature box
    right: ParagraphStyle  # the document number at the top right
    subtitle: ParagraphStyle  # the committee's name above a title
    title: ParagraphStyle  # a title that may wrap (the cover)
    cover_title: ParagraphStyle


@cache
def styles() -> Styles:
    main = fonts().main

    def style(name: str, size: float, leading: float, **kw: object) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=main, fontSize=size, leading=leading, wordWrap="CJK",
                              alignment=kw.pop("alignment", TA_LEFT), **kw)

    return Styles(
        body=style("md-body", 12, 20, spaceAfter=2),
        body_indent=style("md-body-indent", 12, 20, firstLineIndent=24, spaceAfter=2),
        amount=style("md-amount", 12, 20, leftIndent=48, spaceAfter=2),
        heading=style("md-heading", 13.5, 20, spaceBefore=8, spaceAfter=4),
        cell=style("md-cell", 10.5, 15),
        cell_amount=style("md-cell-amount", 10.5, 15, leftIndent=21),
        cell_centre=style("md-cell-centre", 10.5, 15, alignment=TA_CENTER),
        label=style("md-label", 10.5, 15, alignment=TA_CENTER),
        small=style("md-small", 9, 12),
        small_centre=style("md-small-centre", 9, 12, alignment=TA_CENTER),
        date=style("md-date", 10.5, 15, alignment=TA_RIGHT, spaceBefore=2),
        caption=style("md-caption", 9, 12, textColor=colors.Color(0.45, 0.45, 0.45)),
        right=style("md-right", 12, 18, alignment=TA_RIGHT),
        subtitle=style("md-subtitle", 12, 18, alignment=TA_CENTER, spaceAfter=2),
        title=style("md-title", 20, 28, alignment=TA_CENTER, spaceAfter=10),
        cover_title=style("md-cover-title", 26, 36, alignment=TA_CENTER, spaceAfter=12),
    )
