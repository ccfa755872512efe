"""Reference tables shipped in ``srdi/reference`` (sources and licences in its README)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    city_code: str
    city_name: str
    province_code: str
    province_name: str

    @property
    def full_name(self) -> str:
        parts = [self.province_name]
        if self.city_name not in ("市辖区", "县", self.province_name):
            parts.append(self.city_name)
        if self.name != self.city_name:
            parts.append(self.name)
        return "".join(parts)


@dataclass(frozen=True, slots=True)
class Industry:
    code: str
    name: str
    level: int
    parent_code: str
    section: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("srdi.reference").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache
def regions() -> dict[str, Region]:
    """County-level 行政区划 codes (6 digits), plus prefecture cities without districts (e.g. 东莞 441900)."""
    provinces = {r["code"]: r["name"] for r in _rows("china-division_2.7.0_provinces.csv")}
    cities = {r["code"]: r["name"] for r in _rows("china-division_2.7.0_cities.csv")}
    out: dict[str, Region] = {}
    for r in _rows("china-division_2.7.0_areas.csv"):
        out[r["code"]] = Region(
            code=r["code"],
            name=r["name"],
            city_code=r["cityCode"],
            city_name=cities.get(r["cityCode"], ""),
            province_code=r["provinceCode"],
            province_name=provinces.get(r["provinceCode"], ""),
        )
    return out


def region(code: str) -> Region | None:
    return regions().get(code)


@lru_cache
def industries() -> dict[str, Industry]:
    return {
        r["code"]: Industry(r["code"], r["name"], int(r["level"]), r["parent_code"], r["section"])
        for r in _rows("gbt4754_2017_codes.csv")
    }


def industry(code: str) -> Industry | None:
    return industries().get(code)


@lru_cache
def strategic_emerging_codes() -> frozenset[str]:
    """GB/T 4754 小类 codes that appear (wholly or partly) in 战略性新兴产业分类(2018)."""
    return frozenset(r["gbt_code"] for r in _rows("sei2018_to_gbt4754.derived.csv"))
