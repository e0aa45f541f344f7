"""sqlmodel tables. Importing this package registers every table on `SQLModel.metadata`."""

from app.models.audit import AuditEvent
from app.models.committee import Committee, DeskMode, Setting
from app.models.grid import GridCell, GridLevel
from app.models.roster import CareFlag, Household, HouseholdSearch, Person, Sex
from app.models.users import Role, User

__all__ = [
    "AuditEvent",
    "CareFlag",
    "Committee",
    "DeskMode",
    "GridCell",
    "GridLevel",
    "Household",
    "HouseholdSearch",
    "Person",
    "Role",
    "Setting",
    "Sex",
    "User",
]
