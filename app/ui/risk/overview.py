"""A household's cases, points and risk together (`risk.household_overview`), for the household's page in
the roster: its dispute cases with their status chips, the points balance, the risk level of the round as
a chip with its word and the factors, the responsible cadre and the next visit."""

from __future__ import annotations

import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.errors import NotFound
from app.i18n import N_, _, format_number, ngettext
from app.services import risk
from app.services.risk import HouseholdOverview
from app.ui.cases.common import HINT_COLOR, Chip, clear_layout, report_error, status_color, status_label, tr
from app.ui.context import UiContext
from app.ui.risk.common import due_text, level_chip, stage_text

MAX_CASES = 2
MAX_SUMMARY = 24  # characters of a case's account shown (all of it on hover)


class HouseholdOverviewPanel(QGroupBox):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("HouseholdOverview")
        tr(self, N_("Cases, points and risk"))
        self.household_id: str | None = None
        self.overview: HouseholdOverview | None = None

        self.names: dict[str, QLabel] = {}
        for key in ("risk", "cadre", "points", "cases"):
            name = QLabel()
            name.setStyleSheet(f"color: {HINT_COLOR};")
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            self.names[key] = name
        self.level_chip = Chip()
        self.level_chip.setObjectName("overviewLevel")
        self.risk_label = QLabel()
        self.risk_label.setObjectName("overviewRisk")
        self.risk_label.setWordWrap(True)
        risk_row = QHBoxLayout()
        risk_row.setContentsMargins(0, 0, 0, 0)
        risk_row.addWidget(self.level_chip, 0, Qt.AlignmentFlag.AlignTop)
        risk_row.addWidget(self.risk_label, 1)
        self.cadre_label = QLabel()
        self.cadre_label.setObjectName("overviewCadre")
        self.cadre_label.setWordWrap(True)
        self.points_label = QLabel()
        self.points_label.setObjectName("overviewPoints")
        self.cases_box = QWidget()
        self.cases_layout = QVBoxLayout(self.cases_box)
        self.cases_layout.setContentsMargins(0, 0, 0, 0)
        self.cases_layout.setSpacing(2)
        # two facts a row, to keep the household's members in sight above
        grid = QGridLayout()
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.names["risk"], 0, 0)
        grid.addLayout(risk_row, 0, 1)
        grid.addWidget(self.names["cadre"], 0, 2)
        grid.addWidget(self.cadre_label, 0, 3)
        grid.addWidget(self.names["points"], 0, 4)
        grid.addWidget(self.points_label, 0, 5, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.names["cases"], 1, 0)
        grid.addWidget(self.cases_box, 1, 1, 1, 5)  # the whole width: a case's account is long
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 3)
        grid.setColumnStretch(5, 1)
        self.setLayout(grid)
        self.relabel()
        self.hide()

    def relabel(self) -> None:
        for key, text in (("risk", _("Risk level")), ("cadre", _("Responsible cadre")), ("points", _("Points balance")),
                          ("cases", _("Dispute cases"))):
            self.names[key].setText(text)
        self._show()

    def show_household(self, household_id: str | None) -> None:
        self.household_id = household_id
        self.reload()

    def reload(self) -> None:
        self.overview = None
        if self.household_id is not None:
            try:
                with self.ctx.store.read() as session:
                    self.overview = risk.household_overview(session, self.ctx.actor, self.household_id)
            except NotFound:
                self.overview = None
            except Exception as exc:
                report_error(self, self.ctx, exc, traceback.format_exc())
        self._show()

    def _show(self) -> None:
        o = self.overview
        self.setVisible(o is not None)
        clear_layout(self.cases_layout)
        if o is None:
            return
        if o.risk_level:
            self.level_chip.set_chip(*level_chip(o.risk_level))
            words = [stage_text(o.risk_stage)]
            if o.risk_factors:
                words.append(_("、").join(o.risk_factors))
            self.risk_label.setText(" · ".join(words))
        else:
            self.level_chip.set_chip(_("Not assessed"), HINT_COLOR)
            self.risk_label.setText("")
        if o.cadre:
            due = due_text(o.next_visit_due)[0]
            self.cadre_label.setText(_("{cadre} · next visit {due}").format(cadre=o.cadre, due=due) if due else o.cadre)
        else:
            self.cadre_label.setText("—")
        self.points_label.setText(format_number(o.balance))
        if not o.cases:
            self.cases_layout.addWidget(QLabel(_("None")))
        for _case_id, number, status, summary in o.cases[:MAX_CASES]:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            number_label = QLabel(number)
            number_label.setObjectName("overviewCaseNumber")
            line.addWidget(number_label)
            line.addWidget(Chip(status_label(status), status_color(status)))
            account = QLabel(summary if len(summary) <= MAX_SUMMARY else summary[:MAX_SUMMARY - 1] + "…")
            account.setToolTip(summary)
            account.setWordWrap(True)  # never wider than the panel
            line.addWidget(account, 1)
            self.cases_layout.addWidget(row)
        more = len(o.cases) - MAX_CASES
        if more > 0:
            extra = QLabel(ngettext("and {n} more case", "and {n} more cases", more).format(n=more))
            extra.setStyleSheet(f"color: {HINT_COLOR};")
            self.cases_layout.addWidget(extra)

    def case_numbers(self) -> list[str]:
        return [c[1] for c in self.overview.cases] if self.overview is not None else []
