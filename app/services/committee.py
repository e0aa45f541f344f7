"""Setting up a desk: the committee (name, code used in case numbers, seal text, village, township),
the village's root grid cell, the first admin user. Used by the first-run wizard and `init`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from app.clock import utcnow
from app.errors import NotFound, ValidationError
from app.i18n import _
from app.models.committee import Committee, DeskMode, Setting
from app.models.grid import GridCell, GridLevel
from app.models.users import Role
from app.services import audit, users
from app.services.context import SYSTEM, Actor, require
from app.services.identity import DEVICE_KEY, device_id
from app.services.validation import clean_text

CODE_RE = re.compile(r"^[\u4e00-\u9fffA-Za-z]{1,6}$")


@dataclass(frozen=True)
class CommitteeInput:
    name: str
    code: str
    seal_text: str
    village: str
    township: str
    mode: str = DeskMode.VILLAGE


@dataclass(frozen=True)
class AdminInput:
    username: str
    display_name: str
    password: str


def current(session: Session) -> Committee | None:
    """This desk's own committee (a township also holds the committees of its villages)."""
    me = session.get(Setting, DEVICE_KEY)
    if me is None:
        return None
    return session.exec(select(Committee).where(Committee.origin == me.value)).first()


def require_current(session: Session) -> Committee:
    committee = current(session)
    if committee is None:
        raise NotFound(_("The desk is not set up yet: run the first-run wizard or `mediation-desk init`."))
    return committee


def is_set_up(session: Session) -> bool:
    return current(session) is not None


def _validate(data: CommitteeInput) -> CommitteeInput:
    name = clean_text(data.name, "name", "Committee name", max_len=100, required=True)
    code = clean_text(data.code, "code", "Committee code", max_len=6, required=True)
    if not CODE_RE.match(code):
        raise ValidationError("code", _("{field} must be 1–6 Chinese characters or letters, e.g. 甘.").format(
            field=_("Committee code")))
    seal = clean_text(data.seal_text, "seal_text", "Seal text", max_len=100) or name
    village = clean_text(data.village, "village", "Village", max_len=60, required=data.mode == DeskMode.VILLAGE)
    township = clean_text(data.township, "township", "Township", max_len=60, required=True)
    if data.mode not in (DeskMode.VILLAGE, DeskMode.TOWNSHIP):
        raise ValidationError("mode", _("{field} must be village or township.").format(field=_("Mode")))
    return CommitteeInput(name, code, seal, village, township, data.mode)


def set_up(session: Session, data: CommitteeInput, admin: AdminInput) -> Committee:
    """First run: record the committee, make the village's grid root and the admin. All or nothing."""
    if is_set_up(session):
        raise ValidationError("name", _("This desk is already set up for {name}.").format(
            name=require_current(session).name))
    clean = _validate(data)
    origin = device_id(session)
    committee = Committee(name=clean.name, code=clean.code, seal_text=clean.seal_text, village=clean.village,
                          township=clean.township, mode=clean.mode, origin=origin)
    session.add(committee)
    root_name = clean.village if clean.mode == DeskMode.VILLAGE else clean.township
    session.add(GridCell(level=GridLevel.VILLAGE, name=root_name, origin=origin))
    session.flush()
    audit.record_change(session, SYSTEM, committee, None, clean.name)
    user = users.create_user(session, SYSTEM, admin.username, admin.display_name, Role.ADMIN, admin.password,
                             origin=origin)
    audit.record(session, SYSTEM, "setup", table="committee", record_id=committee.id,
                 summary=f"{clean.name} / {user.username}")
    return committee


def update(session: Session, actor: Actor, data: CommitteeInput) -> Committee:
    require(actor, "settings.write")
    committee = require_current(session)
    clean = _validate(CommitteeInput(data.name, data.code, data.seal_text, data.village, data.township,
                                     committee.mode))
    before = audit.snapshot(committee)
    committee.name, committee.code, committee.seal_text = clean.name, clean.code, clean.seal_text
    committee.village, committee.township = clean.village, clean.township
    committee.updated_at = utcnow()
    root = session.exec(select(GridCell).where(GridCell.level == GridLevel.VILLAGE)).first()
    if root is not None and committee.mode == DeskMode.VILLAGE and root.name != clean.village:
        root.name = clean.village
    audit.record_change(session, actor, committee, before, clean.name)
    return committee
