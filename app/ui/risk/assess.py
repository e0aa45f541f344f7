"""The villager group's rating of a household (stage 1 of the round): find the household, tick the risk
factors that apply, and see the suggested level follow the ticks (`risk.suggest_level` on their
weights); choose another level only with a reason (said in red under the reason the moment it is
needed); a note. The household's people to look after (留守儿童, 独居老人 …) are shown for information —
they are not risk factors. Sensitive factors are listed only for roles that may record them."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.i18n import N_, _
from app.models.risk import RiskFactor, RiskLevel
from app.services import households, risk
from app.services.risk import AssessInput, HouseholdRisk
from app.ui.cases.common import HINT_COLOR, Chip, bigger, clear_layout, report_error, tr, write
from app.ui.cases.flow_layout import FlowLayout
from app.ui.context import UiContext
from app.ui.messages import ACCENT_COLOR, FieldError
from app.ui.risk.common import (
    LEVELS,
    RISK_TABLES,
    HouseholdFinder,
    HouseholdHit,
    find_household,
    hint,
    level_chip_widget,
    level_text,
    open_round_or_none,
    set_level_chip,
    stage_text,
)
from app.ui.widgets import scroll_area


@dataclass(frozen=True)
class FactorChoice:
    code: str
    name: str
    weight: int
    sensitive: bool


@dataclass
class HouseholdState:
    """What the form needs to know of the chosen household in the open round."""

    hit: HouseholdHit
    round_id: str | None
    quarter: str
    current: HouseholdRisk | None
    automatic: list[str] = field(default_factory=list)
    care: list[tuple[str, str]] = field(default_factory=list)  # (care flag, member name)


def load_household(ctx: UiContext, hit: HouseholdHit) -> HouseholdState:
    with ctx.store.read() as session:
        rnd = open_round_or_none(session)
        detail = households.household_detail(session, ctx.actor, hit.id)
        care = [(flag, m.name) for m in detail.members for flag in m.care_flags]
        if rnd is None:
            return HouseholdState(hit, None, "", None, [], care)
        mine = next((r for r in risk.households_in_round(session, ctx.actor, rnd.id, group_id=detail.group_id)
                     if r.household_id == hit.id), None)
        return HouseholdState(hit, rnd.id, rnd.quarter, mine, risk.automatic_factors(session, hit.id), care)


def care_word(flag: str) -> str:
    from app.models.roster import CARE_FLAG_LABELS, CareFlag

    try:
        return _(CARE_FLAG_LABELS[CareFlag(flag)])
    except ValueError:
        return flag


class AssessView(QWidget):
    saved = Signal(str)  # the household id

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("RiskAssess")
        self.state: HouseholdState | None = None
        self.catalog: list[FactorChoice] = []
        self.checks: dict[str, QCheckBox] = {}
        self._level_chosen = False  # the assessor picked a level: it no longer follows the suggestion

        self.finder = HouseholdFinder(ctx)
        self.finder.picked.connect(self.choose)
        self.round_label = hint()
        self.round_label.setObjectName("roundNote")

        # ---- the household
        self.household_title = QLabel()
        self.household_title.setObjectName("householdTitle")
        self.household_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = QLabel()
        self.status_label.setObjectName("householdStatus")
        self.status_label.setWordWrap(True)
        self.care_caption = tr(hint(), N_("Looked after in this household (for information — not a risk factor):"))
        self.care_box = QWidget()
        self.care_flow = FlowLayout(self.care_box)
        self.care_flow.setContentsMargins(0, 0, 0, 0)

        # ---- factors
        self.factors_box = tr(QGroupBox(), N_("Risk factors — tick what applies to the household"))
        self.factors_grid = QGridLayout(self.factors_box)
        self.factors_grid.setHorizontalSpacing(24)
        self.sensitive_note = hint()

        # ---- level
        self.suggested_caption = tr(QLabel(), N_("Suggested level"))
        self.suggested_chip = level_chip_widget(RiskLevel.LOW)
        self.suggested_chip.setObjectName("suggestedChip")
        self.rule_label = hint()
        suggested = QHBoxLayout()
        suggested.setContentsMargins(0, 0, 0, 0)
        suggested.addWidget(self.suggested_chip)
        suggested.addWidget(self.rule_label, 1)
        suggested_box = QWidget()
        suggested_box.setLayout(suggested)
        self.level_buttons: dict[str, QRadioButton] = {}
        self.level_group = QButtonGroup(self)
        levels = QHBoxLayout()
        levels.setContentsMargins(0, 0, 0, 0)
        for level in LEVELS:
            button = QRadioButton()
            button.setObjectName(f"level_{level.value}")
            button.clicked.connect(self._level_clicked)
            self.level_group.addButton(button)
            self.level_buttons[level.value] = button
            levels.addWidget(button)
        levels.addStretch(1)
        levels_box = QWidget()
        levels_box.setLayout(levels)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.reason.textChanged.connect(self._update_level)
        self.reason_error = FieldError()
        self.reason_error.setObjectName("reasonError")
        reason_box = QWidget()
        reason_layout = QVBoxLayout(reason_box)
        reason_layout.setContentsMargins(0, 0, 0, 0)
        reason_layout.setSpacing(2)
        reason_layout.addWidget(self.reason)
        reason_layout.addWidget(self.reason_error)
        self.note = QPlainTextEdit()
        self.note.setObjectName("note")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 14)
        self.note_error = FieldError()
        note_box = QWidget()
        note_layout = QVBoxLayout(note_box)
        note_layout.setContentsMargins(0, 0, 0, 0)
        note_layout.setSpacing(2)
        note_layout.addWidget(self.note)
        note_layout.addWidget(self.note_error)
        self.level_form = QFormLayout()
        self.level_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.level_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.level_caption = QLabel()
        self.reason_caption = QLabel()
        self.note_caption = QLabel()
        self.level_form.addRow(self.suggested_caption, suggested_box)
        self.level_form.addRow(self.level_caption, levels_box)
        self.level_form.addRow(self.reason_caption, reason_box)
        self.level_form.addRow(self.note_caption, note_box)
        self.level_box = tr(QGroupBox(), N_("Level"))
        self.level_box.setLayout(self.level_form)

        self.general_error = FieldError()
        self.general_error.setObjectName("generalError")
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedMessage")
        self.saved_label.setWordWrap(True)
        self.saved_label.setStyleSheet(f"color: {ACCENT_COLOR};")
        self.missing_label = hint()
        self.missing_label.setObjectName("missing")
        self.save_button = tr(QPushButton(), N_("Save the rating"))
        self.save_button.setObjectName("saveRating")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.clear_button = tr(QPushButton(), N_("Clear"))
        self.clear_button.clicked.connect(lambda: self.show_household(None))
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.missing_label, 1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)

        self.form = QWidget()
        form_layout = QVBoxLayout(self.form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.addWidget(self.factors_box)
        form_layout.addWidget(self.sensitive_note)
        form_layout.addWidget(self.level_box)
        form_layout.addWidget(self.general_error)
        form_layout.addLayout(buttons)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.finder)
        body_layout.addWidget(self.round_label)
        body_layout.addWidget(self.saved_label)
        body_layout.addWidget(self.household_title)
        body_layout.addWidget(self.status_label)
        body_layout.addWidget(self.care_caption)
        body_layout.addWidget(self.care_box)
        body_layout.addWidget(self.form)
        body_layout.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll_area(body))
        self.saved_label.hide()
        self.relabel()
        self.show_household(None)

    # -------------------------------------------------------- labels

    def relabel(self) -> None:
        self.finder.relabel()
        bigger(self.household_title, 1.15)
        self.level_caption.setText(_("Level given"))
        self.reason_caption.setText(_("Reason"))
        self.note_caption.setText(_("Note"))
        for level, button in self.level_buttons.items():
            button.setText(level_text(level))
        self.rule_label.setText(_("The weights of the ticked factors add up: 6 or more, or one factor of weight 6, is "
                                  "high; 3 or more is medium; less is low."))
        self.sensitive_note.setText(
            _("Factors marked “sensitive” concern people given special attention: they are never printed on the ledger.")
            if self.ctx.can("risk.sensitive") else
            _("Sensitive factors (people given special attention) are recorded by the committee, not here."))
        self._fill_factors()
        self._show_state()

    # -------------------------------------------------------- the household

    def refresh(self) -> None:
        hit = self.state.hit if self.state is not None else None
        with self.ctx.store.read() as session:
            rnd = open_round_or_none(session)
        self.round_label.setText(_("Round {quarter}: rate the households of your villager group.").format(quarter=rnd.quarter)
                                 if rnd is not None else _("No round is open. Open the round of this quarter on the board first."))
        self._fill_factors()
        if hit is not None:
            self._load(hit, keep_form=True)

    def choose(self, hit: HouseholdHit) -> None:
        self.saved_label.hide()
        self._load(hit, keep_form=False)

    def show_household(self, household_id: str | None) -> None:
        """Open the form on a household (None: empty form)."""
        if household_id is None:
            self.state = None
            self._reset_form()
            self._show_state()
            return
        try:
            hit = find_household(self.ctx, household_id)
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        if hit is not None:
            self.choose(hit)

    def _load(self, hit: HouseholdHit, keep_form: bool) -> None:
        try:
            self.state = load_household(self.ctx, hit)
        except Exception as exc:
            self.state = None
            report_error(self, self.ctx, exc, traceback.format_exc())
        if not keep_form:
            self._reset_form()
        self._show_state()

    def _fill_factors(self) -> None:
        ticked = self.ticked()
        try:
            with self.ctx.store.read() as session:  # before the first rating the shipped catalog is listed (not stored)
                rows: list[RiskFactor] = risk.factors(session, self.ctx.actor)
                self.catalog = [FactorChoice(f.code, f.name, f.weight, f.sensitive) for f in rows]
        except Exception as exc:
            self.catalog = []
            report_error(self, self.ctx, exc, traceback.format_exc())
        clear_layout(self.factors_grid)
        self.checks = {}
        columns = 2
        for i, f in enumerate(self.catalog):
            text = _("{name} · weight {weight}").format(name=f.name, weight=f.weight)
            if f.sensitive:
                text = _("{factor} (sensitive)").format(factor=text)
            check = QCheckBox(text)
            check.setObjectName(f"factor_{f.code}")
            check.setChecked(f.code in ticked)
            check.toggled.connect(self._update_level)
            self.checks[f.code] = check
            self.factors_grid.addWidget(check, i // columns, i % columns)

    def _reset_form(self) -> None:
        self._level_chosen = False
        for check in self.checks.values():
            check.blockSignals(True)
            check.setChecked(False)
            check.blockSignals(False)
        self.reason.blockSignals(True)
        self.reason.clear()
        self.reason.blockSignals(False)
        self.note.clear()
        self.reason_error.clear_message()
        self.note_error.clear_message()
        self.general_error.clear_message()

    def _show_state(self) -> None:
        s = self.state
        self.household_title.setVisible(s is not None)
        self.care_caption.setVisible(bool(s and s.care))
        self.care_box.setVisible(bool(s and s.care))
        clear_layout(self.care_flow)
        editable = False
        if s is None:
            self.status_label.setText(_("Find the household to rate above."))
            self.status_label.setStyleSheet(f"color: {HINT_COLOR};")
        else:
            self.household_title.setText(s.hit.describe())
            for flag, name in s.care:
                self.care_flow.addWidget(Chip(_("{flag} · {name}").format(flag=care_word(flag), name=name), ACCENT_COLOR))
            if s.round_id is None:
                self.status_label.setText(_("No round is open: the household cannot be rated now."))
                self.status_label.setStyleSheet(f"color: {HINT_COLOR};")
            elif s.current is not None and s.current.stage > 0:
                self.status_label.setText(_("Already rated in {quarter}: {level} — {stage}. The next level reviews it in "
                                            "the review queue.").format(quarter=s.quarter, level=level_text(s.current.level),
                                                                        stage=stage_text(s.current.stage)))
                self.status_label.setStyleSheet(f"color: {HINT_COLOR};")
            else:
                self.status_label.setText(_("Not rated yet in {quarter}.").format(quarter=s.quarter))
                self.status_label.setStyleSheet("")
                editable = self.ctx.can("risk.assess")
        self.form.setEnabled(editable)
        self.form.setVisible(s is not None)
        automatic = set(s.automatic) if s is not None else set()
        for code, check in self.checks.items():
            if code in automatic:
                check.blockSignals(True)
                check.setChecked(True)
                check.blockSignals(False)
                check.setEnabled(False)
                check.setToolTip(_("Ticked from the household's open dispute case"))
            else:
                check.setEnabled(True)
                check.setToolTip("")
        self._update_level()

    # -------------------------------------------------------- the level

    def ticked(self) -> list[str]:
        return [code for code, check in self.checks.items() if check.isChecked()]

    def suggested(self) -> RiskLevel:
        weights = {f.code: f.weight for f in self.catalog}
        return risk.suggest_level([weights[c] for c in self.ticked() if c in weights])

    def chosen(self) -> str:
        return next((level for level, b in self.level_buttons.items() if b.isChecked()), self.suggested().value)

    def _level_clicked(self) -> None:
        self._level_chosen = True
        self._update_level()

    def reason_needed(self) -> str:
        """The message when the level given differs from the suggestion without a reason, else ""."""
        suggested, chosen = self.suggested(), self.chosen()
        if chosen == suggested.value or self.reason.toPlainText().strip():
            return ""
        return _("Give the reason for choosing {level} instead of {what} ({base}).").format(
            level=level_text(chosen), what=_("the suggested level"), base=level_text(suggested))

    def _update_level(self) -> None:
        suggested = self.suggested()
        set_level_chip(self.suggested_chip, suggested)
        if not self._level_chosen:
            button = self.level_buttons[suggested.value]
            if not button.isChecked():
                button.setChecked(True)
        message = self.reason_needed()
        self.reason_error.show_message(message)
        missing = [_("Reason")] if message else []
        self.missing_label.setText(_("Missing: {fields}").format(fields=_(", ").join(missing)) if missing else "")

    # -------------------------------------------------------- saving

    def save(self) -> bool:
        s = self.state
        if s is None or s.round_id is None or not self.form.isEnabled():
            return False
        self.general_error.clear_message()
        self.note_error.clear_message()
        data = AssessInput(s.hit.id, tuple(self.ticked()), self.chosen(), self.reason.toPlainText(), self.note.toPlainText())
        round_id = s.round_id

        def invalid(exc: ValidationError) -> bool:
            target = {"reason": self.reason_error, "note": self.note_error}.get(exc.field, self.general_error)
            target.show_message(exc.message)
            return True

        if not write(self, self.ctx, lambda session: risk.assess(session, self.ctx.actor, round_id, data),
                     on_invalid=invalid, tables=RISK_TABLES):
            return False
        self.saved_label.setText(_("Saved: household {number} — {level}, rated by the villager group. Find the next "
                                   "household above.").format(number=s.hit.number, level=level_text(data.level or "")))
        self.saved_label.show()
        self.state = None
        self._reset_form()
        self._show_state()
        self.finder.edit.setFocus()
        self.saved.emit(s.hit.id)
        return True
