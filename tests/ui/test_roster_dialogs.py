"""The household and person dialogs: what is missing, errors under their fields, nothing saved on a refusal,
the duplicate ID number question, Enter saves and Esc cancels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from stdnum.cn import ric

from app.models.roster import Person
from app.services import households
from app.services.context import Actor
from app.store.engine import Store
from app.ui.context import UiContext
from app.ui.roster.household_dialog import HouseholdDialog
from app.ui.roster.person_dialog import PersonDialog
from tests.ui import make_ctx, type_text


def id_number(birth: str = "19800101", sequence: str = "123", area: str = "110105") -> str:
    """A valid resident ID number (an odd sequence is a man)."""
    body = area + birth + sequence
    return body + ric.calc_check_digit(body + "0")  # it ignores the last character


def _show(qtbot: QtBot, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def _detail(store: Store, actor: Actor, household_id: str) -> households.HouseholdDetail:
    with store.read() as session:
        return households.household_detail(session, actor, household_id)


def _question(qtbot: QtBot) -> QMessageBox:
    boxes: list[QMessageBox] = []

    def showing() -> bool:
        boxes[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        return bool(boxes)

    qtbot.waitUntil(showing)
    return boxes[-1]


def _press(qtbot: QtBot, box: QMessageBox, text: str) -> None:
    button = next(b for b in box.findChildren(QPushButton) if b.text() == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _ctx(store: Store, admin: Actor) -> UiContext:
    return make_ctx(store, admin)


# ---------------------------------------------------------------- household dialog


def test_new_household_dialog_says_what_is_missing_and_saves_household_and_head(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    ctx = _ctx(store, admin)
    changed: list[object] = []
    ctx.changed.connect(changed.append)
    dialog = _show(qtbot, HouseholdDialog(ctx))
    assert isinstance(dialog, HouseholdDialog) and dialog.person is not None
    assert dialog.missing_label.text() == "Missing: Household number, Name"
    assert not dialog.save_button.isEnabled()
    assert dialog.save_button.toolTip() == "Missing: Household number, Name"

    type_text(qtbot, dialog.number, "0003")
    assert dialog.missing_label.text() == "Missing: Name"
    type_text(qtbot, dialog.person.name, "王五")
    assert dialog.missing_label.text() == "" and dialog.save_button.isEnabled()
    type_text(qtbot, dialog.address, "庄墩村一组3号")
    dialog.group.setCurrentIndex(dialog.group.findText("一组"))
    dialog.micro.setCurrentIndex(dialog.micro.findText("一组第1微网格"))
    type_text(qtbot, dialog.person.id_number, id_number())
    qtbot.keyClick(dialog.person.id_number, Qt.Key.Key_Tab)  # leaving the field fills birth date and sex
    assert dialog.person.birth_date.text() == "1980-01-01"
    assert dialog.person.sex.currentData() == "male"
    assert dialog.person.relation.currentText() == "户主"
    dialog.person.care_flags["subsistence"].setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.household_id is not None
    saved = _detail(store, admin, dialog.household_id)
    assert (saved.number, saved.address, saved.group_name, saved.micro_grid_name) == (
        "0003", "庄墩村一组3号", "一组", "一组第1微网格")
    [head] = saved.members
    assert (head.name, head.is_head, head.sex, head.id_number, head.care_flags) == (
        "王五", True, "male", households.mask_id_number(id_number()), ("subsistence",))
    assert changed == [{"household", "person"}]


def test_the_micro_grid_list_follows_the_villager_group(qtbot: QtBot, store: Store, admin: Actor,
                                                       village: dict[str, str]) -> None:
    dialog = _show(qtbot, HouseholdDialog(_ctx(store, admin)))
    assert isinstance(dialog, HouseholdDialog)
    dialog.group.setCurrentIndex(dialog.group.findText("二组"))
    assert [dialog.micro.itemText(i) for i in range(dialog.micro.count())] == ["None"]
    dialog.group.setCurrentIndex(dialog.group.findText("一组"))
    assert [dialog.micro.itemText(i) for i in range(dialog.micro.count())] == ["None", "一组第1微网格"]
    # With no group chosen every micro-grid is offered, and choosing one sets its group.
    dialog.group.setCurrentIndex(0)
    dialog.micro.setCurrentIndex(dialog.micro.findText("一组 / 一组第1微网格"))
    assert dialog.group.currentText() == "一组"
    assert dialog.micro.currentText() == "一组第1微网格"


def test_a_refusal_from_the_service_is_shown_under_its_field_and_nothing_is_saved(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    dialog = _show(qtbot, HouseholdDialog(_ctx(store, admin), village["h1"]))
    assert isinstance(dialog, HouseholdDialog) and dialog.person is None
    assert dialog.number.text() == "0001" and dialog.micro.currentText() == "一组第1微网格"
    dialog.number.selectAll()
    type_text(qtbot, dialog.number, "0002")  # 𠮷䶮's household number
    dialog.address.clear()
    type_text(qtbot, dialog.address, "新地址")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.form.error_text("number") == "Household number “0002” is already used by another household."
    assert dialog.form.fields["number"].error.isVisible()
    saved = _detail(store, admin, village["h1"])
    assert (saved.number, saved.address) == ("0001", "庄墩村一组1号")


def test_enter_saves_and_escape_cancels(qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    ctx = _ctx(store, admin)
    dialog = _show(qtbot, HouseholdDialog(ctx, village["h2"]))
    assert isinstance(dialog, HouseholdDialog)
    dialog.address.clear()
    type_text(qtbot, dialog.address, "庄墩村二组10号")
    qtbot.keyClick(dialog.address, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert _detail(store, admin, village["h2"]).address == "庄墩村二组8号"

    dialog = _show(qtbot, HouseholdDialog(ctx, village["h2"]))
    assert isinstance(dialog, HouseholdDialog)
    dialog.address.clear()
    type_text(qtbot, dialog.address, "庄墩村二组10号")
    qtbot.keyClick(dialog.address, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert _detail(store, admin, village["h2"]).address == "庄墩村二组10号"


# ---------------------------------------------------------------- person dialog


def test_an_invalid_id_number_is_shown_under_the_field_when_leaving_it_and_nothing_is_saved(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    before = _detail(store, admin, village["h1"])
    zhang = before.members[0]
    dialog = _show(qtbot, PersonDialog(_ctx(store, admin), village["h1"], zhang.id, household_number="0001"))
    assert isinstance(dialog, PersonDialog)
    form = dialog.person
    assert form.name.text() == "张三" and form.id_number.text() == "110105********002X"  # masked until asked
    assert form.birth_date.text() == "1949-12-31"

    form.id_number.setFocus()
    form.id_number.selectAll()
    type_text(qtbot, form.id_number, "110105194912310021")  # wrong check digit
    assert form.form.error_text("id_number") == ""  # not while typing
    qtbot.keyClick(form.id_number, Qt.Key.Key_Tab)
    assert form.form.error_text("id_number") == "ID number: the check digit is wrong; please check the number."
    assert form.form.fields["id_number"].error.isVisible()

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert _detail(store, admin, village["h1"]) == before

    # Correcting it takes the message away; saving then works.
    form.id_number.selectAll()
    type_text(qtbot, form.id_number, "11010519491231002X")
    assert form.form.error_text("id_number") == ""
    form.mobile.clear()
    type_text(qtbot, form.mobile, "13800138009")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert _detail(store, admin, village["h1"]).members[0].mobile == "13800138009"


def test_other_field_checks_show_under_their_fields(qtbot: QtBot, store: Store, admin: Actor,
                                                   village: dict[str, str]) -> None:
    dialog = _show(qtbot, PersonDialog(_ctx(store, admin), village["h2"]))
    assert isinstance(dialog, PersonDialog)
    form = dialog.person
    type_text(qtbot, form.name, "王五")
    type_text(qtbot, form.mobile, "12345")
    qtbot.keyClick(form.mobile, Qt.Key.Key_Tab)
    assert form.form.error_text("mobile") == "Mobile number must be 11 digits starting with 1."
    type_text(qtbot, form.birth_date, "1962-13-45")
    qtbot.keyClick(form.birth_date, Qt.Key.Key_Tab)
    assert form.form.error_text("birth_date") == "Birth date is not a date (write it as 2026-11-25)."
    form.name.clear()
    assert dialog.missing_label.text() == "Missing: Name" and not dialog.save_button.isEnabled()
    form.name.setFocus()
    qtbot.keyClick(form.name, Qt.Key.Key_Tab)
    assert form.form.error_text("name") == "Name is required."
    assert len(_detail(store, admin, village["h2"]).members) == 1


def test_a_duplicate_id_number_asks_and_can_be_saved_anyway(qtbot: QtBot, store: Store, admin: Actor,
                                                           village: dict[str, str]) -> None:
    ctx = _ctx(store, admin)
    dialog = _show(qtbot, PersonDialog(ctx, village["h2"], household_number="0002"))
    assert isinstance(dialog, PersonDialog)
    type_text(qtbot, dialog.person.name, "张三")
    type_text(qtbot, dialog.person.id_number, "11010519491231002X")  # already 张三's, in household 0001
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    box = _question(qtbot)
    assert box.text() == ("A person with this ID number is already in the roster: 张三, household 0001.\n\n"
                          "Save anyway?")
    assert len(_detail(store, admin, village["h2"]).members) == 1  # nothing yet
    _press(qtbot, box, "Go back")
    assert dialog.isVisible() and len(_detail(store, admin, village["h2"]).members) == 1

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _press(qtbot, _question(qtbot), "Save anyway")
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    members = _detail(store, admin, village["h2"]).members
    assert sorted(m.name for m in members) == ["张三", "𠮷䶮"]
    assert {m.id_number for m in members} == {"", "110105********002X"}


def test_a_viewer_cannot_save_even_if_a_dialog_is_opened(qtbot: QtBot, store: Store, admin: Actor,
                                                        village: dict[str, str]) -> None:
    from tests.conftest import make_user

    viewer = make_user(store, admin, "v", "viewer")
    dialog = _show(qtbot, PersonDialog(make_ctx(store, viewer), village["h2"]))
    assert isinstance(dialog, PersonDialog)
    type_text(qtbot, dialog.person.name, "王五")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    box = _question(qtbot)
    assert "may not do this" in box.text()
    _press(qtbot, box, "OK")
    assert len(_detail(store, admin, village["h2"]).members) == 1


def test_enter_in_a_list_field_saves_even_after_tab_has_passed_over_cancel(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    dialog = _show(qtbot, PersonDialog(_ctx(store, admin), village["h2"], household_number="0002"))
    assert isinstance(dialog, PersonDialog)
    type_text(qtbot, dialog.person.name, "王五")
    # Tab through every field, over Save and Cancel, and back to the name.
    widget = dialog.focusWidget()
    order = []
    for _ in range(40):
        assert widget is not None
        order.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        widget = dialog.focusWidget()
        if widget is dialog.person.name:
            break
    form = dialog.person
    expected = [form.name, form.sex, form.ethnicity, form.birth_date, form.id_number, form.mobile, form.relation,
                *form.care_flags.values(), form.occupation, form.note]
    assert [w for w in order if w in expected] == expected  # the fields in reading order
    dialog.person.relation.setFocus()
    type_text(qtbot, dialog.person.relation.lineEdit(), "子")  # type: ignore[arg-type]
    qtbot.keyClick(dialog.person.relation.lineEdit(), Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert {(m.name, m.relation_to_head) for m in _detail(store, admin, village["h2"]).members} == {
        ("𠮷䶮", "户主"), ("王五", "子")}


def test_the_full_id_number_is_shown_on_request_and_the_look_is_audited(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str]) -> None:
    from app.services import audit

    zhang = _detail(store, admin, village["h1"]).members[0]
    dialog = _show(qtbot, PersonDialog(_ctx(store, admin), village["h1"], zhang.id, household_number="0001"))
    assert isinstance(dialog, PersonDialog)
    assert dialog.reveal_button.isVisible() and dialog.person.id_number.text() == "110105********002X"
    # Saving other changes with the number still masked keeps the stored number.
    dialog.person.mobile.clear()
    type_text(qtbot, dialog.person.mobile, "13800138001")
    qtbot.mouseClick(dialog.reveal_button, Qt.MouseButton.LeftButton)
    assert dialog.person.id_number.text() == "11010519491231002X" and not dialog.reveal_button.isVisible()
    with store.read() as session:
        _n, rows = audit.list_events(session, admin, action="reveal_id_number")
    assert [r.record_id for r in rows] == [zhang.id]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with store.read() as session:
        person = session.get(Person, zhang.id)
        assert person is not None and person.id_number == "11010519491231002X" and person.mobile == "13800138001"


def test_saving_without_showing_the_number_keeps_it(qtbot: QtBot, store: Store, admin: Actor,
                                                    village: dict[str, str]) -> None:
    zhang = _detail(store, admin, village["h1"]).members[0]
    dialog = _show(qtbot, PersonDialog(_ctx(store, admin), village["h1"], zhang.id, household_number="0001"))
    assert isinstance(dialog, PersonDialog)
    dialog.person.occupation.setText("农民")
    dialog.person.id_number.setFocus()
    qtbot.keyClick(dialog.person.id_number, Qt.Key.Key_Tab)  # the masked value is no error
    assert dialog.person.form.error_text("id_number") == ""
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with store.read() as session:
        person = session.get(Person, zhang.id)
        assert person is not None and person.id_number == "11010519491231002X" and person.occupation == "农民"

