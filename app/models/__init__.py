"""sqlmodel tables. Importing this package registers every table on `SQLModel.metadata`."""

from app.models.audit import AuditEvent
from app.models.cases import (
    Agreement,
    AgreementSignature,
    Attachment,
    Case,
    CaseCategory,
    CaseEvent,
    CaseHousehold,
    CaseMediator,
    CaseParty,
    CaseSearch,
    CaseStatus,
    FollowUp,
    Investigation,
    MediationSession,
)
from app.models.committee import Committee, DeskMode, Setting
from app.models.grid import GridCell, GridLevel
from app.models.points import (
    PointsEntry,
    PointsNotice,
    PointsObjection,
    PointsReview,
    Redemption,
    RuleItem,
    RuleVersion,
    ShopItem,
    StockIn,
)
from app.models.roster import CareFlag, Household, HouseholdSearch, Person, Sex
from app.models.users import Role, User

__all__ = [
    "Agreement",
    "AgreementSignature",
    "Attachment",
    "AuditEvent",
    "CareFlag",
    "Case",
    "CaseCategory",
    "CaseEvent",
    "CaseHousehold",
    "CaseMediator",
    "CaseParty",
    "CaseSearch",
    "CaseStatus",
    "Committee",
    "DeskMode",
    "FollowUp",
    "GridCell",
    "GridLevel",
    "Household",
    "HouseholdSearch",
    "Investigation",
    "MediationSession",
    "Person",
    "PointsEntry",
    "PointsNotice",
    "PointsObjection",
    "PointsReview",
    "Redemption",
    "Role",
    "RuleItem",
    "RuleVersion",
    "Setting",
    "Sex",
    "ShopItem",
    "StockIn",
    "User",
]
