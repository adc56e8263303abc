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
