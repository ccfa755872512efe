"""Field validation against real references: GB 32100-2015, 行政区划 and GB/T 4754-2017.

Each check returns a Chinese message for users, or None when the value is valid.
"""

from __future__ import annotations

import unicodedata

from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from srdi.kit.reference import industry, region

# Spaces and hyphens people type to group the digits (9144-0305-MAH2MAL19H); NFKC first makes full-width forms
# (９１４４，－，　) half-width.
_USCC_SEPARATORS = str.maketrans("", "", " -\t\u00a0")


def normalize_uscc(value: str) -> str:
    """The stored form of a code: half-width, upper-case, without grouping spaces or hyphens."""
    text = value if value.isascii() else unicodedata.normalize("NFKC", value)
    return text.strip().translate(_USCC_SEPARATORS).upper()


def uscc_error(value: str) -> str | None:
    code = normalize_uscc(value)
    if not code:
        return "统一社会信用代码不能为空"
    try:
        uscc_std.validate(code)
    except InvalidLength:
        return f"统一社会信用代码应为18位，实际为{len(code)}位"
    except InvalidChecksum:
        return "统一社会信用代码校验位错误（GB 32100-2015）"
    except (InvalidFormat, InvalidComponent):
        return "统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）"
    except ValidationError:
        return "统一社会信用代码格式不正确"
    return None


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
