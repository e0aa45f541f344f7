"""The risk ledger (风险排查台账) and the stability sheet as PDF: every household of the group with its level
as a word, sensitive factors never on the ledger whoever prints it, the page count in the footer and the
header row on every page, the .xlsx export with the same rows; the sheet names a sensitive factor only
for a role that may see it."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from app.clock import today
from app.documents.risk_ledger import HEADERS, LedgerData, LedgerRow, collect_ledger, render_ledger
from app.documents.stability_sheet import collect_sheet, render_sheet
from app.models.users import Role
from app.services import risk
from app.services.context import Actor
from app.services.risk import AssessInput
from app.services.risk_export import export_ledger
from app.store.engine import Store
from tests.conftest import make_user


def this_quarter() -> str:
    return f"{today().year}Q{(today().month - 1) // 3 + 1}"


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def rated(store: Store, admin: Actor, village: dict[str, str]) -> str:
    """A round with 张三's household (0001, 一组) high for a sensitive and an ordinary factor, 𠮷䶮's (0002, 二组)
    low, and a responsible cadre with a visit for 0001."""
    with store.write() as session:
        rnd = risk.open_round(session, admin, this_quarter())
        risk.assess(session, admin, rnd.id, AssessInput(village["h1"], ("domestic_violence", "serious_debt")))
        risk.assess(session, admin, rnd.id, AssessInput(village["h2"], ()))
        risk.assign_cadre(session, admin, village["h1"], "王丽", "每月上门走访", cadre_phone="13800138000")
        risk.record_visit(session, admin, village["h1"], today(), "王丽", "情绪稳定，债务正在协商")
        return rnd.id


def test_the_ledger_lists_every_household_with_its_level_word_and_never_a_sensitive_factor(
        store: Store, admin: Actor, village: dict[str, str], rated: str, tmp_path: Path) -> None:
    with store.read() as session:
        data = collect_ledger(session, admin, rated)  # the admin may see sensitive factors on screen
        group = collect_ledger(session, admin, rated, village["g1"])
    assert [r.number for r in data.rows] == ["0001", "0002"] and [r.number for r in group.rows] == ["0001"]
    assert data.rows[0].factors == ("（略）", "重大债务纠纷")
    path = tmp_path / "ledger.pdf"
    render_ledger(data, path)
    text = pdf_text(path)
    lines = {n: next(line for line in text.splitlines() if f" {n} " in f" {line} ") for n in ("0001", "0002")}
    assert "张三" in lines["0001"] and re.search(r"\s高\s", lines["0001"]) and "（略）" in lines["0001"]
    assert "𠮷䶮" in lines["0002"] and re.search(r"\s低\s", lines["0002"])  # the rare characters survive
    assert "家庭暴力" not in text and "Sensitive" not in text and "重大债务纠纷" in text
    assert "第 1 页 共 1 页" in flat(text) and "风险排查台账" in text and "王丽" in text
    assert re.search(r"高风险\s+中风险\s+低风险\s+未评估\s+合计", text)


def test_a_group_of_300_households_spans_pages_with_the_header_on_each(tmp_path: Path) -> None:
    levels = ("low", "medium", "high", "")
    rows = [LedgerRow(f"{i:04d}", "张三" if i % 2 else "𠮷䶮", "一组", levels[i % 4], 1 if levels[i % 4] else 0,
                      ("重大债务纠纷", "（略）") if i % 4 == 2 else (), "王丽" if i % 4 else "",
                      today() + dt.timedelta(days=i % 40 - 10) if i % 4 in (1, 2) else None)
            for i in range(1, 301)]
    data = LedgerData("庄墩村人民调解委员会", "庄墩村", "长安镇", "2026Q4", "2026年第四季度", "一组", today(), None, rows)
    assert data.totals() == {"high": 75, "medium": 75, "low": 75, "": 75}
    path = tmp_path / "ledger300.pdf"
    render_ledger(data, path)
    pages = [p for p in pdf_text(path).split("\f") if p.strip()]
    assert len(pages) > 5
    for n, page in enumerate(pages, start=1):
        assert all(h in page for h in HEADERS), f"page {n} lacks the header row"
        assert f"第 {n} 页 共 {len(pages)} 页" in flat(page)
    everything = "".join(pages)
    assert all(f"{i:04d}" in everything for i in range(1, 301))
    assert "已超期" in everything  # a visit due before today says so in words


def test_the_xlsx_export_has_the_same_rows(store: Store, admin: Actor, village: dict[str, str], rated: str, tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    with store.write() as session:
        written = export_ledger(session, admin, rated, path)
        data = collect_ledger(session, admin, rated)
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    rows = [(str(r[1]), r[2], r[3], r[4]) for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert written == len(data.rows) == len(rows)
    assert rows == [(r.number, r.head_name, r.group_name, r.level_word) for r in data.rows]


def test_the_stability_sheet_names_a_sensitive_factor_only_for_a_role_that_may_see_it(
        store: Store, admin: Actor, village: dict[str, str], rated: str, tmp_path: Path) -> None:
    worker = make_user(store, admin, "grid", Role.GRID_WORKER)
    texts = {}
    for who, actor in (("admin", admin), ("worker", worker)):
        with store.read() as session:
            data = collect_sheet(session, actor, village["h1"])
        path = tmp_path / f"sheet-{who}.pdf"
        render_sheet(data, path)
        texts[who] = pdf_text(path)
    assert "家庭暴力" in texts["admin"] and "（略）" not in texts["admin"]
    assert "家庭暴力" not in texts["worker"] and "（略）" in texts["worker"]
    for text in texts.values():
        assert "风险户包保稳控工作表" in text and "张三" in text and "李四" in text and "配偶" in text
        assert "高风险" in text and "王丽" in text and "13800138000" in text and "每月上门走访" in text
        assert "情绪稳定，债务正在协商" in text and "走访记录" in text
        assert re.search(r"第 1 页 共 \d+ 页", flat(text))
