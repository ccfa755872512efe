"""Ranking quality on a labelled set (need → graded relevant enterprises): nDCG@k and recall@k — pure.

The set format is that of tests/matchmaking/data/eval_set.yaml; benchmarks/matchmaking_ranking.py and
tests/matchmaking/test_ranking_quality.py run the full matcher and the text-only BM25 baseline on it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from srdi.matchmaking.matching import IpTitle, Matcher, NeedQuery, Profile, Weights, load_vocabulary


def dcg(gains: Sequence[float]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([relevant.get(r, 0) for r in ranked[:k]]) / ideal


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    wanted = {e for e, g in relevant.items() if g > 0}
    if not wanted:
        return 0.0
    return len(wanted & set(ranked[:k])) / len(wanted)


@dataclass(frozen=True)
class EvalSet:
    profiles: list[Profile]
    keys: dict[int, str]  # enterprise id → key
    needs: list[tuple[NeedQuery, dict[str, int]]]


def load_eval_set(path: Path) -> EvalSet:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    profiles = []
    keys = {}
    for i, e in enumerate(data["enterprises"], start=1):
        keys[i] = str(e["key"])
        profiles.append(
            Profile(
                enterprise_id=i,
                name=str(e["key"]),
                region_code=str(e["region"]),
                industry_code=str(e["industry"]),
                tier=e.get("tier"),
                texts=tuple(str(t) for t in e.get("texts") or ()),
                ip_items=tuple(IpTitle(str(t)) for t in e.get("ip") or ()),
            )
        )
    needs = [
        (
            NeedQuery(
                need_id=i,
                text=str(n["text"]),
                industry_codes=tuple(str(c) for c in n.get("industries") or ()),
                region_code=str(n["region"]) if n.get("region") else None,
            ),
            {str(k): int(v) for k, v in n["relevant"].items()},
        )
        for i, n in enumerate(data["needs"], start=1)
    ]
    return EvalSet(profiles, keys, needs)


@dataclass(frozen=True)
class Figures:
    ndcg: float
    recall: float
    needs: int


def evaluate(s: EvalSet, weights: Weights, k: int = 10) -> Figures:
    matcher = Matcher(s.profiles, weights, load_vocabulary())
    nd = rc = 0.0
    for need, relevant in s.needs:
        ranked = [s.keys[m.enterprise_id] for m in matcher.rank(need, top_k=k)]
        nd += ndcg_at(ranked, relevant, k)
        rc += recall_at(ranked, relevant, k)
    n = len(s.needs)
    return Figures(round(nd / n, 4), round(rc / n, 4), n)
