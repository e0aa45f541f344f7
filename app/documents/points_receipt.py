"""积分兑换凭证 (points-shop receipt): one A4 sheet with two parts cut apart on the dashed line — the stub
the committee keeps (signed by the villager) and the villager's copy. Receipt number, date, household,
goods × quantity, points spent, balance after, who recorded it, and a line for the villager's signature.

Plain data in, PDF out: `render_receipt(receipt, committee, out)` with the `Receipt` that
`points_shop.redeem` returns and the committee (anything with `name` and `village`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Protocol

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.documents.fonts import draw_text
from app.documents.layout import Form, build, grid, label, para, title_block
from app.documents.wording import cn_date
from app.services.points_shop import Receipt

RECEIPT_TITLE = "积分兑换凭证"
PARTS = (("存根联", "村委会留存"), ("村民联", "交兑换户收执"))


class CommitteeLike(Protocol):
    name: str
    village: str


def receipt_number(receipt: Receipt) -> str:
    """No. 000123"""
    return f"No. {receipt.receipt_no:06d}"


class CutLine(Flowable):
    """The dashed line to cut the two parts apart, with a pair of scissors' worth of words."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, 14 * mm
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        y = self.height / 2
        canvas.saveState()
        canvas.setStrokeColor(colors.Color(0.5, 0.5, 0.5))
        canvas.setDash(4, 3)
        canvas.setLineWidth(0.6)
        canvas.line(0, y, self.width / 2 - 40, y)
        canvas.line(self.width / 2 + 40, y, self.width, y)
        canvas.setFillColor(colors.Color(0.45, 0.45, 0.45))
        draw_text(canvas, self.width / 2, y - 3.5, "沿虚线剪开", 9, "centre")
        canvas.restoreState()


def _part(receipt: Receipt, committee: CommitteeLike, part: tuple[str, str], head_name: str, recorded_by: str) -> list[Flowable]:
    name, note = part
    form = Form((0.17, 0.33, 0.17, 0.33))
    form.row(label("凭证编号"), receipt_number(receipt), label("兑换日期"), cn_date(receipt.redeemed_on))
    form.row(label("户　　号"), receipt.household_number, label("户　　主"), head_name)
    form.row(label("兑换物品"), f"{receipt.item} × {receipt.quantity} {receipt.unit}", label("消耗积分"),
             f"{receipt.points} 分")
    form.row(label("兑换后余额"), f"{receipt.balance_after} 分", label("经 办 人"), recorded_by or receipt.recorded_by)
    sign_rows = [[label("兑换人签名"), "", label("经办人签名"), ""]]
    story: list[Flowable] = [
        *title_block(committee.name, f"{RECEIPT_TITLE}（{name}）", size=17),
        para(f"{note}　　{receipt_number(receipt)}", "right"),
        Spacer(1, 1 * mm),
        *form.flowables(),
        _sign_grid(sign_rows),
        Spacer(1, 2 * mm),
        para("本凭证一式两联，积分已从本户积分账户中扣除。", "small"),
    ]
    return story


def _sign_grid(rows: list[list[Any]]) -> Flowable:
    return grid(rows, (0.17, 0.33, 0.17, 0.33), heights=[16 * mm])


def render_receipt(receipt: Receipt, committee: CommitteeLike, out: Path | BinaryIO, *, head_name: str = "",
                   recorded_by: str = "") -> None:
    """`head_name`: the head of the household, when known; `recorded_by`: the recorder's display name
    (the receipt itself carries the user name)."""
    story: list[Flowable] = []
    for i, part in enumerate(PARTS):
        if i:
            story.append(CutLine())
        story += _part(receipt, committee, part, head_name, recorded_by)
    build(story, out, title=f"{RECEIPT_TITLE} {receipt_number(receipt)}", author=committee.name, subject=RECEIPT_TITLE,
          footer_note=receipt_number(receipt))
