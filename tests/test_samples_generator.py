"""The synthetic ledger generator and the committed sample set (samples/)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

from samples import generator as g

SAMPLES = Path(g.__file__).resolve().parent
LEDGERS = SAMPLES / "ledgers"
INVALID = SAMPLES / "invalid"

# Written out again from SPEC.md on purpose: the test must not trust the generator's own tables.
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
YANTAI = {
    "370602",
    "370611",
    "370612",
    "370613",
    "370614",
    "370681",
    "370682",
    "370683",
    "370684",
    "370685",
    "370686",
    "370687",
    "370634",
}


def check_ok(id18: str) -> bool:
    return (
        len(id18) == 18 and id18[:17].isdigit() and "10X98765432"[sum(int(d) * w for d, w in zip(id18, WEIGHTS)) % 11] == id18[17]
    )


def gt_files() -> list[Path]:
    return sorted(LEDGERS.rglob("*.gt.json"))


def committed_pages():
    for f in gt_files():
        doc = json.loads(f.read_text(encoding="utf-8"))
        for page in doc["pages"]:
            yield f, page


def iso(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


# --------------------------------------------------------------------------- code standards
def test_check_digit_known_values():
    assert g.id_check_digit("11010519491231002") == "X"  # the textbook example of GB 11643
    assert check_ok("11010519491231002X")
    assert g.id_check_digit("37060219350407122") == "8"


def test_15_digit_conversion():
    id15 = "370602350407122"
    id18 = g.id15_to_18(id15)
    assert id18[:6] == "370602" and id18[6:8] == "19" and id18[8:17] == id15[6:]
    assert check_ok(id18)
    with pytest.raises(ValueError):
        g.id15_to_18("37060235040712")


def test_age_at():
    assert g.age_at(dt.date(1935, 4, 7), dt.date(2013, 4, 6)) == 77
    assert g.age_at(dt.date(1935, 4, 7), dt.date(2013, 4, 7)) == 78


def test_date_and_cert_styles():
    d = dt.date(2013, 4, 7)
    got = {s: g.format_date(d, s) for s in g.DATE_STYLES}
    assert got == {
        "dot": "2013.4.7",
        "dash": "2013-04-07",
        "slash": "2013/4/7",
        "cjk": "2013年4月7日",
        "short": "13.4.7",
        "hanzi": "二〇一三年四月七日",
    }
    assert g.format_date(dt.date(2010, 12, 31), "hanzi") == "二〇一〇年十二月三十一日"
    assert [g.format_cert(2013, 514, s) for s in g.CERT_STYLES] == ["201300514", "No.201300514", "2013-00514", "13-0514"]


# --------------------------------------------------------------------------- register truth
@pytest.fixture(scope="module")
def laizhou():
    return g.get_register(3, "laizhou", 2012, "cremation"), g.get_register(3, "laizhou", 2012, "sea_burial")


def test_register_data_is_deterministic():
    a = g.get_register(11, "haiyang", 2014, "sea_burial")
    g._registers.cache_clear()
    b = g.get_register(11, "haiyang", 2014, "sea_burial")
    assert a is not b
    assert [(r.person_id, r.cells, r.record) for r in a.rows] == [(r.person_id, r.cells, r.record) for r in b.rows]


def test_cremation_truth_is_consistent(laizhou):
    crem, _ = laizhou
    assert len(crem.rows) > 300
    n15 = n_blank = 0
    serials = []
    for row in crem.rows:
        rec = row.record
        assert len(row.cells) == len(g.CREMATION_COLUMNS)
        death, crem_d = iso(rec["death_date"]), iso(rec["cremation_date"])
        assert dt.timedelta(days=1) <= crem_d - death <= dt.timedelta(days=7)
        assert crem_d.year == 2012
        assert re.fullmatch(r"2012\d{5}", rec["cremation_cert_no"])
        assert rec["household_division_code"] in YANTAI
        assert rec["sex_code"] in ("1", "2")
        if not row.duplicate:
            serials.append(int(rec["cremation_cert_no"]))
        raw = rec["id_number_raw"]
        if rec["id_number"] is None:
            n_blank += 1
            assert raw is None and rec["birth_date"] is None and row.cells[5] == ""
            assert row.cells[3] in ("男", "女")  # never both ID and sex blank
            continue
        idn = rec["id_number"]
        assert check_ok(idn), idn
        assert row.cells[5] == raw
        if len(raw) == 15:
            n15 += 1
            assert idn == raw[:6] + "19" + raw[6:] + idn[17] and int(raw[14]) % 2 == (1 if rec["sex_code"] == "1" else 0)
        else:
            assert raw == idn
        assert int(idn[16]) % 2 == (1 if rec["sex_code"] == "1" else 0)
        birth = iso(rec["birth_date"])
        assert idn[6:14] == birth.strftime("%Y%m%d")
        years = death.year - birth.year - ((death.month, death.day) < (birth.month, birth.day))
        assert rec["age_years"] == years
        assert row.cells[4].removesuffix("岁") == str(years)
        assert row.cells[3] in ("", {"1": "男", "2": "女"}[rec["sex_code"]])
        if rec["agent_phone"]:
            assert re.fullmatch(r"1\d{10}|0535\d{7,8}", rec["agent_phone"])
            assert re.sub(r"\D", "", row.cells[13]) == rec["agent_phone"]
    assert serials == sorted(serials)
    assert 0.05 < n15 / len(crem.rows) < 0.16
    assert 0.005 < n_blank / len(crem.rows) < 0.06


def test_sea_burial_links_to_cremation(laizhou):
    crem, sea = laizhou
    by_pid = {r.person_id: r.record for r in crem.rows}
    assert sea.rows
    for row in sea.rows:
        rec = row.record
        c = by_pid[row.person_id]
        assert c["ashes_destination_code"] == "7"
        assert c["death_date"] <= c["cremation_date"] < rec["scattering_date"]
        assert rec["deceased_name"] == c["deceased_name"] and rec["sex_code"] == c["sex_code"]
        assert rec["cremation_cert_no"] in (None, c["cremation_cert_no"])
        assert rec["id_number"] in (None, c["id_number"])
        assert 1 <= rec["onboard_count"] <= 5
        assert rec["voyage_no"] == row.cells[7]
        assert re.fullmatch(r"HZ2012-\d{3}", rec["registration_no"])
        assert len(row.cells) == len(g.SEA_COLUMNS)


# --------------------------------------------------------------------------- drawing
def test_render_is_deterministic_and_boxes_fit():
    kw = dict(seed=5, home="haiyang", year=2015, register_page=2, severity=1.0, dpi=150)
    img1, gt1 = g.render_page("sea_burial", **kw)
    img2, gt2 = g.render_page("sea_burial", **kw)
    assert img1.size == (gt1["width"], gt1["height"]) == (1754, 1240)
    assert img1.tobytes() == img2.tobytes()
    assert json.dumps(gt1, sort_keys=True) == json.dumps(gt2, sort_keys=True)
    for row in gt1["rows"]:
        for box, ink in zip(row["cell_boxes"], row["ink_boxes"]):
            if ink is not None:
                assert box[0] <= ink[0] <= ink[2] <= box[2] and box[1] <= ink[1] <= ink[3] <= box[3]


def test_clean_page_has_no_degradation():
    img, gt = g.render_page("cremation", seed=1, home="longkou", year=2010, severity=0.0, dpi=150)
    d = gt["degradation"]
    assert d["rotation_deg"] == 0 and d["stamp"] is None and d["noise_sigma"] == 0
    assert np.allclose(np.array(d["homography"]), np.eye(3), atol=1e-6)
    a = np.asarray(img.convert("L"))
    assert a.max() >= 250 and a.min() < 80  # white paper, dark ink


# --------------------------------------------------------------------------- the committed set
def test_committed_files_exist_with_gt():
    expected = [
        "cremation_yantai_2013.pdf",
        "sea_burial_yantai_2013.pdf",
        "cremation_longkou_2016.tiff",
        "jpeg_volume/page_001.jpg",
        "jpeg_volume/page_002.jpg",
        "jpeg_volume/page_003.jpg",
    ]
    for name in expected:
        scan = LEDGERS / name
        assert scan.is_file() and scan.stat().st_size > 0, name
        gt = scan.with_name(scan.stem + ".gt.json")
        doc = json.loads(gt.read_text(encoding="utf-8"))
        assert doc["file"] == scan.name
        assert doc["generator"]["version"] == g.GENERATOR_VERSION and doc["generator"]["seed"] == g.COMMITTED_SEED
    assert (INVALID / "empty.pdf").stat().st_size == 0
    corrupt = (INVALID / "corrupt.pdf").read_bytes()
    assert corrupt.startswith(b"%PDF") and b"startxref" not in corrupt and b"trailer" not in corrupt
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert total < 15 * 2**20


def test_committed_gt_rows_match_columns():
    kinds = set()
    for f, page in committed_pages():
        kinds.add(page["ledger_kind"])
        cols = page["columns"]
        assert cols == (g.CREMATION_COLUMNS if page["ledger_kind"] == "cremation" else g.SEA_COLUMNS)
        assert len(page["header"]) == len(cols) == len(page["header_boxes"]) == len(page["grid"]["x"]) - 1
        assert 10 <= page["rows_per_page"] <= 16 and len(page["grid"]["y"]) == page["rows_per_page"] + 2
        assert 1 <= len(page["rows"]) <= page["rows_per_page"]
        assert [r["row"] for r in page["rows"]] == list(range(1, len(page["rows"]) + 1))
        assert page["title"] == f"{page['funeral_home']}{g.TITLES[page['ledger_kind']]}（{page['year']}年）"
        assert page["page_label"] == f"第 {page['register_page']} 页"
        assert len(page["funeral_home_code"]) <= 18
        for row in page["rows"]:
            assert len(row["cells"]) == len(cols) == len(row["cell_boxes"]), f
            rec = row["record"]
            assert rec["funeral_home_code"] == page["funeral_home_code"]
            assert re.fullmatch(r"P\d+", row["person_id"])
            if rec.get("id_number"):
                assert check_ok(rec["id_number"])
            if page["ledger_kind"] == "cremation":
                assert rec["death_date"] <= rec["cremation_date"]
                assert isinstance(rec["age_years"], int)
            else:
                assert isinstance(rec["onboard_count"], int)
    assert kinds == {"cremation", "sea_burial"}


def test_committed_sea_burial_shares_persons_with_cremation():
    def rows(name):
        doc = json.loads((LEDGERS / name).read_text(encoding="utf-8"))
        return {r["person_id"]: r["record"] for p in doc["pages"] for r in p["rows"]}

    crem, sea = rows("cremation_yantai_2013.gt.json"), rows("sea_burial_yantai_2013.gt.json")
    shared = crem.keys() & sea.keys()
    assert shared
    for pid in shared:
        assert crem[pid]["ashes_destination_code"] == "7"
        assert crem[pid]["cremation_date"] < sea[pid]["scattering_date"]


def test_committed_tiff_frames_readable():
    doc = json.loads((LEDGERS / "cremation_longkou_2016.gt.json").read_text(encoding="utf-8"))
    with Image.open(LEDGERS / "cremation_longkou_2016.tiff") as im:
        frames = []
        for frame in ImageSequence.Iterator(im):
            frame.load()
            frames.append(frame.size)
    assert frames == [(p["width"], p["height"]) for p in doc["pages"]]


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")
def test_committed_pdfs_readable_by_poppler():
    for name in ("cremation_yantai_2013", "sea_burial_yantai_2013"):
        doc = json.loads((LEDGERS / f"{name}.gt.json").read_text(encoding="utf-8"))
        out = subprocess.run(["pdfinfo", str(LEDGERS / f"{name}.pdf")], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Pages:\s+(\d+)", out).group(1) == str(len(doc["pages"]))
    bad = subprocess.run(["pdfinfo", str(INVALID / "corrupt.pdf")], capture_output=True, text=True)
    assert bad.returncode != 0


@pytest.mark.slow
def test_generate_set_small(tmp_path):
    files = g.generate_set(tmp_path, pages=3, seed=2, severity=0.5, dpi=150)
    suffixes = {f.suffix for f in files}
    assert suffixes == {".pdf", ".tiff", ".jpg"}
    kinds = set()
    for f in files:
        doc = json.loads(f.with_name(f.stem + ".gt.json").read_text(encoding="utf-8"))
        kinds |= {p["ledger_kind"] for p in doc["pages"]}
    assert kinds == {"cremation", "sea_burial"}


@pytest.mark.slow
def test_committed_set_regenerates(tmp_path):
    g.write_committed(tmp_path)
    for gt in gt_files():
        rel = gt.relative_to(LEDGERS)
        assert json.loads((tmp_path / "ledgers" / rel).read_text(encoding="utf-8")) == json.loads(gt.read_text(encoding="utf-8"))
    for jpg in sorted(LEDGERS.rglob("*.jpg")):
        a = np.asarray(Image.open(jpg), dtype=np.int16)
        b = np.asarray(Image.open(tmp_path / "ledgers" / jpg.relative_to(LEDGERS)), dtype=np.int16)
        assert np.abs(a - b).mean() < 0.5
