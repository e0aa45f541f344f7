"""One household's risk through the quarters: its level now (chip with the word), the factors, the
responsible cadre and measures, the level of every round (final stage, reason, factors), and the visits
made; the stability sheet to print for the cadre."""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.i18n import N_, _, format_date
from app.services import risk
from app.services.risk import HouseholdRisk
from app.ui.cases.common import HINT_COLOR, Chip, bigger, report_error, tr
from app.ui.context import UiContext
from app.ui.risk.common import (
    HouseholdFinder,
    HouseholdHit,
    current_round,
    due_text,
    find_household,
    fit_columns,
    hint,
    level_chip,
    make_table,
    short_stage,
    stage_text,
)
from app.ui.risk.models import TextTableModel
from app.ui.risk.tasks import preview_sheet
from app.ui.widgets import fact_labels

QUARTER_HEADERS = (N_("Quarter"), N_("Risk level"), N_("Assessed up to"), N_("Risk factors"), N_("Reason"))
VISIT_HEADERS = (N_("Date of the visit"), N_("Visited by"), N_("What was found"), N_("Measures taken"))


@dataclass
class HistoryData:
    hit: HouseholdHit
    quarter: str = ""
    now: HouseholdRisk | None = None
    history: list[tuple[str, int, str, str, list[str]]] = field(default_factory=list)
    cadre: str = ""
    cadre_phone: str = ""
    measures: str = ""
    assigned_on: dt.date | None = None
    visits: list[tuple[str, str, str, str]] = field(default_factory=list)


def load_history(ctx: UiContext, hit: HouseholdHit) -> HistoryData:
    from app.documents.stability_sheet import collect_sheet

    data = HistoryData(hit)
    with ctx.store.read() as session:
        rnd = current_round(session)
        if rnd is not None:
            data.quarter = rnd.quarter
            data.now = next((r for r in risk.households_in_round(session, ctx.actor, rnd.id) if r.household_id == hit.id), None)
        data.history = risk.history(session, ctx.actor, hit.id)
        cadre = risk.current_cadre(session, hit.id)
        if cadre is not None:
            data.cadre, data.cadre_phone, data.measures, data.assigned_on = (cadre.cadre_name, cadre.cadre_phone, cadre.measures,
                                                                             cadre.assigned_on)
        sheet = collect_sheet(session, ctx.actor, hit.id)  # the visits, as the sheet lists them
        data.visits = [(format_date(v.visited_on), v.visitor, v.findings, v.measures_taken) for v in reversed(sheet.visits)]
    return data


