"""Business rules of the registry: every change goes through here and leaves a change-log row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session

from srdi.enterprise import repository
from srdi.enterprise.enums import OFFICIAL_STATABLE, Provenance, SizeClass, provenance_label
from srdi.enterprise.exceptions import DuplicateUscc, EnterpriseNotFound, SourceNotAllowed
from srdi.enterprise.history_words import history_words as history_words
from srdi.enterprise.models import (
    COUNT_FIGURES,
    MONEY_FIGURES,
    ChangeLog,
    Enterprise,
    Recognition,
    YearlyFigure,
)
from srdi.enterprise.repository import EnterpriseFilter as EnterpriseFilter
from srdi.enterprise.repository import history as history
from srdi.enterprise.repository import list_enterprises as list_enterprises
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


# The fact lists of a facts document and the fields each record carries (the batch frame builder,
# srdi.criteria.facts_frame, reads exactly these columns so that both paths see the same facts).
FACT_RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "ip_items": (
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
    "awards": ("kind", "level", "name", "award_date", "rank", "top_group", "contest_group"),
    "honours": ("kind", "name", "level", "valid_from", "valid_until"),
    "rd_institutions": ("name", "level", "recognized_date"),
    "certifications": ("kind", "name", "valid_until"),
    "niche_markets": ("description", "start_date", "market_share_bp", "national_rank"),
    "main_products": ("name", "strategic_emerging", "strategic_category"),
    "compliance_records": ("kind", "severity", "occurred_date", "resolved_date"),
    "recognitions": (
        "tier",
        "level",
        "batch",
        "announced_date",
        "valid_until",
        "status",
        "revoked_date",
        "revocation_reason",
    ),
}


def change_text(value: object) -> str | None:
    """A value as the change log stores it (old → new): text (a date's is ISO), lists comma-joined."""
    if value is None:
        return None
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


# --- provenance: set by the server from who writes (PRODUCT C1, QUALITY S5; decision 0012-provenance) ------------

# Roles whose account belongs to one enterprise: whatever they send, what they write is the enterprise's word.
SELF_REPORTING_ROLES = frozenset({"enterprise", "chain_leader"})
# Roles that may state an authoritative source for a value they write or import (the official states where the
# file or figure comes from: 税务、统计、审计报告、市场监管、官方名单). ``verified`` only through the verification queue.
STATING_ROLES = frozenset({"admin", "district_official", "city_official", "provincial_official"})


def decide_source(role: str, requested: str | None) -> tuple[str, str | None]:
    """The provenance the server records for a value written by ``role`` and a notice when the request's
    ``source`` was not taken. An enterprise's own entry is always self-reported (the request's source is ignored
    and the response says so); an official may state a source of ``OFFICIAL_STATABLE``; anyone else is refused.
    """
    asked = Provenance(requested) if requested in {p.value for p in Provenance} else None
    if role in SELF_REPORTING_ROLES:
        if not requested or asked is Provenance.self_reported:
            return Provenance.self_reported.value, None
        return Provenance.self_reported.value, (
            f"企业账号填报的数据一律记为“{Provenance.self_reported.label}”，"
            f"已忽略请求中的数据来源“{asked.label if asked else requested[:40]}”"
        )
    if requested and asked is None:
        raise SourceNotAllowed(requested[:40])
    if role in STATING_ROLES:
        if asked is None:
            return Provenance.self_reported.value, None
        if asked in OFFICIAL_STATABLE:
            return asked.value, None
        raise SourceNotAllowed(asked.label)
    raise SourceNotAllowed(asked.label if asked else Provenance.self_reported.label)


def log_change(
    db: Session,
    enterprise_id: int,
    *,
    entity: str,
    entity_key: str | None,
    field: str,
    old: object,
    new: object,
    source: str | None,
    actor: str,
    note: str | None = None,
    evidence: str | None = None,
) -> ChangeLog:
    """One provenance-history row (other domains' values — policy answers — use the same history)."""
    row = ChangeLog(
        enterprise_id=enterprise_id,
        entity=entity,
        entity_key=entity_key,
        field=field,
        old_value=change_text(old),
        new_value=change_text(new),
        source=source,
        actor=actor,
        note=note,
        evidence=evidence,
    )
    db.add(row)
    return row


RECORD_MODELS: dict[str, type[Any]] = {}  # filled below the fact models' import: list name → model


def verify_yearly(
    db: Session, ent: Enterprise, figure: str, year: int, *, actor: str, note: str, evidence: str | None
) -> bool:
    """Mark one yearly figure as verified (its value unchanged); False when there is no such figure."""
    fig = next((f for f in ent.yearly_figures if f.fiscal_year == year), None)
    if fig is None or figure not in (*MONEY_FIGURES, *COUNT_FIGURES) or getattr(fig, figure) is None:
        return False
    sources = dict(fig.sources or {})
    old = sources.get(figure)
    sources[figure] = Provenance.verified.value
    fig.sources = sources
    value = getattr(fig, figure)
    log_change(
        db, ent.id, entity="yearly_figure", entity_key=str(year), field=figure, old=value, new=value,
        source=Provenance.verified.value, actor=actor, note=note or f"核验（原来源：{old or '未注明'}）",
        evidence=evidence,
    )  # fmt: skip
    return True


def verify_records(
    db: Session,
    ent: Enterprise,
    name: str,
    ids: Sequence[int],
    *,
    actor: str,
    note: str,
    evidence: str | None,
) -> int:
    """Mark fact records (recognitions, honours …) as verified; returns how many changed."""
    model = RECORD_MODELS.get(name)
    if model is None:
        return 0
    n = 0
    for rid in ids:
        row = db.get(model, rid)
        if row is None or row.enterprise_id != ent.id or row.source == Provenance.verified.value:
            continue
        old = row.source
        row.source = Provenance.verified.value
        log_change(
            db, ent.id, entity=model.__tablename__, entity_key=str(rid), field="source", old=old,
            new=Provenance.verified.value, source=Provenance.verified.value, actor=actor, note=note,
            evidence=evidence,
        )  # fmt: skip
        n += 1
    return n


def record_rejection(
    db: Session, enterprise_id: int, *, entity: str, entity_key: str | None, field: str, value: object,
    source: str | None, actor: str, reason: str,
) -> None:  # fmt: skip
    """A rejected verification stays in the value's history (its provenance does not change)."""
    log_change(
        db, enterprise_id, entity=entity, entity_key=entity_key, field=field, old=value, new=value,
        source=source, actor=actor, note=f"核验未通过：{reason}",
    )  # fmt: skip


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
                    old_value=change_text(old),
                    new_value=change_text(new),
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
    note: str | None = None,
) -> int:
    """Store one year's figures (money already in fen). ``None`` values are not written. Returns changes.
    ``note``: why (a reviewer's verification during an application's review), kept in each history row."""
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
                old_value=change_text(old),
                new_value=change_text(new),
                source=source,
                actor=actor,
                import_job_id=import_job_id,
                note=note,
            )
        )
    if n:
        fig.sources = sources
        fig.updated_by = actor
        recompute_size_class(ent)
    return n


