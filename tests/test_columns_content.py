"""Columns identified by what their cells hold where the header cannot tell (issue 21): content that
only one field of a register can hold, by an official rule (GB 11643 check characters, the spec's code
tables, the numbering plan), identifies a column alone; content several fields share never does; a
re-map assigns the columns again from the stored header and cells. Small synthetic tables, no OCR."""

from __future__ import annotations

import pytest

from mapping.headers import (
    CONTENT_ALONE,
    DISAGREEMENT_DOUBT,
    ELIMINATION_DOUBT,
    IN_PART_DOUBT,
    RELATION_UNTOLD,
    _field_scores,
    assign_columns,
    clean_header,
    column_scores,
    content_share,
    decisive_share,
    ids_in_part,
    is_assignment_doubt,
)
from mapping.spec import load_spec
from pipeline.kernel.models import RawCell
from pipeline.page.extract import PAGE_ASSIGNMENT_DOUBT, map_rows, reassign_columns
from pipeline.page.structure import Structure

HEADER = ["序号", "姓名", "性别", "公民身份号码", "死亡日期", "火化日期", "骨灰去向", "经办人", "与逝者关系", "联系电话"]
ROWS = [
    ["1", "朱凤环", "女", "370601193608241141", "2013.1.1", "2013.1.3", "骨灰寄存", "宋建", "儿子", "13905351234"],
    ["2", "宋玉林", "男", "370602192201242216", "2013.1.2", "2013.1.4", "海葬", "宋伟", "女儿", "0535-6601190"],
    ["3", "姜宁", "男", "37060219680723071X", "2013.1.1", "2013.1.4", "家属带回", "姜霞", "配偶", "18775735707"],
    ["4", "杨玉英", "女", "370602270122780", "2012.12.26", "2013.1.5", "海葬", "姜燊", "女儿", "15835354809"],
]
FIELDS = [
    "row_no",
    "deceased_name",
    "sex_code",
    "id_number",
    "death_date",
    "cremation_date",
    "ashes_destination_code",
    "agent_name",
    "agent_relation_code",
    "agent_phone",
]


def _columns(rows):
    return [[r[c] for r in rows] for c in range(len(rows[0]))]


def _given_in_part(got, col: int, field: str) -> None:
    """Column `col` was given `field` under a header read in part, doubted so (held for review)."""
    assert got[col].field == field
    assert got[col].doubt is not None and got[col].doubt.startswith(IN_PART_DOUBT.split("{", 1)[0])
    assert is_assignment_doubt(got[col].doubt)


def _read(rows: list[list[str]]) -> list[tuple[int, list[RawCell]]]:
    """The rows as the recognizer's cells, numbered from 1, read at 0.99."""
    return [(i + 1, [RawCell(t, 0.99, None) for t in r]) for i, r in enumerate(rows)]


def _with_headers(texts: dict[int, str], base: list[str] = HEADER) -> list[str]:
    """The page's header with the header cells of some columns read otherwise ({column: reading})."""
    header = list(base)
    for col, text in texts.items():
        header[col] = text
    return header


def _with_header(col: int, text: str) -> list[str]:
    return _with_headers({col: text})


def test_the_clean_table_is_assigned_by_its_headers():
    got = assign_columns("cremation", HEADER, _columns(ROWS))
    assert [a.field for a in got] == FIELDS
    assert all(a.doubt is None for a in got)


def test_an_id_column_whose_header_was_not_read_is_identified_by_its_check_characters():
    """Valid GB 11643 numbers (an 18-character one's check character, a 15-digit one's birth date):
    only the ID field holds them, so the column is the ID's whatever its header reads."""
    header = _with_header(3, "囗囗口")
    got = assign_columns("cremation", header, _columns(ROWS))
    assert got[3].field == "id_number" and got[3].by_content and got[3].doubt is None
    assert column_scores("cremation", header, _columns(ROWS))[(3, "id_number")].alone


def test_digit_strings_failing_the_check_do_not_identify_an_id_column_alone():
    """18 digits whose check characters fail (an account, a file number): not an ID by content alone."""
    rows = [list(r) for r in ROWS]
    for r, bad in zip(rows, ["370601193608241142", "370602192201242210", "370602196807230711", "370602192701227801"]):
        r[3] = bad
    header = _with_header(3, "囗囗口")
    sp = load_spec()
    assert decisive_share("cremation", "id_number", None, [r[3] for r in rows], sp) == 0.0
    got = assign_columns("cremation", header, _columns(rows))[3]
    assert got.field is None or got.doubt is not None  # at most a doubted guess by elimination, never sure
    assert got.score is None or not got.score.alone


def test_a_relation_column_under_an_unread_header_is_identified_by_the_code_table():
    """儿子 / 女儿 / 配偶 are wordings of GB/T 4761 (the spec's relation table), which only the relation
    field of a cremation register holds."""
    got = assign_columns("cremation", _with_header(8, "口口"), _columns(ROWS))
    assert got[8].field == "agent_relation_code" and got[8].doubt is None


def test_sex_and_phone_columns_under_unread_headers_are_identified_by_their_values():
    header = _with_header(2, "")
    header[9] = "囗"
    got = assign_columns("cremation", header, _columns(ROWS))
    assert got[2].field == "sex_code" and got[9].field == "agent_phone"


def test_content_that_several_fields_share_never_identifies_a_column_with_confidence():
    """A date may be the death's or the cremation's, a name the deceased's or the agent's: with their
    headers unread, content alone never makes the columns sure. Here every other column is named, so
    each is the one field left that its cells fit (by elimination): given, but doubted."""
    header = _with_headers({4: "", 7: "口"})
    got = assign_columns("cremation", header, _columns(ROWS))
    assert got[4].field == "death_date" and got[7].field == "agent_name"
    assert got[4].doubt is not None and got[4].doubt.startswith(ELIMINATION_DOUBT)
    assert got[7].doubt is not None and got[7].doubt.startswith(ELIMINATION_DOUBT)
    assert not got[4].score.alone and not got[7].score.alone
    sp = load_spec()
    assert decisive_share("cremation", "date", None, [r[4] for r in ROWS], sp) is None
    assert decisive_share("cremation", "name", None, [r[1] for r in ROWS], sp) is None


def test_a_column_its_header_names_wins_over_one_identified_by_content_alone():
    """Two columns of relation wordings, one under 与逝者关系: the named one is the field, and the other,
    fitting as well by its cells, is no second relation column."""
    header = HEADER + ["囗囗"]
    rows = [r + [r[8]] for r in ROWS]
    got = assign_columns("cremation", header, _columns(rows))
    assert got[8].field == "agent_relation_code" and got[10].field is None
    assert column_scores("cremation", header, _columns(rows))[(10, "agent_relation_code")].total == CONTENT_ALONE


def test_too_few_written_cells_identify_nothing_by_content():
    got = assign_columns("cremation", _with_header(3, "囗囗口"), _columns(ROWS[:2]))
    assert got[3].field is None


def test_a_remap_assigns_the_columns_again_and_keeps_the_other_doubts():
    """Stored header and cells assigned again: the old assignment's doubts (a column and the page) are
    replaced by the new ones; the grid's doubt and a missing ruling line's (its stored header still reads
    as two fields' headers) stay."""
    header = _with_headers({3: "囗囗口", 5: "序号火化日期"})
    rows = [(i + 1, [RawCell(t, 0.95, None) for t in r]) for i, r in enumerate(ROWS)]
    grid_doubt = "some of its ruling lines are missing: the others were placed by the alignment of its text"
    old = "its header reads as id_number but its cells do not fit it (100% do not)"
    merged = "its header names two fields (row_no, cremation_date): a ruling line is missing"
    structure = Structure(
        page=[grid_doubt, PAGE_ASSIGNMENT_DOUBT.format(field="id_number", why=old)], columns={3: [old], 5: [merged]}
    )
    assert is_assignment_doubt(old)
    columns = reassign_columns("cremation", header, rows, structure, load_spec())
    assert columns == FIELDS
    assert structure.page == [grid_doubt]
    assert structure.columns == {5: [merged]}


def test_a_remap_that_finds_a_column_in_doubt_doubts_the_page_with_the_reason():
    """Two date columns, neither header read: told apart only by the order of the events (cremation on
    or after death), so both are doubted, and a re-map says so on the page."""
    header = _with_header(4, "囗")
    header[5] = "口"
    rows = [(i + 1, [RawCell(t, 0.95, None) for t in r]) for i, r in enumerate(ROWS)]
    structure = Structure()
    columns = reassign_columns("cremation", header, rows, structure, load_spec())
    assert columns[4] == "death_date" and columns[5] == "cremation_date"
    assert all(r.startswith(ELIMINATION_DOUBT) for r in structure.columns[4] + structure.columns[5])
    assert any(r.startswith(PAGE_ASSIGNMENT_DOUBT.split("{", 1)[0]) and "death_date" in r for r in structure.page)


AGE_ROWS = [
    r[:4] + [age, birth] + r[4:]
    for r, age, birth in zip(ROWS, ["76", "90岁", "44", "85"], ["1936.8.24", "1922.1.24", "1968.7.23", "1927.1.22"])
]


def test_an_age_column_under_an_unread_header_is_identified_by_the_ids_birth_dates():
    """An age is a number like many others; one that is the full years (or the nominal age, one more)
    from the row's ID birth date (GB 11643) to a date of the row is the age. The birth-date column
    likewise: its dates are the IDs' birth dates."""
    header = HEADER[:4] + ["囗", "口口"] + HEADER[4:]
    got = assign_columns("cremation", header, _columns(AGE_ROWS))
    assert got[4].field == "age_years" and got[4].by_content
    assert got[5].field == "birth_date" and got[5].by_content
    assert got[6].field == "death_date"  # named by its header: untouched


def test_numbers_that_disagree_with_the_ids_are_no_age_column():
    rows = [list(r) for r in AGE_ROWS]
    for r, n in zip(rows, ["3", "1", "4", "2"]):  # a furnace number, say
        r[4] = n
    header = HEADER[:4] + ["囗", "口口"] + HEADER[4:]
    assert assign_columns("cremation", header, _columns(rows))[4].field is None


def test_a_column_of_female_sexes_only_is_told_from_daughters_by_the_ids():
    """女 alone is a sex and a GB/T 4761 relation (daughter): the IDs' sex digits agreeing, it is the sex."""
    extra = ["5", "王秀英", "女", "370602195003120246", "2013.1.3", "2013.1.5", "海葬", "王强", "儿子", "13905359876"]
    rows = [list(r) for r in ROWS + [extra] if r[2] == "女"]
    assert len(rows) == 3
    header = _with_header(2, "")
    sp = load_spec()
    assert decisive_share("cremation", "sex", "sex", [r[2] for r in rows], sp) == 0.0
    got = assign_columns("cremation", header, _columns(rows))
    assert got[2].field == "sex_code"


def test_two_name_columns_under_the_same_header_are_doubted_not_guessed():
    """Names are the deceased's or the agent's: under two 姓名 headers, either way round sums the same."""
    header = list(HEADER)
    header[7] = "姓名"
    got = assign_columns("cremation", header, _columns(ROWS))
    assert got[1].doubt is not None and got[7].doubt is not None


def test_a_page_doubt_of_the_old_assignment_is_replaced_by_none_when_the_columns_are_clear():
    """A misread death-date header (论世日期) reads about as much like 出生日期; the dates are not the
    IDs' birth dates (GB 11643), so the birth date is no rival and the column is not doubted."""
    header = _with_header(4, "论世日期")
    got = assign_columns("cremation", header, _columns(ROWS))
    assert got[4].field == "death_date" and got[4].doubt is None


def test_dates_in_the_other_order_are_told_apart_by_the_order_of_death_and_cremation():
    """The cremation column printed before the death column, neither header read: the column whose
    dates come first in each row is the death's (a body is cremated on or after the day of death)."""
    rows = [r[:4] + [r[5], r[4]] + r[6:] for r in ROWS]
    header = _with_header(4, "")
    header[5] = "囗"
    got = assign_columns("cremation", header, _columns(rows))
    assert got[4].field == "cremation_date" and got[5].field == "death_date"
    assert got[4].doubt is not None and got[5].doubt is not None


def test_dates_in_no_order_are_left_without_a_field():
    """Where neither column's dates come first in most rows, nothing tells them apart: both left."""
    rows = [list(r) for r in ROWS]
    rows[0][4], rows[0][5] = rows[0][5], rows[0][4]
    rows[1][4], rows[1][5] = rows[1][5], rows[1][4]
    header = _with_header(4, "")
    header[5] = "囗"
    got = assign_columns("cremation", header, _columns(rows))
    assert got[4].field is None and got[5].field is None


def test_dates_whose_dot_was_read_as_a_gap_still_tell_their_columns():
    """The recognizer loses a date's small dot but keeps its gap (2012.2 15, 2013 1.4: county_editions seed
    3301, a third of a column so read): such a reading is a date to a column's content test, so two date
    columns under lost headers are still told apart by the order of death and cremation (doubted). Digits
    run together with no gap (2013.14) stay no date there: one split gives a date, but nothing was read."""
    rows = [list(r) for r in ROWS]
    for r in rows[:2]:
        r[4] = r[4].replace(".", " ", 1)
        r[5] = r[5][::-1].replace(".", " ", 1)[::-1]
    header = _with_header(4, "")
    header[5] = "囗"
    got = assign_columns("cremation", header, _columns(rows))
    assert got[4].field == "death_date" and got[5].field == "cremation_date"
    assert got[4].doubt is not None and got[5].doubt is not None
    for r in rows[:2]:
        r[4], r[5] = r[4].replace(" ", ""), r[5].replace(" ", "")
    got = assign_columns("cremation", header, _columns(rows))
    assert got[4].field is None and got[5].field is None


def test_two_name_columns_left_unread_are_not_made_sure():
    """The deceased's and the agent's names, both headers lost: their neighbours tell which is which
    (test_two_name_columns_whose_headers_were_not_read_are_told_apart_by_their_neighbours), never
    surely: both stay doubted."""
    header = _with_header(1, "")
    header[7] = "口"
    got = assign_columns("cremation", header, _columns(ROWS))
    assert got[1].doubt is not None and got[7].doubt is not None


