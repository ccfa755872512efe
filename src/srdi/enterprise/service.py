"""Business rules of the registry: every change goes through here and leaves a change-log row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session

from srdi.enterprise import repository
from srdi.enterprise.enums import SizeClass
from srdi.enterprise.exceptions import DuplicateUscc, EnterpriseNotFound
from srdi.enterprise.models import (
    COUNT_FIGURES,
    MONEY_FIGURES,
    ChangeLog,
    Enterprise,
    Recognition,
    YearlyFigure,
)
from srdi.enterprise.schemas import (
    EnterpriseDetail,
    EnterpriseIn,
    EnterpriseSummary,
    YearlyFigureIn,
    YearlyFigureOut,
)
from srdi.enterprise.size_class import classify
from srdi.kit.masking import mask_phone
from srdi.kit.money import fen_to_yuan, yuan_to_fen
from srdi.kit.reference import industry, region
from srdi.kit.workdays import beijing_today

PROFILE_FIELDS = (
    "name",
    "founded_date",
    "region_code",
    "industry_code",
    "tags",
    "digital_level",
    "own_brand",
    "standards_drafted",
    "core_business_on_it_system",
    "main_product_field",
    "independent_legal_person",
    "restricted_product",
    "niche_market_leading",
    "local_feature_score",
    "local_answers",
    "contact_name",
    "contact_phone",
    "address",
)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def get_or_404(db: Session, enterprise_id: int) -> Enterprise:
    ent = repository.get(db, enterprise_id)
    if ent is None:
        raise EnterpriseNotFound(enterprise_id)
    return ent


def with_facts(db: Session, ids: Sequence[int]) -> list[Enterprise]:
    """Enterprises ready for ``facts_document`` without a query per relationship (batch evaluation, push)."""
    return repository.with_facts(db, ids)


class Scope(Protocol):
    def allows(self, region_code: str | None, enterprise_id: int | None) -> bool: ...


def get_visible(db: Session, scope: Scope, enterprise_id: int) -> Enterprise:
    """The enterprise if the caller's scope covers it; otherwise 404, exactly as if it did not exist."""
    ent = get_or_404(db, enterprise_id)
    if not scope.allows(ent.region_code, ent.id):
        raise EnterpriseNotFound(enterprise_id)
    return ent


def valid_tiers(ent: Enterprise, as_of: date | None = None) -> list[str]:
    day = as_of or beijing_today()
    recs: list[Recognition] = ent.recognitions
    return sorted({r.tier for r in recs if r.status == "valid" and r.valid_until >= day})


def create(db: Session, data: EnterpriseIn, *, actor: str, source: str = "self_reported") -> Enterprise:
    if repository.get_by_uscc(db, data.uscc) is not None:
        raise DuplicateUscc(data.uscc)
    ent = Enterprise(uscc=data.uscc, is_synthetic=False, tags=[])
    db.add(ent)
    apply_profile(
        db, ent, data.model_dump(include=set(PROFILE_FIELDS)), actor=actor, source=source, created=True
    )
    return ent


def apply_profile(
    db: Session,
    ent: Enterprise,
    values: Mapping[str, Any],
    *,
    actor: str,
    source: str,
    created: bool = False,
    import_job_id: int | None = None,
) -> int:
    """Set profile fields, logging old → new for each field that changed. Returns the number of changes."""
    changes: list[tuple[str, object, object]] = []
    for name in PROFILE_FIELDS:
        if name not in values:
            continue
        new = values[name]
        old = getattr(ent, name, None)
        if created or old != new:
            if not (created and new is None):
                changes.append((name, None if created else old, new))
            setattr(ent, name, new)
    if changes:
        db.flush()
        for name, old, new in changes:
            db.add(
                ChangeLog(
                    enterprise_id=ent.id,
                    entity="enterprise",
                    field=name,
                    old_value=_text(old),
                    new_value=_text(new),
                    source=source,
                    actor=actor,
                    import_job_id=import_job_id,
                )
            )
    return len(changes)


