"""The Chinese catalog is complete: every string of the program is translated, none fuzzy, each keeps
the {placeholders} of its source, and the compiled .mo matches the .po."""

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}")


def _catalog():  # type: ignore[no-untyped-def]
    with PO.open("rb") as fh:
        return read_po(fh)


def test_catalog_covers_every_string_in_the_source(tmp_path: Path) -> None:
    pot = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "N_", "-k", "ngettext:1,2", "-o", str(pot), "--no-location", str(ROOT / "app")],
                   check=True, capture_output=True)
    with pot.open("rb") as fh:
        source_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    catalog_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    missing = sorted(source_ids - catalog_ids)
    assert not missing, f"run `make translations` and translate: {missing[:20]}"


def test_every_entry_is_translated_not_fuzzy_and_keeps_its_placeholders() -> None:
    problems = []
    for message in _catalog():
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]}")
        for s in strings:
            if not s:
                problems.append(f"untranslated: {ids[0]}")
            elif sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(ids[0])):
                problems.append(f"placeholders differ: {ids[0]!r} -> {s!r}")
    assert not problems, "\n".join(problems[:30])


def _key(value: object) -> object:
    return value if isinstance(value, str) else tuple(value)  # type: ignore[call-overload]


def test_compiled_catalog_matches_the_po_file() -> None:
    with MO.open("rb") as fh:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(fh) if m.id}
    source = {_key(m.id): _key(m.string) for m in _catalog()
              if m.id and not m.fuzzy and any(m.string if isinstance(m.string, tuple) else [m.string])}
    compiled = {k: v for k, v in compiled.items() if k in source}  # an untranslated entry may be compiled as its msgid
    assert compiled == source, "run `make translations` to recompile the .mo"
