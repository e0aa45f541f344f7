"""The one path for long work from the GUI: run a function on the thread pool, report progress, and
hand the result (or the error) back on the GUI thread. The window never freezes.

The function receives a `Progress` it may call as `progress(done, total)` and poll with
`progress.cancelled`; it must open its own session (sessions are not shared between threads).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class Progress:
    def __init__(self, signals: _Signals) -> None:
        self._signals = signals
        self.cancelled = False

    def __call__(self, done: int, total: int) -> None:
        self._signals.progress.emit(done, total)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object, str)
    progress = Signal(int, int)


class Task(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any]) -> None:
        super().__init__()
        self.signals = _Signals()
        self.progress = Progress(self.signals)
        self._fn = fn
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self.progress.cancelled = True

    def run(self) -> None:
        try:
            result = self._fn(self.progress)
        except BaseException as exc:  # handed to the GUI thread, which shows or logs it
            self.signals.failed.emit(exc, traceback.format_exc())
            return
        self.signals.done.emit(result)


_running: set[Task] = set()


def run_task(
    fn: Callable[[Progress], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException, str], None],
    on_progress: Callable[[int, int], None] | None = None,
    pool: QThreadPool | None = None,
) -> Task:
    task = Task(fn)
    _running.add(task)

    def finished(result: Any) -> None:
        _running.discard(task)
        on_done(result)

    def failed(exc: BaseException, tb: str) -> None:
        _running.discard(task)
        on_error(exc, tb)

    task.signals.done.connect(finished)
    task.signals.failed.connect(failed)
    if on_progress is not None:
        task.signals.progress.connect(on_progress)
    (pool or QThreadPool.globalInstance()).start(task)
    return task
