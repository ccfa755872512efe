"""创新型中小企业评价 in OpenFisca-core (the reference rules-as-code engine) — the P2 comparison.

Written the way OpenFisca models are usually written: float variables, vectorised numpy formulas,
``select`` for bands. OpenFisca has no unknown values, so only rows without nulls are compared.
"""

from __future__ import annotations

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

Enterprise = build_entity(key="enterprise", plural="enterprises", label="企业", is_person=True)

FLOAT_INPUTS = [
    "rd_expense_y1",
    "operating_revenue_y1",
    "main_business_revenue_y1",
    "main_business_revenue_y2",
    "total_assets_y1",
    "total_liabilities_y1",
    "equity_raised_3y",
]
INT_INPUTS = ["ip1_high_value", "ip1_self_developed", "ip1_count", "ip2_software", "ip2_patents_mature"]
BOOL_INPUTS = [
    "independent_legal_person",
    "size_is_sme",
    "on_credit_blacklist",
    "restricted_product",
    "major_incident_3y",
    "tax_violation_3y",
    "strategic_emerging",
    "st_award_3y",
    "innovation_honour_valid",
    "national_innovation_demo_valid",
    "provincial_rd_institution",
]


def _input(name: str, value_type: type) -> type[Variable]:
    return type(
        name,
        (Variable,),
        {
            "value_type": value_type,
            "entity": Enterprise,
            "definition_period": DateUnit.YEAR,
            "label": name,
        },
    )


def _formula(name: str, value_type: type, fn) -> type[Variable]:  # type: ignore[no-untyped-def]
    return type(
        name,
        (Variable,),
        {
            "value_type": value_type,
            "entity": Enterprise,
            "definition_period": DateUnit.YEAR,
            "label": name,
            "formula": fn,
        },
    )


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros_like(a), where=b != 0)


def build_system() -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Enterprise])
    for n in FLOAT_INPUTS:
        tbs.add_variable(_input(n, float))
    for n in INT_INPUTS:
        tbs.add_variable(_input(n, int))
    for n in BOOL_INPUTS:
        tbs.add_variable(_input(n, bool))

    def ip_points(e, period):  # type: ignore[no-untyped-def]
        return np.select(
            [
                e("ip1_high_value", period) >= 1,
                e("ip1_self_developed", period) >= 1,
                e("ip1_count", period) >= 1,
                e("ip2_software", period) + e("ip2_patents_mature", period) >= 1,
            ],
            [20, 15, 10, 5],
            0,
        )

    def rd_points(e, period):  # type: ignore[no-untyped-def]
        r = _div(e("rd_expense_y1", period), e("operating_revenue_y1", period))
        return np.select([r >= 0.05, r >= 0.03, r >= 0.02, r >= 0.01], [20, 15, 10, 5], 0)

    def growth_points(e, period):  # type: ignore[no-untyped-def]
        y1, y2 = e("main_business_revenue_y1", period), e("main_business_revenue_y2", period)
        g = _div(y1 - y2, y2)
        return np.select([g >= 0.15, g >= 0.10, g >= 0.05, g >= 0], [20, 15, 10, 5], 0)

    def debt_points(e, period):  # type: ignore[no-untyped-def]
        d = _div(e("total_liabilities_y1", period), e("total_assets_y1", period))
        return np.select([d <= 0.55, d <= 0.75], [10, 5], 0)

    def field_points(e, period):  # type: ignore[no-untyped-def]
        return np.where(e("strategic_emerging", period), 10, 5)

    def focus_points(e, period):  # type: ignore[no-untyped-def]
        s = _div(e("main_business_revenue_y1", period), e("operating_revenue_y1", period))
        return np.select([s >= 0.70, s >= 0.60, s >= 0.55, s >= 0.50], [20, 15, 10, 5], 0)

    def eligible(e, period):  # type: ignore[no-untyped-def]
        return (
            e("independent_legal_person", period)
            * e("size_is_sme", period)
            * ~e("on_credit_blacklist", period)
            * ~e("restricted_product", period)
            * ~e("major_incident_3y", period)
            * ~e("tax_violation_3y", period)
        )

    def direct(e, period):  # type: ignore[no-untyped-def]
        return (
            e("st_award_3y", period)
            + e("innovation_honour_valid", period)
            + e("national_innovation_demo_valid", period)
            + e("provincial_rd_institution", period)
            + (e("equity_raised_3y", period) >= 5_000_000)
        )

    def innovation(e, period):  # type: ignore[no-untyped-def]
        return e("pts_ip", period) + e("pts_rd", period)

    def growth(e, period):  # type: ignore[no-untyped-def]
        return e("pts_growth", period) + e("pts_debt", period)

    def specialization(e, period):  # type: ignore[no-untyped-def]
        return e("pts_field", period) + e("pts_focus", period)

    def total(e, period):  # type: ignore[no-untyped-def]
        return e("score_innovation", period) + e("score_growth", period) + e("score_specialization", period)

    def passed(e, period):  # type: ignore[no-untyped-def]
        scored = (
            (e("score_total", period) >= 60)
            * (e("score_innovation", period) >= 20)
            * (e("score_growth", period) >= 15)
            * (e("score_specialization", period) >= 15)
        )
        return e("eligible", period) * (scored + e("direct", period))

    for name, vt, fn in [
        ("pts_ip", int, ip_points),
        ("pts_rd", int, rd_points),
        ("pts_growth", int, growth_points),
        ("pts_debt", int, debt_points),
        ("pts_field", int, field_points),
        ("pts_focus", int, focus_points),
        ("eligible", bool, eligible),
        ("direct", bool, direct),
        ("score_innovation", int, innovation),
        ("score_growth", int, growth),
        ("score_specialization", int, specialization),
        ("score_total", int, total),
        ("innovative_pass", bool, passed),
    ]:
        tbs.add_variable(_formula(name, vt, fn))
    return tbs


def run(tbs: TaxBenefitSystem, columns: dict[str, np.ndarray], period: str = "2024") -> dict[str, np.ndarray]:
    n = len(next(iter(columns.values())))
    sim = SimulationBuilder().build_default_simulation(tbs, count=n)
    for name, values in columns.items():
        sim.set_input(name, period, values)
    out = {}
    for name in (
        "pts_ip",
        "pts_rd",
        "pts_growth",
        "pts_debt",
        "pts_field",
        "pts_focus",
        "score_total",
        "innovative_pass",
    ):
        out[name] = sim.calculate(name, period)
    return out
