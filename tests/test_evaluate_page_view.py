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


def test_a_column_read_in_its_place_is_not_scored_as_holding_a_twin_column_of_equal_values():
    # a register whose registration number is written as its serial: printed columns 0 and 2 hold the same
    # values; the pipeline read every column in its place, so none of them is misassigned
    twin = {
        "page": 1,
        "columns": ["row_no", "deceased_name", "registration_no"],
        "rows": [
            {"row": 1, "cells": ["27", "张三", "27"], "record": {}},
            {"row": 2, "cells": ["28", "李四", "28"], "record": {}},
        ],
    }
    recs = {1: _rec("27", "张三", "27"), 2: _rec("28", "李四", "28")}
    assert columns_held(twin, recs, 3) == {0: 0, 1: 1, 2: 2}
    page = page_view(twin, "done", ["row_no", "deceased_name", "registration_no"], recs)
    assert page.field_state("registration_no") == "ok"


def test_a_page_without_records_holds_no_column_and_an_empty_value_is_none():
    page = page_view(GPAGE, "failed", [], {1: None, 2: None}, lost=True)
    assert page.held == {} and page.lost and page.field_state("deceased_name") == "not_identified"
    assert scored_value("") is None and scored_value(None) is None and scored_value(3) == "3"


# A page printing a remarks column that the pipeline never read (two printed columns read as one): the
# code 9 (家属领回) of the ashes column has its wording kept in remarks (SPEC.md), the remarks cell blank.
REMARKS_PAGE = {
    "page": 1,
    "columns": ["row_no", "deceased_name", "ashes_destination_code", "remarks"],
    "rows": [
        {
            "row": 1,
            "cells": ["1", "张三", "家属领回", ""],
            "record": {"deceased_name": "张三", "ashes_destination_code": "9", "remarks": "家属领回"},
        },
        {
            "row": 2,
            "cells": ["2", "李四", "家属领回", "迁葬"],
            "record": {"deceased_name": "李四", "ashes_destination_code": "9", "remarks": "迁葬；家属领回"},
        },
    ],
}


def _kept(name: str, code_flags: tuple[str, ...] = ("wording_kept_in_remarks",)) -> SimpleNamespace:
    fields = {
        "deceased_name": {"value": name, "confidence": 1.0, "flags": []},
        "ashes_destination_code": {"value": "9", "confidence": 1.0, "flags": list(code_flags)},
        "remarks": {"value": "家属领回", "confidence": 1.0, "flags": ["wording_kept_in_remarks"]},
    }
    return SimpleNamespace(cells=[{"text": c} for c in ("1", name, "家属领回")], fields=fields, status="auto_accepted", id=1)


def test_a_wording_kept_in_remarks_is_judged_by_the_column_it_came_from_unless_the_remarks_cell_has_ink():
    from pipeline.quality.evaluate import Evaluation, _score_row

    recs = {1: _kept("张三"), 2: _kept("李四")}
    read = ["row_no", "deceased_name", "ashes_destination_code"]  # the remarks column never read
    page = page_view(REMARKS_PAGE, "done", read, recs)
    row1, row2 = REMARKS_PAGE["rows"]
    assert page.field_state("remarks") == "not_identified"
    # blank remarks cell: the value came from the ashes column, identified: no breach of the floor
    assert page.value_state("remarks", row1["cells"], recs[1].fields) == "ok"
    # ink in the remarks cell that went unread: a breach, whatever the remarks holds
    assert page.value_state("remarks", row2["cells"], recs[2].fields) == "not_identified"
    # a value carrying no derivation from another column is judged by its own column
    bare = _kept("张三", code_flags=())
    bare.fields["remarks"]["flags"] = []
    assert page.value_state("remarks", row1["cells"], bare.fields) == "not_identified"
    ev = Evaluation()
    for grow in REMARKS_PAGE["rows"]:
        _score_row(ev, grow, recs[grow["row"]], "", REMARKS_PAGE["columns"], page)
    assert ev.auto_column_unidentified == 1 and ev.auto_fields_wrong == 1
    # the ashes column itself not identified: the kept wording came from an unread column
    page2 = page_view(REMARKS_PAGE, "done", ["row_no", "deceased_name", None], recs)
    assert page2.value_state("remarks", row1["cells"], recs[1].fields) == "not_identified"
