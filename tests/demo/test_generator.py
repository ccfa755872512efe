"""The demo generator: deterministic, valid codes, consistent figures, band edges, planted problems."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import lru_cache

import pytest
from stdnum.cn import uscc as uscc_std

from srdi.demo import wordlists as W
from srdi.demo.generator import (
    DEMO_TAG,
    HTE_TAG,
    PROBLEM_SHARE,
    PROBLEM_TAG,
    PROBLEMS,
    DemoEnterprise,
    DemoSpec,
    _Context,
    _plus_years,
    _trade_name,
    generate,
    generate_one,
    make_uscc,
    org_code_check_char,
    uscc_check_char,
)
from srdi.enterprise.enums import IpType, Provenance, ip_class_of
from srdi.enterprise.models import YEARLY_FIGURES
from srdi.enterprise.size_class import classify
from srdi.enterprise.validation import industry_error, region_error
from srdi.kit.reference import regions, strategic_emerging_codes
from srdi.kit.uscc import uscc_error

AS_OF = date(2026, 11, 21)
N = 2000


@lru_cache
def sample(seed: int = 42, count: int = N) -> tuple[DemoEnterprise, ...]:
    return tuple(generate(DemoSpec(count=count, seed=seed, as_of=AS_OF)))


def latest(rec: DemoEnterprise) -> dict:
    return rec.yearly[-1]


def test_fiscal_years_are_the_last_completed_years_before_as_of():
    assert DemoSpec(count=1, as_of=date(2026, 11, 21)).fiscal_years == (2023, 2024, 2025)
    assert DemoSpec(count=1, as_of=date(2026, 1, 1), years=2).fiscal_years == (2024, 2025)


def test_same_seed_gives_identical_records_and_another_seed_differs():
    first = [(r.enterprise, r.yearly, r.facts, r.problems) for r in generate(DemoSpec(300, AS_OF, seed=7))]
    again = [(r.enterprise, r.yearly, r.facts, r.problems) for r in generate(DemoSpec(300, AS_OF, seed=7))]
    other = [r.enterprise["uscc"] for r in generate(DemoSpec(300, AS_OF, seed=8))]
    assert first == again
    assert {e["uscc"] for e, *_ in first}.isdisjoint(other)


def test_enterprise_i_is_the_same_whatever_the_count():
    small = list(generate(DemoSpec(50, AS_OF)))
    big = sample()
    assert [r.enterprise for r in small] == [r.enterprise for r in big[:50]]
    assert generate_one(DemoSpec(N, AS_OF), 1234).enterprise == big[1234].enterprise


def test_org_code_and_uscc_check_characters_match_published_codes():
    # 91110000600037341L (python-stdnum's example) and 91440300192317458F (tests/data vectors, 组织机构代码 19231745-8).
    assert org_code_check_char("60003734") == "1"
    assert uscc_check_char("91110000600037341") == "L"
    assert org_code_check_char("19231745") == "8"
    assert uscc_check_char("91440300192317458") == "F"
    assert make_uscc("440300", "19231745") == "91440300192317458F"


def test_every_uscc_is_valid_unique_and_registered_in_its_region():
    usccs = [r.enterprise["uscc"] for r in sample()]
    assert len(set(usccs)) == N
    for rec in sample():
        code = rec.enterprise["uscc"]
        assert uscc_error(code) is None, code
        assert uscc_std.is_valid(code)
        assert code[:2] == "91"
        assert code[2:8] == rec.enterprise["region_code"]
        org = code[8:17]
        assert org_code_check_char(org[:8]) == org[8]
        # Firms founded from 2016 carry an MA organisation code, older ones a numeric one.
        assert org.startswith("MA") == (rec.enterprise["founded_date"] >= date(2016, 1, 1))


def test_every_region_and_industry_code_is_real_and_every_district_can_occur():
    for rec in sample():
        assert region_error(rec.enterprise["region_code"]) is None
        assert industry_error(rec.enterprise["industry_code"]) is None
    codes = Counter(r.enterprise["region_code"] for r in sample())
    cities = Counter(c[:4] if c.startswith("44") else "50" for c in codes.elements())
    assert set(cities) == {"4403", "4419", "50"}
    assert 0.35 < cities["4403"] / N < 0.55
    # Every county-level code of the three cities has a weight, so a large run covers all of them.
    ctx = _Context(DemoSpec(1, AS_OF))
    expected = {
        c for c, r in regions().items() if r.city_code == "4403" or c == "441900" or c.startswith("50")
    }
    assert set(ctx.region.items) == expected
    assert codes["440305"] > codes["440308"]  # 南山 outweighs 盐田


def test_industries_lean_to_manufacturing_software_and_science_and_cover_several_size_groups():
    sections = Counter(r.enterprise["industry_code"] for r in sample())
    divisions = Counter(c[:2] for c in sections.elements())
    manufacturing = sum(n for d, n in divisions.items() if 13 <= int(d) <= 43)
    assert manufacturing / N > 0.5
    assert divisions["65"] / N > 0.05
    assert divisions["73"] + divisions["75"] > 0.03 * N
    ctx = _Context(DemoSpec(1, AS_OF))
    groups = {ctx.group_of(c) for c in sections}
    assert {"industry", "software_it", "wholesale", "retail", "construction", "other"} <= groups


def test_names_are_unique_plausible_and_every_enterprise_is_marked_synthetic():
    names = [r.enterprise["name"] for r in sample()]
    assert len(set(names)) == N
    for rec in sample():
        ent = rec.enterprise
        assert re.fullmatch(r"(深圳市|东莞市|重庆)\w{2,3}\w+(股份)?有限公司", ent["name"]), ent["name"]
        assert ent["is_synthetic"] is True
        assert ent["tags"][0] == DEMO_TAG
        assert re.fullmatch(r"1(38|39|86)0000\d{4}", ent["contact_phone"])
        assert ent["address"].startswith(("广东省深圳市", "广东省东莞市", "重庆市"))
        for rows in rec.facts.values():
            assert all(row["source"] == Provenance.synthetic.value for row in rows)


def test_trade_names_stay_unique_past_the_two_character_range():
    ctx = _Context(DemoSpec(1, AS_OF))
    n = len(W.TRADE_NAME_CHARS)
    names = [_trade_name(ctx, i) for i in range(n * n + 3000)]
    assert len(set(names)) == len(names)
    assert {len(x) for x in names[: n * n]} == {2}
    assert {len(x) for x in names[n * n :]} == {3}


def test_yearly_figures_are_internally_consistent_integers():
    years = set(DemoSpec(1, AS_OF).fiscal_years)
    for rec in sample():
        if "rd_exceeds_revenue" in rec.problems:
            continue
        for fig in rec.yearly:
            assert fig["fiscal_year"] in years
            for key in YEARLY_FIGURES:
                assert fig[key] is None or isinstance(fig[key], int)
            assert fig["main_business_revenue"] <= fig["operating_revenue"]
            assert fig["rd_staff"] <= fig["employees"]
            assert fig["total_liabilities"] < fig["total_assets"]
            assert fig["rd_expense"] is None or fig["rd_expense"] <= fig["operating_revenue"]
            assert fig["operating_revenue"] % 100 == 0  # whole yuan, in fen
            assert set(fig["sources"]) == {k for k in YEARLY_FIGURES if fig[k] is not None}
            assert set(fig["sources"].values()) == {"synthetic"}
        years_of = [f["fiscal_year"] for f in rec.yearly]
        if "missing_middle_year" not in rec.problems:
            assert years_of == list(range(years_of[0], years_of[0] + len(years_of))) if years_of else True
        assert not years_of or years_of[0] >= rec.enterprise["founded_date"].year


def test_some_enterprises_sit_exactly_on_band_edges():
    lasts = [latest(r) for r in sample() if r.yearly and not r.problems]
    wan = 1_000_000
    assert sum(f["rd_expense"] * 10_000 == f["operating_revenue"] * 300 for f in lasts) >= 20
    assert sum(f["operating_revenue"] == 1000 * wan for f in lasts) >= 3
    assert sum(f["operating_revenue"] == 10_000 * wan for f in lasts) >= 3
    for bp in (5500, 7000, 7500):
        assert sum(f["total_liabilities"] * 10_000 == f["total_assets"] * bp for f in lasts) >= 3
    for bp in (7000, 8000):
        assert sum(f["main_business_revenue"] * 10_000 == f["operating_revenue"] * bp for f in lasts) >= 3
    niche_edges = [
        n for r in sample() for n in r.facts["niche_market"] if n["start_date"] == date(2022, 12, 31)
    ]
    assert len(niche_edges) >= 3


def test_size_classes_follow_300_hao_and_cover_every_class():
    counts = Counter(r.enterprise["size_class"] for r in sample())
    for rec in sample():
        if not rec.yearly:
            assert rec.enterprise["size_class"] is None
            continue
        fig = latest(rec)
        expected = classify(
            rec.enterprise["industry_code"],
            employees=fig["employees"],
            operating_revenue_fen=fig["operating_revenue"],
            total_assets_fen=fig["total_assets"],
        )
        assert rec.enterprise["size_class"] == expected.value
        assert rec.enterprise["size_class_year"] == fig["fiscal_year"]
    assert {"micro", "small", "medium", "large"} <= set(counts)
    assert counts["small"] + counts["micro"] > 0.7 * N
    assert 0 < counts["large"] < 0.05 * N


def test_ip_items_use_the_class_of_their_type_and_transferred_items_are_not_self_developed():
    kinds = Counter()
    for rec in sample():
        for ip in rec.facts["ip_item"]:
            kinds[ip["ip_type"]] += 1
            assert ip["ip_class"] == ip_class_of(IpType(ip["ip_type"]))
            assert ip["self_developed"] == (ip["transferred_in_date"] is None)
            assert ip["granted_date"] <= AS_OF
            if ip["ip_type"] == "invention_patent":
                assert re.fullmatch(r"ZL\d{4}1\d{7}\.[\dX]", ip["number"])
                assert int(ip["number"][2:6]) < ip["granted_date"].year  # filed before granted
    assert {"invention_patent", "utility_model", "software_copyright", "design_patent"} <= set(kinds)


def test_main_products_flag_strategic_emerging_only_in_listed_industries():
    sei = strategic_emerging_codes()
    flagged = 0
    for rec in sample():
        products = rec.facts["main_product"]
        assert 1 <= len(products) <= 3
        assert sum(p["revenue_share_bp"] for p in products) <= 10_000
        for p in products:
            if p["strategic_emerging"]:
                flagged += 1
                assert rec.enterprise["industry_code"] in sei
                assert p["strategic_category"]
    assert flagged > 0.2 * N


def test_recognitions_have_plausible_shares_three_year_validity_and_tier_order():
    holders: Counter[str] = Counter()
    for rec in sample():
        recs = rec.facts["recognition"]
        for tier in {r["tier"] for r in recs}:
            holders[tier] += 1
        for r in recs:
            if r["tier"] != "tech_sme":
                assert r["valid_until"] == _plus_years(r["announced_date"], 3)
            else:
                assert r["valid_until"] == date(r["announced_date"].year, 12, 31)
            assert r["announced_date"] <= AS_OF
            if r["status"] == "expired":
                assert r["valid_until"] < AS_OF
            if r["status"] == "valid" and "stale_valid_recognition" not in rec.problems:
                assert r["valid_until"] >= AS_OF
        giants = [r for r in recs if r["tier"] == "little_giant"]
        if giants:
            srdi = [r for r in recs if r["tier"] == "srdi_sme"]
            assert srdi and min(r["announced_date"] for r in srdi) < giants[0]["announced_date"]
            assert giants[0]["level"] == "national"
    assert 0.18 < holders["innovative_sme"] / N < 0.35
    assert 0.05 < holders["srdi_sme"] / N < 0.13
    assert 0.003 < holders["little_giant"] / N < 0.03
    assert holders["tech_sme"] > 0.03 * N
    statuses = Counter(r["status"] for rec in sample() for r in rec.facts["recognition"])
    assert statuses["revoked"] >= 1 and statuses["under_re_review"] >= 1 and statuses["expired"] >= 1


def _has_valid_hte(rec: DemoEnterprise) -> bool:
    return any(
        h["kind"] == "high_tech_enterprise" and h["valid_from"] <= AS_OF <= h["valid_until"]
        for h in rec.facts["honour"]
    )


def _looks_wrong(rec: DemoEnterprise) -> set[str]:
    """What an official's checks would flag — computed from the data alone, not from ``problems``."""
    found = set()
    founded = rec.enterprise["founded_date"]
    years = [f["fiscal_year"] for f in rec.yearly]
    if not rec.yearly and founded.year < AS_OF.year:
        found.add("no_yearly_figures")
    if rec.yearly:
        last = rec.yearly[-1]
        if last["rd_expense"] is None:
            found.add("missing_latest_rd")
        elif last["rd_expense"] > last["operating_revenue"]:
            found.add("rd_exceeds_revenue")
        if len(rec.yearly) >= 2 and last["operating_revenue"] == 10 * rec.yearly[-2]["operating_revenue"] > 0:
            found.add("revenue_jump_10x")
    if years and years != list(range(years[0], years[-1] + 1)):
        found.add("missing_middle_year")
    for n in rec.facts["niche_market"]:
        if n["start_date"] < founded:
            found.add("niche_start_before_founding")
        if n["start_date"] > AS_OF:
            found.add("niche_start_in_future")
    if HTE_TAG in rec.enterprise["tags"] and not _has_valid_hte(rec):
        found.add("expired_honour_claimed")
    if any(r["status"] == "valid" and r["valid_until"] < AS_OF for r in rec.facts["recognition"]):
        found.add("stale_valid_recognition")
    return found


