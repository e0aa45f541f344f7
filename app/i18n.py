"""Translations (gettext catalogs compiled by Babel) and locale-aware formatting of dates and numbers.

Source strings are English. Simplified Chinese is the default language; English is the second.
`_()` looks the string up in the language chosen now, so a switch takes effect on the next call.
Module-level labels are marked with `N_()` and translated where they are shown.
"""

from __future__ import annotations

import datetime as dt
import gettext
from decimal import Decimal

from app.paths import translations_dir

LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
DOMAIN = "messages"

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(language: str | None) -> str:
    """Switch the language of every later `_()` call; returns the language now in use."""
    global _current, _language
    language = language or DEFAULT_LANGUAGE
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    if language == "en":
        _current = gettext.NullTranslations()
    else:
        # fallback: a missing catalog (a broken install) shows English rather than crashing
        _current = gettext.translation(DOMAIN, localedir=translations_dir(), languages=[language], fallback=True)
    _language = language
    return language


def language() -> str:
    return _language


def _(message: str) -> str:
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for extraction without translating it yet."""
    return message


def _babel_locale() -> str:
    return "zh_Hans_CN" if _language == "zh_CN" else "en_US"


def format_list(items: list[str]) -> str:
    """Items joined as the language does it: "a, b, and c"; "甲、乙和丙"."""
    from babel.lists import format_list as babel_format_list

    return babel_format_list(items, style="standard", locale=_babel_locale()) if items else ""


def format_date(value: dt.date | None, fmt: str = "long") -> str:
    """`2026年11月25日` in Chinese, `November 25, 2026` in English; empty for None."""
    if value is None:
        return ""
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format=fmt, locale=_babel_locale())


def format_datetime(value: dt.datetime | None, tz: str = "Asia/Shanghai") -> str:
    """A timestamp in the desk's time zone, e.g. `2026年11月25日 08:12`."""
    if value is None:
        return ""
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime as babel_format_datetime

    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(ZoneInfo(tz))
    pattern = "yyyy年M月d日 HH:mm" if _language == "zh_CN" else "MMM d, yyyy HH:mm"
    return babel_format_datetime(local, pattern, locale=_babel_locale())


def format_number(value: int | float | Decimal) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_babel_locale())
