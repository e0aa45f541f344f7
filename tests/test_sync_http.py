"""The township receiver over real HTTP on 127.0.0.1 (waitress in a thread), pushed to by a village with
httpx; and the command line: `sync export|import|status`, `identity`, exit code 4 for a rejected bundle."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from app.cli import run
from app.models.cases import CaseDecision
from app.services import case_flow
from app.services import township as township_service
from app.sync import identity, transport
from app.sync.server import make_server
from tests.sync_support import Desk, open_case, pair, synced_rows, township_desk, village_desk


@pytest.fixture
def served(tmp_path: Path, township_db: str | None) -> Iterator[tuple[Desk, Desk, str]]:
    township = township_desk(tmp_path / "township", township_db)
    village = village_desk(tmp_path / "village", households=10, cases=6, entries=60)
    pair(village, township)
    server = make_server(township.store, township.data_dir, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}"
    with village.store.write() as session:
        identity.set_township_url(session, village.admin, url)
    yield village, township, url
    server.close()
    thread.join(5)
    village.close()
    township.close()


def test_push_over_http_round_trip_with_the_decision_coming_back(served: tuple[Desk, Desk, str]) -> None:
    village, township, _url = served
    case_id = open_case(village)
    with village.store.write() as session:
        case_flow.transfer(session, village.admin, case_id, "township_center", "需镇里协调")
    result = transport.push_once(village.store, village.data_dir, village.admin)
    assert result.ok, result.message
    assert result.sent > 0
    assert synced_rows(village.store, village.device) == synced_rows(township.store, village.device)
    from app.sync import status

    with village.store.read() as session:
        assert status.summary(session, village.data_dir).peers[0].pending == 0  # the receipt came back in the response
    with township.store.write() as session:
        township_service.decide(session, township.admin, case_id, "decided", "镇调委会受理，已调解结案")
    second = transport.push_once(village.store, village.data_dir, village.admin)
    assert second.ok and second.received and second.received[0]["status"] == "imported"
    with village.store.read() as session:
        assert [d.text for d in session.exec(select(CaseDecision))] == ["镇调委会受理，已调解结案"]
    with township.store.read() as session:  # the village's receipt for the return bundle arrived too
        assert status.summary(session, township.data_dir).peers[0].pending == 0
    third = transport.push_once(village.store, village.data_dir, village.admin)
    assert third.ok and third.sent == 0


def test_the_receiver_refuses_bad_requests_with_clear_status_codes(served: tuple[Desk, Desk, str]) -> None:
    _village, _township, url = served
    with httpx.Client(timeout=10) as client:
        bad = client.post(f"{url}/bundles", content=b"MDBUNDL1" + b"\x00" * 200)
        assert bad.status_code == 422 and "manifest" in bad.text
        assert client.post(f"{url}/bundles", content=b"hello").status_code == 422
        huge = client.post(f"{url}/receipts", content=b"x" * 70_000)
        assert huge.status_code == 413
        assert client.get(f"{url}/return/00000000-0000-0000-0000-000000000000").status_code == 404
        assert client.get(f"{url}/return/../../etc/passwd").status_code == 404
        assert client.get(f"{url}/health").text == "ok"


def test_an_unreachable_township_leaves_the_bundle_pending(tmp_path: Path) -> None:
    township = township_desk(tmp_path / "township")
    village = village_desk(tmp_path / "village", households=3, cases=0, entries=0)
    pair(village, township)
    with village.store.write() as session:
        identity.set_township_url(session, village.admin, "http://127.0.0.1:9")  # nothing listens there
    result = transport.push_once(village.store, village.data_dir, village.admin)
    assert not result.ok and "cannot be reached" in result.message
    from app.sync import status

    with village.store.read() as session:
        assert status.summary(session, village.data_dir).peers[0].pending > 0
    village.close()
    township.close()


def _cli(data_dir: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(["--data-dir", str(data_dir), "--lang", "en", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_command_line_exchanges_bundles_over_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIATION_DESK_PASSWORD", "secret-123")
    v, t, usb = tmp_path / "v", tmp_path / "t", tmp_path / "usb"
    usb.mkdir()
    assert _cli(v, "demo", "--households", "5", "--cases", "3", "--entries", "20", capsys=capsys)[0] == 0
    assert (
        _cli(
            t,
            "init",
            "--committee",
            "长安镇综治中心",
            "--code",
            "长镇",
            "--seal",
            "长安镇综治中心",
            "--village",
            "",
            "--town",
            "长安镇",
            "--township",
            "--admin",
            "clerk",
            "--admin-name",
            "赵文",
            capsys=capsys,
        )[0]
        == 0
    )
    for desk in (v, t):
        assert _cli(desk, "identity", "export", "-o", str(tmp_path / f"{desk.name}.mdid"), capsys=capsys)[0] == 0
    fingerprint = {d.name: json.loads(_cli(d, "--json", "identity", "show", capsys=capsys)[1])["fingerprint"] for d in (v, t)}
    code, _out, err = _cli(t, "identity", "enroll", str(tmp_path / "v.mdid"), "--fingerprint", "11111 22222", capsys=capsys)
    assert code == 3 and "fingerprint does not match" in err
    assert (
        _cli(t, "identity", "enroll", str(tmp_path / "v.mdid"), "--fingerprint", fingerprint["v"].replace(" ", ""), capsys=capsys)[0] == 0
    )
    assert _cli(v, "identity", "enroll", str(tmp_path / "t.mdid"), "--fingerprint", fingerprint["t"], capsys=capsys)[0] == 0
    assert _cli(v, "sync", "export", "--to", str(usb), capsys=capsys)[0] == 0
    [bundle] = usb.glob("*.mdbundle")
    tampered = usb / "tampered.mdbundle"
    raw = bytearray(bundle.read_bytes())
    raw[-10] ^= 0xFF
    tampered.write_bytes(bytes(raw))
    code, out, err = _cli(t, "--json", "sync", "import", str(bundle), str(tampered), capsys=capsys)
    assert code == 4  # one of them was rejected
    fates = {f["file"]: f["status"] for f in json.loads(out)["files"]}
    assert fates == {bundle.name: "imported", "tampered.mdbundle": "rejected"}
    assert "payload" in err
    tampered.unlink()
    code, _out, err = _cli(v, "sync", "import", str(usb), capsys=capsys)  # the whole stick: own bundle skipped, receipt read
    assert code == 0 and "Delivered" in err
    status = json.loads(_cli(v, "--json", "sync", "status", capsys=capsys)[1])
    assert status["peers"][0]["pending"] == 0 and status["last_sync"]
    # the township publishes a reference catalog; the village's assembly adopts it
    xlsx = tmp_path / "rules.xlsx"
    assert _cli(v, "points", "rules", "export", "-o", str(xlsx), capsys=capsys)[0] == 0
    code, out, err = _cli(t, "--json", "points", "rules", "publish", str(xlsx), "--name", "长安镇参考目录", capsys=capsys)
    assert code == 0, err
    release = json.loads(out)["release"]
    assert _cli(t, "sync", "export", "--to", str(usb), capsys=capsys)[0] == 0
    code, _out, err = _cli(v, "sync", "import", str(usb), capsys=capsys)
    assert code == 0, err
    listed = json.loads(_cli(v, "--json", "points", "rules", "releases", capsys=capsys)[1])["releases"]
    assert [r["id"] for r in listed] == [release]
    code, _out, err = _cli(v, "points", "rules", "adopt-release", release, "--name", "2027年修订", capsys=capsys)
    assert code == 0 and "Adopted 2027年修订" in err, err
    code, _out, err = _cli(v, "points", "rules", "publish", str(xlsx), "--name", "村里不能发布", capsys=capsys)
    assert code == 3 and "township" in err, err
    code, _out, err = _cli(t, "identity", "revoke", "甘", "--reason", "电脑丢失", capsys=capsys)
    assert code == 0, err
