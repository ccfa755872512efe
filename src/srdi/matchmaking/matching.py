"""Ranking needs and enterprises against each other (供需对接) — pure: no database, no web (PRODUCT C6).

A *need* (a chain leader's supply need or 揭榜挂帅 technology challenge) is matched with *supplier profiles*
(one per enterprise: its published capabilities, its registry main products, niche markets and IP titles).
Each pair gets six dimension scores in 0..1, each with a Chinese sentence, and a weighted total; the weights
and the steps of each dimension are data (``rules/matchmaking.yaml``):

- ``text``: BM25 of the need's title, problem and required capability against the profile's text, tokenised
  with ``srdi.kit.text_search`` (the appeals router's rjieba + domain dictionary + bigrams of long words) and
  normalised by the best profile for that need (never by less than ``text_floor``);
- ``industry``: the deepest GB/T 4754-2017 level (小类 → 中类 → 大类 → 门类) the need's code shares with the
  enterprise's;
- ``ip``: IP items whose titles contain a telling word of the need;
- ``tier``: 小巨人 > 专精特新 > 创新型; ``region``: same district > city > province;
- ``outcomes``: challenges the enterprise delivered on the platform, failures counting against.

Both directions use the same pair score: ``Matcher.rank`` (need → enterprises) and ``Matcher.rank_needs``
(enterprise → needs), so a recommendation to an enterprise says exactly what the leader's list says.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from srdi.kit.reference import industry, region
from srdi.kit.text_search import BM25, Tokenizer

DIMENSIONS = ("text", "industry", "ip", "tier", "region", "outcomes")
DIMENSION_LABELS = {
    "text": "文本相关",
    "industry": "行业相近",
    "ip": "相关知识产权",
    "tier": "梯度培育层级",
    "region": "地域",
    "outcomes": "历史揭榜成效",
}
TIER_LABELS = {
    "little_giant": "国家级专精特新“小巨人”企业",
    "single_champion": "制造业单项冠军企业",
    "srdi_sme": "专精特新中小企业",
    "innovative_sme": "创新型中小企业",
    "tech_innovative_sme": "科技和创新型中小企业",
    "tech_sme": "科技型中小企业",
}
TIER_ORDER = (
    "single_champion",
    "little_giant",
    "srdi_sme",
    "tech_innovative_sme",
    "innovative_sme",
    "tech_sme",
)
IP_TYPE_LABELS = {
    "invention_patent": "发明专利",
    "utility_model": "实用新型专利",
    "design_patent": "外观设计专利",
    "software_copyright": "软件著作权",
    "ic_layout_design": "集成电路布图设计",
}
MATCHED_TERMS_MAX = 6
MAX_QUERY_CHARS = 3000
# A pair's dimension scores and total are rounded to 4 places (``_pair``): a total can exceed the unrounded
# weighted sum by up to 0.5e-4 per dimension and 0.5e-4 for the total, so a bound is trusted only this far.
_ROUNDING_SLACK = 1e-4 * (len(DIMENSIONS) + 1)
_FIRST_BOUNDS = 512


@dataclass(frozen=True, slots=True)
class Weights:
    weights: Mapping[str, float]
    industry_proximity: Mapping[str, float]
    region_proximity: Mapping[str, float]
    tier_scores: Mapping[str, float]
    ip_full_count: int
    outcomes_full_count: int
    failed_penalty: float
    text_floor: float
    min_text_or_industry: float
    min_total: float

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Weights:
        weights = {k: float(data["weights"][k]) for k in DIMENSIONS}
        return cls(
            weights=weights,
            industry_proximity={k: float(v) for k, v in data["industry_proximity"].items()},
            region_proximity={k: float(v) for k, v in data["region_proximity"].items()},
            tier_scores={k: float(v) for k, v in data["tier_scores"].items()},
            ip_full_count=int(data["ip_full_count"]),
            outcomes_full_count=int(data["outcomes_full_count"]),
            failed_penalty=float(data["failed_penalty"]),
            text_floor=float(data["text_floor"]),
            min_text_or_industry=float(data["min_text_or_industry"]),
            min_total=float(data["min_total"]),
        )

    def only(self, dimension: str) -> Weights:
        """The same steps with all the weight on one dimension (the text-only baseline)."""
        return Weights(
            weights={k: (1.0 if k == dimension else 0.0) for k in DIMENSIONS},
            industry_proximity=self.industry_proximity,
            region_proximity=self.region_proximity,
            tier_scores=self.tier_scores,
            ip_full_count=self.ip_full_count,
            outcomes_full_count=self.outcomes_full_count,
            failed_penalty=self.failed_penalty,
            text_floor=self.text_floor,
            min_text_or_industry=0.0 if dimension == "text" else self.min_text_or_industry,
            min_total=0.0,
        )


@lru_cache(maxsize=4)
def load_weights(rules_dir: Path) -> Weights:
    data = yaml.safe_load((rules_dir / "matchmaking.yaml").read_text(encoding="utf-8"))
    return Weights.from_mapping(data)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    dictionary: tuple[str, ...] = ()
    stopwords: frozenset[str] = frozenset()
    # Words too common in this domain to tell one enterprise from another (系统, 技术 …): kept, at a low weight.
    weak_words: frozenset[str] = frozenset()
    weak_factor: float = 0.3


@lru_cache(maxsize=4)
def tokenizer_for(vocabulary: Vocabulary) -> Tokenizer:
    """One tokeniser per vocabulary: loading jieba's dictionary takes about a second."""
    return Tokenizer(vocabulary.dictionary, vocabulary.stopwords)


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    text = resources.files("srdi.matchmaking").joinpath("data", "vocabulary.yaml").read_text(encoding="utf-8")
    v = yaml.safe_load(text)
    return Vocabulary(
        dictionary=tuple(str(w) for w in v.get("dictionary") or ()),
        stopwords=frozenset(str(w) for w in v.get("stopwords") or ()),
        weak_words=frozenset(str(w).lower() for w in v.get("weak_words") or ()),
        weak_factor=float(v.get("weak_factor", 0.3)),
    )


