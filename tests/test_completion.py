"""Completion tracking: the inventory import, the matching of scans to volumes, and `backfill status`,
the completion function and the administrator page agreeing with the store's own counts."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from reviewing import approve_as_reviewer
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from pipeline.archive.inventory import InventoryError, Selection, identify_files, import_inventory, parse_years
from pipeline.cli import main
from pipeline.kernel.config import Settings
from pipeline.kernel.store import LedgerVolume, LoadedRecord, Page, Quarantine, Record, SourceFile, Store
from pipeline.page.routing import REJECTED
from pipeline.platform.load import load
from pipeline.review.corrections import decide
from pipeline.review.users import add_user, set_language
from pipeline.runs import completion as C
from pipeline.runs.manage import batches, plan_files
from samples.seed import seed_store

APP = str(Path(__file__).resolve().parent.parent / "review_app" / "app.py")
YANTAI, LONGKOU = "370600100001", "370681100001"

INVENTORY = f"""funeral_home,ledger_kind,year,volume,expected_pages,path_pattern,notes
{YANTAI},cremation,2013,1,3,seeded/yantai_cremation_2013_*,
烟台市殡仪馆,sea_burial,2013,1,4,,
{YANTAI},cremation,2012,1,5,,
{LONGKOU},cremation,2013,1,2,,
{LONGKOU},cremation,2013,2,2,,
{LONGKOU},sea_burial,2015,1,30,,never scanned yet
"""


@pytest.fixture()
def env(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("BACKFILL_DATA_DIR", str(data))
    monkeypatch.delenv("BACKFILL_DB_URL", raising=False)
    monkeypatch.delenv("BACKFILL_PLATFORM_URL", raising=False)
    settings = Settings.load()
    store = Store.open(settings)
    seed_store(store, settings, homes=("yantai", "longkou"), years=(2012, 2013), pages=2, unsure_share=0.4)
    inv = tmp_path / "inventory.csv"
    inv.write_text(INVENTORY, encoding="utf-8")
    import_inventory(store, inv, settings)
    # a reviewer's work: some approved, some rejected; then a load of what is loadable
    with store.session() as s:
        waiting = list(s.scalars(select(Record.id).where(Record.status == "needs_review").order_by(Record.id)))
    for rid in waiting[:5]:  # the reviewer checked every flagged value, then approved
        approve_as_reviewer(store, rid, "rev", settings)
    for rid in waiting[5:8]:
        decide(store, rid, REJECTED, user="rev", reason="not a record")
    load(store, settings)
    with store.session() as s, s.begin():  # a scan intake refused, named by the first volume's pattern
        s.add(Quarantine(rel_path="seeded/yantai_cremation_2013_broken.pdf", sha256="0" * 64, reason="corrupt", message="x"))
        s.add(Quarantine(rel_path="elsewhere/unknown.pdf", sha256="1" * 64, reason="empty_file", message="y"))
    yield store, settings, tmp_path
    store.dispose()


def store_counts(store: Store) -> dict[str, int]:
    """The store's own counts, straight from its tables."""
    with store.session() as s:
        by_status = dict(s.execute(select(Record.status, func.count(Record.id)).group_by(Record.status)).all())
        return {
            "scanned": s.scalar(select(func.count(Page.id))),
            "processed": s.scalar(select(func.count(Page.id)).where(Page.status == "done")),
            "records": s.scalar(select(func.count(Record.id))),
            "auto_accepted": by_status.get("auto_accepted", 0),
            "in_review": by_status.get("needs_review", 0),
            "approved": by_status.get("approved", 0),
            "rejected": by_status.get("rejected", 0),
            "loaded": s.scalar(select(func.count(LoadedRecord.record_id))),
            "quarantined": s.scalar(select(func.count(Quarantine.id))),
            "expected_pages": s.scalar(select(func.sum(LedgerVolume.expected_pages))),
        }