def update_yearly_from_api(
    db: Session, ent: Enterprise, year: int, data: YearlyFigureIn, *, actor: str, source: str
) -> YearlyFigure:
    """``source`` is what the server decided (``decide_source``), never the request's own field."""
    values: dict[str, int | Decimal | None] = {}
    for name in MONEY_FIGURES:
        v = getattr(data, name)
        values[name] = None if v is None else yuan_to_fen(v)
    for name in COUNT_FIGURES:
        values[name] = getattr(data, name)
    values["development_score"] = data.development_score
    set_yearly_figures(db, ent, year, values, source=source, actor=actor)
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
        "source_labels": {k: provenance_label(v) or v for k, v in (fig.sources or {}).items()},
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
        # Where each value came from, for the provenance gate of money decisions (srdi.rules_engine.policy
        # .input_provenance). Records are listed in the same order as their lists below.
        "provenance": {
            "yearly": {
                str(fig.fiscal_year): {
                    k: v for k, v in (fig.sources or {}).items() if getattr(fig, k, None) is not None
                }
                for fig in ent.yearly_figures
            },
            "records": {
                name: [{"id": r.id, "source": r.source} for r in getattr(ent, name)] for name in RECORD_LISTS
            },
            "policy_answers": {},
        },
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
        **{name: _records(getattr(ent, name), fields) for name, fields in FACT_RECORD_FIELDS.items()},
    }


RECORD_LISTS = (
    "ip_items",
    "awards",
    "honours",
    "rd_institutions",
    "certifications",
    "niche_markets",
    "main_products",
    "compliance_records",
    "recognitions",
)
RECORD_MODELS.update({name: Enterprise.__mapper__.relationships[name].mapper.class_ for name in RECORD_LISTS})
