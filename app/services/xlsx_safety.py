"""Safety of .xlsx files both ways. Written: text that starts with "=" stays text, never a formula (a name
like `=HYPERLINK(...)` typed into the desk must not run in the township's Excel). Read: checks before
openpyxl reads a file: an .xlsx is a zip of XML files, and a small zip can
unpack to gigabytes (a "zip bomb") or hold thousands of members. The sizes in the zip's directory are the
ones that count: Python's zipfile never unpacks more than a member's declared size (and a member that
holds more fails its CRC), so checking the declared sizes up front bounds what openpyxl can unpack.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from app.errors import ValidationError
from app.i18n import _

MAX_UNPACKED_BYTES = 250 * 1024 * 1024  # all members together, unpacked; a 100,000-row roster is about 100 MB
MAX_UNPACKED_MB = MAX_UNPACKED_BYTES // (1024 * 1024)
MAX_MEMBERS = 2000  # files inside the zip; a workbook has a dozen or so, plus one per sheet and picture


def check_xlsx_zip(data: bytes, name: str, unreadable: ValidationError) -> None:
    """Raises ValidationError (field "file"): `unreadable` when `data` is not a zip; another when it unpacks to
    too much or holds too many files."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise unreadable from None
    if len(members) > MAX_MEMBERS:
        raise ValidationError("file", _("{name} holds {count} files inside; an Excel workbook that can be imported holds at "
                                        "most {limit}.").format(name=name, count=len(members), limit=MAX_MEMBERS))
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError("file", _("{name} unpacks to {size} MB; at most {limit} MB can be imported. Split it into "
                                        "smaller files.").format(name=name, size=unpacked // (1024 * 1024),
                                                                 limit=MAX_UNPACKED_MB))


def keep_text_as_text(workbook: Any) -> None:
    """Every cell openpyxl took for a formula (a string starting with "=") becomes plain text again."""
    for ws in workbook.worksheets:
        for line in ws.iter_rows():
            for cell in line:
                if cell.data_type == "f":
                    cell.data_type = "s"
