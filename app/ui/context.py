"""What every page of the window is handed: the store, the acting user, the data directory, and a
signal to tell the other pages that something changed. No globals: tests build their own."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.services.context import Actor, can
from app.store.engine import Store


class UiContext(QObject):
    # Emitted after a write, with the table names touched ("household", "person", "grid_cell", ...).
    changed = Signal(object)
    # Emitted when language or font size changes; pages re-label themselves.
    retranslate = Signal()

    def __init__(self, store: Store, actor: Actor, data_dir: Path) -> None:
        super().__init__()
        self.store = store
        self.actor = actor
        self.data_dir = data_dir

    def can(self, permission: str) -> bool:
        return can(self.actor, permission)
