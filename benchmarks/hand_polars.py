"""创新型中小企业评价 (63号 附件1) written by hand in Polars — the P2 baseline.

Written the way a careful engineer would: integer fen, ratios compared by cross-multiplication in Int64,
Kleene logic, a null band stops the band search. Thresholds are repeated here on purpose: this file is
the hand-written comparison, not part of the platform (the platform reads them from rules/).
"""

from __future__ import annotations

import polars as pl

c = pl.col
WAN = 1_000_000  # fen


def _bands(conds: list[tuple[pl.Expr, int]], otherwise: int) -> pl.Expr:
    chain = pl.when(conds[0][0].is_null()).then(None).when(conds[0][0]).then(conds[0][1])
    for cond, pts in conds[1:]:
        chain = chain.when(cond.is_null()).then(None).when(cond).then(pts)
    return chain.otherwise(otherwise).cast(pl.Int64)


def _ratio_ge(num: str, den: str, p: int, q: int) -> pl.Expr:
    # num/den >= p/q with den > 0; den <= 0 is unknown.
    return pl.when(c(den) > 0).then(c(num) * q >= c(den) * p)


def _ratio_le(num: str, den: str, p: int, q: int) -> pl.Expr:
    return pl.when(c(den) > 0).then(c(num) * q <= c(den) * p)


def innovative_by_hand(lf: pl.LazyFrame) -> pl.LazyFrame:
    growth = c("main_business_revenue_y1") - c("main_business_revenue_y2")
    g_ok = lambda p, q: pl.when(c("main_business_revenue_y2") > 0).then(  # noqa: E731
        growth * q >= c("main_business_revenue_y2") * p
    )
    ip2 = c("ip2_software") + c("ip2_patents_mature")
    out = (
        lf.with_columns(
            pts_ip_main_product=_bands(
                [
                    (c("ip1_high_value") >= 1, 20),
                    (c("ip1_self_developed") >= 1, 15),
                    (c("ip1_count") >= 1, 10),
                    (ip2 >= 1, 5),
                ],
                0,
            ),
            pts_rd_intensity=_bands(
                [
                    (_ratio_ge("rd_expense_y1", "operating_revenue_y1", p, 100), pts)
                    for p, pts in ((5, 20), (3, 15), (2, 10), (1, 5))
                ],
                0,
            ),
            pts_revenue_growth=_bands(
                [(g_ok(p, 100), pts) for p, pts in ((15, 20), (10, 15), (5, 10), (0, 5))], 0
            ),
            pts_debt_level=_bands(
                [
                    (_ratio_le("total_liabilities_y1", "total_assets_y1", 55, 100), 10),
                    (_ratio_le("total_liabilities_y1", "total_assets_y1", 75, 100), 5),
                ],
                0,
            ),
            pts_main_product_field=_bands([(c("strategic_emerging"), 10)], 5),
            pts_main_business_focus=_bands(
                [
                    (_ratio_ge("main_business_revenue_y1", "operating_revenue_y1", p, 100), pts)
                    for p, pts in ((70, 20), (60, 15), (55, 10), (50, 5))
                ],
                0,
            ),
            cond_E1=c("independent_legal_person"),
            cond_E2=c("size_class").is_in(["medium", "small", "micro"]),
            cond_E3=~c("on_credit_blacklist"),
            cond_E4=~c("restricted_product"),
            cond_E5=~c("major_incident_3y") & ~c("tax_violation_3y"),
            route_D1=c("st_award_3y"),
            route_D2=c("innovation_honour_valid") | c("national_innovation_demo_valid"),
            route_D3=c("provincial_rd_institution"),
            route_D4=c("equity_raised_3y") >= 500 * WAN,
        )
        .with_columns(
            score_innovation=c("pts_ip_main_product") + c("pts_rd_intensity"),
            score_growth=c("pts_revenue_growth") + c("pts_debt_level"),
            score_specialization=c("pts_main_product_field") + c("pts_main_business_focus"),
            direct=c("route_D1") | c("route_D2") | c("route_D3") | c("route_D4"),
        )
        .with_columns(
            score_total=c("score_innovation") + c("score_growth") + c("score_specialization"),
        )
        .with_columns(
            cond_scored_pass=(c("score_total") >= 60)
            & (c("score_innovation") >= 20)
            & (c("score_growth") >= 15)
            & (c("score_specialization") >= 15),
        )
        .with_columns(
            **{
                "pass": c("cond_E1")
                & c("cond_E2")
                & c("cond_E3")
                & c("cond_E4")
                & c("cond_E5")
                & (c("cond_scored_pass") | c("direct"))
            }
        )
    )
    return out.select(
        "uscc",
        "pts_ip_main_product",
        "pts_rd_intensity",
        "pts_revenue_growth",
        "pts_debt_level",
        "pts_main_product_field",
        "pts_main_business_focus",
        "score_innovation",
        "score_growth",
        "score_specialization",
        "score_total",
        "cond_E1",
        "cond_E2",
        "cond_E3",
        "cond_E4",
        "cond_E5",
        "cond_scored_pass",
        "route_D1",
        "route_D2",
        "route_D3",
        "route_D4",
        "direct",
        "pass",
    )
