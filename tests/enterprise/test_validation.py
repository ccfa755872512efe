import csv
from pathlib import Path

import pytest

from srdi.enterprise.validation import industry_error, region_error
from srdi.kit.uscc import uscc_error

VECTORS = list(
    csv.DictReader((Path(__file__).parents[1] / "data" / "uscc_test_vectors.csv").open(encoding="utf-8"))
)


@pytest.mark.parametrize("row", VECTORS, ids=[r["uscc"] for r in VECTORS])
def test_uscc_vectors_match_expected_validity(row):
    assert (uscc_error(row["uscc"]) is None) == (row["expected_valid"] == "1")


def test_uscc_wrong_check_character_is_named():
    assert uscc_error("91110000600037341N") == "统一社会信用代码校验位错误（GB 32100-2015）"


def test_uscc_wrong_length_reports_the_length():
    assert uscc_error("9111000060003734") == "统一社会信用代码应为18位，实际为16位"


def test_uscc_lowercase_and_spaces_are_normalised():
    assert uscc_error(" 91110000600037341l ") is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("440305", None),
        ("441900", None),
        ("500235", None),
        ("440300", "行政区划代码 440300 不在国家统计局区划代码表中"),
        ("4403", "行政区划代码应为6位数字（区县级）"),
        ("44030X", "行政区划代码应为6位数字（区县级）"),
    ],
)
def test_region_codes_are_checked_against_the_reference_table(code, expected):
    assert region_error(code) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("3562", None),
        ("6513", None),
        ("9231", None),
        ("356", "行业代码 356（电子和电工机械专用设备制造）不是小类代码，请填写4位小类代码"),
        ("9999", "行业代码 9999 不在 GB/T 4754-2017 国民经济行业分类中"),
    ],
)
def test_industry_codes_are_checked_against_gbt4754(code, expected):
    assert industry_error(code) == expected
