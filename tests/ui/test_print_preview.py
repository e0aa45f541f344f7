"""The print preview shows the real PDF offscreen, prints it page by page with the copies asked for, and
saves it atomically under a name of its title and number."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot
from reportlab.pdfgen import canvas

from app.errors import DeskError
from app.ui.print_preview import PrintPreviewDialog, safe_file_name, write_atomically


def small_pdf(pages: int = 2) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for n in range(pages):
        pdf.drawString(72, 720, f"page {n + 1}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_the_preview_shows_the_pdf_and_moves_between_pages(qtbot: QtBot) -> None:
    dialog = PrintPreviewDialog(small_pdf(2), "人民调解协议书", 3, file_name="人民调解协议书-（2026）甘调字第0012号.pdf")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.is_ready() and dialog.page_count() == 2
    assert dialog.thumbnails.count() == 2
    assert dialog.copies.value() == 3
    assert dialog.page_label.text() == "Page 1 of 2"
    assert not dialog.previous_button.isEnabled() and dialog.next_button.isEnabled()
    dialog.go_to_page(1)
    assert dialog.page_label.text() == "Page 2 of 2" and dialog.thumbnails.currentRow() == 1
    before = dialog.view.zoomFactor()
    dialog.zoom(1.25)
    assert dialog.view.zoomFactor() > before


def test_print_paints_every_page_for_every_copy(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = PrintPreviewDialog(small_pdf(2), "回访记录", 2)
    qtbot.addWidget(dialog)
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setCopyCount(dialog.copies.value())
    asked: list[int] = []

    def fake_dialog(_parent: object, chosen: QPrinter) -> bool:
        asked.append(chosen.copyCount())
        return False  # the user cancelled

    dialog.choose_printer = fake_dialog
    assert dialog.print_document() is False and asked == [2]
    assert dialog.print_to(printer) == 4  # a PDF "printer" cannot make copies itself: the pages are repeated
    assert pdf_pages(tmp_path / "printed.pdf") == 4


def test_save_as_pdf_writes_the_same_bytes_atomically(qtbot: QtBot, tmp_path: Path) -> None:
    data = small_pdf(1)
    dialog = PrintPreviewDialog(data, "调解协议书", 3, file_name="调解协议书-（2026）甘调字第0012号.pdf")
    qtbot.addWidget(dialog)
    offered: list[Path] = []

    def chooser(_parent: object, default: Path) -> Path:
        offered.append(default)
        return tmp_path / default.name

    dialog.choose_save_path = chooser
    saved = dialog.save_pdf()
    assert offered[0].name == "调解协议书-（2026）甘调字第0012号.pdf"
    assert saved is not None and saved.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == [saved.name]  # no temporary file left behind
    dialog.choose_save_path = lambda _parent, _default: None  # cancelled
    assert dialog.save_pdf() is None


def test_a_document_made_on_the_worker_and_one_that_fails(qtbot: QtBot) -> None:
    dialog = PrintPreviewDialog(lambda: small_pdf(3), "卷宗", 1)
    qtbot.addWidget(dialog)
    assert dialog.stack.currentIndex() == 0  # busy while it is made
    qtbot.waitUntil(dialog.is_ready, timeout=10_000)
    assert dialog.page_count() == 3 and dialog.print_button.isEnabled()

    def broken() -> bytes:
        raise DeskError("The committee's seal text is missing.")

    failed = PrintPreviewDialog(broken, "卷宗", 1)
    qtbot.addWidget(failed)
    qtbot.waitUntil(lambda: failed.error is not None, timeout=10_000)
    assert failed.busy_label.text() == "The committee's seal text is missing."
    assert not failed.print_button.isEnabled() and not failed.save_button.isEnabled()

    not_pdf = PrintPreviewDialog(b"not a pdf", "卷宗", 1)
    qtbot.addWidget(not_pdf)
    assert not not_pdf.is_ready() and not_pdf.error is not None


@pytest.mark.parametrize(("name", "safe"), [("协议书-（2026）甘调字第0012号.pdf", "协议书-（2026）甘调字第0012号.pdf"),
                                            ('a/b\\c:d*e?"f<g>|.pdf', "a_b_c_d_e_f_g_.pdf"), ("", "document.pdf")])
def test_file_names_every_system_accepts(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_an_unwritable_place_leaves_nothing_behind(tmp_path: Path) -> None:
    # A "folder" that is really a file cannot be written into, not even by root.
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"x")
    with pytest.raises(OSError):
        write_atomically(blocker / "x.pdf", b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]