def test_completion_adds_up_to_the_store_counts_at_every_level(env):
    store, settings, _ = env
    want = store_counts(store)
    assert want["approved"] == 5 and want["rejected"] == 3 and want["loaded"] > 0 and want["in_review"] > 0
    for level in C.LEVELS:
        total = C.totals(C.completion(store, settings, level))
        assert {k: getattr(total, k) for k in want} == want, level
    vol = {(r.funeral_home, r.ledger_kind, r.year, r.volume): r for r in C.completion(store, settings, "volume")}
    # matched by path pattern (and its quarantined file), by title, ambiguous (two volumes), never scanned
    assert vol[(YANTAI, "cremation", 2013, "1")].scanned == 2 and vol[(YANTAI, "cremation", 2013, "1")].quarantined == 1
    assert vol[(YANTAI, "sea_burial", 2013, "1")].scanned == 2 and vol[(YANTAI, "sea_burial", 2013, "1")].expected_pages == 4
    assert vol[(LONGKOU, "cremation", 2013, None)].scanned == 2  # two inventory volumes share home/kind/year
    assert vol[(LONGKOU, "sea_burial", 2015, "1")].scanned == 0 and vol[(LONGKOU, "sea_burial", 2015, "1")].expected_pages == 30
    assert vol[(LONGKOU, "sea_burial", 2012, None)].in_inventory is False
    assert vol[("?", "?", None, None)].quarantined == 1
    assert vol[(YANTAI, "sea_burial", 2013, "1")].pages_done_pct == 50.0


def test_status_cli_json_and_csv_agree_with_the_completion_function(env):
    store, settings, tmp = env
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["status", "--json", "--csv", str(tmp / "status.csv")]) == 0
    doc = json.loads(out.getvalue())
    rows = C.completion(store, settings, "year")
    assert [(r["funeral_home"], r["ledger_kind"], r["year"]) for r in doc["rows"]] == [
        (r.funeral_home, r.ledger_kind, r.year) for r in rows
    ]
    for got, r in zip(doc["rows"], rows):
        assert {k: got[k] for k in C.COUNTS} == {k: getattr(r, k) for k in C.COUNTS}
    want = store_counts(store)
    assert {k: doc["total"][k] for k in want} == want
    with open(tmp / "status.csv", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert len(table) == len(rows)
    assert sum(int(t["records"]) for t in table) == want["records"]
    assert sum(int(t["loaded"]) for t in table) == want["loaded"]
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["status"]) == 0
    total_line = out.getvalue().strip().splitlines()[-1].split()
    assert total_line[:2] == ["合计", "TOTAL"]
    assert int(total_line[-2]) == want["loaded"] and int(total_line[-1]) == want["quarantined"]


def test_status_table_is_chinese_first_and_its_columns_line_up(env):
    """The administrator reads Chinese: headings and ledger kinds come in Chinese first, and the numbers
    stand under their headings in a terminal (a Chinese character takes two columns)."""
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["status", "--by", "volume"]) == 0
    lines = out.getvalue().rstrip("\n").splitlines()
    assert lines[0].split()[:4] == ["殡仪馆代码", "登记簿", "年份", "册"] and lines[0].split()[-1] == "隔离文件"
    assert lines[1].split()[:3] == ["home", "kind", "year"]
    body = " ".join(lines[2:])
    assert "火化登记" in body and "海葬登记" in body and "cremation" not in body
    # every line ends its last (right-aligned) column at the same terminal column
    from pipeline.kernel.safety import display_width

    assert len({display_width(line) for line in lines}) == 1
    # the same words as the review app's completion page
    from review_app.i18n import t

    assert t("done.col.quarantined", "zh") == C.COLUMN_LABELS["quarantined"][0] == "隔离文件"


def test_status_piped_into_a_reader_that_stops_ends_quietly(env, tmp_path):
    """`backfill status | head -1`: the reader closes the pipe; no traceback, exit 0."""
    import subprocess
    import sys

    env_vars = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "status", "--by", "volume"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env_vars,
        cwd=tmp_path,
    )
    proc.stdout.close()  # the reader is gone before anything is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_admin_page_shows_the_same_table_and_totals(env):
    store, settings, _ = env
    add_user(store, "boss", "administrator", "password-boss")
    add_user(store, "rev", "reviewer", "password-rev")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input(key="login_user").input("rev")
    at.text_input(key="login_password").input("password-rev")
    at.button[0].click().run()
    assert "完成情况" not in at.sidebar.radio(key="nav").options  # administrators only
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    set_language(store, "boss", "en")  # this administrator reads English
    at.text_input(key="login_user").input("boss")
    at.text_input(key="login_password").input("password-boss")
    at.button[0].click().run()
    at.sidebar.radio(key="nav").set_value("completion").run()
    assert not at.exception
    want = store_counts(store)
    metrics = {m.label: int(m.value) for m in at.metric}
    assert metrics == {
        "Expected pages": want["expected_pages"],
        "Scanned pages": want["scanned"],
        "Processed pages": want["processed"],
        "Records": want["records"],
        "In review": want["in_review"],
        "Loaded": want["loaded"],
    }
    df = at.dataframe[0].value
    rows = C.completion(store, settings, "year")
    assert len(df) == len(rows)
    assert df["records"].sum() == want["records"] and df["loaded"].sum() == want["loaded"]
    assert list(df["in review"]) == [r.in_review for r in rows]
    at.radio(key="completion_level").set_value("volume").run()
    assert len(at.dataframe[0].value) == len(C.completion(store, settings, "volume"))


