"""Routing from the text: a ranked suggestion of category and 责任单位 with the words that decided it.

A minimal keyword router behind the interface ``suggest(text, region_code, *, top_k)``; the full router
(tokenisation with a domain dictionary, learning from staff corrections) replaces this one file. Pure: it reads
only the package's data files (``data/departments.yaml``, ``data/categories.yaml``), never the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

# Words that point to a category (a starter list; the routing work brings a real dictionary).
CATEGORY_TERMS: dict[str, tuple[str, ...]] = {
    "financing": ("贷款", "融资", "贴息", "担保", "授信", "银行", "上市", "股权", "资金周转", "信贷"),
    "talent": ("人才", "招聘", "用工", "社保", "职称", "员工", "落户", "技能培训", "稳岗"),
    "space": ("厂房", "用地", "租金", "产业用房", "园区", "场地", "搬迁", "办公用房"),
    "subsidies": ("补贴", "奖励", "资助", "扶持资金", "奖补", "拨付", "专项资金"),
    "policy_consulting": ("政策", "申报", "认定", "专精特新", "小巨人", "免申即享", "条件", "咨询"),
    "market_regulation": ("营业执照", "商事登记", "质量", "标准", "计量", "检验", "市场监管"),
    "tax": ("税", "发票", "退税", "加计扣除", "留抵", "纳税"),
    "technology": ("研发", "专利", "知识产权", "高新技术企业", "科技项目", "成果转化", "实验室"),
    "trade": ("出口", "外贸", "进口", "报关", "展会", "跨境"),
    "construction": ("施工", "建设工程", "规划许可", "竣工", "消防验收"),
}


@dataclass(frozen=True)
class Suggestion:
    department_key: str
    category_key: str
    score: float
    matched_terms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Department:
    key: str
    names: tuple[str, ...]
    region_code: str
    categories: tuple[str, ...]


def coverage_prefix(region_code: str) -> str:
    """The region_code prefix a department covers: 500000 → 50 (a municipality), 440300 → 4403, 440305 itself."""
    if region_code.endswith("0000"):
        return region_code[:2]
    if region_code.endswith("00"):
        return region_code[:4]
    return region_code


def _load(name: str) -> dict[str, Any]:
    text = resources.files("srdi.appeal").joinpath("data", name).read_text(encoding="utf-8")
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


@lru_cache(maxsize=1)
def _departments() -> tuple[_Department, ...]:
    return tuple(
        _Department(
            key=d["key"],
            names=(d["name"], *d.get("aliases", [])),
            region_code=str(d["region_code"]),
            categories=tuple(d.get("categories", [])),
        )
        for d in _load("departments.yaml")["departments"]
    )


def suggest(text: str, region_code: str | None, *, top_k: int = 3) -> list[Suggestion]:
    """Ranked (department, category) pairs for an appeal text in a region; empty when nothing fits."""
    category_hits: dict[str, list[str]] = {}
    for cat, terms in CATEGORY_TERMS.items():
        hits = [t for t in terms if t in text]
        if hits:
            category_hits[cat] = hits
    if not category_hits:
        category_hits = {"other": []}
    candidates = [
        d
        for d in _departments()
        if region_code is None or region_code.startswith(coverage_prefix(d.region_code))
    ]
    scored: list[Suggestion] = []
    for d in candidates:
        named = [n for n in d.names if n in text]
        for cat, hits in category_hits.items():
            if cat not in d.categories and not named:
                continue
            score = float(len(hits)) + (3.0 if named else 0.0) + (1.0 if cat in d.categories else 0.0)
            # A district unit is closer to the enterprise than the city's: prefer it on equal evidence.
            score += 0.5 if not d.region_code.endswith("00") else 0.0
            scored.append(Suggestion(d.key, cat, score, [*named, *hits]))
    scored.sort(key=lambda s: (-s.score, s.department_key, s.category_key))
    seen: set[str] = set()
    out: list[Suggestion] = []
    for s in scored:
        if s.department_key in seen:
            continue
        seen.add(s.department_key)
        out.append(s)
        if len(out) == top_k:
            break
    return out
