"""Appeal routing (issue 13): accuracy on the labelled set and time per suggestion (target ≤ 5 ms per appeal).

    .venv/bin/python benchmarks/appeal_routing.py [--set labelled|tuning] [--repeat 20] [--misses]

Baselines measured in the same run, on the same appeals and jurisdiction rule:
- alias-only: the unit the text names, else the category's leading unit (牵头单位) of the region for the
  category that has most keyword hits — i.e. what a dispatcher's keyword list would do;
- keyword-only: no BM25, no alias matching: category by keyword hits, unit = the category's leading unit.
Also BM25 itself: the router's small index against bm25s (method "lucene", same k1 and b) over the same unit
profiles — the same top unit and the time per query.
Targets: top-1 ≥ 85 %, top-3 ≥ 97 %.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import yaml
from common import ROOT, machine

from srdi.appeal.routing import Router
from srdi.kit.text_search import BM25_B, BM25_K1

SETS = {
    "labelled": ROOT / "tests/appeal/data/appeals_labelled.yaml",
    "tuning": ROOT / "tests/appeal/data/appeals_tuning.yaml",
}

Ranker = Callable[[str, str], list[tuple[str, str]]]  # (text, region) → [(unit key, category key)] best first


def load(path: Path) -> list[dict[str, str]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["appeals"])


def keyword_category(router: Router, text: str) -> str | None:
    counts = Counter(
        {c: sum(1 for w in ws if w in text) for c, ws in router.vocabulary.category_words.items()}
    ).most_common(1)
    return counts[0][0] if counts and counts[0][1] else None


def lead_of(router: Router, category: str | None, region: str) -> list[str]:
    if category is None:
        return []
    allowed = router.jurisdiction(region)
    leads = [k for k in allowed if k in router.vocabulary.leads.get(category, ())]
    # the district's own lead first, as the router's district prior does
    leads.sort(key=lambda k: router.departments[k].level != "district")
    handling = [k for k in allowed if category in router.departments[k].categories and k not in leads]
    return leads + handling


def keyword_only(router: Router) -> Ranker:
    def rank(text: str, region: str) -> list[tuple[str, str]]:
        category = keyword_category(router, text)
        return [(k, category or "") for k in lead_of(router, category, region)]

    return rank


def alias_only(router: Router) -> Ranker:
    def rank(text: str, region: str) -> list[tuple[str, str]]:
        allowed = set(router.jurisdiction(region))
        named = [k for hit in router._alias_hits(text) for k in hit.department_keys if k in allowed]
        category = keyword_category(router, text)
        units = list(dict.fromkeys([*named, *lead_of(router, category, region)]))
        return [(k, category or router.departments[k].categories[0]) for k in units]

    return rank


def full(router: Router) -> Ranker:
    def rank(text: str, region: str) -> list[tuple[str, str]]:
        return [(s.department_key, s.category_key) for s in router.suggest(text, region, top_k=3)]

    return rank


def accuracy(rank: Ranker, appeals: list[dict[str, str]]) -> tuple[dict[str, float], list[dict[str, str]]]:
    hits: Counter[str] = Counter()
    misses = []
    for a in appeals:
        ranked = rank(a["text"], a["region_code"])[:3]
        units = [u for u, _ in ranked]
        cats = [c for _, c in ranked]
        hits["unit@1"] += units[:1] == [a["department"]]
        hits["unit@3"] += a["department"] in units
        hits["cat@1"] += cats[:1] == [a["category"]]
        hits["cat@3"] += a["category"] in cats
        if units[:1] != [a["department"]]:
            misses.append({**a, "got": ", ".join(f"{u}/{c}" for u, c in ranked)})
    n = len(appeals)
    return {k: hits[k] / n for k in ("unit@1", "unit@3", "cat@1", "cat@3")}, misses


def per_call_ms(fn: Callable[[], object], calls: int) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000 / calls


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", choices=sorted(SETS), default="labelled")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--misses", action="store_true", help="list the appeals whose first unit is wrong")
    args = ap.parse_args()
    appeals = load(SETS[args.set])
    print(f"Appeal routing — {machine()}; {args.set} set, {len(appeals)} appeals")

    t0 = time.perf_counter()
    router = Router.bundled()
    build_ms = (time.perf_counter() - t0) * 1000
    print(
        f"router built in {build_ms:.0f} ms ({len(router.departments)} units, {len(router.categories)} categories)"
    )

    results = {}
    for name, ranker in (
        ("router", full(router)),
        ("alias-only", alias_only(router)),
        ("keyword-only", keyword_only(router)),
    ):
        figures, misses = accuracy(ranker, appeals)
        results[name] = figures
        print(
            f"  {name:<13} unit top-1 {figures['unit@1']:6.1%}  top-3 {figures['unit@3']:6.1%}   "
            f"category top-1 {figures['cat@1']:6.1%}  top-3 {figures['cat@3']:6.1%}"
        )
        if args.misses and name == "router":
            for m in misses:
                print(
                    f"      ✗ [{m['region_code']}] {m['text'][:50]} → want {m['department']}/{m['category']}, got {m['got']}"
                )
    for base in ("alias-only", "keyword-only"):
        gain = results["router"]["unit@1"] - results[base]["unit@1"]
        print(f"  router vs {base}: unit top-1 {gain:+.1%} points")

    # time per suggestion: every appeal, --repeat rounds; median and p95 of the per-appeal means
    samples = []
    for a in appeals:
        t = time.perf_counter_ns()
        for _ in range(args.repeat):
            router.suggest(a["text"], a["region_code"])
        samples.append((time.perf_counter_ns() - t) / args.repeat / 1e6)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    long_text = "".join(a["text"] for a in appeals)[:5000]
    long_ms = per_call_ms(lambda: [router.suggest(long_text, "440300") for _ in range(20)], 20)
    kw = keyword_only(router)
    kw_ms = per_call_ms(lambda: [kw(a["text"], a["region_code"]) for a in appeals], len(appeals))
    print(
        f"time per suggestion: median {statistics.median(samples):.3f} ms, p95 {p95:.3f} ms, "
        f"5,000-character text {long_ms:.2f} ms (target ≤ 5 ms); keyword-only {kw_ms:.3f} ms "
        f"→ router/keyword-only {statistics.median(samples) / kw_ms:.1f}×"
    )
    words_ms = per_call_ms(lambda: [router.tokenizer.words(a["text"]) for a in appeals], len(appeals))
    print(f"  of which rjieba cut: {words_ms:.3f} ms per appeal")

    compare_bm25s(router, appeals)


def compare_bm25s(router: Router, appeals: list[dict[str, str]]) -> None:
    try:
        import bm25s
    except ImportError:
        print("bm25s not installed (.venv/bin/uv pip install -e '.[bench]'): comparison skipped")
        return
    index = router._department_index
    keys = index.documents
    corpus = [list(index.term_frequencies(k).elements()) for k in keys]
    retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B, method="lucene")
    retriever.index(corpus, show_progress=False)
    queries = [router.tokenizer.terms(a["text"]) for a in appeals]
    vocabulary = {t for q in queries for t in q if index.knows(t)}
    same = 0
    for q in queries:
        ours = index.scores(q, keys)
        ours_best = max(keys, key=lambda k: (sum(ours.get(k, {}).values()), k))
        known = [t for t in dict.fromkeys(q) if t in vocabulary]  # bm25s: each distinct query term once
        theirs = retriever.get_scores(known) if known else [0.0] * len(keys)
        theirs_best = max(range(len(keys)), key=lambda i: (float(theirs[i]), keys[i]))
        same += ours_best == keys[theirs_best]
    ours_ms = per_call_ms(lambda: [index.scores(q, keys) for q in queries], len(queries))
    theirs_ms = per_call_ms(
        lambda: [retriever.get_scores([t for t in dict.fromkeys(q) if t in vocabulary]) for q in queries],
        len(queries),
    )
    print(
        f"BM25 over {len(keys)} unit profiles: same top unit as bm25s for {same}/{len(queries)} queries; "
        f"ours {ours_ms:.3f} ms, bm25s {theirs_ms:.3f} ms per query (ours/bm25s {ours_ms / theirs_ms:.2f}×)"
    )


if __name__ == "__main__":
    main()