def test_inventory_import_reports_every_bad_line_and_imports_nothing(env, tmp_path):
    store, settings, _ = env
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "funeral_home,ledger_kind,year,volume,expected_pages\n"
        f"{YANTAI},cremation,2014,1,10\n"  # fine
        "某某殡仪馆,cremation,2014,1,10\n"  # line 3: unknown home
        f"{YANTAI},burial,2014,1,10\n"  # line 4: unknown kind
        f"{YANTAI},cremation,20x4,1,10\n"  # line 5: year
        f"{YANTAI},cremation,2014,2,0\n"  # line 6: pages
        f"{YANTAI},cremation,2014,1,12\n",  # line 7: same as line 2
        encoding="utf-8",
    )
    before = store_counts(store)["expected_pages"]
    with pytest.raises(InventoryError) as e:
        import_inventory(store, bad, settings)
    # each bad line Chinese first, its English after it
    assert [p.split("：")[0] for p in e.value.problems] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行", "第 7 行"]
    assert [p.split(" / ")[1].split(":")[0] for p in e.value.problems] == ["line 3", "line 4", "line 5", "line 6", "line 7"]
    assert e.value.problems[2].startswith("第 5 行：年份（year）'20x4' 不是 2000 到 2100 之间的年份 / line 5: year '20x4'")
    assert "bad.csv" in str(e.value) and e.value.problems[-1].startswith("第 7 行：与第 2 行是同一册 / ")
    assert store_counts(store)["expected_pages"] == before
    err = io.StringIO()
    from contextlib import redirect_stderr

    with redirect_stderr(err):
        assert main(["inventory", "import", str(bad)]) == 3
    assert "error: 输入文件无法使用 / " in err.getvalue() and "5 行有误，未导入任何卷册" in err.getvalue()
    assert "第 5 行：年份" in err.getvalue() and "line 5" in err.getvalue()
    # one bad line per line of the message, so a long list stays readable
    said_lines = [ln.strip() for ln in err.getvalue().splitlines()]
    assert [ln.split("：")[0] for ln in said_lines if ln.startswith("第 ")] == [
        "第 3 行",
        "第 4 行",
        "第 5 行",
        "第 6 行",
        "第 7 行",
    ]
    (tmp_path / "cols.csv").write_text("home,kind\nx,y\n", encoding="utf-8")
    with pytest.raises(InventoryError) as e:
        import_inventory(store, tmp_path / "cols.csv", settings)
    assert re.match("第 1 行：缺少列 .* / line 1: missing column", e.value.details[0])
    # a file that cannot be read at all is said so, not counted as "1 bad line"
    for name, content in (("missing.csv", None), ("gbk.csv", "殡仪馆".encode("gbk"))):
        if content is not None:
            (tmp_path / name).write_bytes(content)
        with pytest.raises(InventoryError) as e:
            import_inventory(store, tmp_path / name, settings)
        said = str(e.value)
        assert name in said and "行有误" not in said and "bad line" not in said and "未导入任何卷册" in said
        assert ("不存在或权限不足" if content is None else "不是 UTF-8 编码") in said
        assert "UTF-8" in e.value.hint
    # importing again updates a volume's expected pages and adds nothing twice
    again = tmp_path / "again.csv"
    again.write_text(INVENTORY.replace(f"{LONGKOU},sea_burial,2015,1,30", f"{LONGKOU},sea_burial,2015,1,31"), encoding="utf-8")
    res = import_inventory(store, again, settings)
    assert (res.added, res.updated, res.unchanged) == (0, 1, 5)
    assert store_counts(store)["expected_pages"] == before + 1