def test_a_column_whose_header_names_something_else_is_not_taken_by_elimination():
    """A clearly read header that is no field's wording (an extra column: 登记员, a clerk's name) is
    evidence against the column being the agent's: the agent's column, its header lost, is the one
    left for the agent's name (doubted), and the clerk's column stays without a field."""
    rows = [r + [n] for r, n in zip(ROWS, ["李军", "李军", "王芳", "李军"])]
    header = _with_header(7, "") + ["登记员"]
    got = assign_columns("cremation", header, _columns(rows))
    assert got[10].field is None
    assert got[7].field == "agent_name" and got[7].doubt is not None
    rows = [r[:7] + r[8:] for r in rows]  # the agent's column not printed: the clerk's is not taken
    header = HEADER[:7] + HEADER[8:] + ["登记员"]
    got = assign_columns("cremation", header, _columns(rows))
    assert got[-1].field is None and "agent_name" not in [a.field for a in got]


def test_a_serial_column_under_an_unread_header_takes_no_count_or_age():
    """Numbers going up by one a row are the serial column's, not the age's or a count's."""
    header = _with_header(0, "")
    got = assign_columns("cremation", header, _columns(ROWS))
    assert got[0].field == "row_no" and got[0].doubt is not None
    assert "age_years" not in [a.field for a in got]


def test_a_column_its_header_names_exactly_keeps_its_field_in_doubt_when_its_cells_are_misread():
    """骨灰去向 read exactly, its values misread beyond the code table's wordings: still that field's
    column (no other column holds it), doubted, rather than a field without a column."""
    rows = [list(r) for r in ROWS]
    for r, bad in zip(rows, ["骨灰寄仔", "微海", "家属带四", "每葬"]):
        r[6] = bad
    got = assign_columns("cremation", HEADER, _columns(rows))
    assert got[6].field == "ashes_destination_code"
    assert got[6].doubt is not None and is_assignment_doubt(got[6].doubt)


def test_a_header_read_with_look_alike_characters_scores_near_its_wording():
    """The recognizer keeps a glyph's shape when it misreads it (经办入 for 经办人); a digit in a Han
    header is a glyph it lost (0名 for 姓名). Both score above a plain spelling distance, below an
    exact reading; an unrelated character (员 for 人) gains nothing."""
    from mapping import glyphs
    from mapping.headers import _confusion_similarity, _score

    if not glyphs.available():
        import pytest

        pytest.skip("no CJK font to measure glyph shapes")
    assert 0.9 <= _score("经办入", "经办人") < 1.0
    assert _score("0名", "姓名") == 0.75
    assert _confusion_similarity("登记员", "登记人") == _score("登记员", "登记人") < 0.7


SEA_HEADER = ["序号", "逝者姓名", "性别", "撒海日期", "航次", "申请人", "登记员"]
SEA_ROWS = [
    ["1", "朱凤环", "女", "2016.4.7", "16-01", "宋建国", "王丽"],
    ["2", "宋玉林", "男", "2016.4.7", "16-01", "宋伟", "王丽"],
    ["3", "姜宁", "男", "2016.4.7", "16-01", "姜霞", "刘芳"],
    ["4", "杨玉英", "女", "2016.4.7", "16-01", "张秀兰", "刘芳"],
    ["5", "王淑珍", "女", "2016.4.7", "16-01", "李强", "王丽"],
]


def test_a_weakly_headed_column_is_doubted_where_a_column_left_without_a_field_fits_it_as_well():
    """登记员 (the clerk) is one character from 登记人 (the registrant): where another column, headed in a
    wording the spec does not list (申请人), holds names varying as much, the header alone chose between
    two columns of names, so the one given the field is doubted (its values go to review), not accepted."""
    rows = [r[:6] + [n] for r, n in zip(SEA_ROWS, ["王丽", "刘芳", "赵敏", "孙强", "周洁"])]  # five clerks
    got = assign_columns("sea_burial", SEA_HEADER, _columns(rows))
    clerk = got[6]
    assert clerk.field == "registrant_name"
    assert clerk.doubt is not None and "column 6" in clerk.doubt
    assert is_assignment_doubt(clerk.doubt)
    assert got[5].field is None


def test_a_near_header_over_a_clerks_few_names_gives_way_to_the_column_of_each_records_own_person():
    """The same clerk's column (two names taking turns) beside 申请人's column of each record's own
    registrant: the field goes to the names that differ row by row, doubted (by elimination: no header
    named it), and the clerk's column is left without a field (typed_sheets seed 3316 severity 1.8: the
    registrant's 76 fields of one ledger were read from the clerk's column)."""
    got = assign_columns("sea_burial", SEA_HEADER, _columns(SEA_ROWS))
    assert got[5].field == "registrant_name" and got[5].doubt is not None and is_assignment_doubt(got[5].doubt)
    assert got[6].field is None


def test_the_column_of_each_records_own_person_beside_that_persons_relation_is_sure_not_only_by_elimination():
    """申请人's column of names differing row by row, beside the relation column (the registrant's own
    field, 与逝者关系 of the person who signs), where 登记员 (near 登记人) repeats two clerks' names: the
    page's row tells the field, so the column is the registrant's with no doubt (its records are not held
    for it, nor their page); the clerk's column holds no field. Beside a column of the deceased's own
    field (性别) instead, the same names stay doubted: no particular of the registrant stands beside them."""
    header = SEA_HEADER[:6] + ["亲属关系", "联系电话", "登记员"]
    relations = ["儿子", "女儿", "配偶", "儿子", "孙子"]
    phones = ["13905351234", "0535-6601190", "18775735707", "15835354809", "13805357788"]
    rows = [r[:6] + [rel, ph, r[6]] for r, rel, ph in zip(SEA_ROWS, relations, phones)]
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[5].field == "registrant_name" and got[5].doubt is None
    assert got[6].field == "registrant_relation_code" and got[8].field is None
    structure = Structure()
    reassign_columns("sea_burial", header, _read(rows), structure, load_spec())
    assert not structure.page and 5 not in structure.columns
    apart = [header[i] for i in (0, 1, 3, 4, 2, 5, 6, 7, 8)]
    moved = [[r[i] for i in (0, 1, 3, 4, 2, 5, 6, 7, 8)] for r in rows]
    got = assign_columns("sea_burial", apart, _columns(moved))
    assert got[5].field == "registrant_name" and got[5].doubt is not None and is_assignment_doubt(got[5].doubt)


def _clerk_beside_applicants() -> tuple[list[str], list[list[str]]]:
    """A sea-burial page of ten rows: 申请人 (each record's own registrant, beside their relation and
    phone) and 登记员 (a clerk's column: two names repeating down the page)."""
    header = SEA_HEADER[:6] + ["亲属关系", "联系电话", "登记员"]
    more = [
        ["6", "李秀英", "女", "2016.4.9", "16-02", "李军", "刘芳"],
        ["7", "赵德明", "男", "2016.4.9", "16-02", "赵红", "王丽"],
        ["8", "孙桂兰", "女", "2016.4.9", "16-02", "孙涛", "刘芳"],
        ["9", "周长海", "男", "2016.4.9", "16-02", "周静", "王丽"],
        ["10", "吴玉珍", "女", "2016.4.9", "16-02", "吴刚", "刘芳"],
    ]
    relations = ["儿子", "女儿", "配偶", "儿子", "孙子"] * 2
    phones = ["13905351234", "0535-6601190", "18775735707", "15835354809", "13805357788"] * 2
    return header, [r[:6] + [rel, ph, r[6]] for r, rel, ph in zip(SEA_ROWS + more, relations, phones)]


def test_a_clerks_faded_names_misread_in_part_still_give_way_to_the_column_of_each_records_own_person():
    """A faded copy: the recognizer reads two of the clerk's faint names with specks beside them (3ml王丽,
    王丽ll), so only eight of ten cells under 登记员 pass the name test and its near header no longer
    outweighs 申请人's names: the assignment is a near guess between the two columns. The clerk's names
    still repeat and 申请人's differ row by row beside the registrant's relation: the field is 申请人's,
    sure, and the clerk's column holds none (design typed_sheets seed 3316 faded: 11 registrant fields
    were read from the clerk's column, held in doubt)."""
    header, rows = _clerk_beside_applicants()
    rows[2][8], rows[6][8] = "3ml王丽", "王丽ll"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[5].field == "registrant_name" and got[5].doubt is None
    assert got[8].field is None


def test_a_clerks_column_of_the_same_few_names_does_not_rival_a_column_of_each_records_agent():
    """经手人 (one character from 经办人) holds each record's own agent; an extra column beside it holds the
    same two clerks' names on every row: no rival for a field naming a person of each record."""
    header = ["序号", "逝者姓名", "性别", "死亡日期", "火化日期", "骨灰去向", "经手人", "登记员"]
    rows = [
        ["1", "朱凤环", "女", "2013.1.1", "2013.1.3", "骨灰寄存", "宋建国", "王丽"],
        ["2", "宋玉林", "男", "2013.1.2", "2013.1.4", "海葬", "宋伟", "王丽"],
        ["3", "姜宁", "男", "2013.1.1", "2013.1.4", "家属带回", "姜霞", "刘芳"],
        ["4", "杨玉英", "女", "2012.12.26", "2013.1.5", "海葬", "张秀兰", "刘芳"],
        ["5", "王淑珍", "女", "2013.1.3", "2013.1.5", "海葬", "李强", "王丽"],
    ]
    got = assign_columns("cremation", header, _columns(rows))
    assert got[6].field == "agent_name" and got[6].doubt is None
    assert got[7].field is None


def test_a_column_headed_in_the_fields_own_wording_is_not_doubted_by_an_extra_column_of_names():
    """The registrant's column headed 登记人 (a wording of the field, read exactly) keeps its field sure
    beside an extra clerk's column of names: the rule doubts only a column whose header is no wording."""
    header = SEA_HEADER[:5] + ["登记人", "登记员"]
    got = assign_columns("sea_burial", header, _columns(SEA_ROWS))
    assert got[5].field == "registrant_name" and got[5].doubt is None
    assert got[6].field is None


def _doubts(header):
    return {a.index: (a.field, a.doubt) for a in assign_columns("cremation", header, _columns(ROWS))}


def test_swapped_id_and_phone_headers_doubt_both_columns():
    """The ID and phone headers swapped (printed so, or read so): each column's valid values give it its
    field, but its header names the other one; header and content disagree, so neither column is sure."""
    header = list(HEADER)
    header[3], header[9] = header[9], header[3]
    got = _doubts(header)
    assert got[3][0] == "id_number" and got[9][0] == "agent_phone"
    for c in (3, 9):
        assert got[c][1] is not None and got[c][1].startswith(DISAGREEMENT_DOUBT) and is_assignment_doubt(got[c][1])
    assert all(got[c][1] is None for c in got if c not in (3, 9))


def test_swapped_date_headers_are_doubted_by_the_order_of_death_and_cremation():
    """死亡日期 and 火化日期 swapped: dates fit both, so the headers give the fields, but every "death"
    falls after its "cremation" (the spec's definitions order them): both columns are doubted."""
    header = list(HEADER)
    header[4], header[5] = header[5], header[4]
    got = _doubts(header)
    assert got[4][0] == "cremation_date" and got[5][0] == "death_date"
    assert got[4][1] is not None and "swapped" in got[4][1]
    assert got[5][1] is not None and "swapped" in got[5][1]


def test_a_header_misread_into_another_fields_word_doubts_its_column():
    """与逝者关系 read as 联系电话 (a second phone header on the page): the relation wordings still give the
    column its field, but its header names the phone; the column is doubted, the real phone column is not."""
    got = _doubts(_with_header(8, "联系电话"))
    assert got[8][0] == "agent_relation_code" and got[8][1] is not None and got[8][1].startswith(DISAGREEMENT_DOUBT)
    assert got[9] == ("agent_phone", None)


def test_a_free_text_column_holding_values_only_another_field_holds_is_doubted():
    """A column whose field has no content test (备注) holding valid ID numbers: its cells say it is
    another field's column, whatever the header says."""
    from mapping.headers import _doubt_disagreement, column_scores

    header = [*HEADER, "备注"]
    rows = [[*r, r[3]] for r in ROWS]
    cols = _columns(rows)
    sp = load_spec()
    scores = column_scores("cremation", header, cols, sp)
    plain = [assign_columns("cremation", header, cols)[c] for c in range(len(header))]
    # as assigned: the ID column keeps its field; make the last column the remarks' to test the check alone
    from dataclasses import replace

    given = [*plain[:-1], replace(plain[-1], field="remarks", doubt=None, score=scores[(10, "remarks")])]
    got = _doubt_disagreement("cremation", header, cols, given, scores, sp)
    assert got[-1].doubt is not None and "id_number" in got[-1].doubt
    assert got[3].doubt is None


def test_a_code_column_misread_by_look_alike_glyphs_still_looks_like_its_code():
    """A relation column photographed out of focus: 配锅 for 配偶, 要 for 妻, 毋亲 for 母亲 (each
    character that differs a look-alike of the wording's, a recognizer's confusion), under a header read
    with a character dropped (与逝者关). Its cells count as the relation code's, so the column is that
    field's, in doubt (none of its cells was read exactly); a content test that took exact wordings only
    left it without a field. Content alone never identifies it by such readings (decisive_share counts
    exact wordings only)."""
    from mapping import glyphs

    if not glyphs.available():
        import pytest

        pytest.skip("no CJK font to measure glyph shapes")
    rows = [list(r) for r in ROWS]
    for r, misread in zip(rows, ["配锅", "要", "毋亲", "配锅"]):
        r[8] = misread
    got = assign_columns("cremation", _with_header(8, "与逝者关"), _columns(rows))
    assert got[8].field == "agent_relation_code"
    # in doubt all the same: none of its cells was read as a wording, its header one character short
    assert got[8].doubt is not None and is_assignment_doubt(got[8].doubt)
    assert decisive_share("cremation", "code", "relation", _columns(rows)[8], load_spec()) == 0.0
    # a column of names is no relation column for all that
    names = [list(r) for r in ROWS]
    for r, name in zip(names, ["王红", "刘德", "高明", "李强"]):
        r[8] = name
    assert assign_columns("cremation", _with_header(8, "与逝者关"), _columns(names))[8].field != "agent_relation_code"


