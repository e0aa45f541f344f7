import datetime as dt

import pytest

from app.clock import utcnow
from app.errors import AccountLocked, AuthenticationFailed, PermissionDenied, ValidationError
from app.models.users import Role, User
from app.services import audit, users
from app.services.context import Actor
from app.store.engine import Store
from tests.conftest import ADMIN_PASSWORD, make_user


def test_passwords_are_stored_as_argon2_hashes(store: Store, admin: Actor) -> None:
    with store.read() as session:
        user = users.by_username(session, "admin")
        assert user is not None
        assert user.password_hash.startswith("$argon2") and ADMIN_PASSWORD not in user.password_hash


def test_five_wrong_passwords_lock_the_account_for_five_minutes(store: Store, admin: Actor) -> None:
    start = utcnow()
    for attempt in range(4):
        with pytest.raises(AuthenticationFailed) as info:
            users.login(store, "admin", "wrong", now=start)
        assert not isinstance(info.value, AccountLocked)
        assert str(4 - attempt) in info.value.message
    with pytest.raises(AccountLocked):
        users.login(store, "admin", "wrong", now=start)
    # even the right password is refused while locked
    with pytest.raises(AccountLocked) as info2:
        users.login(store, "admin", ADMIN_PASSWORD, now=start + dt.timedelta(minutes=4))
    assert info2.value.seconds_left <= 60
    actor = users.login(store, "admin", ADMIN_PASSWORD, now=start + dt.timedelta(minutes=5, seconds=1))
    assert actor.username == "admin"
    with store.read() as session:
        actions = [e.action for e in session.exec(audit.select(audit.AuditEvent)).all()]
    assert "lockout" in actions


def test_unknown_user_gets_the_same_message_as_a_wrong_password(store: Store, admin: Actor) -> None:
    with pytest.raises(AuthenticationFailed, match="Wrong user name or password"):
        users.login(store, "nobody", "whatever")


def test_only_admins_manage_users(store: Store, admin: Actor) -> None:
    mediator = make_user(store, admin, "liu", Role.MEDIATOR)
    with store.write() as session, pytest.raises(PermissionDenied):
        users.create_user(session, mediator, "zhao", "赵六", "viewer", "password1")


def test_bad_user_input_names_the_field_and_writes_nothing(store: Store, admin: Actor) -> None:
    cases = [
        ({"username": "a b"}, "username"),
        ({"username": "admin"}, "username"),
        ({"password": "123"}, "password"),
        ({"role": "king"}, "role"),
        ({"display_name": ""}, "display_name"),
    ]
    for override, field in cases:
        kwargs = {"username": "newuser", "display_name": "新用户", "role": "mediator", "password": "password1"} | override
        with pytest.raises(ValidationError) as info, store.write() as session:
            users.create_user(session, admin, **kwargs)
        assert info.value.field == field
    with store.read() as session:
        assert users.by_username(session, "newuser") is None


def test_the_last_admin_cannot_be_demoted_or_deactivated(store: Store, admin: Actor) -> None:
    with store.write() as session, pytest.raises(ValidationError, match="at least one"):
        users.update_user(session, admin, "admin", role="viewer")
    make_user(store, admin, "second", Role.ADMIN)
    with store.write() as session:
        users.update_user(session, admin, "second", active=False)
    with store.read() as session:
        user = users.by_username(session, "second")
        assert user is not None and not user.active


def test_change_own_password_needs_the_old_one(store: Store, admin: Actor) -> None:
    with store.write() as session, pytest.raises(ValidationError, match="Current password"):
        users.change_password(session, admin, "admin", "new-password", old_password="wrong")
    with store.write() as session:
        users.change_password(session, admin, "admin", "new-password", old_password=ADMIN_PASSWORD)
    assert users.login(store, "admin", "new-password").username == "admin"
    with store.read() as session:
        events = session.exec(audit.select(audit.AuditEvent).where(audit.AuditEvent.action == "password")).all()
        assert events and "new-password" not in events[-1].changes


def test_inactive_users_cannot_log_in(store: Store, admin: Actor) -> None:
    make_user(store, admin, "gone", Role.VIEWER)
    with store.write() as session:
        users.update_user(session, admin, "gone", active=False)
    with pytest.raises(AuthenticationFailed):
        users.login(store, "gone", ADMIN_PASSWORD)
    with store.read() as session:
        assert session.get(User, users.by_username(session, "gone").id) is not None  # type: ignore[union-attr]