def set_yearly_figures(
    db: Session,
    ent: Enterprise,
    year: int,
    values: Mapping[str, int | Decimal | None],
    *,
    source: str,
    actor: str,
    import_job_id: int | None = None,
) -> int:
    """Store one year's figures (money already in fen). ``None`` values are not written. Returns changes."""
    if ent.id is None:
        db.flush()
    fig = next((f for f in ent.yearly_figures if f.fiscal_year == year), None)
    if fig is None:
        fig = YearlyFigure(enterprise_id=ent.id, fiscal_year=year, sources={})
        ent.yearly_figures.append(fig)
    sources = dict(fig.sources or {})
    n = 0
    for name, new in values.items():
        if new is None:
            continue
        old = getattr(fig, name)
        if old == new and sources.get(name) == source:
            continue
        setattr(fig, name, new)
        sources[name] = source
        n += 1
        db.add(
            ChangeLog(
                enterprise_id=ent.id,
                entity="yearly_figure",
                entity_key=str(year),
                field=name,
                old_value=_text(old),
                new_value=_text(new),
                source=source,
                actor=actor,
                import_job_id=import_job_id,
            )
        )
    if n:
        fig.sources = sources
        fig.updated_by = actor
        recompute_size_class(ent)
    return n


def update_yearly_from_api(
    db: Session, ent: Enterprise, year: int, data: YearlyFigureIn, *, actor: str
) -> YearlyFigure:
    values: dict[str, int | Decimal | None] = {}
    for name in MONEY_FIGURES:
        v = getattr(data, name)
        values[name] = None if v is None else yuan_to_fen(v)
    for name in COUNT_FIGURES:
        values[name] = getattr(data, name)
    values["development_score"] = data.development_score
    set_yearly_figures(db, ent, year, values, source=data.source.value, actor=actor)
    db.flush()
    fig = repository.yearly_figure(db, ent.id, year)
    assert fig is not None
    return fig


def recompute_size_class(ent: Enterprise) -> None:
    """划型 from the latest fiscal year that has figures (300号 uses the statistics of the last year)."""
    years = sorted(ent.yearly_figures, key=lambda f: f.fiscal_year, reverse=True)
    for fig in years:
        if fig.employees is None and fig.operating_revenue is None and fig.total_assets is None:
            continue
        cls = classify(
            ent.industry_code,
            employees=fig.employees,
            operating_revenue_fen=fig.operating_revenue,
            total_assets_fen=fig.total_assets,
        )
        ent.size_class = cls.value if cls else None
        ent.size_class_year = fig.fiscal_year
        return
    ent.size_class = None
    ent.size_class_year = None


def summary(ent: Enterprise, as_of: date | None = None) -> EnterpriseSummary:
    reg = region(ent.region_code)
    ind = industry(ent.industry_code)
    size = SizeClass(ent.size_class) if ent.size_class else None
    return EnterpriseSummary(
        id=ent.id,
        uscc=ent.uscc,
        name=ent.name,
        region_code=ent.region_code,
        region_name=reg.full_name if reg else ent.region_code,
        industry_code=ent.industry_code,
        industry_name=ind.name if ind else ent.industry_code,
        size_class=ent.size_class,
        size_class_label=size.label if size else None,
        tags=list(ent.tags or []),
        valid_tiers=valid_tiers(ent, as_of),
        is_synthetic=ent.is_synthetic,
    )


def detail(ent: Enterprise) -> EnterpriseDetail:
    base = summary(ent).model_dump()
    return EnterpriseDetail(
        **base,
        founded_date=ent.founded_date,
        size_class_year=ent.size_class_year,
        digital_level=ent.digital_level,
        own_brand=ent.own_brand,
        standards_drafted=ent.standards_drafted,
        core_business_on_it_system=ent.core_business_on_it_system,
        main_product_field=ent.main_product_field,
        independent_legal_person=ent.independent_legal_person,
        restricted_product=ent.restricted_product,
        niche_market_leading=ent.niche_market_leading,
        local_feature_score=ent.local_feature_score,
        local_answers=dict(ent.local_answers or {}),
        contact_name=ent.contact_name,
        contact_phone=mask_phone(ent.contact_phone),
        address=ent.address,
        created_at=ent.created_at,
        updated_at=ent.updated_at,
    )


