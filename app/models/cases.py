"""Mediation cases: the case, its parties and mediators, sessions, investigations, attachments,
agreement with its signature checklist, follow-up visits, and the history of its status."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import SyncedRecord, utc_field


class CaseStatus(StrEnum):
    ACCEPTED = "accepted"  # 受理
    MEDIATING = "mediating"  # 调解中
    AGREED = "agreed"  # 已达成协议
    FOLLOWING_UP = "following_up"  # 回访中
    CLOSED = "closed"  # 已结案
    FAILED = "failed"  # 调解不成
    TRANSFERRED = "transferred"  # 已转办
    WITHDRAWN = "withdrawn"  # 已撤回


STATUS_LABELS = {
    CaseStatus.ACCEPTED: N_("Accepted"),
    CaseStatus.MEDIATING: N_("Mediating"),
    CaseStatus.AGREED: N_("Agreement reached"),
    CaseStatus.FOLLOWING_UP: N_("Following up"),
    CaseStatus.CLOSED: N_("Closed"),
    CaseStatus.FAILED: N_("Mediation failed"),
    CaseStatus.TRANSFERRED: N_("Transferred"),
    CaseStatus.WITHDRAWN: N_("Withdrawn"),
}
OPEN_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.AGREED, CaseStatus.FOLLOWING_UP)


class CaseSource(StrEnum):
    PARTY_APPLIED = "party_applied"
    COMMITTEE_INITIATED = "committee_initiated"
    SCREENING = "screening"
    POLICE_TRANSFER = "police_transfer"
    COURT_ENTRUSTED = "court_entrusted"
    GOVERNMENT_ASSIGNED = "government_assigned"
    PETITION_QR = "petition_qr"


SOURCE_LABELS = {
    CaseSource.PARTY_APPLIED: N_("Party applied"),
    CaseSource.COMMITTEE_INITIATED: N_("Committee took it up"),
    CaseSource.SCREENING: N_("Found in screening"),
    CaseSource.POLICE_TRANSFER: N_("Transferred by the police"),
    CaseSource.COURT_ENTRUSTED: N_("Entrusted by the court"),
    CaseSource.GOVERNMENT_ASSIGNED: N_("Assigned by the government"),
    CaseSource.PETITION_QR: N_("Petition QR code"),
}


class PartyRole(StrEnum):
    APPLICANT = "applicant"
    RESPONDENT = "respondent"
    THIRD_PARTY = "third_party"


PARTY_ROLE_LABELS = {
    PartyRole.APPLICANT: N_("Applicant"),
    PartyRole.RESPONDENT: N_("Respondent"),
    PartyRole.THIRD_PARTY: N_("Third party"),
}


class MediatorRole(StrEnum):
    PEOPLES_MEDIATOR = "peoples_mediator"
    JUDGE = "judge"
    PROSECUTOR = "prosecutor"
    POLICE_OFFICER = "police_officer"
    LEGAL_ADVISOR = "legal_advisor"
    COUNSELLOR = "counsellor"
    FIVE_ELDERS = "five_elders"


MEDIATOR_ROLE_LABELS = {
    MediatorRole.PEOPLES_MEDIATOR: N_("People's mediator"),
    MediatorRole.JUDGE: N_("Judge"),
    MediatorRole.PROSECUTOR: N_("Prosecutor"),
    MediatorRole.POLICE_OFFICER: N_("Police officer"),
    MediatorRole.LEGAL_ADVISOR: N_("Legal advisor"),
    MediatorRole.COUNSELLOR: N_("Psychological counsellor"),
    MediatorRole.FIVE_ELDERS: N_("Five-elders volunteer"),
}


class CaseCategory(SyncedRecord, table=True):
    """Dispute categories (婚姻家庭, 邻里, 宅基地 ...), configurable; the default list is the glossary's."""

    __tablename__ = "case_category"

    __table_args__ = (UniqueConstraint("origin", "code", name="uq_case_category_origin_code"),)

    code: str = Field(max_length=30)
    name: str = Field(max_length=30)
    position: int = Field(default=0)
    active: bool = Field(default=True)


