"""Every citation in the repository resolves inside it (issue 9): source keys in docs/sources.md, sections of the
specification in docs/spec/, the glossary in docs/glossary.md."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SPEC = DOCS / "spec"
SCANNED = [
    "src",
    "rules",
    "tests",
    "web/src",
    "docs",
    "benchmarks",
    "migrations",
    "CONTRIBUTING.md",
    "README.md",
]
SKIPPED = {SPEC, DOCS / "sources.md", DOCS / "glossary.md"}
SUFFIXES = {".py", ".yaml", ".yml", ".md", ".ts", ".vue", ".json", ".toml", ".txt"}

SOURCE_KEY = re.compile(r"\[(P\d+b?|C\d+)\]")
GRADE = re.compile(r"\[(V-gov|V-multi|V-1|S-code|UNVERIFIED)\]")
NAMED_KEY = re.compile(r"\b(SEED-\d{3}|I-\d{4}-[A-Z0-9]+)\b")
# The team's glossary is docs/glossary.md; "GLOSSARY" / "GLOSSARY.md" named a file outside the repository.
GLOSSARY_OUTSIDE = re.compile(r"\bGLOSSARY(?:\.md)?\b")
DECISION_REF = re.compile(r"\bdecision(?: record)? (\d{4})\b")
DOC_PATH = re.compile(r"\b((?:docs|rules|scripts|benchmarks)/[\w./-]*[\w-]\.(?:md|yaml|json|py))\b")
AUTHORING_REF = re.compile(r"\brules-authoring(?:\.md)? ?§ ?(\d+(?:\.\d+)?)")
SPEC_REF = re.compile(
    r"\b(CRITERIA|PRODUCT|QUALITY|ARCHITECTURE|STACK)(?:\.md)?"
    r"(?: ?§ ?(\d+(?:\.\d+)?)\.?(?: (Q\d+|[A-Z]{1,3}\d+[A-Z]?\d*)\b)?| ([CPRSU]\d+)\b)?"
)


def _files() -> Iterator[Path]:
    for entry in SCANNED:
        path = ROOT / entry
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        for f in candidates:
            if not f.is_file() or f.suffix not in SUFFIXES or "node_modules" in f.parts:
                continue
            if f == Path(__file__) or any(f == s or s in f.parents for s in SKIPPED):
                continue
            yield f


def _placeholder(path: str) -> bool:
    """A path written as a pattern for new files (``docs/decisions/NNNN-title.md``), not a citation."""
    return bool(re.search(r"NNNN|XXXX", path))


@lru_cache
def _sources() -> str:
    return (DOCS / "sources.md").read_text(encoding="utf-8")


@lru_cache
def _spec(doc: str) -> str:
    return (SPEC / f"{doc}.md").read_text(encoding="utf-8")


def _section(text: str, number: str) -> str | None:
    """The text of ``## N.`` or ``### N.M`` up to the next heading of the same or a higher level."""
    level = "##" if "." not in number else "###"
    m = re.search(rf"^{level} {re.escape(number)}[. ].*$", text, flags=re.M)
    if not m:
        return None
    rest = text[m.end() :]
    stop = re.search(r"^## " if level == "##" else r"^##+ ", rest, flags=re.M)
    return rest[: stop.start()] if stop else rest


def _resolve_spec(doc: str, section: str | None, item: str | None, req: str | None) -> str | None:
    """None when the reference resolves, otherwise why not."""
    text = _spec(doc)
    if req:
        if doc == "PRODUCT":
            ok = re.search(rf"^### {req}\.", text, flags=re.M)
        else:
            ok = re.search(rf"^\| {req} \|", text, flags=re.M)
        return None if ok else f"{doc} has no {req}"
    if section and doc == "ARCHITECTURE":
        # The architecture is cited by its numbered conventions ("ARCHITECTURE §6" = convention 6).
        ok = re.search(rf"^{re.escape(section)}\. \*\*", text, flags=re.M)
        return None if ok else f"ARCHITECTURE has no convention {section}"
    if section:
        body = _section(text, section)
        if body is None:
            return f"{doc} has no §{section}"
        if item:
            if item.startswith("Q"):
                ok = re.search(rf"^{item[1:]}\. ", body, flags=re.M)
            else:
                ok = re.search(rf"^\| \**{re.escape(item)}\**[ |]", body, flags=re.M)
            if not ok:
                return f"{doc} §{section} has no {item}"
    return None


