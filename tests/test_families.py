"""The generator's variation families (samples/families.py) and the scoring that uses them
(pipeline.quality.evaluate: pages, struck rows, structure, kinds of failure)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from samples import generator as g
from samples.families import ALL_FAMILIES, DESIGN_FAMILIES, FAMILIES, MISPRINTS

# Written out again on purpose: the test must not trust the generator's own tables.
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
GB3304 = {"汉": "01", "汉族": "01", "蒙古族": "02", "回族": "03", "朝鲜族": "10", "满族": "11"}
ISSUERS = {"医院": "1", "派出所": "2", "村委会": "3", "居委会": "3", "社区": "3", "单位": "4"}


def check_ok(id18: str) -> bool:
    return (
        len(id18) == 18 and id18[:17].isdigit() and "10X98765432"[sum(int(d) * w for d, w in zip(id18, WEIGHTS)) % 11] == id18[17]
    )


# registers chosen for what their family drew (checked by the tests that use them)
RED = dict(family="red_book", seed=16, home="yantai", year=2010)  # red ruling, a column line left out, 民族
PHOTO = dict(family="phone_photo", seed=4, home="laizhou", year=2014)  # certificates with the serial fused in front
PHOTO_SEA = dict(family="phone_photo", seed=1, home="haiyang", year=2011)  # sea areas with directions
CARBON = dict(family="faded_carbon", seed=1, home="haiyang", year=2011)  # struck rows, villages in no list


def register(kind: str, family: str, seed: int, home: str, year: int):
    return g.get_register(seed, home, year, kind, family=family)


# --------------------------------------------------------------------------- data: what is written
@pytest.mark.parametrize("family", sorted(ALL_FAMILIES))
def test_family_registers_are_deterministic_and_consistent(family):
    year = ALL_FAMILIES[family].years[0]
    for kind in ("cremation", "sea_burial"):
        a = g.get_register(1, "haiyang", year, kind, family=family)
        g._family_register.cache_clear()
        b = g.get_register(1, "haiyang", year, kind, family=family)
        assert a is not b
        assert [(r.cells, r.record, r.struck) for r in a.rows] == [(r.cells, r.record, r.struck) for r in b.rows]
        assert g.get_register(1, "haiyang", year, kind).fam is None  # the default register is not the family's
        cols = a.columns
        assert len(cols) == len(set(cols)) == len(a.style.headers) <= ALL_FAMILIES[family].max_columns
        for row in a.rows:
            assert len(row.cells) == len(cols)
            rec = row.record
            if row.struck:
                continue
            if rec.get("id_number"):
                assert check_ok(rec["id_number"])
            if rec.get("cremation_cert_no"):
                assert re.fullmatch(rf"{a.year}\d{{5}}", rec["cremation_cert_no"])
            cells = dict(zip(cols, row.cells))
            if "ethnicity_code" in cols and kind == "cremation":
                assert rec["ethnicity_code"] == GB3304[cells["ethnicity_code"]]
            if "death_cert_issuer_type" in cols:
                assert rec["death_cert_issuer_type"] == ISSUERS[cells["death_cert_issuer_type"]]
            if "birth_date" in cols and rec.get("id_number"):
                assert rec["birth_date"] == f"{rec['id_number'][6:10]}-{rec['id_number'][10:12]}-{rec['id_number'][12:14]}"
            for name in g.CREMATION_COLUMNS if kind == "cremation" else g.SEA_COLUMNS:
                if name in rec and name not in cols and name != "remarks":
                    assert rec[name] is None, name  # no column on the form: nothing written, nothing expected
            if "sea_area" in cols:
                assert rec["sea_area"] == cells["sea_area"]
            if "household_address" in cols:
                assert rec["household_address"] == cells["household_address"]
            if "row_no" in cols:
                assert cells["row_no"].isdigit()


@pytest.mark.parametrize("family", sorted(f for f, fam in DESIGN_FAMILIES.items() if fam.reorder))
def test_editions_order_their_columns_otherwise(family):
    """A family with editions (reorder) draws its registers' columns in several orders, each a
    permutation of the family's columns (the serial, where first, kept first); the held-out families
    draw none (their registers are as before)."""
    fam = DESIGN_FAMILIES[family]
    orders = set()
    for seed in range(1, 7):
        reg = g.get_register(seed, "yantai", fam.years[0], "cremation", family=family)
        known = [c for c, _share in fam.layout["cremation"]]
        assert set(reg.columns) <= set(known)
        assert "row_no" not in reg.columns or known[0] != "row_no" or reg.columns[0] == "row_no"
        orders.add(tuple(c for c in reg.columns if c in ("deceased_name", "id_number", "death_date", "agent_name")))
    assert len(orders) >= 2
    assert all(f.reorder == 0 for f in FAMILIES.values())


def test_certificate_styles_normalize_to_year_and_serial():
    assert [g.format_cert(2013, 514, s, lead=78) for s in g.FAMILY_CERT_STYLES] == [
        "201300514",
        "No.201300514",
        "2013-00514",
        "13-0514",
        "NO.201300514",
        "№201300514",
        "火字第514号",
        "782013-00514",
    ]
    d = g.dt.date(2013, 4, 7)
    assert [g.format_date(d, s) for s in g.FAMILY_DATE_STYLES[6:]] == ["2013.04.07", "20130407", "4月7日", "13年4月7日"]
    reg = register("cremation", **PHOTO)
    assert reg.style.cert_style == "fused"
    j = reg.columns.index("cremation_cert_no")
    fused = 0
    for n, row in enumerate(reg.rows, start=1):
        cert = row.cells[j]
        if cert.startswith(f"{n}{reg.year}-"):  # the row's serial fused in front of the certificate
            assert cert == f"{n}{row.record['cremation_cert_no'][:4]}-{row.record['cremation_cert_no'][4:]}"
            fused += 1
    assert fused > len(reg.rows) // 2


def test_values_outside_every_list():
    from mapping.places import villages_of
    from mapping.spec import load_spec

    sea = register("sea_burial", **PHOTO_SEA)
    assert any(d in r.record["sea_area"] for r in sea.rows for d in ("东侧", "西侧", "南侧", "北侧", "以东", "以北", "以南"))
    listed = {a for h in g.HOMES for a in h.sea_areas}
    assert any(r.record["sea_area"] not in listed for r in sea.rows)
    crem = register("cremation", **CARBON)
    base = g.get_register(crem.seed, crem.home.slug, crem.year, "cremation")
    spec = load_spec()
    changed = 0
    for fr, br in zip([r for r in crem.rows if not r.struck], base.rows):
        if fr.record["household_address"] != br.record["household_address"]:
            changed += 1
            town = next(t for ts in g.TOWNS.values() for t in ts if t in fr.record["household_address"])
            village = fr.record["household_address"].split(town, 1)[1].split("村", 1)[0] + "村"
            assert village not in villages_of(town, spec)
    assert changed > 20


def test_struck_rows_say_what_they_are():
    reg = register("cremation", **CARBON)
    assert sum(r.struck for r in reg.rows) >= 5
    for i, row in enumerate(reg.rows):
        if row.struck:
            right = reg.rows[i + 1]  # the right entry follows the struck one
            assert not right.struck and right.person_id == row.person_id
            changed = row.strike["changed"]
            assert row.record[changed] != right.record[changed] or row.record["id_number_raw"] != right.record["id_number_raw"]


def test_header_misprints_are_listed():
    wrong = {b for _a, b in MISPRINTS}
    seen = 0
    for seed in range(1, 6):
        reg = g.get_register(seed, "haiyang", 2011, "cremation", family="phone_photo")
        for j, head in enumerate(reg.style.headers):
            assert (j in reg.fam.misprints) == any(w in head for w in wrong)
            seen += j in reg.fam.misprints
    assert seen


# --------------------------------------------------------------------------- pixels: what is drawn
@pytest.fixture(scope="module")
def red_page():
    """A red-ruled page with a column line left out and a 民族 column, drawn without degradation."""
    reg = register("cremation", **RED)
    assert reg.fam.ruling == "red" and reg.fam.missing_line not in (None, 1) and "ethnicity_code" in reg.columns
    kw = dict(
        seed=reg.seed, home=reg.home.slug, year=reg.year, register_page=2, severity=0.0, dpi=150, family="red_book", orientation=0
    )
    img, gt = g.render_page("cremation", **kw)
    return img, gt, kw


def test_family_page_is_deterministic(red_page):
    img, gt, kw = red_page
    img2, gt2 = g.render_page("cremation", **kw)
    assert img.tobytes() == img2.tobytes()
    assert json.dumps(gt, sort_keys=True) == json.dumps(gt2, sort_keys=True)


@pytest.mark.parametrize("family", ["bilevel_print", "phone_photo", "faded_carbon"])
def test_each_family_renders_deterministically(family):
    kw = dict(seed=2, home="haiyang", year=FAMILIES[family].years[0], register_page=1, dpi=150, family=family)
    (a, ga), (b, gb) = g.render_page("sea_burial", **kw), g.render_page("sea_burial", **kw)
    assert ga["family"] == family and a.mode == b.mode and a.tobytes() == b.tobytes()
    assert json.dumps(ga, sort_keys=True) == json.dumps(gb, sort_keys=True)


def test_truth_matches_what_is_drawn(red_page):
    img, gt, _kw = red_page
    a = np.asarray(img.convert("RGB")).astype(int)
    assert gt["family"] == "red_book" and gt["has_table"] and gt["orientation"] == 0
    assert np.allclose(np.array(gt["degradation"]["homography"]), np.eye(3), atol=1e-6)  # severity 0: no warp
    xs, ys = gt["grid"]["x"], gt["grid"]["y"]
    mid = (ys[2] + ys[3]) // 2

    def reddish(x: int) -> bool:  # a red ruling pixel within 2 px of x on the row's middle line
        px = a[mid, x - 2 : x + 3]
        return bool(((px[:, 0] - px[:, 1]) > 60).any())

    missing = gt["ruling"]["missing_line"]
    assert gt["ruling"]["colour"] == "red" and missing is not None
    assert not reddish(xs[missing])  # the line left out between two columns
    assert all(
        reddish(x)
        for j, x in enumerate(xs)
        if j != missing and not any(s[0] <= x <= s[2] and s[1] <= mid <= s[3] for s in gt["ruling"]["missing_stretches"])
    )
    # the extra 民族 column: its values are in the truth, and drawn where the truth says
    j = gt["columns"].index("ethnicity_code")
    assert gt["column_names"][j] == "ethnicity_code"
    for row in gt["rows"]:
        x0, y0, x1, y1 = row["ink_boxes"][j]
        assert a[y0:y1, x0:x1].min() < 120  # ink there
        assert row["record"]["ethnicity_code"] == GB3304[row["cells"][j]]


def test_orientation_turns_the_page_and_its_homography():
    reg = register("sea_burial", **PHOTO_SEA)
    kw = dict(seed=reg.seed, home=reg.home.slug, year=reg.year, register_page=1, severity=0.5, dpi=150, family="phone_photo")
    up, gt0 = g.render_page("sea_burial", orientation=0, **kw)
    turned, gt90 = g.render_page("sea_burial", orientation=90, **kw)
    assert gt90["orientation"] == 90 and turned.size == (up.height, up.width) == tuple(gt90["scan"]["size"])
    # turning the scan back 90° counter-clockwise gives the upright scan, pixel for pixel
    assert np.array_equal(np.rot90(np.asarray(turned), 1), np.asarray(up))
    # the homography maps a page point to where it is on each scan
    H0, H90 = np.array(gt0["degradation"]["homography"]), np.array(gt90["degradation"]["homography"])
    x0, y0, x1, y1 = gt0["table_box"]
    for px, py in ((x0, y0), (x1, y1), ((x0 + x1) / 2, (y0 + y1) / 2)):
        u = H0 @ [px, py, 1]
        v = H90 @ [px, py, 1]
        u, v = u[:2] / u[2], v[:2] / v[2]
        assert np.allclose(v, [up.height - u[1], u[0]], atol=0.01)


def test_bilevel_pages_are_one_bit(tmp_path):
    import shutil
    import subprocess

    files = g.generate_set(tmp_path, pages=1, seed=4, family="bilevel_print")
    assert [f.suffix for f in files] == [".pdf"]
    doc = json.loads(files[0].with_name(files[0].stem + ".gt.json").read_text(encoding="utf-8"))
    assert doc["generator"]["family"] == "bilevel_print"
    page = doc["pages"][0]
    assert page["scan"]["bilevel"] and page["scan"]["mode"] == "bilevel" and page["has_table"]
    for name, spec_field in zip(page["column_names"], page["columns"]):
        assert spec_field == (None if name.startswith("extra:") else name)
    if shutil.which("pdfimages"):
        listing = subprocess.run(["pdfimages", "-list", str(files[0])], capture_output=True, text=True, check=True).stdout
        image = listing.splitlines()[2].split()
        assert image[6:9] == ["1", "1", "ccitt"]  # one component, one bit, CCITT: a 1-bit scan


# --------------------------------------------------------------------------- scoring (pipeline.quality.evaluate)
def _stored_scan(store, scan, read: list, title: str, *, sha: str, no_table_pages: tuple[int, ...] = ()) -> int:
    """A processed cremation scan in the store: its page 1 read with columns `read` (fields, None: none),
    the `no_table_pages` found without a table. Page 1's id."""
    from pipeline.kernel.store import Page, SourceFile

    with store.session() as s, s.begin():
        sf = SourceFile(
            sha256=sha * 64,
            rel_path=scan.name,
            abs_path=str(scan.resolve()),
            size_bytes=9,
            media_type="pdf",
            page_count=1 + len(no_table_pages),
            status="processed",
        )
        s.add(sf)
        s.flush()
        page = Page(file_id=sf.id, page_no=1, status="done", ledger_kind="cremation", title=title, layout={"columns": read})
        s.add_all([page, *(Page(file_id=sf.id, page_no=n, status="no_table") for n in no_table_pages)])
        s.flush()
        return page.id


