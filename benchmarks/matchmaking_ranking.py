"""Matchmaking ranking quality (issue 17): nDCG@10 and recall@10 on the labelled set, against baselines, and the
time of one need's top 20 over a synthetic index.

    .venv/bin/python benchmarks/matchmaking_ranking.py [--profiles 20000]

Measured in the same run on tests/matchmaking/data/eval_set.yaml (42 needs, 64 suppliers):
- full: the matcher with rules/matchmaking.yaml (text + industry + IP + tier + region + outcomes);
- text-only BM25: all the weight on the text dimension (same tokeniser: rjieba + domain dictionary + bigrams);
- plain BM25: text only, rjieba without the domain dictionary, stopwords or weak words;
- ablations: the full matcher without one dimension at a time.
The weights were chosen on this same set (there is no second labelled set yet): read the gain as an upper bound.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import replace

from common import ROOT, machine

from srdi.matchmaking import evaluation
from srdi.matchmaking.evaluation import Figures, evaluate, load_eval_set
from srdi.matchmaking.matching import (
    DIMENSIONS,
    Matcher,
    NeedQuery,
    Vocabulary,
    Weights,
    load_vocabulary,
    load_weights,
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


def timing(n: int) -> None:
    s = load_eval_set(ROOT / "tests/matchmaking/data/eval_set.yaml")
    rng = random.Random(17)
    base = s.profiles
    profiles = [
        replace(base[i % len(base)], enterprise_id=i + 1, texts=tuple(rng.sample(base[rng.randrange(len(base))].texts, 1)) + base[i % len(base)].texts)
        for i in range(n)
    ]  # fmt: skip
    t0 = time.perf_counter()
    matcher = Matcher(profiles, load_weights(ROOT / "rules"), load_vocabulary())
    build = time.perf_counter() - t0
    times = []
    for need, _ in s.needs:
        t = time.perf_counter()
        matcher.rank(NeedQuery(need.need_id, need.text, need.industry_codes, need.region_code), top_k=20)
        times.append(time.perf_counter() - t)
    print(
        f"index of {n} profiles built in {build:.2f} s; top 20 for one need: median "
        f"{statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profiles", type=int, default=20000)
    args = ap.parse_args()
    print(f"matchmaking ranking — {machine()}")
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
        timing(args.profiles)


if __name__ == "__main__":
    main()
