"""The page and the building blocks shared by every form: A4 with 25 mm margins, the "第 N 页 共 M 页"
footer, titles, label–value grids like the paper forms, lines for handwriting, signature-and-thumbprint
boxes and the seal area. `build()` renders a list of flowables to a file or a binary stream.

The footer needs the page count, and the case file's contents list the page each document starts on:
`DocCanvas` keeps every finished page in memory and draws those numbers when the document is saved
(one layout pass, no second build).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from app.documents.fonts import draw_text, fonts, markup, styles, text_width

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 25 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
FRAME_HEIGHT = PAGE_HEIGHT - 2 * MARGIN
FOOTER_Y = 13 * mm
GRID_WIDTH = 0.6
TOTAL_PAGES = "__total__"
BLANK_DATE = "　　　　年　　月　　日"

Cell: TypeAlias = "str | Flowable | list[Flowable] | None"
ACROSS = "\x00across"  # in a Form row: the cell before this one spans it


@dataclass(frozen=True)
class PageSetup:
    """A page: its size, its margins (the same left and right) and where the footer line sits."""

    width: float
    height: float
    side_margin: float
    top_margin: float
    bottom_margin: float
    footer_y: float

    @property
    def frame_width(self) -> float:
        return self.width - 2 * self.side_margin

    @property
    def frame_height(self) -> float:
        return self.height - self.top_margin - self.bottom_margin


PORTRAIT = PageSetup(PAGE_WIDTH, PAGE_HEIGHT, MARGIN, MARGIN, MARGIN, FOOTER_Y)  # every form


# ---------------------------------------------------------------- the canvas

class DocCanvas(Canvas):
    """A canvas that holds its pages until `save()`, then draws the footer ("第 N 页 共 M 页", and a note
    such as the case number at the left) and the deferred numbers (`PageRef`) on each of them."""

    footer_note = ""
    page = PORTRAIT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initialFontName", fonts().main)
        super().__init__(*args, **kwargs)
        self.saved_pages: list[dict[str, Any]] = []
        self.marks: dict[str, int] = {}
        self.deferred: list[tuple[int, float, float, str, float, str]] = []

    def showPage(self) -> None:
        self.saved_pages.append(dict(self.__dict__))
        self._startPage()

    def resolve(self, key: str) -> str:
        if key == TOTAL_PAGES:
            return str(len(self.saved_pages))
        page = self.marks.get(key)
        return str(page) if page else ""

    def save(self) -> None:
        total = len(self.saved_pages)
        for number, state in enumerate(self.saved_pages, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFillColor(colors.black)
            draw_text(self, self.page.width / 2, self.page.footer_y, f"第  {number}  页  共  {total}  页", 9, "centre")
            if self.footer_note:
                self.setFillColor(colors.grey)
                draw_text(self, self.page.side_margin, self.page.footer_y, self.footer_note, 8)
                self.setFillColor(colors.black)
            for page, x, y, key, size, align in self.deferred:
                if page == number:
                    draw_text(self, x, y, self.resolve(key), size, align)
            self.restoreState()
            Canvas.showPage(self)
        Canvas.save(self)


def _canvasmaker(note: str, page: PageSetup) -> Callable[..., DocCanvas]:
    def make(*args: Any, **kwargs: Any) -> DocCanvas:
        canvas = DocCanvas(*args, **kwargs)
        canvas.footer_note = note
        canvas.page = page
        return canvas

    return make


def build(story: Sequence[Flowable], out: Path | BinaryIO, *, title: str, author: str = "", subject: str = "",
          footer_note: str = "", page: PageSetup = PORTRAIT) -> None:
    """Render `story` as a PDF of `page`s (A4 upright unless told) to `out` (a path, written through a temporary
    file, or a binary stream)."""
    f = fonts()
    if isinstance(out, (str, Path)):
        path = Path(out)
        buffer = io.BytesIO()
        build(story, buffer, title=title, author=author, subject=subject, footer_note=footer_note, page=page)
        part = path.with_name(path.name + ".part")
        part.write_bytes(buffer.getvalue())
        os.replace(part, path)
        return
    doc = BaseDocTemplate(out, pagesize=(page.width, page.height), leftMargin=page.side_margin,
                          rightMargin=page.side_margin, topMargin=page.top_margin, bottomMargin=page.bottom_margin,
                          title=title, author=author, subject=subject, creator="Mediation Desk 调解工作台",
                          initialFontName=f.main, lang="zh-CN")
    frame = Frame(page.side_margin, page.bottom_margin, page.frame_width, page.frame_height, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(list(story), canvasmaker=_canvasmaker(footer_note, page))


def to_bytes(story: Sequence[Flowable], *, title: str, author: str = "", subject: str = "", footer_note: str = "") -> bytes:
    buffer = io.BytesIO()
    build(story, buffer, title=title, author=author, subject=subject, footer_note=footer_note)
    return buffer.getvalue()


# ---------------------------------------------------------------- small flowables

class Mark(Flowable):
    """Remembers the page it lands on, under `key` (where a document of the case file starts)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canvas = self.canv
        if isinstance(canvas, DocCanvas):
            canvas.marks.setdefault(self.key, canvas.getPageNumber())


