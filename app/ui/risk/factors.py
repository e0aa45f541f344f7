"""The risk factor catalog (风险因素), for the committee director (`risk.catalog`): every factor in use with its
code, name, weight, whether it is sensitive and whether it is in use; adding one and changing one
(`risk.set_factor`, one write transaction, the refusal under the field it names); and, above the list, the
rule that turns the ticked factors into the suggested level (`app.services.risk`: add up the weights —
high when the sum or any one weight is 6 or more, medium when the sum is 3 or more, low otherwise)."""

from __future__ import annotations

import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.errors import ValidationError
from app.i18n import N_, _
from app.models.risk import RiskFactor, RiskLevel
from app.services import risk
from app.ui.cases.common import Chip, bigger, open_dialog, report_error, tr
from app.ui.cases.form_dialog import FormDialog
from app.ui.context import UiContext
from app.ui.risk.common import RISK_TABLES, fit_columns, hint, make_table, selected_row, set_level_chip
from app.ui.risk.models import TextTableModel

FACTOR_HEADERS = (N_("Code"), N_("Factor name"), N_("Weight"), N_("Sensitive"), N_("In use"))
CODE, NAME, WEIGHT, SENSITIVE, ACTIVE = range(5)


class FactorDialog(FormDialog):
    """Add a factor (`factor` None) or change one; the code names a factor and is not changed."""

    tables = RISK_TABLES

    def __init__(self, ctx: UiContext, factor: RiskFactor | None, known_codes: set[str],
                 parent: QWidget | None = None) -> None:
        adding = factor is None
        intro = (_("The code is how ratings name the factor: it cannot be changed later.") if adding else
                 _("A factor no longer in use leaves this list and the rating form; ratings made with it keep it. "
                   "Add it again with the same code to use it again."))
        super().__init__(ctx, _("Add a risk factor") if adding else _("Change the risk factor"), _("Save"), parent,
                         intro=intro)
        self.setObjectName("FactorDialog")
        self.factor = factor
        self.known_codes = known_codes
        self.code = QLineEdit(factor.code if factor is not None else "")
        self.code.setObjectName("code")
        self.code.setMaxLength(30)
        self.code.setReadOnly(not adding)
        if adding:
            self.code.setPlaceholderText(_("Letters, digits and _, e.g. illegal_building"))
        self.name = QLineEdit(factor.name if factor is not None else "")
        self.name.setObjectName("name")
        self.name.setMaxLength(60)
        self.weight = QSpinBox()
        self.weight.setObjectName("weight")
        self.weight.setRange(1, 10)
        self.weight.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.weight.setValue(factor.weight if factor is not None else 3)
        self.weight.setMaximumWidth(self.fontMetrics().averageCharWidth() * 12)
        self.sensitive = QCheckBox(_("Shown only to the director and the mediators, never printed"))
        self.sensitive.setObjectName("sensitive")
        self.sensitive.setChecked(factor.sensitive if factor is not None else False)
        self.active = QCheckBox(_("Offered when a household is rated"))
        self.active.setObjectName("active")
        self.active.setChecked(factor.active if factor is not None else True)
        self.row("code", _("Code"), self.code, required=adding)
        self.row("name", _("Factor name"), self.name, required=True)
        self.row("weight", _("Weight"), self.weight)
        self.row("sensitive", _("Sensitive"), self.sensitive)
        self.row("active", _("In use"), self.active)
        self.saved: RiskFactor | None = None
        self.finish()
        (self.code if adding else self.name).setFocus()

    def perform(self, session: Session) -> RiskFactor:
        code = self.code.text().strip()
        if self.factor is None and code in self.known_codes:
            raise ValidationError("code", _("There is already a factor with the code {code}: choose it in the list to "
                                            "change it.").format(code=code))
        self.saved = risk.set_factor(session, self.ctx.actor, code, self.name.text(), self.weight.value(),
                                     self.sensitive.isChecked(), self.active.isChecked())
        return self.saved


