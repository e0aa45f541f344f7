"""The points documents: the 积分公示榜 lists every household of the group with its figures, the period and the
notice dates, flows over pages with the header repeated, prints rare characters; the 积分兑换凭证 carries its
number and the balance after."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

from app.clock import today
from app.documents.points_notice import NoticeData, NoticeRow, collect_notice, draft_notice, period_label, render_notice
from app.documents.points_receipt import render_receipt
from app.services import committee, points, points_notice, points_shop
from app.services.context import Actor
from app.services.points import EntryInput
from app.store.engine import Store


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def last_month_end() -> dt.date:
    return today().replace(day=1) - dt.timedelta(days=1)


def add(store: Store, actor: Actor, household_id: str, code: str, day: dt.date) -> None:
    with store.write() as session:
        points.add_entry(session, actor, EntryInput(household_id, day, code))


def row_of(text: str, number: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.strip().startswith(number))
    return line.split()


def test_the_notice_lists_every_household_of_the_group_with_its_figures(
        store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    day = last_month_end()
    add(store, admin, village["h1"], "A01", day)  # +5
    add(store, admin, village["h1"], "C01", day)  # +5
    add(store, admin, village["h1"], "A03", day)  # -5
    add(store, admin, village["h2"], "A01", day)  # +5, another group
    add(store, admin, village["h1"], "A01", today())  # after the period: not on the notice
    with store.write() as session:
        points.set_star_thresholds(session, admin, [5, 50])
        notice = points_notice.post_notice(session, admin, f"{day.year}-{day.month:02d}", village["g1"],
                                           where_to_object="村委会二楼调解室")
    with store.read() as session:
        data = collect_notice(session, admin, notice.id)
    out = tmp_path / "notice.pdf"
    render_notice(data, out)
    text = pdf_text(out)

    assert "庄墩村人民调解委员会" in text and "积分公示榜" in text
    assert f"{day.year}年{day.month}月" in text and "一组" in text
    assert [r.number for r in data.rows] == ["0001"]
    assert row_of(text, "0001") == ["0001", "张三", "10", "5", "5", "1", "★☆"]
    assert "0002" not in text  # the other group's household
    posted, until = notice.posted_on, notice.objections_until
    assert f"公示时间：{posted.year}年{posted.month}月{posted.day}日至{until.year}年{until.month}月{until.day}日" in text
    assert "村委会二楼调解室" in text
    assert re.search(r"第\s+1\s+页\s+共\s+1\s+页", text)


def test_the_whole_village_notice_prints_rare_characters(store: Store, admin: Actor, village: dict[str, str],
                                                         tmp_path: Path) -> None:
    day = last_month_end()
    add(store, admin, village["h2"], "A01", day)
    with store.read() as session:
        data = draft_notice(session, admin, f"{day.year}-{day.month:02d}", None, posted_on=today())
    out = tmp_path / "village.pdf"
    render_notice(data, out)
    text = pdf_text(out)
    assert "全村" in text and "样稿" in text
    assert row_of(text, "0002")[:3] == ["0002", "𠮷䶮", "5"]
    assert row_of(text, "0001")[:3] == ["0001", "张三", "0"]


def test_a_long_notice_flows_over_pages_with_the_header_repeated(tmp_path: Path) -> None:
    rows = [NoticeRow(f"{n:04d}", "王某某", n % 7, n % 3, 100 + n, n, n % 4) for n in range(1, 301)]
    data = NoticeData("庄墩村人民调解委员会", "庄墩村", "长安镇", "2026Q3", period_label("2026Q3"), "三组",
                      dt.date(2026, 10, 8), dt.date(2026, 10, 14), "村委会办公室", 3, (100, 200, 300), rows)
    out = tmp_path / "long.pdf"
    render_notice(data, out)
    pages = pdf_text(out).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 5
    for number, page in enumerate(pages, start=1):
        assert "户号" in page and "本期加分" in page and "星级" in page, number
        assert re.search(rf"第\s+{number}\s+页\s+共\s+{len(pages)}\s+页", page)
    listed = re.findall(r"^\s*(\d{4})\s+王某某", "\n".join(pages), flags=re.MULTILINE)
    assert listed == [f"{n:04d}" for n in range(1, 301)]
    assert "2026年第三季度" in pages[0]


def test_the_receipt_has_its_number_and_the_balance_after(store: Store, admin: Actor, village: dict[str, str],
                                                          tmp_path: Path) -> None:
    add(store, admin, village["h2"], "A01", today())  # +5
    add(store, admin, village["h2"], "C01", today())  # +5
    with store.write() as session:
        item = points_shop.add_item(session, admin, "洗衣粉", 3, "袋")
        points_shop.stock_in(session, admin, item.id, 10)
        receipt = points_shop.redeem(session, admin, village["h2"], item.id, 2)
        current = committee.require_current(session)
    out = tmp_path / "receipt.pdf"
    render_receipt(receipt, current, out, head_name="𠮷䶮", recorded_by="王丽")
    text = pdf_text(out)
    assert f"No. {receipt.receipt_no:06d}" in text
    assert "积分兑换凭证" in text and "洗衣粉 × 2 袋" in text
    assert re.search(r"消耗积分\s+6\s*分", text) and re.search(r"兑换后余额\s+4\s*分", text)  # spent, balance after
    assert "𠮷䶮" in text and "王丽" in text and "兑换人签名" in text
    assert text.count("积分兑换凭证") == 2  # the stub and the villager's copy
