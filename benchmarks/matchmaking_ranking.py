"""Matchmaking ranking quality (issue 17): nDCG@10 and recall@10 on the labelled set, against baselines, and the
time of one need's top 20 over a synthetic index.

    .venv/bin/python benchmarks/matchmaking_ranking.py [--profiles 200000] [--baseline 20000] [--timing-only]

Measured in the same run on tests/matchmaking/data/eval_set.yaml (42 needs, 64 suppliers):
- full: the matcher with rules/matchmaking.yaml (text + industry + IP + tier + region + outcomes);
- text-only BM25: all the weight on the text dimension (same tokeniser: rjieba + domain dictionary + bigrams);
- plain BM25: text only, rjieba without the domain dictionary, stopwords or weak words;
- ablations: the full matcher without one dimension at a time.
The weights were chosen on this same set (there is no second labelled set yet): read the gain as an upper bound.

Timing (issue 17 bars: top 20 over 200,000 capabilities ≤ 50 ms, re-index ≤ 30 s): synthetic profiles (the
labelled suppliers, each with one more text of another), 50 needs (the labelled ones and 8 variants). The
re-index is the whole Matcher build (tokenising, BM25 postings) plus its Polars columns; ``rank`` against
``rank_exhaustive`` (every candidate scored, the definition it must equal) at ``--baseline`` profiles in the
same run, with a check that both return the same top 20.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

from common import ROOT, machine

from srdi.matchmaking import evaluation
from srdi.matchmaking.evaluation import Figures, evaluate, load_eval_set
from srdi.matchmaking.matching import (
    DIMENSIONS,
    Matcher,
    NeedQuery,
    Profile,
    Vocabulary,
    Weights,
    load_vocabulary,
    load_weights,
    tokenizer_for,
)


def _row(name: str, f: Figures) -> str:
    return f"{name:<28} nDCG@10 {f.ndcg:.4f}   recall@10 {f.recall:.4f}"


def _without(w: Weights, dim: str) -> Weights:
    ws = dict(w.weights)
    ws[dim] = 0.0
    return replace(w, weights=ws)


def _plain(s: evaluation.EvalSet, w: Weights) -> Figures:
    original = evaluation.load_vocabulary
    evaluation.load_vocabulary = lambda: Vocabulary()  # type: ignore[assignment]
    try:
        return evaluate(s, w.only("text"))
    finally:
        evaluation.load_vocabulary = original  # type: ignore[assignment]


def _synthetic(s: evaluation.EvalSet, n: int) -> list[Profile]:
    rng = random.Random(17)
    base = s.profiles
    return [
        replace(base[i % len(base)], enterprise_id=i + 1, texts=tuple(rng.sample(base[rng.randrange(len(base))].texts, 1)) + base[i % len(base)].texts)
        for i in range(n)
    ]  # fmt: skip


def _varied(s: evaluation.EvalSet, n: int) -> list[Profile]:
    """Fewer identical profiles: two suppliers' texts mixed, IP items, industry, region, tier and outcomes
    reshuffled (as tests/matchmaking/test_fast_ranking.py does)."""
    rng = random.Random(29)
    base = s.profiles
    industries = sorted({p.industry_code for p in base})
    regions = sorted({p.region_code for p in base})
    tiers = (None, "little_giant", "srdi_sme", "innovative_sme", "tech_sme")
    out = []
    for i in range(n):
        p, extra = base[rng.randrange(len(base))], base[rng.randrange(len(base))]
        pool = p.ip_items + extra.ip_items
        out.append(
            replace(
                p,
                enterprise_id=i + 1,
                texts=(*p.texts, *rng.sample(extra.texts, min(2, len(extra.texts)))),
                ip_items=tuple(rng.sample(pool, min(len(pool), rng.randrange(0, 4)))),
                industry_code=p.industry_code if rng.random() < 0.6 else rng.choice(industries),
                region_code=p.region_code if rng.random() < 0.5 else rng.choice(regions),
                tier=rng.choice(tiers),
                delivered=rng.choice((0, 0, 0, 1, 2)),
                failed=rng.choice((0, 0, 0, 1)),
            )
        )
    return out


def _queries(s: evaluation.EvalSet) -> list[NeedQuery]:
    """The 42 labelled needs and 8 variants (other regions, a section letter, no industry): 50 needs."""
    needs = [n for n, _ in s.needs]
    variants = [
        replace(needs[i], need_id=1000 + i, industry_codes=codes, region_code=reg)
        for i, (codes, reg) in enumerate(
            [(("C",), None), ((), "500112"), (("39",), "441900"), (("3976", "3972"), "440300")] * 2
        )
    ]
    return needs + variants


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _times(fn: Callable[[NeedQuery], object], queries: list[NeedQuery]) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append(time.perf_counter() - t)
    return out


def _p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


def _fmt(name: str, xs: list[float]) -> str:
    return (
        f"{name}: median {statistics.median(xs) * 1000:.1f} ms, p95 {_p95(xs) * 1000:.1f} ms, "
        f"max {max(xs) * 1000:.1f} ms ({len(xs)} needs)"
    )


def timing(n: int, baseline_n: int) -> None:
    """Re-index and top-20 time at ``n`` profiles; the exhaustive path at ``baseline_n`` in the same run."""
    s = load_eval_set(ROOT / "tests/matchmaking/data/eval_set.yaml")
    weights = load_weights(ROOT / "rules")
    vocabulary = load_vocabulary()
    queries = _queries(s)
    tokenizer_for(vocabulary)  # jieba's dictionary, loaded once per process
    if baseline_n:
        small = Matcher(_synthetic(s, baseline_n), weights, vocabulary)
        small.rank(queries[0])
        print(f"[{_load()}]")
        exhaustive = _times(lambda q: small.rank_exhaustive(q, top_k=20), queries)
        fast = _times(lambda q: small.rank(q, top_k=20), queries)
        same = sum(
            [(m.enterprise_id, m.score, m.explanation) for m in small.rank(q, top_k=20)]
            == [(m.enterprise_id, m.score, m.explanation) for m in small.rank_exhaustive(q, top_k=20)]
            for q in queries
        )
        print(f"{baseline_n} profiles, top 20 — {_fmt('exhaustive (every candidate scored)', exhaustive)}")
        print(f"{baseline_n} profiles, top 20 — {_fmt('columns + bound (rank)', fast)}")
        print(
            f"  same top 20 (ids, scores, explanations) for {same}/{len(queries)} needs; exhaustive/fast "
            f"median {statistics.median(exhaustive) / statistics.median(fast):.1f}×"
        )
        del small
    for name, make in (("copies", _synthetic), ("varied", _varied)):
        profiles = make(s, n)
        print(f"[{_load()}]")
        t0 = time.perf_counter()
        matcher = Matcher(profiles, weights, vocabulary)
        tokens = time.perf_counter() - t0
        t1 = time.perf_counter()
        matcher.rank(queries[0])  # builds the columns
        columns = time.perf_counter() - t1
        twins = matcher._columns().frame["twin"].n_unique()
        print(
            f"{name}: re-index of {n} profiles ({twins} distinct): {tokens + columns:.2f} s (tokenising + "
            f"BM25 postings {tokens:.2f} s, columns {columns:.2f} s, with the first query) [{_load()}]"
        )
        fast = _times(lambda q, m=matcher: m.rank(q, top_k=20), queries)
        print(f"{name}: {n} profiles, top 20 — {_fmt('columns + bound (rank)', fast)} [{_load()}]")
        del matcher, profiles


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profiles", type=int, default=200000)
    ap.add_argument("--baseline", type=int, default=20000, help="profiles for the exhaustive path (0: skip)")
    ap.add_argument("--timing-only", action="store_true")
    args = ap.parse_args()
    print(f"matchmaking ranking — {machine()}, {_load()}")
    if args.timing_only:
        timing(args.profiles, args.baseline)
        return
    s = load_eval_set(ROOT / "tests/matchmaking/data/eval_set.yaml")
    w = load_weights(ROOT / "rules")
    full = evaluate(s, w)
    text = evaluate(s, w.only("text"))
    plain = _plain(s, w)
    print(f"{len(s.needs)} needs, {len(s.profiles)} suppliers")
    print(_row("full matcher", full))
    print(_row("text-only BM25 (same tokens)", text))
    print(_row("plain BM25 (no dictionary)", plain))
    for dim in DIMENSIONS:
        if dim != "text":
            print(_row(f"full without {dim}", evaluate(s, _without(w, dim))))
    print(f"gain over text-only: nDCG {full.ndcg - text.ndcg:+.4f}, recall {full.recall - text.recall:+.4f}")
    if args.profiles:
        timing(args.profiles, args.baseline)


if __name__ == "__main__":
    main()
