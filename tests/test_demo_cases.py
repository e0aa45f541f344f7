"""The demo cases are believable and consistent: every case's history ends in its status, agreements
in force have every signature, closed cases have a closing date, search and checks work."""

from collections import Counter

from sqlmodel import select

from app.models.cases import Agreement, AgreementSignature, Case, CaseEvent, CaseStatus
from app.services import case_flow, cases, check, demo, demo_cases, users
from app.store.engine import Store


def test_demo_cases(store: Store) -> None:
    demo.build_demo(store, households=120, seed=7)
    summary = demo_cases.build_cases(store, cases=200, seed=7)
    assert summary.cases == 200 and summary.sessions > 150 and summary.agreements > 80
    actor = users.login(store, "admin", "admin123")
    with store.read() as session:
        all_cases = session.exec(select(Case)).all()
        statuses = Counter(c.status for c in all_cases)
        assert statuses[CaseStatus.CLOSED] > 100 and len(statuses) >= 5
        numbers = [c.number for c in all_cases]
        assert len(set(numbers)) == 200
        for c in all_cases:
            events = session.exec(select(CaseEvent).where(CaseEvent.case_id == c.id).order_by(CaseEvent.at)).all()
            assert events[-1].to_status == c.status, c.number
            assert (c.closed_on is not None) == (c.status == CaseStatus.CLOSED)
            agreement = session.exec(select(Agreement).where(Agreement.case_id == c.id)).first()
            if c.status in (CaseStatus.AGREED, CaseStatus.FOLLOWING_UP):
                assert agreement is not None and agreement.effective_on is not None
            if agreement is not None and agreement.kind == "written":
                signed = session.exec(select(AgreementSignature).where(AgreementSignature.agreement_id == agreement.id)).all()
                assert signed and all(s.signed for s in signed)
        first = all_cases[0]
        assert cases.count_cases(session, actor, cases.CaseFilter(query=first.summary[:4])) >= 1
        assert case_flow.contents_list(session, first.id)
    assert check.run_checks(store).ok
