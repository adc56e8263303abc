"""Normalizers: SPEC.md examples and OCR-like inputs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mapping import (
    ashes_destination,
    convert_15_to_18,
    death_cause,
    id_check_digit,
    is_valid_id,
    load_spec,
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
    normalize_sex,
    normalize_text,
    relation,
)


def make_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


MALE_ID = make_id("37060219450312123")  # digit 17 = 3: male
FEMALE_ID = make_id("37061119380705002")  # digit 17 = 2: female


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "raw",
    [
        "2013.4.7",
        "2013-04-07",
        "2013/4/7",
        "2013年4月7日",
        "二〇一三年四月七日",
        "二零一三年四月七日",
        "２０１３．４．７",
        "2013. 4 .7",
        "20 13.4.7",
        "2013.04.07.",
        "20130407",
        "2013年4月7日14时30分",
        "2013.4.7 14:30",
        "2013年04月07号",
    ],
)
def test_dates_all_styles(raw):
    n = normalize_date(raw, 2013)
    assert n.value == "2013-04-07", n
    assert n.raw == raw


def test_chinese_numeral_months_and_days():
    assert normalize_date("二〇一〇年十二月三十一日").value == "2010-12-31"
    assert normalize_date("二〇一〇年十月二十日").value == "2010-10-20"


def test_two_digit_year_only_when_plausible():
    n = normalize_date("13.4.7", ledger_year=2013)
    assert n.value == "2013-04-07" and "two_digit_year" in n.flags and n.certainty < 1
    n = normalize_date("13.4.7", ledger_year=2016)
    assert n.value is None and "two_digit_year_implausible" in n.flags
    assert normalize_date("12.12.30", ledger_year=2013).value == "2012-12-30"


@pytest.mark.parametrize("raw", ["农历三月初五", "农历2013年3月5日", "阴历二月十二", "正月十五"])
def test_lunar_dates_are_never_guessed(raw):
    n = normalize_date(raw, 2013)
    assert n.value is None and n.flags == ("lunar_date",) and n.certainty == 0.0


@pytest.mark.parametrize(
    "raw,flag",
    [
        ("2013.2.30", "impossible_day"),
        ("2013.13.1", "impossible_month"),
        ("2013年4月", "incomplete_date"),
        ("1813.4.7", "implausible_date"),
        ("死亡", "unparseable"),
        ("2013.4", "incomplete_date"),
    ],
)
def test_bad_dates(raw, flag):
    n = normalize_date(raw, 2013)
    assert n.value is None and flag in n.flags


@pytest.mark.parametrize(
    "raw,flag",
    [
        ("二〇一一年十三月", "impossible_month"),  # refused as 日期不完整 before: there is no month 13 to complete
        ("2011年13月", "impossible_month"),
        ("2011年0月", "impossible_month"),
        ("二〇一一年十三月五日", "impossible_month"),
        ("13月5日", "impossible_month"),
        ("2011年4月31日", "impossible_day"),
        ("2011年1月0日", "impossible_day"),
        ("二〇一一年十二月", "incomplete_date"),  # a real month, its day not written
    ],
)
def test_a_month_or_day_that_does_not_exist_is_said_so_not_called_incomplete(raw, flag):
    n = normalize_date(raw, 2011)
    assert n.value is None and n.flags == (flag,)


def test_the_reasons_for_a_date_that_is_no_date_read_chinese_first():
    from mapping.flags import FLAGS

    assert FLAGS["impossible_month"].zh.startswith("月份不存在") and "1–12" in FLAGS["impossible_month"].zh
    assert FLAGS["impossible_day"].zh.startswith("日期不存在")
    assert FLAGS["impossible_month"].severity == FLAGS["impossible_day"].severity == "error"


def test_ocr_letters_in_dates():
    n = normalize_date("2O13.4.l7", 2013)
    assert n.value == "2013-04-17" and "ocr_char_fixed" in n.flags


def test_blank_date():
    n = normalize_date("   ")
    assert n.value is None and n.flags == () and n.certainty == 1.0


# ---------------------------------------------------------------- ID numbers


def test_check_digit_known_values():
    # GB 11643-1999's own worked example
    assert id_check_digit("11010519491231002") == "X"
    assert is_valid_id("11010519491231002X")
    assert id_check_digit("44052418800101001") == "4"
    assert is_valid_id(MALE_ID) and is_valid_id(FEMALE_ID)


def test_id_valid_and_cleaned():
    assert normalize_id_number(MALE_ID).value == MALE_ID
    spaced = f"{MALE_ID[:6]} {MALE_ID[6:14]} {MALE_ID[14:]}"
    assert normalize_id_number(spaced).value == MALE_ID
    full_width = MALE_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert normalize_id_number(full_width).value == MALE_ID
    assert normalize_id_number("11010519491231002x").value == "11010519491231002X"
    assert normalize_id_number("11010519491231002×").value == "11010519491231002X"


def test_id_check_digit_failed():
    wrong = MALE_ID[:-1] + ("0" if MALE_ID[-1] != "0" else "1")
    n = normalize_id_number(wrong)
    assert n.value is None and "check_digit_failed" in n.flags and n.raw == wrong


def test_id_15_to_18():
    old = "370602450312123"
    assert convert_15_to_18(old) == MALE_ID
    n = normalize_id_number(old)
    assert n.value == MALE_ID and "converted_15_to_18" in n.flags
    n = normalize_id_number("370602451332123")  # month 13
    assert n.value is None and "bad_birth_date" in n.flags


@pytest.mark.parametrize(
    "raw,flag",
    [
        ("3706021945031212", "bad_length"),
        ("37060219451332123" + "0", "bad_birth_date"),
        ("身份证遗失", "bad_characters"),
        ("3706021945X3121232", "bad_characters"),
    ],
)
def test_id_bad(raw, flag):
    n = normalize_id_number(raw)
    assert n.value is None and flag in n.flags


def test_id_ocr_letters():
    n = normalize_id_number(MALE_ID.replace("0", "O"))
    assert n.value == MALE_ID and "ocr_char_fixed" in n.flags


# ---------------------------------------------------------------- sex, age, phone, cert no


def test_sex():
    assert normalize_sex("男").value == "1"
    assert normalize_sex(" 女 ").value == "2"
    assert normalize_sex("男性").value == "1"
    n = normalize_sex("", MALE_ID)
    assert n.value == "1" and "derived_from_id" in n.flags
    n = normalize_sex("", FEMALE_ID)
    assert n.value == "2" and "derived_from_id" in n.flags
    n = normalize_sex("■", None)
    assert n.value is None
    n = normalize_sex("？", MALE_ID)
    assert n.value == "1" and "derived_from_id" in n.flags


@pytest.mark.parametrize(
    "raw,value",
    [
        ("78", 78),
        ("78岁", 78),
        ("七十八", 78),
        ("七十八岁", 78),
        ("一百零二", 102),
        ("十九", 19),
        ("享年78", 78),
        ("８５周岁", 85),
        ("3个月", 0),
    ],
)
def test_age(raw, value):
    assert normalize_age(raw).value == value


def test_age_bad():
    assert "implausible_age" in normalize_age("1789").flags
    assert "implausible_age" in normalize_age("0179").flags
    assert normalize_age("约七十").value is None


@pytest.mark.parametrize("raw,value", [("679", 67), ("85 9", 85), ("815", 81), ("178", 17), ("1009", 100)])
def test_an_age_whose_unit_was_read_as_a_digit_keeps_its_number_doubted(raw, value):
    """67岁 blurred reads 679: the number before the unit is kept, below every threshold, not left blank."""
    n = normalize_age(raw)
    assert n.value == value and "age_unit_read_as_digit" in n.flags and n.certainty < 0.5


@pytest.mark.parametrize("raw,value", [("99", 99), ("109", 109), ("67岁", 67)])
def test_a_plausible_age_is_never_cut(raw, value):
    n = normalize_age(raw)
    assert n.value == value and "age_unit_read_as_digit" not in n.flags


@pytest.mark.parametrize(
    "raw,value,flag",
    [
        ("13805351234", "13805351234", None),
        ("138-0535-1234", "13805351234", None),
        ("138 0535 1234", "13805351234", None),
        ("0535-6212345", "05356212345", None),
        ("(0535)62123456", "053562123456", None),
        ("6212345", "05356212345", "area_code_added"),
        ("13805351234/13905351234", "13805351234", "multiple_values"),
        ("０５３５－６２１２３４５", "05356212345", None),
    ],
)
def test_phone(raw, value, flag):
    n = normalize_phone(raw)
    assert n.value == value
    if flag:
        assert flag in n.flags


def test_a_stroke_at_a_phone_numbers_end_that_may_be_a_ruling_line_is_doubted():
    # 0535 + 7 digits + a ruling line read as |: with the stroke as 1 it is an 8-digit landline, without it
    # a 7-digit one; the reviewer decides
    n = normalize_phone("0535-6212345|")
    assert n.value == "053562123451" and "edge_stroke_ambiguous" in n.flags and n.certainty <= 0.45
    # a stroke before a mobile number: 1 + 11 digits is no number, the mobile alone is; taken, doubted
    b = normalize_phone("|13805351234")
    assert b.value == "13805351234" and "stray_marks_removed" in b.flags and b.certainty <= 0.45
    # the stroke is needed for a valid number (a mobile of 10 digits + l): the 1 it stands for is kept, not doubted
    m = normalize_phone("1380535123l")
    assert m.value == "13805351231" and "edge_stroke_ambiguous" not in m.flags and m.certainty == pytest.approx(0.85)
    # a stroke inside the number is no ruling line
    assert "edge_stroke_ambiguous" not in normalize_phone("138O535l234").flags


@pytest.mark.parametrize("raw", ["0532-1234567", "12345", "无", "2380535123"])
def test_phone_bad(raw):
    n = normalize_phone(raw)
    assert n.value is None and "bad_phone" in n.flags


@pytest.mark.parametrize(
    "raw", ["201000514", "No.201000514", "NO:201000514", "2010-00514", "10-0514", "2010-514", "No. 2010-00514", "201000514号"]
)
def test_cert_no(raw):
    n = normalize_cert_no(raw)
    assert n.value == "201000514" and n.raw == raw


def test_cert_no_other():
    n = normalize_cert_no("A-17")
    assert n.value == "A-17" and "nonstandard_format" in n.flags
    assert normalize_cert_no("火化证丢失").value is None


# ---------------------------------------------------------------- code tables


@pytest.mark.parametrize(
    "raw,code",
    [
        ("家属领回", "9"),
        ("领回", "9"),
        ("家属带回", "9"),
        ("骨灰寄存", "6"),
        ("寄存", "6"),
        ("寄存骨灰堂", "6"),
        ("公墓安葬", "1"),
        ("公墓", "1"),
        ("安葬", "1"),
        ("入葬", "1"),
        ("树葬", "1"),
        ("花葬", "1"),
        ("草坪葬", "1"),
        ("海葬", "7"),
        ("撒海", "7"),
        ("骨灰撒海", "7"),
        ("骨灰撒散", "7"),
        ("不要骨灰", "8"),
        ("不留骨灰", "8"),
        ("骨灰寄放", "6"),
        ("骨灰撤海", "7"),
        ("6", "6"),
    ],
)
def test_ashes_destination(raw, code):
    assert ashes_destination(raw).value == code


def test_ashes_destination_fuzzy_is_flagged():
    n = ashes_destination("骨灰寄放")
    assert "fuzzy_match" in n.flags and n.certainty < 0.9
    n = ashes_destination("寄存后领回")  # two different destinations: do not pick one
    assert n.value is None and "unrecognized" in n.flags


@pytest.mark.parametrize(
    "raw,code",
    [
        ("妻", "10"),
        ("夫", "10"),
        ("配偶", "10"),
        ("子", "20"),
        ("儿子", "20"),
        ("长子", "20"),
        ("女", "30"),
        ("女儿", "30"),
        ("孙子", "40"),
        ("孙女", "40"),
        ("外孙", "40"),
        ("父", "50"),
        ("母", "50"),
        ("兄", "70"),
        ("弟", "70"),
        ("姐", "70"),
        ("妹", "70"),
        ("兄弟", "70"),
        ("姐妹", "70"),
        ("侄子", "97"),
        ("侄女", "97"),
        ("儿媳", "97"),
        ("女婿", "97"),
        ("朋友", "99"),
        ("同事", "99"),
        ("10", "10"),
    ],
)
def test_relation(raw, code):
    assert relation(raw).value == code


@pytest.mark.parametrize(
    "raw,code",
    [("独生子", "20"), ("四女", "30"), ("曾孙女", "40"), ("婆婆", "50"), ("岳父", "50")]
    + [("曾祖母", "60"), ("婶母", "97"), ("姑父", "97"), ("堂兄弟", "97")],
)
def test_gb4761_item_names_are_read_as_their_group(raw, code):
    """GB/T 4761-2008's own item names, as a register that writes the standard's words has them, are coded
    surely to their group; failed before (none of the nine coded surely: unrecognized or matched in part)."""
    got = relation(raw)
    assert got.value == code and got.certainty == 1.0 and not got.flags


def test_relation_ambiguous():
    assert relation("母子").value is None


@pytest.mark.parametrize(
    "raw,code",
    [
        ("病故", "02"),
        ("自然死亡", "01"),
        ("车祸", "04"),
        ("交通事故", "04"),
        ("心脏病", "02"),
        ("溺水", "07"),
        ("2", "02"),
        ("其他", "10"),
    ],
)
def test_death_cause(raw, code):
    assert death_cause(raw).value == code


def test_ethnicity_and_issuer():
    spec = load_spec()
    assert normalize_code("汉", spec.table("ethnicity")).value == "01"
    assert normalize_code("汉族", spec.table("ethnicity")).value == "01"
    assert normalize_code("满族", spec.table("ethnicity")).value == "11"
    assert normalize_code("派出所", spec.table("death_cert_issuer")).value == "2"
    assert normalize_code("市人民医院", spec.table("death_cert_issuer")).value == "1"


# ---------------------------------------------------------------- counts, names, text


def test_count():
    assert normalize_count("3").value == 3
    assert normalize_count("三人").value == 3
    assert normalize_count("4名").value == 4
    assert normalize_count("很多").value is None


def test_names():
    assert normalize_name("张 三").value == "张三"
    assert normalize_name("阿依古丽·买买提").value == "阿依古丽·买买提"
    assert normalize_name("阿依古丽•买买提").value == "阿依古丽·买买提"
    n = normalize_name("张三。")
    assert n.value == "张三" and "punctuation_removed" in n.flags
    for bad in ("张3", "Zhang San", "张_三"):
        n = normalize_name(bad)
        assert n.value is None and "bad_characters" in n.flags


def test_text():
    assert normalize_text("  第4航次 ").value == "第4航次"
    assert normalize_text("10－04").value == "10-04"
    assert "too_long" in normalize_text("x" * 30, 20).flags


# ---------------------------------------------------------------- addresses, divisions


@pytest.mark.parametrize(
    "raw,fixed",
    [
        ("山东省烟台市芝果区幸福街道", "山东省烟台市芝罘区幸福街道"),
        ("烟台市芝区幸福街道12号", "烟台市芝罘区幸福街道12号"),
        ("烟台市芝罡区只楚街道", "烟台市芝罘区只楚街道"),
        ("福山区门搂镇", "福山区门楼镇"),
        ("福山区高瞳镇", "福山区高疃镇"),
        ("芝罘区毓璜项街道", "芝罘区毓璜顶街道"),
    ],
)
def test_address_lexicon_correction(raw, fixed):
    n = normalize_address(raw)
    assert n.value == fixed and "lexicon_corrected" in n.flags and n.raw == raw


def test_address_not_corrected_when_unsure():
    n = normalize_address("烟台市东川街道")  # 东山街道 (芝罘) and 东厅街道 (福山) are both one edit away
    assert n.value == "烟台市东川街道" and "lexicon_ambiguous" in n.flags
    n = normalize_address("烟台市芝罘区东川街道")  # ... but only 东山街道 lies in the printed district
    assert n.value == "烟台市芝罘区东山街道" and "lexicon_corrected" in n.flags
    n = normalize_address("烟台市芝区东川街道")  # a district that was itself corrected does not disambiguate
    assert n.value == "烟台市芝罘区东川街道" and "lexicon_ambiguous" in n.flags
    n = normalize_address("福山区芝区")  # 芝罘区 inside 福山区 does not fit
    assert n.value == "福山区芝区" and "lexicon_context_mismatch" in n.flags
    n = normalize_address("山东省青岛市崂山区")
    assert n.value == "山东省青岛市崂山区" and "lexicon_corrected" not in n.flags
    n = normalize_address("烟台市芝罘区幸福街道")
    assert n.flags == () and n.certainty == 1.0


def test_of_several_districts_near_the_one_a_town_read_exactly_lies_in_is_taken():
    # 筑阳市 (築 folded) is one character from 莱阳市 and 海阳市; 羊郡镇 is a town of 莱阳市 only
    n = normalize_address("筑阳市羊郡镇大黄家村")
    assert n.value == "莱阳市羊郡镇大黄家村" and "lexicon_corrected" in n.flags and n.certainty < 0.977
    n = normalize_address("筑阳市东村街道")  # 东村街道 lies in 海阳市
    assert n.value == "海阳市东村街道" and "lexicon_corrected" in n.flags
    assert "lexicon_ambiguous" in normalize_address("筑阳市").flags  # nothing says which: a person decides


def test_a_towns_misread_suffix_is_corrected_only_with_its_district_and_a_village_of_its_list():
    # 镇 read as 集 / 候: 徐家店镇 of 海阳市, 西芦头村 on its village list (NBS 2023)
    for raw, fixed in (
        ("海阳市徐家店集西芦头村", "海阳市徐家店镇西芦头村"),
        ("海阳市盘石店候南鲁家村", "海阳市盘石店镇南鲁家村"),
    ):
        n = normalize_address(raw)
        assert n.value == fixed and n.raw == raw and "lexicon_corrected" in n.flags and n.certainty < 0.977
    # no listed village after it: not corrected; a village written after it: doubted, not left sure
    n = normalize_address("山东省烟台市海阳市留格庄候少码村140号")
    assert n.value == "山东省烟台市海阳市留格庄候少码村140号" and "lexicon_ambiguous" in n.flags and n.certainty <= 0.6
    # a road named after a town (羊郡路) is no misread suffix
    n = normalize_address("莱阳市羊郡路12号")
    assert n.value == "莱阳市羊郡路12号" and n.flags == () and n.certainty == 1.0
    assert normalize_address("海阳市徐家店镇西芦头村").flags == ()


@pytest.mark.parametrize(
    "raw,year,code",
    [
        ("烟台市芝罘区幸福街道", 2013, "370602"),
        ("芝果区", 2013, "370602"),
        ("福山区门楼镇", 2010, "370611"),
        ("门楼镇东村", 2010, "370611"),
        ("长岛县砣矶镇", 2015, "370634"),
        ("长岛县砣矶镇", 2021, "370614"),
        ("蓬莱市登州街道", 2017, "370684"),
        ("蓬莱市登州街道", 2022, "370614"),
        ("370687", 2012, "370687"),
        ("海阳市", 2012, "370687"),
    ],
)
def test_division(raw, year, code):
    assert normalize_division(raw, year).value == code


def test_division_flags():
    n = normalize_division("长岛县", 2021)
    assert "division_successor_used" in n.flags
    n = normalize_division("蓬莱区", 2013)
    assert n.value == "370614" and "division_outside_validity" in n.flags
    n = normalize_division("山东省济南市历下区", 2013)
    assert n.value is None and "division_not_found" in n.flags
    assert normalize_division("110101", 2013).value is None


def test_id_number_stray_marks_at_the_ends_are_dropped_only_to_pass_the_check_digit():
    from mapping.normalize import normalize_id_number

    ok = normalize_id_number("【370685196102078931")
    assert ok.value == "370685196102078931" and "punctuation_removed" in ok.flags and ok.raw == "【370685196102078931"
    bad = normalize_id_number("(370685196102078932)")
    assert bad.value is None and "check_digit_failed" in bad.flags
    assert normalize_id_number("370.85191601233024").value is None  # a mark inside replaces a digit: never guessed


def test_a_short_name_is_not_rewritten_by_a_character_that_does_not_look_alike():
    n = normalize_address("莱山区初加街道")  # 加 is no look-alike of 家: flagged for a person, not rewritten
    assert n.value == "莱山区初加街道" and "lexicon_ambiguous" in n.flags and n.certainty < 0.9
    from mapping.normalize import normalize_sea_area

    assert normalize_sea_area("桑岛海域").flags == ()  # a real place, read right: left alone
    assert normalize_sea_area("腔峒岛海域").value == "崆峒岛海域"  # a look-alike of the rare 崆: put back
    dropped = normalize_sea_area("峒岛海域")  # 崆 dropped, or 长岛 misread? both are one edit away
    assert dropped.value == "峒岛海域" and "lexicon_ambiguous" in dropped.flags


def test_a_certificate_serial_without_its_year_takes_the_ledger_year_and_says_so():
    n = normalize_cert_no("火字第540号", 2013)
    assert (n.value, n.flags) == ("201300540", ("year_from_ledger",))
    assert n.certainty < 1.0
    assert normalize_cert_no("第12号", 2011).value == "201100012"
    assert normalize_cert_no("火字第540号").value is None  # no ledger year: nothing invented
    assert normalize_cert_no("2013-0540", 2016).value == "201300540"  # a written year wins


# ---------------------------------------------------------------- issue 21: number formats, open vocabularies


@pytest.mark.parametrize(
    "raw,year,value,flags",
    [
        ("No.201203192", None, "201203192", ()),
        ("№201203192", None, "201203192", ()),  # NFKC: № is No
        ("Ｎｏ．201203192", None, "201203192", ()),  # full width
        ("N0.2012-03192", None, "201203192", ()),  # 0 read for o
        ("NO、2012-3192", None, "201203192", ()),
        ("火字〔2012〕第540号", None, "201200540", ()),  # an official document number's wording (GB/T 9704)
        ("火字(2012)540号", None, "201200540", ()),
        ("2012火字第540号", None, "201200540", ()),
        ("（2012）火字第540号", None, "201200540", ()),
        ("火化字第0540号", 2013, "201300540", ("year_from_ledger",)),
        ("12-0514", None, "201200514", ("two_digit_year",)),
        ("7822014-00692", 2014, "201400692", ("serial_fused_in_front",)),
        ("12-2013-00015", 2013, "201300015", ("serial_fused_in_front",)),
    ],
)
def test_certificate_numbers_are_read_as_a_family_of_patterns_with_the_printed_text_kept(raw, year, value, flags):
    n = normalize_cert_no(raw, year)
    assert (n.value, n.flags, n.raw) == (value, flags, raw)


def test_a_serial_fused_in_front_is_taken_off_only_where_the_year_behind_it_is_the_ledgers():
    fused = normalize_cert_no("7822014-00692", 2014)
    assert fused.certainty <= 0.5  # doubted: the serial's digits and the number's could be cut otherwise
    assert normalize_cert_no("7822014-00692").flags == ("nonstandard_format",)  # no ledger year: kept as printed
    assert normalize_cert_no("7822014-00692", 2010).flags == ("nonstandard_format",)


@pytest.mark.parametrize(
    "read,words",
    [("养马岛附近海域", "附近"), ("崆峒岛约2海里海域", "约2海里"), ("养马岛海域东侧", "海域东侧"), ("芝罘岛牟平海域", "牟平")],
)
def test_a_listed_sea_area_plus_words_of_its_own_is_kept_as_read_and_doubted(read, words):
    from mapping.normalize import normalize_sea_area, sea_area_alternatives, sea_area_beyond_list

    n = normalize_sea_area(read)
    assert n.value == read and "sea_area_beyond_list" in n.flags and n.certainty <= 0.5
    assert sea_area_beyond_list(read) == words
    assert sea_area_alternatives(read) == []  # nothing for the recognizer to decode it to


@pytest.mark.parametrize(
    "read,words",
    [
        ("养马岛东侧海域", "东侧"),
        ("烟台山东北海域", "东北"),
        ("崆峒岛以东海域", "以东"),
        ("养马岛外侧海域", "外侧"),
        ("芝罘岛西北面海域", "西北面"),
    ],
)
def test_a_listed_sea_area_toward_a_direction_is_kept_as_read_and_as_sure_as_read(read, words):
    """A listed sea area with only a word of locality (方位词, a closed class of the grammar: 以东, 西侧,
    东北, 外侧) names the water in that direction of an area the list vouches for: kept as read, not
    doubted beyond its reading, with a note for the reviewer, and nothing offered to decode it to."""
    from mapping.flags import FLAGS
    from mapping.normalize import normalize_sea_area, sea_area_alternatives, sea_area_beyond_list

    n = normalize_sea_area(read)
    assert n.value == read and "sea_area_toward_listed" in n.flags and "sea_area_beyond_list" not in n.flags
    assert n.certainty == 1.0
    assert sea_area_beyond_list(read) == words
    assert sea_area_alternatives(read) == []
    assert FLAGS["sea_area_toward_listed"].severity == "info"


def test_a_sea_area_is_matched_by_recognizer_confusions_only_never_by_dropping_what_was_read():
    from mapping.normalize import normalize_sea_area, sea_area_alternatives

    assert normalize_sea_area("养马岛东海域").value == "养马岛东海域"  # one character more than 养马岛海域: kept
    assert normalize_sea_area("养马岛海城").value == "养马岛海域"  # 城 for 域: a look-alike, matched
    assert normalize_sea_area("烟台芝罘岛海域").flags == ()  # the city before a listed entry
    assert normalize_sea_area("芝罘区卧佛岛海域").flags == ()
    # decoding candidates: entries as long as the reading, or longer by a character the recognizer
    # cannot output (mapping.places.UNREADABLE: PP-OCRv6 reads 屺, so 屺坶岛海域 is no longer one) or drops
    names = sea_area_alternatives("明岛海城")
    assert "长岛海域" in names and "屺坶岛海域" not in names and "芝罘卧佛岛海域" not in names


def test_a_date_written_without_its_year_takes_the_ledgers_and_says_so():
    n = normalize_date("4月7日", 2013)
    assert (n.value, n.flags) == ("2013-04-07", ("year_from_ledger",)) and n.certainty < 1.0
    assert normalize_date("十二月三十日", 2013).value == "2013-12-30"
    assert normalize_date("4月7日").value is None  # no ledger year: nothing invented
    assert normalize_date("2月30日", 2013).flags == ("impossible_day",)


def test_a_death_without_its_year_after_the_cremation_is_of_the_year_before():
    from mapping.record import RecordContext, build_record
    from pipeline.kernel.models import RawCell

    cells = {"death_date": RawCell("12月30日", 0.99, None), "cremation_date": RawCell("2013.1.2", 0.99, None)}
    rec = build_record("cremation", cells, RecordContext(ledger_year=2013))
    death = rec.fields["death_date"]
    assert death.value == "2012-12-30" and "year_before_ledger" in death.flags
    assert "death_after_cremation" not in death.flags
    far = build_record(
        "cremation",
        {"death_date": RawCell("6月30日", 0.99, None), "cremation_date": RawCell("2013.1.2", 0.99, None)},
        RecordContext(ledger_year=2013),
    )
    assert far.fields["death_date"].value == "2013-06-30" and "death_after_cremation" in far.fields["death_date"].flags


def test_a_village_off_its_towns_list_one_lookalike_character_from_one_listed_village_is_put_right_as_doubted():
    # 半城沟村 and 蜜蜂涧村 are on their towns' lists (NBS 2023); 丰/半 and 洞/涧 differ by a stroke
    for raw, fixed in (("栖霞市官道镇丰城沟村", "栖霞市官道镇半城沟村"), ("海阳市朱吴镇蜜蜂洞村", "海阳市朱吴镇蜜蜂涧村")):
        n = normalize_address(raw)
        assert n.value == fixed and n.raw == raw and "village_shape_corrected" in n.flags and n.certainty <= 0.5
    # 隋家沟村 is one character from 陶家沟村 and from 吴家沟村: not one village, left as read
    n = normalize_address("海阳市朱吴镇隋家沟村")
    assert n.value == "海阳市朱吴镇隋家沟村" and "village_not_in_list" in n.flags
    # 东庄村: no listed village of 土山镇 one look-alike character away
    assert normalize_address("莱州市土山镇东庄村").value == "莱州市土山镇东庄村"


def test_a_village_off_the_list_whose_differing_character_the_reader_doubted_is_put_right_as_doubted():
    """南哪家村 is off 下丁家镇's list (NBS 2023), 南邢家村 the one listed village a character away; 哪/邢 are
    not alike in shape (under VILLAGE_SHAPE_ALIKE), but the reader doubted that character: the listed
    village is proposed, held like any village off the list (mapping.places.DOUBTED_ALIKE_ANY). Read
    surely (a village the list lacks may be one character from a listed one) it stays as read.
    Failed before: left as read whatever the reader's doubt."""
    raw = "龙口市下丁家镇南哪家村"
    sure = [0.99] * len(raw)
    doubted = list(sure)
    doubted[raw.index("哪")] = 0.6
    n = normalize_address(raw, chars=doubted)
    assert n.value == "龙口市下丁家镇南邢家村" and "village_shape_corrected" in n.flags and n.certainty <= 0.5
    for chars in (sure, None):
        n = normalize_address(raw, chars=chars)
        assert n.value == raw and "village_not_in_list" in n.flags
    # doubted elsewhere than at the one differing character: no proposal
    other = list(sure)
    other[raw.index("南")] = 0.6
    assert normalize_address(raw, chars=other).value == raw