class Case(SyncedRecord, table=True):
    __tablename__ = "dispute_case"
    __table_args__ = (UniqueConstraint("origin", "number_year", "number_seq", name="uq_case_number"),)

    number_year: int = Field(index=True)
    number_seq: int
    number: str = Field(max_length=40, index=True)  # （2026）甘调字第0012号
    received_on: dt.date = Field(index=True)
    source: str = Field(max_length=30)
    category_code: str = Field(max_length=30, index=True)
    summary: str = Field(max_length=500)  # short account
    facts: str = Field(default="", max_length=20_000)
    points_in_dispute: str = Field(default="", max_length=5000)
    requests: str = Field(default="", max_length=2000, description="what the applicant asks for (1–3 items)")
    deadline: dt.date = Field(index=True)
    status: str = Field(default=CaseStatus.ACCEPTED, max_length=20, index=True)
    grid_cell_id: str | None = Field(default=None, foreign_key="grid_cell.id", index=True, max_length=36)
    registered_by: str | None = Field(default=None, max_length=36)
    outcome_note: str = Field(default="", max_length=2000, description="why it failed / was withdrawn / transferred")
    routes_told: str = Field(default="", max_length=200, description="comma-separated: arbitration, administrative, lawsuit")
    transfer_to: str = Field(default="", max_length=30)
    closed_on: dt.date | None = None
    closed_by: str | None = Field(default=None, max_length=36)
    retention: str = Field(default="", max_length=20, description="retention period of the case file")


class CaseHousehold(SyncedRecord, table=True):
    __tablename__ = "case_household"
    __table_args__ = (UniqueConstraint("case_id", "household_id", name="uq_case_household"),)

    case_id: str = Field(foreign_key="dispute_case.id", index=True, max_length=36)
    household_id: str = Field(foreign_key="household.id", index=True, max_length=36)


class CaseParty(SyncedRecord, table=True):
    """A party, with the details the forms need copied at the time (the roster may change later)."""

    __tablename__ = "case_party"

    case_id: str = Field(foreign_key="dispute_case.id", index=True, max_length=36)
    person_id: str | None = Field(default=None, foreign_key="person.id", index=True, max_length=36)
    role: str = Field(max_length=20)
    position: int = Field(default=0)
    name: str = Field(max_length=100, index=True)
    sex: str = Field(default="", max_length=10)
    ethnicity: str = Field(default="", max_length=20)
    birth_date: dt.date | None = None
    id_number: str | None = Field(default=None, max_length=18, index=True)
    mobile: str = Field(default="", max_length=11, index=True)
    address: str = Field(default="", max_length=200)
    occupation: str = Field(default="", max_length=50)
    is_organisation: bool = Field(default=False)
    credit_code: str = Field(default="", max_length=18, description="unified social credit code of an organisation")
    agent_name: str = Field(default="", max_length=50, description="agent or legal representative")
    agent_kind: str = Field(default="", max_length=20, description="agent / legal_representative")
    agent_mobile: str = Field(default="", max_length=11)


class CaseMediator(SyncedRecord, table=True):
    __tablename__ = "case_mediator"

    case_id: str = Field(foreign_key="dispute_case.id", index=True, max_length=36)
    user_id: str | None = Field(default=None, max_length=36, index=True)
    name: str = Field(max_length=50)
    role: str = Field(max_length=20)
    is_lead: bool = Field(default=False)


class MediationSession(SyncedRecord, table=True):
    __tablename__ = "mediation_session"

    case_id: str = Field(foreign_key="dispute_case.id", index=True, max_length=36)
    held_at: dt.datetime = utc_field(index=True)
    planned: bool = Field(default=False, description="planned, not yet held")
    place: str = Field(default="", max_length=100)
    attendees: str = Field(default="", max_length=1000)
    rights_explained: bool = Field(default=True)
    applicant_statement: str = Field(default="", max_length=10_000)
    respondent_statement: str = Field(default="", max_length=10_000)
    other_statements: str = Field(default="", max_length=10_000)
    facts_checked: str = Field(default="", max_length=10_000)
    outcome: str = Field(default="", max_length=5000)
    recorder: str = Field(default="", max_length=50)


class Investigation(SyncedRecord, table=True):
    __tablename__ = "investigation"

    case_id: str = Field(foreign_key="dispute_case.id", index=True, max_length=36)
    held_at: dt.datetime = utc_field()
    place: str = Field(default="", max_length=100)
    investigator: str = Field(default="", max_length=50)
    interviewee: str = Field(default="", max_length=100)
    recorder: str = Field(default="", max_length=50)
    content: str = Field(default="", max_length=20_000)


