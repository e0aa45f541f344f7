"""Everything the printed forms of one case need, read through the services into plain data.

`collect(session, actor, case_id)` is the only place of the documents package that touches the database;
the renderers take the `CaseDocData` it returns, so a worker thread can collect inside its own session,
close it, and render afterwards (and tests can render data they made up). Labels are the forms' Chinese
wording (see `wording.py`), not the translated UI labels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.clock import LOCAL_TZ, today
from app.documents import wording
from app.documents.wording import label
from app.models.cases import CaseCategory, Investigation
from app.models.users import User
from app.services import case_flow, cases, committee
from app.services.cases import CaseView
from app.services.context import Actor


@dataclass(frozen=True)
class CommitteeDoc:
    name: str
    code: str
    seal_text: str
    village: str
    township: str


@dataclass(frozen=True)
class PartyDoc:
    id: str
    role: str  # applicant / respondent / third_party
    role_label: str  # 申请人 / 被申请人 / 第三人
    name: str
    sex: str  # 男 / 女 / ""
    ethnicity: str
    birth_date: dt.date | None
    occupation: str
    address: str
    mobile: str
    is_organisation: bool = False
    credit_code: str = ""
    agent_name: str = ""
    agent_kind: str = ""  # 法定代表人 / 委托代理人
    agent_mobile: str = ""


@dataclass(frozen=True)
class MediatorDoc:
    name: str
    role_label: str
    is_lead: bool


@dataclass(frozen=True)
class SessionDoc:
    held_at: dt.datetime  # in the desk's time zone
    place: str
    attendees: str
    rights_explained: bool
    applicant_statement: str
    respondent_statement: str
    other_statements: str
    facts_checked: str
    outcome: str
    recorder: str


@dataclass(frozen=True)
class InvestigationDoc:
    held_at: dt.datetime
    place: str
    investigator: str
    interviewee: str
    recorder: str
    content: str


@dataclass(frozen=True)
class TermDoc:
    text: str
    amount: str = ""  # yuan as digits, "12000" or "350.5"
    capitals: str = ""  # 人民币壹万贰仟元整


@dataclass(frozen=True)
class AgreementDoc:
    kind: str  # written / oral
    facts: str
    responsibilities: str
    terms: tuple[TermDoc, ...]
    performance_manner: str
    performance_deadline: dt.date | None
    copies: int
    effective_on: dt.date | None
    confirmation_deadline: dt.date | None = None
    confirmation_applied_on: dt.date | None = None
    confirmation_result: str = ""


@dataclass(frozen=True)
class ChecklistDoc:
    key: str
    label: str
    required: bool
    done: bool


@dataclass(frozen=True)
class FollowUpDoc:
    due_on: dt.date
    reason: str
    visited_on: dt.date | None
    visitor: str
    performance: str  # the code, and its wording below
    performance_label: str
    satisfaction: str
    satisfaction_label: str
    lawsuit: bool
    escalation_signs: str
    measures: str
    findings: str


@dataclass(frozen=True)
class ContentsDoc:
    key: str
    label: str
    required: bool
    present: bool


@dataclass(frozen=True)
class AttachmentDoc:
    kind: str
    kind_label: str
    title: str
    filename: str


@dataclass
class CaseDocData:
    committee: CommitteeDoc
    case: CaseView  # number, dates, summary, facts, points in dispute, requests, status, outcome
    category: str  # 宅基地 (the Chinese name, whatever the UI language)
    source_label: str
    status_label: str
    file_number: str  # 卷宗号 （2026）甘人调字第0012号
    file_title: str  # 张三与𠮷䶮宅基地纠纷
    parties: list[PartyDoc] = field(default_factory=list)
    mediators: list[MediatorDoc] = field(default_factory=list)
    sessions: list[SessionDoc] = field(default_factory=list)  # held sessions, oldest first
    investigations: list[InvestigationDoc] = field(default_factory=list)
    agreement: AgreementDoc | None = None
    checklist: list[ChecklistDoc] = field(default_factory=list)
    follow_ups: list[FollowUpDoc] = field(default_factory=list)  # planned and recorded visits
    contents: list[ContentsDoc] = field(default_factory=list)
    attachments: list[AttachmentDoc] = field(default_factory=list)
    registrar: str = ""  # who registered the case
    closed_by: str = ""
    retention: str = ""
    printed_on: dt.date = field(default_factory=today)

    @property
    def number(self) -> str:
        return self.case.number

    @property
    def visits(self) -> list[FollowUpDoc]:
        """The follow-up visits that were made (planned ones have nothing to print yet)."""
        return [f for f in self.follow_ups if f.visited_on is not None]

    @property
    def recorder(self) -> str:
        """The recorder of the latest session: the one who writes up the agreement as well."""
        for s in reversed(self.sessions):
            if s.recorder:
                return s.recorder
        return ""

    @property
    def mediation_from(self) -> dt.date:
        dates = [s.held_at.date() for s in self.sessions] + [i.held_at.date() for i in self.investigations]
        return min(dates) if dates else self.case.received_on

    @property
    def mediation_to(self) -> dt.date | None:
        ends = [s.held_at.date() for s in self.sessions]
        if self.agreement and self.agreement.effective_on:
            ends.append(self.agreement.effective_on)
        if self.case.closed_on and not ends:
            ends.append(self.case.closed_on)
        return max(ends) if ends else None

    def by_role(self, role: str) -> list[PartyDoc]:
        return [p for p in self.parties if p.role == role]


def file_number(year: int, code: str, seq: int) -> str:
    """The case file's number, （2026）甘人调字第0012号: the case's year and sequence, in the file series."""
    return f"（{year}）{code}人调字第{seq:04d}号"


def file_title(parties: list[PartyDoc], category: str) -> str:
    applicants = "、".join(p.name for p in parties if p.role == "applicant")
    others = "、".join(p.name for p in parties if p.role == "respondent")
    kind = category if category.endswith("纠纷") else f"{category}纠纷"
    if applicants and others:
        return f"{applicants}与{others}{kind}"
    return f"{applicants or others}{kind}"


def _local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_TZ)


def _user_name(session: Session, user_id: str | None) -> str:
    if not user_id:
        return ""
    user = session.get(User, user_id)
    return user.display_name if user is not None else ""


def collect(session: Session, actor: Actor, case_id: str) -> CaseDocData:
    """Read the case and all its records (the actor needs permission to read cases)."""
    view = cases.case_view(session, actor, case_id)
    case = cases.get_case(session, case_id)
    desk = committee.require_current(session)
    category_row = session.exec(select(CaseCategory).where(CaseCategory.code == case.category_code)).first()
    category = category_row.name if category_row is not None else case.category_code
    agent_mobiles = {p.id: p.agent_mobile for p in case_flow.parties_of(session, case_id)}
    parties = [
        PartyDoc(p.id, p.role, label(wording.PARTY_ROLE, p.role), p.name, wording.SEX.get(p.sex, p.sex), p.ethnicity,
                 p.birth_date, p.occupation, p.address, p.mobile, p.is_organisation, p.credit_code, p.agent_name,
                 wording.AGENT_KIND.get(p.agent_kind, p.agent_kind), agent_mobiles.get(p.id, ""))
        for p in view.parties
    ]
    mediators = sorted((MediatorDoc(m.name, label(wording.MEDIATOR_ROLE, m.role), m.is_lead) for m in view.mediators),
                       key=lambda m: not m.is_lead)
    held = [s for s in cases.sessions_of(session, case_id) if not s.planned]
    sessions = [SessionDoc(_local(s.held_at), s.place, s.attendees, s.rights_explained, s.applicant_statement,
                           s.respondent_statement, s.other_statements, s.facts_checked, s.outcome, s.recorder) for s in held]
    investigations = [
        InvestigationDoc(_local(i.held_at), i.place, i.investigator, i.interviewee, i.recorder, i.content)
        for i in session.exec(select(Investigation).where(Investigation.case_id == case_id)
                              .order_by(col(Investigation.held_at))).all()
    ]
    agreement_row = case_flow.get_agreement(session, case_id)
    agreement = None
    if agreement_row is not None:
        terms = tuple(TermDoc(t.text, t.amount, case_flow.amount_in_capitals(t.amount) if t.amount else "")
                      for t in case_flow.agreement_terms(agreement_row))
        agreement = AgreementDoc(agreement_row.kind, agreement_row.facts, agreement_row.responsibilities, terms,
                                 agreement_row.performance_manner, agreement_row.performance_deadline, agreement_row.copies,
                                 agreement_row.effective_on, case_flow.confirmation_deadline(agreement_row),
                                 agreement_row.confirmation_applied_on, agreement_row.confirmation_result)
    names = {p.id: p.name for p in parties}
    fixed = {"mediator": "人民调解员签名", "recorder": "记录人签名", "seal": "加盖人民调解委员会印章"}
    checklist = [ChecklistDoc(i.key, fixed.get(i.key) or f"{names.get(i.key, i.key)}签名（盖章或按指印）", i.required, i.done)
                 for i in case_flow.checklist(session, case_id)]
    follow_ups = [FollowUpDoc(f.due_on, wording.system_text(f.reason), f.visited_on, f.visitor, f.performance,
                              wording.PERFORMANCE.get(f.performance, f.performance), f.satisfaction,
                              wording.SATISFACTION.get(f.satisfaction, f.satisfaction), f.lawsuit, f.escalation_signs,
                              f.measures, f.findings)
                  for f in case_flow.follow_ups_of(session, case_id)]
    contents = [ContentsDoc(c.key, label(wording.CONTENTS, c.key), c.required, c.present)
                for c in case_flow.contents_list(session, case_id)]
    attachments = [AttachmentDoc(a.kind, label(wording.ATTACHMENT, a.kind), a.title, a.filename)
                   for a in case_flow.attachments_of(session, case_id)]
    return CaseDocData(
        committee=CommitteeDoc(desk.name, desk.code, desk.seal_text or desk.name, desk.village, desk.township),
        case=view,
        category=category,
        source_label=label(wording.SOURCE, case.source),
        status_label=label(wording.STATUS, case.status),
        file_number=file_number(case.number_year, desk.code, case.number_seq),
        file_title=file_title(parties, category),
        parties=parties,
        mediators=mediators,
        sessions=sessions,
        investigations=investigations,
        agreement=agreement,
        checklist=checklist,
        follow_ups=follow_ups,
        contents=contents,
        attachments=attachments,
        registrar=_user_name(session, case.registered_by),
        closed_by=_user_name(session, case.closed_by),
        retention=case.retention,
    )