def _problems() -> list[str]:
    problems: list[str] = []
    for f in _files():
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        problems.extend(_problems_in(text, f.relative_to(ROOT)))
    return problems


def _problems_in(text: str, rel: Path) -> list[str]:
    problems: list[str] = []
    for m in SOURCE_KEY.finditer(text):
        if f"`[{m.group(1)}]`" not in _sources():
            problems.append(f"{rel}: source key [{m.group(1)}] is not defined in docs/sources.md")
    for m in GRADE.finditer(text):
        if f"`[{m.group(1)}]`" not in _sources():
            problems.append(f"{rel}: grade [{m.group(1)}] is not defined in docs/sources.md")
    for m in NAMED_KEY.finditer(text):
        if f"`{m.group(1)}`" not in _sources():
            problems.append(f"{rel}: key {m.group(1)} is not defined in docs/sources.md")
    for m in GLOSSARY_OUTSIDE.finditer(text):
        problems.append(
            f"{rel}: '{m.group(0)}' names no file of the repository (the glossary is docs/glossary.md)"
        )
    for m in DECISION_REF.finditer(text):
        if not list((DOCS / "decisions").glob(f"{m.group(1)}-*.md")):
            problems.append(f"{rel}: '{m.group(0)}' has no record docs/decisions/{m.group(1)}-*.md")
    for m in DOC_PATH.finditer(text):
        if not (ROOT / m.group(1)).exists() and not _placeholder(m.group(1)):
            problems.append(f"{rel}: '{m.group(1)}' is not a file of the repository")
    for m in AUTHORING_REF.finditer(text):
        if _section((DOCS / "rules-authoring.md").read_text(encoding="utf-8"), m.group(1)) is None:
            problems.append(
                f"{rel}: '{m.group(0)}' does not resolve (docs/rules-authoring.md has no §{m.group(1)})"
            )
    for m in SPEC_REF.finditer(text):
        why = _resolve_spec(m.group(1), m.group(2), m.group(3), m.group(4))
        if why:
            problems.append(f"{rel}: '{m.group(0)}' does not resolve ({why})")
    return problems


def test_every_citation_key_and_spec_section_resolves_inside_the_repository() -> None:
    problems = _problems()
    assert not problems, f"{len(problems)} unresolved citations:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("values are GLOSSARY identifiers", True),
        ("see GLOSSARY.md", True),
        ("see docs/glossary.md", False),
        ("as decision 0001 says", False),
        ("as decision 0999 says", True),
        ("docs/rules-authoring.md §11", False),
        ("docs/rules-authoring.md §42", True),
        ("rules/regimes.yaml", False),
        ("rules/criteria/national/nowhere_2030.yaml", True),
        ("docs/decisions/NNNN-title.md", False),
    ],
)
def test_references_to_repository_files_are_checked(tmp_path: Path, text: str, found: bool) -> None:
    problems = _problems_in(text, Path("x.md"))
    assert bool(problems) is found, problems


def test_the_glossary_the_contributor_guide_names_is_in_the_repository() -> None:
    assert (DOCS / "glossary.md").is_file()
    assert "docs/glossary.md" in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("ref", "resolves"),
    [
        (("CRITERIA", "13", "Q1", None), True),
        (("CRITERIA", "13", "Q99", None), False),
        (("CRITERIA", "4.1", "ZD4", None), True),
        (("CRITERIA", "2", "E1", None), True),
        (("CRITERIA", "42", None, None), False),
        (("PRODUCT", None, None, "C3"), True),
        (("PRODUCT", None, None, "C42"), False),
        (("QUALITY", None, None, "R3"), True),
        (("QUALITY", None, None, "R99"), False),
        (("ARCHITECTURE", "6", None, None), True),
        (("ARCHITECTURE", "60", None, None), False),
    ],
)
def test_the_resolver_accepts_real_sections_and_refuses_invented_ones(
    ref: tuple[str, str | None, str | None, str | None], resolves: bool
) -> None:
    assert (_resolve_spec(*ref) is None) is resolves
