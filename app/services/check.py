"""`mediation-desk check`: SQLite's integrity check, the audit trail's hash chain, the points balance cache
and the sync change log's hash chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from app.services import audit, points
from app.store.engine import Store


@dataclass(frozen=True)
class CheckReport:
    integrity: str
    audit_ok: bool
    audit_events: int
    audit_problem: str
    points_mismatches: list[str]  # households whose cached balance differs from their ledger
    changes: int = 0  # this desk's change log entries verified
    changes_problem: str = ""

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and self.audit_ok and not self.points_mismatches and not self.changes_problem


def run_checks(store: Store) -> CheckReport:
    with store.read() as session:
        if store.is_sqlite:
            rows = session.execute(text("PRAGMA integrity_check")).all()
            integrity = "; ".join(str(r[0]) for r in rows)
        else:
            integrity = "ok"
        chain = audit.verify_chain(session)
        mismatches = points.balance_mismatches(session)
        from app.sync.changelog import verify_log

        changes, changes_problem = verify_log(session.connection())
    return CheckReport(integrity, chain.ok, chain.events, chain.problem, mismatches, changes, changes_problem)
