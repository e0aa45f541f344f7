"""The QApplication: Fusion style, the bundled CJK fonts, Qt's own translations, the base font size."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from app.paths import resources_dir

UI_FONT_FILE = "wqy-microhei.ttc"
RARE_FONT_FILE = "HanaMin-rare.ttf"
POINT_SIZES = {"normal": 12, "large": 15}

_loaded_families: list[str] = []


def load_fonts() -> list[str]:
    """Register the bundled fonts once; returns their family names, UI font first."""
    if _loaded_families:
        return _loaded_families
    folder = resources_dir() / "fonts"
    for name in (UI_FONT_FILE, RARE_FONT_FILE):
        font_id = QFontDatabase.addApplicationFont(str(folder / name))
        if font_id >= 0:
            families = QFontDatabase.applicationFontFamilies(font_id)
            if families:
                _loaded_families.append(families[0])
    return _loaded_families


def apply_font_size(app: QApplication, size: str) -> None:
    families = load_fonts()
    font = QFont()
    if families:
        # The rare-character font comes second: Qt falls back to it for 𠮷 and 䶮.
        font.setFamilies(families)
    font.setPointSize(POINT_SIZES.get(size, POINT_SIZES["normal"]))
    app.setFont(font)


_translators: list[QTranslator] = []


def install_qt_translations(app: QApplication, language: str) -> None:
    """Qt's own dialogs (buttons, file dialogs) in the chosen language, from the qtbase catalog PySide6 ships."""
    for old in _translators:
        app.removeTranslator(old)
    _translators.clear()
    if language == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    translator = QTranslator(app)
    if translator.load(f"qtbase_{language}", str(folder)):
        app.installTranslator(translator)
        _translators.append(translator)


def make_app(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Mediation Desk")
    app.setOrganizationName("MediationDesk")
    app.setStyle("Fusion")
    icon = QIcon()
    for size in (32, 64, 256):  # drawn by packaging/make_icons.py
        icon.addFile(str(resources_dir() / "icons" / f"mediation-desk-{size}.png"))
    app.setWindowIcon(icon)
    return app
