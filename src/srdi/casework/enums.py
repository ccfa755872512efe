"""String enums of casework."""

from __future__ import annotations

from enum import StrEnum


class AssignmentBasis(StrEnum):
    district = "district"
    industry = "industry"
    manual = "manual"

    @property
    def label(self) -> str:
        return {"district": "按区县分配", "industry": "按行业分配", "manual": "手工指定"}[self.value]