def test_a_code_column_under_a_header_one_character_misread_keeps_its_field_in_doubt():
    """A photographed header of four characters read with one wrong (骨灰天向 for 骨灰去向: the
    recognizer misreads one glyph) over values misread beyond the code table's wordings: the column is
    still given the field no other column holds, doubted (its page held), not left without a field."""
    rows = [list(r) for r in ROWS]
    for r, bad in zip(rows, ["骨灰存", "海", "属带回", "葬"]):
        r[6] = bad
    for header in (_with_header(6, "骨灰天向"), _with_header(6, "骨灰X向")):
        got = assign_columns("cremation", header, _columns(rows))
        assert got[6].field == "ashes_destination_code"
        assert got[6].doubt is not None and is_assignment_doubt(got[6].doubt)
        assert "ashes_destination_code" not in [a.field for a in got if a.index != 6]


def test_a_short_header_one_character_misread_does_not_name_a_column_of_failing_cells():
    """A three-character wording one character off (经天人 for 经办人) is as near other short
    wordings: over cells that are no names, the column is left without a field."""
    rows = [list(r) for r in ROWS]
    for r, bad in zip(rows, ["AB", "CD", "EF", "GH"]):
        r[7] = bad
    got = assign_columns("cremation", _with_header(7, "经天人"), _columns(rows))
    assert got[7].field is None


def test_two_name_columns_whose_headers_were_not_read_are_told_apart_by_their_neighbours():
    """The deceased's name stands beside the deceased's sex, the agent's beside the agent's relation to
    the deceased (the spec lists each person's fields together): both columns are given their fields,
    by elimination, so always doubted."""
    header = _with_headers({1: "甲", 7: "乙"})
    got = assign_columns("cremation", header, _columns(ROWS))
    assert got[1].field == "deceased_name" and got[7].field == "agent_name"
    assert got[1].doubt is not None and got[1].doubt.startswith(ELIMINATION_DOUBT)
    assert got[7].doubt is not None and got[7].doubt.startswith(ELIMINATION_DOUBT)


def test_name_columns_are_not_told_apart_where_their_neighbours_do_not_tell():
    """The agent's name moved beside the deceased's ID: both name columns stand beside the deceased's
    fields, so neither is told, and a name column between the two persons' fields is no evidence."""
    order = [0, 1, 2, 7, 3, 4, 5, 6, 8, 9]
    rows = [[r[i] for i in order] for r in ROWS]
    header = [HEADER[i] for i in order]
    header[1], header[3] = "甲", "乙"
    got = assign_columns("cremation", header, _columns(rows))
    assert got[1].field is None and got[3].field is None


def test_a_clerks_column_beside_the_two_name_columns_does_not_stop_them_being_told_apart():
    """A third column of names, the same clerk's on every row (登记员, its header unread too): no person's
    column, so the deceased's and the agent's names are still told apart by their neighbours."""
    header = _with_header(1, "甲") + ["丙"]
    header[7] = "乙"
    rows = [r + ["王明"] for r in ROWS]
    got = assign_columns("cremation", header, _columns(rows))
    assert got[1].field == "deceased_name" and got[7].field == "agent_name" and got[10].field is None
    assert got[1].doubt is not None and got[7].doubt is not None


def test_a_column_of_the_same_few_names_is_no_persons_column():
    """A clerk's column (the same name on most rows) beside the relation column: not the agent's name,
    however its neighbours stand."""
    rows = [list(r) for r in ROWS]
    for r in rows:
        r[7] = "王明"
    header = _with_header(1, "甲")
    header[7] = "乙"
    got = assign_columns("cremation", header, _columns(rows))
    assert got[7].field is None and got[1].field is None


VOYAGE_HEADER = [
    "登记号",
    "逝者姓名",
    "性别",
    "公民身份号码",
    "火化证号",
    "海葬日期",
    "航次",
    "海域",
    "家属姓名",
    "与逝者关系",
    "联系电话",
]
VOYAGE_ROWS = [
    [
        "H1",
        "朱凤环",
        "女",
        "370601193608241141",
        "No.201000514",
        "2010.5.1",
        "10-04",
        "卧佛岛海域",
        "宋建",
        "儿子",
        "13905351234",
    ],
    ["H2", "宋玉林", "男", "370602192201242216", "2010-00530", "2010.5.1", "10-04", "卧佛岛海域", "宋伟", "女儿", "0535-6601190"],
    ["H3", "姜宁", "男", "37060219680723071X", "10-0577", "2010.6.2", "第5航次", "卧佛岛海域", "姜霞", "配偶", "18775735707"],
    ["H4", "杨玉英", "女", "370602270122780", "No.201000601", "2010.6.2", "10-05", "卧佛岛海域", "姜燊", "女儿", "15835354809"],
]


def test_a_voyage_column_is_told_from_certificate_numbers_by_the_specs_forms():
    """10-04 and 第5航次 are the spec's voyage forms; a certificate's short form keeps four digits of its
    serial (10-0577). With both headers unread, each column is given its own field (by elimination:
    doubted), the voyage column no longer taken for a second column of certificate numbers."""
    header = list(VOYAGE_HEADER)
    header[4], header[6] = "甲", "乙"
    got = assign_columns("sea_burial", header, _columns(VOYAGE_ROWS))
    assert got[4].field == "cremation_cert_no" and got[6].field == "voyage_no"
    assert all(got[c].doubt is not None and got[c].doubt.startswith(ELIMINATION_DOUBT) for c in (4, 6))
    sp = load_spec()
    assert content_share("cert_no", None, [r[6] for r in VOYAGE_ROWS], sp) == 0.0
    assert content_share("cert_no", None, [r[4] for r in VOYAGE_ROWS], sp) == 1.0


def test_a_photographed_voyage_column_is_told_by_the_specs_forms_read_with_a_glyph_or_a_dash_misread():
    """第4航次 read with another glyph for 航 (杭, 税: the frame 第…次 read right) and 10-04 read with its dash
    as '~' or '=' are still the spec's voyage forms: a column of them under an unread header is the voyage's,
    as one read cleanly is; a column of certificate numbers is not."""
    from mapping.headers import form_share

    assert form_share("voyage_no", ["第4杭次", "第4税次", "第4航次", "14~06", "14=06"]) == 1.0
    assert form_share("voyage_no", ["2010-00530", "No.201000514", "第540号", "10-0577"]) is None
    rows = [list(r) for r in VOYAGE_ROWS]
    for r, v in zip(rows, ["10~04", "第5杭次", "第5税次", "10=05"]):
        r[6] = v
    header = list(VOYAGE_HEADER)
    header[4], header[6] = "甲", "乙"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[4].field == "cremation_cert_no" and got[6].field == "voyage_no"


