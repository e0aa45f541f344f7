"""The grid tree of the village: village (level 2) → villager groups (3) → micro-grids (4), each with a leader."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.errors import NotFound, ValidationError
from app.i18n import _
from app.models.grid import GridCell, GridLevel
from app.models.roster import Household, Person
from app.services import audit
from app.services.context import Actor, require
from app.services.identity import device_id
from app.services.validation import check_mobile, clean_text


@dataclass
class GridNode:
    id: str
    level: int
    name: str
    leader_name: str
    leader_phone: str
    households: int
    children: list[GridNode] = field(default_factory=list)


def village_root(session: Session) -> GridCell:
    root = session.exec(select(GridCell).where(GridCell.level == GridLevel.VILLAGE)).first()
    if root is None:
        raise NotFound(_("The desk is not set up yet: run the first-run wizard or `mediation-desk init`."))
    return root


def get_cell(session: Session, cell_id: str) -> GridCell:
    cell = session.get(GridCell, cell_id)
    if cell is None:
        raise NotFound(_("There is no grid cell with id {id}.").format(id=cell_id))
    return cell


def add_cell(session: Session, actor: Actor, parent_id: str, name: str, *, leader_person_id: str | None = None,
             leader_phone: str = "") -> GridCell:
    """A villager group under the village, or a micro-grid under a villager group."""
    require(actor, "grid.write")
    parent = get_cell(session, parent_id)
    if parent.level >= GridLevel.MICRO:
        raise ValidationError("parent_id", _("A micro-grid cannot contain further grid cells."))
    name = clean_text(name, "name", "Name", max_len=60, required=True)
    siblings = session.exec(select(GridCell).where(GridCell.parent_id == parent.id)).all()
    if any(s.name == name for s in siblings):
        raise ValidationError("name", _("{field} “{value}” already exists here.").format(field=_("Name"), value=name))
    if leader_person_id is not None and session.get(Person, leader_person_id) is None:
        raise ValidationError("leader_person_id", _("The grid leader must be a person in the roster."))
    cell = GridCell(parent_id=parent.id, level=parent.level + 1, name=name, position=len(siblings),
                    leader_person_id=leader_person_id, leader_phone=check_mobile(leader_phone, "leader_phone"),
                    origin=device_id(session))
    session.add(cell)
    session.flush()
    audit.record_change(session, actor, cell, None, name)
    return cell


def update_cell(session: Session, actor: Actor, cell_id: str, *, name: str | None = None,
                leader_person_id: str | None = None, leader_phone: str | None = None) -> GridCell:
    require(actor, "grid.write")
    cell = get_cell(session, cell_id)
    before = audit.snapshot(cell)
    if name is not None:
        cell.name = clean_text(name, "name", "Name", max_len=60, required=True)
    if leader_person_id is not None:
        if leader_person_id and session.get(Person, leader_person_id) is None:
            raise ValidationError("leader_person_id", _("The grid leader must be a person in the roster."))
        cell.leader_person_id = leader_person_id or None
    if leader_phone is not None:
        cell.leader_phone = check_mobile(leader_phone, "leader_phone")
    cell.updated_at = utcnow()
    audit.record_change(session, actor, cell, before, cell.name)
    return cell


def tree(session: Session) -> GridNode:
    """The whole tree with household counts, for the roster's side panel."""
    cells = session.exec(select(GridCell).where(GridCell.retired == False).order_by(  # noqa: E712
        col(GridCell.level), col(GridCell.position), col(GridCell.name))).all()
    leaders = {p.id: p.name for p in session.exec(
        select(Person).where(col(Person.id).in_([c.leader_person_id for c in cells if c.leader_person_id])))}
    live = Household.retired == False  # noqa: E712
    by_group = dict(session.exec(select(Household.group_id, func.count()).where(live).group_by(Household.group_id)).all())
    by_micro = dict(session.exec(
        select(Household.micro_grid_id, func.count()).where(live).group_by(Household.micro_grid_id)).all())
    total = session.exec(select(func.count()).select_from(Household).where(live)).one()
    nodes: dict[str, GridNode] = {}
    root: GridNode | None = None
    for c in cells:
        count = total if c.level == GridLevel.VILLAGE else (by_group if c.level == GridLevel.GROUP else by_micro).get(c.id, 0)
        node = GridNode(c.id, c.level, c.name, leaders.get(c.leader_person_id or "", ""), c.leader_phone, int(count))
        nodes[c.id] = node
        if c.level == GridLevel.VILLAGE:
            root = node
        elif c.parent_id in nodes:
            nodes[c.parent_id].children.append(node)
    if root is None:
        raise NotFound(_("The desk is not set up yet: run the first-run wizard or `mediation-desk init`."))
    return root


def groups(session: Session) -> list[GridCell]:
    return list(session.exec(select(GridCell).where(GridCell.level == GridLevel.GROUP, GridCell.retired == False)  # noqa: E712
                             .order_by(col(GridCell.position), col(GridCell.name))).all())


def micro_grids(session: Session, group_id: str | None = None) -> list[GridCell]:
    q = select(GridCell).where(GridCell.level == GridLevel.MICRO, GridCell.retired == False)  # noqa: E712
    if group_id:
        q = q.where(GridCell.parent_id == group_id)
    return list(session.exec(q.order_by(col(GridCell.position), col(GridCell.name))).all())


def find_by_name(session: Session, name: str, level: GridLevel, parent_id: str | None = None) -> GridCell | None:
    q = select(GridCell).where(GridCell.level == level, GridCell.name == name)
    if parent_id:
        q = q.where(GridCell.parent_id == parent_id)
    return session.exec(q).first()
