"""划型 at every threshold of 300号 (CRITERIA §10), for every industry group.

The expected table is transcribed here independently of rules/criteria/national/size_class_2011_300.yaml, so a
typo in the rule file fails these tests.
"""

import pytest

from srdi.enterprise.enums import SizeClass
from srdi.enterprise.size_class import classify, default_table

WAN = 1_000_000  # fen per 万元

# group: (a 4-digit industry code in the group, metrics, ceiling, medium, small)
TABLE = {
    "agriculture": ("0111", ("Y",), (20000,), (500,), (50,)),
    "industry": ("3562", ("X", "Y"), (1000, 40000), (300, 2000), (20, 300)),
    "construction": ("4710", ("Y", "Z"), (80000, 80000), (6000, 5000), (300, 300)),
    "wholesale": ("5111", ("X", "Y"), (200, 40000), (20, 5000), (5, 1000)),
    "retail": ("5211", ("X", "Y"), (300, 20000), (50, 500), (10, 100)),
    "transport": ("5431", ("X", "Y"), (1000, 30000), (300, 3000), (20, 200)),
    "warehousing": ("5920", ("X", "Y"), (200, 30000), (100, 1000), (20, 100)),
    "postal": ("6010", ("X", "Y"), (1000, 30000), (300, 2000), (20, 100)),
    "accommodation": ("6110", ("X", "Y"), (300, 10000), (100, 2000), (10, 100)),
    "catering": ("6210", ("X", "Y"), (300, 10000), (100, 2000), (10, 100)),
    "information_transmission": ("6410", ("X", "Y"), (2000, 100000), (100, 1000), (10, 100)),
    "software_it": ("6513", ("X", "Y"), (300, 10000), (100, 1000), (10, 50)),
    "real_estate_development": ("7010", ("Y", "Z"), (200000, 10000), (1000, 5000), (100, 2000)),
    "property_management": ("7020", ("X", "Y"), (1000, 5000), (300, 1000), (100, 500)),
    "leasing_business_services": ("7212", ("X", "Z"), (300, 120000), (100, 8000), (10, 100)),
    "other": ("7320", ("X",), (300,), (100,), (10,)),
}


def _run(code, metrics, values):
    kwargs = {"employees": None, "operating_revenue_fen": None, "total_assets_fen": None}
    for m, v in zip(metrics, values, strict=True):
        if m == "X":
            kwargs["employees"] = v
        elif m == "Y":
            kwargs["operating_revenue_fen"] = v * WAN
        else:
            kwargs["total_assets_fen"] = v * WAN
    return classify(code, **kwargs)


def _cases():
    for group, (code, metrics, ceiling, medium, small) in TABLE.items():
        n = len(metrics)
        yield group, code, metrics, list(ceiling), SizeClass.large
        yield group, code, metrics, list(medium), SizeClass.medium
        yield group, code, metrics, list(small), SizeClass.small
        for i in range(n):
            # One unit below a threshold on one metric moves the class down one step ("否则下划一档").
            below_ceiling = list(ceiling)
            below_ceiling[i] -= 1
            yield group, code, metrics, below_ceiling, SizeClass.medium
            below_medium = list(medium)
            below_medium[i] -= 1
            yield group, code, metrics, below_medium, SizeClass.small
            below_small = list(small)
            below_small[i] -= 1
            yield group, code, metrics, below_small, SizeClass.micro


CASES = list(_cases())


@pytest.mark.parametrize(("group", "code", "metrics", "values", "expected"), CASES)
def test_size_class_at_each_threshold(group, code, metrics, values, expected):
    assert _run(code, metrics, values) == expected


def test_every_group_of_the_rule_file_is_covered():
    assert {g.id for g in default_table().groups} == set(TABLE)


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("5310", "other"),
        ("5910", "transport"),
        ("5990", "warehousing"),
        ("7030", "other"),
        ("0511", "agriculture"),
    ],
)
def test_industry_codes_map_to_300_groups(code, group):
    assert default_table().group_for(code).id == group


def test_revenue_exact_to_the_fen_at_the_medium_edge():
    # 2000万元 exactly is medium (及以上); one fen less is small.
    assert (
        classify("3562", employees=300, operating_revenue_fen=2000 * WAN, total_assets_fen=None) == "medium"
    )
    assert (
        classify("3562", employees=300, operating_revenue_fen=2000 * WAN - 1, total_assets_fen=None)
        == "small"
    )


def test_unknown_figure_gives_unknown_class_unless_decided():
    assert classify("3562", employees=500, operating_revenue_fen=None, total_assets_fen=None) is None
    # 5 employees in industry: micro whatever the revenue.
    assert classify("3562", employees=5, operating_revenue_fen=None, total_assets_fen=None) == "micro"
    # 1200 employees but revenue unknown: SME ceiling undecided.
    assert classify("3562", employees=1200, operating_revenue_fen=None, total_assets_fen=None) is None
