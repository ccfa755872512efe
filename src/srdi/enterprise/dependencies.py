"""FastAPI dependencies other routers share: the enterprise of the path, and the registry filter of a query, both
as far as the caller may see.

``ent: VisibleEnterprise`` reads ``{enterprise_id}``, and answers 404 when the enterprise does not exist or lies
outside the caller's scope (``principal.scope``, decision 0006); ``flt: RegistryFilter`` reads the list filters
(region, industry, size, tier, tags, text) and narrows them to that scope. Declare the route's role dependency first
(``principal: Reader``): a caller without the role is refused (403) before the enterprise is looked up.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from srdi.auth.dependencies import CurrentUser
from srdi.db.session import DbSession
from srdi.enterprise import service
from srdi.enterprise.enums import SizeClass, Tier
from srdi.enterprise.models import Enterprise
from srdi.kit.params import EnterpriseId


def visible_enterprise(db: DbSession, principal: CurrentUser, enterprise_id: EnterpriseId) -> Enterprise:
    return service.get_visible(db, principal.scope, enterprise_id)


VisibleEnterprise = Annotated[Enterprise, Depends(visible_enterprise)]


def registry_filter(
    principal: CurrentUser,
    region: Annotated[
        str | None,
        Query(description="行政区划代码或其前缀（省2位/市4位/区县6位）", max_length=6, pattern=r"^\d{2,6}$"),
    ] = None,
    industry: Annotated[
        str | None,
        Query(description="行业代码或其前缀（门类不支持，用2–4位数字）", max_length=4, pattern=r"^\d{2,4}$"),
    ] = None,
    size_class: Annotated[SizeClass | None, Query(description="企业规模")] = None,
    tier: Annotated[Tier | None, Query(description="持有有效称号")] = None,
    tag: Annotated[list[str] | None, Query(description="标签（可多个，需全部包含）")] = None,
    q: Annotated[str | None, Query(description="名称关键词或统一社会信用代码前缀", max_length=100)] = None,
) -> service.EnterpriseFilter:
    flt = service.EnterpriseFilter(
        region_prefix=region,
        industry_prefix=industry,
        size_class=size_class.value if size_class else None,
        tier=tier.value if tier else None,
        tags=tag or [],
        text=q,
    )
    principal.scope.restrict(flt)
    return flt


RegistryFilter = Annotated[service.EnterpriseFilter, Depends(registry_filter)]