def test_scoring_tells_kinds_of_failure_apart(tmp_path):
    """A pipeline that lost a file, mapped one column to nothing, swapped two, left a written cell blank
    and auto-accepted all of it (a struck row too) is caught on every count, without OCR."""
    from pipeline.kernel.config import Settings
    from pipeline.kernel.models import RawCell
    from pipeline.kernel.store import Record, Store
    from pipeline.page.extract import map_rows, save_records
    from pipeline.quality.evaluate import evaluate

    reg = register("cremation", **CARBON)
    page_no = next(p for p in range(1, reg.n_pages + 1) if any(r.struck for r in reg.page_rows(p)))
    rows = reg.page_rows(page_no)
    cols = list(reg.columns)
    truth_cols = [None if c.startswith("extra:") else c for c in cols]

    def gpage(n: int, rws) -> dict:
        return {
            "page": n,
            "has_table": True,
            "columns": truth_cols,
            "column_names": cols,
            "handwritten": True,
            "rows": [
                {"row": i, "cells": r.cells, "record": r.record, **({"struck": True} if r.struck else {})}
                for i, r in enumerate(rws, start=1)
            ],
        }

    scans = tmp_path / "scans"
    scans.mkdir()
    for name, pages in (
        ("book", [gpage(1, rows), {"page": 2, "has_table": False, "columns": [], "rows": []}]),
        ("lost", [gpage(1, reg.page_rows(page_no + 1))]),
    ):
        (scans / f"{name}.pdf").write_bytes(b"%PDF-1.4\n")  # never read: the store below says what was made of it
        (scans / f"{name}.gt.json").write_text(json.dumps({"file": f"{name}.pdf", "pages": pages}, ensure_ascii=False))
    settings = Settings(data_dir=str(tmp_path / "data"), thresholds_file="", auto_accept_threshold=0.0)
    store = Store.open(settings)
    read = list(truth_cols)
    read[read.index("age_years")] = None  # a header not recognized: the column mapped to nothing
    a, b = read.index("agent_name"), read.index("agent_relation_code")
    read[a], read[b] = read[b], read[a]  # two columns swapped
    blank_col = cols.index("death_date")
    page_id = _stored_scan(store, scans / "book.pdf", read, reg.title, sha="0", no_table_pages=(2,))
    cells = [
        (i, [RawCell("" if (i == 1 and j == blank_col) else text, 1.0, None) for j, text in enumerate(r.cells)])
        for i, r in enumerate(rows, start=1)
    ]
    shift = next(
        i
        for i in range(2, len(rows))
        if not rows[i - 1].struck and not rows[i].struck and rows[i - 1].person_id != rows[i].person_id
    )
    cells[shift - 1] = (shift, cells[shift][1])  # the row below read under this row's number
    save_records(store, page_id, "cremation", map_rows("cremation", reg.title, read, cells, settings), settings)
    with store.session() as s, s.begin():
        for rec in s.query(Record):
            rec.status = "auto_accepted"  # a pipeline that trusts all of it
    ev = evaluate(store, truth_dir=scans)
    persons = [r for r in rows if not r.struck]
    assert (ev.pages, ev.pages_table, ev.pages_table_extracted, dict(ev.pages_lost)) == (3, 2, 1, {"not_ingested": 1})
    assert (ev.pages_no_table, ev.pages_no_table_with_records) == (1, 0)
    lost_rows = reg.page_rows(page_no + 1)
    assert ev.struck_found == ev.struck_auto == sum(r.struck for r in rows) >= 1
    assert ev.struck_rows == ev.struck_found + sum(r.struck for r in lost_rows)
    assert ev.rows_truth == len(persons) + sum(not r.struck for r in lost_rows) and ev.rows_found == len(persons)
    fails = ev.failures_by_field
    assert fails["column_not_identified"]["age_years"] == len(persons) - 1  # one row is counted as misplaced
    assert fails["column_misassigned"]["agent_name"] == fails["column_misassigned"]["agent_relation_code"] == len(persons) - 1
    assert ev.auto_column_unidentified >= len(persons) and ev.auto_column_misassigned >= 2 * len(persons)
    assert fails["page_lost"]["deceased_name"] == sum(not r.struck for r in lost_rows) and not ev.failures["row_lost"]
    assert ev.rows_misplaced == 1 and ev.failures["row_misplaced"] >= 5
    first = rows[0]
    # the written cell read blank: nothing read where the cell has writing, not a misreading
    assert not first.struck and ev.auto_blank_with_ink >= 1 and fails["cell_illegible"]["death_date"] >= 1
    store.dispose()


