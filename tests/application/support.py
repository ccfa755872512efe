"""Rows and helpers for application tests: a clock, an evidence directory, files by their first bytes."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

import pytest
from sqlalchemy.orm import Session
from stdnum.cn import uscc as uscc_std

from srdi.application import service
from srdi.application.models import ApplicationBatch, Expert
from srdi.enterprise.models import Enterprise

_seq = count(1)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 32

# Monday 2026-11-02: a plain working month (no holiday until 元旦).
MONDAY = date(2026, 11, 2)


class Clock:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(MONDAY)
    monkeypatch.setattr(service, "today", c)
    return c


@pytest.fixture
def evidence_dir(monkeypatch: pytest.MonkeyPatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(service, "evidence_root", lambda: tmp_path)
    return tmp_path


def new_uscc(region: str) -> str:
    base = "91" + region + f"{800000 + next(_seq):09d}"
    return base + uscc_std.calc_check_digit(base)


def enterprise(db: Session, region: str = "440305", name: str | None = None) -> Enterprise:
    n = next(_seq)
    e = Enterprise(
        uscc=new_uscc(region),
        name=name or f"申报测试精密机械{n}有限公司",
        region_code=region,
        industry_code="3562",
        tags=[],
        address="深圳市南山区科技园测试路1号",
        is_synthetic=True,
    )
    db.add(e)
    db.flush()
    return e


def batch(db: Session, **kw: Any) -> ApplicationBatch:
    b = ApplicationBatch(
        name=kw.pop("name", f"2026年第{next(_seq)}批专精特新中小企业"),
        tier=kw.pop("tier", "srdi_sme"),
        purpose="new_application",
        region_code=kw.pop("region_code", "44"),
        open_date=kw.pop("open_date", date(2026, 10, 8)),
        close_date=kw.pop("close_date", date(2026, 11, 30)),
        created_by="测试",
    )
    db.add(b)
    db.flush()
    return b


def expert(db: Session, name: str, region: str, **kw: Any) -> Expert:
    return service.create_expert(db, service.ExpertData(name=name, region_code=region, **kw))
