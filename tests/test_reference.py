"""Reference data: credit codes, industry and research-field codes."""

from hypothesis import given
from hypothesis import strategies as st

from service.reference import (
    ALL_CITIES,
    credit_code_check_char,
    credit_code_problem,
    field_codes,
    industry_codes,
    normalize_field_code,
    normalize_industry_code,
)

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def test_published_credit_codes_validate():
    # Codes printed on public business licences (examples from GB 32100-2015 material).
    for code in ("91350100M000100Y43", "91110000600037341L"):
        assert credit_code_problem(code) is None, code


def test_credit_code_errors_say_what_is_wrong():
    assert "18 位" in credit_code_problem("9135010")
    assert "非法字符" in credit_code_problem("91350100M000100YI3")
    assert (
        credit_code_problem("91350100M000100Y44") == "统一社会信用代码校验位错误：应为 3，实际为 4"
    )


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17), st.sampled_from(ALPHABET))
def test_exactly_one_check_char_is_valid(body, last):
    expected = credit_code_check_char(body)
    assert (credit_code_problem(body + last) is None) == (last == expected)


def test_industry_codes_cover_the_standard():
    codes = industry_codes()
    assert sum(1 for c in codes.values() if c.level == 4) == 1380
    assert codes["C2614"].name == "有机化学原料制造"
    assert normalize_industry_code("2614") == "C2614"
    assert normalize_industry_code(" c26 ") == "C26"
    assert normalize_industry_code("9999") is None


def test_field_codes():
    assert field_codes()["A01"].name == "数学"
    assert normalize_field_code("e04") == "E04"
    assert normalize_field_code("Z99") is None


def test_cities():
    assert len(ALL_CITIES) == 12 and ALL_CITIES[-1] == "省外"
