"""One source of words: every backend enum carries its Chinese labels, the web UI's copy is generated from them
(web/src/generated/labels.ts), and web/src writes no label map of its own."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from srdi.config import REPO_ROOT
from srdi.enum_labels import enums, label_maps, label_of, render_typescript
from srdi.openapi_export import LABELS_TS

WEB = REPO_ROOT / "web"
SRC = WEB / "src"
GENERATED = WEB / LABELS_TS
REGENERATE = "regenerate with: .venv/bin/python -m srdi.openapi_export web/openapi.json"
CJK = re.compile(r"[\u3400-\u9fff]")

# An object-literal entry whose value is a string: `key: "…"`, `"key": '…'`.
ENTRY = re.compile(
    r"""(?:"(?P<dq>[^"\n]+)"|'(?P<sq>[^'\n]+)'|(?P<id>\b[A-Za-z_$][\w$]*))\s*:\s*(?P<q>["'])(?P<value>(?:(?!(?P=q))[^\\\n]|\\.)*)(?P=q)"""
)
# `x === "closed" ? "已办结" : …`: an enum value compared, and that value's label written out.
TERNARY = re.compile(
    r"""===\s*(?P<q1>["'])(?P<key>[\w.]+)(?P=q1)\s*\?\s*(?P<q2>["'])(?P<value>[^"'\n]*)(?P=q2)"""
)
# Between two links of a ternary chain, `x === "a" ? "…" : x === "b" ? …`: the `:` and the next operand.
CHAIN_LINK = re.compile(r"""\s*:\s*[\w.?!()\[\]]+\s*""")
# Options of an Element Plus message box, the words of a button or a title: not a map from values to labels.
NOT_A_MAP_VALUE = frozenset(
    {"confirmButtonText", "cancelButtonText", "title", "placeholder", "inputErrorMessage", "emptyText"}
)
# A map from an enum's values to words that are not its labels (the prompt of each action's note, say) says so
# where it starts: `// not-labels: why`.
OPT_OUT = "not-labels:"


def _sources() -> list[Path]:
    out = []
    for path in sorted(SRC.rglob("*")):
        # *.test.ts may assert what a label reads; *.d.ts is generated (schema.d.ts)
        if path.suffix not in (".ts", ".vue") or path.name.endswith((".d.ts", ".test.ts")):
            continue
        if path.is_relative_to(GENERATED.parent):
            continue
        out.append(path)
    return out


def _skip_string(text: str, i: int) -> int:
    quote = text[i]
    i += 1
    while i < len(text) and text[i] != quote and text[i] != "\n":
        i += 2 if text[i] == "\\" else 1
    return i


def _enclosing_braces(text: str) -> list[int]:
    """For each offset, the offset of the innermost `{` open there (-1 outside any): entries of one object share it."""
    owner = [-1] * (len(text) + 1)
    stack: list[int] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'`":
            end = _skip_string(text, i)
            for k in range(i, min(end + 1, len(text))):
                owner[k] = stack[-1] if stack else -1
            i = end + 1
            continue
        if ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            stack.pop()
        owner[i] = stack[-1] if stack else -1
        i += 1
    return owner


def _reworded(
    chain: list[re.Match[str]], value_to_enums: dict[str, set[str]], opted_out: Callable[[int], bool]
) -> list[str]:
    """A ternary chain that words two or more values of one enum in Chinese is a label map written inline, even
    when its words differ from the labels (达到标准 / 未达到标准 for pass / fail)."""
    keys = [m.group("key") for m in chain]
    if len(set(keys)) < 2:
        return []
    shared = set.intersection(*(value_to_enums.get(k, set()) for k in keys))
    line = chain[0].string.count("\n", 0, chain[0].start()) + 1
    if not shared or opted_out(line):
        return []
    return [f"line {line}: a ternary chain words {sorted(shared)} values {keys} in Chinese"]