def test_a_towns_suffix_misread_with_no_village_to_confirm_it_is_put_right_as_doubted():
    """七甲 is a town of 龙口市 only (NBS 2023): 七甲银 (镇 read 银, a look-alike) before a village its list
    lacks, and 新嘉街进 (道 read 进) before a road, are that town and street, held for review
    (mapping.places.town_suffix_proposals). 报 for 镇 is no look-alike: taken only where the reader doubted it.
    A road named after a place (东莱街3号, 羊郡路) is no town. Failed before: left as read."""
    n = normalize_address("龙口市七甲银孙家洼子村")
    assert n.value == "龙口市七甲镇孙家洼子村" and "town_suffix_corrected" in n.flags and n.certainty <= 0.5
    n = normalize_address("龙口市新嘉街进振华路129号")
    assert n.value == "龙口市新嘉街道振华路129号" and "town_suffix_corrected" in n.flags and n.certainty <= 0.5
    raw = "龙口市下丁家报宫家屯村"
    chars = [0.99] * len(raw)
    assert normalize_address(raw, chars=chars).value == raw
    chars[raw.index("报")] = 0.5
    assert normalize_address(raw, chars=chars).value == "龙口市下丁家镇宫家屯村"
    for right in ("龙口市东莱街3号", "海阳市羊郡路5号", "龙口市七甲镇孙家洼子村"):
        assert "town_suffix_corrected" not in normalize_address(right).flags
        assert normalize_address(right).value == right


