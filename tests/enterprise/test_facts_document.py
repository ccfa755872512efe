from datetime import date

from srdi.enterprise import service
from srdi.enterprise.models import Enterprise, IpItem, Recognition, YearlyFigure


def test_facts_document_carries_yuan_strings_iso_dates_and_empty_lists(db):
    ent = Enterprise(
        uscc="91440300192317458F", name="测试", region_code="440305", industry_code="3562", tags=[]
    )
    ent.yearly_figures.append(
        YearlyFigure(
            fiscal_year=2025, operating_revenue=754_200_000, rd_expense=75_420_000, employees=80, sources={}
        )
    )
    ent.ip_items.append(
        IpItem(ip_type="invention_patent", ip_class=1, title="一种装置", granted_date=date(2024, 5, 6))
    )
    ent.recognitions.append(
        Recognition(
            tier="innovative_sme",
            level="provincial",
            announced_date=date(2024, 1, 1),
            valid_until=date(2027, 1, 1),
            status="valid",
        )
    )
    db.add(ent)
    db.flush()
    doc = service.facts_document(ent)
    assert doc["yearly"] == {
        "2025": {"operating_revenue": "7542000.00", "rd_expense": "754200.00", "employees": 80}
    }
    assert doc["ip_items"][0]["granted_date"] == "2024-05-06"
    assert doc["ip_items"][0]["ip_class"] == 1
    assert doc["recognitions"][0]["valid_until"] == "2027-01-01"
    assert doc["awards"] == [] and doc["honours"] == []
    assert doc["digital_level"] is None