def test_run_selection_by_home_and_year_and_page_batches(env):
    store, settings, _ = env
    with store.session() as s:
        files = {sf.rel_path: sf.id for sf in s.scalars(select(SourceFile))}
    ids = sorted(files.values())
    plan = plan_files(store, settings, ids, Selection(homes=("龙口市殡仪馆",), years=(2013,)))
    assert sorted(plan.selected) == sorted(i for p, i in files.items() if "longkou" in p and "2013" in p)
    assert plan.excluded == len(ids) - len(plan.selected) and not plan.unidentified
    plan = plan_files(store, settings, ids, Selection(volumes=("1",), years=(2013,)))
    assert {p for p, i in files.items() if i in plan.selected} == {p for p in files if "yantai" in p and "2013" in p}
    assert len(plan_files(store, settings, ids, Selection()).selected) == len(ids)
    matches = identify_files(store, settings)
    assert {m.how for m in matches.values()} == {"pattern", "title"}
    assert parse_years(["2010-2012", "2015,2017"]) == (2010, 2011, 2012, 2015, 2017)
    assert [len(b) for b in batches(list(range(10)), 4)] == [4, 4, 2]
    assert len(batches(list(range(10_000)), 4)) <= 300  # task runs per flow run stay in the hundreds


def test_admin_page_has_no_none_and_its_charts_show_the_first_day(env):
    """Issue 22 item 8 as an administrator reads the page: a dash or the reason instead of "None", and
    charts that show something with one day of data (a point per series), both register kinds apart."""
    store, settings, _ = env
    add_user(store, "boss", "administrator", "password-boss")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input(key="login_user").input("boss")
    at.text_input(key="login_password").input("password-boss")
    at.button[0].click().run()
    at.sidebar.radio(key="nav").set_value("completion").run()
    for level in ("year", "volume", "ledger", "home"):
        at.radio(key="completion_level").set_value(level).run()
        assert not at.exception
        cells = at.dataframe[0].value.astype(str).to_numpy().ravel().tolist()
        assert not {"None", "nan", "NaN", "<NA>", ""} & set(cells), level
    at.radio(key="completion_level").set_value("volume").run()
    volumes = at.dataframe[0].value  # scans matched to no inventory volume say so
    assert "未对应到清单中的册" in set(volumes["册"]) and "—" not in set(volumes["册"])
    want = store_counts(store)
    charts = "\n".join(m.value for m in at.markdown)
    points = C.over_time(store, want["expected_pages"], settings.time_zone)
    assert len(points) == 1  # everything here happened today: one day of data
    day = points[0].day.isoformat()
    assert charts.count("<circle") == 3  # pages read, records loaded, records waiting: one point each
    assert f"已识别页数 · {day}: {want['processed']}" in charts and f"已入库记录 · {day}: {want['loaded']}" in charts
    assert "火化登记" in charts and "海葬登记" in charts  # the by-year bars, one chart per register kind
    assert f"2013 · 应有页数: {3 + 2 + 2 + 4}" not in charts  # cremation and sea burial are not summed together
    assert f"2013 · 应有页数: {3 + 2 + 2}" in charts and "2013 · 应有页数: 4" in charts


def test_chart_markup_escapes_names_and_shows_a_single_day():
    from datetime import date

    from review_app import charts

    bad = '<img src=x onerror="alert(1)">'
    svg = charts.timeline([date(2026, 12, 1)], {bad: [7]}, label=bad, y_title="n")
    assert "<img" not in svg and "&lt;img" in svg and svg.count("<circle") == 1 and "2026-12-01: 7" in svg
    bars = charts.grouped_bars(["2010", "2011"], {bad: [0, 3]}, label="x", y_title="n")
    assert "<img" not in bars and bars.count("<rect") == 2 + 1  # two bars (a zero still shows) and the legend
    listed = charts.bar_list([(f"{bad} {i}", i) for i in range(1, 21)], label="x", more="{n} more")
    assert "<img" not in listed and "5 more" in listed and ">20<" in listed and "&lt;img" in listed


def test_status_without_an_inventory_says_why_no_completion_rate_and_where_the_measured_error_is(env, tmp_path, monkeypatch):
    """Before: a table of 0 expected pages and empty done % columns, and nothing said why."""
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["status"]) == 0
    assert "backfill inventory import" not in out.getvalue()  # the inventory is there: no note
    data = tmp_path / "bare"
    monkeypatch.setenv("BACKFILL_DATA_DIR", str(data))
    settings = Settings.load()
    with Store.open(settings) as store:
        seed_store(store, settings, homes=("yantai",), years=(2013,), pages=1)
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["status"]) == 0
    last = out.getvalue().rstrip("\n").splitlines()[-1]
    assert last.startswith("清单中没有这些卷册：不知道应有多少页，无法计算完成率；请用 backfill inventory import")
    assert "backfill status --quality" in last.split(" / ")[0]