def test_a_house_numbers_unit_read_as_ge_is_put_right_as_doubted():
    """哥 after a house number's digits is the recognizer's 号 (no address writes a numeral then 哥): put right,
    held (house_number_unit_fixed). 哥 elsewhere (a road's name) is left. Failed before: kept as read."""
    n = normalize_address("龙口市南山路150哥")
    assert n.value == "龙口市南山路150号" and "house_number_unit_fixed" in n.flags and n.certainty <= 0.5
    n = normalize_address("龙口市港城大道198号9哥楼2单元103室")
    assert n.value == "龙口市港城大道198号9号楼2单元103室"
    n = normalize_address("龙口市哥哥路5号")
    assert n.value == "龙口市哥哥路5号" and "house_number_unit_fixed" not in n.flags


def test_a_listed_sea_area_misread_with_a_word_of_locality_is_put_right_and_keeps_the_word():
    """屺坶岛 read 屺姆岛 (女 for 土, look-alikes) with 南侧 inside: the entry is put right by shape and the
    word of locality kept where it was written, as sure as the entry's shape match alone and the word's
    reading (toward_by_shape_certainty: the list vouches for the place, grammar for the word), no longer
    halved like a reading off the list (was 0.5, below the sea area's threshold 0.5 once the reading's
    confidence multiplied it: typed_sheets seed 3313, 31 such fields held, all right). Failed before:
    kept as read, sea_area_not_in_list; then certainty 0.5."""
    from mapping.normalize import SHAPE_MATCH_CERTAINTY, normalize_sea_area

    n = normalize_sea_area("屺姆岛南侧海域")
    assert n.value == "屺坶岛南侧海域"
    assert "sea_area_toward_listed_by_shape" in n.flags and n.certainty >= SHAPE_MATCH_CERTAINTY
    assert "sea_area_matched_by_shape" not in n.flags  # a shape match's own certainty would replace the reading's
    assert normalize_sea_area("屺姆岛以南海域").certainty >= SHAPE_MATCH_CERTAINTY
    assert normalize_sea_area("养马岛东侧海域").value == "养马岛东侧海域"  # read right: unchanged
    # words of its own that are no word of locality, or no listed entry at all: still doubted
    assert normalize_sea_area("养马岛附近海域").certainty <= 0.5
    assert normalize_sea_area("莱州湾海城").certainty <= 0.5