def test_a_voyage_column_printed_otherwise_keeps_its_header():
    """Cells in no form the spec states (a plain count) do not count against a column headed 航次: the
    header decides, as for any free text."""
    rows = [list(r) for r in VOYAGE_ROWS]
    for i, r in enumerate(rows):
        r[6] = str(4 + i // 2)
    got = assign_columns("sea_burial", VOYAGE_HEADER, _columns(rows))
    assert got[6].field == "voyage_no" and got[6].doubt is None
    assert column_scores("sea_burial", VOYAGE_HEADER, _columns(rows))[(6, "voyage_no")].content is None


# Columns whose header reads like none of their field's wordings (a ledger's own wording, a header
# misread whole: 甲乙 here, two characters like no wording), identified by their cells alone: by
# elimination, so doubted and never auto-accepted (mapping.headers.CONTENT_TOLD), save a person's name
# that the row tells (beside that person's sure particulars: mapping.headers._person_name_told).
UNLIKE = "甲乙"


def _sea_mapped(header: list[str], cells: list[tuple[int, list[RawCell]]]):
    """A page of the 2010 Yantai sea-burial register: its columns reassigned (pipeline.page.extract's
    reassign_columns) and its rows mapped with them: (columns, structure, mapped rows)."""
    from pipeline.kernel.config import Settings

    structure = Structure()
    columns = reassign_columns("sea_burial", list(header), cells, structure, load_spec())
    out = map_rows(
        "sea_burial", "烟台市殡仪馆海葬登记簿（2010年）", columns, cells, Settings(), structure=structure, header=list(header)
    )
    return columns, structure, out


def _sea_page(registration: list[str], onboard: list[str] | None = None, serial: bool = False):
    """A sea-burial page (VOYAGE_HEADER) whose register numbers are `registration`, with a 随船人数 column of
    `onboard` at its end and a 序号 column of 1, 2, 3 ... before it where asked."""
    header = list(VOYAGE_HEADER)
    rows = [list(r) for r in VOYAGE_ROWS]
    for r, value in zip(rows, registration):
        r[0] = value
    if onboard is not None:
        header.append("随船人数")
        for r, value in zip(rows, onboard):
            r.append(value)
    if serial:
        header.insert(0, "序号")
        for i, r in enumerate(rows):
            r.insert(0, str(i + 1))
    return header, rows


@pytest.mark.parametrize(
    "col, values, field",
    [
        # 配锅 is 配偶 with one glyph misread into a look-alike (the recognizer keeps a glyph's shape): with
        # half the cells read exactly, the wordings of GB/T 4761 no longer identify the column alone, but
        # every cell is a relation wording so read and no other column is the relation's
        pytest.param(8, ["配锅", "儿子", "配锅", "女儿"], "agent_relation_code", id="relation"),
        # 安苏, 海集, 公基: 安葬, 海葬, 公墓 with a glyph misread into a look-alike (the spec's wording table)
        pytest.param(6, ["安苏", "海集", "公基", "海葬"], "ashes_destination_code", id="ashes"),
    ],
)
def test_a_code_column_read_with_look_alikes_under_a_header_like_no_wording_is_told_by_the_code_table(col, values, field):
    """A column of a code table's wordings, some read as look-alikes, under a header like no wording: given
    its field by its cells, doubted."""
    rows = [list(r) for r in ROWS]
    for r, v in zip(rows, values):
        r[col] = v
    got = assign_columns("cremation", _with_header(col, UNLIKE), _columns(rows))
    assert got[col].field == field
    assert got[col].doubt is not None and got[col].doubt.startswith(ELIMINATION_DOUBT)


def test_a_name_column_under_a_header_misread_whole_is_told_by_the_deceaseds_fields_beside_it():
    """姓名 misread whole (two characters like no wording): the agent's column read by its header, the one
    other column of names that vary down the page, every one a name by the surname list, stands beside
    the deceased's sex given with no doubt: the page's row tells it the deceased's name, with no doubt
    (mapping.headers._person_name_told), so neither its records nor its page are held for it. With a name
    misread (below), or printed apart from the deceased's fields, it stays doubted."""
    got = assign_columns("cremation", _with_header(1, UNLIKE), _columns(ROWS))
    assert got[1].field == "deceased_name" and got[1].doubt is None
    rows = _read(ROWS)
    structure = Structure()
    assert reassign_columns("cremation", _with_header(1, UNLIKE), rows, structure, load_spec())[1] == "deceased_name"
    assert not structure.page and 1 not in structure.columns


def test_a_photographed_name_column_with_a_name_misread_is_still_told_by_its_neighbours():
    """One name of four misread into no name (a digit for a glyph, as a photograph reads it): three names
    that differ row by row, beside the deceased's sex, under a header misread whole, are still the
    deceased's, doubted (names by the surname list in fewer than ELIMINATION_SHARE of its cells)."""
    rows = [list(r) for r in ROWS]
    rows[2][1] = "姜1"
    got = assign_columns("cremation", _with_header(1, UNLIKE), _columns(rows))
    assert got[1].field == "deceased_name"
    assert got[1].doubt is not None and got[1].doubt.startswith(ELIMINATION_DOUBT)


def test_a_deceaseds_name_printed_apart_from_the_deceaseds_fields_is_the_one_column_of_names_left():
    """A sea-burial register printing 逝者姓名 between 海域 and 家属姓名, its header misread whole: beside no
    field of either person, but the deceased's name is mandatory (every register prints it), the family's
    name column is read by its header, and this is the one column of distinct names left: the deceased's,
    doubted."""
    header = [h for h in VOYAGE_HEADER if h != "逝者姓名"]
    rows = [[v for i, v in enumerate(r) if i != 1] for r in VOYAGE_ROWS]
    header.insert(7, UNLIKE)
    for r, orig in zip(rows, VOYAGE_ROWS):
        r.insert(7, orig[1])
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[7].field == "deceased_name"
    assert got[7].doubt is not None and got[7].doubt.startswith(ELIMINATION_DOUBT)


def test_a_misread_name_column_is_not_told_where_another_column_of_names_is_open():
    """A second column of varying names left without a field (an extra column 死者家属 under another
    misread header) could be the deceased's as well: neither is given a field."""
    rows = [r[:2] + [n] + r[2:] for r, n in zip(ROWS, ["王静", "李强", "张华", "赵敏"])]
    header = HEADER[:1] + [UNLIKE, "丁戊"] + HEADER[2:]
    got = assign_columns("cremation", header, _columns(rows))
    assert got[1].field is None and got[2].field is None


def test_a_column_of_sexes_is_no_relation_column():
    """女 is also a GB/T 4761 wording (daughter), but a column of 男/女 alone is a sex: an extra such
    column under a header like no wording is not taken for the relation the page does not print."""
    rows = [r[:8] + [s] + r[9:] for r, s in zip(ROWS, ["女", "女", "女", "女"])]
    got = assign_columns("cremation", _with_header(8, UNLIKE), _columns(rows))
    assert got[8].field is None


def test_an_onboard_count_column_is_told_by_its_small_counts():
    """随船人数 (the spec: at most 4 per set of ashes) under a header like no wording: a column of counts
    of one digit that is no serial is the number on board, doubted."""
    header, rows = _sea_page(["HZ2010-001", "HZ2010-002", "HZ2010-003", "HZ2010-004"], ["2", "3人", "1", "4"])
    header[-1] = UNLIKE
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[-1].field == "onboard_count"
    assert got[-1].doubt is not None and got[-1].doubt.startswith(ELIMINATION_DOUBT)


def test_ages_and_a_serial_are_no_onboard_count():
    """Numbers past one digit (ages) or running up by one a row (a second serial, the page's 序号 being
    another column) are not counts of people on board."""
    for values in (["37", "45", "3", "28"], ["1", "2", "3", "4"]):
        header, rows = _sea_page(["HZ2010-001", "HZ2010-002", "HZ2010-003", "HZ2010-004"], values, serial=True)
        header[-1] = UNLIKE
        got = assign_columns("sea_burial", header, _columns(rows))
        assert got[-1].field != "onboard_count"


def test_a_registration_column_is_told_by_its_prefixed_register_numbers():
    """Letters before a year and a serial (HZ2010-001): no serial, certificate number, voyage, ID, phone or
    date by the spec's forms, so the one number field of a sea-burial register left, 登记号; doubted."""
    header, rows = _sea_page(["HZ2010-001", "HZ2010-002", "HZ2010 003", "HZ2010-004"])
    header[0] = UNLIKE
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "registration_no"
    assert got[0].doubt is not None and got[0].doubt.startswith(ELIMINATION_DOUBT)


def test_plain_register_numbers_beside_the_serial_are_the_registration_column():
    """Register numbers are issued in order, so a page's run up by one as its serial's do: where the
    serial (序号) is another column, the second column of numbers running up is the registration's."""
    header, rows = _sea_page(["105", "106", "107", "108"], serial=True)
    header[1] = UNLIKE
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "row_no"
    assert got[1].field == "registration_no"
    assert got[1].doubt is not None and got[1].doubt.startswith(ELIMINATION_DOUBT)


def test_numbers_running_up_on_a_page_without_a_serial_are_not_taken_for_register_numbers():
    """Without a serial column, numbers running up by one may be the serial or the register's: the cells
    cannot tell, and the column is not given the registration number (it is the serial's, doubted)."""
    header, rows = _sea_page(["105", "106", "107", "108"])
    header[0] = UNLIKE
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field != "registration_no"


def test_plain_numbers_running_up_under_a_lost_header_keep_the_registration_number_in_doubt():
    """登记号 printed as plain numbers issued in order (105, 106 ...) run up by one as a serial does: with
    the header lost and no 序号 on the page, the cells cannot tell the serial's column from the
    registration's. The column is given neither, so no record says "no registration number" for sure
    and none is auto-accepted without it."""
    from pipeline.kernel.config import Settings
    from pipeline.page.routing import AUTO_ACCEPTED, route

    header, rows = _sea_page(["105", "106", "107", "108"])
    header[0] = ""
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field is None
    _, _, out = _sea_mapped(header, _read(rows))
    # each record is held, and for its registration number itself (not a sure blank): the page's other
    # holds (its onboard count) are not what this checks
    assert out and all(route(r.record, Settings())[0] != AUTO_ACCEPTED for r in out)
    assert all(any(why.startswith("registration_no:") for why in route(r.record, Settings())[1]) for r in out)


def test_plain_numbers_running_up_under_a_header_misread_whole_keep_the_registration_number_in_doubt():
    """The same run of register numbers under a header misread whole (two characters like no wording,
    which for other figures names an extra column): a run up by one a row is what 登记号 holds, so the
    records still keep the registration number in doubt; none auto-accepted."""
    from pipeline.kernel.config import Settings
    from pipeline.page.routing import AUTO_ACCEPTED, route

    header, rows = _sea_page(["105", "106", "107", "108"])
    header[0] = UNLIKE
    columns, _, out = _sea_mapped(header, _read(rows))
    assert columns[0] is None
    # each record is held, and for its registration number itself (not a sure blank): the page's other
    # holds (its onboard count) are not what this checks
    assert out and all(route(r.record, Settings())[0] != AUTO_ACCEPTED for r in out)
    assert all(any(why.startswith("registration_no:") for why in route(r.record, Settings())[1]) for r in out)


def test_a_serial_and_prefixed_register_numbers_both_under_lost_headers_are_each_told():
    """序号 and 登记号 both lost: the register numbers with their letters (HZ2010-001) are the registration's,
    so the plain run of 1, 2, 3 ... is the serial's; each doubted."""
    header, rows = _sea_page(["HZ2010-001", "HZ2010-002", "HZ2010-003", "HZ2010-004"], serial=True)
    header[0], header[1] = "", ""
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "row_no" and got[1].field == "registration_no"


def test_certificate_numbers_are_no_register_numbers():
    """A column of certificate numbers (the spec's No.201000514) under a header like no wording, beside
    the certificate column: letters before digits, but a certificate number, so no registration column."""
    header, rows = _sea_page(["No.201000514", "No.201000530", "No.201000577", "No.201000601"])
    header[0] = UNLIKE
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field != "registration_no"


def test_small_counts_that_follow_one_another_by_chance_are_still_an_onboard_count():
    """Counts of 1 to 4 follow the cell above by one on about half the rows by chance (2, 3, 4 ...): a
    serial runs up on nearly every row, so such a column is still the number on board."""
    values = ["2", "1", "2", "3"]
    header, rows = _sea_page(["HZ2010-001", "HZ2010-002", "HZ2010-003", "HZ2010-004"], values)
    rows = rows + [r[:-1] + [v] for r, v in zip([list(x) for x in rows], ["4", "2", "1", "2"])]
    header[-1] = UNLIKE
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[-1].field == "onboard_count"


def test_a_registration_column_whose_header_reads_like_the_held_serials_is_told_by_its_numbers():
    """编号 ("number") shares 号 with 序号 as much as 编号 with 登记编号 (0.5 each): the serial's wording
    there is no evidence against the registration number where another column holds the serial (one
    printed column per field), so the column of prefixed register numbers is the registration's, doubted.
    (camera_capture seed 4403: six pages of 登记号 lost so.)"""
    header, rows = _sea_page(["HZ2012-317", "HZ2012-318", "HZ2012-319", "HZ2012-320"], serial=True)
    header[1] = "编号"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "row_no"
    assert got[1].field == "registration_no"
    assert got[1].doubt is not None and got[1].doubt.startswith(ELIMINATION_DOUBT)


def test_prefixed_register_numbers_under_a_header_like_the_open_serials_are_the_registrations():
    """Without the serial's column, 编号 reads as 序号 and 证明编号 as much as 登记编号 (0.5 each), but numbers
    with letters before them are no serial (digits alone, one a row) and no certificate number of the
    spec's forms: the cells refute both, so the column is the registration number's, doubted."""
    header, rows = _sea_page(["HZ2012-317", "HZ2012-318", "HZ2012-319", "HZ2012-320"])
    header[0] = "编号"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "registration_no"
    assert got[0].doubt is not None and got[0].doubt.startswith(ELIMINATION_DOUBT)


def test_a_header_like_an_unheld_fields_wording_still_keeps_the_registration_number_out():
    """Where the cells do not refute the other field the header reads like (a run of plain numbers fits the
    serial), 编号's cells do not make the column the registration number's by elimination: a lost serial
    header leaves such a column to neither (RUN_TOO)."""
    header, rows = _sea_page(["1", "2", "3", "4"])
    header[0] = "甲"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field != "registration_no"


@pytest.mark.parametrize("head", ["编号", "档案号", "受理号"])
def test_a_run_of_plain_numbers_under_a_number_header_is_the_registration_in_doubt(head):
    """A sea-burial page with no 序号 whose first column, under 编号 (or a ledger's 档案号, 受理号: as like 登记号
    as 序号), holds plain numbers running down the page (48, 49 ...): a register number is issued in that
    order too, so the column is the registration number's, doubted, and never a serial that leaves the
    registration auto-accepted blank."""
    header, rows = _sea_page(["48", "49", "50", "51"])
    header[0] = head
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "registration_no"
    assert got[0].doubt is not None and got[0].doubt.startswith(ELIMINATION_DOUBT)


def test_a_run_of_plain_numbers_under_a_serial_header_stays_the_serial():
    """序号 read whole names the serial: its run is the serial's, and the page's register numbers are
    another column's (or none)."""
    header, rows = _sea_page(["48", "49", "50", "51"])
    header[0] = "序号"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "row_no"


def test_register_numbers_with_their_prefix_misread_are_told_by_their_run_under_a_header_in_part():
    """From a photograph the prefix of HZ2013-145 is read as the digits of its shape (822013-145, 122013-146):
    no register number of its form, but the numbers still run one a row, and with the serial another
    column and the header 编号 reading as 登记编号 in part, the column is the registration number's, doubted."""
    header, rows = _sea_page(["822013-145", "122013-146", "022013-147", "822013-148"], serial=True)
    header[1] = "编号"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[1].field == "registration_no"
    assert got[1].doubt is not None


def test_numbers_off_the_run_under_a_header_in_part_are_no_registration():
    """The same header over numbers that do not run with the rows (a count, a fee): nothing tells the
    column, which stays without a field."""
    header, rows = _sea_page(["822013-145", "122013-19", "022013-7", "822013-63"], serial=True)
    header[1] = "编号"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[1].field != "registration_no"


@pytest.mark.parametrize("head", ["记", "登"])
def test_a_run_of_plain_numbers_under_a_fragment_of_the_registration_header_is_the_registration_in_doubt(head):
    """A phone photograph cuts or bends the header row (the page's top): 登记号 read as 记 or 登 alone, one
    character of the spec's wording and of no serial's (序号). With no 序号 on the page, a run of plain
    numbers under it is the registration number's, doubted (REGISTER_PART_DOUBT), every record held
    (design county seed 3334 sea-burial volume, phone copy: 35 register numbers lost so)."""
    from pipeline.kernel.config import Settings
    from pipeline.page.routing import AUTO_ACCEPTED, route

    header, rows = _sea_page(["48", "49", "50", "51"])
    header[0] = head
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "registration_no"
    assert got[0].doubt is not None and got[0].doubt.startswith(ELIMINATION_DOUBT)
    _, _, out = _sea_mapped(header, _read(rows))
    assert out and all(route(r.record, Settings())[0] != AUTO_ACCEPTED for r in out)


def test_a_run_with_a_cell_read_as_a_han_glyph_under_a_number_header_is_still_the_registration_in_doubt():
    """A blurred number of a photograph read as a Han glyph (東 for 50) holds no letter: the column is still
    a run of plain numbers, so under 01号 (登记号 with 登记 read as digits: as like 序号) it is the registration
    number's, doubted, not a serial that leaves the registration auto-accepted blank (design county 3334
    sea-burial volume, phone copy seed 3404: 11 register numbers lost so)."""
    header, rows = _sea_page(["48", "49", "50", "51"])
    rows = rows + [list(r) for r in rows]
    for i, r in enumerate(rows):
        r[0] = "東" if i == 2 else str(48 + i)
    header[0] = "01号"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "registration_no"
    assert got[0].doubt is not None and got[0].doubt.startswith(ELIMINATION_DOUBT)


def test_register_numbers_each_read_wrong_in_one_part_are_told_by_their_form_or_their_run():
    """A phone photograph breaks each register number in one part or another: the prefix read as digits
    (122013-147: off the form, on the run) or a digit of the serial misread (HZ2013-196: in the form, off the
    run). Under a lost header, with the serial another column, a cell that passes either test is a
    register number, so the column is the registration number's, doubted."""
    header, rows = _sea_page(["HZ2013-145", "HZ2013-196", "122013-147", "822013-148"], serial=True)
    header[1] = ""
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "row_no"
    assert got[1].field == "registration_no"
    assert got[1].doubt is not None and got[1].doubt.startswith(ELIMINATION_DOUBT)


def test_register_numbers_whose_dash_was_read_as_a_tilde_are_still_register_numbers():
    """The recognizer writes a printed '-' as '~' on some lines (mapping.normalize.DASHES): HZ2012~319 is a
    register number as HZ2012-319 is."""
    header, rows = _sea_page(["HZ2012~317", "HZ2012~318", "HZ2012-319", "HZ2012～320"])
    header[0] = UNLIKE
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "registration_no"
    assert got[0].doubt is not None and got[0].doubt.startswith(ELIMINATION_DOUBT)


@pytest.mark.parametrize(
    "col, header, values, field",
    [
        # 性割 for 性别 (one glyph of two misread); 药, 离 for 男, 女 (handwriting read into other glyphs): the
        # two cells read 男/女 agree with the rows' IDs (GB 11643's sex digit)
        pytest.param(2, "性割", ["药", "男", "离", "女"], "sex_code", id="sex"),
        # 写死关系 for 与死者关系 (a glyph misread, one lost); half the cells are GB/T 4761 wordings
        pytest.param(8, "写死关系", ["儿子", "女儿", "任女", "XX"], "agent_relation_code", id="relation"),
        # exactly a third of the written cells (one of three, a cell left blank) is CELLS_IN_PART, though the
        # column's scores are kept to 4 decimals (0.3333)
        pytest.param(8, "写死关系", ["儿子", "", "AB", "CD"], "agent_relation_code", id="relation-a-third"),
    ],
)
def test_a_short_header_read_in_part_over_cells_in_part_of_its_code_gives_the_field_in_doubt(col, header, values, field):
    """A photographed column whose header reads only half like the field's wording and whose cells are
    only in part the field's values: neither names the field alone, together they do (the field's values
    are held by no other field of the kind). The column is given the field, doubted (and its page where
    the field is mandatory), instead of its values being lost under a column of no field."""
    rows = [list(r) for r in ROWS]
    for r, v in zip(rows, values):
        r[col] = v
    got = assign_columns("cremation", _with_header(col, header), _columns(rows))
    _given_in_part(got, col, field)
    # a re-map of the stored cells gives the same field and keeps the column doubted
    structure = Structure()
    stored = [(i + 1, [RawCell(t, 0.9, None) for t in row]) for i, row in enumerate(rows)]
    assert reassign_columns("cremation", _with_header(col, header), stored, structure, load_spec())[col] == field
    assert structure.columns.get(col)


@pytest.mark.parametrize(
    "col, header, values",
    [
        # a third of the cells is too few: one 男 among cells of anything is chance
        pytest.param(2, "性割", ["药", "男", "离", "AB"], id="too-few-cells"),
        # a header as near two wordings (性/姓 ... 别/名) tells no field: 姓割 is half 姓名 and half 性别
        pytest.param(2, "姓割", ["药", "男", "离", "女"], id="header-tied"),
        # names are the values of several fields of the kind (the deceased, the agent): never by this rule
        pytest.param(7, "经天人", ["刘宁", "AB", "CD", "王强"], id="names"),
    ],
)
def test_a_header_read_in_part_does_not_give_a_field_without_cells_only_it_holds(col, header, values):
    rows = [list(r) for r in ROWS]
    for r, v in zip(rows, values):
        r[col] = v
    got = assign_columns("cremation", _with_header(col, header), _columns(rows))
    assert got[col].field is None


def test_a_sea_area_column_read_with_cheng_for_yu_still_looks_like_sea_areas_but_stays_doubted():
    """海城 for 海域 (城 and 域 differ by one component: the recognizer's look-alike confusion): such cells
    count for the sea area's content, so a column under a header read only in part (洒海区域 for 撒海海域)
    is given the field, but they are no exact sea areas: the column stays doubted (ColumnScore.fits)."""
    from mapping import glyphs

    if not glyphs.available():
        pytest.skip("no CJK font to measure glyph shapes")
    rows = [list(r) for r in VOYAGE_ROWS]
    for r, v in zip(rows, ["卧佛岛海城", "卧佛岛海城", "卧佛岛海域", "卧佛岛海城"]):
        r[7] = v
    sp = load_spec()
    texts = _columns(rows)[7]
    assert content_share("sea_area", None, texts, sp) == 1.0
    assert content_share("sea_area", None, texts, sp, shapes=False) == 0.25
    header = list(VOYAGE_HEADER)
    header[7] = "洒海区域"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[7].field == "sea_area"
    assert got[7].doubt is not None and is_assignment_doubt(got[7].doubt)
    # a word that merely ends in 城 (a town) is no sea area
    assert content_share("sea_area", None, ["莱阳城", "海阳城", "栖霞城"], sp) == 0.0


@pytest.mark.parametrize("header", ["", UNLIKE])
def test_a_sea_area_column_read_with_cheng_for_yu_throughout_is_told_by_its_cells_in_doubt(header):
    """A photographed sea-area column whose 海域 the recognizer read 海城 in every row (camera_capture 4405:
    海阳港外海城 at 0.99) under a header lost or like no wording: its cells tell the field as a code
    column's look-alike wordings do (CONTENT_TOLD), by elimination, so doubted; towns ending in 城 do not."""
    from mapping import glyphs

    if not glyphs.available():
        pytest.skip("no CJK font to measure glyph shapes")
    rows = [list(r) for r in VOYAGE_ROWS]
    for r in rows:
        r[7] = "海阳港外海城"
    got = assign_columns("sea_burial", _with_headers({7: header}, VOYAGE_HEADER), _columns(rows))
    assert got[7].field == "sea_area"
    assert got[7].doubt is not None and got[7].doubt.startswith(ELIMINATION_DOUBT)
    for r, v in zip(rows, ["莱阳城", "海阳城", "栖霞城", "莱阳城"]):
        r[7] = v
    assert assign_columns("sea_burial", _with_headers({7: header}, VOYAGE_HEADER), _columns(rows))[7].field is None


def test_a_serial_read_with_a_digit_misread_in_a_few_rows_is_not_doubted_as_the_serial():
    """940, 942 and 945 read 910, 912 and 915 (a digit misread): each breaks the links to the cells above
    and below (5 of 11 cells follow the one above), but moves one cell off the page's run (9 of 12 on
    it); the column of 序号 is the serial's, not doubted for it (its misread values are still each
    row's: the serial order check holds them). Numbers of another field do not stand on a run (ages,
    counts)."""
    from mapping.headers import serial_share

    misread = ["936", "937", "938", "939", "910", "941", "912", "943", "944", "915", "946", "947"]
    assert serial_share(misread) == 0.75
    rows = [list(r) for r in ROWS * 3]
    for r, v in zip(rows, misread):
        r[0] = v
    got = assign_columns("cremation", HEADER, _columns(rows))
    assert got[0].field == "row_no" and got[0].doubt is None
    assert serial_share(["67", "81", "45", "90", "72", "58", "66", "77"]) < 0.5
    assert serial_share(["1", "2", "2", "3", "1", "4", "2", "1"]) < 0.5


def _cremation_page_with_certificates(values: list[str]):
    """The cremation page (HEADER, ROWS) with a column of `values` after the serial, headed like no wording."""
    header = HEADER[:1] + [UNLIKE] + HEADER[1:]
    rows = [r[:1] + [v] + r[1:] for r, v in zip(ROWS, values)]
    return header, rows


def test_a_certificate_column_is_told_by_the_forms_the_spec_states():
    """火化证号 under a header like no wording (a ledger's own wording, a header misread whole): cells in the
    spec's forms of a certificate number (No.201000514, 2010-00514, 201000514, 10-0514) name the field,
    doubted (by elimination, never auto-accepted). Before, a header of several characters like no
    wording kept the column out (ELIMINATION_LOST) and the mandatory certificate number was lost."""
    header, rows = _cremation_page_with_certificates(["No.201101053", "201101055", "2011-01088", "11-0514"])
    got = assign_columns("cremation", header, _columns(rows))
    assert got[1].field == "cremation_cert_no"
    assert got[1].doubt is not None and got[1].doubt.startswith(ELIMINATION_DOUBT)
    # the issuing office's document number (GB/T 9704's 发文字号), a year or not, 字 read as a look-alike (学)
    header, rows = _cremation_page_with_certificates(["火字第540号", "火学第541号", "火字〔2011〕第542号", "火字第543号"])
    got = assign_columns("cremation", header, _columns(rows))
    assert got[1].field == "cremation_cert_no"
    assert got[1].doubt is not None and got[1].doubt.startswith(ELIMINATION_DOUBT)


def test_a_certificate_column_whose_huo_a_photograph_read_as_da_is_told_by_its_cells():
    """火字第…号 document numbers photographed, most with 火 read as 大 (the recognizer's misreading on
    photographs, mapping.glyphs.PHOTO_MISREADS), under a header like no wording: the cells still name the
    certificate number, doubted (by elimination). Failed before: 大字第540号 was no document number, the
    column was left without a field and its certificates lost (column_not_identified)."""
    header, rows = _cremation_page_with_certificates(["大字第540号", "火字第541号", "大字第542号", "大字第543号"])
    got = assign_columns("cremation", header, _columns(rows))
    assert got[1].field == "cremation_cert_no"
    assert got[1].doubt is not None and got[1].doubt.startswith(ELIMINATION_DOUBT)
    # another office's word is still no certificate: 大 stands for 火 only before the wording's 字
    header, rows = _cremation_page_with_certificates(["大车第540号", "大车第541号", "大车第542号", "大车第543号"])
    assert assign_columns("cremation", header, _columns(rows))[1].field != "cremation_cert_no"


def test_a_header_whose_huo_a_photograph_read_as_da_reads_as_its_wording():
    """大化时间 for 火化时间 (the misreading measured on photographs, mapping.glyphs.PHOTO_MISREADS) costs a
    look-alike substitution, not a whole edit; a header with 大 among stand-ins for glyphs lost (大RHN) is no
    longer scored 0 against 火化时间. Failed before: 0.75 (three characters of four) and 0.0."""
    sp = load_spec()
    scores = dict((n, s) for n, s, _w in _field_scores(sp, "cremation", clean_header("大化时间")))
    assert scores["cremation_date"] > 0.85 and scores["cremation_date"] < 1.0
    scores = dict((n, s) for n, s, _w in _field_scores(sp, "cremation", clean_header("大RHN")))
    assert scores.get("cremation_date", 0.0) > 0.0
    # 大 is no stand-in for 出 or 死: the other dates' wordings gain nothing
    assert dict((n, s) for n, s, _w in _field_scores(sp, "cremation", clean_header("大化时间")))["birth_date"] <= 0.5


@pytest.mark.parametrize(
    "values",
    [
        pytest.param(["12.50", "30.00", "45.50", "12.00"], id="fees"),
        pytest.param(["第540号", "第541号", "第542号", "第543号"], id="serial-naming-no-document"),
        pytest.param(["火车第540号", "火车第541号", "火车第542号", "火车第543号"], id="another-office-word"),
        pytest.param(["2013.1", "2013.2", "2013.3", "2013.4"], id="months"),
    ],
)
def test_numbers_in_no_stated_certificate_form_are_not_told_a_certificate_column(values):
    """A fee, a month, or a bare serial 第540号 (no office's word: no document number) are not the spec's
    certificate forms: such a column is not given the certificate number by its cells alone."""
    header, rows = _cremation_page_with_certificates(values)
    got = assign_columns("cremation", header, _columns(rows))
    assert got[1].field != "cremation_cert_no"


def test_two_columns_of_certificate_form_numbers_are_neither_given_the_certificate():
    """Where another column of the page holds numbers of the same form (a home's 火化编号 printed like a
    certificate number), the cells cannot tell which column is the certificate's: neither is given it."""
    header, rows = _cremation_page_with_certificates(["No.201101053", "No.201101054", "No.201101055", "No.201101056"])
    header = header + ["甲丁"]
    rows = [r + [v] for r, v in zip(rows, ["2011-00107", "2011-00108", "2011-00109", "2011-00110"])]
    got = assign_columns("cremation", header, _columns(rows))
    assert "cremation_cert_no" not in {a.field for a in got}


def test_register_numbers_with_the_serial_fused_in_front_are_still_register_numbers():
    """A missing ruling line between the serial and the register number leaves the serial in front of each
    register number (166HZ2014-158, 168 HZ2014-160): the rest is a register number, so the column is the
    registration's, doubted (by elimination: never auto-accepted)."""
    header, rows = _sea_page(["166HZ2014-158", "167HZ2014-159", "168 HZ2014-160", "169HZ2014-161"])
    header[0] = UNLIKE
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "registration_no"
    assert got[0].doubt is not None and got[0].doubt.startswith(ELIMINATION_DOUBT)


MARKS_HEADER = ["登记号", "亡人姓名", "性别", "身份证号码", "撒海日期", "撒海地点", "申请人", "亲属关系", "随行人数"]
MARKS_ROWS = [
    ["HZ2014-158", "宋义明", "男", "370683195203114217", "2014-05-06", "芝罘湾海域", "宋刚", "儿子", "3"],
    ["HZ2014-159", "逄琴华", "女", "370685194811020623", "2014-05-06", "芝罘湾海域", "林辉", "女儿", "2"],
    ["HZ2014-160", "宫翠", "女", "", "2014-05-06", "芝罘湾海域", "曲平勇", "儿子", "4"],
    ["HZ2014-161", "杨胜福", "男", "", "2014-05-06", "芝罘湾海域", "孙海强", "儿子", "2"],
    ["HZ2014-162", "徐慧", "女", "", "2014-05-06", "芝罘湾海域", "李刚勇", "配偶", "3"],
]


def test_marks_read_in_unused_rows_count_neither_for_nor_against_a_column():
    """A column of names under a header that reads like no wording of its field (申请人) is given the
    field by its cells alone (ELIMINATION_SHARE of them names); two unused rows at the page's foot whose
    marks the recognizer read as one or two unsure glyphs ('à', '月龍' at 0.1: pipeline.page.extract.
    noise_reading) are no writing and must not outvote the names (5 of 7 cells, 0.71, failed before).
    A name read surely in such a row still counts against it."""
    rows = [(i + 1, [RawCell(t, 0.99 if t else 1.0, None) for t in r]) for i, r in enumerate(MARKS_ROWS)]
    blank = ["" for _ in MARKS_HEADER]
    for n, mark in ((6, "à"), (7, "月龍")):
        cells = [RawCell(t, 1.0, None) for t in blank]
        cells[6] = RawCell(mark, 0.1, None)
        rows.append((n, cells))
    columns = reassign_columns("sea_burial", MARKS_HEADER, rows, Structure(), load_spec())
    assert columns[6] == "registrant_name"
    # the same marks read surely are writing: 5 names of 7 cells do not give the column a field alone
    sure = [(n, [RawCell(c.text, 0.9 if c.text else c.confidence, None) for c in cells]) for n, cells in rows]
    assert reassign_columns("sea_burial", MARKS_HEADER, sure, Structure(), load_spec())[6] is None


def test_cells_under_a_seal_count_neither_for_nor_against_a_column():
    """A seal is stamped over the filled table: what is read under it (殡葬 / 专用章, read surely) is the
    seal's text, no writing of the column. Where the page's structure knows a seal covers those cells
    (Structure.cells: UNDER_SEAL, pipeline.page.extract.doubt_sealed_cells), they count neither for nor
    against the column's field (pipeline.page.extract._column_texts): the names column under 申请人 is
    given its field by its names (5 of 5) and not left without one by 5 names of 7 (failed before)."""
    from pipeline.page.structure import UNDER_SEAL

    rows = [(i + 1, [RawCell(t, 0.99 if t else 1.0, None) for t in r]) for i, r in enumerate(MARKS_ROWS)]
    for n, seal in ((6, "殡葬"), (7, "专用章")):
        cells = [RawCell("", 1.0, None) for _ in MARKS_HEADER]
        cells[6] = RawCell(seal, 0.9, None)
        rows.append((n, cells))
    assert reassign_columns("sea_burial", MARKS_HEADER, rows, Structure(), load_spec())[6] is None
    sealed = Structure()
    for n in (6, 7):
        sealed.doubt_cell(n, 6, UNDER_SEAL)
    assert reassign_columns("sea_burial", MARKS_HEADER, rows, sealed, load_spec())[6] == "registrant_name"
    assert sealed.cells[(6, 6)] == [UNDER_SEAL]  # the cells stay doubted: their values go to review


def test_serial_read_with_digit_confusions_stays_the_serial():
    """The recognizer reads a 1 as i, l, I, | or 丨 and a 0 as O or o (mapping.normalize.OCR_DIGITS): a
    serial column so misread in a few cells (1O, 1l, I2) is still numbers up by one a row (0.75
    before). A lone 'l' or '|' (a mark, a ruling line's remains) is no number."""
    from mapping.headers import serial_share

    misread = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "1O", "1l", "I2"]
    assert serial_share(misread) == 1.0
    assert serial_share(["1", "2", "3", "|", "5", "6", "l", "8"]) == 0.75


