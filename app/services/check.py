"""`mediation-desk check`: SQLite's integrity check and the audit trail's hash chain."""

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

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and self.audit_ok and not self.points_mismatches


def run_checks(store: Store) -> CheckReport:
    with store.read() as session:
        if store.is_sqlite:
            rows = session.execute(text("PRAGMA integrity_check")).all()
            integrity = "; ".join(str(r[0]) for r in rows)
        else:
            integrity = "ok"
        chain = audit.verify_chain(session)
        mismatches = points.balance_mismatches(session)
    return CheckReport(integrity, chain.ok, chain.events, chain.problem, mismatches)
