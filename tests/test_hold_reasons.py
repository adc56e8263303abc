"""bench/hold_reasons.py: records held by one cause alone or by exactly two, with how many of them are
entirely right and the wrong fields among them (what lifting a cause would gain and cost)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def _hold_reasons():
    spec = importlib.util.spec_from_file_location("hold_reasons", Path(__file__).parents[1] / "bench" / "hold_reasons.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _result(**over: object) -> dict:
    """One store's result as bench/hold_reasons.py's render takes it: nothing held, every table empty, but
    the keys a test sets."""
    base: dict = {
        "label": "d/county",
        "records": 0,
        "auto": 0,
        "auto_share": 0.0,
        "auto_fields": 0,
        "auto_wrong": 0,
        "auto_error_rate": 0.0,
        "held": 0,
        "held_all_right": 0,
        "n_causes": {},
        "any": {},
        "sole": {},
        "sole_wrong": {},
        "sole_wrong_fields": {},
        "pairs": [],
        "held_fields": {},
        "held_pairs": [],
        "one_field": [],
        "one_field_records": 0,
        "doubts": [],
        "detail_any": [],
        "detail_sole": [],
        "auto_wrong_fields": {},
    }
    return base | over


def test_cause_tally_counts_right_records_and_wrong_fields_of_sole_and_paired_causes() -> None:
    hr = _hold_reasons()
    name, seal, page = "low confidence: name", "cell under a seal", "page: grid from text"
    held = [
        (frozenset({name}), 0),
        (frozenset({name}), 2),  # one record, two wrong fields
        (frozenset({name}), 0),
        (frozenset({seal, name}), 1),
        (frozenset({seal, name}), 0),
        (frozenset({seal, name, page}), 3),  # three causes: in neither table
    ]
    tally = hr.cause_tally(held)
    assert tally[(name,)] == (3, 2, 2)
    assert tally[(seal, name)] == (2, 1, 1)  # sorted: the pair's key is one whichever order the causes came in
    assert set(tally) == {(name,), (seal, name)}


def test_report_lists_sole_causes_with_right_records_and_wrong_fields() -> None:
    hr = _hold_reasons()
    name, seal = "low confidence: name", "cell under a seal"
    tally = hr.cause_tally([(frozenset({name}), 0), (frozenset({name}), 2), (frozenset({seal, name}), 0)])
    result = _result(
        records=10,
        auto=7,
        auto_share=0.7,
        auto_fields=70,
        held=3,
        held_all_right=2,
        n_causes={1: 2, 2: 1},
        any={name: 3, seal: 1},
        sole={name: 2},
        sole_wrong={name: 1},
        sole_wrong_fields={k[0]: w for k, (_n, _r, w) in tally.items() if len(k) == 1 and w},
        pairs=[(*k, n, r, w) for k, (n, r, w) in tally.items() if len(k) == 2],
    )
    md = hr.render([result], "python bench/hold_reasons.py X", "abc")
    assert "## Records held by one cause alone" in md
    assert f"| {name} | 2 / 1 / 2 | 2 / 1 / 2 |" in md  # 2 sole, 1 entirely right, 2 wrong fields
    assert f"{seal} + {name} 1 / 1 / 0" in md


def test_apart_from_leaves_out_records_a_name_or_address_holds_whatever_their_number_of_causes() -> None:
    hr = _hold_reasons()
    name, addr, seal, page, col = (
        "low confidence: name",
        "low confidence: address",
        "cell under a seal",
        "page: grid from text",
        "column in doubt",
    )
    held = [
        (frozenset({seal}), 0),
        (frozenset({seal}), 0),
        (frozenset({seal, name}), 0),  # a name holds it: out
        (frozenset({addr}), 1),  # an address holds it: out
        (frozenset({page, col, seal}), 4),  # three causes: in (cause_tally leaves it out)
        (frozenset({col, page, seal}), 0),
    ]
    apart = hr.apart_from(held)
    assert apart == {(seal,): (2, 2, 0), (seal, col, page): (2, 1, 4)}  # sorted: one key whatever the order


def test_report_lists_records_held_apart_from_names_and_addresses() -> None:
    hr = _hold_reasons()
    seal, page, col = "cell under a seal", "page: grid from text", "column in doubt"
    result = _result(apart=[[seal, col, page, 2, 1, 4], [seal, 2, 2, 0]], held_by_reading=5)
    md = hr.render([result], "python bench/hold_reasons.py X", "abc")
    assert "## Records held apart from names and addresses" in md
    assert f"(held by a name or address: 5): {seal} + {col} + {page} 2 / 1 / 4; {seal} 2 / 2 / 0" in md


def test_threshold_gaps_bin_each_low_field_by_type_and_how_far_below() -> None:
    hr = _hold_reasons()
    types = {"deceased_name": "name", "household_address": "address", "remarks": "text"}
    fields = {
        "deceased_name": {"flags": ["engines_agree"]},
        "household_address": {"flags": ["page_structure_doubted"]},  # a structure doubt lowered it
        "remarks": {"flags": []},
    }
    reasons = [
        "deceased_name: confidence 0.98 below 0.99",
        "household_address: confidence 0.40 below 0.98",
        "remarks: confidence 0.30 below 0.65",
        "row: a line is drawn across its text",  # no field below a threshold
    ]
    gaps = hr.threshold_gaps(reasons, fields, types)
    assert [(k, b) for k, b, _f in gaps] == [("name", "<0.05"), (hr.STRUCTURE_LOWERED, ">=0.5"), ("text", "<0.5")]
    assert gaps[0][2] == ("engines_agree",)
    assert hr.gap_bin(0.005) == "<0.01" and hr.gap_bin(0.6) == ">=0.5"


def test_report_shows_right_held_fields_below_threshold_by_type() -> None:
    hr = _hold_reasons()
    result = _result(
        records=4,
        auto=2,
        auto_share=0.5,
        auto_fields=20,
        held=2,
        held_all_right=2,
        n_causes={1: 2},
        gaps={"name": {"<0.05": 2, "<0.5": 1}},
        gap_flags={"name": [("engines_agree", 3)]},
        right_low_only=2,
        right_scored=2,
    )
    md = hr.render([result], "python bench/hold_reasons.py X", "abc")
    assert "## Entirely right held records: fields below their threshold" in md
    assert "| name | 3 | 0 | 2 | 0 | 1 | 0 | engines_agree 3 |" in md
    assert "d/county 2 of 2" in md