class Attachment(SyncedRecord, table=True):
    """A file kept in the data directory under its SHA-256 (attachments/ab/abcdef...)."""

    __tablename__ = "attachment"

    case_id: str = Field(foreign_key="dispute_case.id", index=True, max_length=36)
    kind: str = Field(max_length=30)
    title: str = Field(max_length=200)
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64, index=True)
    size: int
    media_type: str = Field(default="application/octet-stream", max_length=100)
    retired: bool = Field(default=False)


class Agreement(SyncedRecord, table=True):
    """A written agreement (effective when every checklist item is ticked) or an oral one (effective at once)."""

    __tablename__ = "agreement"

    case_id: str = Field(foreign_key="dispute_case.id", unique=True, max_length=36)
    kind: str = Field(max_length=10)  # written / oral
    facts: str = Field(default="", max_length=20_000)
    responsibilities: str = Field(default="", max_length=10_000)
    terms: str = Field(default="[]", description="JSON list of {text, amount}")
    performance_manner: str = Field(default="", max_length=2000)
    performance_deadline: dt.date | None = None
    copies: int = Field(default=3)
    mediator_signed: bool = Field(default=False)
    recorder_signed: bool = Field(default=False)
    seal_applied: bool = Field(default=False)
    effective_on: dt.date | None = Field(default=None, index=True)
    confirmation_applied_on: dt.date | None = None
    confirmation_result: str = Field(default="", max_length=200)


class AgreementSignature(SyncedRecord, table=True):
    """One party's signature or thumbprint on the written agreement (按指印)."""

    __tablename__ = "agreement_signature"
    __table_args__ = (UniqueConstraint("agreement_id", "party_id", name="uq_signature_party"),)

    agreement_id: str = Field(foreign_key="agreement.id", index=True, max_length=36)
    party_id: str = Field(foreign_key="case_party.id", max_length=36)
    signed: bool = Field(default=False)


class FollowUp(SyncedRecord, table=True):
    """A follow-up visit: planned (due_on) and then recorded (visited_on). Recorded visits are never edited."""

    __tablename__ = "follow_up"

    case_id: str = Field(foreign_key="dispute_case.id", index=True, max_length=36)
    due_on: dt.date = Field(index=True)
    reason: str = Field(default="", max_length=500)
    visited_on: dt.date | None = Field(default=None, index=True)
    visitor: str = Field(default="", max_length=50)
    performance: str = Field(default="", max_length=20)  # fully / partly / not_yet / refused
    satisfaction: str = Field(default="", max_length=20)  # satisfied / basically / dissatisfied
    lawsuit: bool = Field(default=False)
    escalation_signs: str = Field(default="", max_length=2000)
    measures: str = Field(default="", max_length=2000)
    findings: str = Field(default="", max_length=5000)


class CaseEvent(SyncedRecord, table=True):
    """The history of a case: every status change, with who and why (append-only)."""

    __tablename__ = "case_event"

    case_id: str = Field(foreign_key="dispute_case.id", index=True, max_length=36)
    at: dt.datetime = utc_field()
    by_user: str = Field(default="", max_length=40)
    from_status: str = Field(default="", max_length=20)
    to_status: str = Field(max_length=20)
    note: str = Field(default="", max_length=2000)


class CaseSearch(SQLModel, table=True):
    """Searchable text of a case: number, account, facts, points in dispute, parties' names with pinyin
    and initials, phones. Mirrored into the FTS5 trigram table `case_fts` by triggers (migration 0002)."""

    __tablename__ = "case_search"

    rowid: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="dispute_case.id", unique=True, max_length=36)
    text: str = Field(max_length=60_000)


class DecisionKind(StrEnum):
    ACCEPTED = "accepted"  # the township took the case over
    DECIDED = "decided"  # its decision on the case
    RETURNED = "returned"  # sent back to the village to mediate


DECISION_LABELS = {
    DecisionKind.ACCEPTED: N_("Accepted by the township"),
    DecisionKind.DECIDED: N_("Township decision"),
    DecisionKind.RETURNED: N_("Returned to the village"),
}


class CaseDecision(SyncedRecord, table=True):
    """What the township center did with a case a village escalated to it. A row of the township's own:
    it never edits the village's case; this row travels back to the village (`audience`)."""

    __tablename__ = "case_decision"

    case_id: str = Field(foreign_key="dispute_case.id", index=True, max_length=36)
    kind: str = Field(max_length=20)
    text: str = Field(default="", max_length=5000)
    decided_on: dt.date
    handler: str = Field(default="", max_length=50)
    audience: str = Field(default="", max_length=36, description="the village device the case came from")