@dataclass(frozen=True, slots=True)
class IpTitle:
    title: str
    ip_type: str = "invention_patent"


@dataclass(frozen=True, slots=True)
class Profile:
    """What an enterprise offers, as the matcher sees it."""

    enterprise_id: int
    name: str
    region_code: str
    industry_code: str
    tier: str | None = None
    texts: tuple[str, ...] = ()  # capability titles and descriptions, main products, niche markets
    ip_items: tuple[IpTitle, ...] = ()
    delivered: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class NeedQuery:
    need_id: int
    text: str
    industry_codes: tuple[str, ...] = ()
    region_code: str | None = None


@dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    label: str
    score: float
    weight: float
    sentence: str

    @property
    def contribution(self) -> float:
        return self.score * self.weight


@dataclass(frozen=True, slots=True)
class Match:
    need_id: int
    enterprise_id: int
    score: float
    dimensions: tuple[Dimension, ...]
    matched_terms: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        """The sentences of the dimensions that count, strongest first (行业同属 …；关键词 …；持有 …)."""
        shown = sorted((d for d in self.dimensions if d.score > 0), key=lambda d: -d.contribution)
        return "；".join(d.sentence for d in shown)


@dataclass(slots=True)
class _Doc:
    profile: Profile
    words: frozenset[str] = field(default_factory=frozenset)
    ip_words: tuple[frozenset[str], ...] = ()


def _industry_name(code: str) -> str:
    ind = industry(code)
    return ind.name if ind else code


def _industry_label(code: str) -> str:
    """C39 计算机、通信和其他电子设备制造业 (the section letter before the numeric code, as GB/T 4754 prints it)."""
    ind = industry(code)
    if ind is None:
        return code
    prefix = "" if code.isalpha() else ind.section
    return f"{prefix}{code} {ind.name}"