def hand_written_labels(text: str) -> list[str]:
    """The label maps and enum labels a source file writes by hand, as readable findings."""
    maps = label_maps()
    value_to_enums: dict[str, set[str]] = {}
    label_to_enums: dict[str, set[str]] = {}
    for name, labels in maps.items():
        for value, label in labels.items():
            value_to_enums.setdefault(value, set()).add(name)
            label_to_enums.setdefault(label, set()).add(name)
    owner = _enclosing_braces(text)
    lines = text.split("\n")

    def opted_out(line: int) -> bool:  # 1-based; the line itself or the one above
        return any(OPT_OUT in lines[n - 1] for n in (line, line - 1) if 1 <= n <= len(lines))

    findings: list[str] = []
    per_object: dict[tuple[int, str], list[str]] = {}
    for m in ENTRY.finditer(text):
        key = m.group("dq") or m.group("sq") or m.group("id") or ""
        value = m.group("value")
        before = text[: m.start()].rstrip()
        if not CJK.search(value) or not before or before[-1] not in "{,":
            continue  # not an object entry (a ternary's `? "a" : "b"`, a type annotation)
        line = text.count("\n", 0, m.start()) + 1
        if opted_out(line):
            continue
        if value in label_to_enums and key not in NOT_A_MAP_VALUE:
            findings.append(f"line {line}: “{value}” is the label of {sorted(label_to_enums[value])}")
        for name in value_to_enums.get(key, ()):
            per_object.setdefault((owner[m.start()], name), []).append(key)
    chain: list[re.Match[str]] = []
    for m in TERNARY.finditer(text):
        key, value = m.group("key"), m.group("value")
        line = text.count("\n", 0, m.start()) + 1
        same = sorted(n for n in value_to_enums.get(key, ()) if maps[n][key] == value)
        if same and not opted_out(line):
            findings.append(f"line {line}: “{value}” for {key!r} is the label of {same}")
        if chain and not CHAIN_LINK.fullmatch(text[chain[-1].end() : m.start()]):
            findings += _reworded(chain, value_to_enums, opted_out)
            chain = []
        if CJK.search(value):
            chain.append(m)
    findings += _reworded(chain, value_to_enums, opted_out)
    for (brace, name), keys in per_object.items():
        line = text.count("\n", 0, max(brace, 0)) + 1
        if len(keys) >= 2 and not opted_out(line):
            findings.append(f"line {line}: a map of {name} values {keys} to Chinese words")
    return findings


def test_every_enum_member_has_a_chinese_label_that_is_not_its_value() -> None:
    missing = []
    for cls in enums():
        for member in cls:
            label = label_of(member)
            if not label or label == member.value or not CJK.search(label):
                missing.append(f"{cls.__module__}.{cls.__name__}.{member.name}: {label!r}")
    assert not missing, "enum members without a Chinese label:\n" + "\n".join(missing)


def test_the_export_names_each_enum_once_and_covers_the_enums_the_api_documents() -> None:
    from srdi.openapi_export import openapi_document

    maps = label_maps()
    schemas = openapi_document()["components"]["schemas"]
    for name, schema in schemas.items():
        if "enum" in schema:
            assert name in maps, f"the API's enum {name} has no generated labels"
            assert set(schema["enum"]) == set(maps[name]), f"{name}: values differ from its labels' keys"


def test_committed_generated_labels_match_a_fresh_export() -> None:
    committed = GENERATED.read_text(encoding="utf-8") if GENERATED.exists() else ""
    assert committed == render_typescript(), f"{GENERATED.relative_to(REPO_ROOT)} is stale; " + REGENERATE


def test_web_src_hand_writes_no_label_map_and_no_backend_label() -> None:
    problems = []
    for path in _sources():
        for finding in hand_written_labels(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(REPO_ROOT)} {finding}")
    assert not problems, (
        "web/src writes labels the backend already has; import them from @/generated/labels instead:\n"
        + "\n".join(problems)
    )


def test_the_scan_finds_a_hand_written_map_and_a_copied_label() -> None:
    assert hand_written_labels('const S = { submitted: "已提交", accepted: "受理了" };')
    assert hand_written_labels('const OPTS = [{ value: "x", label: "已办结" }];')
    assert not hand_written_labels('const S = { submitted: "warning", accepted: "primary" };')
    assert not hand_written_labels('ElMessageBox.confirm("确定？", "提示", { confirmButtonText: "撤回" });')
    assert hand_written_labels('const t = e.status === "closed" ? "已办结" : "办理中";')
    assert not hand_written_labels('const t = e.status === "closed" ? "结束了" : "办理中";')
    # reworded labels written as a chain of ternaries: the words differ from the labels, the map is still there
    assert hand_written_labels(
        '{{ s === "pass" ? "达到标准" : s === "fail" ? "未达到标准" : "数据不足，待补充" }}'
    )
    assert hand_written_labels(
        'const t = x.status === "closed"\n  ? "结束了"\n  : x.status === "open" ? "开着" : "";'
    )
    assert not hand_written_labels(
        'const a = s === "pass" ? "达到标准" : "x"; const b = t === "fail" ? "没达到" : "y";'
    )
    assert not hand_written_labels('const t = s === "pass" ? "success" : s === "fail" ? "danger" : "info";')
    assert not hand_written_labels(
        '// not-labels: prompts\nconst N = { approve: "意见（可选）", reject: "原因" };'
    )
