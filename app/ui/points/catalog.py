"""The catalog of the village rules (积分细则): the items of the version in force — code, category, wording,
points, cap per period, whether a second person reviews. Edit an item or add one (`edit_items`), adopt a new
version approved by the assembly (`adopt_version`), read a version from Excel or write it to Excel, and set
the star thresholds. The township's reference catalogs that arrived are listed too, to read and to adopt
(`township_notices.adopt_release`). Entries keep their own points, so no change here alters a balance."""

from __future__ import annotations

import traceback
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.clock import today
from app.errors import ValidationError
from app.i18n import N_, _, format_date, ngettext
from app.models.township import CatalogRelease
from app.services.points_catalog import CAP_PERIODS, MAX_POINTS, ItemInput
from app.ui.context import UiContext
from app.ui.points.common import (
    CATALOG_TABLES,
    GAIN_COLOR,
    LOSS_COLOR,
    CatalogData,
    InlineMessage,
    RuleView,
    bigger,
    cap_period_label,
    chosen_id,
    date_edit,
    error_message,
    hint_label,
    inform,
    list_table,
    load_catalog,
    q_to_date,
    report_error,
    select_id,
    signed,
)
from app.ui.points.dialogs import FormDialog
from app.ui.points.items_table import ReleaseItemsDialog
from app.ui.points.township_releases import TownshipReleasesBox

CODE_ROLE = Qt.ItemDataRole.UserRole + 1


def item_input(rule: RuleView) -> ItemInput:
    return ItemInput(rule.code, rule.category, rule.wording, rule.points, rule.cap, rule.cap_period, rule.needs_review)


