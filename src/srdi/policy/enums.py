"""String enums of the policy domain (values = identifiers of docs/glossary.md, labels = UI text)."""

from __future__ import annotations

from enum import StrEnum


class VersionStatus(StrEnum):
    draft = "draft"
    published = "published"
    superseded = "superseded"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "published": "已发布", "superseded": "已被新版本替代"}[self.value]


class MatchStatus(StrEnum):
    eligible = "eligible"
    unknown = "unknown"
    ineligible = "ineligible"

    @property
    def label(self) -> str:
        return {"eligible": "符合", "unknown": "可能符合（缺少信息）", "ineligible": "不符合"}[self.value]


class VerificationStatus(StrEnum):
    pending = "pending"
    verified = "verified"
    rejected = "rejected"

    @property
    def label(self) -> str:
        return {"pending": "待核验", "verified": "已核验", "rejected": "核验未通过"}[self.value]
