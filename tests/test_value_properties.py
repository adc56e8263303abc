"""Malformed values, property-based (issue 8): the helpers and validators tests/test_mapping_properties.py
does not cover, and build_record's output checked field by field against the spec (type, length,
code in its table, date range, ID check digit), the raw text kept. Example counts kept modest."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapping import (
    RecordContext,
    birth_date_from_id,
    build_record,
    convert_15_to_18,
    division_from_id,
    id_check_digit,
    is_valid_id,
    load_spec,
    normalize_address,
    normalize_count,
    normalize_sea_area,
    normalize_text,
    scan_places,
    sex_from_id,
)
from mapping.flags import FLAGS
from mapping.headers import clean_header
from mapping.normalize import clean_text, cn_to_int
from pipeline.kernel.models import RawCell
from pipeline.kernel.privacy import mask_id, mask_name, mask_phone, mask_text

SPEC = load_spec()
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_LEDGER = "0123456789０１２３４５６７８９.-/年月日号 〇零一二三四五六七八九十百初男女岁XxOolI|·、，：:()（）芝罘区县市镇街道海域长岛蓬莱撒海寄存"
text = st.one_of(st.text(), st.text(alphabet=_LEDGER, max_size=40))
digits = st.text(alphabet="0123456789", min_size=0, max_size=20)
id_like = st.one_of(text, digits, st.text(alphabet="0123456789Xx", min_size=18, max_size=18))


@PROPS
@given(text)
def test_clean_text_and_chinese_numerals_never_raise(raw):
    out = clean_text(raw)
    assert isinstance(out, str) and not re.search(r"\s", out)
    n = cn_to_int(raw)
    assert n is None or (isinstance(n, int) and n >= 0)
    assert isinstance(clean_header(raw), str)


@PROPS
@given(id_like)
def test_id_validators_answer_for_any_text(raw):
    ok = is_valid_id(raw)
    assert isinstance(ok, bool)
    if ok:
        assert len(raw) == 18 and raw[17] == id_check_digit(raw[:17])
        assert sex_from_id(raw) in ("1", "2")
        born = birth_date_from_id(raw)
        assert born is not None and 1880 <= dt.date.fromisoformat(born).year <= dt.date.today().year
    else:
        assert sex_from_id(raw) is None and birth_date_from_id(raw) is None
    d = division_from_id(raw, 2013, SPEC)
    assert d.value is None or (d.value in SPEC.divisions and raw.startswith(d.value))
    assert all(f in FLAGS for f in d.flags)


@PROPS
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_digit_is_in_its_alphabet(first17):
    c = id_check_digit(first17)
    assert c in "0123456789X" and is_valid_id(first17 + c) in (True, False)


@PROPS
@given(st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31)), st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_15_digit_ids_become_valid_18_digit_ids_with_the_same_birth_date(birth, rest):
    old = rest[:6] + birth.strftime("%y%m%d") + rest[6:]
    new = convert_15_to_18(old)
    assert len(new) == 18 and new[:6] == old[:6] and new[6:14] == birth.strftime("%Y%m%d")
    assert new[17] == id_check_digit(new[:17])


@PROPS
@given(text, st.integers(1, 300))
def test_text_fields_respect_their_length(raw, limit):
    for n, most in (
        (normalize_text(raw, limit), limit),
        (normalize_address(raw, SPEC, limit), limit),
        (normalize_sea_area(raw, SPEC, limit), limit),
    ):
        assert n.raw == raw and all(f in FLAGS for f in n.flags)
        assert n.value is None or (isinstance(n.value, str) and 0 < len(n.value) <= most)


@PROPS
@given(text, st.integers(0, 200))
def test_counts_respect_their_maximum(raw, most):
    n = normalize_count(raw, most)
    assert n.raw == raw and (n.value is None or 0 <= n.value <= most)


@PROPS
@given(text)
def test_place_scan_never_raises(raw):
    scan = scan_places(raw, SPEC)
    assert scan is not None


@PROPS
@given(text)
def test_masks_hide_what_they_mask(raw):
    """Any digit run of 7+ (an ID or a phone) never survives mask_text whole."""
    masked = mask_text(raw)
    for run in re.findall(r"\d{7,}[\dXx]?", raw):
        assert run not in masked
    for fn in (mask_id, mask_phone, mask_name):
        out = fn(raw)
        assert isinstance(out, str) and len(out) == len(raw)
    if len(raw) >= 2:
        assert mask_name(raw) != raw or set(raw[1:]) == {"*"}


# ---- build_record: every value within the spec -----------------------------------------------
_FIELDS = sorted({f.name for k in SPEC.kinds.values() for f in k.fields})


def _check_value(kind: str, name: str, value: object, year: int | None) -> None:
    f = SPEC.kind(kind).field(name)
    if value is None:
        return
    if f.type == "int":
        assert isinstance(value, int) and value >= 0, (name, value)
        return
    assert isinstance(value, str) and value, (name, value)
    if f.max_length:
        assert len(value) <= f.max_length, (name, value)
    if f.type == "code":
        if f.normalizer == "division":
            assert value in SPEC.divisions, (name, value)
        else:
            assert value in SPEC.table(f.code_table).codes, (name, value)
    elif f.type == "date":
        d = dt.date.fromisoformat(value)
        assert 1880 <= d.year <= 2035, (name, value)
    elif f.type == "id_number":
        assert len(value) == 18 and is_valid_id(value), (name, value)
    elif f.normalizer == "phone":
        assert value.isascii() and value.isdigit(), (name, value)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(SPEC.kinds)),
    st.dictionaries(st.sampled_from(_FIELDS), text, max_size=16),
    st.one_of(st.none(), st.integers(2008, 2020)),
    st.floats(0, 1),
)
def test_build_record_values_are_within_the_spec(kind, row, year, conf):
    cells = {k: RawCell(v, conf, None) for k, v in row.items()}
    rec = build_record(kind, cells, RecordContext("370600100001", year))
    for name, fv in rec.fields.items():
        _check_value(kind, name, fv.value, year)
        if name in row and SPEC.kind(kind).field(name).source == "cell":
            assert fv.raw == row[name]  # the raw text is kept as read
