"""Who is acting, and what each role may do. Services call `require()`; the UI calls `can()` to hide things."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import PermissionDenied
from app.i18n import _
from app.models.users import ROLE_LABELS, Role


@dataclass(frozen=True)
class Actor:
    """The user a service call acts for, as plain data (safe to hand between threads)."""

    user_id: str | None
    username: str
    display_name: str
    role: Role


SYSTEM = Actor(user_id=None, username="system", display_name="system", role=Role.ADMIN)

ALL_ROLES = frozenset(Role)
PERMISSIONS: dict[str, frozenset[Role]] = {
    "roster.read": ALL_ROLES,
    "roster.write": frozenset({Role.ADMIN, Role.MEDIATOR, Role.GRID_WORKER}),
    "roster.import": frozenset({Role.ADMIN, Role.MEDIATOR, Role.GRID_WORKER}),
    "grid.write": frozenset({Role.ADMIN}),
    "id_number.read": frozenset({Role.ADMIN, Role.MEDIATOR, Role.GRID_WORKER}),
    "users.manage": frozenset({Role.ADMIN}),
    "settings.write": frozenset({Role.ADMIN}),
    "audit.read": frozenset({Role.ADMIN}),
    "cases.read": ALL_ROLES,
    "cases.register": frozenset({Role.ADMIN, Role.MEDIATOR, Role.GRID_WORKER}),
    "cases.mediate": frozenset({Role.ADMIN, Role.MEDIATOR}),
    "cases.categories": frozenset({Role.ADMIN}),
    "points.read": ALL_ROLES,
    "points.write": frozenset({Role.ADMIN, Role.MEDIATOR, Role.GRID_WORKER}),
    "points.review": frozenset({Role.ADMIN, Role.MEDIATOR}),
    "points.catalog": frozenset({Role.ADMIN}),
    "points.shop": frozenset({Role.ADMIN, Role.MEDIATOR, Role.GRID_WORKER}),
    "points.notice": frozenset({Role.ADMIN, Role.MEDIATOR}),
    "risk.read": ALL_ROLES,
    "risk.assess": frozenset({Role.ADMIN, Role.MEDIATOR, Role.GRID_WORKER}),
    "risk.review_village": frozenset({Role.ADMIN, Role.MEDIATOR}),
    "risk.review_town": frozenset({Role.ADMIN}),  # entered by the director for the town work team
    "risk.rounds": frozenset({Role.ADMIN, Role.MEDIATOR}),
    "risk.visit": frozenset({Role.ADMIN, Role.MEDIATOR, Role.GRID_WORKER}),
    "risk.sensitive": frozenset({Role.ADMIN, Role.MEDIATOR}),
    "risk.catalog": frozenset({Role.ADMIN}),
    # A backup holds everything, full ID numbers included; a restore replaces everything.
    "backup.run": frozenset({Role.ADMIN}),
    "backup.restore": frozenset({Role.ADMIN}),
    "sync.run": frozenset({Role.ADMIN, Role.MEDIATOR}),  # export, import, push: moves data, changes none
    "sync.manage": frozenset({Role.ADMIN}),  # enroll, revoke, rotate keys, the township address
    "township.decide": frozenset({Role.ADMIN, Role.MEDIATOR}),  # accept and decide escalated cases
    "township.publish": frozenset({Role.ADMIN}),  # reference catalogs for every village
    "reports.read": ALL_ROLES,  # the period figures (统计报表) and their exports
}


def can(actor: Actor, permission: str) -> bool:
    return actor.role in PERMISSIONS[permission]


def require(actor: Actor, permission: str) -> None:
    if not can(actor, permission):
        raise PermissionDenied(
            _("Your role ({role}) may not do this. Ask the committee director.").format(
                role=_(ROLE_LABELS[actor.role])
            )
        )
