"""srdi.kit.spreadsheet: what every export writes so that no cell executes and digit strings stay text."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from srdi.kit.spreadsheet import digits_as_text, neutralise


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']
)
def test_every_formula_trigger_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["深圳市示例科技有限公司", "a=b", "", 12, None])
def test_other_values_pass_unchanged(value):
    assert neutralise(value) == value


def test_a_19_digit_account_stays_text_in_csv_and_a_hostile_one_is_neutralised():
    assert digits_as_text("6222021234567890123") == "\t6222021234567890123"
    assert digits_as_text("=1+2") == "'=1+2"
    assert digits_as_text(None) == ""


def test_a_neutralised_value_is_a_string_cell_not_a_formula_in_xlsx():
    wb = Workbook()
    ws = wb.active
    ws.append([neutralise('=HYPERLINK("http://x","y")'), "6222021234567890123"])
    buf = io.BytesIO()
    wb.save(buf)
    cells = next(iter(load_workbook(io.BytesIO(buf.getvalue())).active.iter_rows()))
    assert [(c.data_type, c.value) for c in cells] == [
        ("s", '\'=HYPERLINK("http://x","y")'),
        ("s", "6222021234567890123"),
    ]
