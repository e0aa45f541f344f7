"""The township center's steps on a case a village escalated — accepted, its decision, sent back — each with
its date, who handled it and what was written. Shown on the village's case page (the decisions travel back
with the return bundle) and in the township's inbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.i18n import N_, _, format_date
from app.models.cases import DECISION_LABELS, DecisionKind
from app.ui.cases.common import HINT_COLOR, OK_COLOR, Chip, clear_layout
from app.ui.messages import ACCENT_COLOR

DECISION_COLORS: dict[str, str] = {DecisionKind.ACCEPTED: ACCENT_COLOR, DecisionKind.DECIDED: OK_COLOR, DecisionKind.RETURNED: "#b45309"}
TITLE = N_("Township center's decisions")


def decision_label(kind: str) -> str:
    try:
        return _(DECISION_LABELS[DecisionKind(kind)])
    except ValueError:
        return kind


def decision_chip(kind: str) -> tuple[str, str]:
    return decision_label(kind), DECISION_COLORS.get(kind, HINT_COLOR)


class DecisionsBox(QGroupBox):
    """One block per decision, oldest first: the kind as a chip, the date and the handler, then the text.
    Hidden when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionsBox")
        self.rows = QVBoxLayout(self)
        self.rows.setSpacing(6)
        self.decisions: list[Any] = []
        self.setTitle(_(TITLE))
        self.hide()

    def show_decisions(self, decisions: Sequence[Any]) -> None:
        self.decisions = list(decisions)
        self.setTitle(_(TITLE))
        clear_layout(self.rows)
        for d in self.decisions:
            head = QHBoxLayout()
            head.setSpacing(8)
            text, colour = decision_chip(d.kind)
            chip = Chip(text, colour)
            chip.setObjectName("decisionKind")
            meta = QLabel(_("{date} · {handler}").format(date=format_date(d.decided_on), handler=d.handler) if d.handler
                          else format_date(d.decided_on))
            meta.setObjectName("decisionMeta")
            meta.setStyleSheet(f"color: {HINT_COLOR};")
            head.addWidget(chip)
            head.addWidget(meta)
            head.addStretch(1)
            self.rows.addLayout(head)
            chip.show()
            meta.show()
            if d.text:
                body = QLabel(d.text)
                body.setObjectName("decisionText")
                body.setWordWrap(True)
                body.setTextFormat(Qt.TextFormat.PlainText)
                body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                body.setContentsMargins(4, 0, 0, 4)
                self.rows.addWidget(body)
                body.show()
        self.setVisible(bool(self.decisions))

    def text(self) -> str:
        """Everything shown, as plain text (tests, accessibility)."""
        parts = []
        for d in self.decisions:
            parts.append(f"{decision_label(d.kind)} {format_date(d.decided_on)} {d.handler} {d.text}".strip())
        return "\n".join(parts)