def test_a_family_plan_holds_the_pages_asked_in_its_own_formats():
    fam = FAMILIES["phone_photo"]
    vols = g.plan_family_volumes(6, 7, "phone_photo")
    assert sum(1 for v in vols for p in v.pages if p[3] != 0) >= 6
    assert all(v.family == "phone_photo" and v.fmt in fam.formats and v.dpi in fam.dpi for v in vols)
    assert [v.pages for v in vols] == [v.pages for v in g.plan_family_volumes(6, 7, "phone_photo")]


def test_a_cell_nothing_could_read_is_told_apart_from_a_column_not_identified(tmp_path):
    """A photograph's cells the recognizer could not read are charged to cell_illegible, not to the
    header mapping; a readable cell in a column mapped to nothing stays column_not_identified, and a
    value read inside a longer reading (two columns read as one) is not taken for illegible; a one-character
    cell misread by one character is a confusion (field_wrong), one where nothing was read is illegible."""
    from pipeline.kernel.config import Settings
    from pipeline.kernel.models import RawCell
    from pipeline.kernel.store import Store
    from pipeline.page.extract import map_rows, save_records
    from pipeline.quality.evaluate import FAILURE_KINDS, evaluate, reading_similarity

    assert FAILURE_KINDS.index("cell_illegible") < FAILURE_KINDS.index("column_not_identified")
    assert reading_similarity("王建国", "王建国男") == 1.0 and reading_similarity("王建国", "") == 0.0
    assert reading_similarity("370602195003071234", "3") < 0.5  # a scrap of the writing is not the writing

    cols = ["row_no", "deceased_name", "sex_code", "age_years", "household_address", "death_date"]
    truth_rows = [
        ("1", "王建国", "男", "72", "芝罘区幸福街道十二号", "2011年3月5日", "2011-03-05"),
        ("2", "李秀英", "女", "85", "莱山区初家街道八号", "2011年3月9日", "2011-03-09"),
        ("3", "张志强", "男", "64", "福山区清洋街道三号", "2011年4月1日", "2011-04-01"),
    ]
    sex_read = ["另", "", "男"]  # a confusion, nothing read, right (GB/T 2261.1: 1 男, 2 女)
    garbage = ["", "■", "一"]  # what a blurred photograph's address cells gave: nothing, a blot, a stroke
    gt = {
        "file": "photo.pdf",
        "pages": [
            {
                "page": 1,
                "has_table": True,
                "columns": cols,
                "rows": [
                    {
                        "row": int(n),
                        "cells": [n, name, sex, age, addr, date],
                        "record": {
                            "deceased_name": name,
                            "sex_code": "1" if sex == "男" else "2",
                            "age_years": int(age),
                            "household_address": addr,
                            "death_date": iso,
                        },
                    }
                    for n, name, sex, age, addr, date, iso in truth_rows
                ],
            }
        ],
    }
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "photo.pdf").write_bytes(b"%PDF-1.4\n")
    (scans / "photo.gt.json").write_text(json.dumps(gt, ensure_ascii=False), encoding="utf-8")
    settings = Settings(data_dir=str(tmp_path / "data"), thresholds_file="", auto_accept_threshold=0.0)
    store = Store.open(settings)
    read = ["row_no", "deceased_name", "sex_code", None, "household_address", "death_date"]  # the age header not recognized
    page_id = _stored_scan(store, scans / "photo.pdf", read, "火化登记簿", sha="1")
    cells = [
        (i, [RawCell(t, 0.9, None) for t in (n, name, sex_read[i - 1], age, garbage[i - 1], date)])
        for i, (n, name, _sex, age, _addr, date, _iso) in enumerate(truth_rows, start=1)
    ]
    save_records(store, page_id, "cremation", map_rows("cremation", "火化登记簿", read, cells, settings), settings)
    ev = evaluate(store, truth_dir=scans)
    fails = ev.failures_by_field
    assert fails["cell_illegible"]["household_address"] == 3  # not column_* nor field_wrong: nothing could read it
    assert fails["column_not_identified"]["age_years"] == 3  # read, but its column mapped to nothing
    assert "age_years" not in fails["cell_illegible"] and "household_address" not in fails["column_not_identified"]
    assert fails["field_wrong"]["sex_code"] == 1 and fails["cell_illegible"]["sex_code"] == 1  # 另 for 男; nothing for 女
    assert ev.to_dict()["failures"]["cell_illegible"] == ev.failures["cell_illegible"] >= 3
    store.dispose()


def test_a_set_is_named_by_its_truth(tmp_path):
    """Two reports measured the same sample only where their sets' truth digests agree: the same family
    and seed drawn twice gives the same digest (the generator is deterministic here), another seed or a
    changed truth file another."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("bench_families", Path(__file__).parents[1] / "bench" / "bench_families.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder, seed in ((a, 7), (b, 7), (c, 8)):
        g.generate_set(folder, pages=1, seed=seed, family="red_book")
    assert bench.truth_digest(a) == bench.truth_digest(b)
    assert bench.truth_digest(a) != bench.truth_digest(c)
    truth = next(b.rglob("*.gt.json"))
    truth.write_text(truth.read_text(encoding="utf-8").replace('"red_book"', '"red_book "', 1), encoding="utf-8")
    assert bench.truth_digest(a) != bench.truth_digest(b)
