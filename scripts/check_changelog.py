"""CHANGELOG.md names every rule file a change touches, with the effective periods it affects.

A stored result (an evaluation, a grant) keeps the content hash of the rule set it used; the changelog is how a
person holding one learns whether a re-run would decide differently. So:

- every changed rule file (``rules/**/*.yaml`` outside ``rules/tests/``) must be named in the newest section of
  CHANGELOG.md — by its path under ``rules/``, by a unique tail of it, or by a glob (``policies/shenzhen/*``);
- every bullet that names a rule file must say which effective period it affects: a date (``2026-04-01``,
  ``2022-08-01 – 2026-03-31``), a span of years (``2022–2025``), or in words ``all periods`` / ``no effective
  period`` (a file that decides no tier or grant, or one whose change decides nothing differently).

Usage: ``check_changelog.py [changed paths…]`` — pre-commit passes the staged files; ``make lint`` passes the
files changed against HEAD. With no paths only the second rule is checked. Exit 1 with the problems on stderr.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHANGELOG = ROOT / "CHANGELOG.md"
RULES = ROOT / "rules"

NAMED = re.compile(r"`([^`\s]+\.yaml|[^`\s]*\*[^`\s]*)`")
PERIOD = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{4}\s*[–-]\s*\d{4}\b|\bfrom \d{4}\b|all periods|no effective period",
    flags=re.I,
)


def rule_file(path: str) -> str | None:
    """``path`` relative to ``rules/`` when it is a rule file a changelog entry must name, else None."""
    p = path.replace("\\", "/")
    if not p.startswith("rules/") or not p.endswith(".yaml") or p.startswith("rules/tests/"):
        return None
    return p[len("rules/") :]


def sections(text: str) -> list[str]:
    """The dated sections (``## …``), newest first as the file writes them."""
    parts = re.split(r"^## ", text, flags=re.M)
    return [p for p in parts[1:]]


def bullets(section: str) -> list[str]:
    """Each ``- `` bullet with its continuation lines."""
    out: list[str] = []
    for line in section.splitlines():
        if line.startswith("- "):
            out.append(line)
        elif out and line.startswith("  "):
            out[-1] += " " + line.strip()
        elif not line.strip() or line.startswith("#"):
            continue
    return out


def names(text: str) -> list[str]:
    return NAMED.findall(text)


def covers(name: str, rel: str) -> bool:
    """Whether a name written in the changelog designates the rule file ``rel`` (path under ``rules/``)."""
    if "*" in name:
        return fnmatch.fnmatch(rel, name) or fnmatch.fnmatch(rel, name.rstrip("/*") + "/*")
    return rel == name or rel.endswith("/" + name)


def problems(changelog: str, changed: list[str]) -> list[str]:
    out: list[str] = []
    found = sections(changelog)
    if not found:
        return ["CHANGELOG.md has no dated section (## YYYY-MM-DD)"]
    newest = found[0]
    written = names(newest)
    for path in changed:
        rel = rule_file(path)
        if rel is not None and not any(covers(n, rel) for n in written):
            out.append(
                f"{path} changed but the newest CHANGELOG.md section ({newest.splitlines()[0]}) does not name it"
            )
    for section in found:
        for bullet in bullets(section):
            rule_names = [n for n in names(bullet) if not n.startswith(("schema/", "tests/"))]
            if rule_names and not PERIOD.search(bullet):
                out.append(
                    f"CHANGELOG.md ({section.splitlines()[0]}): the entry naming {', '.join(rule_names)} "
                    "states no effective period (a date, a span of years, 'all periods' or 'no effective period')"
                )
    return out


def main(argv: list[str]) -> int:
    found = problems(CHANGELOG.read_text(encoding="utf-8"), argv)
    for p in found:
        print(p, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