class HistoryView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("RiskHistory")
        self.data: HistoryData | None = None
        self.dialog: QDialog | None = None

        self.finder = HouseholdFinder(ctx)
        self.finder.picked.connect(self.choose)
        self.placeholder = hint()
        self.title = QLabel()
        self.title.setObjectName("historyTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.level_chip = Chip()
        self.level_chip.setObjectName("levelChip")
        self.sheet_button = tr(QPushButton(), N_("Stability sheet…"))
        self.sheet_button.setObjectName("stabilitySheet")
        self.sheet_button.clicked.connect(self.print_sheet)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.level_chip)
        head.addStretch(1)
        head.addWidget(self.sheet_button)

        self.facts: dict[str, QLabel] = {}
        self.fact_names: dict[str, QLabel] = {}
        facts = QGridLayout()
        facts.setHorizontalSpacing(12)
        for i, key in enumerate(("stage", "factors", "cadre", "due", "measures")):
            name, value = fact_labels(f"history_{key}")
            self.fact_names[key], self.facts[key] = name, value
            facts.addWidget(name, i, 0)
            facts.addWidget(value, i, 1)
        facts.setColumnStretch(1, 1)

        self.quarters_model = TextTableModel(QUARTER_HEADERS, self)
        self.quarters_table = make_table(self.quarters_model, "quarters", stretch=3)
        self.quarters_box = tr(QGroupBox(), N_("Through the quarters"))
        QVBoxLayout(self.quarters_box).addWidget(self.quarters_table)
        self.visits_model = TextTableModel(VISIT_HEADERS, self)
        self.visits_table = make_table(self.visits_model, "visits", stretch=2)
        self.visits_box = QGroupBox()
        QVBoxLayout(self.visits_box).addWidget(self.visits_table)
        tables = QSplitter(Qt.Orientation.Vertical)
        tables.addWidget(self.quarters_box)
        tables.addWidget(self.visits_box)
        tables.setChildrenCollapsible(False)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(head)
        body.addLayout(facts)
        body.addWidget(tables, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.finder)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.body, 1)
        self.relabel()

    def relabel(self) -> None:
        self.finder.relabel()
        bigger(self.title, 1.15)
        self.placeholder.setText(_("Find a household above to see its risk level through the quarters and its visits."))
        for key, text in (("stage", _("This round")), ("factors", _("Risk factors")), ("cadre", _("Responsible cadre")),
                          ("due", _("Next visit")), ("measures", _("Stability measures"))):
            self.fact_names[key].setText(text)
        self.quarters_model.retranslate()
        self.visits_model.retranslate()
        self._show()

    def refresh(self) -> None:
        if self.data is not None:
            self.choose(self.data.hit)

    def show_household(self, household_id: str) -> None:
        try:
            hit = find_household(self.ctx, household_id)
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        if hit is not None:
            self.choose(hit)

    def choose(self, hit: HouseholdHit) -> None:
        try:
            self.data = load_history(self.ctx, hit)
        except Exception as exc:
            self.data = None
            report_error(self, self.ctx, exc, traceback.format_exc())
        self._show()

    def _show(self) -> None:
        d = self.data
        self.placeholder.setVisible(d is None)
        self.body.setVisible(d is not None)
        if d is None:
            self.quarters_model.set_rows([])
            self.visits_model.set_rows([])
            return
        self.title.setText(d.hit.describe())
        now = d.now
        if now is not None and now.level:
            self.level_chip.set_chip(*level_chip(now.level))
            stage = _("{quarter}: {stage}").format(quarter=d.quarter, stage=stage_text(now.stage))
        else:
            self.level_chip.set_chip(_("Not assessed"), HINT_COLOR)
            stage = _("{quarter}: not assessed yet").format(quarter=d.quarter) if d.quarter else _("No risk round yet")
        self.facts["stage"].setText(stage)
        self.facts["factors"].setText(_("、").join(now.factors) if now is not None and now.factors else "—")
        cadre = d.cadre or "—"
        if d.cadre and d.cadre_phone:
            cadre = _("{name} ({phone})").format(name=d.cadre, phone=d.cadre_phone)
        if d.cadre and d.assigned_on is not None:
            cadre = _("{cadre}, since {date}").format(cadre=cadre, date=format_date(d.assigned_on))
        self.facts["cadre"].setText(cadre)
        self.facts["due"].setText(due_text(now.next_visit_due)[0] if now is not None and now.next_visit_due else "—")
        self.facts["measures"].setText(d.measures or "—")
        rows, chips = [], {}
        for i, (quarter, stage_no, level, reason, factors) in enumerate(reversed(d.history)):
            text, color = level_chip(level)
            rows.append([quarter, text, short_stage(stage_no), _("、").join(factors), reason])
            chips[(i, 1)] = [(text, color)]
        self.quarters_model.set_rows(rows, chips)
        self.visits_model.set_rows(d.visits)
        self.visits_box.setTitle(_("Visits ({n})").format(n=len(d.visits)))
        fit_columns(self.quarters_table, 3)
        fit_columns(self.visits_table, 2)

    def print_sheet(self) -> QDialog | None:
        if self.data is None:
            return None
        self.dialog = preview_sheet(self, self.ctx, self.data.hit.id, self.data.hit.number)
        return self.dialog