def test_an_unlisted_sea_area_whose_haiyu_was_misread_gets_its_haiyu_back_and_stays_doubted():
    """The generic 海域 that names every designated sea area, read 海城 (域/城 look-alikes), is put back
    on an area not in the list; it stays as doubted as an unlisted area. Failed before: 莱州湾海城."""
    from mapping.normalize import normalize_sea_area

    n = normalize_sea_area("莱州湾海城")
    assert n.value == "莱州湾海域" and "sea_area_suffix_by_shape" in n.flags and "sea_area_not_in_list" in n.flags
    assert n.certainty <= 0.5
    assert normalize_sea_area("海城").value == "海城"  # nothing but the two characters: nothing to put back


def test_a_ruling_line_read_as_1_at_a_dates_end_is_left_out_and_doubted():
    """12016-12-25 (a 1 before the four-digit year) and 2016-12-251: a ruling line at the crop's edge read
    as 1 (recognizer property). The date without it, below every threshold (edge_stroke_removed, 0.45);
    a date that reads as it stands is untouched. Failed before: unparseable, the field blank."""
    from mapping.normalize import normalize_date

    for text in ("12016-12-25", "2016-12-251", "12016年12月25日"):
        n = normalize_date(text)
        assert n.value == "2016-12-25" and "edge_stroke_removed" in n.flags and n.certainty <= 0.45, text
    assert normalize_date("2016-12-11").flags == ()
    assert normalize_date("12016-12-251").value is None  # both ends: no single reading