def yearly_out(fig: YearlyFigure) -> YearlyFigureOut:
    data: dict[str, Any] = {
        "fiscal_year": fig.fiscal_year,
        "employees": fig.employees,
        "rd_staff": fig.rd_staff,
        "development_score": fig.development_score,
        "sources": fig.sources or {},
        "updated_at": fig.updated_at,
        "updated_by": fig.updated_by,
    }
    for name in MONEY_FIGURES:
        v = getattr(fig, name)
        data[name] = None if v is None else fen_to_yuan(v)
    return YearlyFigureOut(**data)


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _records(rows: list[Any], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{f: _iso(getattr(r, f)) for f in fields} for r in rows]


def facts_document(ent: Enterprise) -> dict[str, Any]:
    """The enterprise as a facts document for the rules engine (docs/rules-authoring.md).

    Money leaves as yuan decimal strings; an empty list means "none recorded", which the registry asserts for
    every fact list it holds.
    """
    yearly: dict[str, dict[str, Any]] = {}
    for fig in ent.yearly_figures:
        row: dict[str, Any] = {}
        for name in MONEY_FIGURES:
            v = getattr(fig, name)
            if v is not None:
                row[name] = str(fen_to_yuan(v))
        for name in COUNT_FIGURES:
            v = getattr(fig, name)
            if v is not None:
                row[name] = v
        if fig.development_score is not None:
            row["development_score"] = str(fig.development_score)
        yearly[str(fig.fiscal_year)] = row
    return {
        "uscc": ent.uscc,
        "name": ent.name,
        "region_code": ent.region_code,
        "industry_code": ent.industry_code,
        "founded_date": _iso(ent.founded_date),
        "size_class": ent.size_class,
        "digital_level": ent.digital_level,
        "own_brand": ent.own_brand,
        "standards_drafted": ent.standards_drafted,
        "core_business_on_it_system": ent.core_business_on_it_system,
        "main_product_field": ent.main_product_field,
        "independent_legal_person": ent.independent_legal_person,
        "restricted_product": ent.restricted_product,
        "niche_market_leading": ent.niche_market_leading,
        "local_feature_score": ent.local_feature_score,
        "local_answers": dict(ent.local_answers or {}),
        "yearly": yearly,
        "ip_items": _records(
            ent.ip_items,
            (
                "ip_type",
                "ip_class",
                "self_developed",
                "high_value",
                "related_to_main_product",
                "in_use",
                "granted_date",
                "transferred_in_date",
                "rank_among_holders",
            ),
        ),
        "awards": _records(
            ent.awards, ("kind", "level", "name", "award_date", "rank", "top_group", "contest_group")
        ),
        "honours": _records(ent.honours, ("kind", "name", "level", "valid_from", "valid_until")),
        "rd_institutions": _records(ent.rd_institutions, ("name", "level", "recognized_date")),
        "certifications": _records(ent.certifications, ("kind", "name", "valid_until")),
        "niche_markets": _records(
            ent.niche_markets, ("description", "start_date", "market_share_bp", "national_rank")
        ),
        "main_products": _records(ent.main_products, ("name", "strategic_emerging", "strategic_category")),
        "compliance_records": _records(
            ent.compliance_records, ("kind", "severity", "occurred_date", "resolved_date")
        ),
        "recognitions": _records(
            ent.recognitions,
            (
                "tier",
                "level",
                "batch",
                "announced_date",
                "valid_until",
                "status",
                "revoked_date",
                "revocation_reason",
            ),
        ),
    }
