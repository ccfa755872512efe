"""Field validation against real references: 行政区划 and GB/T 4754-2017 (the USCC, GB 32100-2015: srdi.kit.uscc).

Each check returns a Chinese message for users, or None when the value is valid.
"""

from __future__ import annotations

from srdi.kit.reference import industry, region


def region_error(code: str) -> str | None:
    code = code.strip()
    if len(code) != 6 or not code.isdigit():
        return "行政区划代码应为6位数字（区县级）"
    if region(code) is None:
        return f"行政区划代码 {code} 不在国家统计局区划代码表中"
    return None


def industry_error(code: str) -> str | None:
    code = code.strip()
    node = industry(code)
    if node is None:
        return f"行业代码 {code} 不在 GB/T 4754-2017 国民经济行业分类中"
    if node.level != 4:
        return f"行业代码 {code}（{node.name}）不是小类代码，请填写4位小类代码"
    return None


# 创客中国 national lists (CRITERIA §4.1 ZD4, §5 X4D2): 全国500强 and 全国50强.
MAKER_CHINA_LISTS = (500, 50)


def award_error(kind: str, contest_group: str | None, top_group: int | None) -> str | None:
    """The group and list of an award belong to 创客中国 alone, and a 创客中国 award must say its group: only the
    企业组 lists are direct routes, so an award without a group could not be read either way."""
    if kind == "maker_china":
        if contest_group is None:
            return "“创客中国”大赛获奖须填写组别（企业组或创客组）"
        if top_group is not None and top_group not in MAKER_CHINA_LISTS:
            return "“创客中国”名单只能是全国500强或全国50强"
        return None
    if contest_group is not None:
        return "只有“创客中国”大赛获奖才填写组别（企业组/创客组）"
    if top_group is not None:
        return "只有“创客中国”大赛获奖才填写全国500强/50强名单"
    return None
