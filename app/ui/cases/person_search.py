"""Find a person in the roster as you type — name, pinyin, pinyin initials, ID number or phone — and pick
them with Enter. Built on the roster's household search (`households.list_households(query=…)`) and the
household details; the members that match the words typed come first."""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.i18n import _
from app.models.roster import SEX_LABELS, Sex
from app.services import households
from app.services.context import Actor
from app.services.households import mask_id_number, pinyin_forms
from app.store.engine import Store
from app.ui.cases.common import HINT_COLOR, report_error
from app.ui.context import UiContext

SEARCH_DELAY_MS = 200
MAX_HOUSEHOLDS = 8


@dataclass(frozen=True)
class PersonHit:
    person_id: str
    name: str
    sex: str
    birth_date: dt.date | None
    id_number: str  # masked unless the role may read it
    mobile: str
    household_id: str
    household_number: str
    address: str

    def describe(self) -> str:
        parts = [self.name]
        if self.sex in (Sex.MALE, Sex.FEMALE):
            parts.append(_(SEX_LABELS[Sex(self.sex)]))
        if self.birth_date:
            parts.append(_("born {year}").format(year=self.birth_date.year))
        parts.append(_("household {number}").format(number=self.household_number))
        if self.address:
            parts.append(self.address)
        if self.mobile:
            parts.append(self.mobile)
        if self.id_number:
            parts.append(self.id_number)
        return " · ".join(parts)


def _matches(query: str, name: str, id_number: str, mobile: str) -> bool:
    q = query.strip().lower()
    if not q:
        return False
    full, initials = pinyin_forms(name)
    return (q in name.lower() or q in full or initials.startswith(q) or q in initials
            or (bool(mobile) and q in mobile) or (bool(id_number) and q.upper() == id_number.upper())
            # the roster shows ID numbers masked: a full number typed matches its masked form
            or (bool(id_number) and "*" in id_number and len(q) == 18 and mask_id_number(q.upper()) == id_number.upper()))


def find_people(store: Store, actor: Actor, query: str, limit: int = MAX_HOUSEHOLDS) -> list[PersonHit]:
    """Roster members for `query`: those whose own name, pinyin, phone or ID match first, then the other
    members of the households found (a household may match by its number or address)."""
    q = query.strip()
    if not q:
        return []
    first: list[PersonHit] = []
    rest: list[PersonHit] = []
    with store.read() as session:
        for row in households.list_households(session, actor, query=q, limit=limit):
            detail = households.household_detail(session, actor, row.id)
            for m in detail.members:
                hit = PersonHit(m.id, m.name, m.sex, m.birth_date, m.id_number, m.mobile, detail.id, detail.number,
                                detail.address)
                (first if _matches(q, m.name, m.id_number, m.mobile) else rest).append(hit)
    return first + rest


class PersonSearch(QWidget):
    """A search field with the people found under it. `picked` is emitted with the chosen `PersonHit`."""

    picked = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.hits: list[PersonHit] = []
        self.edit = QLineEdit()
        self.edit.setObjectName("personSearch")
        self.edit.setClearButtonEnabled(True)
        self.edit.setPlaceholderText(_("Find in the roster: name, pinyin initials, ID number or phone — Enter picks"))
        self.results = QListWidget()
        self.results.setObjectName("personResults")
        self.results.setUniformItemSizes(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.hide()
        self.results.itemActivated.connect(lambda _item: self.pick_current())
        self.status = QLabel()
        self.status.setStyleSheet(f"color: {HINT_COLOR};")
        self.status.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.results)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.edit.textChanged.connect(lambda _text: self._timer.start())
        self.edit.installEventFilter(self)

    def search_now(self) -> None:
        self._timer.stop()
        query = self.edit.text().strip()
        try:
            self.hits = find_people(self.ctx.store, self.ctx.actor, query) if query else []
        except Exception as exc:
            self.hits = []
            report_error(self, self.ctx, exc, traceback.format_exc())
        self.results.clear()
        for hit in self.hits:
            item = QListWidgetItem(hit.describe())
            item.setToolTip(hit.describe())
            item.setData(Qt.ItemDataRole.UserRole, hit.person_id)
            self.results.addItem(item)
        if self.hits:
            self.results.setCurrentRow(0)
            rows = min(len(self.hits), 6)
            self.results.setFixedHeight(self.results.sizeHintForRow(0) * rows + 2 * self.results.frameWidth() + 2)
        self.results.setVisible(bool(self.hits))
        self.status.setText(_("Nobody in the roster matches “{query}”.").format(query=query) if query and not self.hits
                            else "")
        self.status.setVisible(bool(query) and not self.hits)

    def _enter(self) -> None:
        if self._timer.isActive() or not self.hits:
            self.search_now()
        self.pick_current()

    def pick_current(self) -> None:
        row = self.results.currentRow()
        if not (0 <= row < len(self.hits)):
            return
        hit = self.hits[row]
        self.edit.clear()
        self._timer.stop()
        self.hits = []
        self.results.clear()
        self.results.hide()
        self.status.hide()
        self.picked.emit(hit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.edit or event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # Enter picks; it must not reach the dialog's default button.
            if self.edit.text().strip():
                self._enter()
            return True
        if self.hits:
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step is not None:
                row = max(0, min(len(self.hits) - 1, self.results.currentRow() + step))
                self.results.setCurrentRow(row)
                return True
        return False
