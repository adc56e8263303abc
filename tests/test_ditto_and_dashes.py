"""Ditto marks mean "as the row above" whatever the recognizer writes for them; dash-like characters
are '-' where a field's format expects one (issue 27)."""

from __future__ import annotations

import pytest

from mapping.normalize import normalize_cert_no, normalize_date, normalize_phone, normalize_text
from pipeline.kernel.config import Settings
from pipeline.kernel.models import RawCell
from pipeline.page.extract import DITTO_CERTAINTY, is_ditto, map_rows

COLUMNS = [
    "row_no",
    "cremation_cert_no",
    "deceased_name",
    "sex_code",
    "age_years",
    "household_address",
    "death_date",
    "cremation_date",
    "agent_name",
]


def _row(n: int, texts: list[str]) -> tuple[int, list[RawCell]]:
    return n, [RawCell(t, 0.99 if t else 1.0, (100 * i, 50 * n, 100 * i + 90, 50 * n + 40)) for i, t in enumerate(texts)]


def _records(rows):
    settings = Settings(data_dir="/nonexistent", thresholds_file="")
    return [r.record for r in map_rows("cremation", "烟台市殡仪馆火化登记簿（2013年）", COLUMNS, rows, settings)]


@pytest.mark.parametrize("mark", ["〃", "同上", "仝", "—", "−", "11", "II", "一"])
def test_a_ditto_mark_takes_the_value_above_flagged_doubted_and_kept_as_read(mark):
    first = ["1", "201300711", "于长和", "男", "73", "海阳市徐家店镇紫石夼村", "2013年12月13日", "2013年12月14日", "张美秋"]
    second = ["2", "201300712", "王秀英", "女", "80", mark, mark, "2013年12月14日", mark]
    a, b = _records([_row(1, first), _row(2, second)])
    for name in ("household_address", "death_date", "agent_name"):
        fv, above = b.fields[name], a.fields[name]
        assert fv.value == above.value and fv.value is not None, name
        assert "ditto_resolved" in fv.flags and fv.raw == mark  # the mark is never lost
        assert fv.confidence <= DITTO_CERTAINTY < 0.5  # below every calibrated threshold: a reviewer confirms
    assert b.fields["deceased_name"].value == "王秀英" and "ditto_resolved" not in b.fields["cremation_date"].flags


def test_a_ditto_mark_in_a_persons_own_field_or_under_a_blank_is_not_copied():
    first = ["1", "201300711", "于长和", "男", "73", "", "2013年12月13日", "2013年12月14日", "张美秋"]
    second = ["2", "201300712", "〃", "女", "11", "〃", "2013年12月13日", "2013年12月14日", "张美秋"]
    _a, b = _records([_row(1, first), _row(2, second)])
    assert "ditto_resolved" not in b.fields["deceased_name"].flags  # each person's own name
    assert b.fields["age_years"].value == 11  # 11 is an age, not a ditto read as 11
    assert "ditto_resolved" not in b.fields["household_address"].flags  # nothing above to copy


def test_ditto_marks_by_field():
    assert is_ditto("〃") and is_ditto(" 同上 ") and is_ditto("―") and is_ditto("~")
    assert is_ditto("11", "address") and not is_ditto("11", "age") and not is_ditto("1", "count")
    assert not is_ditto("同上海") and not is_ditto("")


def test_dash_like_characters_are_folded_where_the_format_expects_a_dash():
    assert normalize_date("2013−04−07").value == "2013-04-07"
    assert normalize_date("2013~04~07").value == "2013-04-07"
    assert normalize_cert_no("2013−00711").value == "201300711"
    assert normalize_cert_no("13–0711").value == "201300711"
    assert normalize_phone("0535−6221234").value == normalize_phone("0535-6221234").value == "05356221234"
    assert normalize_text("HZ2016−010").value == "HZ2016-010"
    assert normalize_text("火化后~骨灰寄存").value == "火化后~骨灰寄存"  # free text keeps its characters


def test_a_hyphen_read_as_an_equals_sign_on_a_photograph_is_a_dash():
    """A printed '-' blurred on a phone photograph is read '=' (HZ2013=017): no number format writes '=',
    so where a format expects a dash it is one (mapping.normalize.DASHES)."""
    assert normalize_text("HZ2013=017").value == "HZ2013-017"
    assert normalize_phone("0535=6221234").value == "05356221234"
    assert normalize_date("2013=04=07").value == "2013-04-07"
    assert normalize_text("火化后=骨灰寄存").value == "火化后=骨灰寄存"  # free text keeps its characters