class ItemDialog(FormDialog):
    """One item of the version in force: changed in place, or added (`edit_items` with the whole list)."""

    def __init__(self, ctx: UiContext, rules: list[RuleView], rule: RuleView | None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Edit rule item") if rule else _("New rule item"), parent)
        self.setObjectName("ItemDialog")
        self.rules = rules
        self.rule = rule
        self.code = QLineEdit(rule.code if rule else "")
        self.code.setMaxLength(20)
        self.code.setReadOnly(rule is not None)
        self.category = QComboBox()
        self.category.setEditable(True)
        for category in dict.fromkeys(r.category for r in rules):
            self.category.addItem(category)
        self.category.setCurrentText(rule.category if rule else "")
        self.wording = QPlainTextEdit(rule.wording if rule else "")
        self.wording.setTabChangesFocus(True)
        self.wording.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.wording.setMinimumWidth(self.fontMetrics().averageCharWidth() * 48)
        self.points = QSpinBox()
        self.points.setRange(-MAX_POINTS, MAX_POINTS)
        self.points.setValue(rule.points if rule else 1)
        self.cap = QSpinBox()
        self.cap.setRange(0, 100 * MAX_POINTS)
        self.cap.setSpecialValueText(_("No cap"))
        self.cap.setValue((rule.cap or 0) if rule else 0)
        self.cap_period = QComboBox()
        for period in CAP_PERIODS:
            self.cap_period.addItem(cap_period_label(period), period)
        self.cap_period.setCurrentIndex(max(self.cap_period.findData(rule.cap_period if rule else "year"), 0))
        self.needs_review = QCheckBox(_("A second person reviews each entry"))
        self.needs_review.setChecked(rule.needs_review if rule else False)
        self.errors.add_row(self.form, "code", _("Rule code"), self.code, required=True)
        self.errors.add_row(self.form, "category", _("Rule category"), self.category, required=True)
        self.errors.add_row(self.form, "wording", _("Wording"), self.wording, required=True)
        self.errors.add_row(self.form, "points", _("Points"), self.points, required=True)
        self.errors.add_row(self.form, "cap", _("Cap per period"), self.cap)
        self.errors.add_row(self.form, "cap_period", _("Cap period"), self.cap_period)
        self.errors.add_row(self.form, "needs_review", _("Review"), self.needs_review)
        self.top.addWidget(hint_label(_("Points: positive for good conduct, negative for a breach. Past entries keep "
                                        "their own points.")))
        self.save_button.setDefault(True)
        (self.category if rule else self.code).setFocus()

    def data(self) -> ItemInput:
        return ItemInput(self.code.text(), self.category.currentText(), self.wording.toPlainText(), self.points.value(),
                         self.cap.value() or None, self.cap_period.currentData(), self.needs_review.isChecked())

    def save(self) -> bool:
        from app.services import points_catalog

        new = self.data()
        items = [item_input(r) for r in self.rules]
        if self.rule is not None:
            items = [new if i.code == self.rule.code else i for i in items]
        else:
            items.append(new)
        return self.run(lambda session: points_catalog.edit_items(session, self.ctx.actor, items), CATALOG_TABLES)


class AdoptDialog(FormDialog):
    """A new version of the rules, adopted by the villagers' (representative) assembly, with its items: a copy
    of the version in force (to change afterwards), the items read from an Excel file, or a township catalog
    (`release_id`: adopted through `adopt_release`, with a note naming it)."""

    def __init__(self, ctx: UiContext, items: list[ItemInput], source: str, parent: QWidget | None = None, *,
                 release_id: str | None = None, note: str = "") -> None:
        super().__init__(ctx, _("Adopt a new version of the rules"), parent)
        self.setObjectName("AdoptDialog")
        self.items = items
        self.release_id = release_id
        self.name = QLineEdit()
        self.name.setMaxLength(100)
        self.name.setMinimumWidth(self.fontMetrics().averageCharWidth() * 44)
        self.name.setPlaceholderText(_("e.g. 庄墩村村规民约积分细则（2027年修订）"))
        self.adopted_on = date_edit(today(), maximum=today())
        self.adopted_by = QLineEdit()
        self.adopted_by.setMaxLength(100)
        self.adopted_by.setPlaceholderText(_("e.g. 2026年第二次村民代表会议"))
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.note.setPlainText(note)
        self.errors.add_row(self.form, "name", _("Version name"), self.name, required=True)
        self.errors.add_row(self.form, "adopted_on", _("Adopted on"), self.adopted_on, required=True)
        self.errors.add_row(self.form, "adopted_by", _("Adopted by (which assembly)"), self.adopted_by)
        self.errors.add_row(self.form, "note", _("Note"), self.note)
        self.items_label = QLabel(source)
        self.items_label.setWordWrap(True)
        self.errors.add_row(self.form, "items", _("Items"), self.items_label, aliases=("code", "points", "cap", "wording",
                                                                                       "category", "cap_period"))
        self.top.addWidget(hint_label(_("The new version replaces the one in force for new entries; the old one and "
                                        "every past entry are kept.")))
        self.save_button.setText(_("Adopt"))
        self.save_button.setDefault(True)
        self.name.setFocus()

    def save(self) -> bool:
        from app.services import points_catalog

        name, day, by, note = self.name.text(), q_to_date(self.adopted_on.date()), self.adopted_by.text(), self.note.toPlainText()
        release_id = self.release_id
        if release_id is not None:
            from app.services import township_notices

            return self.run(lambda session: township_notices.adopt_release(session, self.ctx.actor, release_id, name, day, by, note),
                            CATALOG_TABLES)
        return self.run(lambda session: points_catalog.adopt_version(session, self.ctx.actor, name, day, by, self.items, note),
                        CATALOG_TABLES)


class StarsDialog(FormDialog):
    """The accumulated points for one to five stars (星级文明户)."""

    def __init__(self, ctx: UiContext, thresholds: list[int], parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Star thresholds"), parent)
        self.setObjectName("StarsDialog")
        self.spins: list[QSpinBox] = []
        row = QHBoxLayout()
        for i in range(5):
            spin = QSpinBox()
            spin.setRange(0, 1_000_000)
            spin.setSpecialValueText(_("not used"))
            spin.setValue(thresholds[i] if i < len(thresholds) else 0)
            spin.setPrefix("★" * (i + 1) + "  ")
            self.spins.append(spin)
            row.addWidget(spin)
        box = QWidget()
        box.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.errors.add_row(self.form, "star_thresholds", _("Accumulated points"), box)
        self.top.addWidget(hint_label(_("A household earns a star for each threshold its accumulated points reach. "
                                        "Leave a star at “not used” to have fewer than five.")))
        self.save_button.setDefault(True)

    def values(self) -> list[int]:
        return [s.value() for s in self.spins if s.value() > 0]

    def save(self) -> bool:
        from app.services import points

        values = self.values()
        return self.run(lambda session: points.set_star_thresholds(session, self.ctx.actor, values), CATALOG_TABLES)


class CatalogView(QWidget):
    COLUMNS = (N_("Rule code"), N_("Rule category"), N_("Wording"), N_("Points"), N_("Cap"), N_("Cap period"), N_("Review"))

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("pointsCatalog")
        self.catalog: CatalogData | None = None
        self.rules: list[RuleView] = []
        self.thresholds: list[int] = []
        self.dialog: QWidget | None = None
        # test hooks: the file dialogs
        self.choose_open_path = self._choose_open_path
        self.choose_save_path = self._choose_save_path

        self.title = QLabel()
        self.title.setObjectName("catalogTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.subtitle = hint_label()
        self.stars_label = hint_label()
        self.stars_label.setObjectName("starThresholds")
        can_edit = ctx.can("points.catalog")
        self.edit_button = QPushButton()
        self.edit_button.setObjectName("editItem")
        self.edit_button.clicked.connect(self.edit_selected)
        self.add_button = QPushButton()
        self.add_button.setObjectName("addItem")
        self.add_button.clicked.connect(lambda: self.open_item(None))
        self.adopt_button = QPushButton()
        self.adopt_button.setObjectName("adoptVersion")
        self.adopt_button.clicked.connect(self.adopt_copy)
        self.import_button = QPushButton()
        self.import_button.setObjectName("importCatalog")
        self.import_button.clicked.connect(self.import_xlsx)
        self.export_button = QPushButton()
        self.export_button.setObjectName("exportCatalog")
        self.export_button.clicked.connect(self.export_xlsx)
        self.stars_button = QPushButton()
        self.stars_button.setObjectName("starsButton")
        self.stars_button.clicked.connect(self.edit_stars)
        for button in (self.edit_button, self.add_button, self.adopt_button, self.import_button, self.stars_button):
            button.setVisible(can_edit)
        buttons = QHBoxLayout()
        for button in (self.edit_button, self.add_button, self.adopt_button, self.import_button, self.export_button,
                       self.stars_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.message = InlineMessage()
        self.releases: list[CatalogRelease] = []
        self.township = TownshipReleasesBox(can_edit)
        self.township.view_button.clicked.connect(lambda: self.view_release())
        self.township.adopt_button.clicked.connect(lambda: self.adopt_release())

        self.table = list_table(len(self.COLUMNS), "catalogTable", stretch_last=False)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.itemSelectionChanged.connect(self._update_buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.township)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.stars_label)
        self.relabel()
        self.refresh()

    def relabel(self) -> None:
        self.edit_button.setText(_("Edit item…"))
        self.add_button.setText(_("New item…"))
        self.adopt_button.setText(_("Adopt new version…"))
        self.adopt_button.setToolTip(_("The assembly approved revised rules: start a new version from these items"))
        self.import_button.setText(_("Import from Excel…"))
        self.import_button.setToolTip(_("Read a new version of the rules from an .xlsx file (编号, 类别, 条目内容, 分值 …)"))
        self.export_button.setText(_("Export to Excel…"))
        self.stars_button.setText(_("Star thresholds…"))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.township.relabel()
        bigger(self.title, 1.2)
        self._show()

    def refresh(self) -> None:
        from app.services import points, township_notices

        try:
            self.catalog = load_catalog(self.ctx)
            with self.ctx.store.read() as session:
                self.thresholds = points.star_thresholds(session)
                self.releases = township_notices.releases(session, self.ctx.actor)
        except Exception as exc:
            self.message.error(error_message(self.ctx, exc, traceback.format_exc()))
            return
        self.rules = self.catalog.rules
        self.township.set_releases(self.releases)
        self._show()

    def _show(self) -> None:
        catalog = self.catalog
        if catalog is None:
            return
        self.title.setText(catalog.name)
        parts = [_("In force since {date}").format(date=format_date(catalog.adopted_on))]
        if catalog.adopted_by:
            parts.append(_("adopted by {assembly}").format(assembly=catalog.adopted_by))
        parts.append(_("{n} items").format(n=len(catalog.rules)))
        self.subtitle.setText(" · ".join(parts))
        self.stars_label.setText(_("Stars by accumulated points: {list}").format(
            list="   ".join(f"{'★' * (i + 1)} {t}" for i, t in enumerate(self.thresholds))))
        keep = self.selected_code()
        self.table.setRowCount(len(self.rules))
        for r, rule in enumerate(self.rules):
            values = [rule.code, rule.category, rule.wording, signed(rule.points),
                      str(rule.cap) if rule.cap is not None else "—", cap_period_label(rule.cap_period) if rule.cap else "",
                      _("Yes") if rule.needs_review else _("No")]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(CODE_ROLE, rule.code)
                if c in (3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 3:
                    item.setForeground(QColor(GAIN_COLOR if rule.points > 0 else LOSS_COLOR))
                if c == 2:
                    item.setToolTip(rule.wording)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        if keep:
            self.select(keep)
        self._update_buttons()

    def selected_code(self) -> str | None:
        return chosen_id(self.table, CODE_ROLE)

    def select(self, code: str) -> None:
        select_id(self.table, code, CODE_ROLE)

    def _update_buttons(self) -> None:
        self.edit_button.setEnabled(self.selected_code() is not None)

    # -------------------------------------------------------- dialogs

    def _open(self, dialog: QDialog, done_text: str) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            self.message.success(done_text)
            self.refresh()

        dialog.accepted.connect(accepted)
        self.dialog = dialog
        dialog.open()
        return dialog

    def edit_selected(self) -> QDialog | None:
        code = self.selected_code()
        rule = next((r for r in self.rules if r.code == code), None)
        if rule is None or not self.ctx.can("points.catalog"):
            return None
        return self.open_item(rule)

    def open_item(self, rule: RuleView | None) -> QDialog | None:
        if not self.ctx.can("points.catalog"):
            return None
        return self._open(ItemDialog(self.ctx, self.rules, rule, self), _("The rule item was saved."))

    def adopt_copy(self) -> QDialog | None:
        if not self.ctx.can("points.catalog"):
            return None
        items = [item_input(r) for r in self.rules]
        source = _("{n} items, copied from the version in force; change them after adopting.").format(n=len(items))
        return self._open(AdoptDialog(self.ctx, items, source, self), _("The new version of the rules is in force."))

    def _release_items(self, release: CatalogRelease) -> list[ItemInput] | None:
        from app.services import township_notices

        try:
            return township_notices.release_items(release)
        except ValidationError as exc:  # a damaged row from another desk
            self.message.error(exc.message)
            return None

    def view_release(self) -> QDialog | None:
        release = self.township.selected()
        items = self._release_items(release) if release is not None else None
        if release is None or items is None:
            return None
        dialog = ReleaseItemsDialog(release.name, release.issued_on, release.note, items, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def adopt_release(self) -> QDialog | None:
        """The assembly adopted the township's catalog: the adopt dialog with its items and a note naming it."""
        release = self.township.selected()
        if release is None or not self.ctx.can("points.catalog"):
            return None
        items = self._release_items(release)
        if items is None:
            return None
        source = ngettext("{n} item of the township's catalog “{name}”; change them after adopting if the assembly wishes.",
                          "{n} items of the township's catalog “{name}”; change them after adopting if the assembly wishes.",
                          len(items)).format(n=len(items), name=release.name)
        note = _("After the township's catalog “{name}” of {date}.").format(name=release.name, date=format_date(release.issued_on))
        dialog = AdoptDialog(self.ctx, items, source, self, release_id=release.id, note=note)
        return self._open(dialog, _("The township's catalog is now the village's rules in force."))

    def edit_stars(self) -> QDialog | None:
        if not self.ctx.can("points.catalog"):
            return None
        return self._open(StarsDialog(self.ctx, self.thresholds, self), _("The star thresholds were saved."))

    # -------------------------------------------------------- Excel

    def _choose_open_path(self) -> Path | None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Import rules from Excel"), str(Path.home()),
                                                    _("Excel workbook (*.xlsx)"))
        return Path(path) if path else None

    def _choose_save_path(self, default: Path) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Export rules to Excel"), str(default),
                                                    _("Excel workbook (*.xlsx)"))
        if not path:
            return None
        result = Path(path)
        return result if result.suffix.lower() == ".xlsx" else result.with_suffix(".xlsx")

    def import_xlsx(self, path: Path | None = None) -> QDialog | None:
        from app.services import points_catalog

        if not self.ctx.can("points.catalog"):
            return None
        path = path or self.choose_open_path()
        if path is None:
            return None
        try:
            items = points_catalog.read_xlsx(path)
        except ValidationError as exc:
            self.message.error(exc.message)
            return None
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return None
        source = _("{n} items read from {name}.").format(n=len(items), name=path.name)
        return self._open(AdoptDialog(self.ctx, items, source, self), _("The new version of the rules is in force."))

    def export_xlsx(self, path: Path | None = None) -> Path | None:
        from app.services import points_catalog

        default = Path.home() / f"积分细则-{today().isoformat()}.xlsx"
        path = path or self.choose_save_path(default)
        if path is None:
            return None
        try:
            with self.ctx.store.write() as session:
                count = points_catalog.export_xlsx(session, self.ctx.actor, path)
        except ValidationError as exc:
            self.message.error(exc.message)
            return None
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return None
        inform(self, _("Export to Excel"), _("Saved {n} rule items to {path}.").format(n=count, path=path))
        return path

