"""Checks of what people type: names, ID numbers (GB 11643), mobile numbers, dates, lengths.

Each check returns the cleaned value or raises ValidationError naming the field in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from stdnum.iso7064 import mod_11_2

from app.clock import today
from app.errors import ValidationError
from app.i18n import _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Letters of any script (CJK incl. extensions A–G, Latin, Uyghur, Tibetan...), the middle dot used in
# transliterated names, and spaces. No digits, no emoji, no symbols.
_NAME_EXTRA = set("·•・. ")


def _label(field_label: str) -> str:
    return _(field_label)


def clean_text(value: str | None, field: str, label: str, *, max_len: int, required: bool = False,
               multiline: bool = False) -> str:
    """Strip, refuse control characters and overlong text; `required` refuses empty."""
    text = unicodedata.normalize("NFC", (value or "")).strip()
    if required and not text:
        raise ValidationError(field, _("{field} is required.").format(field=_label(label)))
    allowed_controls = {"\n", "\t"} if multiline else set()
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed_controls for ch in text):
        raise ValidationError(field, _("{field} contains control characters.").format(field=_label(label)))
    if len(text) > max_len:
        raise ValidationError(field, _("{field} is too long: {length} characters, at most {limit}.").format(
            field=_label(label), length=len(text), limit=max_len))
    return text


def clean_name(value: str | None, field: str = "name", label: str = "Name", max_len: int = 50) -> str:
    name = clean_text(value, field, label, max_len=max_len, required=True)
    for ch in name:
        if ch in _NAME_EXTRA:
            continue
        cat = unicodedata.category(ch)
        if not cat.startswith("L") and cat not in ("Mn", "Mc"):
            raise ValidationError(field, _("{field} may contain only letters and characters, not “{char}”.").format(
                field=_label(label), char=ch))
    return re.sub(r"\s+", " ", name)


def _birth_date_of(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def check_id_number(value: str | None, field: str = "id_number", *, birth_date: dt.date | None = None,
                    sex: str | None = None) -> str | None:
    """A resident ID number, normalised (upper-case X); None when empty. Checks the format, the GB 11643
    check character (ISO 7064 MOD 11-2), that the birth date in it is real and not in the future, and that it
    agrees with `birth_date`/`sex`.

    The area code is deliberately not checked against a table: codes change (甘州区 is 620702 only since
    2002) and people keep the number they were given, so a table check refuses real numbers."""
    label = _("ID number")
    text = (value or "").strip().replace(" ", "").upper()
    if not text:
        return None
    if len(text) != 18:
        raise ValidationError(field, _("{field} must have 18 characters (it has {n}).").format(field=label, n=len(text)))
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise ValidationError(field, _("{field} may contain only digits and a final X.").format(field=label))
    if not mod_11_2.is_valid(text):
        raise ValidationError(field, _("{field}: the check digit is wrong; please check the number.").format(field=label))
    born = _birth_date_of(text)
    if born is None or born.year < 1880:
        raise ValidationError(field, _("{field}: the birth date in the number is not a real date.").format(field=label))
    if born > today():
        raise ValidationError(field, _("{field}: the birth date in the number is in the future.").format(field=label))
    if birth_date is not None and birth_date != born:
        raise ValidationError(field, _("{field} says born on {number_date}, but the birth date given is {given}.").format(
            field=label, number_date=born.isoformat(), given=birth_date.isoformat()))
    if sex:
        number_sex = "male" if int(text[16]) % 2 else "female"
        if sex != number_sex:
            raise ValidationError(field, _("{field} does not match the sex given.").format(field=label))
    return text


def id_number_facts(number: str) -> tuple[dt.date, str]:
    """Birth date and sex ('male'/'female') encoded in a valid ID number."""
    born = _birth_date_of(number)
    assert born is not None, "call with a number check_id_number accepted"
    return born, ("male" if int(number[16]) % 2 else "female")


def check_mobile(value: str | None, field: str = "mobile") -> str:
    text = re.sub(r"[\s-]", "", value or "")
    if text.startswith("+86"):
        text = text[3:]
    if not text:
        return ""
    if not MOBILE_RE.match(text):
        raise ValidationError(field, _("{field} must be 11 digits starting with 1.").format(field=_("Mobile number")))
    return text


def check_birth_date(value: dt.date | None, field: str = "birth_date") -> dt.date | None:
    if value is None:
        return None
    if value > today():
        raise ValidationError(field, _("{field} is in the future.").format(field=_("Birth date")))
    if value.year < 1900:
        raise ValidationError(field, _("{field} is before 1900.").format(field=_("Birth date")))
    return value


def parse_date(value: str | dt.date | dt.datetime | None, field: str, label: str) -> dt.date | None:
    """Dates as village offices write them: 2026-11-25, 2026/11/25, 2026.11.25, 20261125, 2026年11月25日."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    raise ValidationError(field, _("{field} is not a date (write it as 2026-11-25).").format(field=_(label)))
