"""Hostile text and numbers on the registry (issue 8): one code in many spellings is one enterprise; look-alike
names are refused; control characters and absurd figures give 422 on SQLite and PostgreSQL, never a 500."""

from __future__ import annotations

import pytest

from srdi.kit.uscc import normalize_uscc

USCC = "91440305MAH2MAL19H"


def _body(**over):  # type: ignore[no-untyped-def]
    return {
        "uscc": USCC,
        "name": "深圳市示例精密科技有限公司",
        "region_code": "440305",
        "industry_code": "3562",
        **over,
    }


@pytest.mark.parametrize(
    "typed",
    [
        "9144-0305-MAH2MAL19H",
        " 9144 0305 mah2 mal19h ",
        "９１４４０３０５ＭＡＨ２ＭＡＬ１９Ｈ",
        "9144－0305－MAH2MAL19H",
    ],
)
def test_a_code_typed_with_hyphens_spaces_or_full_width_is_normalised(typed):
    assert normalize_uscc(typed) == USCC


def test_a_hyphenated_code_finds_the_existing_enterprise_and_never_creates_a_duplicate(client):
    first = client.post("/api/v1/enterprises", json=_body())
    assert (first.status_code, first.json()["uscc"]) == (201, USCC)
    again = client.post("/api/v1/enterprises", json=_body(uscc="9144-0305-MAH2MAL19H", name="另一家公司"))
    assert again.status_code == 409
    found = client.get("/api/v1/enterprises", params={"q": "9144-0305-MAH2MAL19H"}).json()
    assert [(e["id"], e["uscc"]) for e in found["items"]] == [(first.json()["id"], USCC)]


@pytest.mark.parametrize(
    ("name", "char"),
    [
        ("深圳市示例\u200b精密科技有限公司", "U+200B"),
        ("深圳市示例精密科技\u202e司公限有", "U+202E"),
        ("\ufeff深圳市示例精密科技有限公司", "U+FEFF"),
        ("深圳市示例精密科技有限公司\u2066", "U+2066"),
    ],
)
def test_invisible_and_direction_control_characters_in_a_name_are_refused(client, name, char):
    r = client.post("/api/v1/enterprises", json=_body(name=name))
    assert r.status_code == 422
    assert r.json()["details"][0]["message"] == (
        f"名称中含有不可见字符或文字方向控制字符（{char}），请删除后重试"
    )


def test_a_name_is_stored_in_nfkc_with_full_width_latin_made_half_width(client):
    r = client.post("/api/v1/enterprises", json=_body(name="深圳市ＡＢＣ　科技有限公司"))
    assert (r.status_code, r.json()["name"]) == (201, "深圳市ABC 科技有限公司")


@pytest.mark.parametrize("field", ["name", "address", "contact_name", "contact_phone"])
def test_a_nul_byte_in_any_field_gives_422(client, field):
    r = client.post("/api/v1/enterprises", json=_body(**{field: "深圳\x00公司"}))
    assert r.status_code == 422
    assert r.json()["details"][0]["field"] == field


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("92233720368547758.07", 200),
        ("92233720368547758.08", 422),
        ("1e400", 422),
        ("Infinity", 422),
        ("-1e30", 422),
    ],
)
def test_yearly_figures_beyond_a_bigint_of_fen_give_422(client, value, status):
    ent = client.post("/api/v1/enterprises", json=_body()).json()
    field = "net_profit" if value.startswith("-") else "operating_revenue"
    r = client.put(f"/api/v1/enterprises/{ent['id']}/yearly-figures/2025", json={field: value})
    assert r.status_code == status, r.text
    if status == 422:
        assert r.json()["details"][0]["message"].startswith(("数值过大", "数值过小", "应为有限数值"))