def test_planted_problems_are_tagged_findable_and_only_where_planted():
    with_problem = [r for r in sample() if r.problems]
    assert 0.5 * PROBLEM_SHARE < len(with_problem) / N < 1.5 * PROBLEM_SHARE
    assert set(Counter(p for r in with_problem for p in r.problems)) == set(PROBLEMS)
    for rec in sample():
        assert (PROBLEM_TAG in rec.enterprise["tags"]) == bool(rec.problems)
        assert _looks_wrong(rec) == set(rec.problems), (rec.index, rec.problems)


def test_hte_tag_marks_exactly_the_valid_certificates_outside_planted_problems():
    for rec in sample():
        if "expired_honour_claimed" not in rec.problems:
            assert (HTE_TAG in rec.enterprise["tags"]) == _has_valid_hte(rec)


@pytest.mark.parametrize("seed", [1, 2024])
def test_other_seeds_keep_the_invariants(seed):
    recs = sample(seed, 400)
    assert len({r.enterprise["uscc"] for r in recs}) == 400
    for rec in recs:
        assert uscc_error(rec.enterprise["uscc"]) is None
        assert _looks_wrong(rec) == set(rec.problems)


def test_eligibility_facts_are_mostly_confirmed_and_local_scores_stay_within_15():
    recs = sample()
    legal = Counter(r.enterprise["independent_legal_person"] for r in recs)
    restricted = Counter(r.enterprise["restricted_product"] for r in recs)
    assert legal[True] > 0.9 * N and legal[None] > 0
    assert restricted[False] > 0.9 * N and restricted[None] > 0
    scores = [
        r.enterprise["local_feature_score"] for r in recs if r.enterprise["local_feature_score"] is not None
    ]
    assert scores and all(0 <= s <= 15 for s in scores)
    for rec in recs:
        if rec.enterprise["niche_market_leading"] is not None:
            assert rec.facts["niche_market"]
        for ip in rec.facts["ip_item"]:
            assert (ip["rank_among_holders"] is None) == (ip["ip_class"] == 2)