def test_digit_confusions_make_no_other_column_the_serial():
    """Folding the digit confusions makes no column of another field the serial's: a column of counts
    read with l/I for 1 stays a column of counts, and where a register-number column runs up by one beside
    the serial column (顺序号 109.., 登记号 108.. with i5, 1, i17 misread), the serial is still 顺序号's."""
    from mapping.headers import serial_share

    assert serial_share(["l", "4", "2", "3", "2", "I", "1", "2", "2", "3", "1", "2"]) < 0.5
    header = ["顺序号", "登记号", "亡人姓名", "性别"]
    names = ["宋义明", "逄琴华", "宫翠", "杨胜福", "徐慧", "林辉", "李刚", "孙海强", "曲平", "王芳", "张伟", "刘洋"]
    serial = [str(109 + i) for i in range(12)]
    regno = ["108", "109", "110", "111", "112", "113", "114", "i5", "1", "i17", "118", "119"]
    rows = [(i + 1, [RawCell(t, 1.0, None) for t in (serial[i], regno[i], names[i], "男")]) for i in range(12)]
    columns = reassign_columns("sea_burial", header, rows, Structure(), load_spec())
    assert columns[:2] == ["row_no", "registration_no"]
    unlike = ["编", "登记号", "亡人姓名", "性别"]  # the serial's header lost: its cells alone tell it
    assert reassign_columns("sea_burial", unlike, rows, Structure(), load_spec())[1] == "registration_no"


