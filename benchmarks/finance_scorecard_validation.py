"""Honest validation of the credit scorecard (rules/finance/scorecard/credit_score_2026.yaml) on a registry —
by default the demo data, which is synthetic: this shows the score behaves as designed, NOT that it predicts
default. Calibration needs real loan outcomes (see the rule file's scorecard.calibration_needs).

    SRDI_DATABASE_URL=sqlite:///demo.db .venv/bin/python benchmarks/finance_scorecard_validation.py [--limit N]

Reports:
- distribution: grade shares, score deciles, share undecided (data missing) and which inputs are missing most;
- monotonicity (empirical): the rank correlation between each raw metric and its factor's points, and between the
  factor's points and the total (each must be ≥ 0; a negative sign would mean a band table points the wrong way);
- stability across years: the same enterprises scored as of 1 October of two consecutive years (上年度 differs):
  rank correlation of totals and the share whose grade moves by more than one level.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from datetime import date
from fractions import Fraction

from srdi.db.session import session_scope
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import Enterprise
from srdi.finance import service
from srdi.rules_engine import evaluate


def spearman(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 3:
        return None

    def ranks(v: list[float]) -> list[float]:
        order = sorted(range(len(v)), key=lambda i: v[i])
        out = [0.0] * len(v)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2
            i = j + 1
        return out

    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    num = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    den = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return num / den if den else None


METRICS = {
    "rd_intensity": "rd_ratio_y1",
    "debt_level": "debt_ratio_y1",
    "revenue_growth": "revenue_growth_y1",
    "net_margin": "net_margin_y1",
}
SIGN = {"debt_level": -1}  # a lower debt ratio must score higher


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=5000)
    ap.add_argument("--year", type=int, default=2026)
    args = ap.parse_args()
    card = service.rules().scorecard
    rs = card.rule_set
    grades = [g["id"] for g in card.grades]
    with session_scope() as db:
        ids = [i for (i,) in db.query(Enterprise.id).order_by(Enterprise.id).limit(args.limit).all()]
        results: dict[int, list] = {args.year - 1: [], args.year: []}
        for i in range(0, len(ids), 500):
            for ent in enterprise_service.with_facts(db, ids[i : i + 500]):
                doc = service.facts_of(ent)
                for y in results:
                    results[y].append(evaluate(doc, rs, date(y, 10, 1)))
    now = results[args.year]
    totals = [r.total for r in now if r.total is not None]
    print(
        f"enterprises {len(now)}; scored {len(totals)}; undecided {len(now) - len(totals)}"
        f" ({(len(now) - len(totals)) / max(len(now), 1):.1%})"
    )
    missing = Counter(n for r in now if r.total is None for n in r.deciding_inputs)
    print("most missing inputs:", ", ".join(f"{rs.labels.get(k, k)} {v}" for k, v in missing.most_common(5)))
    g = Counter(service.grade_of(card, t)["id"] for t in totals)  # type: ignore[index]
    print("grades:", "  ".join(f"{k} {g[k] / len(totals):.1%}" for k in grades) if totals else "—")
    if totals:
        q = statistics.quantiles(totals, n=10)
        print("deciles:", " ".join(f"{x:.0f}" for x in q), f"mean {statistics.fmean(totals):.1f}")
    print("monotonicity (Spearman, must be ≥ 0):")
    for ind, metric in METRICS.items():
        pairs = [(r.values.get(metric), r.points.get(ind)) for r in now]
        pairs = [
            (float(Fraction(m)) * SIGN.get(ind, 1), float(p))
            for m, p in pairs
            if m is not None and p is not None
        ]
        rho = spearman([a for a, _ in pairs], [b for _, b in pairs])
        print(f"  {ind:<15} metric→points {rho if rho is None else round(rho, 3)}  (n={len(pairs)})")
    for ind in [i.id for i in rs.indicators]:
        pairs = [
            (float(r.points[ind]), float(r.total))
            for r in now
            if r.points.get(ind) is not None and r.total is not None
        ]
        rho = spearman([a for a, _ in pairs], [b for _, b in pairs])
        print(f"  {ind:<15} points→total {rho if rho is None else round(rho, 3)}")
    before = results[args.year - 1]
    both = [
        (a.total, b.total)
        for a, b in zip(before, now, strict=True)
        if a.total is not None and b.total is not None
    ]
    rho = spearman([float(a) for a, _ in both], [float(b) for _, b in both])
    idx = {k: n for n, k in enumerate(grades)}
    moved = sum(
        1
        for a, b in both
        if abs(idx[service.grade_of(card, a)["id"]] - idx[service.grade_of(card, b)["id"]]) > 1  # type: ignore[index]
    )
    print(
        f"stability {args.year - 1}→{args.year}: n={len(both)}, Spearman {rho if rho is None else round(rho, 3)},"
        f" grade moved >1 level {moved / max(len(both), 1):.1%}"
    )


if __name__ == "__main__":
    main()