class PageRef(Flowable):
    """A number known only when the document is finished: the page of a `Mark`, or the page count."""

    def __init__(self, key: str, size: float = 10.5, align: str = "centre") -> None:
        super().__init__()
        self.key, self.size, self.align = key, size, align

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, self.size * 1.2
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        if not isinstance(canvas, DocCanvas):
            return
        x = {"centre": self.width / 2, "right": self.width}.get(self.align, 0.0)
        ax, ay = canvas.absolutePosition(x, self.size * 0.25)
        canvas.deferred.append((canvas.getPageNumber(), ax, ay, self.key, self.size, self.align))


class Title(Flowable):
    """A form's title: large, centred, letter-spaced (no bold face exists; size and spacing mark it)."""

    def __init__(self, text: str, size: float = 20, char_space: float = 4, space_after: float = 10) -> None:
        super().__init__()
        self.text, self.size, self.char_space, self.space_after = text, size, char_space, space_after

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, self.size * 1.5 + self.space_after
        return self.width, self.height

    def draw(self) -> None:
        draw_text(self.canv, self.width / 2, self.space_after + self.size * 0.4, self.text, self.size, "centre",
                  char_space=self.char_space)


class HandLines(Flowable):
    """Ruled lines to write on by hand, for a field left empty."""

    def __init__(self, count: int = 3, spacing: float = 22, width: float | None = None) -> None:
        super().__init__()
        self.count, self.spacing, self.fixed_width = max(count, 1), spacing, width

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = self.fixed_width or availWidth
        self.height = self.count * self.spacing
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(colors.Color(0.55, 0.55, 0.55))
        canvas.setLineWidth(0.4)
        for i in range(self.count):
            y = self.height - (i + 1) * self.spacing + 3
            canvas.line(0, y, self.width, y)
        canvas.restoreState()