def test_a_year_read_with_one_digit_of_the_ledgers_year_lost_is_completed_from_the_ledger_and_held():
    """201年4月23日 on a carbon copy of a 2014 register: the year's last digit lost under the spread (fresh carbon
    copy of design 3334). The ledger's year less one digit is completed from the ledger, held (0.45), the
    reading kept raw; without a ledger year, or three digits that are no digit-less form of it, nothing."""
    from mapping.normalize import normalize_date

    for text in ("201年4月23日", "201年4月23", "204.4.23"):
        n = normalize_date(text, 2014)
        assert n.value == "2014-04-23" and n.raw == text and "year_digit_lost" in n.flags and n.certainty <= 0.45, text
    assert normalize_date("201年4月23日").value is None
    assert normalize_date("194年4月23日", 2014).value is None
    assert normalize_date("2014年4月23日", 2014).flags == ()


def test_a_corrected_place_the_places_read_exactly_below_it_confirm_is_as_sure_as_they_are():
    # 藁州市 -> 莱州市: 金城镇 (read exactly) is a town of 莱州市 only; 夏句镇 -> 夏甸镇 of 招远市 (read
    # exactly), whose village list (NBS 2023) holds 西河北村 written right after it
    for raw, fixed in (("藁州市金城镇南吕村", "莱州市金城镇南吕村"), ("招远市夏句镇西河北村", "招远市夏甸镇西河北村")):
        n = normalize_address(raw)
        assert n.value == fixed and n.raw == raw and "lexicon_corrected" in n.flags
        assert "lexicon_confirmed_below" in n.flags and n.certainty == 1.0
    # a street no village confirms (the road after it may be misread: 方圃路), a district the town itself
    # chose among two, a suffix misread: as sure as the lexicon's corrections, held
    for raw in ("海阳市风城街道方圃路205号", "筑阳市羊郡镇大黄家村", "海阳市徐家店集西芦头村", "藁州市府前路80号"):
        n = normalize_address(raw)
        assert "lexicon_corrected" in n.flags and "lexicon_confirmed_below" not in n.flags and n.certainty < 0.977


def test_a_town_misread_after_a_county_misread_and_put_right_is_put_right_too_and_held():
    """A county-level name ending in 市 misread and corrected (藁州市 -> 莱州市, GB/T 2260) followed by one of its
    towns misread in one character (平里居镇, 沙阿镇: NBS 2023 towns of 莱州市 平里店镇, 沙河镇). The misread 市 is
    no city outside Yantai once the county is put right: the town is corrected too, flagged
    lexicon_under_corrected_county and kept as doubted as before (0.6, held). A city read exactly outside
    Yantai still stops it. Failed before: the town was left as read (lexicon_context_mismatch)."""
    for raw, fixed in (("藁州市平里居镇", "莱州市平里店镇"), ("藁州市沙阿镇", "莱州市沙河镇")):
        n = normalize_address(raw)
        assert n.value == fixed and n.raw == raw, n
        assert "lexicon_context_mismatch" not in n.flags and "lexicon_under_corrected_county" in n.flags
        assert n.certainty <= 0.6  # held for review as when the town was left as read
    n = normalize_address("青岛市平里居镇")  # Qingdao, read exactly: a town of 莱州市 does not fit under it
    assert n.value == "青岛市平里居镇" and "lexicon_context_mismatch" in n.flags
    n = normalize_address("藁州市金城镇南吕村")  # the town read exactly confirms the county: unchanged, no new flag
    assert n.value == "莱州市金城镇南吕村" and "lexicon_under_corrected_county" not in n.flags and n.certainty == 1.0


def test_a_lookalike_of_kuang_before_the_generic_of_a_village_off_the_list_is_kuang_and_held():
    """夼 right before a village's 村 is common in the official list (NBS 2023: 239 Yantai villages) and 奋 / 奇
    never are; the recognizer writes 夼 as those look-alikes. In a village its town's list lacks, the first such
    glyph before 村 is 夼, flagged village_kuang_put_back, held (certainty as when it was only doubted).
    Failed before: kept as read (glyph_outside_ocr_dictionary)."""
    for raw, fixed in (("龙口市石良镇东王奋村", "龙口市石良镇东王夼村"), ("龙口市石良镇东王奇村8号", "龙口市石良镇东王夼村8号")):
        n = normalize_address(raw)
        assert n.value == fixed and n.raw == raw, n
        assert "village_kuang_put_back" in n.flags and "village_not_in_list" in n.flags and n.certainty <= 0.5
    n = normalize_address("龙口市石良镇奋斗村")  # 奋 not before 村: a village's own name, kept
    assert n.value == "龙口市石良镇奋斗村" and "village_kuang_put_back" not in n.flags
    n = normalize_address("福山区奇村路3号")  # no town read, no village: kept, doubted as before
    assert n.value == "福山区奇村路3号" and "village_kuang_put_back" not in n.flags


def test_a_place_name_in_a_roads_name_is_neither_corrected_nor_doubted():
    # 海市路 (a road of 蓬莱): 海市 is one character from 海阳市, but a road's generic follows it
    for raw in ("蓬莱市海市路193号", "蓬莱市登州街道海市路133号", "海阳市方圆街道海市路5号"):
        n = normalize_address(raw)
        assert n.value == raw and n.flags == () and n.certainty == 1.0
    n = normalize_address("福山区芝区")  # no road: 芝罘区 inside 福山区 still does not fit
    assert "lexicon_context_mismatch" in n.flags


