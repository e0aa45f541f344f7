import datetime as dt

import pytest

from app.errors import ValidationError
from app.i18n import set_language
from app.services.validation import check_id_number, check_mobile, clean_name, clean_text, parse_date

VALID_ID = "11010519491231002X"


def test_valid_id_number_is_normalised_to_upper_case_x() -> None:
    assert check_id_number("11010519491231002x") == VALID_ID
    assert check_id_number("  ") is None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("110105194912310021", "check digit"),
        ("1101051949", "18 characters"),
        ("abcdefghijklmnopqr", "digits"),
    ],
)
def test_bad_id_numbers_name_the_field_and_the_problem(value: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_id_number(value)
    assert info.value.field == "id_number"
    assert "ID number" in info.value.message and fragment in info.value.message


def _with_check_digit(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def test_id_number_with_an_impossible_birth_date_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a real date"):
        check_id_number(_with_check_digit("110105" + "19491331" + "002"))


def test_id_number_with_a_future_birth_date_is_refused() -> None:
    future = _with_check_digit("110105" + "20991231" + "002")
    with pytest.raises(ValidationError, match="future"):
        check_id_number(future)


def test_id_number_must_agree_with_given_birth_date_and_sex() -> None:
    with pytest.raises(ValidationError, match="born on 1949-12-31"):
        check_id_number(VALID_ID, birth_date=dt.date(1950, 1, 1))
    # sequence 002 is even: female
    with pytest.raises(ValidationError, match="sex"):
        check_id_number(VALID_ID, sex="male")
    assert check_id_number(VALID_ID, sex="female", birth_date=dt.date(1949, 12, 31)) == VALID_ID


def test_names_allow_rare_characters_and_minority_dots_but_not_emoji_or_digits() -> None:
    assert clean_name("𠮷䶮") == "𠮷䶮"
    assert clean_name(" 阿依古丽·买买提 ") == "阿依古丽·买买提"
    for bad in ("张三😀", "张3", "", "   "):
        with pytest.raises(ValidationError) as info:
            clean_name(bad)
        assert info.value.field == "name"


def test_long_text_is_refused_with_its_length_and_limit() -> None:
    with pytest.raises(ValidationError) as info:
        clean_text("村" * 10_000, "address", "Address", max_len=200)
    assert "10000" in info.value.message and "200" in info.value.message


def test_control_characters_are_refused() -> None:
    with pytest.raises(ValidationError, match="control"):
        clean_text("a\x00b", "note", "Note", max_len=100)


def test_mobile_numbers() -> None:
    assert check_mobile("138 0013 8000") == "13800138000"
    assert check_mobile("+8613800138000") == "13800138000"
    assert check_mobile("") == ""
    for bad in ("12800138000", "1380013800", "phone"):
        with pytest.raises(ValidationError, match="11 digits"):
            check_mobile(bad)


def test_dates_in_the_ways_offices_write_them() -> None:
    for text in ("2026-11-25", "2026/11/25", "2026.11.25", "20261125", "2026年11月25日"):
        assert parse_date(text, "d", "Date") == dt.date(2026, 11, 25)
    with pytest.raises(ValidationError):
        parse_date("2026-02-30", "d", "Date")


def test_messages_are_in_chinese_when_chinese_is_chosen() -> None:
    set_language("zh_CN")
    with pytest.raises(ValidationError) as info:
        check_mobile("123")
    assert "手机" in info.value.message


def test_real_numbers_of_ganzhou_born_before_the_area_code_existed_are_accepted() -> None:
    # 620702 (甘州区) dates from 2002; people born earlier keep numbers with it.
    number = _with_check_digit("620702" + "19650312" + "031")
    assert check_id_number(number) == number
    other = _with_check_digit("620703" + "19800101" + "022")
    assert check_id_number(other) == other
