"""Issue 16 (performance): ``generate_whitelist`` reads the registry by columns and evaluates the compiled rule;
its runs equal the per-enterprise path it replaced (``set_based=False``) — counts, entries, their order and
every reason — on demo data plus Dongguan enterprises on the edges (R&D exactly 3 %, missing figures, zero
revenue, blacklisted, a size class the facts format refuses), over two periods so that entries leave the list
(lost recognition, moved out of the region) and the reasons of who left are compared too."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from srdi.demo.generator import DemoSpec, generate
from srdi.demo.loader import load
from srdi.enterprise.models import Enterprise, Recognition, YearlyFigure
from srdi.finance import repository, service
from srdi.finance.enums import RunStatus
from srdi.rules_engine import FactsError
from tests.finance import factories as f

LISTS = ["dg_industry_finance", "dg_risk_compensation"]


def _snapshot(db: Session, run_id: int) -> tuple[tuple[int, int, int, int], list[tuple[Any, ...]]]:
    run = service.get_run(db, run_id)
    rows = [(e.enterprise_id, e.member, e.change, e.reasons) for e in repository.entries(db, run_id)]
    return (run.members, run.entered, run.exited, run.undecided), rows


def _both(db: Session, key: str, period: str) -> tuple[Any, Any]:
    new = service.generate_whitelist(db, key, period, None, region_prefixes=None)
    got = _snapshot(db, new.id)
    old = service.generate_whitelist(db, key, period, None, region_prefixes=None, set_based=False)
    assert old.id == new.id  # the draft is regenerated in place
    want = _snapshot(db, old.id)
    return got, want


def _edge_enterprises(db: Session) -> list[Enterprise]:
    ents = [
        f.enterprise(db, "研发恰好百分之三", revenue_wan=10000, rd_wan=300),
        f.enterprise(db, "研发差一点", revenue_wan=10000, rd_wan=299),
        f.enterprise(db, "营业收入为零", revenue_wan=0, rd_wan=10),
        f.enterprise(db, "小巨人", srdi=False, little_giant=True, size_class="medium"),
        f.enterprise(db, "大型企业", size_class="large"),
        f.enterprise(db, "失信企业", blacklisted=True),
        f.enterprise(db, "无称号", srdi=False),
    ]
    missing = f.enterprise(db, "缺上年度数据")
    db.execute(
        update(YearlyFigure)
        .where(YearlyFigure.enterprise_id == missing.id, YearlyFigure.fiscal_year == 2025)
        .values(rd_expense=None, operating_revenue=None)
    )
    return [*ents, missing]


@pytest.mark.parametrize("key", LISTS)
def test_set_based_generation_equals_the_per_enterprise_path(db: Session, key: str) -> None:
    conn = db.connection()
    load(conn, generate(DemoSpec(400, date(2026, 12, 1), seed=16)), seed=16)
    edges = _edge_enterprises(db)
    db.flush()

    got, want = _both(db, key, "2026Q1")
    assert got == want
    counts, rows = got
    assert counts[0] > 5 and rows, "the demo data puts enterprises on the list"
    stored = {r[0]: r for r in rows}
    if key == "dg_industry_finance":  # R&D exactly 3 % is on the list, one 万元 less is not
        assert stored[edges[0].id][1] is True and edges[1].id not in stored
    assert stored[edges[7].id][2] in ("undecided", "new")  # no figures: undecided unless W3 is not read
    if key == "dg_industry_finance":
        assert {r[2] for r in rows} == {"new", "undecided"}

    service.generate_whitelist(db, key, "2026Q1", None, region_prefixes=None)
    run = repository.run_for(db, key, "2026Q1")
    assert run is not None
    run.status = RunStatus.approved
    members = [r[0] for r in rows if r[1]]
    # Next period: a member loses its recognition, another moves out of Dongguan, one loses its figures.
    db.execute(update(Recognition).where(Recognition.enterprise_id == members[0]).values(status="revoked"))
    db.execute(update(Enterprise).where(Enterprise.id == members[1]).values(region_code="440305"))
    db.execute(
        update(YearlyFigure)
        .where(YearlyFigure.enterprise_id == members[2], YearlyFigure.fiscal_year == 2025)
        .values(operating_revenue=None, rd_expense=None)
    )
    db.flush()
    got, want = _both(db, key, "2026Q2")
    assert got == want
    counts, rows = got
    changes = {r[2] for r in rows}
    assert "out" in changes and "kept" in changes
    assert counts[2] >= 2  # at least the revoked one and the one that moved away
    why = {r[0]: r[3]["why_change"] for r in rows if r[2] == "out"}
    assert why[members[1]] == ["企业已不在本名单适用地区"]


def test_data_the_facts_format_refuses_is_refused_by_both_paths_alike(db: Session) -> None:
    """A size class outside 划型 is not guessed at by the column read: that enterprise goes the per-enterprise
    way, which refuses it with the field named — as the generation always has."""
    f.enterprise(db, "正常企业")
    odd = f.enterprise(db, "划型数据有误")
    db.execute(update(Enterprise).where(Enterprise.id == odd.id).values(size_class="tiny"))
    db.flush()
    for set_based in (True, False):
        with pytest.raises(FactsError, match="size_class"):
            service.generate_whitelist(
                db, "dg_risk_compensation", "2026Q1", None, region_prefixes=None, set_based=set_based
            )


def _odd_registry(db: Session) -> dict[str, int]:
    """Dongguan enterprises each with one value the facts format refuses, in a different table, plus normal ones.
    Written by SQL (the ORM and its validators would refuse them)."""
    from sqlalchemy import text

    from srdi.enterprise.models import Award, Honour, MainProduct, NicheMarket, RdInstitution

    sqlite = db.connection().dialect.name == "sqlite"
    for i in range(3):
        f.enterprise(db, f"正常企业{i}")
    odd: dict[str, int] = {}

    def ent(label: str) -> Enterprise:
        e = f.enterprise(db, f"数据有误：{label}")
        odd[label] = e.id
        return e

    e = ent("contest_group")
    db.add(
        Award(
            enterprise_id=e.id, kind="maker_china", level="national", name="奖项", award_date=date(2024, 5, 1)
        )
    )
    db.flush()
    db.execute(text("UPDATE award SET contest_group = 'bogus' WHERE enterprise_id = :e"), {"e": e.id})
    e = ent("national_rank")
    db.add(NicheMarket(enterprise_id=e.id, description="细分市场", start_date=date(2020, 1, 1)))
    db.flush()
    db.execute(
        text("UPDATE niche_market SET national_rank = 2000000000 WHERE enterprise_id = :e"), {"e": e.id}
    )
    e = ent("main_products count")
    db.add_all(MainProduct(enterprise_id=e.id, name="产品", strategic_emerging=False) for _ in range(10_001))
    e = ent("rd_expense")
    db.execute(
        text("UPDATE yearly_figure SET rd_expense = :v WHERE enterprise_id = :e"), {"e": e.id, "v": 10**15}
    )
    if sqlite:  # what SQLite alone lets in: longer text than the column, a malformed date, three decimals
        e = ent("honour level")
        db.add(Honour(enterprise_id=e.id, kind="ip_demo", name="荣誉"))
        db.flush()
        db.execute(text("UPDATE honour SET level = :v WHERE enterprise_id = :e"), {"e": e.id, "v": "x" * 501})
        e = ent("recognized_date")
        db.add(RdInstitution(enterprise_id=e.id, name="研发机构", level="provincial"))
        db.flush()
        db.execute(text("UPDATE rd_institution SET recognized_date = '2024-02-30' WHERE enterprise_id = :e"),
                   {"e": e.id})  # fmt: skip
        e = ent("development_score")
        db.execute(text("UPDATE yearly_figure SET development_score = 1.234 WHERE enterprise_id = :e"),
                   {"e": e.id})  # fmt: skip
    db.flush()
    return odd


@pytest.mark.parametrize(
    ("lists", "yearly"),
    [(None, True), (frozenset(), False), (frozenset({"recognitions", "compliance_records"}), True),
     (frozenset({"recognitions", "compliance_records"}), False)],
)  # fmt: skip
def test_tables_only_checked_flag_the_same_suspects_as_a_full_read(
    db: Session, lists: frozenset[str] | None, yearly: bool
) -> None:
    """Decision 0033: the set-based read skips the tables a rule set does not declare, but checks them in SQL —
    every enterprise with refused data in any table is still ``suspect``, exactly as when all are read."""
    import polars as pl

    from srdi.criteria import facts_frame

    odd = _odd_registry(db)
    ids = [i for (i,) in db.query(Enterprise.id).all()]

    def suspects(**kw: Any) -> set[int]:
        chunk = facts_frame.read_chunk(db, min(ids), max(ids), "4419", **kw)
        return set(chunk.enterprises.filter(pl.col("suspect"))["enterprise_id"].to_list())

    full = suspects()
    assert set(odd.values()) <= full, "each odd value is refused by a full read"
    assert suspects(lists=lists, yearly=yearly) == full


def test_refused_data_in_a_table_the_list_does_not_read_still_refuses_the_generation(db: Session) -> None:
    """The 产融合作 list reads recognitions, compliance records and yearly figures only; an award the facts format
    refuses still stops its generation with the field named, as the per-enterprise path does."""
    from sqlalchemy import text

    from srdi.enterprise.models import Award

    f.enterprise(db, "正常企业")
    e = f.enterprise(db, "奖项数据有误")
    db.add(
        Award(
            enterprise_id=e.id, kind="maker_china", level="national", name="奖项", award_date=date(2024, 5, 1)
        )
    )
    db.flush()
    db.execute(text("UPDATE award SET contest_group = 'bogus' WHERE enterprise_id = :e"), {"e": e.id})
    for key in LISTS:
        for set_based in (True, False):
            with pytest.raises(FactsError, match="contest_group"):
                service.generate_whitelist(db, key, "2026Q1", None, region_prefixes=None, set_based=set_based)
