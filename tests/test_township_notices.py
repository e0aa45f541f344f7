"""What the township publishes to every village: reference points catalogs (adopted by a village's assembly
as its own next version) and revocation notices, carried by the real return bundles."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlmodel import select

from app.clock import today
from app.errors import NotFound, PermissionDenied, ValidationError
from app.models.points import RuleItem, RuleVersion
from app.models.township import CatalogRelease
from app.services import points_catalog, township_notices, users
from app.services.points_catalog import ItemInput
from app.sync import identity
from tests.sync_support import Desk, bundle_for, deliver, pair, synced_rows, township_desk, village_desk

ITEMS = [
    ItemInput("T01", "移风易俗", "婚事新办、丧事简办，不收高价彩礼", 10, 20, "year", True),
    ItemInput("T02", "平安建设", "主动排查报告矛盾纠纷线索（每次）", 3, 12, "quarter", False),
    ItemInput("T03", "遵纪守法", "参与赌博、封建迷信活动 𠮷", -20, None, "year", True),
]


@pytest.fixture
def township_and_villages(tmp_path: Path, township_db: str | None) -> tuple[Desk, Desk, Desk]:
    township = township_desk(tmp_path / "township", township_db)
    a = village_desk(tmp_path / "a", seed=1, households=6, cases=0, entries=10)
    b = village_desk(tmp_path / "b", seed=2, households=6, cases=0, entries=10)
    pair(a, township)
    pair(b, township)
    yield township, a, b
    for desk in (township, a, b):
        desk.close()


def test_a_published_catalog_reaches_every_village_and_an_assembly_adopts_it(township_and_villages: tuple[Desk, Desk, Desk]) -> None:
    township, a, b = township_and_villages
    with township.store.write() as session:
        release = township_notices.publish_catalog(session, township.admin, "长安镇村规民约积分参考目录（2027）", today(), ITEMS,
                                                   note="经镇党委会研究")
    for village in (a, b):
        assert deliver(township, village, bundle_for(township, village)).status == "imported"
        with village.store.read() as session:
            [arrived] = township_notices.releases(session, village.admin)
            assert arrived.id == release.id and arrived.origin == township.device and arrived.item_count == 3
            assert township_notices.release_items(arrived) == ITEMS
    # village A's assembly adopts it: the village's own new version, in force, with the township's items
    with a.store.write() as session:
        version = township_notices.adopt_release(session, a.admin, release.id, "村规民约积分细则（2027年修订）",
                                                 today(), "村民代表大会")
    with a.store.read() as session:
        active = points_catalog.active_version(session)
        assert active is not None and active.id == version.id and active.origin == a.device
        assert "长安镇村规民约积分参考目录（2027）" in active.note
        assert [(i.code, i.points, i.cap, i.needs_review) for i in points_catalog.items(session)] == [
            (i.code, i.points, i.cap, i.needs_review) for i in ITEMS]
    # the adopted version travels back to the township as the village's rows; B still has its own rules
    assert deliver(a, township, bundle_for(a, township)).status == "imported"
    with township.store.read() as session:
        assert session.get(RuleVersion, version.id) is not None
        assert len(session.exec(select(RuleItem).where(RuleItem.version_id == version.id)).all()) == 3
    with b.store.read() as session:
        assert points_catalog.active_version(session).name != "村规民约积分细则（2027年修订）"
    assert synced_rows(a.store, township.device)["catalog_release"] == synced_rows(township.store, township.device)["catalog_release"]


def test_a_withdrawn_catalog_is_no_longer_offered(township_and_villages: tuple[Desk, Desk, Desk]) -> None:
    township, a, _ = township_and_villages
    with township.store.write() as session:
        release = township_notices.publish_catalog(session, township.admin, "参考目录", today(), ITEMS)
    deliver(township, a, bundle_for(township, a))
    with township.store.write() as session:
        township_notices.withdraw_catalog(session, township.admin, release.id)
        with pytest.raises(ValidationError):
            township_notices.withdraw_catalog(session, township.admin, release.id)
    assert deliver(township, a, bundle_for(township, a)).status == "imported"
    with a.store.write() as session:
        assert township_notices.releases(session, a.admin) == []
        assert township_notices.releases(session, a.admin, include_withdrawn=True)[0].withdrawn
        with pytest.raises(NotFound):
            township_notices.adopt_release(session, a.admin, release.id, "新版", today(), "")


def test_publishing_checks_every_field_and_who_may(township_and_villages: tuple[Desk, Desk, Desk]) -> None:
    township, a, _ = township_and_villages
    with township.store.write() as session:
        with pytest.raises(ValidationError) as empty_name:
            township_notices.publish_catalog(session, township.admin, "  ", today(), ITEMS)
        assert empty_name.value.field == "name"
        with pytest.raises(ValidationError) as future:
            township_notices.publish_catalog(session, township.admin, "目录", today() + dt.timedelta(days=1), ITEMS)
        assert future.value.field == "issued_on"
        with pytest.raises(ValidationError) as twice:
            township_notices.publish_catalog(session, township.admin, "目录", today(), [*ITEMS, ITEMS[0]])
        assert twice.value.field == "code"
        with pytest.raises(ValidationError) as nothing:
            township_notices.publish_catalog(session, township.admin, "目录", today(), [])
        assert nothing.value.field == "items"
        users.create_user(session, township.admin, "clerk2", "钱二", "mediator", "secret-456")
    clerk = users.login(township.store, "clerk2", "secret-456")
    with pytest.raises(PermissionDenied), township.store.write() as session:
        township_notices.publish_catalog(session, clerk, "目录", today(), ITEMS)
    with pytest.raises(ValidationError) as village_mode, a.store.write() as session:
        township_notices.publish_catalog(session, a.admin, "目录", today(), ITEMS)
    assert village_mode.value.field == "mode"
    with township.store.read() as session:
        assert session.exec(select(CatalogRelease)).all() == []


def test_a_damaged_release_is_refused_with_its_name() -> None:
    for damaged in ("not json", json.dumps({"code": "x"}), json.dumps([{"code": "A1", "points": "lots"}]),
                    json.dumps([{**ITEMS[0].__dict__, "points": 0}])):
        release = CatalogRelease(name="坏目录", issued_on=today(), items=damaged, origin="x")
        with pytest.raises(ValidationError) as err:
            township_notices.release_items(release)
        assert err.value.field in ("items", "points")


def test_a_revocation_reaches_the_other_villages(township_and_villages: tuple[Desk, Desk, Desk], tmp_path: Path) -> None:
    township, a, b = township_and_villages
    with township.store.write() as session:
        identity.revoke(session, township.admin, b.device, "笔记本电脑遗失")
    assert deliver(township, a, bundle_for(township, a)).status == "imported"
    with a.store.read() as session:
        [notice] = township_notices.revocations(session)
        assert notice.device_id == b.device and notice.reason == "笔记本电脑遗失"
        assert township_notices.own_revocation(session) is None
    # B's replacement desk (new keys, same committee) is enrolled and hears why the old one is refused
    b2 = village_desk(tmp_path / "b2", seed=3, households=4, cases=0, entries=0)
    pair(b2, township)
    assert deliver(township, b2, bundle_for(township, b2)).status == "imported"
    with b2.store.read() as session:
        assert [n.device_id for n in township_notices.revocations(session)] == [b.device]
    b2.close()
