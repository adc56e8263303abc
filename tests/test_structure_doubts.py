"""Structure doubts that hit right columns (issue 21, precision of the structure checks): a doubt stays
where a column may really be wrong or unknown, and is not raised where a general rule shows the column
right. Small synthetic tables, no OCR; each test has a wrong column beside it that stays doubted."""

from __future__ import annotations

from mapping.headers import assign_columns
from mapping.spec import load_spec

SP = load_spec()

SEA_HEADER = ["逝者姓名", "性别", "撒海日期", "撒海海域", "亲属姓名", "与逝者关系", "随行人数", "登记号"]
SEA_ROWS = [
    ["朱凤环", "女", "2013.4.5", "芝罘卧佛岛海域", "宋建", "儿子", "2", "41"],
    ["宋玉林", "男", "2013.4.5", "芝罘卧佛岛海域", "宋伟", "女儿", "3", "42"],
    ["姜宁", "男", "2013.4.5", "芝罘卧佛岛海域", "姜霞", "配偶", "1", "43"],
    ["杨玉英", "女", "2013.4.5", "芝罘卧佛岛海域", "姜燊", "女儿", "2", "44"],
    ["王桂兰", "女", "2013.4.5", "芝罘卧佛岛海域", "王强", "儿子", "4", "45"],
]


def _texts(rows: list[list[str]]) -> list[list[str]]:
    return [[r[c] for r in rows] for c in range(len(rows[0]))]


def test_a_register_number_column_headed_exactly_is_not_doubted_for_running_like_a_serial():
    # 登记号 issued in order: its numbers run up by one like a serial's; the header read exactly decides
    out = assign_columns("sea_burial", SEA_HEADER, _texts(SEA_ROWS), SP)
    reg = out[-1]
    assert reg.field == "registration_no"
    assert reg.doubt is None


def test_a_column_of_running_numbers_under_a_header_not_read_stays_in_doubt():
    header = SEA_HEADER[:-1] + ["登"]  # the header lost in part: serial or register number, the cells cannot tell
    out = assign_columns("sea_burial", header, _texts(SEA_ROWS), SP)
    last = out[-1]
    assert last.field is None or last.doubt is not None


CREM_HEADER = ["序号", "姓名", "性别", "年龄", "死亡日期", "大化日期", "骨灰去向", "经办人"]  # 火 read 大
CREM_ROWS = [
    ["1", "朱凤环", "女", "76", "2013.1.1", "2013.1.3", "骨灰寄存", "宋建"],
    ["2", "宋玉林", "男", "91", "2013.1.2", "2013.1.4", "海葬", "宋伟"],
    ["3", "姜宁", "男", "44", "2013.1.1", "2013.1.4", "家属带回", "姜霞"],
    ["4", "杨玉英", "女", "85", "2012.12.26", "2013.1.5", "海葬", "姜燊"],
    ["5", "王桂兰", "女", "80", "2013.1.3", "2013.1.6", "海葬", "王强"],
]


def test_a_date_column_after_the_days_of_death_is_not_doubted_for_birth_dates():
    # the header misread in one character; its dates follow the sure 死亡日期 column's: no birth dates
    out = assign_columns("cremation", CREM_HEADER, _texts(CREM_ROWS), SP)
    assert (out[4].field, out[4].doubt) == ("death_date", None)
    assert (out[5].field, out[5].doubt) == ("cremation_date", None)


def test_birth_dates_under_a_misread_cremation_header_stay_in_doubt():
    births = ["1936.8.24", "1922.1.24", "1968.7.23", "1927.1.22", "1933.3.3"]
    rows = [r[:5] + [b] + r[6:] for r, b in zip(CREM_ROWS, births)]
    out = assign_columns("cremation", CREM_HEADER, _texts(rows), SP)
    assert out[5].field != "cremation_date" or out[5].doubt is not None
    assert out[4].doubt is not None  # the dates of death come after them: the columns may be swapped
