"""Session 42: a photographed age the row's dates refute, or a date or an age read as none, takes the one value
among the recognizer's own texts of the cell (its likeliest texts of the field's written forms on the crop) that
the row allows: the age within tolerance of the years between the ID's birth date and the death date, the date
in the register's order (death <= cremation <= scattering). Held for review (mapping.numberforms.row_decoded,
mapping.record._age_decoded / dates_decoded_by_order, pipeline.page.extract.number_rivals)."""

from __future__ import annotations

import numpy as np
from recording import ruled_page
from test_mapping_record import CREMATION_ROW, CTX, cells

from mapping import build_record
from mapping.numberforms import row_decoded
from mapping.spec import load_spec
from pipeline.kernel.models import OcrPiece, RawCell
from pipeline.page.extract import number_decoders, number_rivals, read_cells

# CREMATION_ROW: FEMALE_ID born 1938-07-05, died 2013-04-05 (74), cremated 2013-04-07


def _row(**over: RawCell | str) -> dict[str, RawCell]:
    row = cells(CREMATION_ROW)
    for k, v in over.items():
        row[k] = v if isinstance(v, RawCell) else RawCell(v, 0.95, (0, 0, 9, 9))
    return row


def _cell(text: str, alternatives, typed: bool = False) -> RawCell:
    return RawCell(text, 0.95, (0, 0, 9, 9), alternatives=alternatives, typed=typed)


def test_an_age_the_dates_refute_takes_the_one_recognizer_text_they_allow():
    """Failed before: 47 read for 74 (no look-alike digit swap gives 74) stayed 47, age_mismatch."""
    rec = build_record("cremation", _row(age_years=_cell("47", (("47", -1.0), ("74", -2.5), ("41", -3.0)))), CTX)
    age = rec.fields["age_years"]
    assert age.value == 74 and "age_decoded_by_dates" in age.flags and "age_mismatch" not in age.flags
    assert age.confidence <= 0.45
    # a digit dropped: 7 read for 74, the written text close behind
    rec = build_record("cremation", _row(age_years=_cell("7", (("7", -1.0), ("74", -1.5)))), CTX)
    assert rec.value("age_years") == 74 and "age_decoded_by_dates" in rec.fields["age_years"].flags


def test_an_age_is_left_as_read_where_the_row_leaves_two_or_none():
    two = build_record("cremation", _row(age_years=_cell("47", (("47", -1.0), ("74", -2.5), ("73", -3.0)))), CTX)
    assert two.value("age_years") == 47 and "age_mismatch" in two.fields["age_years"].flags  # 73 and 74 both fit
    far = build_record("cremation", _row(age_years=_cell("47", (("47", -1.0), ("74", -12.0)))), CTX)
    assert far.value("age_years") == 47  # too far below the reading
    none = build_record("cremation", _row(age_years=_cell("47", (("47", -1.0), ("48", -1.5)))), CTX)
    assert none.value("age_years") == 47 and "age_mismatch" in none.fields["age_years"].flags
    typed = build_record("cremation", _row(age_years=_cell("47", (("47", -1.0), ("74", -2.5)), typed=True)), CTX)
    assert typed.value("age_years") == 47


def test_an_age_read_as_none_takes_the_one_text_the_dates_allow():
    """Failed before: an age read as marks (no digit, no letter for one) stayed empty."""
    rec = build_record("cremation", _row(age_years=_cell("岁岁", (("岁岁", -1.0), ("74岁", -3.0), ("14岁", -3.5)))), CTX)
    assert rec.value("age_years") == 74 and "age_decoded_by_dates" in rec.fields["age_years"].flags


def test_a_date_read_as_none_takes_the_one_text_in_the_registers_order():
    """Failed before: a death date read as no date stayed empty. 2013.4.9 is after the cremation (2013-04-07)."""
    alts = (("2013±4.", -1.0), ("2013.4.9", -2.0), ("2013.4.5", -2.5))
    rec = build_record("cremation", _row(death_date=_cell("2013±4.", alts)), CTX)
    death = rec.fields["death_date"]
    assert death.value == "2013-04-05" and "date_decoded_by_order" in death.flags and death.confidence <= 0.45
    assert "unparseable" not in death.flags and "death_date: is after cremation_date" not in rec.problems
    # no other date to hold it to: left as none
    rec = build_record("cremation", _row(death_date=_cell("2013±4.", alts), cremation_date=""), CTX)
    assert rec.value("death_date") is None
    # two in order (4.5 and 4.6): left as none
    alts2 = (("2013±4.", -1.0), ("2013.4.6", -2.0), ("2013.4.5", -2.5))
    assert build_record("cremation", _row(death_date=_cell("2013±4.", alts2)), CTX).value("death_date") is None


def test_row_decoded_weighs_only_texts_of_the_form_near_the_reading():
    fits = lambda v: v == 74  # noqa: E731
    assert row_decoded("age", (("47", -1.0), ("74", -2.0)), fits) == 74
    assert row_decoded("age", (("47", -1.0), ("74", -11.5)), fits) is None  # ROW_DECODE_MAX_DROP
    assert row_decoded("age", (("47", -1.0),), fits) is None
    assert row_decoded("age", (("47", -1.0), ("7x4", -1.1)), lambda v: True) is None  # no text of the form


class _AgeScorer:
    """Reads every crop as 47; finds 47 and 74 likeliest among the age forms."""

    name = "_test_age_scorer"

    def recognize_crops(self, crops: list) -> list:
        return [OcrPiece("47", 0.99, (0, 0, c.shape[1], c.shape[0]), self.name) for c in crops]

    def score_readings(self, image, readings, stand_ins=None):
        return [-1.0 if t == "47" else -2.0 if t == "74" else -9.0 for t in readings]

    def likeliest_texts(self, image, alphabet, beam=32, max_len=None, viable=None):
        return [("47", -1.0), ("74", -2.0), ("4", -6.0)]


def test_read_cells_keeps_a_photographed_age_cells_likeliest_texts_only():
    """Failed before: a photographed age cell read as a value kept no texts."""
    line = np.full((40, 120), 230, np.uint8)
    line[12:28, 30:90:8] = 40
    gray, grid = ruled_page(line, 230, 30, cells=2)
    dec = number_decoders(load_spec())
    eng = _AgeScorer()
    photo = read_cells(gray, grid, eng, [(0, 0), (0, 1)], decode={0: dec["age_years"]}, photo=True)  # type: ignore[arg-type]
    got = photo[(0, 0)].alternatives
    assert got is not None and got[0] == ("47", -1.0) and ("74", -2.0) in got and ("4", -6.0) in got
    assert photo[(0, 1)].alternatives is None  # no age column
    scan = read_cells(gray, grid, eng, [(0, 0)], decode={0: dec["age_years"]})  # type: ignore[arg-type]
    assert scan[(0, 0)].alternatives is None  # a scan's ages are not searched
    assert number_rivals(eng, line, "47", "age") == (("47", -1.0), ("74", -2.0), ("4", -6.0))  # type: ignore[arg-type]