def test_a_county_or_town_misread_in_a_character_the_reader_doubted_is_put_right_to_the_one_official_name():
    """甚州市 (莱州市), 老口市 (龙口市), 芝荣区 (芝罘区), 芦共镇 (芦头镇 of 龙口市): blurred print read as a
    character the font's shapes do not call alike, the reader itself unsure of it (probability under
    UNSURE_CHAR). One official name (GB/T 2260; NBS towns of the county read) is that character away:
    put right, the reading kept as raw, flagged and no surer than an address off the list. Failed
    before: left as read (lexicon_ambiguous)."""

    def doubted_at(raw: str, *at: int) -> list[float]:
        return [0.5 if i in at else 0.99 for i in range(len(raw))]

    for raw, fixed, at in (
        ("甚州市文昌路5号", "莱州市文昌路5号", 0),  # 基州市: since s40 基 is a listed look-alike of 莱
        ("老口市振华路112号", "龙口市振华路112号", 0),
        ("芝荣区解放路59号", "芝罘区解放路59号", 1),
        ("龙口市芦共镇后宗村", "龙口市芦头镇后宗村", 4),
    ):
        n = normalize_address(raw, chars=doubted_at(raw, at))
        assert n.value == fixed and n.raw == raw and "division_doubt_corrected" in n.flags and n.certainty <= 0.5
        assert len(n.value) == len(raw)  # one character replaced, none added or deleted
        # read surely, the character stays as read (泉州市 is a city too): doubted, never rewritten
        sure = normalize_address(raw, chars=doubted_at(raw))
        assert sure.value == raw and "division_doubt_corrected" not in sure.flags
    # 筑阳市: 莱阳市 and 海阳市 are one character away: two official names as near, left as read
    n = normalize_address("筑阳市人民路1号", chars=doubted_at("筑阳市人民路1号", 0))
    assert n.value == "筑阳市人民路1号" and "division_doubt_corrected" not in n.flags
    # a town is only put right under a county read in the text (a county's town list is complete)
    n = normalize_address("芦共镇后宗村", chars=doubted_at("芦共镇后宗村", 1))
    assert n.value == "芦共镇后宗村"


def test_a_county_misread_where_two_readings_disagreed_is_put_right_from_the_kept_readings_own_doubt():
    """Two readings that differ: ocr.agreement.resolve drops the kept reading's character probabilities
    from `chars` and keeps them as `own_chars`; its doubt of 基 still lets the county be put right.
    Failed before: 甚州市 kept (lexicon_ambiguous)."""
    from mapping.record import RecordContext, build_record
    from pipeline.kernel.models import RawCell

    raw = "甚州市文昌路5号"
    cell = RawCell(raw, 0.4, None, agreed=False, second="菜州市文昌路5号", second_confidence=0.3, chars=None)
    doubted = build_record(
        "cremation", {"household_address": replace(cell, own_chars=(0.5,) + (0.99,) * 7)}, RecordContext(ledger_year=2013)
    )
    fv = doubted.fields["household_address"]
    assert fv.value == "莱州市文昌路5号" and fv.raw == raw and "division_doubt_corrected" in fv.flags
    sure = build_record("cremation", {"household_address": replace(cell, own_chars=(0.99,) * 8)}, RecordContext(ledger_year=2013))
    assert sure.fields["household_address"].value == raw


def test_a_real_city_elsewhere_is_not_put_right_into_a_yantai_county():
    """苏州市 and 泉州市 are one character from 莱州市, and the reader may doubt that character; they are
    cities of Jiangsu and Fujian (GB/T 2260), so an address there stays as read even when the first
    character is doubted. A town of 莱州市 read exactly right after it still says the county is 莱州市.
    Failed before: 泉州市丰泽区东海街道 became 莱州市丰泽区... (division_doubt_corrected)."""

    def doubted_at(raw: str, *at: int) -> list[float]:
        return [0.5 if i in at else 0.99 for i in range(len(raw))]

    for raw in ("泉州市丰泽区东海街道", "苏州市姑苏区人民路88号", "莱西市水集街道"):
        n = normalize_address(raw, chars=doubted_at(raw, 0))
        assert n.value == raw, n
        assert "division_doubt_corrected" not in n.flags and "lexicon_corrected" not in n.flags
    # backed by a town of 莱州市 read exactly (沙河镇 lies in 莱州市 only): the misreading is put right
    n = normalize_address("苏州市沙河镇路旺村", chars=doubted_at("苏州市沙河镇路旺村", 0))
    assert n.value.startswith("莱州市沙河镇"), n


@pytest.mark.parametrize("raw", ["12905351234", "11805351234", "10012345678", "0535-1234567", "0535-01234567"])
def test_a_number_the_numbering_plan_rules_out_is_no_phone(raw):
    # MIIT 电信网编号计划: mobile numbers begin 13-19; a local number never begins with 0 (trunk) or 1 (services)
    n = normalize_phone(raw)
    assert n.value is None and "phone_off_plan" in n.flags and n.raw == raw


def test_an_other_area_code_is_never_decoded_into_yantais():
    from mapping.phonefix import decode_phone

    assert decode_phone(["0536-7624029"]) == (None, [])  # Weifang's code, not a misread 0535
    assert decode_phone(["0535-1212345"])[0] is None  # 1 may be 7 or 4: two numbers, none chosen


@pytest.mark.parametrize(
    "raw,value", [("火学第261号", "201400261"), ("火宇〔2013〕第540号", "201300540"), ("火字弟261号", "201400261")]
)
def test_a_certificate_wording_with_a_look_alike_character_is_read_as_that_wording(raw, value):
    # the recognizer reads 字 as 学 or 宇, 第 as 弟 (like shape); the digits are the number's
    n = normalize_cert_no(raw, 2014)
    assert n.value == value and "cert_wording_by_shape" in n.flags and n.raw == raw
    assert normalize_cert_no("火安第261号", 2014).value is None  # 安 looks like none of the wording's characters


def test_a_certificate_wording_whose_huo_a_photograph_read_as_da_is_read_as_that_wording():
    """On photographed pages the recognizer reads the printed 火 as 大 (mapping.glyphs.PHOTO_MISREADS: 9 of 84
    火字第…号 cells of the design photographs, 12 of 128 headers opening with 火), a pair whose printed shapes
    measure just under LOOKALIKE. Such a document number is read as the wording, flagged and no surer than a
    shape match. Failed before: 大字第261号 gave no value (bad_characters)."""
    from mapping.normalize import SHAPE_MATCH_CERTAINTY

    n = normalize_cert_no("大字第261号", 2014)
    assert n.value == "201400261" and "cert_wording_by_shape" in n.flags and n.raw == "大字第261号"
    assert n.certainty <= SHAPE_MATCH_CERTAINTY
    # 安 still looks like none of the wording's characters: not read as the wording
    assert "cert_wording_by_shape" not in normalize_cert_no("大安第261号", 2014).flags


@pytest.mark.parametrize("read,right", [("太平湾西侧海城", "太平湾西侧海域"), ("养马岛以东海城", "养马岛以东海域")])
def test_a_listed_sea_area_toward_a_direction_whose_haiyu_was_misread_gets_it_back(read, right):
    """A listed area with a word of locality whose generic 海域 the recognizer read 海城 (域/城 look-alikes,
    mapping.glyphs) was accepted as read, 海城 and all, as sure as its reading (a 1-bit copy of a design
    page: 太平湾西侧海城 auto-accepted). Now 海域 is put back, every other character kept, and it is no
    surer than a shape match. Failed before: the value kept 海城 at certainty 1.0."""
    from mapping.normalize import SEA_AREA_BEYOND_CERTAINTY, SHAPE_MATCH_CERTAINTY, normalize_sea_area

    n = normalize_sea_area(read)
    assert n.value == right and "sea_area_suffix_by_shape" in n.flags and "sea_area_toward_listed" in n.flags
    assert n.certainty <= SHAPE_MATCH_CERTAINTY
    # a list entry plus words that the list corrected is doubted like any entry plus words (open vocabulary):
    # below the sea area's fitted threshold (0.5) even read at full confidence
    assert n.certainty < SEA_AREA_BEYOND_CERTAINTY
    beyond = normalize_sea_area("养马岛附近海城")  # other words of its own: still doubted as beyond the list
    assert beyond.value == "养马岛附近海域" and "sea_area_beyond_list" in beyond.flags and beyond.certainty <= 0.5


def test_a_relation_one_glyph_from_another_codes_wording_is_not_taken_by_the_wording_inside_it():
    """位子 (侄子 with 侄 misread 位, one glyph) holds 子, a wording of code 20 (son): taken as 20 at 0.9 it
    was auto-accepted wrong on a 1-bit copy of a design page. A reading one character from another code's
    wording (GB/T 4761's table, the recognizer's one-glyph confusions) is no partial match; it gives no
    code, so the recognizer chooses among the table's wordings on the crop. Failed before: 20."""
    n = relation("位子")
    assert n.value is None
    assert relation("侄子").value == "97" and relation("儿子").value == "20"
    assert relation("长子").value == "20"  # a wording itself: untouched


