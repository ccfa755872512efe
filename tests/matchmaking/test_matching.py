"""The pure matcher: the YAML cases of rules/matchmaking.yaml, explanations, both directions agree."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from srdi.matchmaking.matching import (
    IpTitle,
    Matcher,
    NeedQuery,
    Profile,
    load_vocabulary,
    load_weights,
)

ROOT = Path(__file__).resolve().parents[2]
CASES = yaml.safe_load((ROOT / "rules/tests/matchmaking.yaml").read_text(encoding="utf-8"))["cases"]
WEIGHTS = load_weights(ROOT / "rules")


def _profile(e: dict, enterprise_id: int = 1) -> Profile:  # type: ignore[type-arg]
    return Profile(
        enterprise_id=enterprise_id,
        name="测试企业",
        region_code=str(e["region_code"]),
        industry_code=str(e["industry_code"]),
        tier=e.get("tier"),
        texts=tuple(e.get("texts") or ()),
        ip_items=tuple(IpTitle(t) for t in e.get("ip_titles") or ()),
        delivered=int(e.get("delivered", 0)),
        failed=int(e.get("failed", 0)),
    )


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_rule_case(case: dict) -> None:  # type: ignore[type-arg]
    # A second, unrelated profile so that BM25's idf is defined as in a real index.
    other = Profile(2, "其他", "110101", "0111", texts=("稻谷种植",))
    matcher = Matcher([_profile(case["enterprise"]), other], WEIGHTS, load_vocabulary())
    n = case["need"]
    need = NeedQuery(1, n["text"], tuple(n["industry_codes"]), n["region_code"])
    m = matcher.score(need, 1)
    assert m is not None
    got = {d.key: d.score for d in m.dimensions}
    for key, value in case["expect"].items():
        assert got[key] == pytest.approx(value, abs=1e-4), key


def test_weights_sum_to_one_and_every_dimension_has_one() -> None:
    assert sum(WEIGHTS.weights.values()) == pytest.approx(1.0)
    assert set(WEIGHTS.weights) == {"text", "industry", "ip", "tier", "region", "outcomes"}


def test_explanation_is_in_chinese_sentences_strongest_first() -> None:
    p = Profile(
        7,
        "深圳市精传科技有限公司",
        "440306",
        "3976",
        "little_giant",
        texts=("车载激光雷达", "点云感知算法"),
        ip_items=(IpTitle("一种激光雷达扫描镜驱动装置"), IpTitle("一种激光雷达点云去噪方法")),
    )
    other = Profile(8, "其他", "500112", "3841", texts=("磷酸铁锂电芯",))
    m = Matcher([p, other], WEIGHTS, load_vocabulary()).rank(
        NeedQuery(1, "乘用车激光雷达国产化，探测距离200米", ("3976",), "440305")
    )[0]
    assert m.explanation == (
        "关键词“激光雷达”与企业能力相符；行业同为小类 C3976 光电子器件制造；"
        "持有 2 项相关知识产权（其中发明专利 2 项），如《一种激光雷达扫描镜驱动装置》；"
        "国家级专精特新“小巨人”企业；同在广东省深圳市"
    )


def test_need_to_enterprise_and_enterprise_to_need_give_the_same_score() -> None:
    ps = [
        Profile(1, "a", "440305", "3484", texts=("谐波减速器",)),
        Profile(2, "b", "441900", "3453", texts=("行星减速机",)),
    ]
    matcher = Matcher(ps, WEIGHTS, load_vocabulary())
    needs = [
        NeedQuery(10, "机器人谐波减速器", ("3484",), "440300"),
        NeedQuery(11, "行星减速机采购", ("3453",)),
    ]
    forward = {(m.need_id, m.enterprise_id): m.score for n in needs for m in matcher.rank(n)}
    backward = {(m.need_id, m.enterprise_id): m.score for e in (1, 2) for m in matcher.rank_needs(e, needs)}
    assert forward == backward
    assert [m.need_id for m in matcher.rank_needs(1, needs)] == [10, 11]


def test_an_enterprise_without_text_or_industry_evidence_is_not_a_match() -> None:
    ps = [Profile(1, "a", "440305", "3484", "little_giant", texts=("谐波减速器",)),
          Profile(2, "b", "440305", "6513", "little_giant", texts=("企业官网建设",))]  # fmt: skip
    ranked = Matcher(ps, WEIGHTS, load_vocabulary()).rank(NeedQuery(1, "谐波减速器", ("3484",), "440305"))
    assert [m.enterprise_id for m in ranked] == [1]
