"""pipeline.quality.evaluate's public view of one truth page, as the benches (bench/fields_wrong.py,
bench/columns_vs_truth.py) use it: which printed column each column read holds, and each field's state."""

from __future__ import annotations

from types import SimpleNamespace

from pipeline.quality.evaluate import columns_held, page_view, scored_value

GPAGE = {
    "page": 1,
    "columns": ["row_no", "deceased_name", "id_number", "household_address"],
    "rows": [
        {"row": 1, "cells": ["1", "张三", "370102195001011234", "济南市历下区"], "record": {}},
        {"row": 2, "cells": ["2", "李四", "370102196002022345", "青岛市市南区"], "record": {}},
    ],
}


def _rec(*cells: str) -> SimpleNamespace:
    return SimpleNamespace(cells=[{"text": c} for c in cells])


def test_a_column_read_is_judged_by_the_printed_column_its_cells_are_like():
    # the pipeline read the ID column and the address column swapped: its column 2 holds printed column 3
    recs = {
        1: _rec("1", "张三", "济南市历下区", "370102195001011234"),
        2: _rec("2", "李四", "青岛市市南区", "370102196002022345"),
    }
    assert columns_held(GPAGE, recs, 4) == {0: 0, 1: 1, 2: 3, 3: 2}
    page = page_view(GPAGE, "done", ["row_no", "deceased_name", "id_number", "household_address"], recs)
    assert page.field_state("deceased_name") == "ok"
    assert page.field_state("id_number") == "misassigned"
    # a field with no printed column of its own is judged by the column it is read from
    assert page.source("birth_date") == "id_number" and page.field_state("birth_date") == "misassigned"
    assert page.source("household_division_code") == "household_address"
    assert page.misplaced == frozenset() and not page.lost


def test_a_page_without_records_holds_no_column_and_an_empty_value_is_none():
    page = page_view(GPAGE, "failed", [], {1: None, 2: None}, lost=True)
    assert page.held == {} and page.lost and page.field_state("deceased_name") == "not_identified"
    assert scored_value("") is None and scored_value(None) is None and scored_value(3) == "3"