class SealArea(Flowable):
    """Where the committee's seal goes: the seal text in a dashed circle (the real seal is stamped over it),
    "（调解委员会印章）" under it, and the date. At the right of the frame, or centred in a narrow column."""

    RADIUS = 20 * mm

    def __init__(self, seal_text: str, date_text: str = "", committee_line: str = "", centred: bool = False) -> None:
        super().__init__()
        self.seal_text, self.date_text, self.committee_line = seal_text, date_text or BLANK_DATE, committee_line
        self.centred = centred

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = 2 * self.RADIUS + 46 + (18 if self.committee_line else 0)
        return self.width, self.height

    def seal_lines(self, size: float) -> list[str]:
        """The seal text in as few lines as fit the circle, of about equal length."""
        text = self.seal_text.strip()
        limit = self.RADIUS * 1.55
        count = 1
        while count < 4 and text_width(text, size) / count > limit:
            count += 1
        per_line = -(-len(text) // count)
        return [text[i:i + per_line] for i in range(0, len(text), per_line)][:4]

    def draw(self) -> None:
        canvas = self.canv
        cx = self.width / 2 if self.centred else self.width - 38 * mm
        top = self.height
        if self.committee_line:
            draw_text(canvas, cx, top - 13, self.committee_line, 12, "centre")
            top -= 18
        cy = top - self.RADIUS - 2
        canvas.saveState()
        canvas.setStrokeColor(colors.Color(0.5, 0.5, 0.5))
        canvas.setLineWidth(0.6)
        canvas.setDash(3, 2)
        canvas.circle(cx, cy, self.RADIUS, stroke=1, fill=0)
        canvas.setDash()
        canvas.setFillColor(colors.Color(0.6, 0.6, 0.6))
        size = 9.0
        lines = self.seal_lines(size)
        step = size * 1.35
        first = cy + (len(lines) - 1) * step / 2 - size * 0.35
        for i, line in enumerate(lines):
            draw_text(canvas, cx, first - i * step, line, size, "centre")
        canvas.restoreState()
        draw_text(canvas, cx, cy - self.RADIUS - 16, "（调解委员会印章）", 10.5, "centre")
        draw_text(canvas, cx, cy - self.RADIUS - 36, self.date_text, 12, "centre")


# ---------------------------------------------------------------- paragraphs and grids

def para(text: str | None, style: str = "body") -> Paragraph:
    return Paragraph(markup(text), getattr(styles(), style))


def paras(text: str | None, style: str = "body") -> list[Flowable]:
    """One Paragraph per line of `text` (so a long text breaks between pages at its paragraphs too)."""
    lines = [line.strip() for line in (text or "").split("\n")]
    return [para(line, style) for line in lines if line]


def text_or_lines(text: str | None, count: int = 3, style: str = "cell", spacing: float = 22) -> list[Flowable]:
    """The text as paragraphs, or ruled lines to write on when it is empty."""
    flowables = paras(text, style)
    return flowables or [HandLines(count, spacing)]


def label(text: str) -> Paragraph:
    return Paragraph(markup(text), styles().label)


def title_block(committee: str, title: str, *, size: float = 18, space_after: float = 6) -> list[Flowable]:
    """The head of a register, report or sheet: the committee's name, then the title under it, large and
    letter-spaced."""
    return [para(committee, "subtitle"), Title(title, size=size, char_space=2, space_after=space_after)]


def _cell(value: Cell) -> Flowable | list[Flowable] | str:
    if value is None:
        return ""
    if isinstance(value, str):
        return Paragraph(markup(value), styles().cell) if value else ""
    return value


def grid(rows: Sequence[Sequence[Cell]], widths: Sequence[float], *, spans: Sequence[tuple[int, int, int, int]] = (),
         heights: Sequence[float | None] | None = None, extra: Sequence[tuple[Any, ...]] = (),
         split_in_row: bool = False) -> Table:
    """A form grid: every cell boxed, labels (made with `label()`) centred, values as wrapped paragraphs.
    `widths` are fractions of the frame width when they add up to about 1, else points. Spans are
    (col0, row0, col1, row1) as in reportlab. Rows grow with their text; the table breaks between rows
    (long texts go in `Form.text` fields, which break inside too)."""
    col_widths = _widths(widths)
    data = [[_cell(c) for c in row] for row in rows]
    row_heights: list[float | None] = list(heights) if heights is not None else [None] * len(rows)
    table = Table(data, colWidths=col_widths, rowHeights=row_heights, splitByRow=1, splitInRow=1 if split_in_row else 0)
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts().main),
        ("GRID", (0, 0), (-1, -1), GRID_WIDTH, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]
    commands += [("SPAN", (c0, r0), (c1, r1)) for c0, r0, c1, r1 in spans]
    commands += list(extra)
    table.setStyle(TableStyle(commands))
    return table


def _widths(widths: Sequence[float]) -> list[float]:
    total = sum(widths)
    return [w * FRAME_WIDTH / total for w in widths] if total <= 1.01 else list(widths)


