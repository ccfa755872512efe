"""The policy library: rule files loaded from rules/policies, versions stored (draft → published), and lookups.

Policies are rule files evaluated by ``srdi.rules_engine.policy`` — the same engine, executors and traces as the
tier criteria.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from srdi.config import get_settings
from srdi.policy import repository
from srdi.policy.enums import VersionStatus
from srdi.policy.exceptions import (
    OutsidePolicyRegion,
    PolicyNotFound,
)
from srdi.policy.models import (
    PolicyVersion,
)
from srdi.rules_engine.errors import RuleError
from srdi.rules_engine.policy import (
    Policy,
    build_policy,
    load_policies,
)

SYSTEM = "system"


def rules_dir() -> Path:
    return get_settings().rules_dir


@lru_cache(maxsize=4)
def _library(root: str) -> dict[str, Policy]:
    return load_policies(root)


def library_files() -> dict[str, Policy]:
    return _library(str(rules_dir()))


_BUILT: dict[str, Policy] = {}


def policy_of(version: PolicyVersion) -> Policy:
    """The engine form of a stored version (cached by content hash)."""
    cached = _BUILT.get(version.content_hash)
    if cached is not None:
        return cached
    lib = library_files().get(version.policy_key)
    if lib is not None and lib.rule_set.content_hash == version.content_hash:
        pol = lib
    else:
        try:
            pol = build_policy(version.data, rules_dir())
        except RuleError:
            # A version stored before amount rules and bounds were required (decision 0013): read it with the
            # defaults below so history, grants and their traces still display; new drafts are always strict.
            pol = build_policy(legacy_upgrade(version.data), rules_dir())
    _BUILT[version.content_hash] = pol
    return pol


LEGACY_BOUND = {"money": "10000亿元", "int": "1000000", "number": "1000000"}


def legacy_upgrade(data: Mapping[str, Any]) -> dict[str, Any]:
    """Stored policy data of the earlier file format, brought to the current one without inventing a rule:
    the amount rule says it was not recorded, the invented 统一社会信用代码 order becomes pro rata, and inputs get
    only a generous overflow guard as bounds."""
    import copy

    out = copy.deepcopy(dict(data))
    p = out.get("policy", {})
    alloc = p.get("allocation") or {}
    if alloc.get("order") not in (None, "pro_rata", "amount_desc", "amount_asc"):
        p["allocation"] = {
            "order": "pro_rata",
            "stated": False,
            "note": "旧版本的排序未见原文依据，按比例分配",
        }
    benefit = p.get("benefit", {})
    if benefit.get("kind") == "money" and "amount_rule" not in benefit:
        kind = (
            "none"
            if not benefit.get("amount")
            else ("capped" if benefit.get("amount_is_maximum") else "rate")
        )
        benefit["amount_rule"] = {"kind": kind, "text": "（旧版本未记载金额规则）", "cite": "旧版本"}
    bounds = p.setdefault("bounds", {})
    for inp in out.get("inputs", []):
        if inp.get("type") in ("money", "int") and inp["id"] not in bounds:
            bounds[inp["id"]] = {"max": LEGACY_BOUND[inp["type"]]}
    return out


def stable_hash(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def sync_library(db: Session, actor: str = SYSTEM) -> list[PolicyVersion]:
    """Publish every policy file of rules/policies that is new or changed since it was last loaded."""
    created = []
    by_key: dict[str, list[PolicyVersion]] = {}
    for v in repository.versions(db):
        by_key.setdefault(v.policy_key, []).append(v)
    for key, pol in sorted(library_files().items()):
        existing = by_key.get(key, [])
        if any(v.origin == "library" and v.content_hash == pol.rule_set.content_hash for v in existing):
            continue
        for v in existing:
            if v.status == VersionStatus.published:
                v.status = VersionStatus.superseded
        row = new_version(db, pol, pol.data, key, max((v.version for v in existing), default=0) + 1, actor)
        row.origin = "library"
        row.content_hash = pol.rule_set.content_hash
        row.status = VersionStatus.published
        row.published_by = actor
        from srdi.db.base import utcnow

        row.published_at = utcnow()
        created.append(row)
    if created:
        db.flush()
        repository.mark_all_dirty(db)
    return created


def new_version(
    db: Session, pol: Policy, data: Mapping[str, Any], key: str, number: int, actor: str
) -> PolicyVersion:
    row = PolicyVersion(
        policy_key=key,
        version=number,
        status=VersionStatus.draft,
        origin="draft",
        title=pol.title,
        mode=pol.mode,
        region_codes=list(pol.region_codes),
        budget_fen=pol.budget_fen,
        data=dict(data),
        content_hash=stable_hash(data),
        created_by=actor,
    )
    db.add(row)
    return row


def ensure_library(db: Session) -> None:
    sync_library(db)


def published(db: Session) -> list[tuple[PolicyVersion, Policy]]:
    ensure_library(db)
    return [(v, policy_of(v)) for v in repository.versions(db, status=VersionStatus.published)]


def published_version(db: Session, key: str) -> PolicyVersion:
    ensure_library(db)
    rows = repository.versions(db, key, VersionStatus.published)
    if not rows:
        raise PolicyNotFound(key)
    return rows[-1]


def get_version(db: Session, version_id: int) -> PolicyVersion:
    row = db.get(PolicyVersion, version_id)
    if row is None:
        raise PolicyNotFound(version_id)
    return row


def all_versions(db: Session) -> list[PolicyVersion]:
    """Every version of every policy (a few hundred rows at most: the library, not the registry)."""
    ensure_library(db)
    return repository.versions(db)


def versions_of(db: Session, key: str) -> list[PolicyVersion]:
    ensure_library(db)
    rows = repository.versions(db, key)
    if not rows:
        raise PolicyNotFound(key)
    return rows


def within_region(scope_prefixes: Sequence[str] | None, pol: Policy | PolicyVersion) -> bool:
    """Whether every region the policy applies to lies inside the caller's own region (None: everywhere)."""
    if scope_prefixes is None:
        return True
    return all(any(code.startswith(p) for p in scope_prefixes) for code in pol.region_codes)


def check_region(scope_prefixes: Sequence[str] | None, pol: Policy | PolicyVersion) -> None:
    """An official manages a policy only if every region it applies to lies inside their own region."""
    if not within_region(scope_prefixes, pol):
        raise OutsidePolicyRegion()
