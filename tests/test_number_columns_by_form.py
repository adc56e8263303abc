"""A number column whose header was misread and whose cells fail their field's strict test on a photograph (a
digit read as a letter, a separator or a date's 年/月 read as another mark, an age's 岁 read as a digit) is
identified by its cells' loose fit to the field's closed form (mapping.headers _told_by_pattern), held in
doubt; a column fitting two forms, or numbers rising with the rows, stays unidentified. No OCR."""

from __future__ import annotations

from mapping.headers import PATTERN_DOUBT, _pattern_fits, assign_columns, is_assignment_doubt
from tests.test_columns_content import HEADER, ROWS

DEATH, CREMATION = 4, 5
CERT, AGE = len(HEADER), len(HEADER) + 1
# dates as a blurred photograph reads them: 月 read as 门 / 曰, a dot read as 、 or ·, 0 read as O
DEATHS = ["2013年1门1日", "2O13、1、2", "2013年1曰1日", "2012年12门26日"]
CREMATIONS = ["2013年1门3日", "2O13、1、4", "2013年1曰4日", "2013年1门5日"]
CERTS = ["2O13OO514", "2013-OO515", "N0.2O1300516", "2O13-OO517"]  # 0 read as O
AGES = ["76罗", "9l", "449", "85罗"]  # 岁 read as 罗 or as a digit, 1 read as l
LOST = ["甲乙", "甲丁"]  # headers read as a wording of no field (bench/header_stress.py's pairs)


def _page(dates: bool = True, certs: list[str] = CERTS, ages: list[str] = AGES) -> tuple[list[str], list[list[str]]]:
    header = list(HEADER) + ["甲戊", "甲己"]
    rows = []
    for i, r in enumerate(ROWS):
        r = list(r)
        if dates:
            r[DEATH], r[CREMATION] = DEATHS[i], CREMATIONS[i]
        rows.append(r + [certs[i], ages[i]])
    if dates:
        header[DEATH], header[CREMATION] = LOST
    return header, [[r[c] for r in rows] for c in range(len(rows[0]))]


def _told(got, col: int, field: str) -> None:
    assert got[col].field == field
    assert got[col].doubt is not None and got[col].doubt.startswith(PATTERN_DOUBT.split("{", 1)[0])
    assert is_assignment_doubt(got[col].doubt)


def test_misread_number_columns_are_told_by_their_form_in_doubt():
    header, columns = _page()
    got = assign_columns("cremation", header, columns)
    _told(got, CERT, "cremation_cert_no")
    _told(got, AGE, "age_years")
    _told(got, DEATH, "death_date")  # its dates come before the other column's: the order of the events
    _told(got, CREMATION, "cremation_date")


def test_a_date_column_is_told_by_the_page_s_held_date_column():
    header, columns = _page()
    header[CREMATION] = "火化日期"
    columns[CREMATION] = ["2013.1.3", "2013.1.4", "2013.1.4", "2013.1.5"]
    got = assign_columns("cremation", header, columns)
    assert got[CREMATION].field == "cremation_date" and got[CREMATION].doubt is None
    _told(got, DEATH, "death_date")


def test_numbers_rising_with_the_rows_are_no_age():
    header, columns = _page(ages=["11罗", "12", "13", "14罗"])
    assert assign_columns("cremation", header, columns)[AGE].field is None


def test_two_columns_fitting_one_form_are_neither_told():
    header, columns = _page(ages=CERTS)
    got = assign_columns("cremation", header, columns)
    assert got[CERT].field is None and got[AGE].field is None


def test_the_loose_forms():
    assert _pattern_fits("cert_no", "2O15-OO514") and _pattern_fits("cert_no", "10-0514")
    assert not _pattern_fits("cert_no", "10-04")  # a voyage number
    assert not _pattern_fits("cert_no", "2015.3.12")  # a date
    assert not _pattern_fits("cert_no", "370602192201242216")  # an ID
    assert _pattern_fits("date", "2015年3门12日") and _pattern_fits("date", "2O15,3·12")
    assert not _pattern_fits("date", "2015.13.12")
    assert _pattern_fits("age", "78罗") and _pattern_fits("age", "789")
    assert not _pattern_fits("age", "张三") and not _pattern_fits("age", "1234")