def test_a_fields_own_number_word_is_no_serial_column_beside_it():
    """航次编号, 船次号, 逝者编号: a number word after a field's wording is that field's own number (one header,
    one column), not the serial's header fused to it by a missing ruling line; only a serial's wording BEFORE
    the field's (编号登记号, the serial being a register's first column) is read as two headers
    (mapping.headers.serial_beside). Failed before: the whole voyage column was doubted."""
    from mapping.headers import serial_beside

    for header in ("航次编号", "船次号", "逝者编号", "登记号编号"):
        assert serial_beside("sea_burial", header) is None, header
    assert serial_beside("sea_burial", "编号登记号") == (2, "row_no", "registration_no")
    assert serial_beside("cremation", "编号火化证号") == (2, "row_no", "cremation_cert_no")


def test_a_short_value_read_unsure_in_a_row_of_writing_still_tells_its_column():
    """Marks count neither for nor against a column only in an otherwise unused row: in a row a person's
    particulars were written in, 子 or 男 read unsure is the column's writing read badly, and stays
    evidence of what the column holds (pipeline.page.extract._column_texts)."""
    from pipeline.page.extract import _column_texts

    full = [RawCell(t, 0.99 if t else 1.0, None) for t in MARKS_ROWS[0]]
    full[7] = RawCell("子", 0.3, None)  # the relation, read unsure, in a written row
    empty = [RawCell("", 1.0, None) for _ in MARKS_HEADER]
    empty[7] = RawCell("à", 0.1, None)  # a speck in an unused row
    texts = _column_texts(MARKS_HEADER, [(1, full), (2, empty)], Structure())
    assert texts[7] == ["子", ""]


@pytest.mark.parametrize(
    "header, values",
    [
        # 编号 ("number") reads as half 登记编号 and half 序号, whose column is another: half the cells read
        # as register numbers (the rest misread whole), too few to tell the column by its cells alone
        pytest.param("编号", ["HZ2012-317", "ZH", "HZ2012-319", "H2"], id="generic-header-half-read"),
        # 02号: 登记号 with two glyphs lost (a third of it, below HEADER_NAMES_IN_DOUBT), every cell a
        # register number: left without a field, as if another column held the registration number
        pytest.param("02号", ["HZ2012-317", "HZ2012-318", "HZ2012-319", "HZ2012-320"], id="header-two-glyphs-lost"),
    ],
)
def test_a_header_read_in_part_over_register_numbers_in_part_gives_the_registration_number_in_doubt(header, values):
    """A photographed register-number column whose header reads only in part as 登记号 (the serial's column
    being another) and whose cells are only in part register numbers of a home's own form (a Latin prefix:
    no certificate, voyage, ID or phone of the spec's forms): together they name the field. The column is
    given it, doubted, instead of its values being lost under a column of no field (camera_capture seeds
    4405, 4406: a page of 登记号 lost so on each)."""
    header_row, rows = _sea_page(values, serial=True)
    header_row[1] = header
    got = assign_columns("sea_burial", header_row, _columns(rows))
    assert got[0].field == "row_no"
    _given_in_part(got, 1, "registration_no")


def test_a_voyage_header_read_in_part_over_voyages_in_part_gives_the_voyage_in_doubt():
    """航友 for 航次 (one glyph of two misread: half the wording) over cells three of four in the voyage's
    printed form the spec states (第4航次; 次 lost in the fourth): fewer than form_share's
    ELIMINATION_SHARE, so the content alone is untold, but no other field is printed so. The column is
    the voyage's, doubted (the voyage is mandatory: its page is doubted too)."""
    header, rows = _sea_page(["HZ2012-317", "HZ2012-318", "HZ2012-319", "HZ2012-320"])
    col = header.index("航次")
    header[col] = "航友"
    for r, v in zip(rows, ["第4航次", "第4航", "第4航次", "第5航次"]):
        r[col] = v
    got = assign_columns("sea_burial", header, _columns(rows))
    _given_in_part(got, col, "voyage_no")


@pytest.mark.parametrize(
    "header, values",
    [
        # a quarter of the cells in the voyage's form is too few: one 第4航次 among cells of anything is chance
        pytest.param("航友", ["第4航次", "四", "AB", "CD"], id="voyage-too-few"),
    ],
)
def test_a_voyage_header_read_in_part_does_not_give_the_field_without_enough_cells_in_its_form(header, values):
    header_row, rows = _sea_page(["HZ2012-317", "HZ2012-318", "HZ2012-319", "HZ2012-320"])
    col = header_row.index("航次")
    header_row[col] = header
    for r, v in zip(rows, values):
        r[col] = v
    got = assign_columns("sea_burial", header_row, _columns(rows))
    assert got[col].field != "voyage_no"


def test_a_generic_number_header_over_certificate_numbers_is_not_given_the_registration_number():
    """编号 beside the serial over certificate numbers (the spec's No.201000514): letters before digits,
    but no register number (_register_no), so the header read in part finds no cells of its field."""
    header, rows = _sea_page(["No.201000514", "No.201000530", "No.201000577", "No.201000601"], serial=True)
    header[1] = "编号"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[1].field != "registration_no"


def test_a_column_left_without_the_field_its_header_names_in_part_does_not_blame_another_column():
    """02号 names 登记号 only in part (two glyphs lost) and cells of free writing cannot tell a register
    number: the column is left without a field, doubted, and the reason shown for review says so, not that
    another column fits the field better (no column holds it)."""
    header, rows = _sea_page(["甲乙", "丙丁", "戊己", "庚辛"], serial=True)
    header[1] = "02号"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[1].field is None
    assert got[1].doubt is not None and "another column" not in got[1].doubt
    assert "registration_no" in got[1].doubt and is_assignment_doubt(got[1].doubt)


def test_a_header_read_whole_as_the_certificate_number_keeps_its_column_though_its_cells_are_misread():
    """火化证号 read exactly over certificate numbers read with letters among their digits (a photograph):
    the cells fail the certificate number's test, and 火化号 (a wording of 火化编号, whose values have no
    form to fail) is inside the header, so the header read in part and cells that cannot be told gave
    the column 火化编号. The header read whole names the certificate number, which no column holds: the
    column is the certificate number's, doubted (its cells do not fit), never 火化编号's."""
    header = HEADER + ["火化证号"]
    values = ["2O1LA00514", "201OSS0530", "aat20100577", "MA201OAf601"]
    rows = [r + [v] for r, v in zip(ROWS, values)]
    got = assign_columns("cremation", header, _columns(rows))
    assert got[-1].field == "cremation_cert_no"
    assert got[-1].doubt is not None and got[-1].doubt.startswith("its header reads as cremation_cert_no")
    assert is_assignment_doubt(got[-1].doubt)
    assert all(a.field != "cremation_no" for a in got)


def test_register_numbers_with_their_prefix_misread_on_some_rows_still_tell_the_registration_column():
    """A photograph's blurred capitals are read as the digits of their shape (HZ2013-018 read 122013-018;
    1Z, 8Z, BZ alike): with the header lost, the column's other cells, register numbers of one form,
    say those are its numbers too, so the column is still the registration's, doubted (not a column of no
    field whose numbers every record then lacks)."""
    header, rows = _sea_page(["HZ2013-017", "122013-018", "HZ2013-019", "HZ2013-020"])
    header[0] = ""
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "registration_no"
    assert got[0].doubt is not None
    # a certificate number's digits are of no register number's form: not counted so
    header, rows = _sea_page(["HZ2013-017", "2013-00018", "HZ2013-019", "HZ2013-020"])
    header[0] = ""
    assert assign_columns("sea_burial", header, _columns(rows))[0].field != "registration_no"


def test_register_numbers_read_from_a_blurred_photograph_with_the_hyphen_lost_still_tell_the_registration_column():
    """A photograph's blur loses the thin hyphen of a register number or reads it as a gap (HZ2013-020 read
    122013 020: the capitals read as digits of their shape as well): with the header misread, the column's
    numbers, as many characters as its numbers whose prefix kept a letter, are still register numbers, so
    the column is the registration's, doubted. A certificate number among register numbers (2013-00018, a form
    the spec states for it) is still no register number."""
    header, rows = _sea_page(["HZ2013-017", "HZ2013~018", "H22013 019", "122013 020"])
    header[0] = "篇壁"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field == "registration_no"
    assert got[0].doubt is not None
    # heavier blur: one number read whole, two with one capital of the prefix kept (R2, B2), one with none
    header, rows = _sea_page(["HZ2013-017", "R22013-018", "B22013 019", "822013 020"])
    header[0] = "篇壁"
    assert assign_columns("sea_burial", header, _columns(rows))[0].field == "registration_no"
    header, rows = _sea_page(["HZ2013-017", "HZ2013-019", "H22013 020", "2013-00018"])
    header[0] = ""
    assert assign_columns("sea_burial", header, _columns(rows))[0].field != "registration_no"


def test_a_photographed_name_column_with_surnames_misread_is_still_told_by_its_neighbours():
    """A photograph's blurred surname is read as a glyph of its shape that no surname list holds (朱 read
    未, 姜 read 萎): with half the deceased's names so read and the header lost or misread whole, the
    names that differ row by row beside the deceased's sex are still the deceased's (doubted), not a
    column of no field whose names every record then lacks."""
    rows = [list(r) for r in ROWS]
    rows[0][1], rows[2][1] = "未凤环", "萎宁"
    for header in ("", UNLIKE):
        got = assign_columns("cremation", _with_header(1, header), _columns(rows))
        assert got[1].field == "deceased_name"
        assert got[1].doubt is not None and got[1].doubt.startswith(ELIMINATION_DOUBT)


def test_two_photographed_name_columns_with_surnames_misread_are_still_told_apart_by_their_neighbours():
    """Both name headers lost on a photograph and a surname misread in half the names of each column (朱
    read 未, 姜 read 萎: glyphs no surname list holds): each column of names that differ row by row is still
    told by the person's fields beside it, doubted; a code column of two-character wordings is no name."""
    rows = [list(r) for r in ROWS]
    rows[0][1], rows[2][1] = "未凤环", "萎宁"
    rows[0][7], rows[2][7] = "未建", "萎霞"
    got = assign_columns("cremation", _with_headers({1: "", 7: ""}), _columns(rows))
    assert got[1].field == "deceased_name" and got[7].field == "agent_name"
    assert all(got[c].doubt is not None and got[c].doubt.startswith(ELIMINATION_DOUBT) for c in (1, 7))
    got = assign_columns("cremation", _with_headers({1: "", 7: "", 8: ""}), _columns(rows))
    assert got[8].field != "agent_name" and got[8].field != "deceased_name"


# Relation columns whose wordings were misread (a photograph, a faded or bilevel print: 父来 for 父亲, 外绍 for
# 外甥, 大 for 夫), under a header lost, misread or worded like no wording: decoded as GB/T 4761 wordings
# (mapping.headers.RELATION_DECODED), the relation field told by the person whose columns stand beside it.
MISREAD_RELATIONS = ["父来", "外绍", "女儿", "大"]


@pytest.mark.parametrize("head", ["甲", "", UNLIKE])
def test_a_misread_relation_column_beside_the_agents_columns_is_the_agents_relation(head):
    """Beside the agent's name (经办人) and phone, a column of misread relation wordings is
    agent_relation_code, by elimination (doubted: never auto-accepted on that evidence)."""
    rows = [r[:8] + [v] + r[9:] for r, v in zip(ROWS, MISREAD_RELATIONS)]
    got = assign_columns("cremation", _with_header(8, head), _columns(rows))
    assert got[8].field == "agent_relation_code"
    assert got[8].doubt is not None and got[8].doubt.startswith(ELIMINATION_DOUBT)


