"""Fuzzing the facts-document parser (hypothesis): whatever the document holds, ``build_variables`` over every rule
set either succeeds or raises ``FactsError`` naming the malformed field — never another exception."""

from __future__ import annotations

import contextlib
import re
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srdi.rules_engine import FactsError, build_variables, load_rule_sets
from srdi.rules_engine.facts_check import RECORDS, SCALARS, YEARLY, validate_facts
from tests.rules_engine.cases import RULES_DIR

RULE_SETS = list(load_rule_sets(RULES_DIR).values())
AS_OF = date(2025, 6, 30)
DATE_FIELDS = {
    "founded_date",
    "granted_date",
    "transferred_in_date",
    "award_date",
    "valid_from",
    "valid_until",
    "recognized_date",
    "start_date",
    "occurred_date",
    "resolved_date",
    "announced_date",
    "revoked_date",
}
BOOL_FIELDS = {
    "independent_legal_person",
    "restricted_product",
    "own_brand",
    "core_business_on_it_system",
    "quality_award_provincial",
    "developed_market_certification",
    "niche_market_leading",
    "self_developed",
    "high_value",
    "related_to_main_product",
    "in_use",
    "strategic_emerging",
}
ENUMS: dict[str, list[Any]] = {
    "size_class": ["large", "medium", "small", "micro"],
    "ip_class": [1, 2],
    "contest_group": ["enterprise_group", "maker_group"],
    "revocation_reason": ["fraud", "major_accident", "serious_dishonesty", "other_revocation"],
    "kind": ["maker_china", "science_technology", "safety_incident", "iso9001", "high_tech_enterprise"],
    "level": ["national", "provincial", "municipal"],
    "tier": ["innovative_sme", "srdi_sme", "little_giant"],
    "status": ["valid", "revoked", "expired"],
    "severity": ["major", "general", "serious"],
}
MONEY = {k for k, c in YEARLY.items() if k not in ("employees", "rd_staff", "development_score")}

garbage = st.one_of(
    st.just("None"),
    st.just(""),
    st.just("2024-02-30"),
    st.just("NaN"),
    st.just("Infinity"),
    st.just("1e999999"),
    st.text(max_size=12),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat)
money = st.decimals(min_value=-(10**9), max_value=10**11, places=2, allow_nan=False).map(str)


def valid(field: str) -> st.SearchStrategy[Any]:
    if field in DATE_FIELDS:
        return dates
    if field in BOOL_FIELDS:
        return st.booleans()
    if field in ENUMS:
        return st.sampled_from(ENUMS[field])
    if field in MONEY:
        return money
    if field == "local_feature_score":
        return st.integers(min_value=0, max_value=15)
    if field == "development_score":
        return st.decimals(min_value=0, max_value=100, places=2, allow_nan=False).map(str)
    if field in ("local_answers", "policy_answers", "tier_results"):
        return st.dictionaries(st.sampled_from(["a", "b"]), st.booleans(), max_size=2)
    if field in ("uscc", "name", "region_code", "industry_code", "ip_type", "main_product_field"):
        return st.sampled_from(["3989", "440305", "91440300192317458F", "other"])
    return st.integers(min_value=0, max_value=2000)


def value(field: str, bad: bool) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), valid(field), garbage) if bad else st.one_of(st.none(), valid(field))


def record(fields: dict[str, Any], bad: bool) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={f: value(f, bad) for f in fields})


def documents(bad: bool) -> st.SearchStrategy[dict[str, Any]]:
    years = st.sampled_from(["2021", "2022", "2023", "2024"])
    row = record(YEARLY, bad)
    optional: dict[str, st.SearchStrategy[Any]] = {f: value(f, bad) for f in SCALARS}
    optional["yearly"] = st.dictionaries(years, row, max_size=4)
    for name, fields in RECORDS.items():
        optional[name] = st.lists(record(fields, bad), max_size=4)
    if bad:
        optional["yearly"] = st.one_of(optional["yearly"], garbage)
        for name in RECORDS:
            optional[name] = st.one_of(optional[name], garbage)
    return st.fixed_dictionaries({}, optional=optional)


FIELD_PATH = re.compile(r"^(?P<path>[a-z_]+(\[\d+\])?(\.[a-z_0-9]+)*)[：:]")


def _exists(doc: Any, path: str) -> bool:
    cur: Any = doc
    for part in re.findall(r"[a-z_0-9]+|\[\d+\]", path):
        if part.startswith("["):
            idx = int(part[1:-1])
            if not isinstance(cur, list) or idx >= len(cur):
                return False
            cur = cur[idx]
        else:
            if not isinstance(cur, dict) or part not in cur:
                return False
            cur = cur[part]
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(bad=True))
def test_malformed_documents_give_a_facts_error_naming_a_field_of_the_document(doc: dict[str, Any]) -> None:
    try:
        build_variables(doc, AS_OF, RULE_SETS)
    except FactsError as exc:
        m = FIELD_PATH.match(str(exc))
        assert m is not None, str(exc)
        assert _exists(doc, m["path"]), (str(exc), doc)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(bad=False))
def test_well_formed_documents_are_accepted(doc: dict[str, Any]) -> None:
    validate_facts(doc)
    variables = build_variables(doc, AS_OF, RULE_SETS)
    assert set(variables) >= {"size_class", "independent_legal_person"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*SCALARS, "yearly", *RECORDS, "other"]), json_values, max_size=5))
def test_arbitrary_json_never_escapes_as_another_exception(doc: dict[str, Any]) -> None:
    with contextlib.suppress(FactsError):
        build_variables(doc, AS_OF, RULE_SETS)


def test_a_date_written_none_is_named() -> None:
    doc = {"ip_items": [{"ip_class": 1, "granted_date": "None"}]}
    try:
        build_variables(doc, AS_OF, RULE_SETS)
    except FactsError as exc:
        assert str(exc) == "ip_items[0].granted_date：应为日期 YYYY-MM-DD，实际为 'None'"
    else:
        raise AssertionError("a date 'None' was accepted")
