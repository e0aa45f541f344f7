"""Settings of the installation, kept in the database so every user of the shared PC sees the same."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.clock import utcnow
from app.errors import ValidationError
from app.i18n import LANGUAGES, N_, _
from app.models.committee import Setting
from app.services import audit
from app.services.context import Actor, require


@dataclass(frozen=True)
class SettingSpec:
    default: str
    kind: str  # "int", "choice", "text"
    label: str
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 0


SPECS: dict[str, SettingSpec] = {
    "language": SettingSpec("zh_CN", "choice", N_("Language"), choices=LANGUAGES),
    "font_size": SettingSpec("normal", "choice", N_("Font size"), choices=("normal", "large")),
    "idle_lock_minutes": SettingSpec("10", "int", N_("Lock after idle minutes"), minimum=1, maximum=240),
    "device_id": SettingSpec("", "text", N_("Device")),
    "case_deadline_days": SettingSpec("30", "int", N_("Days to settle a case"), minimum=1, maximum=365),
    "risk_visit_days_high": SettingSpec("30", "int", N_("Visit a high-risk household every (days)"), minimum=1, maximum=365),
    "risk_visit_days_medium": SettingSpec("90", "int", N_("Visit a medium-risk household every (days)"), minimum=1, maximum=365),
    "follow_up_after_days": SettingSpec("7", "int", N_("Follow-up visit days after the performance deadline"),
                                        minimum=0, maximum=180),
    "backup_keep": SettingSpec("10", "int", N_("Automatic backups to keep"), minimum=1, maximum=100),
}


def get(session: Session, key: str) -> str:
    row = session.get(Setting, key)
    return row.value if row is not None else SPECS[key].default


def get_int(session: Session, key: str) -> int:
    return int(get(session, key))


def validate(key: str, value: str) -> str:
    spec = SPECS.get(key)
    if spec is None:
        raise ValidationError(key, _("Unknown setting {key}.").format(key=key))
    value = value.strip()
    if spec.kind == "choice" and value not in spec.choices:
        raise ValidationError(key, _("{field} must be one of: {choices}.").format(
            field=_(spec.label), choices=", ".join(spec.choices)))
    if spec.kind == "int" and (not value.isdigit() or not spec.minimum <= int(value) <= spec.maximum):
        raise ValidationError(key, _("{field} must be a whole number from {low} to {high}.").format(
            field=_(spec.label), low=spec.minimum, high=spec.maximum))
    return value


def put(session: Session, actor: Actor, key: str, value: str) -> None:
    require(actor, "settings.write")
    value = validate(key, value)
    row = session.get(Setting, key)
    before = row.value if row is not None else SPECS[key].default
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()
    if before != value:
        audit.record(session, actor, "setting", table="setting", record_id=key, summary=key,
                     changes={key: [before, value]})
    session.flush()