@pytest.mark.parametrize("head", ["甲", "", UNLIKE])
def test_a_misread_relation_column_beside_the_registrants_columns_is_the_registrants_relation(head):
    """On a sea-burial page, beside the registrant's name (家属姓名) and phone: registrant_relation_code."""
    header = list(VOYAGE_HEADER)
    header[9] = head
    rows = [r[:9] + [v] + r[10:] for r, v in zip(VOYAGE_ROWS, MISREAD_RELATIONS)]
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[9].field == "registrant_relation_code"
    assert got[9].doubt is not None and got[9].doubt.startswith(ELIMINATION_DOUBT)


@pytest.mark.parametrize("kind", ["sea_burial", "cremation"])
def test_a_misread_relation_column_between_its_person_and_the_deceased_is_that_persons_relation(kind):
    """A relation column with the registrant's (agent's) name on one side and the deceased's sex on the
    other (a ledger printing 家属姓名 与逝者关系 性别 ...): the deceased has no relation field (与逝者关系 is
    the relation *to* the deceased), so the column is the named person's relation, doubted."""
    if kind == "sea_burial":
        base_h, base_r, person, field = VOYAGE_HEADER, VOYAGE_ROWS, 8, "registrant_relation_code"
    else:
        base_h, base_r, person, field = HEADER, ROWS, 7, "agent_relation_code"
    rel = person + 1
    sex = base_h.index("性别")
    order = [i for i in range(len(base_h)) if i != sex]
    order.insert(order.index(rel) + 1, sex)
    rows = [[(r[:rel] + [v] + r[rel + 1 :])[i] for i in order] for r, v in zip(base_r, MISREAD_RELATIONS)]
    header = [base_h[i] for i in order]
    at = order.index(rel)
    header[at] = "甲"
    assert header[at - 1] in ("家属姓名", "经办人") and header[at + 1] == "性别"
    got = assign_columns(kind, header, _columns(rows))
    assert got[at].field == field
    assert got[at].doubt is not None and got[at].doubt.startswith(ELIMINATION_DOUBT)


def test_a_misread_relation_column_beside_no_column_of_its_person_is_left_without_a_field_with_a_reason():
    """Moved between the deceased's sex and ID, the column stands beside no column of the agent: which
    person's relation it is cannot be told by its place, so it gets no field, and says why."""
    order = [0, 1, 2, 8, 3, 4, 5, 6, 7, 9]
    rows = [[(r[:8] + [v] + r[9:])[i] for i in order] for r, v in zip(ROWS, MISREAD_RELATIONS)]
    header = [HEADER[i] for i in order]
    header[3] = UNLIKE
    got = assign_columns("cremation", header, _columns(rows))
    assert got[3].field is None and got[3].doubt == RELATION_UNTOLD
    assert is_assignment_doubt(RELATION_UNTOLD)


def test_a_sex_column_with_misread_cells_is_no_relation_column():
    """女 and a misread 男 decode as relation wordings (daughter; 安 for 妻), but a column with 男 in it is
    the sex's: beside the agent's columns it still takes no relation."""
    rows = [r[:8] + [v] + r[9:] for r, v in zip(ROWS, ["男", "女", "男", "安"])]
    got = assign_columns("cremation", _with_header(8, UNLIKE), _columns(rows))
    assert got[8].field is None


def test_a_serial_with_a_row_skipped_is_no_onboard_count():
    """A serial (序号) whose header was lost, a struck row's number skipped (1, 2, 4, 5): its numbers follow
    one another on too few rows for serial_share, but they rise down the page as no count does, so the
    column is not taken for the number on board."""
    header, rows = _sea_page(["HZ2010-001", "HZ2010-002", "HZ2010-003", "HZ2010-004"], serial=True)
    for r, v in zip(rows, ["1", "2", "4", "5"]):
        r[0] = v
    header[0] = ""
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[0].field != "onboard_count"


def test_on_a_page_of_two_rows_the_headers_of_the_two_certificate_numbers_exchanged_do_not_swap_their_columns():
    """A page of two written rows: the column of valid ID numbers (GB 11643: 18 characters, check character,
    birth date) is headed 火化证号 and the column of certificate numbers 身份证号码 (the headers read as each
    other's 证号). Two cells are below the three a content test needed, so the headers alone decided and gave
    the IDs to cremation_cert_no and the certificate numbers to id_number (a design store with the two headers
    exchanged, bench/header_stress.py). Two valid ID numbers say the column is the ID's, and two cells that
    are no ID (9 digits) say the other is not."""
    header = HEADER + ["身份证号码"]
    header[3] = "火化证号"
    rows = [r + [v] for r, v in zip(ROWS[:2], ["201300514", "201300515"])]
    got = assign_columns("cremation", header, _columns(rows))
    assert got[3].field == "id_number"
    assert got[-1].field != "id_number"
    assert got[3].field != "cremation_cert_no"


@pytest.mark.parametrize("head", ["家属关系", "经办人与死者关系", "关系人"])
def test_a_misread_relation_column_under_a_header_naming_its_person_and_relation_is_the_relation(head):
    """家属关系 / 经办人与死者关系 read as two columns' headers (the person's name, the relation: a ruling line
    missing) and 关系人 names the relation only in part; over cells that are relation wordings misread
    (父来, 外绍, 大: the strict test refuses them) beside a name column of its own, the column is the
    person's relation, doubted. Failed before: no field ("its header reads as ... but its cells do not
    fit it"), while the same column under a lost header 甲 got it by elimination."""
    rows = [r[:8] + [v] + r[9:] for r, v in zip(ROWS, MISREAD_RELATIONS)]
    got = assign_columns("cremation", _with_header(8, head), _columns(rows))
    assert got[8].field == "agent_relation_code" and got[7].field == "agent_name"
    assert got[8].doubt is not None and is_assignment_doubt(got[8].doubt)
    header = list(VOYAGE_HEADER)
    header[9] = head
    rows = [r[:9] + [v] + r[10:] for r, v in zip(VOYAGE_ROWS, MISREAD_RELATIONS)]
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[9].field == "registrant_relation_code" and got[9].doubt is not None and is_assignment_doubt(got[9].doubt)


def test_a_header_naming_a_person_and_relation_over_names_gets_no_relation():
    """The same header over a column of names (the person's name column with 关系 read beside it) is not
    given the relation: its cells are no relation wordings."""
    got = assign_columns("cremation", _with_headers({7: "经办人关系", 8: "与逝者关系"}), _columns(ROWS))
    assert got[7].field == "agent_name" and got[8].field == "agent_relation_code"


def test_name_columns_are_told_apart_beside_a_few_remarks_and_a_misread_code_column_that_read_like_names():
    """Every header lost on a photograph: a remarks column written on a few rows (外地户籍: four glyphs, as a
    name) and an ashes column whose wordings were misread (家属领回 read 家区领回) read as names too, yet
    neither is a person's name column: the spec makes both names mandatory, so a name column is written on
    most rows, and a third of a column read as one code table's wordings is that table's. The deceased's and
    the agent's names are still told apart by their neighbours, doubted."""
    more = [
        ["5", "王秀兰", "女", "370602194001011229", "2013.1.5", "2013.1.7", "家区领回", "王刚", "儿子", "13905351235"],
        ["6", "李德明", "男", "370602193502021213", "2013.1.6", "2013.1.8", "骨灰寄存", "李华", "女儿", "13905351236"],
        ["7", "张桂芝", "女", "370602193703031224", "2013.1.7", "2013.1.9", "家区领回", "张军", "儿子", "13905351237"],
        ["8", "刘文华", "男", "370602194204041215", "2013.1.8", "2013.1.10", "海莽", "刘洋", "女儿", "13905351238"],
    ]
    rows = [list(r) for r in ROWS + more]
    for r in rows:
        r[6] = {"骨灰寄存": "骨灰奇仔", "海葬": "海莽"}.get(r[6], r[6])
    remarks = ["外地户籍", "", "", "重新登记", "", "", "迁出户口", ""]
    rows = [r + [m] for r, m in zip(rows, remarks)]
    rows += [[str(n)] + [""] * 10 for n in range(9, 21)]  # serials printed down the page's empty rows: no entries
    header = [""] * len(rows[0])
    got = assign_columns("cremation", header, _columns(rows))
    assert got[1].field == "deceased_name" and got[7].field == "agent_name"
    assert all(got[c].doubt is not None and got[c].doubt.startswith(ELIMINATION_DOUBT) for c in (1, 7))
    assert got[10].field not in ("deceased_name", "agent_name")


def test_a_sea_area_column_named_by_header_and_cells_is_sure_and_only_its_look_alike_cells_are_doubted():
    """Under a header read exactly (海域), a column whose 海域 the recognizer read 海城 in 3 rows of 4
    (look-alike glyphs) is still the sea area's column: its header and its cells both name it, no cell
    reads as another field's value. The column is not doubted, nor its page; each cell read 海城 is
    (flag cell_read_by_shape), the cell read exactly is not. Relation wordings under the same header
    (a column shifted under it) keep the whole column in doubt."""
    from mapping import glyphs
    from mapping.headers import CELLS_DOUBT

    if not glyphs.available():
        pytest.skip("no CJK font to measure glyph shapes")
    rows = [list(r) for r in VOYAGE_ROWS]
    for r, v in zip(rows, ["卧佛岛海城", "卧佛岛海城", "卧佛岛海域", "卧佛岛海城"]):
        r[7] = v
    got = assign_columns("sea_burial", VOYAGE_HEADER, _columns(rows))
    assert got[7].field == "sea_area"
    assert got[7].doubt is not None and got[7].doubt.startswith(CELLS_DOUBT) and is_assignment_doubt(got[7].doubt)
    _, structure, out = _sea_mapped(VOYAGE_HEADER, _read(rows))
    assert not any(r.startswith(PAGE_ASSIGNMENT_DOUBT.split("{", 1)[0]) for r in structure.page)
    flags = [out[i].record.fields["sea_area"].flags for i in range(4)]
    assert [("cell_read_by_shape" in f) for f in flags] == [True, True, False, True]
    assert not any("column_doubted" in f for f in flags)
    assert not any("page_structure_doubted" in f for f in flags)
    # relation wordings under 海域, one sea area among them: the column's cells say another field
    for r, v in zip(rows, ["儿子", "女儿", "卧佛岛海域", "配偶"]):
        r[7] = v
    got = assign_columns("sea_burial", VOYAGE_HEADER, _columns(rows))
    assert got[7].field != "sea_area" or (got[7].doubt is not None and not got[7].doubt.startswith(CELLS_DOUBT))


def test_latin_letters_before_a_wording_are_no_serial_header_and_a_remap_drops_that_doubt():
    """AG人数 (a stamp's or a speck's stand-ins before 人数) is no serial beside the onboard count: every
    wording of the serial is Han (序号, 编号). A page read when such a header was taken for two (doubted:
    its values could not be split) loses that doubt when re-mapped from its stored header; 编号随船人数
    keeps it. (Design camera 4482: a page of 16 counts, every one right, held for that doubt alone.)"""
    from mapping.headers import serial_beside
    from pipeline.page.structure import MERGED_HEADER_DOUBT

    assert serial_beside("sea_burial", "AG人数") is None
    assert serial_beside("sea_burial", "编号随船人数") == (2, "row_no", "onboard_count")
    header, rows = _sea_page(["105", "106", "107", "108"], onboard=["1", "2", "3", "4"])
    cells = _read(rows)
    last = len(header) - 1
    why = f"{MERGED_HEADER_DOUBT} (row_no, onboard_count): a ruling line is missing and its values could not be split"
    for text, kept in (("AG人数", False), ("编号随船人数", True)):
        head = list(header)
        head[last] = text
        structure = Structure(columns={last: [why]})
        reassign_columns("sea_burial", head, cells, structure, load_spec())
        assert (why in structure.columns.get(last, [])) is kept, text


def test_a_page_whose_only_column_doubt_is_cell_by_cell_asks_no_word_on_its_columns():
    """A column sure of its field whose cells are doubted one by one (CELLS_DOUBT) does not put the page's
    columns up for review (PageColumns.in_doubt) nor count among the columns in doubt (assignment_doubts);
    a column most of whose cells do not look like its field does."""
    from mapping.headers import CELLS_DOUBT
    from pipeline.review.columns import ColumnView, PageColumns, assignment_doubts

    by_cell = ColumnView(7, "海域", "sea_area", (f"{CELLS_DOUBT}: its header and its cells name sea_area",))
    whole = ColumnView(7, "海域", "sea_area", ("most of its cells (75%) do not look like sea_area",))
    sure = ColumnView(0, "登记号", "registration_no", ())
    assert not PageColumns(1, "sea_burial", (sure, by_cell), (), ()).in_doubt
    assert assignment_doubts(by_cell) == ()
    assert PageColumns(1, "sea_burial", (sure, whole), (), ()).in_doubt
    assert assignment_doubts(whole) == whole.doubts


@pytest.mark.parametrize("swapped", [False, True])
@pytest.mark.parametrize("stand_ins", [("", "囗"), ("AB", "AD"), ("AB", "7K")])
def test_headers_read_as_stand_ins_only_are_lost_headers_not_other_wordings(stand_ins, swapped):
    """Two date headers read as digits and Latin letters only (a stamp over them): the recognizer's stand-ins
    for glyphs it could not read name no wording (AB scored 0.5 against every two-character wording and
    0.25 against 死亡日期 and 火化日期 alike, which swapped the two columns), so the columns are told by the
    order of their dates as under headers left blank: each its own date, doubted."""
    rows = [r[:4] + [r[5], r[4]] + r[6:] for r in ROWS] if swapped else ROWS
    header = _with_headers({4: stand_ins[0], 5: stand_ins[1]})
    got = assign_columns("cremation", header, _columns(rows))
    dates = ["cremation_date", "death_date"] if swapped else ["death_date", "cremation_date"]
    assert [got[4].field, got[5].field] == dates
    assert got[4].doubt is not None and got[5].doubt is not None
    assert [a.field for a in got[:4] + got[6:]] == FIELDS[:4] + FIELDS[6:]