@pytest.mark.parametrize(
    "table,read,wrong",
    [
        ("ashes_destination", "非户籍地公益公墓", "1"),  # 非户籍地公益性公墓 (2) with 性 dropped
        ("ashes_destination", "户籍地经营公墓", "1"),  # 户籍地经营性公墓 (3) with 性 dropped
        ("death_cause", "交事故", "03"),  # 交通事故 (04) with 通 dropped
    ],
)
def test_a_code_reading_one_dropped_glyph_from_another_codes_wording_is_no_partial_match(table, read, wrong):
    """A reading one glyph short of a wording of one code (the recognizer drops glyphs: mapping.places.DROPPED)
    that holds a shorter wording of another code was taken as that other code at 0.9 (partial_match):
    the list would have turned one dropped glyph into another code. Now no partial match is taken where
    another code's wording is one edit from the reading. Failed before: the wrong code, partial_match."""
    from mapping.normalize import _spec, normalize_code

    n = normalize_code(read, _spec(None).table(table))
    assert n.value != wrong and "partial_match" not in n.flags


@pytest.mark.parametrize("raw", ["小叔子", "大姑子", "孙子媳妇", "外甥女婿"])
def test_a_kinship_term_holding_a_wording_beside_another_relative_gives_no_code(raw):
    """小叔子 (the husband's younger brother) holds 子, 孙子媳妇 (a grandson's wife) holds 孙子: GB/T 4761's
    table holds neither term, and the wording inside names another relative than the term does. Kept as
    read with no code, flagged for review. Failed before: 20, 20, 40, 97 as partial matches at 0.9
    (above every fitted threshold: auto-accepted)."""
    n = relation(raw)
    assert n.value is None and "kinship_term_outside_table" in n.flags and n.raw == raw


@pytest.mark.parametrize("raw,code", [("宋建儿子", "20"), ("儿子13812345678", "20"), ("嫂嫂", "97"), ("姨妈", "97")])
def test_a_wording_beside_writing_that_names_no_other_relative_keeps_its_code(raw, code):
    """A name or a phone written against the wording, or the wording repeated, names no other relative."""
    n = relation(raw)
    assert n.value == code and "kinship_term_outside_table" not in n.flags


def test_a_look_alike_match_that_replaces_a_kinship_character_is_only_a_proposal():
    """姑夫 is 姑父 by the look-alike 夫/父, but 夫 is itself a kinship character (丈夫): the reading may be a
    relative written right that the table does not hold, so its code is doubted (below the least fitted
    threshold, 0.5). A misread glyph that names no relative (要, 安, 爱 for 妻; 儿了 for 儿子) stays a
    sure-enough shape match. Failed before: 姑夫 coded 97 at 0.9."""
    n = relation("姑夫")
    assert n.value == "97" and "kinship_term_outside_table" in n.flags and n.certainty < 0.5
    for read, code in [("要", "10"), ("安", "10"), ("爱", "10"), ("儿了", "20")]:
        m = relation(read)
        assert m.value == code and "kinship_term_outside_table" not in m.flags and m.certainty >= 0.9


@pytest.mark.parametrize(
    "text, one",
    [
        ("13812345678", True),
        ("138 1234 5678", True),
        ("0535-6212345", True),
        ("(0535)62123456", True),
        ("6212345", False),  # no area code
        ("12812345678", False),  # 12: no mobile network of the plan
        ("电话13812345678", False),  # a word beside it
        ("13812345678/13912345678", False),  # a second number
        ("0535-6212345 2", False),  # a landline and a digit apart at a gap
        ("1381234567O", False),  # a letter read for a digit
    ],
)
def test_one_plan_number_is_one_number_of_the_numbering_plan_and_nothing_beside_it(text, one):
    from mapping.phonefix import one_plan_number

    assert one_plan_number(text) is one


def test_a_countys_suffix_misread_is_put_right_where_its_town_follows():
    """龙口审 / 龙口事 (市 read 审, 事 on carbon copies) before 黄山馆镇, a town of 龙口市 only (NBS 2023), is
    龙口市, held (county_suffix_corrected); 莲莱审 before 北沟镇 is 蓬莱市 (莲 a look-alike of 蓬; 蓬莱市 and
    its successor 蓬莱区 both hold 北沟镇: the suffix read nearer 市). No town after it: left as read.
    Failed before: left as read."""
    for raw, fixed in (
        ("龙口审黄山馆镇大杨家村", "龙口市黄山馆镇大杨家村"),
        ("山东省烟台市龙口事诸由观镇", "山东省烟台市龙口市诸由观镇"),
        ("莲莱审北沟镇", "蓬莱市北沟镇"),
    ):
        n = normalize_address(raw)
        assert n.value == fixed and n.raw == raw and "county_suffix_corrected" in n.flags and n.certainty <= 0.5
    assert normalize_address("龙口审人民路5号").value == "龙口审人民路5号"
    assert "county_suffix_corrected" not in normalize_address("龙口市黄山馆镇大杨家村").flags


def test_an_address_whose_county_is_in_no_division_list_is_doubted():
    """莲基市 (蓬莱市 with two characters misread, each read surely) is no county of China (GB/T 2260): the
    address is held (county_not_listed), nothing changed. A listed county here or elsewhere in China, a road
    (海市路) and an address opening with its town are not doubted. Failed before: 1.0, no flag."""
    raw = "莲基市大柳行镇马格庄村"
    n = normalize_address(raw, chars=[1.0] * len(raw))
    assert n.value == raw and "county_not_listed" in n.flags and n.certainty <= 0.5
    for right in ("蓬莱市大柳行镇马格庄村", "苏州市吴中区长桥街道", "海市路5号", "山东省烟台市龙口市东江街道"):
        assert "county_not_listed" not in normalize_address(right).flags


def test_the_provinces_and_a_buildings_unit_words_misread_are_put_right_as_doubted():
    """山东书烟台市: the one word between 山东 and 烟台 is 省 (GB/T 2260's 山东省); 17号接5单元 / 17号後5单元:
    the recognizer's 楼 between a house number and its 单元. Put right, held. A 院 there, or 山东路, is left.
    Failed before: kept as read."""
    n = normalize_address("山东书烟台市蓬莱市北沟镇")
    assert n.value == "山东省烟台市蓬莱市北沟镇" and "province_suffix_fixed" in n.flags and n.certainty <= 0.5
    for raw in ("龙口市港城大道17号接5单元102室", "龙口市港城大道17号後5单元102室"):
        n = normalize_address(raw)
        assert n.value == "龙口市港城大道17号楼5单元102室" and "building_unit_fixed" in n.flags and n.certainty <= 0.5
    for right in ("龙口市港城大道17号院5单元102室", "山东路5号"):
        assert normalize_address(right).value == right


def test_ji_read_for_lai_picks_the_listed_street_of_the_county():
    """东基街道 in 龙口市: 东莱街道 and 东江街道 are both one character away; 基 is the recognizer's reading of a
    faint 莱 (measured on carbon copies: 东基街道, 莲基市, 基州市), 江 no look-alike: 东莱街道. Failed before:
    lexicon_ambiguous, left as read."""
    n = normalize_address("龙口市东基街道南山路5号")
    assert n.value == "龙口市东莱街道南山路5号" and "lexicon_corrected" in n.flags
    n = normalize_address("基州市文昌路5号", chars=[0.99] * 8)  # read surely: corrected, no surer than the lexicon's 0.95
    assert n.value == "莱州市文昌路5号" and "lexicon_corrected" in n.flags and n.certainty <= 0.95


def test_a_phone_with_letters_glued_on_is_kept_as_doubted():
    """A mobile number with m / ma glued to its end (a seal's edge read as letters that are no digit's
    look-alike) is the number, doubted; one with S there is not (it may be its digit). An area code other
    than 0535 is never changed (mapping.phonefix). Failed before: bad_phone, blank."""
    for raw in ("13912345678m", "13912345678ma"):
        n = normalize_phone(raw)
        assert n.value == "13912345678" and "stray_marks_removed" in n.flags and n.certainty <= 0.45
    assert normalize_phone("13912345678S").value is None
    assert normalize_phone("0635-4581252").value is None
    assert normalize_phone("0535-4581252").flags == ()


