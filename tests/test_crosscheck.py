"""Cross-registry checks (issue 24): a roll of another department against the platform's deceased.

A small platform of hand-made deceased and rolls an administrator could be handed: a title line
above odd headers, bad rows, a GB 18030 file, an .xlsx with a header only a mapping file names, a
marriage record naming both parties. Each test checks what a user would: the bad rows by
file:line, the months paid after death, namesakes never confirmed automatically, an export that
holds only hits, no roll value in any log line.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
import stat
from pathlib import Path

import pytest
from sqlalchemy import insert

from mapping.normalize import id_check_digit
from pipeline.cli import main
from pipeline.crosscheck.check import (
    AUTO_CONFIRMED,
    CONFIRMED,
    NOT_SAME,
    TO_REVIEW,
    CrosscheckError,
    close_check,
    decide_hit,
    export_check,
    hit_history,
    hits_of,
    months_between,
    reveal,
    run_check,
)
from pipeline.crosscheck.rolls import RollError, RollOptions
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import ConfigError
from pipeline.kernel.store import CrosscheckHit, Store, make_engine
from pipeline.platform.schema import migrate_platform, platform_metadata


def idn(region: str, birth: str, seq: str) -> str:
    body = region + birth + seq
    return body + id_check_digit(body)


A = idn("370602", "19380102", "122")  # 王秀英
B = idn("370613", "19400305", "121")  # 李国华
D = idn("370684", "19320202", "031")  # 刘德福 (蓬莱市, merged into 蓬莱区 in 2020)
E = idn("370602", "19501010", "222")  # 孙玉珍
E2 = idn("370602", "19501010", "244")  # a living namesake of 孙玉珍
L1 = idn("370611", "19600101", "011")  # a living person
DECEASED = [
    dict(
        deceased_name="王秀英",
        sex_code="2",
        id_number=A,
        birth_date="1938-01-02",
        household_division_code="370602",
        death_date="2013-03-15",
        cremation_date="2013-03-18",
        cremation_cert_no="201300412",
    ),
    dict(
        deceased_name="李国华",
        sex_code="1",
        id_number=B,
        birth_date="1940-03-05",
        household_division_code="370613",
        death_date="2014-11-20",
        cremation_date="2014-11-22",
        cremation_cert_no="201401100",
    ),
    dict(
        deceased_name="张桂兰",
        sex_code="2",
        id_number=None,
        birth_date="1945-07-08",
        household_division_code="370681",
        death_date="2012-05-01",
        cremation_date="2012-05-03",
        cremation_cert_no="201200213",
    ),
    dict(
        deceased_name="刘德福",
        sex_code="1",
        id_number=D,
        birth_date="1932-02-02",
        household_division_code="370684",
        death_date="2011-01-10",
        cremation_date="2011-01-12",
        cremation_cert_no="201100020",
    ),
    dict(
        deceased_name="孙玉珍",
        sex_code="2",
        id_number=E,
        birth_date="1950-10-10",
        household_division_code="370602",
        death_date="2016-06-06",
        cremation_date="2016-06-08",
        cremation_cert_no="201600666",
    ),
]


G = idn("370612", "19380808", "017")  # 周国强: on the platform by a sea burial registration alone
SEA = [
    dict(deceased_name="周国强", sex_code="1", id_number=G, scattering_date="2015-05-05", voyage_no="15-03"),
    dict(
        deceased_name="孙玉珍",
        sex_code="2",
        id_number=E,
        scattering_date="2016-09-09",
        voyage_no="16-05",
        cremation_cert_no="201600666",
    ),
]  # the same person as her cremation row: one person, one row


def _typo(number: str) -> str:
    d = str((int(number[9]) + 3) % 10)
    return number[:9] + d + number[10:]


ROLL_ROWS = [  # (line from 3: a title line and the header are lines 1 and 2)
    ["1", "王秀英", "女", A, "1938-01-02", "芝罘区幸福街道北马路12号", "DB0001", "2014-06"],  # 3 auto, 15 months
    ["2", "李国华", "男", _typo(B), "1940.3.5", "莱山区黄海路街道", "DB0002", "201411"],  # 4 ID typo, death month
    ["3", "张桂兰", "女", "", "1945-07-08", "龙口市东莱街道港城大道8号", "DB0003", "2013-01"],  # 5 no ID: to review
    ["4", "张桂兰", "女", "", "1945-07-08", "龙口市新嘉街道振华路3号", "DB0004", "2024-06"],  # 6 a namesake, no ID
    ["5", "孙玉珍", "女", E2, "1950-10-10", "芝罘区向阳街道", "DB0005", "2024-06"],  # 7 namesake, other ID
    ["6", "刘德福", "男", D[:6] + D[8:17], "1932-02-02", "蓬莱区登州街道", '=HYPERLINK("x")', "2012-02"],  # 8 15 digits
    ["7", "赵立新", "男", L1, "1960-01-01", "福山区清洋街道", "DB0007", "2024-06"],  # 9 living
    ["8", "钱某", "男", "3.70602E+17", "1955-05-05", "福山区", "DB0008", "2024-06"],  # 10 ID kept as a number
    ["9", "孙五（已故）", "男", "", "1956-06-06", "福山区", "DB0009", "2024-06"],  # 11 a note in the name
    ["10", "周七", "女", "", "1950.13.45", "福山区", "DB0010", "2024-06"],  # 12 no such date
    [
        "11",
        "吴八",
        "男",
        L1[:17] + "0" if L1[17] != "0" else L1[:17] + "1",
        "1960-01-01",
        "福山区",
        "DB0011",
        "2024-06",
        "多余",
    ],  # 13 extra column
    ["合计", "", "", "", "", "", "", ""],  # 14 not a person
]
HEADER = ["序号", "救助对象姓名", "性别", "证件号码", "出生年月", "居住地址", "低保证号", "末次发放年月"]
PERSONAL = {
    "王秀英",
    "李国华",
    "张桂兰",
    "孙玉珍",
    "刘德福",
    "赵立新",
    "钱某",
    "周七",
    "吴八",
    A,
    B,
    _typo(B),
    D,
    E,
    E2,
    L1,
    "芝罘区幸福街道北马路12号",
    "龙口市东莱街道港城大道8号",
    "龙口市新嘉街道振华路3号",
    "DB0001",
    "DB0004",
    "DB0005",
    "DB0007",
}


@pytest.fixture(scope="module")
def platform(tmp_path_factory) -> str:
    return fill_platform(f"sqlite:///{tmp_path_factory.mktemp('platform') / 'platform.sqlite'}")


def fill_platform(url: str) -> str:
    """A platform (made by its migrations) holding DECEASED and the SEA burial registrations."""
    migrate_platform(url)
    t = platform_metadata("mzt141-draft-0").tables["dead_information"]
    engine = make_engine(url)
    with engine.begin() as conn:
        for i, row in enumerate(DECEASED, start=1):
            values = {k: (dt.date.fromisoformat(v) if k.endswith("_date") and v else v) for k, v in row.items()}
            conn.execute(
                insert(t).values(
                    natural_key=f"370600100001|cert|{row['cremation_cert_no']}",
                    funeral_home_code="370600100001",
                    row_hash=f"{i:064d}",
                    **values,
                )
            )
        sea = platform_metadata("mzt141-draft-0").tables["sea_burial_registration"]
        for i, row in enumerate(SEA, start=1):
            conn.execute(
                insert(sea).values(
                    natural_key=f"sea|{i}",
                    funeral_home_code="370600100001",
                    row_hash=f"{i:064d}",
                    **{k: (dt.date.fromisoformat(v) if k.endswith("_date") else v) for k, v in row.items()},
                )
            )
    engine.dispose()
    return url


def write_roll(path: Path, rows=ROLL_ROWS, header=HEADER, encoding="utf-8", title="2015年烟台市城市低保发放名册") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        if title:
            w.writerow([title])
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def env(tmp_path, platform):
    settings = Settings(data_dir=str(tmp_path / "data"), platform_url=platform)
    settings.data_path.mkdir(parents=True)
    store = Store.open(settings)
    yield settings, store, tmp_path
    store.dispose()


def _hits(store, check_id) -> dict[int, CrosscheckHit]:
    return {
        h.roll_line: h for h in hits_of(store, check_id, statuses=(AUTO_CONFIRMED, TO_REVIEW, CONFIRMED, NOT_SAME), limit=1000)
    }


def test_a_roll_with_bad_rows_lists_each_by_file_and_line_with_its_reason(env):
    settings, store, tmp = env
    s = run_check(store, settings, write_roll(tmp / "roll.csv"), "dibao", out_dir=tmp / "out")
    assert s.columns == {
        "name": "救助对象姓名",
        "sex": "性别",
        "id_number": "证件号码",
        "birth_date": "出生年月",
        "address": "居住地址",
        "roll_key": "低保证号",
        "last_date": "末次发放年月",
    }
    bad = {b["where"]: b["reason"] for b in s.bad_first}
    assert "Excel" in bad["roll.csv:10"] and "数字格式" in bad["roll.csv:10"]
    assert "姓名无法识别" in bad["roll.csv:11"]
    assert "出生日期无法识别" in bad["roll.csv:12"]
    assert "列数与表头不符" in bad["roll.csv:13"]
    assert "无可用的姓名和身份证号" in bad["roll.csv:14"]
    assert "校验位错误" in bad["roll.csv:4"]  # the typed-wrong ID: listed, still compared as written
    assert "roll.csv:3" not in bad and "roll.csv:9" not in bad
    assert s.rows == 12 and s.bad_rows == len(bad)
    with open(tmp / "out" / "bad_rows.csv", encoding="utf-8-sig") as f:
        listed = list(csv.reader(f))
    assert [r[0] for r in listed[1:]] == [b["where"] for b in s.bad_first]
    text = (tmp / "out" / "bad_rows.csv").read_text(encoding="utf-8-sig")
    assert not any(v in text for v in PERSONAL), "a bad row is listed by place and reason, never by its values"


def test_tiers_payment_after_death_and_months(env):
    settings, store, tmp = env
    s = run_check(store, settings, write_roll(tmp / "roll.csv"), "dibao", out_dir=tmp / "out")
    h = _hits(store, s.check_id)
    assert set(h) == {3, 4, 5, 6, 8}
    assert (h[3].tier, h[3].status) == ("id_exact", AUTO_CONFIRMED)
    assert h[3].finding["after_death"] is True and h[3].finding["months_after_death"] == 15  # 2013-03 -> 2014-06
    assert months_between(20130315, 20140600) == 15
    assert (h[4].tier, h[4].status) == ("id_near", TO_REVIEW)
    assert h[4].evidence["id_number"]["positions"] == [10]
    assert h[4].finding["after_death"] is False  # paid up to the month of death: no finding
    assert (h[8].tier, h[8].status) == ("id_exact", AUTO_CONFIRMED)  # 15 digits converted; 蓬莱市 = 蓬莱区
    assert h[8].finding["months_after_death"] == 13  # 2011-01 -> 2012-02
    assert s.auto_confirmed == 2 and s.to_review == 3
    assert (s.paid_after_death, s.months_after_death, s.paid_after_death_to_review) == (2, 28, 2)  # 王秀英, 刘德福; 张桂兰 ×2
    report = (tmp / "out" / "report.md").read_text(encoding="utf-8")
    assert "死亡后仍发放" in report and "保留了什么" in report


def test_namesakes_are_never_confirmed_automatically(env):
    settings, store, tmp = env
    s = run_check(store, settings, write_roll(tmp / "roll.csv"), "dibao", out_dir=tmp / "out")
    h = _hits(store, s.check_id)
    for line in (5, 6):  # 张桂兰 twice, no ID on the roll, same birth date and county as the deceased
        assert (h[line].tier, h[line].status) == ("name_birth_place", TO_REVIEW)
        assert h[line].evidence["place"]["how"] == "same"
    assert 7 not in h  # 孙玉珍 born the same day with another valid ID: a namesake, no hit at all
    with open(tmp / "out" / "auto_confirmed.csv", encoding="utf-8-sig") as f:
        auto_lines = [r[0] for r in list(csv.reader(f))[1:]]
    assert auto_lines == ["roll.csv:3", "roll.csv:8"]


def test_export_holds_only_confirmed_hits_with_a_manifest(env):
    settings, store, tmp = env
    s = run_check(store, settings, write_roll(tmp / "roll.csv"), "dibao", out_dir=tmp / "out")
    h = _hits(store, s.check_id)
    decide_hit(store, h[5].id, CONFIRMED, user="rev", reason="户籍档案核实", expected=TO_REVIEW)
    decide_hit(store, h[6].id, NOT_SAME, user="rev", reason="住址不同，另一人", expected=TO_REVIEW)
    decide_hit(store, h[4].id, NOT_SAME, user="rev", expected=TO_REVIEW)
    with pytest.raises(CrosscheckError, match="decided meanwhile"):
        decide_hit(store, h[6].id, CONFIRMED, user="rev2", expected=TO_REVIEW)
    ex = export_check(store, s.check_id, tmp / "export", user="admin")
    assert (ex.confirmed, ex.auto_confirmed, ex.by_review, ex.not_same, ex.waiting) == (3, 2, 1, 2, 0)
    out = tmp / "export"
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for f in out.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    with open(out / "hits.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["名册位置"] for r in rows] == ["roll.csv:3", "roll.csv:5", "roll.csv:8"]
    assert [r["死亡后仍发放月数"] for r in rows] == ["15", "8", "13"]
    assert rows[2]["名册编号"].startswith("'=")  # a formula in a roll value is not run by a spreadsheet
    assert "死亡后仍发放 15 个月" in rows[0]["核查结论"]
    everything = "".join(p.read_text(encoding="utf-8-sig") for p in out.iterdir())
    for not_hit in ("李国华", _typo(B), "DB0004", "龙口市新嘉街道振华路3号", "孙玉珍", E2, "赵立新", L1, "DB0007"):
        assert not_hit not in everything, not_hit
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (
        manifest["条数"]["确认命中人员"] == 3
        and manifest["名册文件sha256"] == hashlib.sha256((tmp / "roll.csv").read_bytes()).hexdigest()
    )
    for name, meta in manifest["文件"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == meta["sha256"]
    assert [c.action for c in hit_history(store, check_id=s.check_id)][:1] == ["export"]


def test_closing_keeps_only_a_digest_of_entries_that_are_not_hits(env):
    settings, store, tmp = env
    s = run_check(store, settings, write_roll(tmp / "roll.csv"), "dibao", out_dir=tmp / "out")
    h = _hits(store, s.check_id)
    with pytest.raises(CrosscheckError, match="wait for review"):
        close_check(store, settings, s.check_id, user="admin")
    decide_hit(store, h[6].id, NOT_SAME, user="rev", reason="另一人")
    assert reveal(store, h[3].id, user="rev", reason="核对号码")["roll"] == A
    assert close_check(store, settings, s.check_id, user="admin", discard_unreviewed=True) == 3
    after = _hits(store, s.check_id)
    assert after[6].roll_values is None and len(after[6].roll_digest) == 64
    assert after[3].roll_values["name"] == "王秀英"  # a confirmed hit keeps its roll values
    assert not (tmp / "out" / "to_review.csv").exists() and (tmp / "out" / "auto_confirmed.csv").exists()
    with pytest.raises(CrosscheckError, match="closed"):
        decide_hit(store, h[5].id, CONFIRMED, user="rev")
    actions = [c.action for c in hit_history(store, check_id=s.check_id)]
    assert actions[0] == "close" and "reveal" in actions and "not_same" in actions


def test_no_roll_value_in_any_log_line(tmp_path, platform, caplog, capsys):
    roll = write_roll(tmp_path / "roll.csv")
    caplog.set_level(logging.DEBUG)
    rc = main(
        [
            "-v",
            "crosscheck",
            str(roll),
            "--kind",
            "dibao",
            "--platform",
            platform,
            "--data-dir",
            str(tmp_path / "data"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert rc == 0
    printed = capsys.readouterr()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "crosscheck 1:" in logged  # the check did log (counts and rows)
    for v in PERSONAL:
        assert v not in logged, f"a roll value in the log: {v[:2]}…"
        assert v not in printed.out and v not in printed.err, f"a roll value printed: {v[:2]}…"
    assert "roll.csv:10" in printed.out  # bad rows are named by place


def test_the_same_roll_is_not_checked_twice_and_a_killed_check_resumes(env):
    settings, store, tmp = env
    roll = write_roll(tmp / "roll.csv")
    whole = run_check(store, settings, roll, "dibao")
    with pytest.raises(CrosscheckError, match="already checked"):
        run_check(store, settings, roll, "dibao")
    assert run_check(store, settings, roll, "pension").check_id != whole.check_id  # another kind: another check

    settings2 = Settings(data_dir=str(tmp / "data2"), platform_url=settings.platform_url)
    settings2.data_path.mkdir()
    store2 = Store.open(settings2)

    def kill(rows, _hits):
        if rows >= 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_check(store2, settings2, roll, "dibao", chunk_rows=6, progress=kill)
    resumed = run_check(store2, settings2, roll, "dibao", chunk_rows=6)
    assert resumed.resumed_from == 6 and resumed.check_id == 1
    got = {(h.roll_line, h.tier, h.status) for h in _hits(store2, 1).values()}
    assert got == {(h.roll_line, h.tier, h.status) for h in _hits(store, whole.check_id).values()}
    again = run_check(store2, settings2, roll, "dibao", again=True)
    assert again.check_id == 2 and sum(again.hits.values()) == sum(whole.hits.values())
    store2.dispose()


def test_gb18030_csv_and_a_tab_separated_one(env):
    settings, store, tmp = env
    s = run_check(store, settings, write_roll(tmp / "gbk.csv", encoding="gb18030"), "dibao", background=False)
    assert s.auto_confirmed == 2  # read in this process (one core) as well as in a second one (the default)
    with open(tmp / "tab.txt", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter="\t").writerows([HEADER] + ROLL_ROWS[:3])
    t = run_check(store, settings, tmp / "tab.txt", "other")
    assert t.auto_confirmed == 1 and sum(t.hits.values()) == 3


def test_xlsx_roll_with_a_mapping_file_numbers_and_dates(env):
    from openpyxl import Workbook

    settings, store, tmp = env
    wb = Workbook()
    ws = wb.active
    ws.title = "2015年12月"
    ws.append(["烟台市城乡居民养老保险待遇领取人员名册"])
    ws.append(["序号", "对象", "公民身份号码", "出生日期", "待遇发放截止年月", "备注"])
    ws.append([1, "王秀英", A, dt.datetime(1938, 1, 2), "2015-12", ""])
    ws.append([2, "刘德福", float(D), dt.datetime(1932, 2, 2), 2015.1, ""])  # a number Excel rounded; a month as a decimal
    ws.append([3, "赵立新", L1, dt.datetime(1960, 1, 1), "2015-12", ""])
    ws2 = wb.create_sheet("说明")
    ws2.append(["本表由区县民政局报送"])
    wb.save(tmp / "roll.xlsx")
    (tmp / "map.toml").write_text('[columns]\nname = "对象"\nlast_date = "待遇发放截止年月"\n', encoding="utf-8")
    plain = run_check(store, settings, tmp / "roll.xlsx", "pension")  # without the mapping: IDs alone
    assert "对象" in plain.unrecognized and "name" not in str(plain.columns)
    s = run_check(
        store, settings, tmp / "roll.xlsx", "pension", RollOptions.load(tmp / "map.toml"), out_dir=tmp / "out", again=True
    )
    assert s.columns["2015年12月:name"] == "对象" and s.skipped_sheets == ["说明"]
    bad = {b["where"]: b["reason"] for b in s.bad_first}
    assert "Excel" in bad["roll.xlsx:2015年12月!4"] and "小数" in bad["roll.xlsx:2015年12月!4"]
    h = _hits(store, s.check_id)
    assert h[3].status == AUTO_CONFIRMED and h[3].finding["months_after_death"] == 33  # 2013-03 -> 2015-12
    assert h[4].tier == "name_birth_place"  # the rounded ID is not used; name + birth + place (unknown)


def test_a_marriage_record_gives_both_parties(env):
    settings, store, tmp = env
    header = ["结婚证字号", "男方姓名", "男方身份证号", "女方姓名", "女方公民身份号码", "登记日期"]
    rows = [
        ["J370602-1960-001", "赵立新", L1, "王秀英", A, "1960-05-01"],
        ["J370613-1962-002", "李国华", B, "", "", "1962-03-03"],
    ]
    s = run_check(store, settings, write_roll(tmp / "m.csv", rows, header, title=None), "marriage", out_dir=tmp / "out")
    h = list(_hits(store, s.check_id).values())
    assert sorted((x.roll_where, x.status) for x in h) == [
        ("m.csv:2（女方）", AUTO_CONFIRMED),
        ("m.csv:3（男方）", AUTO_CONFIRMED),
    ]
    with open(tmp / "out" / "auto_confirmed.csv", encoding="utf-8-sig") as f:
        assert "婚姻登记中仍为在婚" in f.read()


def test_bad_settings_and_files_fail_with_a_clear_message(env):
    settings, store, tmp = env
    with pytest.raises(ConfigError, match="unknown field"):
        RollOptions.load(column_args=["nmae=姓名"])
    with pytest.raises(ConfigError, match="FIELD=HEADER"):
        RollOptions.load(column_args=["name"])
    (tmp / "empty.csv").write_bytes(b"")
    with pytest.raises(RollError, match="empty"):
        run_check(store, settings, tmp / "empty.csv", "dibao")
    (tmp / "fake.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(RollError, match="not a readable .xlsx"):
        run_check(store, settings, tmp / "fake.xlsx", "dibao")
    (tmp / "noheader.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert (
        main(
            [
                "crosscheck",
                str(tmp / "noheader.csv"),
                "--kind",
                "dibao",
                "--data-dir",
                settings.data_dir,
                "--platform",
                settings.platform_url,
            ]
        )
        == 3
    )
    with pytest.raises(CrosscheckError, match="unknown roll kind"):
        run_check(store, settings, write_roll(tmp / "roll.csv"), "welfare")


@pytest.mark.postgres
def test_the_deceased_on_a_postgresql_platform_and_the_store_there_too(tmp_path, pg_url, pg_server):
    import uuid

    import psycopg
    from psycopg import sql

    fill_platform(pg_url)
    store_db = "s_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(store_db)))
    settings = Settings(data_dir=str(tmp_path / "data"), platform_url=pg_url, db_url=pg_server.rsplit("/", 1)[0] + "/" + store_db)
    store = Store.open(settings)
    try:
        s = run_check(store, settings, write_roll(tmp_path / "roll.csv"), "dibao", out_dir=tmp_path / "out")
        h = _hits(store, s.check_id)
        assert set(h) == {3, 4, 5, 6, 8} and h[3].finding["months_after_death"] == 15
        assert (s.auto_confirmed, s.to_review) == (2, 3)
    finally:
        store.dispose()
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(store_db)))


def test_a_person_known_from_a_sea_burial_alone_is_found_and_one_person_is_one_hit(env):
    settings, store, tmp = env
    rows = [
        ["1", "周国强", "男", G, "1938-08-08", "牟平区宁海街道", "P001", "2016-01"],
        ["2", "孙玉珍", "女", E, "1950-10-10", "芝罘区向阳街道", "P002", "2016-08"],
    ]
    s = run_check(store, settings, write_roll(tmp / "sea.csv", rows), "pension")
    h = _hits(store, s.check_id)
    assert set(h) == {3, 4} and all(x.status == AUTO_CONFIRMED for x in h.values())
    assert h[3].platform_table == "sea_burial_registration"
    assert h[3].finding == {
        "death_date": "2015-05-05",
        "death_date_is_bound": True,
        "last_date": "2016-01",
        "after_death": True,
        "months_after_death": 8,
    }
    assert h[4].platform_table == "dead_information"  # her sea burial row is not a second person


def test_headers_a_card_number_is_not_the_id_and_a_title_line_is_passed_over(tmp_path):
    from pipeline.crosscheck.rolls import open_roll

    path = write_roll(
        tmp_path / "p.csv",
        [["1", "王秀英", "1234567890", A, "2015-06"]],
        ["序号", "参保人姓名", "社会保障卡号", "社会保障号码", "发放年月"],
        title="养老金发放名册（2015年6月）",
    )
    layout, _ = open_roll(path)
    assert layout.sections[0].header_line == 2
    assert layout.sections[0].mapping() == {"name": "参保人姓名", "id_number": "社会保障号码", "last_date": "发放年月"}
    assert layout.sections[0].unrecognized == []  # 序号 and 社会保障卡号 are known non-fields