class FactorsView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("RiskFactors")
        self.factors: list[RiskFactor] = []
        self.dialog: QDialog | None = None

        # ---- the rule
        self.rule_box = tr(QGroupBox(), N_("How the suggested level is worked out"))
        self.rule_intro = QLabel()
        self.rule_intro.setWordWrap(True)
        self.rule_chips: dict[str, Chip] = {}
        self.rule_texts: dict[str, QLabel] = {}
        rules = QGridLayout()
        rules.setHorizontalSpacing(12)
        for i, level in enumerate((RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)):
            chip = Chip()
            chip.setObjectName(f"rule_{level.value}")
            text = QLabel()
            text.setObjectName(f"ruleText_{level.value}")
            text.setWordWrap(True)
            self.rule_chips[level.value], self.rule_texts[level.value] = chip, text
            rules.addWidget(chip, i, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            rules.addWidget(text, i, 1)
        rules.setColumnStretch(1, 1)
        self.rule_note = hint()
        rule_layout = QVBoxLayout(self.rule_box)
        rule_layout.addWidget(self.rule_intro)
        rule_layout.addLayout(rules)
        rule_layout.addWidget(self.rule_note)

        # ---- the factors
        self.title = QLabel()
        self.add_button = tr(QPushButton(), N_("Add a factor…"))
        self.add_button.setObjectName("addFactor")
        self.add_button.clicked.connect(lambda: self.add())
        self.edit_button = tr(QPushButton(), N_("Change…"))
        self.edit_button.setObjectName("editFactor")
        self.edit_button.clicked.connect(lambda: self.edit())
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.add_button)
        top.addWidget(self.edit_button)
        self.model = TextTableModel(FACTOR_HEADERS, self, right=(WEIGHT,))
        self.table = make_table(self.model, "factors", stretch=NAME)
        self.table.doubleClicked.connect(lambda _index: self.edit())
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_buttons())
        self.hidden_note = hint()
        self.hidden_note.setVisible(not ctx.can("risk.sensitive"))
        may = ctx.can("risk.catalog")
        for b in (self.add_button, self.edit_button):
            b.setVisible(may)

        layout = QVBoxLayout(self)
        layout.addWidget(self.rule_box)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hidden_note)
        self.relabel()

    def relabel(self) -> None:
        bigger(self.title, 1.1)
        self.title.setText(_("Risk factors in use"))
        self.rule_intro.setText(_("Add up the weights of the factors ticked for a household:"))
        self.rule_texts[RiskLevel.HIGH].setText(_("the sum is {high} or more, or any one factor weighs {severe} or more")
                                                .format(high=risk.HIGH_SUM, severe=risk.SEVERE_WEIGHT))
        self.rule_texts[RiskLevel.MEDIUM].setText(_("the sum is {medium} or more").format(medium=risk.MEDIUM_SUM))
        self.rule_texts[RiskLevel.LOW].setText(_("otherwise"))
        for level, chip in self.rule_chips.items():
            set_level_chip(chip, level)
        self.rule_note.setText(_("The assessor may choose another level, giving the reason; the village committee and "
                                 "the town work team confirm or change it."))
        self.hidden_note.setText(_("Sensitive factors are not shown to your role."))
        self.model.retranslate()
        self._show()

    # -------------------------------------------------------- loading

    def refresh(self) -> None:
        keep = self.current_code()
        try:
            with self.ctx.store.read() as session:
                self.factors = risk.factors(session, self.ctx.actor, include_inactive=True)
        except Exception as exc:
            self.factors = []
            report_error(self, self.ctx, exc, traceback.format_exc())
        self._show()
        if keep is not None:
            self.select_code(keep)

    def _show(self) -> None:
        rows = [[f.code, f.name, str(f.weight), _("Yes") if f.sensitive else _("No"), _("Yes") if f.active else _("No")]
                for f in self.factors]
        self.model.set_rows(rows)
        fit_columns(self.table, NAME)
        self._update_buttons()

    def current(self) -> RiskFactor | None:
        row = selected_row(self.table)
        return self.factors[row] if 0 <= row < len(self.factors) else None

    def current_code(self) -> str | None:
        factor = self.current()
        return factor.code if factor is not None else None

    def select_code(self, code: str) -> None:
        row = next((i for i, f in enumerate(self.factors) if f.code == code), -1)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, CODE))

    def _update_buttons(self) -> None:
        self.edit_button.setEnabled(self.current() is not None)

    # -------------------------------------------------------- adding and changing

    def _open(self, dialog: FactorDialog) -> FactorDialog:
        def saved() -> None:
            self.refresh()
            if dialog.saved is not None:
                self.select_code(dialog.saved.code)

        open_dialog(self, dialog, saved)
        return dialog

    def add(self) -> FactorDialog | None:
        if not self.ctx.can("risk.catalog"):
            return None
        return self._open(FactorDialog(self.ctx, None, {f.code for f in self.factors}, self))

    def edit(self) -> FactorDialog | None:
        factor = self.current()
        if factor is None or not self.ctx.can("risk.catalog"):
            return None
        return self._open(FactorDialog(self.ctx, factor, {f.code for f in self.factors}, self))
