"""What the command-line front-ends share: output (text or JSON) and the acting user."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.errors import NotFound
from app.i18n import _
from app.services.context import Actor


def json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return str(value)


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def say(self, message: str) -> None:
        print(message, file=sys.stderr)

    def emit(self, data: Any, lines: Callable[[], Sequence[str]]) -> None:
        if self.as_json:
            json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=json_default)
            sys.stdout.write("\n")
        else:
            for line in lines():
                print(line)


def actor_for(store: Any, username: str | None) -> Actor:
    from sqlmodel import col, select

    from app.models.users import Role, User
    from app.services import committee
    from app.services.users import actor_of

    with store.read() as session:
        committee.require_current(session)
        if username:
            user = session.exec(select(User).where(User.username == username)).first()
            if user is None or not user.active:
                raise NotFound(_("There is no active user “{name}”.").format(name=username))
        else:
            user = session.exec(select(User).where(User.role == Role.ADMIN, User.active == True)  # noqa: E712
                                .order_by(col(User.created_at))).first()
            if user is None:
                raise NotFound(_("There is no active committee director (admin) on this desk."))
        return actor_of(user)


