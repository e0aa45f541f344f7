"""Find a person in the roster as you type — name, pinyin, pinyin initials, ID number or phone — and pick
them with Enter. Built on the roster's household search (`households.list_households(query=…)`) and the
household details; the members that match the words typed come first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from app.i18n import _
from app.models.roster import SEX_LABELS, Sex
from app.services import households
from app.services.context import Actor
from app.services.households import mask_id_number, pinyin_forms
from app.store.engine import Store
from app.ui.cases.common import report_error
from app.ui.context import UiContext
from app.ui.widgets import FindAsYouType

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


class PersonSearch(FindAsYouType):
    """A search field with the people found under it. `picked` is emitted with the chosen `PersonHit`."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__("personSearch", "personResults", parent)
        self.ctx = ctx
        self.edit.setPlaceholderText(_("Find in the roster: name, pinyin initials, ID number or phone — Enter picks"))

    def hits_for(self, query: str) -> list[PersonHit]:
        return find_people(self.ctx.store, self.ctx.actor, query)

    def nothing_found(self, query: str) -> str:
        return _("Nobody in the roster matches “{query}”.").format(query=query)

    def report(self, exc: BaseException, tb: str) -> None:
        report_error(self, self.ctx, exc, tb)

