"""Users of the desk and their roles."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlmodel import Field

from app.i18n import N_
from app.models.base import SyncedRecord, utc_field


class Role(StrEnum):
    ADMIN = "admin"  # committee director
    MEDIATOR = "mediator"
    GRID_WORKER = "grid_worker"
    VIEWER = "viewer"


ROLE_LABELS = {
    Role.ADMIN: N_("Committee director (admin)"),
    Role.MEDIATOR: N_("Mediator"),
    Role.GRID_WORKER: N_("Grid worker"),
    Role.VIEWER: N_("Viewer"),
}


class User(SyncedRecord, table=True):
    __tablename__ = "desk_user"

    username: str = Field(max_length=40, unique=True)
    display_name: str = Field(max_length=50)
    role: str = Field(max_length=20)
    password_hash: str = Field(max_length=200)
    failed_logins: int = Field(default=0)
    locked_until: dt.datetime | None = utc_field(default=None)
    last_login: dt.datetime | None = utc_field(default=None)
    active: bool = Field(default=True)
