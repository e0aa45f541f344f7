"""Users, roles, passwords (argon2) and the login lock-out: 5 wrong passwords lock an account for 5 minutes."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from app.clock import utcnow
from app.errors import AccountLocked, AuthenticationFailed, NotFound, ValidationError
from app.i18n import _
from app.models.users import Role, User
from app.services import audit
from app.services.context import Actor, require
from app.services.validation import clean_name

if TYPE_CHECKING:
    from app.store.engine import Store

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=5)
MIN_PASSWORD = 6
USERNAME_RE = re.compile(r"^[\w.\-]{1,40}$")

_hasher = PasswordHasher()


@dataclass(frozen=True)
class UserRow:
    id: str
    username: str
    display_name: str
    role: Role
    active: bool
    locked: bool
    last_login: dt.datetime | None


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, username=user.username, display_name=user.display_name, role=Role(user.role))


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationError("password", _("{field} must have at least {n} characters.").format(
            field=_("Password"), n=MIN_PASSWORD))
    if len(password) > 200:
        raise ValidationError("password", _("{field} is too long: {length} characters, at most {limit}.").format(
            field=_("Password"), length=len(password), limit=200))
    return password


def _check_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise ValidationError("username", _(
            "{field} must be 1–40 letters, digits, dots, dashes or underscores, without spaces.").format(field=_("User name")))
    return username


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError("role", _("{field} must be one of: {choices}.").format(
            field=_("Role"), choices=", ".join(r.value for r in Role))) from None


def by_username(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def create_user(session: Session, actor: Actor, username: str, display_name: str, role: str, password: str,
                *, origin: str = "") -> User:
    """Add a user. `actor` must be an admin (the set-up wizard acts as the system)."""
    require(actor, "users.manage")
    username = _check_username(username)
    display_name = clean_name(display_name, "display_name", "Full name")
    role_value = _check_role(role)
    _check_password(password)
    if by_username(session, username) is not None:
        raise ValidationError("username", _("{field} “{value}” is already taken.").format(
            field=_("User name"), value=username))
    user = User(username=username, display_name=display_name, role=role_value,
                password_hash=_hasher.hash(password), origin=origin)
    session.add(user)
    session.flush()
    audit.record_change(session, actor, user, None, username)
    return user


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    require(actor, "users.manage")
    now = utcnow()
    return [
        UserRow(u.id, u.username, u.display_name, Role(u.role), u.active,
                bool(u.locked_until and u.locked_until > now), u.last_login)
        for u in session.exec(select(User).order_by(User.username)).all()
    ]


def _get(session: Session, username: str) -> User:
    user = by_username(session, username)
    if user is None:
        raise NotFound(_("There is no user “{name}”.").format(name=username))
    return user


def update_user(session: Session, actor: Actor, username: str, *, display_name: str | None = None,
                role: str | None = None, active: bool | None = None) -> User:
    require(actor, "users.manage")
    user = _get(session, username)
    before = audit.snapshot(user)
    if display_name is not None:
        user.display_name = clean_name(display_name, "display_name", "Full name")
    if role is not None:
        new_role = _check_role(role)
        if user.role == Role.ADMIN and new_role != Role.ADMIN:
            _keep_an_admin(session, user)
        user.role = new_role
    if active is not None:
        if not active and user.role == Role.ADMIN:
            _keep_an_admin(session, user)
        if not active and user.id == actor.user_id:
            raise ValidationError("active", _("You cannot deactivate your own account."))
        user.active = active
    user.updated_at = utcnow()
    audit.record_change(session, actor, user, before, username)
    return user


def _keep_an_admin(session: Session, leaving: User) -> None:
    admins = session.exec(select(User).where(User.role == Role.ADMIN, User.active == True)).all()  # noqa: E712
    if all(a.id == leaving.id for a in admins):
        raise ValidationError("role", _("The desk must keep at least one active committee director (admin)."))


def change_password(session: Session, actor: Actor, username: str, new_password: str,
                    old_password: str | None = None) -> None:
    """Users change their own password (giving the old one); an admin may reset anyone's."""
    user = _get(session, username)
    if user.id != actor.user_id:
        require(actor, "users.manage")
    elif old_password is not None and not _verify(user, old_password):
        raise ValidationError("old_password", _("{field} is wrong.").format(field=_("Current password")))
    _check_password(new_password)
    user.password_hash = _hasher.hash(new_password)
    user.failed_logins = 0
    user.locked_until = None
    user.updated_at = utcnow()
    audit.record(session, actor, "password", table="desk_user", record_id=user.id, summary=username)


def _verify(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, username: str, password: str, now: dt.datetime | None = None) -> Actor:
    """Check a login. Wrong passwords count; the fifth locks the account for five minutes.

    Run in a write session: the failure count must be committed even though this raises.
    The caller commits before re-raising (see `login`)."""
    now = now or utcnow()
    user = by_username(session, (username or "").strip())
    if user is None or not user.active:
        raise AuthenticationFailed(_("Wrong user name or password."))
    if user.locked_until and user.locked_until > now:
        seconds = math.ceil((user.locked_until - now).total_seconds())
        raise AccountLocked(_("Too many wrong passwords. The account is locked for {minutes} more minute(s).").format(
            minutes=(seconds + 59) // 60), seconds)
    if not _verify(user, password):
        user.failed_logins += 1
        actor = actor_of(user)
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.failed_logins = 0
            user.locked_until = now + LOCKOUT
            audit.record(session, actor, "lockout", table="desk_user", record_id=user.id, summary=user.username)
            raise AccountLocked(_("Too many wrong passwords. The account is locked for {minutes} more minute(s).").format(
                minutes=int(LOCKOUT.total_seconds() // 60)), int(LOCKOUT.total_seconds()))
        left = MAX_FAILED_LOGINS - user.failed_logins
        raise AuthenticationFailed(_("Wrong user name or password. {n} more attempt(s) before the account locks.").format(n=left))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login = now
    actor = actor_of(user)
    audit.record(session, actor, "login", table="desk_user", record_id=user.id, summary=user.username)
    return actor


def login(store: Store, username: str, password: str, now: dt.datetime | None = None) -> Actor:
    """Authenticate in its own transaction, keeping the count of failures even when the login fails."""
    with store.write() as session:
        try:
            return authenticate(session, username, password, now)
        except AuthenticationFailed:
            session.commit()
            raise


def unlock(session: Session, actor: Actor, username: str) -> None:
    require(actor, "users.manage")
    user = _get(session, username)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, actor, "unlock", table="desk_user", record_id=user.id, summary=username)
