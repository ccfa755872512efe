"""The set-based registry pipeline equals the per-enterprise path (issue 12, deliverable 1).

Random registries (hypothesis) — no yearly figures, one year only, nulls, zero revenue, revoked recognitions,
创客中国 awards of both groups, provincial rule sets, local answers of the wrong type, a size class the rules
refuse — are evaluated twice in one transaction: by ``evaluate_chunk_orm`` (ORM objects → ``facts_document`` →
``build_variables``, the path the batch used before) and by the pipeline (``facts_frame`` + compiled plans +
bulk writes). The input tables and the stored result rows must be identical.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from sqlalchemy import select

from srdi.criteria import batch_service, facts_frame
from srdi.criteria.enums import Purpose
from srdi.criteria.models import BatchResult
from srdi.criteria.service import rule_book
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import (
    Award,
    Certification,
    ComplianceRecord,
    Enterprise,
    Honour,
    IpItem,
    MainProduct,
    NicheMarket,
    RdInstitution,
    Recognition,
    YearlyFigure,
)
from srdi.rules_engine import FactsError, build_variables
from srdi.rules_engine.batch import variables_table

REGIONS = ["440305", "440606", "500112", "370102", "510104", "110105", "330106"]
AS_OF = [date(2024, 2, 29), date(2025, 6, 30), date(2026, 6, 30), date(2026, 1, 1)]
WAN = 1_000_000

dates = st.one_of(st.none(), st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 12, 31)))
req_dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 12, 31))
money = st.one_of(st.none(), st.just(0), st.integers(-50 * WAN, 20_000 * WAN))
counts = st.one_of(st.none(), st.integers(0, 500))


@st.composite
def yearly(draw: Any) -> list[YearlyFigure]:
    years = draw(st.lists(st.integers(2020, 2026), unique=True, max_size=4))
    return [
        YearlyFigure(
            fiscal_year=y,
            operating_revenue=draw(money),
            main_business_revenue=draw(money),
            rd_expense=draw(money),
            net_profit=draw(money),
            total_assets=draw(money),
            total_liabilities=draw(money),
            qualified_equity_raised=draw(money),
            total_cost_expense=draw(money),
            employees=draw(counts),
            rd_staff=draw(counts),
            development_score=draw(st.one_of(st.none(), st.decimals(0, 100, places=2))),
            sources={},
        )
        for y in years
    ]


def _many(strategy: Any) -> Any:
    return st.lists(strategy, max_size=3)


ip_items = st.builds(
    IpItem,
    ip_type=st.sampled_from(["invention_patent", "utility_model", "design_patent", "software_copyright"]),
    ip_class=st.sampled_from([1, 2]),
    title=st.just("专利"),
    granted_date=dates,
    self_developed=st.booleans(),
    high_value=st.booleans(),
    related_to_main_product=st.booleans(),
    in_use=st.booleans(),
    transferred_in_date=dates,
    rank_among_holders=st.one_of(st.none(), st.integers(1, 6)),
)
awards = st.builds(
    Award,
    kind=st.sampled_from(["maker_china", "science_technology", "quality"]),
    level=st.sampled_from(["national", "provincial", "municipal"]),
    name=st.just("奖项"),
    award_date=req_dates,
    rank=st.one_of(st.none(), st.integers(1, 8)),
    top_group=st.one_of(st.none(), st.sampled_from([50, 500])),
    contest_group=st.one_of(st.none(), st.sampled_from(["enterprise_group", "maker_group"])),
)
honours = st.builds(
    Honour,
    kind=st.sampled_from(["high_tech_enterprise", "tech_innovation_demo", "time_honoured_brand", "ip_demo"]),
    name=st.just("荣誉"),
    level=st.one_of(st.none(), st.sampled_from(["national", "provincial"])),
    valid_from=dates,
    valid_until=dates,
)
rd_institutions = st.builds(
    RdInstitution,
    name=st.just("研发机构"),
    level=st.sampled_from(["national", "provincial", "municipal"]),
    recognized_date=dates,
)
certifications = st.builds(
    Certification,
    kind=st.sampled_from(["iso9001", "management_system", "developed_market_product"]),
    name=st.just("认证"),
    valid_until=dates,
)
niche = st.builds(
    NicheMarket,
    description=st.just("细分市场"),
    start_date=req_dates,
    market_share_bp=st.one_of(st.none(), st.integers(0, 10000)),
    national_rank=st.one_of(st.none(), st.integers(1, 20)),
)
products = st.builds(
    MainProduct,
    name=st.just("产品"),
    strategic_emerging=st.booleans(),
    strategic_category=st.one_of(st.none(), st.just("新一代信息技术")),
)
compliance = st.builds(
    ComplianceRecord,
    kind=st.sampled_from(
        [
            "safety_incident",
            "quality_incident",
            "tax_violation",
            "serious_dishonesty_list",
            "cyber_data_incident",
        ]
    ),
    severity=st.one_of(st.none(), st.sampled_from(["larger", "major", "serious", "especially_major"])),
    occurred_date=req_dates,
    resolved_date=dates,
)
recognitions = st.builds(
    Recognition,
    tier=st.sampled_from(["tech_sme", "innovative_sme", "srdi_sme", "little_giant"]),
    level=st.sampled_from(["national", "provincial"]),
    announced_date=req_dates,
    valid_until=req_dates,
    status=st.sampled_from(["valid", "revoked", "expired"]),
    revoked_date=dates,
    revocation_reason=st.one_of(
        st.none(), st.sampled_from(["fraud", "major_accident", "serious_dishonesty", "other_revocation"])
    ),
)
local_answers = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {},
        optional={
            "listed_or_neeq": st.one_of(st.booleans(), st.none()),
            "shandong_innovation_items": st.one_of(st.integers(0, 9), st.none()),
            "shandong_key_industry_level": st.sampled_from(["national", "provincial"]),
            "sichuan_key_industry": st.one_of(st.booleans(), st.just("是")),  # "是": refused, data_error
        },
    ),
)


@st.composite
def enterprise(draw: Any, i: int) -> Enterprise:
    ent = Enterprise(
        uscc=f"9144030{i:010d}X",
        name=f"示例企业{i}",
        region_code=draw(st.sampled_from(REGIONS)),
        industry_code="3562",
        tags=[],
        founded_date=draw(dates),
        size_class=draw(st.one_of(st.none(), st.sampled_from(["small", "medium", "micro", "large", "huge"]))),
        digital_level=draw(st.one_of(st.none(), st.integers(1, 4))),
        own_brand=draw(st.one_of(st.none(), st.booleans())),
        standards_drafted=draw(counts),
        core_business_on_it_system=draw(st.one_of(st.none(), st.booleans())),
        main_product_field=draw(st.one_of(st.none(), st.sampled_from(["industrial_base", "other"]))),
        independent_legal_person=draw(st.one_of(st.none(), st.booleans())),
        restricted_product=draw(st.one_of(st.none(), st.booleans())),
        niche_market_leading=draw(st.one_of(st.none(), st.booleans())),
        local_feature_score=draw(st.one_of(st.none(), st.integers(0, 15))),
        local_answers=draw(local_answers),
    )
    ent.yearly_figures = draw(yearly())
    ent.ip_items = draw(_many(ip_items))
    ent.awards = draw(_many(awards))
    ent.honours = draw(_many(honours))
    ent.rd_institutions = draw(_many(rd_institutions))
    ent.certifications = draw(_many(certifications))
    ent.niche_markets = draw(_many(niche))
    ent.main_products = draw(_many(products))
    ent.compliance_records = draw(_many(compliance))
    ent.recognitions = draw(_many(recognitions))
    return ent


@st.composite
def registries(draw: Any) -> list[Enterprise]:
    n = draw(st.integers(1, 8))
    return [draw(enterprise(i)) for i in range(n)]


def _stored(db: Any, run_id: int) -> list[tuple[Any, ...]]:
    rows = db.execute(
        select(
            BatchResult.enterprise_id,
            BatchResult.tier,
            BatchResult.rule_set_id,
            BatchResult.status,
            BatchResult.total,
            BatchResult.points_short,
            BatchResult.conditions_failed,
            BatchResult.conditions_unknown,
            BatchResult.detail,
        ).where(BatchResult.batch_run_id == run_id)
    ).all()
    return sorted((*r[:-1], json.dumps(r[-1], sort_keys=True)) for r in rows)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ents=registries(), as_of=st.sampled_from(AS_OF), purpose=st.sampled_from(list(Purpose)))
def test_pipeline_equals_the_per_enterprise_path_on_random_registries(db, ents, as_of, purpose):
    nested = db.begin_nested()
    try:
        db.add_all(ents)
        db.flush()
        ids = [e.id for e in ents]
        book = rule_book()
        old = batch_service.create_run(db, as_of=as_of, purpose=purpose, region_prefix=None, actor="test")
        new = batch_service.create_run(db, as_of=as_of, purpose=purpose, region_prefix=None, actor="test")
        batch_service.evaluate_chunk_orm(db, old, ids, book)
        written = batch_service.evaluate_chunk(db, new, min(ids), max(ids), batch_service.RunPlans(book))
        db.flush()
        expected = _stored(db, old.id)
        assert written == len(expected)
        assert _stored(db, new.id) == expected
        assert (old.processed, new.processed) == (len(ents), len(ents))

        # The input tables themselves, column by column, for every enterprise the frame builder keeps.
        chunk = facts_frame.read_chunk(db, min(ids), max(ids))
        for ent in ents:
            sel = book.select(as_of, purpose.value, ent.region_code).tiers
            sets = [book.get(r) for r in dict.fromkeys(sel.values())]
            try:
                want = build_variables(enterprise_service.facts_document(ent), as_of, sets, purpose.value)
            except FactsError:
                continue  # refused data: re-evaluated by the per-enterprise path (compared above)
            if ent.id in facts_frame.suspect_answers(chunk, sets):
                continue
            got = facts_frame.variables(chunk, as_of, sets, purpose.value).filter(
                pl.col("enterprise_id") == ent.id
            )
            assert_frame_equal(got, variables_table([want], sets, keys={"enterprise_id": [ent.id]}))
    finally:
        nested.rollback()


def test_refused_data_gets_the_same_data_error_rows(db):
    """A size class the facts format does not know: both paths record every tier undecided with the reason."""
    ent = Enterprise(
        uscc="914403000000000001", name="数据有误企业", region_code="440305", industry_code="3562"
    )
    ent.size_class = "huge"
    db.add(ent)
    db.flush()
    run = batch_service.create_run(
        db, as_of=date(2025, 6, 30), purpose=Purpose.new_application, region_prefix=None, actor="test"
    )
    batch_service.evaluate_chunk(db, run, ent.id, ent.id)
    rows = _stored(db, run.id)
    assert {r[3] for r in rows} == {"unknown"}
    assert all("data_error" in json.loads(r[-1]) for r in rows)
    assert batch_service.summarize(db, run)["data_errors"] == len(rows) == 4
