"""Load rule files (YAML) into ``RuleSet`` objects: schema check, includes, provincial variants, type check, order."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource

from srdi.rules_engine.errors import RuleError
from srdi.rules_engine.expr.nodes import variables
from srdi.rules_engine.expr.parser import parse
from srdi.rules_engine.expr.types import Type, check
from srdi.rules_engine.model import (
    Band,
    Category,
    Citation,
    EdgeChoice,
    Formula,
    Indicator,
    Input,
    Meta,
    Reference,
    RuleSet,
)

# policy: see srdi.rules_engine.policy; overlay: an annual notice that changes a base rule set for one batch.
# whitelist / scorecard: financing (产融对接, srdi.finance) — a 白名单 and a 信用评分 are rule sets like any other.
RULE_KINDS = ("rule_set", "provincial_variant", "policy", "overlay", "whitelist", "scorecard", "loan_product")
RULE_DIRS = ("criteria", "policies", "finance")
SCHEMA_FILE = Path("schema/rule_set.schema.json")
CONFIG_SCHEMA_FILE = Path("schema/rule_config.schema.json")
# Output columns of the batch executors carry these prefixes; an input named like one would be shadowed.
RESERVED_PREFIXES = ("pts_", "band_", "cond_", "route_", "score_", "drv_")
RESERVED_NAMES = ("pass", "direct", "score_total", "status")
PURPOSE_INPUT = "is_re_review"


class LineStr(str):
    """A YAML string that remembers its line, so errors can point into the rule file."""

    line: int | None = None


class _Loader(yaml.SafeLoader):
    pass


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> LineStr:
    s = LineStr(loader.construct_scalar(node))
    s.line = node.start_mark.line + 1
    return s


_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
# Dates stay strings so that the JSON Schema can check them and the loader converts them once.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise RuleError(f"YAML: {exc.problem}", file=str(path), line=line) from exc


def _line(value: object) -> int | None:
    return value.line if isinstance(value, LineStr) else None


def _date(value: Any) -> date:
    return date.fromisoformat(str(value))


def load_schema(rules_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((rules_dir / SCHEMA_FILE).read_text(encoding="utf-8"))
    return data


def rule_files(rules_dir: Path) -> list[Path]:
    """Every YAML file under ``criteria/``, ``policies/`` and ``finance/`` whose ``kind`` this engine owns."""
    out = []
    for sub in RULE_DIRS:
        for path in sorted((rules_dir / sub).rglob("*.yaml")):
            data = read_yaml(path)
            if isinstance(data, dict) and data.get("kind") in RULE_KINDS:
                out.append(path)
    return out


def load_rule_sets(rules_dir: str | Path) -> dict[str, RuleSet]:
    """Load and check every rule set under ``rules_dir``; keys are rule-set ids."""
    root = Path(rules_dir)
    validator = jsonschema.Draft202012Validator(load_schema(root))
    raw: dict[str, tuple[Path, dict[str, Any], str]] = {}
    for path in rule_files(root):
        data = read_yaml(path)
        rel = str(path.relative_to(root))
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            err = errors[0]
            where = "/".join(str(p) for p in err.absolute_path)
            raise RuleError(f"schema: {err.message} (at /{where})", file=rel)
        if data["id"] in raw:
            raise RuleError(f"duplicate rule-set id {data['id']!r} (also in {raw[data['id']][0]})", file=rel)
        raw[data["id"]] = (path, data, path.read_text(encoding="utf-8"))
    built: dict[str, RuleSet] = {}
    for rid in raw:
        built[rid] = _build(rid, raw, root)
    return built


def build_rule_set(data: Mapping[str, Any], rules_dir: str | Path, subdir: str = "finance") -> RuleSet:
    """A rule set from plain data (e.g. a loan product's eligibility written through a form), checked exactly as a
    file under ``rules_dir/subdir`` would be; it may ``include`` any rule file."""
    root = Path(rules_dir)
    errors = sorted(
        jsonschema.Draft202012Validator(load_schema(root)).iter_errors(data),
        key=lambda e: list(e.absolute_path),
    )
    rid = str(data.get("id", "draft"))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path)
        raise RuleError(f"schema: {errors[0].message} (at /{where})", file=rid)
    raw: dict[str, tuple[Path, dict[str, Any], str]] = {}
    for path in rule_files(root):
        other = read_yaml(path)
        raw[str(other["id"])] = (path, other, path.read_text(encoding="utf-8"))
    raw[rid] = (
        root / subdir / f"{rid}.yaml",
        dict(data),
        json.dumps(data, ensure_ascii=False, sort_keys=True),
    )
    return _build(rid, raw, root)


def references(data: Mapping[str, Any]) -> tuple[Reference, ...]:
    """The file's ``references:`` (already checked by the JSON Schema), in the file's order."""
    return tuple(
        Reference(
            title=str(r["title"]),
            role=str(r["role"]),
            href=str(r.get("href") or ""),
            source=str(r.get("source") or ""),
            published=str(r.get("published") or ""),
            retrieved=_date(r["retrieved"]) if r.get("retrieved") else None,
            note=str(r.get("note") or ""),
        )
        for r in data.get("references") or ()
    )


def check_config_file(path: Path, data: Any, rules_dir: Path) -> None:
    """A configuration file outside the rule sets (rules/regimes.yaml, dynamic_management.yaml, …): its ``kind``
    and ``references`` against rules/schema/rule_config.schema.json, which shares the definition of a reference
    with the rule-set schema."""
    validator = jsonschema.Draft202012Validator(
        json.loads((rules_dir / CONFIG_SCHEMA_FILE).read_text(encoding="utf-8")),
        registry=Registry().with_resource(
            "https://srdi.example/rules/schema/rule_set.schema.json",
            Resource.from_contents(load_schema(rules_dir)),
        ),
    )
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path)
        raise RuleError(f"schema: {errors[0].message} (at /{where})", file=str(path))


def _citation(data: Mapping[str, Any], item: Mapping[str, Any] | None = None) -> Citation:
    verification = str((item or {}).get("verification") or data["verification"])
    return Citation(
        rule_file=str(data["id"]),
        title=str(data["title"]),
        instrument=str(data["instrument"]),
        article=str((item or {}).get("article") or data["article"]),
        url=str(data.get("url") or ""),
        verification=verification,
        note=str((item or {}).get("note") or ""),
    )


def _collect(
    rid: str, raw: Mapping[str, tuple[Path, dict[str, Any], str]], seen: tuple[str, ...] = ()
) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[str]]:
    """Parts of a rule set as (owning file, section item) pairs, includes and base first; plus hashed texts."""
    if rid in seen:
        raise RuleError(f"include cycle: {' -> '.join((*seen, rid))}", file=rid)
    if rid not in raw:
        raise RuleError(f"unknown rule set {rid!r} in include/base", file=seen[-1] if seen else rid)
    _, data, text = raw[rid]
    parts: list[tuple[dict[str, Any], dict[str, Any]]] = []
    texts = [text]
    for inc in [*([data["base"]] if data.get("base") else []), *data.get("include", [])]:
        sub_parts, sub_texts = _collect(inc, raw, (*seen, rid))
        parts.extend(sub_parts)
        texts.extend(sub_texts)
    replaced = set(data.get("replaces", []))
    if replaced:
        # A provincial variant replaces indicators; an overlay may replace any named item of its base.
        sections = None if data.get("kind") == "overlay" else {"indicators"}
        parts = [
            (f, it)
            for f, it in parts
            if not ((sections is None or it.get("_section") in sections) and it["id"] in replaced)
        ]
    for section in ("inputs", "derived", "conditions", "direct_routes", "categories", "indicators"):
        for item in data.get(section, []):
            parts.append((data, {**item, "_section": section}))
    return parts, texts


def _build(rid: str, raw: Mapping[str, tuple[Path, dict[str, Any], str]], root: Path) -> RuleSet:
    path, data, _ = raw[rid]
    rel = str(path.relative_to(root))
    parts, texts = _collect(rid, raw)
    top = raw[data["base"]][1] if data.get("base") else data
    inputs: dict[str, Input] = {}
    formulas: dict[str, Formula] = {}
    categories: dict[str, Category] = {}
    indicators: dict[str, Indicator] = {}
    labels: dict[str, str] = {}
    choice_labels: dict[str, dict[str, str]] = {}
    types: dict[str, Type] = {PURPOSE_INPUT: Type.BOOL}
    inputs[PURPOSE_INPUT] = Input(
        PURPOSE_INPUT, Type.BOOL, "复核（而非新申报）", "", {"purpose": "re_review"}, 0, _citation(top)
    )
    labels[PURPOSE_INPUT] = inputs[PURPOSE_INPUT].label
    pending: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {}

    def claim(name: str, owner: Mapping[str, Any], line: int | None) -> None:
        if name in types or name in pending or name in indicators or name in RESERVED_NAMES:
            raise RuleError(
                f"name {name!r} is defined twice or is reserved", file=str(owner["id"]), line=line
            )
        if name.startswith(RESERVED_PREFIXES):
            raise RuleError(
                f"name {name!r} uses a reserved prefix {RESERVED_PREFIXES}", file=str(owner["id"]), line=line
            )

    for owner, item in parts:
        section = item["_section"]
        name = str(item["id"])
        if section == "categories":
            categories[name] = Category(name, str(item["label"]), int(item["max_points"]))
            labels["score_" + name] = f"{item['label']}得分"
            continue
        claim(name, owner, _line(item["id"]))
        labels[name] = str(item.get("label", name))
        if section == "inputs":
            t = Type(item["type"])
            types[name] = t
            if item.get("choices"):
                choice_labels[name] = {str(k): str(v) for k, v in item["choices"].items()}
            inputs[name] = Input(
                name,
                t,
                str(item["label"]),
                str(item.get("unit", "")),
                item.get("source"),
                int(item.get("scale", 0)),
                _citation(owner, item),
            )
        elif section == "indicators":
            indicators[name] = _indicator(owner, item)
            types[name] = Type.INT
        else:
            pending[name] = (owner, item, section)

    for cat in categories:
        types["score_" + cat] = Type.INT
    types["score_total"] = Type.INT
    types["direct"] = Type.BOOL
    labels["score_total"] = "总分"
    labels["direct"] = "满足任一直通条件"
    # Formulas may refer to each other in any order; type-check them in dependency order.
    nodes = {
        n: parse(it["expr"], file=str(o["id"]), line=_line(it["expr"])) for n, (o, it, _) in pending.items()
    }
    pass_src = data.get("pass", top.get("pass"))
    if data.get("also_require"):
        # An overlay keeps its base's pass rule and adds the notice's own conditions to it.
        pass_src = f"({top.get('pass')}) and " + " and ".join(str(c) for c in data["also_require"])
    pass_node = parse(str(pass_src), file=rel, line=_line(pass_src))
    deps: dict[str, set[str]] = {n: variables(node) for n, node in nodes.items()}
    for ind in indicators.values():
        deps[ind.id] = (
            set().union(*(variables(b.when) for b in ind.bands if b.when is not None))
            if ind.bands
            else (variables(ind.formula) if ind.formula is not None else set())
        )
    for cat in categories:
        deps["score_" + cat] = {i.id for i in indicators.values() if i.category == cat}
    deps["score_total"] = {"score_" + c for c in categories}
    deps["direct"] = {n for n, (_, _, s) in pending.items() if s == "direct_routes"}
    deps["pass"] = variables(pass_node)
    for ind in indicators.values():
        if ind.category not in categories:
            raise RuleError(
                f"indicator {ind.id!r} names unknown category {ind.category!r}", file=rel, line=ind.line
            )
    order = _toposort(deps, set(types) - set(deps) - set(pending), rel)

    for name in order:
        if name in pending:
            owner, item, section = pending[name]
            text = str(item["expr"])
            t = check(nodes[name], types, text=text, file=str(owner["id"]), line=_line(item["expr"]))
            if section != "derived" and t != Type.BOOL:
                raise RuleError(
                    f"{section[:-1]} must be true/false, got {t.value}",
                    file=str(owner["id"]),
                    line=_line(item["expr"]),
                    expression=text,
                )
            types[name] = t
            formulas[name] = Formula(
                name,
                section.rstrip("s") if section != "derived" else "derived",
                labels[name],
                text,
                nodes[name],
                t,
                _citation(owner, item),
                _line(item["expr"]),
            )
        elif name in indicators:
            _check_indicator(indicators[name], types)
    pt = check(pass_node, types, text=str(pass_src), file=rel)
    if pt != Type.BOOL:
        raise RuleError("pass must be true/false", file=rel, expression=str(pass_src))
    pass_text = str(pass_src)
    pass_f = Formula("pass", "pass", "通过", pass_text, pass_node, Type.BOOL, _citation(data))
    meta_src = data
    meta = Meta(
        title=str(meta_src["title"]),
        instrument=str(meta_src["instrument"]),
        article=str(meta_src["article"]),
        url=str(meta_src.get("url") or ""),  # "" only for a policy whose seed has no address
        issuer=str(meta_src["issuer"]),
        # null only for a draft policy (征求意见稿) with no date in force: never in force (schema, policy.py)
        effective_from=_date(meta_src["effective_from"]) if meta_src.get("effective_from") else None,
        effective_to=_date(meta_src["effective_to"]) if meta_src.get("effective_to") else None,
        last_checked=_date(meta_src["last_checked"]),
        verification=str(meta_src["verification"]),
        references=references(meta_src),
    )
    used = set().union(*deps.values()) | {PURPOSE_INPUT}
    inputs = {
        n: i for n, i in inputs.items() if n in used
    }  # e.g. the base's 特色化 input in a provincial variant
    digest = hashlib.sha256("\n---\n".join(texts).encode("utf-8")).hexdigest()
    edges = tuple(
        EdgeChoice(str(e["at"]), str(e["chosen"]), str(e["reason"]))
        for f in ([raw[data["base"]][1]] if data.get("base") else []) + [data]
        for e in f.get("edge_choices", [])
    )
    return RuleSet(
        id=rid,
        kind=str(data["kind"]),
        tier=str(data.get("tier") or top.get("tier") or data["kind"]),  # a policy has no tier
        path=rel,
        meta=meta,
        inputs=inputs,
        formulas={n: formulas[n] for n in pending},
        categories=tuple(categories.values()),
        indicators=tuple(indicators.values()),
        pass_formula=pass_f,
        edge_choices=edges,
        types=types,
        order=tuple(order),
        content_hash=digest,
        province_codes=tuple(str(c) for c in data.get("province_codes", [])),
        base=data.get("base"),
        labels=labels,
        choice_labels=choice_labels,
        overlay_purposes=tuple(str(p) for p in (data.get("overlay") or {}).get("purposes", ())),
    )


def _indicator(owner: Mapping[str, Any], item: Mapping[str, Any]) -> Indicator:
    file = str(owner["id"])
    bands = []
    for b in item.get("bands", []):
        when_text = "" if b.get("otherwise") else str(b["when"])
        when = None if b.get("otherwise") else parse(when_text, file=file, line=_line(b["when"]))
        bands.append(
            Band(str(b["id"]), str(b["label"]), int(b["points"]), when_text, when, str(b.get("edge", "")))
        )
    if bands and bands[-1].when is not None:
        raise RuleError(
            f"indicator {item['id']!r}: the last band must be `otherwise: true`",
            file=file,
            line=_line(item["id"]),
        )
    if any(b.when is None for b in bands[:-1]):
        raise RuleError(
            f"indicator {item['id']!r}: only the last band may be `otherwise`",
            file=file,
            line=_line(item["id"]),
        )
    formula_text = str(item.get("formula", ""))
    formula = parse(formula_text, file=file, line=_line(item.get("formula"))) if formula_text else None
    if bool(bands) == bool(formula):
        raise RuleError(
            f"indicator {item['id']!r} needs exactly one of bands / formula",
            file=file,
            line=_line(item["id"]),
        )
    return Indicator(
        str(item["id"]),
        str(item["category"]),
        str(item["label"]),
        int(item["max_points"]),
        tuple(bands),
        formula_text,
        formula,
        _citation(owner, item),
        _line(item["id"]),
    )


def _check_indicator(ind: Indicator, types: Mapping[str, Type]) -> None:
    file = ind.citation.rule_file
    for b in ind.bands:
        if (
            b.when is not None
            and check(b.when, types, text=b.when_text, file=file, line=ind.line) != Type.BOOL
        ):
            raise RuleError(
                f"band {ind.id}.{b.id}: `when` must be true/false", file=file, expression=b.when_text
            )
        if not 0 <= b.points <= ind.max_points:
            raise RuleError(
                f"band {ind.id}.{b.id}: points outside 0..{ind.max_points}", file=file, line=ind.line
            )
    if ind.formula is not None and check(ind.formula, types, text=ind.formula_text, file=file) != Type.INT:
        raise RuleError(
            f"indicator {ind.id}: formula must give whole points", file=file, expression=ind.formula_text
        )


def _toposort(deps: Mapping[str, set[str]], leaves: Iterable[str], file: str) -> list[str]:
    known = set(leaves)
    order: list[str] = []
    remaining = dict(deps)
    while remaining:
        ready = sorted(n for n, d in remaining.items() if d <= known)
        if not ready:
            missing = {n: sorted(d - known - set(remaining)) for n, d in remaining.items()}
            bad = {n: m for n, m in missing.items() if m}
            if bad:
                name, names = next(iter(bad.items()))
                raise RuleError(f"{name!r} refers to unknown name(s) {names}", file=file)
            raise RuleError(f"circular definitions among {sorted(remaining)}", file=file)
        for n in ready:
            order.append(n)
            known.add(n)
            del remaining[n]
    return order
