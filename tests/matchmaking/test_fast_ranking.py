"""The column-and-bound ranking (``Matcher.rank``) equals the exhaustive one (``Matcher.rank_exhaustive``).

A seeded synthetic index of a few thousand profiles (the labelled suppliers with their texts mixed, their
industry, region, tier, IP and outcomes reshuffled so that every dimension varies) and needs written as the
labelled ones, plus needs with section letters, no industry, no region, Chongqing and Dongguan regions, an
excluded leader and an ``only`` list: same ids, same scores (1e-9), same dimension sentences, same order.
No timing here (benchmarks/matchmaking_ranking.py measures).
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from srdi.matchmaking.evaluation import load_eval_set
from srdi.matchmaking.matching import (
    Match,
    Matcher,
    NeedQuery,
    Profile,
    load_vocabulary,
    load_weights,
)

ROOT = Path(__file__).resolve().parents[2]
EVAL = load_eval_set(ROOT / "tests/matchmaking/data/eval_set.yaml")
WEIGHTS = load_weights(ROOT / "rules")
TIERS = (None, "little_giant", "single_champion", "srdi_sme", "innovative_sme", "tech_sme", "unknown_tier")


def _synthetic(n: int, seed: int) -> list[Profile]:
    rng = random.Random(seed)
    base = EVAL.profiles
    industries = [*sorted({p.industry_code for p in base}), "9999", "C", "39"]
    regions = [*sorted({p.region_code for p in base}), "110101", "440300", "500000"]
    out = []
    for i in range(n):
        p = base[rng.randrange(len(base))]
        extra = base[rng.randrange(len(base))]
        texts = (*p.texts, rng.choice(extra.texts)) if extra.texts and rng.random() < 0.7 else p.texts
        pool = p.ip_items + extra.ip_items
        ip = tuple(rng.sample(pool, min(len(pool), rng.randrange(0, 4))))
        out.append(
            replace(
                p,
                enterprise_id=i + 1,
                texts=texts,
                ip_items=ip,
                industry_code=p.industry_code if rng.random() < 0.6 else rng.choice(industries),
                region_code=p.region_code if rng.random() < 0.5 else rng.choice(regions),
                tier=rng.choice(TIERS),
                delivered=rng.choice((0, 0, 0, 1, 2, 3)),
                failed=rng.choice((0, 0, 0, 1, 2)),
            )
        )
    return out


def _needs() -> list[NeedQuery]:
    needs = [n for n, _ in EVAL.needs]
    extra = [
        replace(needs[0], need_id=1001, industry_codes=("C",), region_code=None),
        replace(needs[1], need_id=1002, industry_codes=(), region_code="500112"),
        replace(needs[2], need_id=1003, industry_codes=("39", "3453", " 3976 "), region_code="441900"),
        replace(needs[3], need_id=1004, industry_codes=("c", "9999"), region_code="440300"),
        NeedQuery(1005, "稻谷种植与农产品加工", ("0111",), "110101"),  # nothing matches in text
        NeedQuery(1006, "", ("3972",), "440307"),  # industry only
        NeedQuery(1007, "系统 技术 设备", (), None),  # weak words only
    ]
    return needs + extra


def _same(fast: list[Match], slow: list[Match]) -> None:
    assert [m.enterprise_id for m in fast] == [m.enterprise_id for m in slow]
    for a, b in zip(fast, slow, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-9)
        assert a.explanation == b.explanation
        assert a.matched_terms == b.matched_terms
        assert [(d.key, d.sentence) for d in a.dimensions] == [(d.key, d.sentence) for d in b.dimensions]
        for da, db in zip(a.dimensions, b.dimensions, strict=True):
            assert da.score == pytest.approx(db.score, abs=1e-9)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(_synthetic(3000, seed=17), WEIGHTS, load_vocabulary())


@pytest.mark.parametrize("top_k", [1, 5, 20])
def test_fast_rank_equals_exhaustive(matcher: Matcher, top_k: int) -> None:
    ranked = 0
    for need in _needs():
        fast = matcher.rank(need, top_k=top_k)
        _same(fast, matcher.rank_exhaustive(need, top_k=top_k))
        ranked += bool(fast)
    assert ranked >= 40  # the comparison is over real lists, not empty ones


def test_exclude_and_only_as_exhaustive(matcher: Matcher) -> None:
    rng = random.Random(5)
    for need in _needs()[:12]:
        top = matcher.rank_exhaustive(need, top_k=20)
        exclude = [m.enterprise_id for m in top[:3]]
        _same(matcher.rank(need, exclude=exclude), matcher.rank_exhaustive(need, exclude=exclude))
        only = rng.sample(range(1, 3001), 400) + exclude
        _same(matcher.rank(need, only=only), matcher.rank_exhaustive(need, only=only))
        _same(
            matcher.rank(need, only=only, exclude=exclude[:1]),
            matcher.rank_exhaustive(need, only=only, exclude=exclude[:1]),
        )


def test_score_of_one_pair_is_the_ranked_one(matcher: Matcher) -> None:
    for need in _needs()[:10]:
        for m in matcher.rank_exhaustive(need, top_k=5):
            one = matcher.score(need, m.enterprise_id)
            assert one is not None
            _same([one], [m])


def test_text_only_weights_as_exhaustive() -> None:
    m = Matcher(_synthetic(1500, seed=3), WEIGHTS.only("text"), load_vocabulary())
    for need in _needs():
        _same(m.rank(need), m.rank_exhaustive(need))


def test_profiles_added_after_a_ranking_are_ranked() -> None:
    profiles = _synthetic(800, seed=11)
    m = Matcher(profiles[:400], WEIGHTS, load_vocabulary())
    need = _needs()[0]
    before = m.rank(need)
    for p in profiles[400:]:
        m.add(p)
    after = m.rank(need)
    _same(after, m.rank_exhaustive(need))
    _same(after, Matcher(profiles, WEIGHTS, load_vocabulary()).rank(need))
    assert [x.enterprise_id for x in after] != [x.enterprise_id for x in before]


def test_twins_are_ranked_by_enterprise_id_as_exhaustive() -> None:
    # Profiles identical but for the enterprise are scored once per need in ``rank``: the copies must come
    # out with the lowest ids first, as the exhaustive ranking orders ties.
    rng = random.Random(23)
    ids = list(range(1, 64 * 40 + 1))
    rng.shuffle(ids)
    profiles = [replace(EVAL.profiles[i % 64], enterprise_id=ids[i]) for i in range(64 * 40)]
    profiles += [replace(p, enterprise_id=10_000 + p.enterprise_id) for p in _synthetic(300, seed=29)]
    m = Matcher(profiles, WEIGHTS, load_vocabulary())
    for need in _needs():
        for top_k in (3, 20, 50):
            _same(m.rank(need, top_k=top_k), m.rank_exhaustive(need, top_k=top_k))


def test_past_the_first_bounds_as_exhaustive(matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> None:
    # ``rank`` reads the few highest bounds first and sorts the rest only when it needs them.
    import srdi.matchmaking.matching as matching

    monkeypatch.setattr(matching, "_FIRST_BOUNDS", 3)
    for need in _needs():
        _same(matcher.rank(need), matcher.rank_exhaustive(need))


def test_a_profile_added_again_as_exhaustive() -> None:
    profiles = _synthetic(600, seed=31)
    m = Matcher(profiles, WEIGHTS, load_vocabulary())
    for p in profiles[:100]:  # the same enterprise again, another industry and text (BM25 adds the counts)
        m.add(replace(p, industry_code="3976", texts=(*p.texts, "车载激光雷达")))
    for need in _needs():
        _same(m.rank(need), m.rank_exhaustive(need))