def industry_proximity(need_codes: Iterable[str], enterprise_code: str, w: Weights) -> tuple[float, str]:
    """The best level shared by any of the need's codes and the enterprise's 4-digit 小类 code."""
    ent = industry(enterprise_code)
    best = (0.0, "")
    for code in need_codes:
        code = code.strip().upper() if code[:1].isalpha() else code.strip()
        if not code:
            continue
        if code.isalpha():
            if ent is not None and ent.section == code:
                best = max(best, (w.industry_proximity["section"], code))
            continue
        for level, n in (("class", 4), ("group", 3), ("division", 2)):
            if len(code) >= n and enterprise_code[:n] == code[:n]:
                best = max(best, (w.industry_proximity[level], code[:n]))
                break
        else:
            need_ind = industry(code)
            if ent is not None and need_ind is not None and need_ind.section == ent.section:
                best = max(best, (w.industry_proximity["section"], ent.section))
    score, shared = best
    if score <= 0:
        return 0.0, f"行业不同（企业为 {_industry_label(enterprise_code)}）"
    if len(shared) == 4:
        return score, f"行业同为小类 {_industry_label(shared)}"
    return score, f"行业同属 {_industry_label(shared)}"


@lru_cache(maxsize=8192)
def _region_text(code: str) -> str:
    r = region(code)
    if r is not None:
        return r.full_name
    for r in _all_regions():
        if code.endswith("00") and r.city_code == code[:4]:
            city = "" if r.city_name in ("市辖区", "县") else str(r.city_name)
            return str(r.province_name) + city
    return code


@lru_cache(maxsize=1)
def _all_regions() -> tuple[Any, ...]:
    from srdi.kit.reference import regions

    return tuple(regions().values())


def region_proximity(need_region: str | None, enterprise_region: str, w: Weights) -> tuple[float, str]:
    if not need_region:
        return 0.0, "需求未限定地域"
    e = enterprise_region
    if len(need_region) == 6 and not need_region.endswith("00") and e == need_region:
        return w.region_proximity["district"], f"同在{_region_text(e)}"
    if (e[:4] == need_region[:4] and need_region[:2] != "50") or e[:2] == need_region[:2] == "50":
        return w.region_proximity["city"], f"同在{_region_text(e[:4] + '00') if e[:2] != '50' else '重庆市'}"
    if e[:2] == need_region[:2]:
        r = region(e)
        return w.region_proximity["province"], f"同在{r.province_name if r else e[:2]}"
    return 0.0, f"企业位于{_region_text(e)}，与需求不在同一省份"


def tier_score(tier: str | None, w: Weights) -> tuple[float, str]:
    if not tier:
        return 0.0, "暂无有效梯度培育认定"
    return w.tier_scores.get(tier, 0.0), TIER_LABELS.get(tier, tier)


def outcomes_score(delivered: int, failed: int, w: Weights) -> tuple[float, str]:
    if delivered == 0 and failed == 0:
        return 0.0, "平台内暂无揭榜记录"
    value = max(delivered - w.failed_penalty * failed, 0.0) / w.outcomes_full_count
    sentence = f"曾在平台交付揭榜任务 {delivered} 项" + (f"、失败 {failed} 项" if failed else "")
    return min(value, 1.0), sentence


