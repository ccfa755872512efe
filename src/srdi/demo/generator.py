"""Seeded generator of a synthetic enterprise registry for demos and benchmarks.

Pure: no database, no clock (the caller passes ``as_of``), no global random state. Enterprise ``i`` of seed ``s`` is
drawn from its own ``random.Random`` keyed by ``(s, i)``, so it is the same whatever ``count`` is and however the
stream is chunked: ``--count 5000`` after ``--count 200`` adds 4,800 new enterprises and regenerates the first 200
identically (the loader skips USCCs that already exist).

Each record holds plain dicts shaped like the registry tables (``srdi.enterprise.models``) without ids, so the
loader can bulk-insert them and a benchmark can turn them into columns.
"""

from __future__ import annotations

import csv
import math
import random
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from operator import mul
from typing import Any

from srdi.demo import wordlists as W
from srdi.enterprise.enums import (
    AwardKind,
    AwardLevel,
    CertificationKind,
    ComplianceKind,
    ContestGroup,
    HonourKind,
    IpType,
    ProductField,
    Provenance,
    RdInstitutionLevel,
    RecognitionLevel,
    RecognitionStatus,
    RevocationReason,
    Tier,
    ip_class_of,
)
from srdi.enterprise.models import YEARLY_FIGURES
from srdi.enterprise.size_class import SizeTable, classify, default_table
from srdi.kit.reference import industries, regions, strategic_emerging_codes
from srdi.kit.uscc import USCC_ALPHABET, uscc_check_char

DEMO_TAG = "演示数据"
PROBLEM_TAG = "数据待核"
HTE_TAG = "高新技术企业"
SYNTHETIC = Provenance.synthetic.value
EVIDENCE = "演示数据（合成），非真实记录"
FEN_PER_WAN = 1_000_000

# Share of enterprises that get one planted data problem, and the problems (identifier → what an official sees).
# Every problem passes the registry's field validation; each only looks wrong next to the other facts.
PROBLEM_SHARE = 0.05
PROBLEMS: dict[str, str] = {
    "missing_latest_rd": "最近一年研发费用缺失",
    "revenue_jump_10x": "最近一年营业收入较上年突增约10倍",
    "rd_exceeds_revenue": "最近一年研发费用大于营业收入",
    "missing_middle_year": "中间年度数据缺失（年度不连续）",
    "niche_start_before_founding": "细分市场开始时间早于企业成立日期",
    "niche_start_in_future": "细分市场开始时间晚于今天",
    "expired_honour_claimed": "高新技术企业证书已过期但仍标注为高新技术企业",
    "stale_valid_recognition": "认定有效期已过但状态仍为“有效”",
    "no_yearly_figures": "没有任何年度经营数据",
}

# Band edges the tier rules test (CRITERIA §3–§5, 300号): some enterprises sit exactly on them.
REVENUE_EDGES_WAN = (1000, 1500, 2000, 5000, 10000)
RD_INTENSITY_EDGES_BP = (300, 300, 300, 500, 600)  # 3% is the edge most rules use, so it comes up more often
DEBT_RATIO_EDGES_BP = (5500, 7000, 7500)
MAIN_SHARE_EDGES_BP = (7000, 8000)

# Probability of each quality level (0 ordinary … 3 小巨人 calibre): drives figures, facts and recognitions together.
QUALITY_WEIGHTS = (0.55, 0.30, 0.12, 0.03)

# 组织机构代码 (GB 11714-1997) weights; the 统一社会信用代码 (GB 32100-2015) rule is srdi.kit.uscc.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
NUMERIC_ORG_SPACE = 10**8
MA_ORG_SPACE = len(USCC_ALPHABET) ** 6


