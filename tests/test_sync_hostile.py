"""Hostile input to the bundle, receipt and identity readers: any bytes give a result or a clean rejection,
never a crash, within time limits, and the database does not change. Iterations: HOSTILE_EXAMPLES
(default 150 per property; the issue note reports a run with more)."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import VerificationFailed
from app.sync import identity, importer
from app.sync.bundle import BUNDLE_MAGIC, RECEIPT_MAGIC
from tests.sync_support import Desk, bundle_for, everything, pair, township_desk, village_desk

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=3000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                                  HealthCheck.too_slow])


@pytest.fixture(scope="module")
def pair_of_desks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Desk, Desk, bytes]]:
    base = tmp_path_factory.mktemp("hostile")
    village = village_desk(base / "village", households=2, cases=1, entries=5)
    township = township_desk(base / "township")
    pair(village, township)
    raw = bundle_for(village, township).data
    yield village, township, raw
    village.close()
    township.close()


def _framed(magic: bytes, manifest: bytes, rest: bytes) -> bytes:
    return magic + struct.pack(">I", len(manifest)) + manifest + rest


@SETTINGS
@given(data=st.one_of(
    st.binary(max_size=4096),
    st.builds(lambda m, r: _framed(BUNDLE_MAGIC, m, r), st.binary(max_size=512), st.binary(max_size=512)),
    st.builds(lambda m, r: _framed(BUNDLE_MAGIC, m, r),
              st.dictionaries(st.sampled_from(["format", "kind", "sender", "recipient", "key_id", "epoch", "seq_from", "seq_to",
                                               "payload_size", "payload_sha256", "chain_from", "chain_to", "rotation"]),
                              st.one_of(st.integers(), st.text(max_size=40), st.none(), st.booleans())).map(
                  lambda d: __import__("json").dumps(d).encode()), st.binary(min_size=64, max_size=300)),
    st.builds(lambda m, r: _framed(RECEIPT_MAGIC, m, r), st.binary(max_size=512), st.binary(max_size=100)),
))
def test_any_bytes_give_a_clean_rejection(pair_of_desks: tuple[Desk, Desk, bytes], data: bytes) -> None:
    _village, township, _raw = pair_of_desks
    outcome = importer.import_bytes(township.store, township.data_dir, data)
    assert outcome.status == "rejected" and outcome.reason and outcome.receipt is None


@SETTINGS
@given(st.data())
def test_any_change_to_a_real_bundle_is_rejected(pair_of_desks: tuple[Desk, Desk, bytes], data: st.DataObject) -> None:
    _village, township, raw = pair_of_desks
    start = data.draw(st.integers(0, len(raw) - 1))
    end = data.draw(st.integers(start, min(len(raw), start + 64)))
    replacement = data.draw(st.binary(max_size=80))
    mutated = raw[:start] + replacement + raw[end:]
    if mutated == raw:
        return
    outcome = importer.import_bytes(township.store, township.data_dir, mutated)
    assert outcome.status == "rejected", (start, end, replacement)


def test_hostile_input_changed_nothing(pair_of_desks: tuple[Desk, Desk, bytes]) -> None:
    """Runs after the properties above (same module): the township holds no village data and still accepts the real bundle."""
    _village, township, raw = pair_of_desks
    before = everything(township.store)
    assert not before["household"]
    assert importer.import_bytes(township.store, township.data_dir, raw).status == "imported"


@SETTINGS
@given(st.one_of(st.binary(max_size=4096), st.text(max_size=2000).map(str.encode),
                 st.dictionaries(st.text(max_size=12), st.text(max_size=40)).map(lambda d: __import__("json").dumps(d).encode())))
def test_any_bytes_as_an_identity_file_give_a_clean_error(data: bytes) -> None:
    with pytest.raises(VerificationFailed):
        identity.read_identity(data)


def test_a_file_on_the_stick_is_staged_before_it_is_read(pair_of_desks: tuple[Desk, Desk, bytes], tmp_path: Path) -> None:
    _village, township, raw = pair_of_desks
    odd = tmp_path / "..%2F..%2Fevil name 𠮷.mdbundle"
    odd.write_bytes(raw[:100])
    outcome = importer.import_path(township.store, township.data_dir, odd)
    assert outcome.status == "rejected" and outcome.file_name == odd.name
    assert not list((township.data_dir / "sync" / "staging").iterdir())  # the staged copy is gone again
