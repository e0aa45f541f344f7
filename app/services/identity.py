"""This installation's device id: the `origin` stamped on every row it creates (keys come with sync)."""

from __future__ import annotations

from sqlmodel import Session

from app.models.base import new_id
from app.models.committee import Setting

DEVICE_KEY = "device_id"


def device_id(session: Session) -> str:
    row = session.get(Setting, DEVICE_KEY)
    if row is None:
        row = Setting(key=DEVICE_KEY, value=new_id())
        session.add(row)
        session.flush()
    return row.value