def test_a_mobile_number_read_with_a_ruling_line_as_1_or_i_at_its_end_is_the_number_held():
    """A ruling line at the crop's edge read as the digit 1 or the letter I / l after an 11-digit mobile
    number (s46-faded, carbon copy of design 4521: 13043528965I, 152106022331 shapes): 12 digits are no
    number of the plan (MIIT), the 11 without the stroke are; taken, held (stray_marks_removed, <= 0.45),
    the reading raw. A 1 the number needs, a landline that is whole with it, or a 12-digit reading whose
    ends are no stroke stays as before. Failed before: bad_phone, blank."""
    for raw in ("13912345678I", "139123456781", "l13912345678", "139-1234-5678|"):
        n = normalize_phone(raw)
        assert n.value == "13912345678" and "stray_marks_removed" in n.flags and n.certainty <= 0.45
        assert n.raw == raw
    assert normalize_phone("053562123451").flags == ()  # 0535 + 8 digits: a landline as read
    assert normalize_phone("139123456785").value is None  # no stroke at either end: another digit, not guessed
    assert normalize_phone("1291234567811").value is None  # without the stroke still off the plan


def test_a_count_or_an_age_read_with_a_mark_after_its_unit_is_the_number_held():
    """The unit ends the number as written (3人, 78岁): a ruling line read as 1 or | after it (s46-faded, carbon
    copy of design 4521: 4人1 for 4) is no digit of it. The number, held (stray_marks_removed, <= 0.45), the
    reading raw; more than two characters after the unit, or none before it, is no number.
    Failed before: unparseable, blank."""
    for raw, value, norm in (("4人1", 4, normalize_count), ("2名l", 2, normalize_count), ("79岁1", 79, normalize_age)):
        n = norm(raw)
        assert n.value == value and "stray_marks_removed" in n.flags and n.certainty <= 0.45 and n.raw == raw
    assert normalize_count("4人123").value is None and normalize_count("人1").value is None
    assert normalize_count("4人").flags == () and normalize_age("3岁半").value == 3


def test_a_name_with_a_seals_letter_or_digit_glued_on_is_the_name_held():
    """A name read with a letter or a digit glued to its end (a seal's ring read as 9, U or d: s45-faded's
    carbon copies of design 4501, cells under a seal) is the Han name inside, held with the reading as raw;
    more than two such characters, or fewer than two Han characters left, or one inside the name, is no name.
    Failed before: bad_characters, blank."""
    for raw, name in (("张桂兰9", "张桂兰"), ("U王建国", "王建国"), ("李强d", "李强"), ("·李强1", "李强")):
        n = normalize_name(raw)
        assert n.value == name and "stray_marks_removed" in n.flags and n.certainty <= 0.45
        assert n.raw == raw
    for raw in ("IV-王建国9", "A王", "李a强", "王建国"):
        assert "stray_marks_removed" not in normalize_name(raw).flags
    assert normalize_name("李a强").value is None


def test_a_number_with_a_seals_letter_glued_on_is_read_held():
    """A certificate number or a date with a Latin letter glued on that is no digit's look-alike (火字第590号F:
    a seal's ring, s45-faded's carbon copy of typed 4501) is the number inside, held; a letter the recognizer
    writes for a digit (A for 4, S for 5) is never left out, nor a letter beside an age (the row's dates weigh
    it). Failed before: blank."""
    c = normalize_cert_no("火字第590号F", 2015)
    assert c.value == "201500590" and "stray_marks_removed" in c.flags and c.certainty <= 0.45
    d = normalize_date("m2015-04-19")
    assert d.value == "2015-04-19" and "stray_marks_removed" in d.flags and d.certainty <= 0.45
    assert normalize_age("A79").value is None and normalize_age("w87").value is None
    assert normalize_date("LAMRDS2015-04-19").value is None


def test_a_street_misread_in_two_look_alike_characters_under_its_county_is_put_right_held():
    """海阳市风域街道 (风 for 凤, 域 for 城: both glyphs the recognizer confuses, s45-faded's carbon and faded copies of
    design 4501, 風 read traditional on the faded one) is 凤城街道, the one street of 海阳市 so near: put right, held,
    the reading kept as raw. A name the list has, one of another county, or one whose characters are not
    look-alikes is left as read. Failed before: left as read (two characters off), certainty 1.0."""
    n = normalize_address("海阳市风域街道方圆路99号")
    assert n.value == "海阳市凤城街道方圆路99号" and "town_lookalikes_corrected" in n.flags and n.certainty <= 0.5
    assert n.raw == "海阳市风域街道方圆路99号"
    assert normalize_address("海阳市凤城街道方圆路99号").flags == ()
    assert normalize_address("海阳市家吴候下尹家村159号").value == "海阳市家吴候下尹家村159号"  # 家/朱 no look-alike
    assert "town_lookalikes_corrected" not in normalize_address("海阳市风域镇").flags  # 凤城 is a street, not a town


def test_a_village_read_with_a_faint_kuang_as_ji_before_cun_is_put_back_held():
    """莱阳市吕格庄镇宋家脊村: 脊 is the recognizer's reading of a faint 夼 (s45-faded's design carbon and faded copies),
    and no listed village writes 脊 before 村 while 264 write 夼: a village off its town's list takes 夼 back, held.
    Where the reader doubted that 脊, an unlike listed village (王家沟村 of 郭城镇, 沟/脊 0.52) is not taken for
    it. Failed before: 宋家脊村 read surely, kept at 0.99; 王家脊村 made 王家沟村."""
    n = normalize_address("莱阳市吕格庄镇宋家脊村", chars=[0.99] * 11)
    assert n.value == "莱阳市吕格庄镇宋家夼村" and "village_kuang_put_back" in n.flags and n.certainty <= 0.5
    doubted = [0.99] * 9 + [0.5, 0.99]
    n = normalize_address("海阳市郭城镇王家脊村", chars=doubted)
    assert n.value == "海阳市郭城镇王家夼村" and "village_kuang_put_back" in n.flags and n.certainty <= 0.5
    assert normalize_address("海阳市郭城镇王家沟村").flags == ()


def test_a_village_off_the_list_with_a_character_no_village_is_written_with_is_never_read_surely():
    """下孙家注村 of 郭城镇 read at 0.99 a character: 注 is in no village of the official list, so the reading is a
    misreading (下孙家洼村 on s45-faded's design carbon copy), held as a village off the list. Failed before:
    village_off_list_read_surely, certainty 1.0."""
    text = "海阳市郭城镇下孙家注村"
    n = normalize_address(text, chars=[0.99] * len(text))
    assert "village_off_list_read_surely" not in n.flags and "village_not_in_list" in n.flags and n.certainty <= 0.5


def test_kongtong_island_read_in_the_recognizers_faint_stroke_confusions_is_the_listed_sea_area():
    """崆峒岛海域 (a sea area of the province's list) as PP-OCRv6 reads it on carbon copies: 崆 as 硅, 峒 as 明
    or 制 (its confusions seen twice or more, SEA_AREA_CONFUSIONS). The listed entry by shape. Failed before:
    kept as read, off the list (硅/崆 0.69 and 明/峒 0.71 alike by print, too far for a shape match)."""
    from mapping.normalize import normalize_sea_area

    for text in ("硅明岛海域", "硅明島海城", "硅制岛海域"):
        n = normalize_sea_area(text)
        assert n.value == "崆峒岛海域" and "sea_area_matched_by_shape" in n.flags, text
    assert normalize_sea_area("在明岛海城").value == "在明岛海域"  # 在 seen once: no confusion listed, held off the list


def test_a_ruling_line_read_after_a_sea_areas_haiyu_is_left_out_and_held():
    """崆峒岛海城1: the column's ruling line at the cell's end read as 1 (the recognizer reads the crop's ink as
    one line). The sea area before it (海城 put back to 海域), held (stray_marks_removed, 0.45). Failed before:
    kept as read with the 1 (sea_area_beyond_list). Words of place after 海域 are still kept as read."""
    from mapping.normalize import normalize_sea_area

    n = normalize_sea_area("崆峒岛海城1")
    assert n.value == "崆峒岛海域" and "stray_marks_removed" in n.flags and n.certainty <= 0.45
    assert normalize_sea_area("养马岛海域l").value == "养马岛海域"
    assert normalize_sea_area("养马岛海域东侧").value == "养马岛海域东侧"
    assert normalize_sea_area("养马岛海域").certainty == 1.0