class Matcher:
    """An index of supplier profiles; rank a need against it, or an enterprise's profile against needs."""

    def __init__(
        self, profiles: Iterable[Profile], weights: Weights, vocabulary: Vocabulary | None = None
    ) -> None:
        self.weights = weights
        self.vocabulary = vocabulary or Vocabulary()
        self.tokenizer = tokenizer_for(self.vocabulary)
        weak = self.vocabulary.weak_words
        self._weak_terms = frozenset(weak) | frozenset(self.tokenizer.terms_of(w for w in weak if len(w) > 2))
        self._index = BM25()
        self._docs: dict[str, _Doc] = {}
        self._by_division: dict[str, list[str]] = {}
        self._cols: _Columns | None = None
        self._readded: set[str] = set()
        self._cols_lock = threading.Lock()
        for p in profiles:
            self.add(p)

    def __len__(self) -> int:
        return len(self._docs)

    def add(self, p: Profile) -> None:
        key = str(p.enterprise_id)
        text = " ".join((*p.texts, *(i.title for i in p.ip_items)))
        words = self.tokenizer.words(text)
        self._index.add(key, self.tokenizer.terms_of(words))
        ip_words = tuple(
            frozenset(w for w in self.tokenizer.words(i.title) if len(w) >= 2 and w not in self._weak_terms)
            for i in p.ip_items
        )
        if key in self._docs:
            self._readded.add(key)
        else:
            self._by_division.setdefault(p.industry_code[:2], []).append(key)
        self._docs[key] = _Doc(p, frozenset(words), ip_words)
        self._cols = None  # the columns are rebuilt on the next ranking

    def profile(self, enterprise_id: int) -> Profile | None:
        doc = self._docs.get(str(enterprise_id))
        return doc.profile if doc else None

    # ── scoring ──

    def _query(self, need: NeedQuery) -> tuple[list[str], list[str], dict[str, float]]:
        words = self.tokenizer.words(need.text[:MAX_QUERY_CHARS])
        terms = self.tokenizer.terms_of(words)
        weights = {t: self.vocabulary.weak_factor for t in set(terms) if t in self._weak_terms}
        return words, terms, weights

    def rank(
        self,
        need: NeedQuery,
        *,
        top_k: int = 20,
        exclude: Iterable[int] = (),
        only: Iterable[int] | None = None,
    ) -> list[Match]:
        """The best ``top_k`` enterprises for a need, best first (ties by enterprise id).

        Exactly ``rank_exhaustive`` (tests/matchmaking/test_fast_ranking.py), faster: the BM25 sums, the
        industry, region, tier and outcome scores of every candidate are computed as columns
        (``_Columns``), which bound each candidate's total from above (only IP is bounded, by the
        profile's item count); candidates are then scored exactly, best bound first, until the bound of
        the next falls below the ``top_k``-th total (the threshold algorithm).
        """
        words, terms, weights = self._query(need)
        uniq = list(set(terms))
        cols = self._columns()
        only_ids = None if only is None else {int(e) for e in only}
        sums = cols.text_sums(uniq, weights, only_ids)
        norm = max(self._best_text(sums, uniq, weights), self.weights.text_floor)
        bounds = cols.bounds(need, sums, norm, only_ids, {int(e) for e in exclude}, top_k)
        out: list[Match] = []
        kth = -1.0
        kth_id = 0
        # Profiles identical but for the enterprise (twins) get the same pair: scored once per need.
        seen: dict[int, Match | None] = {}
        for bound, key, twin in bounds:
            if len(out) >= top_k and bound + _ROUNDING_SLACK < kth:
                break
            doc = self._docs[key]
            if twin in seen:
                first = seen[twin]
                eid = doc.profile.enterprise_id
                if first is None or (len(out) >= top_k and (-first.score, eid) > (-kth, kth_id)):
                    continue
                m: Match | None = replace(first, enterprise_id=eid)
            else:
                m = seen[twin] = self._pair(
                    need, doc, words, self._index.doc_scores(key, uniq, weights), norm
                )
            if m is not None:
                out.append(m)
                if len(out) >= top_k:
                    out.sort(key=lambda m: (-m.score, m.enterprise_id))
                    del out[top_k:]
                    kth, kth_id = out[-1].score, out[-1].enterprise_id
        out.sort(key=lambda m: (-m.score, m.enterprise_id))
        return out[:top_k]

    def rank_exhaustive(
        self,
        need: NeedQuery,
        *,
        top_k: int = 20,
        exclude: Iterable[int] = (),
        only: Iterable[int] | None = None,
    ) -> list[Match]:
        """The definition ``rank`` must equal: every candidate scored, dict postings, no bound (tests, benchmark).

        Candidates: every profile sharing a term with the need, and (when industry weighs) every profile of
        the need's 大类 even without a shared word (a need written in other words).
        """
        words, terms, weights = self._query(need)
        excluded = {str(e) for e in exclude}
        wanted = set(self._docs) if only is None else {str(e) for e in only} & set(self._docs)
        hits = self._index.scores(terms, wanted, weights)
        best = max((sum(h.values()) for h in hits.values()), default=0.0)
        norm = max(best, self.weights.text_floor)
        candidates = set(hits)
        if self.weights.weights["industry"] > 0:
            for code in need.industry_codes:
                if code[:2].isdigit():
                    candidates.update(k for k in self._by_division.get(code[:2], ()) if k in wanted)
        out = [
            m
            for key in candidates - excluded
            if (m := self._pair(need, self._docs[key], words, hits.get(key, {}), norm)) is not None
        ]
        out.sort(key=lambda m: (-m.score, m.enterprise_id))
        return out[:top_k]

    def _best_text(self, sums: Any, uniq: list[str], weights: Mapping[str, float]) -> float:
        """The best BM25 sum, as ``rank_exhaustive`` adds it: the column sums pick the few profiles near the
        best, whose sums are then added in the dict order (floats differ in the last bits otherwise)."""
        if sums.height == 0:
            return 0.0
        top = float(sums["s"].max())
        near = sums.filter(pl.col("s") >= top - 1e-9 * max(top, 1.0))["doc"].to_list()
        keys = self._columns().keys
        return max(sum(self._index.doc_scores(keys[i], uniq, weights).values()) for i in near)

    def prepare(self) -> Matcher:
        """Build the ranking columns now (else the first ranking after a change does)."""
        self._columns()
        return self

    def _columns(self) -> _Columns:
        cols = self._cols
        if cols is None:
            with self._cols_lock:
                cols = self._cols
                if cols is None:
                    cols = self._cols = _Columns(self)
        return cols

    def score(self, need: NeedQuery, enterprise_id: int) -> Match | None:
        """The pair score of one need and one enterprise (normalised as in ``rank`` for that need)."""
        key = str(enterprise_id)
        doc = self._docs.get(key)
        if doc is None:
            return None
        words, terms, weights = self._query(need)
        uniq = list(set(terms))
        sums = self._columns().text_sums(uniq, weights, None)
        norm = max(self._best_text(sums, uniq, weights), self.weights.text_floor)
        return self._pair(need, doc, words, self._index.doc_scores(key, uniq, weights), norm)

    def rank_needs(self, enterprise_id: int, needs: Sequence[NeedQuery], *, top_k: int = 20) -> list[Match]:
        """Needs recommended to an enterprise, best first: the same pair score as the leader's list."""
        out = [m for n in needs if (m := self.score(n, enterprise_id)) is not None]
        out.sort(key=lambda m: (-m.score, m.need_id))
        return out[:top_k]

    def _pair(
        self, need: NeedQuery, doc: _Doc, words: list[str], hits: Mapping[str, float], norm: float
    ) -> Match | None:
        w = self.weights
        p = doc.profile
        text = min(sum(hits.values()) / norm, 1.0) if hits else 0.0
        whole = set(words)
        ordered = sorted(hits, key=lambda t: (-hits[t], t))
        matched = [t for t in ordered if t in whole and t not in self._weak_terms]
        for t in ordered:
            if t not in whole and t not in self._weak_terms:
                # A bigram is shown as the longest piece the need's word and the enterprise's word share
                # (协作机器人 × 机器人 → 机器人), never as a half word (器人).
                shown = _shared_piece(t, whole, doc.words)
                if not any(shown in m for m in matched):
                    matched.append(shown)
        matched = matched[:MATCHED_TERMS_MAX]
        text_sentence = f"关键词“{'、'.join(matched)}”与企业能力相符" if matched else "文本无共同关键词"

        ind, ind_sentence = industry_proximity(need.industry_codes, p.industry_code, w)
        if text < w.min_text_or_industry and ind < w.min_text_or_industry:
            return None
        reg, reg_sentence = region_proximity(need.region_code, p.region_code, w)
        tier, tier_sentence = tier_score(p.tier, w)
        telling = {t for t in whole if len(t) >= 2 and t not in self._weak_terms}
        related = [p.ip_items[i] for i, ws in enumerate(doc.ip_words) if ws & telling]
        ip = min(len(related) / w.ip_full_count, 1.0)
        if related:
            inventions = sum(1 for i in related if i.ip_type == "invention_patent")
            ip_sentence = f"持有 {len(related)} 项相关知识产权" + (
                f"（其中发明专利 {inventions} 项）" if inventions else ""
            )
            ip_sentence += f"，如《{related[0].title}》"
        else:
            ip_sentence = "暂无与需求相关的知识产权"
        outcomes, outcomes_sentence = outcomes_score(p.delivered, p.failed, w)

        scores = {"text": (text, text_sentence), "industry": (ind, ind_sentence), "ip": (ip, ip_sentence),
                  "tier": (tier, tier_sentence), "region": (reg, reg_sentence),
                  "outcomes": (outcomes, outcomes_sentence)}  # fmt: skip
        dims = tuple(
            Dimension(k, DIMENSION_LABELS[k], round(scores[k][0], 4), w.weights[k], scores[k][1])
            for k in DIMENSIONS
        )
        total = round(sum(d.contribution for d in dims), 4)
        if total < w.min_total:
            return None
        return Match(need.need_id, p.enterprise_id, total, dims, tuple(matched))