def org_code_check_char(body: str) -> str:
    """GB 11714 check character of an 8-character 组织机构代码 body (digits 0–9, letters A=10 … Z=35)."""
    total = sum(int(c, 36) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def make_uscc(region_code: str, org_body: str) -> str:
    """登记管理部门 9 (市场监管) + 机构类别 1 (企业) + 区划 + 组织机构代码 (8 + check) + check."""
    org = org_body + org_code_check_char(org_body)
    first17 = "91" + region_code + org
    return first17 + uscc_check_char(first17)


@dataclass(frozen=True)
class DemoSpec:
    count: int
    as_of: date
    seed: int = 42
    years: int = 3

    @property
    def fiscal_years(self) -> tuple[int, ...]:
        """The last ``years`` completed fiscal years before ``as_of`` (2026-11-21, 3 → 2023, 2024, 2025)."""
        last = self.as_of.year - 1
        return tuple(range(last - self.years + 1, last + 1))


@dataclass(slots=True)
class DemoEnterprise:
    index: int
    enterprise: dict[str, Any]
    yearly: list[dict[str, Any]]
    facts: dict[str, list[dict[str, Any]]]
    problems: tuple[str, ...] = ()


@dataclass
class DemoSummary:
    """Counts over a generated stream, for the command's report."""

    enterprises: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    problem_examples: dict[str, list[str]] = field(default_factory=dict)
    size_classes: Counter[str] = field(default_factory=Counter)
    tiers: Counter[str] = field(default_factory=Counter)
    cities: Counter[str] = field(default_factory=Counter)

    def add(self, rec: DemoEnterprise, examples: int = 3) -> None:
        self.enterprises += 1
        ent = rec.enterprise
        self.size_classes[ent["size_class"] or "unknown"] += 1
        self.cities[ent["region_code"][:4]] += 1
        for tier in {r["tier"] for r in rec.facts["recognition"] if r["status"] == "valid"}:
            self.tiers[tier] += 1
        for p in rec.problems:
            self.problems[p] += 1
            ex = self.problem_examples.setdefault(p, [])
            if len(ex) < examples:
                ex.append(f"{ent['uscc']} {ent['name']}")


class _Weighted:
    """Draw from a fixed population with weights (bisect over cumulative weights)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, weights: dict[Any, float] | list[tuple[Any, float]]):
        pairs = list(weights.items()) if isinstance(weights, dict) else list(weights)
        self.items = [k for k, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


@lru_cache
def _sei_rows() -> dict[str, list[dict[str, str]]]:
    text = resources.files("srdi.reference").joinpath("sei2018_to_gbt4754.derived.csv").read_text("utf-8")
    out: dict[str, list[dict[str, str]]] = {}
    for row in csv.DictReader(text.splitlines()):
        out.setdefault(row["gbt_code"], []).append(row)
    return out


class _Context:
    """Everything that depends on the seed but not on the enterprise: weights, permutations, lookups."""

    def __init__(self, spec: DemoSpec, table: SizeTable | None = None):
        self.spec = spec
        self.table = table or default_table()
        master = random.Random(f"srdi-demo:{spec.seed}")
        regs = regions()
        weights: list[tuple[str, float]] = []
        for code, reg in sorted(regs.items()):
            if reg.city_code == "4403":
                w = (
                    W.SHENZHEN_WEIGHTS.get(code, 1)
                    / sum(W.SHENZHEN_WEIGHTS.values())
                    * W.CITY_WEIGHTS["4403"]
                )
            elif code == "441900":
                w = W.CITY_WEIGHTS["4419"]
            elif reg.province_code == "50":
                cq = [c for c in regs if c.startswith("50")]
                cq_total = sum(W.CHONGQING_HEAVY.get(c, 1) for c in cq)
                w = W.CHONGQING_HEAVY.get(code, 1) / cq_total * W.CITY_WEIGHTS["50"]
            else:
                continue
            weights.append((code, w))
        self.region = _Weighted(weights)
        self.region_names = {c: regs[c].name for c, _ in weights}

        inds = industries()
        sei = strategic_emerging_codes()
        by_division: dict[str, list[str]] = {}
        for code, node in inds.items():
            if node.level == 4:
                by_division.setdefault(code[:2], []).append(code)
        self.division = _Weighted(W.DIVISION_WEIGHTS)
        # Inside a division, codes in 战略性新兴产业分类 are three times as likely: the demo is about innovators.
        self.codes = {
            div: _Weighted([(c, 3.0 if c in sei else 1.0) for c in sorted(by_division[div])])
            for div in W.DIVISION_WEIGHTS
        }
        self.sections = {code: node.section for code, node in inds.items()}
        self.industry_names = {code: node.name for code, node in inds.items()}
        self.sei = sei
        self.size_group: dict[str, str] = {}

        # Affine permutations (a·i + b mod m, gcd(a, m) = 1) make 字号 and 组织机构代码 unique per index.
        self.perm = {}
        for name, m in (
            ("name2", len(W.TRADE_NAME_CHARS) ** 2),
            ("name3", len(W.TRADE_NAME_CHARS) ** 3),
            ("org_numeric", NUMERIC_ORG_SPACE),
            ("org_ma", MA_ORG_SPACE),
        ):
            a = master.randrange(m // 3, m)
            while math.gcd(a, m) != 1:
                a += 1
            self.perm[name] = (a, master.randrange(m), m)

    def permute(self, name: str, i: int) -> int:
        a, b, m = self.perm[name]
        return (a * i + b) % m

    def group_of(self, industry_code: str) -> str:
        gid = self.size_group.get(industry_code)
        if gid is None:
            gid = self.table.group_for(industry_code).id
            self.size_group[industry_code] = gid
        return gid


def generate(spec: DemoSpec, *, start: int = 0, table: SizeTable | None = None) -> Iterator[DemoEnterprise]:
    """Enterprises ``start`` … ``spec.count - 1`` of the seed, one at a time (constant memory)."""
    ctx = _Context(spec, table)
    for i in range(start, spec.count):
        yield _enterprise(ctx, i)


def generate_one(spec: DemoSpec, index: int) -> DemoEnterprise:
    return _enterprise(_Context(spec), index)


# --------------------------------------------------------------------------------------------------------------
# One enterprise


def _enterprise(ctx: _Context, index: int) -> DemoEnterprise:
    spec = ctx.spec
    rng = random.Random(spec.seed * 10_000_019 + index)
    as_of = spec.as_of
    quality = _draw_index(rng, QUALITY_WEIGHTS)

    region_code = ctx.region.draw(rng)
    division = ctx.division.draw(rng)
    industry_code = ctx.codes[division].draw(rng)
    section = ctx.sections[industry_code]
    group = ctx.group_of(industry_code)

    founded = _founded_date(rng, as_of, quality)
    uscc = _uscc(ctx, index, region_code, founded)
    name = _company_name(ctx, rng, index, region_code, division, section, quality)

    problem = None
    if rng.random() < PROBLEM_SHARE:
        problem = _pick(rng, tuple(PROBLEMS))

    fiscal_years = [y for y in spec.fiscal_years if y >= founded.year]
    yearly = _yearly_figures(rng, fiscal_years, quality, group, division)
    problems: list[str] = []
    if problem is not None and _apply_figure_problem(rng, problem, yearly):
        problems.append(problem)

    tags = [DEMO_TAG]
    facts: dict[str, list[dict[str, Any]]] = {
        "ip_item": _ip_items(rng, as_of, founded, quality, division, industry_code, ctx),
        "award": _awards(rng, as_of, founded, quality),
        "honour": [],
        "rd_institution": _rd_institutions(rng, as_of, founded, quality, region_code, ctx),
        "certification": _certifications(rng, as_of, founded, section, quality),
        "niche_market": [],
        "main_product": _main_products(rng, ctx, industry_code, quality),
        "compliance_record": _compliance(rng, as_of, founded),
        "recognition": [],
    }
    honours, holds_hte = _honours(rng, as_of, founded, quality, section)
    facts["honour"] = honours
    facts["niche_market"] = _niche_markets(rng, as_of, founded, quality, facts["main_product"])
    latest = yearly[-1] if yearly else None
    facts["recognition"] = _recognitions(rng, as_of, founded, quality, region_code, latest)

    if problem is not None and not problems and _apply_fact_problem(rng, problem, as_of, founded, facts):
        problems.append(problem)
    if "expired_honour_claimed" in problems or holds_hte:
        tags.append(HTE_TAG)
    if problems:
        tags.append(PROBLEM_TAG)

    size_class, size_year = _size_class(ctx, industry_code, yearly)
    enterprise = {
        "uscc": uscc,
        "name": name,
        "founded_date": founded,
        "region_code": region_code,
        "industry_code": industry_code,
        "size_class": size_class,
        "size_class_year": size_year,
        "tags": tags,
        "digital_level": _draw_index(rng, ((0.35, 0.4, 0.2, 0.05), (0.15, 0.4, 0.35, 0.1),
                                           (0.05, 0.3, 0.45, 0.2), (0.0, 0.15, 0.5, 0.35))[quality]) + 1,
        "own_brand": rng.random() < (0.35, 0.6, 0.8, 0.95)[quality],
        "standards_drafted": _standards(rng, quality),
        "core_business_on_it_system": rng.random() < (0.4, 0.65, 0.85, 0.95)[quality],
        "main_product_field": _draw_from(rng, ((ProductField.key_chain_gap, (0.05, 0.15, 0.35, 0.55)[quality]),
                                               (ProductField.industrial_foundation, (0.05, 0.1, 0.25, 0.3)[quality]),
                                               (ProductField.other, 1.0))).value,
        # Eligibility facts a reviewer confirms (CRITERIA §2 E1, E4; 2026 N8): mostly confirmed, some still open.
        "independent_legal_person": _draw_from(rng, ((None, 0.03), (False, 0.005), (True, 1.0))),
        "restricted_product": _draw_from(rng, ((None, 0.03), (True, 0.004), (False, 1.0))),
        "niche_market_leading": (
            None
            if not facts["niche_market"] or rng.random() < 0.3
            else rng.random() < (0, 0.2, 0.55, 0.9)[quality]
        ),
        # 特色化 (63号 附件2 indicator 9): 广东 and 重庆 have no table here, so a direct score out of 15.
        "local_feature_score": _local_feature_score(rng, quality),
        "local_answers": {},
        "contact_name": _pick(rng, W.SURNAMES) + "".join(rng.choices(W.GIVEN_NAME_CHARS, k=_pick(rng, (1, 2, 2)))),
        # 138/139/186 + 0000 + 4 digits: the right format, visibly not a real subscriber number.
        "contact_phone": f"{_pick(rng, ('138', '139', '186'))}0000{_rr(rng, 10_000):04d}",
        "address": _address(rng, region_code, ctx),
        "is_synthetic": True,
    }  # fmt: skip
    return DemoEnterprise(
        index=index, enterprise=enterprise, yearly=yearly, facts=facts, problems=tuple(problems)
    )


# random.Random's randrange/randint/choice cost ~1 µs each (argument checks, rejection sampling); a float draw
# scaled to the range is ~10× cheaper and just as uniform at these sizes (< 2**31 outcomes vs 53-bit floats).
def _rr(rng: random.Random, a: int, b: int | None = None) -> int:
    """Like ``randrange(a)`` / ``randrange(a, b)``."""
    if b is None:
        return int(rng.random() * a)
    return a + int(rng.random() * (b - a))


def _ri(rng: random.Random, a: int, b: int) -> int:
    """Like ``randint(a, b)``: both ends included."""
    return a + int(rng.random() * (b - a + 1))


def _pick(rng: random.Random, seq: Any) -> Any:
    return seq[int(rng.random() * len(seq))]


def _draw_index(rng: random.Random, probs: tuple[float, ...]) -> int:
    x = rng.random() * sum(probs)
    acc = 0.0
    for i, p in enumerate(probs):
        acc += p
        if x < acc:
            return i
    return len(probs) - 1


def _draw_from(rng: random.Random, pairs: tuple[tuple[Any, float], ...]) -> Any:
    """First item whose probability hits; the last pair is the fallback."""
    for item, p in pairs:
        if rng.random() < p:
            return item
    return pairs[-1][0]


def _days(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=_rr(rng, (end - start).days + 1))


def _plus_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _founded_date(rng: random.Random, as_of: date, quality: int) -> date:
    # Older firms are likelier at the higher tiers (小巨人 needs years in the niche); a few are founded this year.
    age = rng.lognormvariate(math.log((6, 9, 12, 15)[quality]), 0.55)
    age = min(max(age, 0.3), 32.0)
    return as_of - timedelta(days=int(age * 365.25))


def _uscc(ctx: _Context, index: int, region_code: str, founded: date) -> str:
    # Codes issued after the 2015 reform carry an 组织机构代码 that starts with MA; older firms kept a numeric one.
    if founded >= date(2016, 1, 1):
        p = ctx.permute("org_ma", index)
        chars = []
        for _ in range(6):
            p, r = divmod(p, len(USCC_ALPHABET))
            chars.append(USCC_ALPHABET[r])
        body = "MA" + "".join(chars)
    else:
        body = f"{ctx.permute('org_numeric', index):08d}"
    return make_uscc(region_code, body)


def _trade_name(ctx: _Context, index: int) -> str:
    chars = W.TRADE_NAME_CHARS
    n = len(chars)
    # Two-character 字号 for the first n² indices, three characters after: unique per index within a seed.
    # The affine step moves the high digit slowly, so each digit is mixed with the lower ones (still a bijection).
    if index < n * n:
        hi, lo = divmod(ctx.permute("name2", index), n)
        return chars[lo] + chars[(hi + 37 * lo) % n]
    p = ctx.permute("name3", index - n * n)
    hi, rest = divmod(p, n * n)
    mid, lo = divmod(rest, n)
    return chars[lo] + chars[(mid + 37 * lo) % n] + chars[(hi + 53 * mid + 11 * lo) % n]


def _company_name(
    ctx: _Context, rng: random.Random, index: int, region_code: str, division: str, section: str, quality: int
) -> str:
    city = "深圳市" if region_code.startswith("4403") else "东莞市" if region_code == "441900" else "重庆"
    words = W.DIVISION_WORDS.get(division) or W.SECTION_WORDS.get(section, ("科技",))
    suffix = "股份有限公司" if rng.random() < (0.06, 0.12, 0.25, 0.5)[quality] else "有限公司"
    return f"{city}{_trade_name(ctx, index)}{_pick(rng, words)}{suffix}"


def _address(rng: random.Random, region_code: str, ctx: _Context) -> str:
    road = _pick(rng, W.ROAD_STEMS) + _pick(rng, W.ROAD_SUFFIXES)
    number = f"{_ri(rng, 1, 399)}号"
    if rng.random() < 0.5:
        number += f"{_pick(rng, W.PARKS)}{_ri(rng, 1, 12)}栋{_ri(rng, 1, 20)}楼"
    if region_code == "441900":
        return f"广东省东莞市{_pick(rng, W.DONGGUAN_TOWNS)}{road}{number}"
    if region_code.startswith("4403"):
        return f"广东省深圳市{ctx.region_names[region_code]}{road}{number}"
    return f"重庆市{ctx.region_names[region_code]}{road}{number}"


def _local_feature_score(rng: random.Random, quality: int) -> int | None:
    if quality == 0 or rng.random() < 0.4:
        return None
    if rng.random() < 0.1:
        return int(_pick(rng, (0, 15)))
    return _rr(rng, 3, 16)


def _standards(rng: random.Random, quality: int) -> int:
    mean = (0.2, 0.8, 2.0, 4.0)[quality]
    n = 0
    while rng.random() < mean / (mean + 1):
        n += 1
    return n


# --------------------------------------------------------------------------------------------------------------
# Yearly figures (integer fen)


def _yuan(x: float) -> int:
    """A float amount in fen rounded to whole yuan (statements are kept to the yuan; every edge stays exact)."""
    return max(0, round(x / 100)) * 100


def _share(amount: int, bp: int) -> int:
    """``amount × bp / 10000`` exactly when ``amount`` is whole yuan and bp a multiple of 1 (fen, floor)."""
    return amount * bp // 10_000


def _yearly_figures(
    rng: random.Random, years: list[int], quality: int, group: str, division: str
) -> list[dict[str, Any]]:
    if not years:
        return []
    n = len(years)
    rd_heavy = division in ("65", "64", "73", "75", "27", "39", "40")
    employees_last = round(rng.lognormvariate(math.log((14, 45, 110, 320)[quality]), 1.0))
    employees_last = min(max(employees_last, 2), 12_000)
    rpe_wan = rng.lognormvariate(math.log(W.REVENUE_PER_EMPLOYEE_WAN.get(group, 40)), 0.5)
    revenue_last = _yuan(employees_last * rpe_wan * FEN_PER_WAN)
    edge_revenue = rng.random() < 0.04
    if edge_revenue:
        revenue_last = _pick(rng, REVENUE_EDGES_WAN) * FEN_PER_WAN

    growth_mean = rng.gauss(0.06 + 0.04 * quality, 0.12)
    growths = [min(max(growth_mean + rng.gauss(0, 0.08), -0.6), 2.0) for _ in range(n - 1)]
    revenues = [revenue_last]
    employees = [employees_last]
    for g in reversed(growths):
        revenues.append(_yuan(revenues[-1] / (1 + g)))
        employees.append(max(1, round(employees[-1] / (1 + g * 0.4 + rng.gauss(0, 0.03)))))
    revenues.reverse()
    employees.reverse()

    main_share = min(max(rng.gauss(0.9 + 0.02 * quality, 0.07), 0.45), 1.0)
    rd_base = (0.012, 0.04, 0.06, 0.075)[quality] * (1.8 if rd_heavy else 1.0)
    no_rd = quality == 0 and rng.random() < 0.25
    debt = min(max(rng.gauss(0.45, 0.17), 0.03), 0.97)
    assets_ratio = rng.lognormvariate(math.log(0.9), 0.4)
    margin_mean = rng.gauss(0.04 + 0.015 * quality, 0.06)
    rd_staff_share = min(max(rng.gauss(0.07 + 0.05 * quality, 0.04) * (1.5 if rd_heavy else 1.0), 0.0), 0.8)
    equity_year = _rr(rng, n) if quality >= 2 and rng.random() < 0.2 else None
    edge_rd = rng.random() < 0.06
    edge_debt = rng.random() < 0.04
    edge_main = rng.random() < 0.04

    out: list[dict[str, Any]] = []
    for k, year in enumerate(years):
        rev = revenues[k]
        last = k == n - 1
        share_bp = round(min(max(main_share + rng.gauss(0, 0.02), 0.4), 1.0) * 10_000)
        if last and edge_main:
            share_bp = _pick(rng, MAIN_SHARE_EDGES_BP)
        main = _share(rev, share_bp)
        if no_rd:
            rd = 0
        else:
            rd_bp = round(min(max(rng.lognormvariate(math.log(rd_base), 0.3), 0.001), 0.4) * 10_000)
            if last and edge_rd:
                rd_bp = _pick(rng, RD_INTENSITY_EDGES_BP)
            rd = _share(rev, rd_bp)
        assets = _yuan(rev * assets_ratio * rng.uniform(0.95, 1.05)) or 100_000_00
        debt_bp = round(min(max(debt + rng.gauss(0, 0.03), 0.02), 0.98) * 10_000)
        if last and edge_debt:
            debt_bp = _pick(rng, DEBT_RATIO_EDGES_BP)
        liabilities = _share(assets, debt_bp)
        net = round(rev * (margin_mean + rng.gauss(0, 0.02)) / 100) * 100
        cost = max(0, rev - round(net * 1.15 / 100) * 100)
        emp = employees[k]
        rd_staff = min(emp, round(emp * min(max(rd_staff_share + rng.gauss(0, 0.01), 0.0), 0.8)))
        equity = 0
        if equity_year == k:
            equity = 500 * FEN_PER_WAN if rng.random() < 0.2 else _yuan(rng.uniform(200, 8000) * FEN_PER_WAN)
        values: dict[str, Any] = {
            "fiscal_year": year,
            "operating_revenue": rev,
            "main_business_revenue": main,
            "rd_expense": rd,
            "net_profit": net,
            "total_assets": assets,
            "total_liabilities": liabilities,
            "qualified_equity_raised": equity,
            "total_cost_expense": cost,
            "employees": emp,
            "rd_staff": rd_staff,
            "development_score": None,
        }
        if last and quality >= 1 and rng.random() < 0.5:
            score = Decimal(60) if rng.random() < 0.1 else Decimal(_rr(rng, 4500, 9600)) / 100
            values["development_score"] = score.quantize(Decimal("0.01"))
        out.append(values)
    for values in out:
        _set_sources(values)
    return out


def _set_sources(values: dict[str, Any]) -> None:
    values["sources"] = {k: SYNTHETIC for k in YEARLY_FIGURES if values.get(k) is not None}
    values["updated_by"] = "srdi demo"


def _apply_figure_problem(rng: random.Random, problem: str, yearly: list[dict[str, Any]]) -> bool:
    if problem == "no_yearly_figures":
        if not yearly:
            return False
        yearly.clear()
        return True
    if not yearly:
        return False
    last = yearly[-1]
    if problem == "missing_latest_rd":
        last["rd_expense"] = None
    elif problem == "revenue_jump_10x":
        if len(yearly) < 2:
            return False
        prev = yearly[-2]["operating_revenue"]
        last["operating_revenue"] = prev * 10
        last["main_business_revenue"] = _share(prev * 10, 9_000)
        last["total_cost_expense"] = max(0, prev * 10 - (last["net_profit"] or 0))
    elif problem == "rd_exceeds_revenue":
        last["rd_expense"] = _share(last["operating_revenue"], _rr(rng, 11_000, 20_000))
    elif problem == "missing_middle_year":
        if len(yearly) < 3:
            return False
        del yearly[len(yearly) // 2]
        return True
    else:
        return False
    _set_sources(last)
    return True


def _size_class(
    ctx: _Context, industry_code: str, yearly: list[dict[str, Any]]
) -> tuple[str | None, int | None]:
    """Same rule as ``service.recompute_size_class``: the latest fiscal year that has any of the size figures."""
    for fig in reversed(yearly):
        if fig["employees"] is None and fig["operating_revenue"] is None and fig["total_assets"] is None:
            continue
        cls = classify(
            industry_code,
            employees=fig["employees"],
            operating_revenue_fen=fig["operating_revenue"],
            total_assets_fen=fig["total_assets"],
            table=ctx.table,
        )
        return (cls.value if cls else None), fig["fiscal_year"]
    return None, None


# --------------------------------------------------------------------------------------------------------------
# Facts


def _fact(**values: Any) -> dict[str, Any]:
    values.setdefault("source", SYNTHETIC)
    values.setdefault("evidence", EVIDENCE)
    return values


_PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def _patent_number(rng: random.Random, year: int, kind: int) -> str:
    """CN application number ZL + year + kind (1 invention, 2 utility model, 3 design) + 7 digits + check."""
    body = f"{year}{kind}{_rr(rng, 10**7):07d}"
    check = sum(map(mul, map(int, body), _PATENT_WEIGHTS)) % 11
    return f"ZL{body}.{'X' if check == 10 else check}"


def _ip_items(
    rng: random.Random,
    as_of: date,
    founded: date,
    quality: int,
    division: str,
    industry_code: str,
    ctx: _Context,
) -> list[dict[str, Any]]:
    software = division in ("63", "64", "65")
    n_class1 = int(rng.lognormvariate(math.log((0.3, 1.5, 4, 10)[quality] + 0.5), 0.6))
    n_class2 = int(rng.lognormvariate(math.log((2, 6, 12, 25)[quality]), 0.6))
    if quality == 0 and rng.random() < 0.3:
        n_class1, n_class2 = 0, 0
    topic = ctx.industry_names[industry_code].removesuffix("制造").removesuffix("服务")
    first = max(founded + timedelta(days=200), as_of - timedelta(days=365 * 12))
    items = []
    for k in range(n_class1 + n_class2):
        if k < n_class1:
            ip_type = (
                IpType.ic_layout_design
                if division == "39" and rng.random() < 0.2
                else IpType.invention_patent
            )
        elif software:
            ip_type = IpType.software_copyright if rng.random() < 0.85 else IpType.utility_model
        else:
            ip_type = (
                IpType.utility_model
                if rng.random() < 0.7
                else _pick(rng, (IpType.design_patent, IpType.software_copyright))
            )
        granted = _days(rng, first, as_of - timedelta(days=10))
        if ip_type == IpType.software_copyright:
            title = (
                f"{_pick(rng, W.PATENT_TOPIC_WORDS)}{topic}{_pick(rng, W.SOFTWARE_WORDS)}V{_ri(rng, 1, 5)}.0"
            )
            number = f"{granted.year}SR{_rr(rng, 10**7):07d}"
        elif ip_type == IpType.ic_layout_design:
            title = f"{_pick(rng, W.PATENT_TOPIC_WORDS)}{topic}芯片布图设计"
            number = f"BS.{granted.year % 100:02d}{_rr(rng, 10**6):06d}.{_rr(rng, 10)}"
        else:
            kind = {IpType.invention_patent: 1, IpType.utility_model: 2}.get(ip_type, 3)
            if kind == 3:
                title = f"{topic}{_pick(rng, W.DESIGN_OBJECTS)}（外观设计）"
            else:
                title = f"一种{_pick(rng, W.PATENT_TOPIC_WORDS)}{topic}{_pick(rng, W.PATENT_METHOD_WORDS)}"
            # Filed before granted: inventions take 1–4 years to examine, utility models and designs about one.
            lag = _ri(rng, 1, 4) if kind == 1 else _ri(rng, 0, 1)
            number = _patent_number(rng, max(granted.year - lag, 2003), kind)
        transferred = rng.random() < 0.08
        items.append(
            _fact(
                ip_type=ip_type.value,
                ip_class=ip_class_of(ip_type),
                title=title[:300],
                number=number,
                granted_date=granted,
                self_developed=not transferred,
                high_value=ip_type == IpType.invention_patent and rng.random() < 0.3,
                related_to_main_product=rng.random() < 0.85,
                in_use=rng.random() < 0.9,
                transferred_in_date=_days(rng, granted, as_of) if transferred else None,
                # Co-owned patents: the enterprise is usually the first right-holder (2026 小巨人 G4 counts top 3).
                rank_among_holders=(
                    None
                    if ip_class_of(ip_type) == 2
                    else _draw_from(rng, ((2, 0.08), (3, 0.04), (4, 0.03), (1, 1.0)))
                ),
            )
        )
    return items


def _awards(rng: random.Random, as_of: date, founded: date, quality: int) -> list[dict[str, Any]]:
    out = []
    since = max(founded, as_of - timedelta(days=365 * 6))
    if quality >= 2 and rng.random() < 0.18:
        out.append(_fact(kind=AwardKind.science_technology.value, level=AwardLevel.provincial.value,
                         name=f"省科学技术进步奖{_pick(rng, ('一', '二', '三'))}等奖",
                         award_date=_days(rng, since, as_of), rank=_ri(rng, 1, 6)))  # fmt: skip
    if quality == 3 and rng.random() < 0.1:
        out.append(_fact(kind=AwardKind.science_technology.value, level=AwardLevel.national.value,
                         name=f"国家科学技术进步奖{_pick(rng, ('一', '二'))}等奖",
                         award_date=_days(rng, since, as_of), rank=_ri(rng, 1, 7)))  # fmt: skip
    if quality >= 1 and rng.random() < 0.05:
        top = 50 if rng.random() < 0.2 else 500
        when = _days(rng, since, as_of)
        # About one entry in four is on a 创客组 list, which is no direct route (the date decides, so the random
        # stream — and every other demo fact — stays as it was).
        group = ContestGroup.maker_group if when.toordinal() % 4 == 0 else ContestGroup.enterprise_group
        out.append(_fact(kind=AwardKind.maker_china.value, level=AwardLevel.national.value,
                         name=f"“创客中国”中小企业创新创业大赛全国{top}强{group.label}",
                         award_date=when, top_group=top, contest_group=group.value))  # fmt: skip
    if rng.random() < 0.03:
        out.append(_fact(kind=AwardKind.quality.value, level=AwardLevel.municipal.value, name="市长质量奖",
                         award_date=_days(rng, since, as_of)))  # fmt: skip
    if rng.random() < 0.02 * (quality + 1):
        out.append(_fact(kind=AwardKind.industrial_design.value, level=AwardLevel.provincial.value,
                         name="省长杯工业设计大赛优秀奖", award_date=_days(rng, since, as_of)))  # fmt: skip
    return out


def _honours(
    rng: random.Random, as_of: date, founded: date, quality: int, section: str
) -> tuple[list[dict[str, Any]], bool]:
    out = []
    holds_hte = False
    if rng.random() < (0.12, 0.55, 0.8, 0.95)[quality] and (as_of - founded).days > 400:
        # 高新技术企业 certificates run three years; firms renew or lapse. Keep the latest two certificates.
        start = _days(rng, max(founded + timedelta(days=365), as_of - timedelta(days=365 * 9)),
                      as_of - timedelta(days=30))  # fmt: skip
        certs = [start]
        while _plus_years(certs[-1], 3) <= as_of and rng.random() < 0.75:
            certs.append(_plus_years(certs[-1], 3) + timedelta(days=_ri(rng, -40, 60)))
        for vf in certs[-2:]:
            vu = _plus_years(vf, 3) - timedelta(days=1)
            out.append(_fact(kind=HonourKind.high_tech_enterprise.value, name="高新技术企业",
                             level=RecognitionLevel.national.value, valid_from=vf, valid_until=vu))  # fmt: skip
        holds_hte = any(h["valid_from"] <= as_of <= h["valid_until"] for h in out)
    extras = (
        (HonourKind.ip_advantage, "知识产权优势企业", RecognitionLevel.provincial, (0.0, 0.04, 0.15, 0.3)),
        (HonourKind.ip_demo, "知识产权示范企业", RecognitionLevel.national, (0.0, 0.0, 0.03, 0.12)),
        (HonourKind.tech_innovation_demo, "国家级技术创新示范企业", RecognitionLevel.national, (0, 0, 0.0, 0.1)),
        (HonourKind.first_set_product, "首台（套）重大技术装备", RecognitionLevel.provincial, (0, 0.02, 0.06, 0.15)),
        (HonourKind.green_factory, "绿色工厂", RecognitionLevel.provincial, (0.01, 0.02, 0.05, 0.1)),
    )  # fmt: skip
    for kind, name, level, probs in extras:
        if kind == HonourKind.green_factory and section != "C":
            continue
        if rng.random() < probs[quality]:
            vf = _days(rng, max(founded, as_of - timedelta(days=365 * 5)), as_of - timedelta(days=1))
            out.append(_fact(kind=kind.value, name=name, level=level.value, valid_from=vf,
                             valid_until=_plus_years(vf, 3) - timedelta(days=1)))  # fmt: skip
    return out, holds_hte


def _rd_institutions(
    rng: random.Random, as_of: date, founded: date, quality: int, region_code: str, ctx: _Context
) -> list[dict[str, Any]]:
    if rng.random() >= (0.1, 0.4, 0.75, 0.95)[quality]:
        return []
    level = RdInstitutionLevel(
        _draw_from(rng, (
            ("national", (0.0, 0.005, 0.03, 0.15)[quality]),
            ("provincial", (0.03, 0.15, 0.4, 0.6)[quality]),
            ("municipal", (0.3, 0.5, 0.6, 0.8)[quality]),
            ("below_municipal", 1.0),
        ))
    )  # fmt: skip
    province = "重庆市" if region_code.startswith("50") else "广东省"
    city = (
        "重庆市" if region_code.startswith("50") else "深圳市" if region_code.startswith("4403") else "东莞市"
    )
    prefix = {
        RdInstitutionLevel.national: "国家",
        RdInstitutionLevel.provincial: province,
        RdInstitutionLevel.municipal: city,
        RdInstitutionLevel.below_municipal: ctx.region_names[region_code],
    }[level]
    return [
        _fact(name=f"{prefix}{_pick(rng, W.RD_INSTITUTION_KINDS)}", level=level.value,
              recognized_date=_days(rng, founded + timedelta(days=180), as_of - timedelta(days=1)))
    ]  # fmt: skip


def _certifications(
    rng: random.Random, as_of: date, founded: date, section: str, quality: int
) -> list[dict[str, Any]]:
    out = []
    manufacturing = section == "C"
    if rng.random() < (0.55 if manufacturing else 0.3) + 0.08 * quality:
        issued = _days(rng, max(founded, as_of - timedelta(days=365 * 4)), as_of)
        out.append(_fact(kind=CertificationKind.iso9001.value, name="ISO 9001 质量管理体系认证",
                         valid_until=_plus_years(issued, 3)))  # fmt: skip
    if rng.random() < 0.1 + 0.08 * quality:
        issued = _days(rng, max(founded, as_of - timedelta(days=365 * 4)), as_of)
        out.append(_fact(kind=CertificationKind.management_system.value, name=_pick(rng, W.CERT_MANAGEMENT),
                         valid_until=_plus_years(issued, 3)))  # fmt: skip
    if manufacturing and quality >= 1 and rng.random() < 0.12 * quality:
        out.append(_fact(kind=CertificationKind.developed_market_product.value,
                         name=_pick(rng, W.CERT_DEVELOPED_MARKET), valid_until=None))  # fmt: skip
    return out


def _main_products(
    rng: random.Random, ctx: _Context, industry_code: str, quality: int
) -> list[dict[str, Any]]:
    sei_rows = _sei_rows().get(industry_code, [])
    base = ctx.industry_names[industry_code].removesuffix("制造").removesuffix("服务").removesuffix("业")
    series = W.PRODUCT_SERIES if ctx.sections[industry_code] == "C" else W.SERVICE_SERIES
    n = _draw_index(rng, (0.5, 0.35, 0.15)) + 1
    shares = sorted((rng.uniform(0.2, 1.0) for _ in range(n)), reverse=True)
    total_bp = _ri(rng, 7000, 10_000)
    out = []
    for k in range(n):
        strategic = bool(sei_rows) and rng.random() < 0.55 + 0.1 * quality
        if strategic:
            row = _pick(rng, sei_rows)
            products = [p for p in row["products"].split("；") if p and len(p) <= 40]
            name = _pick(rng, products) if products else f"{base}{_pick(rng, series)}"
            category = "／".join(x for x in (row["sei_l1"], row["sei_l2"]) if x)
        else:
            name = f"{base}{_pick(rng, series)}"
            category = None
        out.append(_fact(name=name[:300], strategic_emerging=strategic, strategic_category=category,
                         revenue_share_bp=round(total_bp * shares[k] / sum(shares))))  # fmt: skip
    return out


def _niche_markets(
    rng: random.Random, as_of: date, founded: date, quality: int, products: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    if quality == 0 or (quality == 1 and rng.random() < 0.5):
        return []
    last_year_end = date(as_of.year - 1, 12, 31)
    if rng.random() < 0.08:
        # Exactly three years in the niche at the end of the last year (the 小巨人/2026 专精特新 edge).
        start = _plus_years(last_year_end, -3)
        start = max(start, founded)
    else:
        # Firms of higher quality found their niche earlier in their life (小巨人 needs three years in it).
        latest_start = max(founded, as_of - timedelta(days=400))
        span = (latest_start - founded).days * (1.0, 0.9, 0.6, 0.4)[quality]
        start = founded + timedelta(days=int(rng.random() * span))
    share_bp = {1: _ri(rng, 10, 300), 2: _ri(rng, 50, 1500), 3: _ri(rng, 500, 4000)}[quality]
    rank = {1: _ri(rng, 10, 60), 2: _ri(rng, 3, 30), 3: _ri(rng, 1, 10)}[quality]
    return [
        _fact(description=f"{products[0]['name']}细分市场", start_date=start, market_share_bp=share_bp,
              national_rank=rank)
    ]  # fmt: skip


def _compliance(rng: random.Random, as_of: date, founded: date) -> list[dict[str, Any]]:
    out = []
    since = max(founded, as_of - timedelta(days=365 * 4))
    if rng.random() < 0.015:
        occurred = _days(rng, since, as_of)
        resolved = _days(rng, occurred, as_of) if rng.random() < 0.6 else None
        out.append(_fact(kind=ComplianceKind.abnormal_operation_list.value, severity=None, occurred_date=occurred,
                         resolved_date=resolved, description="未按时公示年度报告，列入经营异常名录"))  # fmt: skip
    if rng.random() < 0.01:
        kind = _pick(rng, (ComplianceKind.safety_incident, ComplianceKind.quality_incident,
                           ComplianceKind.environmental_incident, ComplianceKind.cyber_data_incident))  # fmt: skip
        severity = "major" if rng.random() < 0.2 else "general"
        occurred = _days(rng, since, as_of)
        out.append(_fact(kind=kind.value, severity=severity, occurred_date=occurred,
                         resolved_date=_days(rng, occurred, as_of), description=f"{kind.label}（演示）"))  # fmt: skip
    if rng.random() < 0.003:
        occurred = _days(rng, since, as_of)
        out.append(_fact(kind=ComplianceKind.tax_violation.value, severity="general", occurred_date=occurred,
                         resolved_date=_days(rng, occurred, as_of), description="逾期申报，已补缴"))  # fmt: skip
    return out


def _batch(rng: random.Random, batches: tuple[tuple[date, str], ...], after: date, as_of: date):  # type: ignore[no-untyped-def]
    options = [b for b in batches if after <= b[0] <= as_of]
    return _pick(rng, options) if options else None


def _recognition(
    rng: random.Random, tier: Tier, level: RecognitionLevel, announced: date, batch: str, as_of: date
) -> dict[str, Any]:
    valid_until = _plus_years(announced, 3)
    status = RecognitionStatus.valid if valid_until >= as_of else RecognitionStatus.expired
    return _fact(tier=tier.value, level=level.value, batch=batch, announced_date=announced,
                 valid_until=valid_until, status=status.value,
                 document_no=f"演示文号〔{announced.year}〕{_ri(rng, 1, 180)}号")  # fmt: skip


def _recognitions(
    rng: random.Random,
    as_of: date,
    founded: date,
    quality: int,
    region_code: str,
    latest: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    eligible_from = _plus_years(founded, 1)
    province = "重庆市" if region_code.startswith("50") else "广东省"

    if rng.random() < (0.03, 0.45, 0.75, 0.7)[quality]:
        b = _batch(rng, W.INNOVATIVE_BATCHES, eligible_from, as_of)
        if b:
            out.append(_recognition(rng, Tier.innovative_sme, RecognitionLevel.provincial, b[0],
                                    f"{province}{b[1]}创新型中小企业", as_of))  # fmt: skip
    giant = quality == 3 and rng.random() < 0.35
    if giant or rng.random() < (0.0, 0.03, 0.42, 0.95)[quality]:
        after = max([eligible_from, *(r["announced_date"] for r in out)])
        # A 小巨人 normally held 专精特新 first: leave room for the national batch after the provincial one.
        options = [b for b in W.SRDI_BATCHES if after <= b[0] <= as_of]
        if giant:
            options = [
                b for b in options if any(g[0] > b[0] for g in W.LITTLE_GIANT_BATCHES if g[0] <= as_of)
            ]
        if options:
            b = _pick(rng, options)
            out.append(_recognition(rng, Tier.srdi_sme, RecognitionLevel.provincial, b[0],
                                    f"{province}{b[1]}专精特新中小企业", as_of))  # fmt: skip
            if giant:
                g = _batch(rng, W.LITTLE_GIANT_BATCHES, b[0] + timedelta(days=1), as_of)
                if g:
                    out.append(_recognition(rng, Tier.little_giant, RecognitionLevel.national, g[0],
                                            f"{g[1]}专精特新“小巨人”企业", as_of))  # fmt: skip
    small_enough = latest is None or (
        (latest["employees"] or 0) <= 500 and (latest["operating_revenue"] or 0) <= 20_000 * FEN_PER_WAN
    )
    if quality >= 1 and small_enough and rng.random() < 0.3:
        # 科技型中小企业: a registration number per year, valid for that calendar year (国科发政〔2017〕115号).
        for year in range(max(founded.year + 1, as_of.year - 2), as_of.year + 1):
            if rng.random() < 0.8:
                announced = _days(rng, date(year, 3, 1), min(date(year, 10, 31), as_of))
                if announced > as_of:
                    continue
                rec = _recognition(rng, Tier.tech_sme, RecognitionLevel.provincial, announced,
                                   f"{year}年科技型中小企业入库", as_of)  # fmt: skip
                rec["valid_until"] = date(year, 12, 31)
                rec["status"] = "valid" if rec["valid_until"] >= as_of else "expired"
                rec["document_no"] = f"演示入库编号{year}44{_rr(rng, 10**8):08d}"
                out.append(rec)

    # 复核: most expired 专精特新/创新型 titles were renewed; a few are revoked or sit under re-review.
    renewals = []
    for rec in out:
        if rec["tier"] == Tier.tech_sme.value:
            continue
        if rec["status"] == "expired" and rng.random() < 0.7:
            announced = _plus_years(rec["announced_date"], 3) + timedelta(days=_ri(rng, 20, 90))
            if announced <= as_of:
                renewal = _recognition(rng, Tier(rec["tier"]), RecognitionLevel(rec["level"]), announced,
                                       f"{rec['batch']}（复核通过）", as_of)  # fmt: skip
                renewals.append(renewal)
        elif rec["status"] == "valid":
            if (rec["valid_until"] - as_of).days < 90 and rng.random() < 0.5:
                rec["status"] = RecognitionStatus.under_re_review.value
            elif rng.random() < 0.015:
                rec["status"] = RecognitionStatus.revoked.value
                # 撤销 half-way through the validity; the reason by the batch date (no extra random draws).
                span = (min(rec["valid_until"], as_of) - rec["announced_date"]).days
                rec["revoked_date"] = rec["announced_date"] + timedelta(days=max(span // 2, 0))
                reasons = tuple(RevocationReason)
                rec["revocation_reason"] = reasons[rec["announced_date"].toordinal() % len(reasons)].value
    out.extend(renewals)
    return out


def _apply_fact_problem(
    rng: random.Random, problem: str, as_of: date, founded: date, facts: dict[str, list[dict[str, Any]]]
) -> bool:
    if problem in ("niche_start_before_founding", "niche_start_in_future"):
        if not facts["main_product"]:
            return False
        if not facts["niche_market"]:
            facts["niche_market"] = [_fact(description=f"{facts['main_product'][0]['name']}细分市场",
                                           start_date=founded, market_share_bp=_ri(rng, 10, 500),
                                           national_rank=_ri(rng, 5, 50))]  # fmt: skip
        niche = facts["niche_market"][0]
        if problem == "niche_start_before_founding":
            niche["start_date"] = founded - timedelta(days=_ri(rng, 200, 1500))
        else:
            niche["start_date"] = as_of + timedelta(days=_ri(rng, 30, 400))
        return True
    if problem == "expired_honour_claimed":
        vf = as_of - timedelta(days=_ri(rng, 365 * 3 + 30, 365 * 5))
        facts["honour"] = [h for h in facts["honour"] if h["kind"] != HonourKind.high_tech_enterprise.value]
        facts["honour"].append(_fact(kind=HonourKind.high_tech_enterprise.value, name="高新技术企业",
                                     level=RecognitionLevel.national.value, valid_from=vf,
                                     valid_until=_plus_years(vf, 3) - timedelta(days=1)))  # fmt: skip
        return True
    if problem == "stale_valid_recognition":
        stale = [
            r for r in facts["recognition"]
            if r["status"] == RecognitionStatus.expired.value and r["tier"] != Tier.tech_sme.value
        ]  # fmt: skip
        if stale:
            stale[0]["status"] = RecognitionStatus.valid.value
            return True
        options = [b for b in W.INNOVATIVE_BATCHES if b[0] >= founded and _plus_years(b[0], 3) < as_of]
        if not options:
            return False
        announced, batch = _pick(rng, options)
        rec = _recognition(rng, Tier.innovative_sme, RecognitionLevel.provincial, announced,
                           f"{batch}创新型中小企业", as_of)  # fmt: skip
        rec["status"] = RecognitionStatus.valid.value
        facts["recognition"].append(rec)
        return True
    return False
