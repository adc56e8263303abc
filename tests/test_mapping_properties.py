"""Property tests: every normalizer takes any text without raising, keeps the raw text, and never
returns a value that breaks the spec."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapping import (
    RecordContext,
    ashes_destination,
    build_record,
    convert_15_to_18,
    death_cause,
    detect_kind,
    id_check_digit,
    is_valid_id,
    load_spec,
    map_columns,
    normalize_address,
    normalize_age,
    normalize_cert_no,
    normalize_code,
    normalize_count,
    normalize_date,
    normalize_division,
    normalize_id_number,
    normalize_name,
    normalize_phone,
    normalize_sea_area,
    normalize_sex,
    normalize_text,
    relation,
)
from mapping.flags import FLAGS
from pipeline.kernel.models import RawCell

SPEC = load_spec()
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# text that looks like ledger cells: digits, CJK, the separators and confusable letters OCR produces
_ALPHABET = (
    "0123456789０１２３４５６７８９.-/年月日号 〇零一二三四五六七八九十百农历初男女岁XxOolI|·•、，：:()（）"
    "No芝罘果区县市镇街道海域幸福门楼疃长岛蓬莱寄存领回撒海骨灰妻子女儿孙兄弟朋友"
)
ledger_text = st.one_of(st.text(), st.text(alphabet=_ALPHABET, max_size=30))


def _check(n, raw):
    assert n.raw == raw
    assert 0.0 <= n.certainty <= 1.0
    assert all(f in FLAGS for f in n.flags), n.flags
    if n.value is None and n.flags:  # text that gave no value is never trusted
        assert n.certainty == 0.0


@PROPS
@given(ledger_text, st.one_of(st.none(), st.integers(2008, 2020)))
def test_dates(raw, year):
    n = normalize_date(raw, year)
    _check(n, raw)
    if n.value is not None:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", n.value)
        d = dt.date.fromisoformat(n.value)
        assert 1880 <= d.year <= 2035
        assert "lunar_date" not in n.flags


@PROPS
@given(
    st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
    st.sampled_from(["{y}.{m}.{d}", "{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}年{m}月{d}日"]),
)
def test_dates_roundtrip(d, fmt):
    assert normalize_date(fmt.format(y=d.year, m=d.month, d=d.day)).value == d.isoformat()


@PROPS
@given(ledger_text)
def test_id_numbers(raw):
    n = normalize_id_number(raw)
    _check(n, raw)
    if n.value is not None:
        assert len(n.value) == 18 and is_valid_id(n.value)
        assert n.value[17] == id_check_digit(n.value[:17])


@PROPS
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_id_check_digit_accepts_exactly_one(first17):
    valid = [c for c in "0123456789X" if normalize_id_number(first17 + c).value is not None]
    assert len(valid) <= 1
    if valid:
        assert valid[0] == id_check_digit(first17)


@PROPS
@given(st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31)), st.text(alphabet="0123456789", min_size=3, max_size=3))
def test_15_to_18(birth, serial):
    old = "370602" + birth.strftime("%y%m%d") + serial
    n = normalize_id_number(old)
    assert n.value == convert_15_to_18(old) and "converted_15_to_18" in n.flags and is_valid_id(n.value)


@PROPS
@given(ledger_text, st.one_of(st.none(), ledger_text))
def test_sex(raw, id_raw):
    n = normalize_sex(raw, id_raw)
    _check(n, raw)
    assert n.value is None or n.value in SPEC.table("sex").codes


@PROPS
@given(ledger_text)
def test_code_tables(raw):
    for fn, table in ((ashes_destination, "ashes_destination"), (death_cause, "death_cause"), (relation, "relation")):
        n = fn(raw)
        _check(n, raw)
        assert n.value is None or n.value in SPEC.table(table).codes
    for table in ("ethnicity", "id_type", "death_cert_issuer"):
        n = normalize_code(raw, SPEC.table(table))
        _check(n, raw)
        assert n.value is None or n.value in SPEC.table(table).codes


@PROPS
@given(ledger_text)
def test_numbers(raw):
    a = normalize_age(raw)
    _check(a, raw)
    assert a.value is None or (isinstance(a.value, int) and 0 <= a.value <= 130)
    c = normalize_count(raw)
    _check(c, raw)
    assert c.value is None or (isinstance(c.value, int) and c.value >= 0)


@PROPS
@given(ledger_text)
def test_phone(raw):
    n = normalize_phone(raw)
    _check(n, raw)
    if n.value is not None:
        assert re.fullmatch(r"1\d{10}|0535\d{7,8}", n.value) and n.value.isascii()


@PROPS
@given(ledger_text)
def test_cert_no(raw):
    n = normalize_cert_no(raw)
    _check(n, raw)
    if n.value is not None:
        assert 1 <= len(n.value) <= 20 and n.value.isascii()


@PROPS
@given(ledger_text)
def test_names(raw):
    n = normalize_name(raw)
    _check(n, raw)
    if n.value is not None:
        assert n.value and len(n.value) <= 50
        assert all(c == "·" or "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" or ord(c) >= 0x20000 for c in n.value)


@PROPS
@given(ledger_text, st.one_of(st.none(), st.integers(2008, 2022)))
def test_places(raw, year):
    for n in (normalize_address(raw), normalize_sea_area(raw), normalize_text(raw, 20)):
        _check(n, raw)
    d = normalize_division(raw, year)
    _check(d, raw)
    assert d.value is None or d.value in SPEC.divisions


@PROPS
@given(st.lists(ledger_text, max_size=12), ledger_text)
def test_headers(headers, title):
    for kind in SPEC.kinds:
        got = map_columns(kind, headers)
        assert [m.index for m in got] == list(range(len(headers)))
        fields = [m.field for m in got if m.field]
        assert len(fields) == len(set(fields))
    kind, conf = detect_kind(title, headers)
    assert kind is None or kind in SPEC.kinds
    assert 0.0 <= conf <= 1.0


_FIELDS = sorted({f.name for k in SPEC.kinds.values() for f in k.fields})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(SPEC.kinds)),
    st.dictionaries(st.sampled_from(_FIELDS), ledger_text, max_size=14),
    st.one_of(st.none(), st.integers(2008, 2020)),
    st.floats(0, 1),
)
def test_build_record_never_raises(kind, row, year, conf):
    rec = build_record(kind, {k: RawCell(v, conf, None) for k, v in row.items()}, RecordContext("h", year))
    assert set(rec.fields) == set(SPEC.kind(kind).field_names)
    for name, fv in rec.fields.items():
        assert 0.0 <= fv.confidence <= 1.0
        assert all(f in FLAGS for f in fv.flags)
        if name in row and SPEC.kind(kind).field(name).source == "cell":
            assert fv.raw == row[name]
    for p in rec.problems:
        assert p.split(":", 1)[0] in rec.fields
