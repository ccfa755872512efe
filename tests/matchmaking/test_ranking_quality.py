"""Ranking quality on the labelled set (tests/matchmaking/data/eval_set.yaml): the full matcher beats the
text-only BM25 baseline on nDCG@10 and does not lose recall@10 (figures: benchmarks/matchmaking_ranking.py)."""

from __future__ import annotations

from pathlib import Path

from srdi.matchmaking.evaluation import evaluate, load_eval_set, ndcg_at, recall_at
from srdi.matchmaking.matching import load_weights

ROOT = Path(__file__).resolve().parents[2]


def test_metrics_on_a_hand_computed_ranking() -> None:
    relevant = {"a": 2, "b": 1}
    assert ndcg_at(["a", "b", "c"], relevant, 10) == 1.0
    # ideal 3 + 1/log2(3) = 3.6309; got (2²−1)/log2(3) = 1.8928 → 0.5213
    assert round(ndcg_at(["c", "a"], relevant, 10), 4) == 0.5213
    assert recall_at(["c", "a"], relevant, 10) == 0.5
    assert recall_at(["c", "a"], relevant, 1) == 0.0


def test_full_matcher_beats_text_only_bm25_on_the_labelled_set() -> None:
    s = load_eval_set(ROOT / "tests/matchmaking/data/eval_set.yaml")
    assert (len(s.needs), len(s.profiles)) == (42, 64)
    weights = load_weights(ROOT / "rules")
    full = evaluate(s, weights)
    text_only = evaluate(s, weights.only("text"))
    assert (full.ndcg, full.recall) == (0.9224, 0.9425)
    assert (text_only.ndcg, text_only.recall) == (0.8786, 0.9246)
    assert full.ndcg > text_only.ndcg and full.recall >= text_only.recall
