"""Routing an appeal's text to a category and a responsible unit (责任单位) — pure: no database, no web.

How a suggestion is made (decision record 0014-appeal-routing):

1. The text is cut by rjieba (jieba's dictionary and HMM, in Rust) with a domain dictionary on top, so that
   专精特新, 小巨人, 免申即享, 贴息, 研发费用加计扣除 … and every unit's name and alias stay whole. Words of three
   or more Chinese characters also contribute their character bigrams, so that a typo or a word the
   dictionary cuts differently (专精特兴, 研发费用的加计扣除) still meets the profile half way.
2. Only the units in the appeal's jurisdiction compete: the units of the appeal's city and, for a district
   code, of that district (a district without a unit for the matter falls back to the city's).
3. Three kinds of evidence are added up for each (unit, category) pair the unit handles:
   - BM25 of the text against each category's profile (name, description, vocabulary, learned texts);
   - BM25 of the text against each unit's profile (name, aliases, duty, its categories' vocabulary at a lower
     weight, its own vocabulary, learned texts);
   - a unit named in the text (its name or an alias, longest match first) ranks first;
   plus a small prior for the unit's first-listed (main) categories and for district units when the appeal
   comes from that district (unless the text asks for the city: 市里, 市级 …).
4. Staff corrections (``Router.learn``) add the corrected text to the chosen unit's and category's profiles,
   so later suggestions for similar texts move; ``Router.with_corrections`` rebuilds from stored rows.

Use: ``suggest(text, region_code)`` on the process-wide router; at start-up
``rebuild_from_corrections(rows)`` with the stored (text, category key, unit key) rows; on each staff
correction ``get_router().learn(text, category_key, department_key)`` (each worker process learns its own and
all agree again after the next rebuild). ``Router(departments, categories, load_vocabulary())`` builds one on
units kept in the database.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from srdi.kit.errors import ValidationFailed
from srdi.kit.text_search import BM25, Tokenizer

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 5000
# Only the head of a long letter is routed: a letter names its addressee and its matter first (尊敬的…局：关于…),
# and the time of a suggestion stays bounded (benchmarks/appeal_routing.py: 5,000 characters).
ROUTED_CHARS = 2000

# Weights chosen on tests/appeal/data/appeals_tuning.yaml only (benchmarks/appeal_routing.py --set tuning).
CATEGORY_WEIGHT = 1.0  # normalised category BM25 (0..1)
DEPARTMENT_WEIGHT = 1.0  # normalised unit BM25 (0..1)
# A unit named in the text ranks first: the bonus exceeds the sum of every other weight (asserted below).
ALIAS_BONUS = 3.0
MAIN_CATEGORY_PRIOR = 0.15  # first-listed category of a unit; later ones get less
DISTRICT_PRIOR = 0.4  # a district unit for an appeal from that district
LEAD_PRIOR = 0.3  # the unit that leads the category in its city or district (牵头单位)
SCORE_FLOOR = 3.0  # BM25 score that counts as full evidence at least (1–8 measured alike on the tuning set)
WEAK_WORD_FACTOR = 0.3  # 专精特新, 申请 …: present in nearly every appeal of this platform
CATEGORY_VOCAB_IN_DEPARTMENT = 0  # category words count once, in the category score (1 measured worse)
DEPARTMENT_VOCAB_REPEAT = 3  # how often a unit's own vocabulary word is counted in its profile
LEARN_REPEAT = 2  # how often a corrected text's words are counted in the profiles
MATCHED_TERMS_MAX = 8
assert ALIAS_BONUS > DEPARTMENT_WEIGHT + CATEGORY_WEIGHT + MAIN_CATEGORY_PRIOR + LEAD_PRIOR + DISTRICT_PRIOR
# A long letter is queried with its most telling terms only (highest tf × idf), as "more like this" queries
# do: it bounds the time of a 5,000-character text; no appeal of the two sets has this many distinct terms.
MAX_QUERY_TERMS = 120

_MUNICIPALITIES = {"11", "12", "31", "50"}  # 北京 天津 上海 重庆: the city code is the province's


class AppealTextTooLong(ValidationFailed):
    def __init__(self, length: int) -> None:
        super().__init__(
            f"诉求内容过长（{length} 字），请精简到 {MAX_TEXT_CHARS} 字以内",
            f"appeal text too long for routing: {length} characters, at most {MAX_TEXT_CHARS}",
            code="appeal_text_too_long",
        )


@dataclass(frozen=True, slots=True)
class Department:
    key: str
    name: str
    aliases: tuple[str, ...]
    region_code: str
    level: str  # city | district
    duty: str
    categories: tuple[str, ...]  # main category first


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    name: str
    description: str
    time_limit_working_days: int


@dataclass(frozen=True, slots=True)
class Vocabulary:
    dictionary: tuple[str, ...] = ()
    category_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    department_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    city_cues: tuple[str, ...] = ()
    district_cues: tuple[str, ...] = ()
    stopwords: frozenset[str] = frozenset()
    leads: Mapping[str, frozenset[str]] = field(default_factory=dict)  # category → leading unit keys
    weak_words: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Suggestion:
    department_key: str
    department_name: str
    category_key: str
    category_name: str
    score: float
    matched_terms: list[str]


def city_code_of(region_code: str) -> str:
    """The 6-digit code of the city a county-level code belongs to (重庆 500112 → 500000, 南山 440305 → 440300)."""
    if region_code[:2] in _MUNICIPALITIES:
        return region_code[:2] + "0000"
    return region_code[:4] + "00"


# ───────────────────────────── loading the bundled data ─────────────────────────────


def _read_yaml(name: str) -> Any:
    text = resources.files("srdi.appeal").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_departments() -> list[Department]:
    return [
        Department(
            key=str(d["key"]),
            name=str(d["name"]),
            aliases=tuple(str(a) for a in d.get("aliases") or ()),
            region_code=str(d["region_code"]),
            level=str(d["level"]),
            duty=str(d.get("duty") or ""),
            categories=tuple(str(c) for c in d.get("categories") or ()),
        )
        for d in _read_yaml("departments.yaml")["departments"]
    ]


def load_categories() -> list[Category]:
    return [
        Category(
            key=str(c["key"]),
            name=str(c["name"]),
            description=str(c.get("description") or ""),
            time_limit_working_days=int(c["time_limit_working_days"]),
        )
        for c in _read_yaml("categories.yaml")["categories"]
    ]


def load_vocabulary() -> Vocabulary:
    v = _read_yaml("routing_vocabulary.yaml")

    def words(items: Iterable[Any] | None) -> tuple[str, ...]:
        return tuple(str(w) for w in items or ())

    return Vocabulary(
        dictionary=words(v.get("dictionary")),
        category_words={str(k): words(ws) for k, ws in (v.get("categories") or {}).items()},
        department_words={str(k): words(ws) for k, ws in (v.get("departments") or {}).items()},
        city_cues=words(v.get("city_cues")),
        district_cues=words(v.get("district_cues")),
        stopwords=frozenset(words(v.get("stopwords"))),
        leads={str(k): frozenset(words(ks)) for k, ks in (v.get("leads") or {}).items()},
        weak_words=frozenset(w.lower() for w in words(v.get("weak_words"))),
    )


# ───────────────────────────── the router ─────────────────────────────


@dataclass(frozen=True, slots=True)
class _AliasHit:
    alias: str
    department_keys: tuple[str, ...]
    scope: str  # "city": only city units; "district": only district units; "any"
    start: int
    end: int


class Router:
    def __init__(
        self,
        departments: Sequence[Department],
        categories: Sequence[Category],
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.vocabulary = vocabulary or Vocabulary()
        self.departments = {d.key: d for d in departments}
        self.categories = {c.key: c for c in categories}
        for d in departments:
            unknown = [c for c in d.categories if c not in self.categories]
            if unknown:
                raise ValueError(f"department {d.key} names unknown categories {unknown}")
        self._by_region: dict[str, list[str]] = defaultdict(list)
        for d in departments:
            self._by_region[d.region_code].append(d.key)
        # Categories a unit handles; staff corrections may add one.
        self._handles: dict[str, list[str]] = {d.key: list(d.categories) for d in departments}
        self._aliases = self._alias_table(departments)
        self._aliases_longest_first = sorted(self._aliases, key=lambda a: (-len(a), a))
        self._place_names = self._places(departments)
        self._places_longest_first = sorted(self._place_names, key=lambda p: (-len(p), p))
        dictionary = [
            *self.vocabulary.dictionary,
            *self._aliases,
            *(w for ws in self.vocabulary.category_words.values() for w in ws),
            *(w for ws in self.vocabulary.department_words.values() for w in ws),
            *self.vocabulary.city_cues,
            *self.vocabulary.district_cues,
        ]
        self.tokenizer = Tokenizer(dictionary, self.vocabulary.stopwords)
        # a weak word and the bigrams it yields (专精特新 → 专精, 精特, 特新)
        weak = self.vocabulary.weak_words
        self._weak_terms = frozenset(weak) | frozenset(self.tokenizer.terms_of(w for w in weak if len(w) > 2))
        self._category_index = BM25()
        self._department_index = BM25()
        self._lock = threading.Lock()
        for c in categories:
            words = self.vocabulary.category_words.get(c.key, ())
            self._category_index.add(
                c.key, self.tokenizer.terms(f"{c.name} {c.description}") + [w.lower() for w in words] * 2
            )
        for d in departments:
            terms = self.tokenizer.terms(" ".join((d.name, *d.aliases, d.duty)))
            for category_key in d.categories:
                terms += self.tokenizer.terms(self.categories[category_key].name)
                terms += [
                    w.lower() for w in self.vocabulary.category_words.get(category_key, ())
                ] * CATEGORY_VOCAB_IN_DEPARTMENT
            terms += [
                w.lower() for w in self.vocabulary.department_words.get(d.key, ())
            ] * DEPARTMENT_VOCAB_REPEAT
            self._department_index.add(d.key, terms)
        self.corrections_learned = 0

    @classmethod
    def bundled(cls) -> Router:
        """The router on the data shipped in srdi/appeal/data."""
        return cls(load_departments(), load_categories(), load_vocabulary())

    # ── aliases and places ──

    def _alias_table(self, departments: Sequence[Department]) -> dict[str, list[tuple[str, str]]]:
        """alias → [(department key, scope)]. Scope "city" for 市… and city-named aliases of city units."""
        table: dict[str, list[tuple[str, str]]] = defaultdict(list)
        district_names = {d.region_code: self._district_name(d) for d in departments if d.level == "district"}
        city_names: dict[str, set[str]] = defaultdict(set)
        for d in departments:
            if d.level == "city":
                city_names[d.region_code] |= {d.name, *d.aliases}
        for d in departments:
            names = {d.name, *d.aliases}
            if d.level == "district":
                place = district_names[d.region_code]
                for n in list(names):
                    # 南山区工信局 → 区工信局 (the district's) and 工信局 (any unit of that function) — the
                    # latter only when the city's own unit is called so too: 南山监管局 must not make 监管局
                    # match inside 地方金融监管局.
                    for prefix in (f"深圳市{place}", f"重庆市{place}", place, place.rstrip("区")):
                        if prefix and n.startswith(prefix) and len(n) > len(prefix) + 1:
                            generic = n[len(prefix) :]
                            table["区" + generic.lstrip("区")].append((d.key, "district"))
                            if (
                                not generic.startswith("区")
                                and generic in city_names[city_code_of(d.region_code)]
                            ):
                                table[generic].append((d.key, "any"))
                for n in names:
                    table[n].append((d.key, "any"))
            else:
                for n in names:
                    city_only = n.startswith("市") and not n.startswith("市场")
                    table[n].append((d.key, "city" if city_only else "any"))
        return {a: sorted(set(v)) for a, v in table.items() if len(a) >= 2}

    @staticmethod
    def _district_name(d: Department) -> str:
        # The district's name as the unit's name spells it: 深圳市南山区工业和信息化局 → 南山区.
        m = re.search(r"(?:深圳市|重庆市)?([\u4e00-\u9fff]{1,4}?区)", d.name)
        if m and not d.name.startswith("深圳市市场监督管理局"):
            return m.group(1)
        m = re.search(r"监督管理局([\u4e00-\u9fff]{2,3}?)监管局", d.name)
        return (m.group(1) + "区") if m else ""

    def _places(self, departments: Sequence[Department]) -> dict[str, str]:
        """Place names that may appear in a text → region code (for appeals without a region)."""
        places: dict[str, str] = {
            "深圳市": "440300",
            "深圳": "440300",
            "东莞市": "441900",
            "东莞": "441900",
            "重庆市": "500000",
            "重庆": "500000",
        }
        for d in departments:
            if d.level == "district":
                name = self._district_name(d)
                if name:
                    places[name] = d.region_code
                    places[name.rstrip("区")] = d.region_code
        return places

    def _alias_hits(self, text: str) -> list[_AliasHit]:
        """Aliases in the text, longest first, non-overlapping."""
        taken = [False] * len(text)
        hits: list[_AliasHit] = []
        for alias in self._aliases_longest_first:
            start = text.find(alias)
            while start != -1:
                end = start + len(alias)
                if not any(taken[start:end]):
                    for i in range(start, end):
                        taken[i] = True
                    entries = self._aliases[alias]
                    scopes = {s for _, s in entries}
                    scope = "city" if scopes == {"city"} else "district" if scopes == {"district"} else "any"
                    hits.append(_AliasHit(alias, tuple(k for k, _ in entries), scope, start, end))
                start = text.find(alias, end)
        return hits

    # ── jurisdiction ──

    def _named_regions(self, text: str) -> set[str]:
        return {code for place, code in self._place_names.items() if place in text}

    def jurisdiction(self, region_code: str | None, text: str = "") -> list[str]:
        """Unit keys an appeal from ``region_code`` may be routed to: its city's units, then district units.

        A district appeal adds its own district's units and no other district's. A city appeal adds the units
        of the city's districts that the text names (我们是南山区的企业 …). Without a region, the cities and
        districts the text names decide; a text naming none may go to any city-level unit.
        """
        if region_code is None:
            codes = self._named_regions(text)
            if not codes:
                return [d.key for d in self.departments.values() if d.level == "city"]
            keys: list[str] = []
            for code in sorted(codes):
                keys += self.jurisdiction(code)
            return list(dict.fromkeys(keys))
        city = city_code_of(region_code)
        keys = list(self._by_region.get(city, ()))
        if region_code != city:
            keys += self._by_region.get(region_code, ())
        else:
            for code in sorted(self._named_regions(text)):
                if code != city and city_code_of(code) == city:
                    keys += self._by_region.get(code, ())
        return keys

    def _home_districts(self, region_code: str | None, text: str) -> set[str]:
        """Districts whose units get the district prior: the appeal's, or for a city appeal those it names."""
        if region_code is not None and region_code != city_code_of(region_code):
            return {region_code}
        city = city_code_of(region_code) if region_code else None
        return {
            c for c in self._named_regions(text) if c != city_code_of(c) and city in (None, city_code_of(c))
        }

    # ── suggesting ──

    def suggest(self, text: str, region_code: str | None, *, top_k: int = 3) -> list[Suggestion]:
        if len(text) > MAX_TEXT_CHARS:
            raise AppealTextTooLong(len(text))
        text = text[:ROUTED_CHARS]
        candidates = self.jurisdiction(region_code, text)
        if not candidates or top_k <= 0:
            return []
        alias_hits = self._alias_hits(text)
        # Unit names and place names are evidence of their own (alias bonus, jurisdiction); left in the text
        # their bigrams (监管, 深圳 …) would pull every unit whose name shares them.
        content = self._without(text, [(h.start, h.end) for h in alias_hits])
        words = self.tokenizer.words(content)
        terms = self._telling(self.tokenizer.terms_of(words))
        weights = self._weights(terms)
        with self._lock:
            cat_hits = self._category_index.scores(terms, self.categories, weights)
            dep_hits = self._department_index.scores(terms, candidates, weights)
            handles = {k: tuple(self._handles[k]) for k in candidates}
        cat_score = {c: sum(h.values()) for c, h in cat_hits.items()}
        dep_score = {d: sum(h.values()) for d, h in dep_hits.items()}
        # Normalised by the best score, but never by less than a floor: one weak word alone must not count
        # as full evidence just because nothing else matched.
        cat_max = max(max(cat_score.values(), default=0.0), SCORE_FLOOR) or 1.0
        dep_max = max(max(dep_score.values(), default=0.0), SCORE_FLOOR) or 1.0

        named: dict[str, str] = {}
        candidate_set = set(candidates)
        home_districts = self._home_districts(region_code, text)
        for hit in alias_hits:
            keys = [k for k in hit.department_keys if k in candidate_set]
            if hit.scope == "city":
                keys = [k for k in keys if self.departments[k].level == "city"]
            elif hit.scope == "district":
                keys = [k for k in keys if self.departments[k].level == "district"]
            else:
                # A bare 工信局 in an appeal from 南山 is 南山's; the city's would be called 市工信局.
                local = [k for k in keys if self.departments[k].region_code in home_districts]
                keys = local or keys
            for k in keys:
                named.setdefault(k, hit.alias)

        if not cat_hits and not dep_hits and not named:
            return []  # no word of the text says anything: a guess from the priors alone would mislead staff
        # 市里 alone asks for the city; 区里和市里 … does not take the district out.
        asks_city = any(cue in text for cue in self.vocabulary.city_cues) and not any(
            cue in text for cue in self.vocabulary.district_cues
        )

        ranked: list[tuple[float, str, str]] = []
        for key in candidates:
            dept = self.departments[key]
            base = DEPARTMENT_WEIGHT * dep_score.get(key, 0.0) / dep_max
            if key in named:
                base += ALIAS_BONUS
            if dept.region_code in home_districts and not asks_city:
                base += DISTRICT_PRIOR
            best: tuple[float, str] | None = None
            for pos, cat in enumerate(handles[key]):
                s = (
                    base
                    + CATEGORY_WEIGHT * cat_score.get(cat, 0.0) / cat_max
                    + MAIN_CATEGORY_PRIOR / (1 + pos)
                )
                if key in self.vocabulary.leads.get(cat, ()):
                    s += LEAD_PRIOR
                if best is None or s > best[0]:
                    best = (s, cat)
            # A unit with no evidence at all (not named, no word of its profile or of the category) is left out.
            if best is not None and (key in named or key in dep_hits or best[1] in cat_hits):
                ranked.append((best[0], key, best[1]))
        ranked.sort(key=lambda r: (-r[0], r[1]))

        out: list[Suggestion] = []
        for score, key, cat in ranked[:top_k]:
            contributions: defaultdict[str, float] = defaultdict(float)
            for term, value in dep_hits.get(key, {}).items():
                contributions[term] += value
            for term, value in cat_hits.get(cat, {}).items():
                contributions[term] += value
            matched = [named[key]] if key in named else []
            whole = set(words)
            ordered = sorted(contributions, key=lambda t: (-contributions[t], t))
            # Words as written first; a bigram only when no matched word contains it.
            matched += [t for t in ordered if t in whole and t not in matched]
            matched += [t for t in ordered if t not in whole and not any(t in m for m in matched)]
            out.append(
                Suggestion(
                    department_key=key,
                    department_name=self.departments[key].name,
                    category_key=cat,
                    category_name=self.categories[cat].name,
                    score=round(score, 4),
                    matched_terms=matched[:MATCHED_TERMS_MAX],
                )
            )
        return out

    def _without(self, text: str, spans: list[tuple[int, int]]) -> str:
        chars = list(text)
        for start, end in spans:
            for i in range(start, end):
                chars[i] = " "
        out = "".join(chars)
        for place in self._places_longest_first:
            out = out.replace(place, " ")
        return out

    def _telling(self, terms: list[str]) -> list[str]:
        counts = Counter(terms)
        if len(counts) <= MAX_QUERY_TERMS:
            return terms
        index = self._department_index
        telling = {t: c * index.idf(t) if index.knows(t) else 0.0 for t, c in counts.items()}
        ranked = sorted(telling, key=lambda t: (-telling[t], t))
        keep = set(ranked[:MAX_QUERY_TERMS])
        return [t for t in terms if t in keep]

    def _weights(self, terms: Iterable[str]) -> dict[str, float]:
        # Bigrams count as much as whole words: weighting them 0.3–0.7 measured no better on the tuning set.
        return {t: WEAK_WORD_FACTOR for t in set(terms) if t in self._weak_terms}

    def rank_categories(self, text: str) -> list[tuple[str, float]]:
        """Categories alone, best first (for a caller that routes the unit by hand)."""
        if len(text) > MAX_TEXT_CHARS:
            raise AppealTextTooLong(len(text))
        with self._lock:
            content = self._without(text, [(h.start, h.end) for h in self._alias_hits(text)])
            terms = self.tokenizer.terms(content)
            hits = self._category_index.scores(terms, self.categories, self._weights(terms))
        return sorted(((c, round(sum(h.values()), 4)) for c, h in hits.items()), key=lambda r: (-r[1], r[0]))

    # ── learning from staff corrections ──

    def learn(self, text: str, category_key: str, department_key: str) -> None:
        """Staff confirmed or changed the route: the text's words join the unit's and category's profiles."""
        if category_key not in self.categories:
            raise ValueError(f"unknown category {category_key!r}")
        if department_key not in self.departments:
            raise ValueError(f"unknown department {department_key!r}")
        if len(text) > MAX_TEXT_CHARS:
            raise AppealTextTooLong(len(text))
        terms = self.tokenizer.terms(text) * LEARN_REPEAT
        with self._lock:
            self._department_index.add(department_key, terms)
            self._category_index.add(category_key, terms)
            if category_key not in self._handles[department_key]:
                self._handles[department_key].append(category_key)
            self.corrections_learned += 1

    @classmethod
    def with_corrections(
        cls,
        corrections: Iterable[tuple[str, str, str]],
        *,
        departments: Sequence[Department] | None = None,
        categories: Sequence[Category] | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> Router:
        """A router on the given (default: bundled) data that has learned stored (text, category, unit) rows.

        Rows naming a unit or category that no longer exists are skipped and counted in the log.
        """
        router = cls(
            departments if departments is not None else load_departments(),
            categories if categories is not None else load_categories(),
            vocabulary if vocabulary is not None else load_vocabulary(),
        )
        skipped = 0
        for text, category_key, department_key in corrections:
            if category_key not in router.categories or department_key not in router.departments:
                skipped += 1
                continue
            router.learn(text[:MAX_TEXT_CHARS], category_key, department_key)
        if skipped:
            log.warning(
                "appeal routing: skipped %d stored corrections naming unknown units or categories", skipped
            )
        return router


# ───────────────────────────── the module-level API ─────────────────────────────

_router: Router | None = None
_router_lock = threading.Lock()


def get_router() -> Router:
    """The process-wide router (bundled data), built on first use."""
    global _router
    if _router is None:
        with _router_lock:
            if _router is None:
                _router = Router.bundled()
    return _router


def set_router(router: Router | None) -> None:
    """Replace the process-wide router (e.g. ``Router.with_corrections(rows)`` at start-up); None resets it."""
    global _router
    with _router_lock:
        _router = router


def rebuild_from_corrections(corrections: Iterable[tuple[str, str, str]]) -> Router:
    """Rebuild the process-wide router from stored correction rows (text, category key, unit key)."""
    router = Router.with_corrections(corrections)
    set_router(router)
    return router


def suggest(text: str, region_code: str | None, *, top_k: int = 3) -> list[Suggestion]:
    """Ranked (unit, category) suggestions for an appeal's text from ``region_code`` (city or district code).

    Each suggestion is a different unit of the appeal's jurisdiction. An empty list when no unit serves the
    region or when no word of the text points anywhere. Raises ``AppealTextTooLong`` above ``MAX_TEXT_CHARS``; the caller rejects empty texts.
    """
    return get_router().suggest(text, region_code, top_k=top_k)