class _Columns:
    """The matcher's profiles and BM25 postings as Polars columns, built once per change of the profiles.

    Postings are one pair of columns (row of the profile, term frequency) sorted by term, each term a slice;
    a query's BM25 sums are one gather and one group-by over its terms' slices. The industry, region, tier,
    outcome and IP-count columns give each candidate's upper bound in ``bounds``.
    """

    def __init__(self, m: Matcher) -> None:
        w = m.weights
        self.k1 = m._index.k1
        self.index = m._index
        self.keys = list(m._docs)
        row = {k: i for i, k in enumerate(self.keys)}
        norms = m._index.norms()
        self.norms = pl.Series("n", [norms[k] for k in self.keys], dtype=pl.Float64)
        self.at: dict[str, tuple[int, int]] = {}
        docs: list[int] = []
        tfs: list[int] = []
        for term, postings in m._index.postings().items():
            self.at[term] = (len(docs), len(postings))
            docs.extend(row[d] for d in postings)
            tfs.extend(postings.values())
        self.post_doc = pl.Series("doc", docs, dtype=pl.UInt32)
        self.post_tf = pl.Series("f", tfs, dtype=pl.Float64)
        profiles = [m._docs[k].profile for k in self.keys]
        # Twins: same profile but for the enterprise. A key added twice has its BM25 term counts summed
        # (BM25.add), so it is nobody's twin.
        twins: dict[object, int] = {}
        twin = [
            twins.setdefault(
                (p.texts, p.ip_items, p.industry_code, p.region_code, p.tier, p.delivered, p.failed)
                if k not in m._readded else k,
                len(twins),
            )
            for k, p in zip(self.keys, profiles, strict=True)
        ]  # fmt: skip
        # Dropping twins beyond the first ``top_k`` of a group is a window over the candidates: worth it only
        # when twins are common (synthetic sets, copied registries); the result is the same either way.
        self.many_twins = len(twins) < 0.9 * len(twin)
        # The 大类 lists of ``rank_exhaustive`` (a profile stays in the 大类 it was first added with).
        self.division_rows = {
            d: pl.Series([row[k] for k in keys], dtype=pl.UInt32) for d, keys in m._by_division.items()
        }
        ww = w.weights
        self.frame = pl.DataFrame(
            {
                "doc": pl.Series(range(len(self.keys)), dtype=pl.UInt32),
                "eid": [p.enterprise_id for p in profiles],
                "twin": twin,
                "c2": [p.industry_code[:2] for p in profiles],
                "c3": [p.industry_code[:3] for p in profiles],
                "c4": [p.industry_code[:4] for p in profiles],
                "sec": [ind.section if (ind := industry(p.industry_code)) else None for p in profiles],
                "reg": [p.region_code for p in profiles],
                "r2": [p.region_code[:2] for p in profiles],
                "r4": [p.region_code[:4] for p in profiles],
                "static": [
                    ww["tier"] * tier_score(p.tier, w)[0]
                    + ww["outcomes"] * outcomes_score(p.delivered, p.failed, w)[0]
                    + ww["ip"] * min(len(p.ip_items) / w.ip_full_count, 1.0)
                    for p in profiles
                ],
            },
            schema_overrides={"eid": pl.Int64, "twin": pl.Int64, "sec": pl.String, "static": pl.Float64},
        )
        self.weights = w

    def rows_of(self, ids: Iterable[int]) -> pl.Series:
        return self.frame.filter(pl.col("eid").is_in(list(ids)))["doc"]

    def text_sums(
        self, uniq: Sequence[str], weights: Mapping[str, float], only: set[int] | None
    ) -> pl.DataFrame:
        """Per profile row with a query term, the BM25 sum (columns ``doc``, ``s``)."""
        parts = []
        for term in uniq:
            at = self.at.get(term)
            if at is None:
                continue
            coef = self.index.idf(term) * weights.get(term, 1.0)
            d = self.post_doc.slice(*at)
            parts.append(
                pl.DataFrame(
                    {"doc": d, "f": self.post_tf.slice(*at), "c": pl.repeat(coef, len(d), eager=True)}
                )
            )
        if not parts:
            return pl.DataFrame(schema={"doc": pl.UInt32, "s": pl.Float64})
        df = pl.concat(parts, rechunk=False)
        df = df.with_columns(n=self.norms.gather(df["doc"]))
        f = pl.col("f")
        sums = df.group_by("doc").agg(
            (pl.col("c") * f * (self.k1 + 1.0) / (f + pl.col("n"))).sum().alias("s")
        )
        if only is not None:
            sums = sums.filter(pl.col("doc").is_in(self.rows_of(only).implode()))
        return sums

    def bounds(
        self,
        need: NeedQuery,
        sums: pl.DataFrame,
        norm: float,
        only: set[int] | None,
        exclude: set[int],
        top_k: int,
    ) -> Iterator[tuple[float, str, int]]:
        """Candidates (a shared term, or the need's 大类) with an upper bound of their total, highest first."""
        w = self.weights
        ww = w.weights
        n = len(self.keys)
        hit_rows = sums["doc"]
        rows = [hit_rows]
        if ww["industry"] > 0:
            hit = pl.repeat(False, n, eager=True).scatter(hit_rows, True)
            for division in {c[:2] for c in need.industry_codes if c[:2].isdigit()}:
                same = self.division_rows.get(division)
                if same is not None:
                    rows.append(same.filter(~hit.gather(same)))
        at = pl.concat(rows) if len(rows) > 1 else hit_rows
        text = pl.repeat(0.0, n, eager=True).scatter(hit_rows, sums["s"])
        df = self.frame.select("doc", "eid", "twin", "c2", "c3", "c4", "sec", "reg", "r2", "r4", "static")[at]
        df = df.with_columns(s=text.gather(at))
        if only is not None:
            df = df.filter(pl.col("eid").is_in(list(only)))
        if exclude:
            df = df.filter(~pl.col("eid").is_in(list(exclude)))
        bound = ww["text"] * pl.min_horizontal(pl.col("s") / norm, pl.lit(1.0))
        bound = bound + ww["industry"] * _industry_expr(need.industry_codes, w)
        bound = bound + ww["region"] * _region_expr(need.region_code, w) + pl.col("static")
        df = df.select("doc", "twin", "eid", bound.alias("b"))
        if self.many_twins and df.height > top_k:
            # Twins score alike: beyond the ``top_k`` lowest ids of a twin group none can be in the top ``top_k``.
            df = df.filter(pl.col("eid").rank("ordinal").over("twin") <= top_k)
        # Highest bound first; equal bounds by enterprise id, so that a twin after its first is never better.
        # The first few by a partial selection (most needs stop there), the rest by a full sort if needed.
        order = {"by": ["b", "eid"], "descending": [True, False]}
        first = min(df.height, _FIRST_BOUNDS)
        head = df.top_k(first, by=["b", "eid"], reverse=[False, True]).sort(**order)  # type: ignore[arg-type]
        yield from self._rows(head)
        if df.height > first:
            yield from self._rows(df.sort(**order).slice(first))  # type: ignore[arg-type]

    def _rows(self, df: pl.DataFrame) -> Iterator[tuple[float, str, int]]:
        keys = self.keys
        for chunk in df.iter_slices(256):
            docs = (keys[i] for i in chunk["doc"].to_list())
            yield from zip(chunk["b"].to_list(), docs, chunk["twin"].to_list(), strict=True)


