"""Remake the screenshots of the user guides from the real program (not part of the test suite).

    .venv/bin/python docs/guide/make_screenshots.py --lang zh_CN      # docs/guide/img/zh/*.png
    .venv/bin/python docs/guide/make_screenshots.py --lang en         # docs/guide/img/en/*.png
    .venv/bin/python docs/guide/make_screenshots.py --lang en --only case_agreement,points_quick

What it does:
1. Builds the demo desks once, with the real command line, in a work folder (default
   /tmp/mediation-desk-guide, `--fresh` to rebuild): the demo village 庄墩村 (admin / admin123), a
   second, smaller village 新华村, and the township center 长安镇综治中心 (clerk / town12345) set up
   with `init --township`; both villages enrolled at the township and the township at them (the
   fingerprints compared as they would be over the phone), one USB-stick round trip each
   (`sync export` → `sync import` → the receipt back), and one decision of the township sent back.
2. Copies those desks for this run (so what the screenshots click never changes the prepared ones),
   builds the real windows offscreen (QT_QPA_PLATFORM=offscreen), navigates them like a user would
   and saves `widget.grab()` as PNG — 1280×800 for the main window.
3. Squeezes the PNGs with optipng when it is installed (else Pillow's optimize, when installed).

After a UI change run it again and look at every picture before committing it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

VILLAGE_PASSWORD = "admin123"
TOWN_PASSWORD = "town12345"
SIZE = (1280, 800)


# -- 1. the demo desks, made with the command line ---------------------------------------------------

def cli(*args: str, data_dir: Path, env: dict[str, str] | None = None) -> str:
    exe = Path(sys.executable).with_name("mediation-desk")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "app"]
    full_env = {**os.environ, **(env or {})}
    full_env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run([*cmd, "--lang", "en", "--data-dir", str(data_dir), *args], env=full_env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"mediation-desk {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def fingerprint(data_dir: Path) -> str:
    return str(json.loads(cli("--json", "identity", "show", data_dir=data_dir))["fingerprint"])


def build_desks(work: Path) -> None:
    village, village2, town = work / "village", work / "village2", work / "town"
    stick = work / "stick"
    print("demo village 庄墩村 …", flush=True)
    cli("demo", data_dir=village)
    print("a second village 新华村 …", flush=True)
    cli("init", "--committee", "新华村人民调解委员会", "--code", "新", "--village", "新华村", "--town", "长安镇",
        "--admin", "admin", "--admin-name", "李强", data_dir=village2, env={"MEDIATION_DESK_PASSWORD": VILLAGE_PASSWORD})
    cli("demo", "--households", "150", "--cases", "40", "--entries", "1500", "--seed", "7", data_dir=village2)
    print("township center …", flush=True)
    cli("init", "--township", "--committee", "长安镇综治中心", "--code", "长镇", "--town", "长安镇",
        "--admin", "clerk", "--admin-name", "赵文", data_dir=town, env={"MEDIATION_DESK_PASSWORD": TOWN_PASSWORD})
    cli("identity", "export", "-o", str(work / "长安镇综治中心.mdid"), data_dir=town)
    town_fp = fingerprint(town)
    for desk in (village, village2):
        ident = work / f"{desk.name}.mdid"
        cli("identity", "export", "-o", str(ident), data_dir=desk)
        cli("identity", "enroll", str(ident), "--fingerprint", fingerprint(desk), data_dir=town)
        cli("identity", "enroll", str(work / "长安镇综治中心.mdid"), "--fingerprint", town_fp, data_dir=desk)
        if stick.exists():
            shutil.rmtree(stick)
        stick.mkdir()
        cli("sync", "export", "--to", str(stick), data_dir=desk)
        cli("sync", "import", str(stick), data_dir=town)
        cli("sync", "import", str(stick), data_dir=desk)  # the receipt comes back
    # The township accepts one escalated case and decides it; the decision travels back to 庄墩村.
    sys.path.insert(0, str(ROOT))
    from app.services import township, users
    from app.store.engine import open_store

    store = open_store(town)
    try:
        actor = users.login(store, "clerk", TOWN_PASSWORD)
        with store.read() as session:
            rows = township.inbox(session, actor)
        first = rows[-1]
        with store.write() as session:
            township.decide(session, actor, first.case_id, "accepted", "镇综治中心已接手，由司法所牵头调处。")
        with store.write() as session:
            township.decide(session, actor, first.case_id, "decided",
                            "经镇综治中心组织双方及村组干部现场勘界，双方同意按原宅基地证界址确定边界，已签订调解协议。")
    finally:
        store.dispose()
    shutil.rmtree(stick)
    stick.mkdir()
    cli("sync", "export", "--to", str(stick), "--peer", "甘", data_dir=town)
    cli("sync", "import", str(stick), data_dir=village)
    cli("sync", "import", str(stick), data_dir=town)
    # The walk-through of the guide: a new case (accepted), and one mediated with its agreement drafted
    # but not signed yet — the checklist the mediator ticks.
    def head(number: str) -> str:
        return str(json.loads(cli("--json", "household", "show", number, data_dir=village))["members"][0]["name"])

    a, b, c, d = head("0012"), head("0013"), head("0021"), head("0022")
    cli("case", "add", "--category", "homestead", "--summary", f"{a}与{b}宅基地边界纠纷",
        "--facts", f"{a}家新砌院墙，{b}认为院墙占了自家宅基地约半米，双方多次争吵。",
        "--points", "院墙是否越过两家宅基地的界线。", "--requests", "请求调委会查明界址，拆除越界部分。",
        "--applicant", f"0013:{b}", "--respondent", f"0012:{a}", data_dir=village)
    cli("case", "add", "--category", "neighbours", "--summary", f"{c}与{d}排水沟堵塞纠纷",
        "--facts", f"{d}家修路时堵住了排水沟，雨后雨水倒灌进{c}家院子。",
        "--points", "排水沟由谁疏通，损失由谁承担。", "--requests", "疏通排水沟，赔偿损失。",
        "--applicant", f"0021:{c}", "--respondent", f"0022:{d}", data_dir=village)
    ref = json.loads(cli("--json", "case", "list", "--query", f"{c}与{d}", data_dir=village))
    number = ref[0]["number"] if isinstance(ref, list) else ref["cases"][0]["number"]
    cli("case", "session", number, "--place", "村人民调解室", "--attendees", f"{c}、{d}、调解员王丽",
        "--applicant-said", "雨水倒灌，院子被淹，要求疏通并赔偿。", "--respondent-said", "愿意疏通，赔偿数额需商量。",
        "--facts", "排水沟确被堵塞。", "--outcome", "双方同意由被申请人三日内疏通排水沟并赔偿。",
        "--recorder", "李文书", data_dir=village)
    cli("case", "agree", number, "--term", f"{d}于三日内疏通排水沟", "--term", f"{d}赔偿{c}损失=800",
        "--facts", f"{d}家修路时堵住了排水沟，雨后雨水倒灌进{c}家院子。", "--responsibilities", f"{d}负主要责任。",
        "--manner", "现金一次付清", data_dir=village)
    # A few changes not yet sent, so the village's sync page has something to send.
    cli("points", "add", "0001", "0002", "0003", "--rule", "A01", data_dir=village)
    cli("backup", data_dir=village)  # so the settings page lists an automatic backup
    (work / "ready").write_text("ok")


# -- 2. the windows --------------------------------------------------------------------------------

class Shooter:
    def __init__(self, out: Path, only: set[str]) -> None:
        self.out = out
        self.only = only
        self.saved: list[Path] = []

    def wanted(self, name: str) -> bool:
        return not self.only or name in self.only

    def save(self, widget: object, name: str) -> None:
        from PySide6.QtWidgets import QWidget

        assert isinstance(widget, QWidget)
        settle(250)
        widget.repaint()
        path = self.out / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise SystemExit(f"could not save {path}")
        self.saved.append(path)
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", flush=True)


def settle(ms: int = 200) -> None:
    from PySide6.QtCore import QThreadPool
    from PySide6.QtTest import QTest

    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        QTest.qWait(20)
    QThreadPool.globalInstance().waitForDone(30_000)
    QTest.qWait(50)


def run_windows(work: Path, run: Path, lang: str, shots: Shooter) -> None:
    from PySide6.QtWidgets import QApplication

    from app import i18n
    from app.ui.launch import apply_palette, set_ui_language
    from app.ui.qt_setup import apply_font_size, make_app

    app = make_app(["mediation-desk"])
    app.setQuitOnLastWindowClosed(False)
    set_ui_language(app, lang)
    apply_font_size(app, "normal")
    apply_palette(app)
    assert i18n.language() == lang or lang == "zh_CN"

    publish_catalog(run)
    steps: list[tuple[str, Callable[[Shooter, Path], None]]] = [
        ("first run", first_run), ("village", village_windows), ("township", township_windows)]
    for label, step in steps:
        print(label, flush=True)
        step(shots, run)
        settle(100)
    QApplication.closeAllWindows()


def publish_catalog(run: Path) -> None:
    """The township publishes a reference points catalog and the first village imports the return bundle."""
    from app.clock import today
    from app.services import points_catalog, township_notices, users
    from app.store.engine import open_store
    from app.sync import export, identity, importer

    town, village = open_store(run / "town"), open_store(run / "village")
    try:
        clerk = users.login(town, "clerk", TOWN_PASSWORD)
        items = [points_catalog.ItemInput(*row) for row in points_catalog.DEFAULT_ITEMS]
        with town.write() as session:
            township_notices.publish_catalog(session, clerk, "长安镇村规民约积分参考目录（2027年）", today(), items,
                                             note="经镇党委会研究，供各村村民代表会议参考。")
        with village.read() as session:
            village_device = identity.own_identity(session, run / "village").device_id
        with town.write() as session:
            built = export.build_for(session, run / "town", identity.find_peer(session, village_device))
            assert built is not None
            export.record_export(session, built, built.file_name)
        outcome = importer.import_bytes(village, run / "village", built.data, file_name=built.file_name)
        assert outcome.status == "imported", outcome.reason
    finally:
        town.dispose()
        village.dispose()


def open_window(data_dir: Path, username: str, password: str) -> tuple[object, object]:
    from app.services import users
    from app.store.engine import open_store
    from app.ui.context import UiContext
    from app.ui.main_window import MainWindow

    store = open_store(data_dir)
    actor = users.login(store, username, password)
    win = MainWindow(UiContext(store, actor, data_dir))
    win.resize(*SIZE)
    win.show()
    settle(400)
    return store, win


def close_window(store: object, win: object) -> None:
    win.idle_lock.stop()  # type: ignore[attr-defined]
    stop = getattr(getattr(win, "sync_monitor", None), "stop", None)
    if callable(stop):
        stop()
    win.close()  # type: ignore[attr-defined]
    win.deleteLater()  # type: ignore[attr-defined]
    settle(100)
    store.dispose()  # type: ignore[attr-defined]


def first_run(shots: Shooter, run: Path) -> None:
    from app.store.engine import open_store
    from app.ui.login_dialog import LoginDialog
    from app.ui.setup_wizard import SetupWizard

    empty = run / "empty"
    empty.mkdir(exist_ok=True)
    if shots.wanted("setup_wizard"):
        store = open_store(empty)
        wizard = SetupWizard(store)
        wizard.resize(760, 560)
        wizard.show()
        settle(300)
        shots.save(wizard, "setup_wizard")
        wizard.close()
        store.dispose()
    if shots.wanted("login"):
        store = open_store(run / "village")
        dialog = LoginDialog(store, committee_name="庄墩村人民调解委员会")
        dialog.username.setText("admin")
        dialog.password.setText(VILLAGE_PASSWORD)
        dialog.show()
        settle(300)
        shots.save(dialog, "login")
        dialog.close()
        store.dispose()


def _cases_by_status(store: object, status: str, *, with_agreement: bool | None = None, limit: int = 50) -> list[str]:
    from sqlmodel import select

    from app.models.cases import Agreement, Case

    with store.read() as session:  # type: ignore[attr-defined]
        rows = session.exec(select(Case).where(Case.status == status).order_by(Case.received_on.desc())).all()  # type: ignore[attr-defined]
        ids = [c.id for c in rows]
        if with_agreement is not None:
            agreed = {a.case_id: a for a in session.exec(select(Agreement)).all()}
            if with_agreement:
                ids = [i for i in ids if i in agreed and agreed[i].effective_on is None]
            else:
                ids = [i for i in ids if i not in agreed]
    return ids[:limit]


def village_windows(shots: Shooter, run: Path) -> None:
    store, win = open_window(run / "village", "admin", VILLAGE_PASSWORD)
    try:
        home(shots, win)
        case_steps(shots, store, win)
        points_steps(shots, win)
        risk_steps(shots, win)
        sync_steps(shots, run, win)
        settings_steps(shots, win)
    finally:
        close_window(store, win)


def home(shots: Shooter, win: object) -> None:
    win.select_section("home")  # type: ignore[attr-defined]
    if shots.wanted("home"):
        shots.save(win, "home")


def case_steps(shots: Shooter, store: object, win: object) -> None:
    page = win.page("cases")  # type: ignore[attr-defined]
    win.select_section("cases")  # type: ignore[attr-defined]
    page.show_list()
    settle(300)
    if shots.wanted("cases_list"):
        shots.save(win, "cases_list")
    if shots.wanted("case_new"):
        dialog = page.new_case()
        settle(300)
        dialog.resize(dialog.width(), min(max(dialog.height(), 700), 800))
        shots.save(dialog, "case_new")
        dialog.reject()
    accepted = _cases_by_status(store, "accepted")
    if accepted and shots.only and shots.wanted("cases_search"):  # not in the guides: only when asked for
        page.search.setText("宅基地")
        page.apply_filter()
        shots.save(win, "cases_search")
    if accepted and shots.wanted("case_accepted"):
        page.open_case(accepted[0])
        shots.save(win, "case_accepted")
    mediating = _cases_by_status(store, "mediating", with_agreement=False)
    if mediating and shots.wanted("case_sessions"):
        page.open_case(mediating[0])
        cp = page.case_page
        cp.tabs.setCurrentWidget(cp.sessions_tab)
        shots.save(win, "case_sessions")
    drafts = _cases_by_status(store, "mediating", with_agreement=True)
    if drafts and shots.wanted("case_agreement"):
        page.open_case(drafts[0])
        cp = page.case_page
        cp.tabs.setCurrentWidget(cp.agreement_tab)
        shots.save(win, "case_agreement")
    agreed = _cases_by_status(store, "agreed") or _cases_by_status(store, "following_up")
    if agreed:
        page.open_case(agreed[0])
        cp = page.case_page
        if shots.wanted("case_agreed"):
            cp.tabs.setCurrentWidget(cp.agreement_tab)
            shots.save(win, "case_agreed")
        if shots.wanted("print_preview"):
            preview = cp.print_agreement()
            settle(1500)
            if preview is not None:
                preview.resize(1100, 800)
                settle(500)
                shots.save(preview, "print_preview")
                preview.reject()
    following = _cases_by_status(store, "following_up")
    if following and shots.wanted("case_follow_up"):
        page.open_case(following[0])
        cp = page.case_page
        cp.tabs.setCurrentWidget(cp.follow_ups_tab)
        shots.save(win, "case_follow_up")
    closed = _cases_by_status(store, "closed")
    if closed and shots.wanted("case_file"):
        page.open_case(closed[0])
        cp = page.case_page
        cp.tabs.setCurrentWidget(cp.case_file_tab)
        shots.save(win, "case_file")
    transferred = _cases_by_status(store, "transferred")
    if transferred and shots.wanted("case_township_decision"):
        from sqlmodel import select

        from app.models.cases import CaseDecision

        with store.read() as session:  # type: ignore[attr-defined]
            decided = {d.case_id for d in session.exec(select(CaseDecision)).all()}
        chosen = next((c for c in transferred if c in decided), transferred[0])
        page.open_case(chosen)
        shots.save(win, "case_township_decision")
    page.show_list()


def points_steps(shots: Shooter, win: object) -> None:
    page = win.page("points")  # type: ignore[attr-defined]
    win.select_section("points")  # type: ignore[attr-defined]
    for key in ("accounts", "quick", "review", "notice", "catalog"):
        name = f"points_{key}"
        if shots.wanted(name):
            view = page.show_view(key)
            if key == "quick":  # a household picked by its number, a rule by its code: Enter would save
                from PySide6.QtCore import Qt
                from PySide6.QtTest import QTest

                settle(200)
                for widget, text in ((view.household_finder.edit, "0001"), (view.rule_finder.edit, "A01")):
                    widget.setFocus()
                    QTest.keyClicks(widget, text)
                    settle(300)
                    QTest.keyClick(widget, Qt.Key.Key_Return)
                    settle(200)
            shots.save(win, name)


def risk_steps(shots: Shooter, win: object) -> None:
    page = win.page("risk")  # type: ignore[attr-defined]
    win.select_section("risk")  # type: ignore[attr-defined]
    for key in ("board", "assess", "review"):
        name = f"risk_{key}"
        if not shots.wanted(name):
            continue
        page.show_view(key)
        if key == "assess":  # a household found and opened for its rating, as the search would
            from sqlmodel import select

            from app.models.risk import RiskAssessment, RiskRound
            from app.models.roster import Household

            with win.ctx.store.read() as session:  # type: ignore[attr-defined]
                newest = session.exec(select(RiskRound).order_by(RiskRound.quarter.desc())).first()  # type: ignore[attr-defined]
                rated = set(session.exec(select(RiskAssessment.household_id).where(
                    RiskAssessment.round_id == newest.id)).all()) if newest is not None else set()
                household = next((h for h in session.exec(select(Household).order_by(Household.number)).all()
                                  if h.id not in rated), None)
            if household is not None:
                page.rate_household(household.id)
                settle(300)
        shots.save(win, name)


def sync_steps(shots: Shooter, run: Path, win: object) -> None:
    page = win.page("sync")  # type: ignore[attr-defined]
    win.select_section("sync")  # type: ignore[attr-defined]
    overview = page.show_view("overview")
    if shots.wanted("sync_overview"):
        shots.save(win, "sync_overview")
    stick = run / "U盘"
    stick.mkdir(exist_ok=True)
    if shots.wanted("sync_exported"):
        overview.export_to(stick)
        settle(1500)
        shots.save(win, "sync_exported")
    if shots.wanted("sync_identity"):
        page.show_view("identity")
        shots.save(win, "sync_identity")


def settings_steps(shots: Shooter, win: object) -> None:
    page = win.page("settings")  # type: ignore[attr-defined]
    win.select_section("settings")  # type: ignore[attr-defined]
    box = getattr(page, "backup_box", None)
    if box is not None and shots.wanted("settings_backup"):
        from PySide6.QtWidgets import QScrollArea

        area = page.findChild(QScrollArea)
        if area is not None:
            area.ensureWidgetVisible(box)
        shots.save(win, "settings_backup")


def township_windows(shots: Shooter, run: Path) -> None:
    store, win = open_window(run / "town", "clerk", TOWN_PASSWORD)
    try:
        win.select_section("villages")  # type: ignore[attr-defined]
        villages = win.page("villages")  # type: ignore[attr-defined]
        if shots.wanted("town_villages"):
            shots.save(win, "town_villages")
        if shots.wanted("town_village_detail"):
            from app.services import township

            with store.read() as session:  # type: ignore[attr-defined]
                rows = township.villages(session, win.ctx.actor, run / "town")  # type: ignore[attr-defined]
            villages.open_village(rows[0].device_id)
            shots.save(win, "town_village_detail")
            villages.show_list()
        if shots.wanted("town_catalogs"):
            win.select_section("catalogs")  # type: ignore[attr-defined]
            settle(300)
            shots.save(win, "town_catalogs")
        win.select_section("inbox")  # type: ignore[attr-defined]
        inbox = win.page("inbox")  # type: ignore[attr-defined]
        from app.services import township

        with store.read() as session:  # type: ignore[attr-defined]
            waiting = [r for r in township.inbox(session, win.ctx.actor) if r.state == "waiting"]  # type: ignore[attr-defined]
        if waiting:
            inbox.select(waiting[0].case_id)
            settle(300)
        if shots.wanted("town_inbox"):
            shots.save(win, "town_inbox")
        if shots.wanted("town_decide"):
            dialog = inbox.decide("decided")
            settle(300)
            if dialog is not None:
                shots.save(dialog, "town_decide")
                dialog.reject()
        win.select_section("sync")  # type: ignore[attr-defined]
        sync = win.page("sync")  # type: ignore[attr-defined]
        if shots.wanted("town_sync_overview"):
            sync.show_view("overview")
            shots.save(win, "town_sync_overview")
        ident = sync.show_view("identity")
        if shots.wanted("town_identity"):
            shots.save(win, "town_identity")
        if shots.wanted("town_enroll"):
            dialog = ident.enroll_clicked()
            settle(300)
            dialog.load(str(run / "village2.mdid"))
            shots.save(dialog, "town_enroll")
            dialog.reject()
        if shots.wanted("town_revoke"):
            ident.select_peer("新华村人民调解委员会")
            dialog = ident.revoke_clicked()
            settle(300)
            if dialog is not None:
                shots.save(dialog, "town_revoke")
                dialog.reject()
        if shots.wanted("town_log"):
            sync.show_view("log")
            shots.save(win, "town_log")
    finally:
        close_window(store, win)


# -- 3. smaller files ---------------------------------------------------------------------------------

def optimise(paths: list[Path]) -> None:
    """256 colours are plenty for a window (Pillow, when installed), then optipng (when installed)."""
    if not paths:
        return
    try:
        from PIL import Image
    except ImportError:
        Image = None  # type: ignore[assignment]
    if Image is not None:
        for path in paths:
            with Image.open(path) as img:
                small = img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            small.save(path, optimize=True)
    if shutil.which("optipng"):
        subprocess.run(["optipng", "-quiet", "-o2", *map(str, paths)], check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN")
    parser.add_argument("--out", help="folder for the PNGs (default docs/guide/img/zh or …/en)")
    parser.add_argument("--work", default="/tmp/mediation-desk-guide", help="folder for the demo desks")
    parser.add_argument("--fresh", action="store_true", help="rebuild the demo desks")
    parser.add_argument("--only", default="", help="comma-separated screenshot names")
    args = parser.parse_args()
    work = Path(args.work)
    if args.fresh and work.exists():
        shutil.rmtree(work)
    if not (work / "ready").exists():
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        build_desks(work)
    run = work / f"run-{args.lang}"
    if run.exists():
        shutil.rmtree(run)
    run.mkdir()
    for name in ("village", "village2", "town"):
        shutil.copytree(work / name, run / name)
    for ident in work.glob("*.mdid"):
        shutil.copy2(ident, run / ident.name)
    out = Path(args.out) if args.out else ROOT / "docs" / "guide" / "img" / ("zh" if args.lang == "zh_CN" else "en")
    out.mkdir(parents=True, exist_ok=True)
    shots = Shooter(out, {s for s in args.only.split(",") if s})
    run_windows(work, run, args.lang, shots)
    optimise(shots.saved)
    total = sum(p.stat().st_size for p in out.glob("*.png"))
    print(f"{len(shots.saved)} screenshots in {out} ({total / 1e6:.1f} MB in the folder)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