def test_a_blank_kept_over_a_second_reading_in_a_column_doubted_cell_by_cell_stays_doubted():
    """In a column sure of its field whose cells are doubted one by one (CELLS_DOUBT), a cell is as sure as
    its blank only where every reading of it is blank: a first reading blank that the mapping kept while a
    second reading found writing (卧佛岛海城) is a cell with ink whose value is blank, doubted
    (cell_read_by_shape). Failed before: only the first reading was looked at, so the blank went out
    with no doubt at all where the whole column's doubt had held it."""
    from mapping import glyphs

    if not glyphs.available():
        pytest.skip("no CJK font to measure glyph shapes")
    rows = [list(r) for r in VOYAGE_ROWS]
    for r, v in zip(rows, ["卧佛岛海城", "卧佛岛海城", "卧佛岛海域", "卧佛岛海城"]):
        r[7] = v
    cells = _read(rows)
    cells[2][1][7] = RawCell("", 0.99, None, second="卧佛岛海城", second_confidence=0.6)
    _, _, out = _sea_mapped(VOYAGE_HEADER, cells)
    fv = out[2].record.fields["sea_area"]
    assert fv.value is None and "cell_read_by_shape" in fv.flags


def test_the_columns_page_says_which_cells_of_a_column_doubted_cell_by_cell_are_in_doubt():
    """A column doubted one by one doubts each cell not read exactly as one of its field's values (a
    look-alike reading, a garbled one, a blank beside a reading: structure._cell_fails), as the cells'
    flag cell_read_by_shape says. The columns page said only the cells read through look-alike glyphs,
    so a reviewer found garbled and blank cells flagged that it said were sure."""
    from mapping.flags import FLAGS
    from mapping.headers import CELLS_DOUBT
    from review_app.i18n import column_doubt_text

    why = f"{CELLS_DOUBT}: its header and its cells name sea_area, but only 25% of its cells read exactly as sea_area's values"
    en, zh = column_doubt_text(why, "en"), column_doubt_text(why, "zh")
    assert "not read exactly" in en and "only through look-alike" not in en
    assert "规范写法" in zh and "仅以形近字" not in zh
    assert "规范写法" in FLAGS["cell_read_by_shape"].zh  # the cells' flag says the same


def _half_misread_ids() -> list[list[str]]:
    """ROWS and two more, with the ID of every second row misread by one digit (its check character then
    fails, GB 11643): half the column's IDs valid, as on a page whose digits read poorly."""
    rows = [list(r) for r in ROWS] + [
        ["5", "王芳", "女", "370602195005050042", "2013.1.6", "2013.1.8", "海葬", "王强", "儿子", "13905351235"],
        ["6", "李明", "男", "370602194403030077", "2013.1.7", "2013.1.9", "海葬", "李刚", "儿子", "13905351236"],
    ]
    rows[3][3] = "370602192701227805"  # the first-generation number of row 4 as an 18-character one
    for r in rows[1::2]:
        r[3] = r[3][:9] + ("7" if r[3][9] == "1" else "1") + r[3][10:]
    return rows


def test_an_id_column_half_misread_under_another_fields_header_is_still_the_ids():
    """A third of a column's cells valid GB 11643 numbers (ID_IN_PART: the check character, a real birth
    date, a GB/T 2260 province) are no other field's values: the column is the ID's though its header
    reads as another field's (户籍地址, 火化证号: before, no field, the IDs lost), doubted for that header,
    and that field is given no column of IDs; under a header not read, the ID's by its content alone."""
    rows = _half_misread_ids()
    assert ids_in_part([r[3] for r in rows]) and not ids_in_part([r[3] for r in rows][:1] + ["123"] * 5)
    for head, other in (("户籍地址", "household_address"), ("火化证号", "cremation_cert_no")):
        got = assign_columns("cremation", _with_header(3, head), _columns(rows))
        assert got[3].field == "id_number" and got[3].doubt is not None, head
        assert other not in [a.field for a in got]
    unread = assign_columns("cremation", _with_header(3, "囗囗口"), _columns(rows))
    assert unread[3].field == "id_number" and unread[3].score is not None and unread[3].score.alone


def test_a_column_of_numbers_failing_the_check_under_the_id_header_is_not_the_ids_beside_valid_ones():
    """The two 证号 headers misread into each other (火化证号 over the IDs, 身份证号 over a home's 18-digit
    certificate numbers), every ID read right or half of them misread: the column whose cells hold GB 11643 is
    the ID's (doubted for its header), the one whose numbers all fail the check is not, though its header
    names the ID (before, in both cases, the certificate numbers were taken for the IDs, sure, and the IDs
    for the certificate numbers)."""
    for ids in (ROWS, _half_misread_ids()):
        rows = [list(r) + [f"37060220130100000{i}"] for i, r in enumerate(ids, 1)]
        header = _with_header(3, "火化证号") + ["身份证号"]
        got = assign_columns("cremation", header, _columns(rows))
        assert got[3].field == "id_number" and got[3].doubt is not None
        assert got[10].field != "id_number" and [a.field for a in got].count("id_number") == 1


def test_ages_misread_beside_ids_valid_only_in_part_are_still_ages():
    """A page whose digits read poorly: half its IDs fail the check (ID_IN_PART still names their column the
    ID's) and its ages are misread too (7 read 1). Ages are checked against the IDs' birth dates only beside
    a column of IDs valid at CONTENT_DECISIVE: beside IDs valid only in part, the misread ages counted as no
    ages (ef26ffb), so the age column under a header half read (年, its 龄 lost) got no field, and under 年龄
    was doubted as holding no ages at all."""
    rows = _half_misread_ids()
    ages = ["16", "90", "41", "85", "61", "68"]  # 76, 44, 62 beside the valid IDs, each misread by a digit
    cols = _columns([r[:4] + [a] + r[4:] for r, a in zip(rows, ages)])
    for head in ("年", "年龄"):
        header = _with_header(3, "户籍地址")[:4] + [head] + HEADER[4:]
        got = assign_columns("cremation", header, cols)
        assert got[3].field == "id_number", head
        assert got[4].field == "age_years", head
        assert head == "年" or got[4].doubt is None


def test_a_column_holding_two_printed_columns_is_said_so_in_the_reviewers_words():
    """Every doubt of a column that holds two printed columns read as one (a ruling line lost: its header
    read as two headers, its cells as two values, its volume printing two columns there, a split at a
    gap) or one printed column read twice was shown as "其他存疑" followed by the stored English text."""
    from pipeline.page.extract import (
        JOINED_HEADER_DOUBT,
        MERGED_CELLS_DOUBT,
        READ_TWICE_DOUBT,
        SPLIT_GAP_DOUBT,
        SPLIT_MISREAD_DOUBT,
        TWO_HEADERS_MISREAD_DOUBT,
        VOLUME_JOINED_DOUBT,
    )
    from pipeline.page.structure import MERGED_HEADER_DOUBT
    from review_app.i18n import column_doubt_text

    two = [
        JOINED_HEADER_DOUBT.format(first="cremation_cert_no", second="voyage_no"),
        TWO_HEADERS_MISREAD_DOUBT.format(first="household_address", second="death_date"),
        MERGED_CELLS_DOUBT.format(share=0.8),
        VOLUME_JOINED_DOUBT.format(first="household_address", second="death_date"),
        MERGED_HEADER_DOUBT,
    ]
    for why in two:
        zh = column_doubt_text(why, "zh")
        assert "两栏合读成一栏" in zh and "其他存疑" not in zh and "header" not in zh, why
    split = column_doubt_text(SPLIT_MISREAD_DOUBT.format(first="household_address", second="death_date"), "zh")
    assert "拆出" in split and "其他存疑" not in split
    twice = column_doubt_text(READ_TWICE_DOUBT.format(other=3, share=0.9), "zh")
    assert "读了两次" in twice and "其他存疑" not in twice
    gap = column_doubt_text(SPLIT_GAP_DOUBT, "zh")
    assert "空隙拆出" in gap and "其他存疑" not in gap and "ruling" not in gap


def test_a_clerks_well_read_names_do_not_outweigh_each_records_own_person_read_with_two_names_misread():
    """A carbon copy: the recognizer misreads two of 申请人's names at their surname (宋 read 末, 赵 read 赴:
    a stroke lost or spread), so eight of ten of its cells pass the name test, while the clerk's two
    names under 登记员 (near 登记人) pass on every row. The clerk's share counts two names many times and
    is no measure against a column of each record's own registrant: the field is 申请人's, and the
    clerk's column holds none (design typed_sheets seed 3316 carbon copy c5, sea burial page 6: three
    auto-accepted records took a clerk's name for the registrant's)."""
    header, rows = _clerk_beside_applicants()
    rows[1][5], rows[6][5] = "末伟", "赴红"
    got = assign_columns("sea_burial", header, _columns(rows))
    assert got[5].field == "registrant_name"
    assert got[8].field is None


def test_a_clerks_few_names_under_a_near_header_are_doubted_where_no_column_holds_each_records_person():
    """No column of each record's registrant is printed (or it was not read): the clerk's column under
    登记员 (near 登记人) repeats two names down the page, which by the spec names no record's own person,
    so the column given registrant_name is doubted (its values go to review), not accepted as sure."""
    header = SEA_HEADER[:5] + ["登记员"]
    rows = [r[:5] + [r[6]] for r in SEA_ROWS]
    got = assign_columns("sea_burial", header, _columns(rows))
    clerk = got[5]
    assert clerk.field is None or (clerk.doubt is not None and is_assignment_doubt(clerk.doubt))


def test_a_name_column_under_a_header_read_in_part_with_surnames_misread_is_the_deceased_name_in_doubt():
    """A carbon copy's column of the deceased's names (bench/stress_scans.py --mode carbon, design d3316):
    its header 逝者姓名 read 通名n名 (in part only) and three of its five names read with the surname
    misread (no surname of the list). The cells still say "a name" and the header which of the name
    fields (it reads in part as the deceased's only; the agent's name column holds its own), so the
    column is the deceased's name, doubted, not a column of no field whose names are lost."""
    rows = [list(r) for r in ROWS] + [["5"] + list(ROWS[2][1:])]
    for r, v in zip(rows, [ROWS[0][1], "通玉林", "面玉英", ROWS[3][1], "补宁"]):
        r[1] = v
    got = assign_columns("cremation", _with_header(1, "通名n名"), _columns(rows))
    _given_in_part(got, 1, "deceased_name")
    assert got[7].field == "agent_name"


def test_a_date_column_under_a_header_read_in_part_with_dates_misread_is_the_cremation_date_in_doubt():
    """A phone copy's column of cremation dates (design d3316 county, bench/stress_scans.py --mode phone,
    s35-phonerows q1): its header 火化日期 read 火化自题 (in part: 火化 names the cremation date only,
    日期 is lost) and half of its dates read with a glyph lost or misread. Three fields of the kind hold
    dates, so the cells alone cannot say which; the header can. The column is the cremation date,
    doubted (held for review), not a column of no field whose dates are lost."""
    rows = [list(r) for r in ROWS] + [["5"] + list(ROWS[2][1:]), ["6"] + list(ROWS[1][1:])]
    for r, v in zip(rows, ["2013.1.3", "2084082", "2013.1.4", "201380弄11 0", "2015年0月1意", "2013.1.5"]):
        r[5] = v
    got = assign_columns("cremation", _with_header(5, "火化自题"), _columns(rows))
    _given_in_part(got, 5, "cremation_date")
    assert got[4].field == "death_date"


def test_a_date_column_whose_header_reads_only_as_a_date_stays_without_a_field():
    """The same column with only 日期 legible (which every date field's wording ends in): its header does
    not tell the cremation date from the birth date (no column holds it), so the column is given no date
    field; its dates are not put under a guessed one."""
    rows = [list(r) for r in ROWS] + [["5"] + list(ROWS[2][1:]), ["6"] + list(ROWS[1][1:])]
    for r, v in zip(rows, ["2013.1.3", "2084082", "2013.1.4", "201380弄11 0", "2015年0月1意", "2013.1.5"]):
        r[5] = v
    got = assign_columns("cremation", _with_header(5, "自日期"), _columns(rows))
    assert got[5].field is None  # no date field guessed, not even a doubted one
    assert got[4].field == "death_date"


def test_a_photographed_voyage_column_under_a_header_read_in_part_with_its_word_worn_is_the_voyage_in_doubt():
    """A phone copy's voyage column (design d3316 county, s35-phonerows q1): 航次 read 前次 (in part), and its
    第N航次 read with 航次 worn into two other glyphs (第1机质, 第1航流) or cut (第3航), one cell with its
    number misread too. No cell is in the spec's form read whole, but the worn form (normalize's
    VOYAGE_WORD_WORN: 第, the number, two glyphs) is no other field's: the column is the voyage's, doubted."""
    rows = [list(r) for r in VOYAGE_ROWS]
    for r, v in zip(rows, ["第1机质", "第了社政", "第5航", "第5航流"]):
        r[6] = v
    header = list(VOYAGE_HEADER)
    header[6] = "前次"
    got = assign_columns("sea_burial", header, _columns(rows))
    _given_in_part(got, 6, "voyage_no")
    assert got[4].field == "cremation_cert_no"


def test_every_doubt_the_column_assignment_gives_has_a_reviewers_wording():
    """A reviewer reads why a column is in doubt on the columns page, in Chinese first. Every way
    assign_columns begins a column's doubt (ASSIGNMENT_DOUBTS) has words of its own there, not the
    catch-all 「其他存疑」 followed by the stored English reason; the column told only by the recognizer's
    probabilities of a code table's wordings (DECODED_DOUBT) is among them, and the number column told only by
    the loose form of its readings (PATTERN_DOUBT)."""
    from mapping.headers import ASSIGNMENT_DOUBTS, DECODED_DOUBT, PATTERN_DOUBT
    from review_app.i18n import column_doubt_text

    for head in ASSIGNMENT_DOUBTS:
        zh = column_doubt_text(head + "...", "zh")
        assert "其他存疑" not in zh and "its " not in zh, head
    decoded = column_doubt_text(DECODED_DOUBT.format(field="sex", share=0.75), "zh")
    assert "识别器" in decoded and "核对" in decoded
    by_form = column_doubt_text(PATTERN_DOUBT.format(field="death_date", share=0.75), "zh")
    assert "格式" in by_form and "核对" in by_form