def _industry_expr(need_codes: Iterable[str], w: Weights) -> pl.Expr:
    """``industry_proximity``'s score as a column expression (the same steps, one profile per row)."""
    ip = w.industry_proximity
    per_code: list[pl.Expr] = []
    for code in need_codes:
        code = code.strip().upper() if code[:1].isalpha() else code.strip()
        if not code:
            continue
        if code.isalpha():
            per_code.append(pl.when(pl.col("sec") == code).then(ip["section"]).otherwise(0.0))
            continue
        need_ind = industry(code)
        expr: Any = pl
        for level, n in (("class", 4), ("group", 3), ("division", 2)):
            if len(code) >= n:
                expr = expr.when(pl.col(f"c{n}") == code[:n]).then(ip[level])
        fallback = (
            pl.when(pl.col("sec") == need_ind.section).then(ip["section"]).otherwise(0.0)
            if need_ind is not None
            else pl.lit(0.0)
        )
        per_code.append(fallback if expr is pl else expr.otherwise(fallback))
    if not per_code:
        return pl.lit(0.0)
    return pl.max_horizontal(*per_code).fill_null(0.0)


def _region_expr(need_region: str | None, w: Weights) -> pl.Expr:
    """``region_proximity``'s score as a column expression."""
    if not need_region:
        return pl.lit(0.0)
    rp = w.region_proximity
    expr: Any = pl
    if len(need_region) == 6 and not need_region.endswith("00"):
        expr = expr.when(pl.col("reg") == need_region).then(rp["district"])
    if need_region[:2] == "50":
        expr = expr.when(pl.col("r2") == "50").then(rp["city"])
    else:
        expr = expr.when(pl.col("r4") == need_region[:4]).then(rp["city"])
    out: pl.Expr = expr.when(pl.col("r2") == need_region[:2]).then(rp["province"]).otherwise(0.0)
    return out


def _longest_common(a: str, b: str, must: str) -> str:
    best = must
    for i in range(len(a)):
        for j in range(i + len(best) + 1, len(a) + 1):
            piece = a[i:j]
            if must in piece and piece in b:
                best = piece
    return best


def _shared_piece(bigram: str, need_words: Iterable[str], profile_words: Iterable[str]) -> str:
    best = bigram
    for qw in need_words:
        if bigram in qw:
            for pw in profile_words:
                if bigram in pw:
                    piece = _longest_common(qw, pw, bigram)
                    if len(piece) > len(best):
                        best = piece
    return best


def best_tier(tiers: Iterable[str]) -> str | None:
    have = set(tiers)
    return next((t for t in TIER_ORDER if t in have), None)


def ip_type_label(ip_type: str) -> str:
    return IP_TYPE_LABELS.get(ip_type, ip_type)
