"""What the township center publishes to all its villages, and what a village does with it.

The township publishes reference catalogs of the village rules for points (乡镇村规民约积分参考目录); a
village sees them and its assembly may adopt one as its next version of the rules (the village's own
rows, made by `points_catalog.adopt_version`). When the township revokes a village desk's key, every
village hears of it, so a village whose old laptop was revoked sees why it is refused. Both are the
township's own rows; they travel in the return bundles (audience: every village).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict

from sqlmodel import Session, col, select

from app.clock import today, utcnow
from app.errors import NotFound, ValidationError
from app.i18n import _
from app.models.committee import DeskMode
from app.models.points import RuleVersion
from app.models.sync import SyncPeer
from app.models.township import CatalogRelease, RevocationNotice
from app.services import audit, committee, points_catalog
from app.services.context import Actor, require
from app.services.identity import device_id
from app.services.points_catalog import MAX_CATALOG_ITEMS, ItemInput
from app.services.validation import clean_text


def _require_mode(session: Session, mode: str) -> None:
    desk = committee.require_current(session)
    if desk.mode != mode:
        if mode == DeskMode.TOWNSHIP:
            raise ValidationError("mode", _("Only a township center publishes catalogs to its villages."))
        raise ValidationError("mode", _("Only a village desk adopts a catalog from the township."))


def publish_catalog(session: Session, actor: Actor, name: str, issued_on: dt.date, new_items: list[ItemInput],
                    note: str = "") -> CatalogRelease:
    """Publish a reference catalog to every enrolled village; it travels with the next return bundles."""
    require(actor, "township.publish")
    _require_mode(session, DeskMode.TOWNSHIP)
    name = clean_text(name, "name", "Catalog name", max_len=100, required=True)
    note = clean_text(note, "note", "Note", max_len=1000, multiline=True)
    if issued_on > today():
        raise ValidationError("issued_on", _("{field} is in the future.").format(field=_("Issued on")))
    cleaned = points_catalog.clean_items(new_items)
    if len(cleaned) > MAX_CATALOG_ITEMS:
        raise ValidationError("items", _("A catalog has at most {limit} items.").format(limit=MAX_CATALOG_ITEMS))
    release = CatalogRelease(name=name, issued_on=issued_on, issued_by=actor.display_name[:50], note=note,
                             items=json.dumps([asdict(i) for i in cleaned], ensure_ascii=False),
                             item_count=len(cleaned), origin=device_id(session))
    session.add(release)
    session.flush()
    audit.record(session, actor, "township.catalog_published", table="catalog_release", record_id=release.id,
                 summary=f"{name} ({len(cleaned)})")
    return release


def withdraw_catalog(session: Session, actor: Actor, release_id: str) -> CatalogRelease:
    """Take a release back: villages no longer offer it (a version a village already adopted stays theirs)."""
    require(actor, "township.publish")
    release = session.get(CatalogRelease, release_id)
    if release is None or release.origin != device_id(session):
        raise NotFound(_("There is no catalog with id {id}.").format(id=release_id))
    if release.withdrawn:
        raise ValidationError("release", _("{name} is already withdrawn.").format(name=release.name))
    release.withdrawn, release.updated_at = True, utcnow()
    session.add(release)
    audit.record(session, actor, "township.catalog_withdrawn", table="catalog_release", record_id=release.id, summary=release.name)
    session.flush()
    return release


def releases(session: Session, actor: Actor, *, include_withdrawn: bool = False) -> list[CatalogRelease]:
    """The township's catalogs, newest first: at the township all it published, at a village what arrived."""
    require(actor, "points.read")
    query = select(CatalogRelease).order_by(col(CatalogRelease.issued_on).desc(), col(CatalogRelease.created_at).desc())
    if not include_withdrawn:
        query = query.where(col(CatalogRelease.withdrawn).is_(False))
    return list(session.exec(query))


def release_items(release: CatalogRelease) -> list[ItemInput]:
    """The items of a release, checked again as if typed here: the row came from another desk."""
    try:
        raw = json.loads(release.items)
        if not isinstance(raw, list):
            raise TypeError
        items = [ItemInput(**row) for row in raw]
    except (ValueError, TypeError) as exc:
        raise ValidationError("items", _("The catalog {name} is damaged and cannot be used.").format(name=release.name)) from exc
    return points_catalog.clean_items(items)


def adopt_release(session: Session, actor: Actor, release_id: str, name: str, adopted_on: dt.date, adopted_by: str,
                  note: str = "") -> RuleVersion:
    """The village assembly adopted the township's catalog: it becomes the village's next version of the rules."""
    require(actor, "points.catalog")
    _require_mode(session, DeskMode.VILLAGE)
    release = session.get(CatalogRelease, release_id)
    if release is None or release.withdrawn:
        raise NotFound(_("There is no catalog with id {id}.").format(id=release_id))
    note = note.strip() or _("After the township's catalog “{name}” of {date}.").format(
        name=release.name, date=release.issued_on.isoformat())
    return points_catalog.adopt_version(session, actor, name, adopted_on, adopted_by, release_items(release), note=note[:1000])


# ---------------------------------------------------------------- revocations


def notice_revocation(session: Session, peer: SyncPeer) -> RevocationNotice | None:
    """At a township that just revoked a village desk: the notice every village receives. None elsewhere."""
    desk = committee.current(session)
    if desk is None or desk.mode != DeskMode.TOWNSHIP or peer.kind != DeskMode.VILLAGE or peer.revoked_at is None:
        return None
    notice = RevocationNotice(device_id=peer.device_id, committee_name=peer.committee_name, committee_code=peer.committee_code,
                              revoked_at=peer.revoked_at, reason=peer.revoked_reason, origin=device_id(session))
    session.add(notice)
    return notice


def revocations(session: Session) -> list[RevocationNotice]:
    """The revocation notices this desk holds (made here at a township, received at a village), newest first."""
    return list(session.exec(select(RevocationNotice).order_by(col(RevocationNotice.revoked_at).desc())))


def own_revocation(session: Session) -> RevocationNotice | None:
    """The township's notice that this very desk was revoked, if one reached it."""
    return session.exec(select(RevocationNotice).where(RevocationNotice.device_id == device_id(session))).first()