class Form:
    """A paper form built row by row: short rows (label, value, label, value …) go into grid tables;
    each long text field gets one table per paragraph, joined without lines between them, so a long
    field flows over pages in linear time (reportlab re-measures a whole table at every page break)."""

    def __init__(self, widths: Sequence[float], extra: Sequence[tuple[Any, ...]] = ()) -> None:
        self.widths = _widths(widths)
        self.extra = list(extra)  # more style commands for the grid tables (e.g. taller padding)
        self.columns = len(self.widths)
        self.parts: list[Flowable] = []
        self._rows: list[list[Cell]] = []
        self._spans: list[tuple[int, int, int, int]] = []

    def row(self, *cells: Cell) -> Form:
        """A row of label and value cells; a cell followed by `ACROSS` cells spans them."""
        assert len(cells) == self.columns, cells
        r = len(self._rows)
        self._rows.append(["" if c is ACROSS else c for c in cells])
        c = 0
        while c < self.columns:
            end = c
            while end + 1 < self.columns and cells[end + 1] is ACROSS:
                end += 1
            if end > c:
                self._spans.append((c, r, end, r))
            c = end + 1
        return self

    def wide(self, title: str, value: Cell) -> Form:
        """A label and one value across the rest of the row."""
        return self.row(label(title), value, *[ACROSS] * (self.columns - 2))

    def text(self, title: str, text: str | None, lines: int = 3, style: str = "cell") -> Form:
        """A long text field: the label, then the text paragraph by paragraph (or lines to write on)."""
        return self.block(title, paras(text, style), lines)

    def block(self, title: str, flowables: list[Flowable], lines: int = 3) -> Form:
        self._flush()
        items: list[Flowable] = flowables or [HandLines(lines)]
        last = len(items) - 1
        for i, item in enumerate(items):
            # two columns, no span: reportlab mislays a spanned cell when it splits a row across pages
            table = Table([[label(title) if i == 0 else "", item]], colWidths=[self.widths[0], sum(self.widths[1:])],
                          splitByRow=1, splitInRow=1)
            commands: list[tuple[Any, ...]] = [
                ("FONTNAME", (0, 0), (-1, -1), fonts().main),
                ("LINEBEFORE", (0, 0), (1, -1), GRID_WIDTH, colors.black),
                ("LINEAFTER", (-1, 0), (-1, -1), GRID_WIDTH, colors.black),
                ("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), GRID_WIDTH, colors.black),
                ("LINEABOVE", (0, "splitfirst"), (-1, "splitfirst"), GRID_WIDTH, colors.black),
                ("VALIGN", (0, 0), (0, -1), "MIDDLE" if last == 0 else "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 4 if i == 0 else 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5 if i == last else 1),
            ]
            if i == 0:
                commands.append(("LINEABOVE", (0, 0), (-1, 0), GRID_WIDTH, colors.black))
            if i == last:
                commands.append(("LINEBELOW", (0, 0), (-1, 0), GRID_WIDTH, colors.black))
            table.setStyle(TableStyle(commands))
            self.parts.append(table)
        return self

    def _flush(self) -> None:
        if self._rows:
            self.parts.append(grid(self._rows, self.widths, spans=self._spans, extra=self.extra))
            self._rows, self._spans = [], []

    def flowables(self) -> list[Flowable]:
        self._flush()
        return self.parts


# ---------------------------------------------------------------- signatures

class SignBox(Flowable):
    """A box to sign and press a thumbprint in, with its caption in grey at the top left."""

    def __init__(self, caption: str, height: float = 17 * mm) -> None:
        super().__init__()
        self.caption, self.box_height = caption, height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, self.box_height
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setLineWidth(GRID_WIDTH)
        canvas.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        canvas.setFillColor(colors.Color(0.45, 0.45, 0.45))
        draw_text(canvas, 4, self.height - 11, self.caption, 8.5)
        canvas.restoreState()


def signature_table(entries: Sequence[tuple[str, str, str]], date_text: str = "", width: float = FRAME_WIDTH,
                    columns: int | None = None) -> Table:
    """The signers: "申请人：张三" beside a box "签名（按指印）" to sign and press a thumbprint in, with the
    date line under the box; two signers a row across the full width. `entries` are (role, name, caption
    of the box); an empty name leaves a line to write the name on."""
    s = styles()
    if columns is None:
        columns = 2 if width > 0.8 * FRAME_WIDTH and len(entries) > 1 else 1
    per = width / columns
    box = per * 0.64 if columns > 1 else min(0.58 * width, 72 * mm)
    cells: list[Cell] = []
    for role, name, caption in entries:
        who: list[Flowable] = [Paragraph(markup(f"{role}："), s.cell)]
        who.append(Paragraph(markup(name), s.cell) if name else HandLines(1, 18))
        cells += [who, [SignBox(caption), Paragraph(markup(date_text or BLANK_DATE), s.date)]]
    while len(cells) % (2 * columns):
        cells.append("")
    rows = [cells[i:i + 2 * columns] for i in range(0, len(cells), 2 * columns)]
    table = Table(rows, colWidths=[per - box, box] * columns, splitByRow=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts().main),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def signatures_and_seal(entries: Sequence[tuple[str, str, str]], seal_text: str, date_text: str = "",
                        committee_line: str = "") -> list[Flowable]:
    """The signers at the left and the committee's seal area at the right, side by side; stacked when
    there are too many signers to keep beside the seal on one page."""
    seal = SealArea(seal_text, date_text, committee_line, centred=True)
    if len(entries) > 6:
        return [signature_table(entries, date_text), Spacer(1, 4 * mm), SealArea(seal_text, date_text, committee_line)]
    left = 0.62 * FRAME_WIDTH
    outer = Table([[signature_table(entries, date_text, left - 8), seal]], colWidths=[left, FRAME_WIDTH - left])
    outer.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts().main),
        ("VALIGN", (0, 0), (0, 0), "TOP"),
        ("VALIGN", (1, 0), (1, 0), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return [outer]
