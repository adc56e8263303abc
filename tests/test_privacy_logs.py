"""Privacy: one whole run of `backfill run samples/` (real OCR, the Prefect flow) with every logger at
DEBUG; no full ID number, phone number or name from the samples' ground truth appears in what it
printed, in Prefect's logs and database, or in any other file it wrote under the data folder but the
store itself and the scans' copies. The CSV export (it leaves the platform on purpose) is the only
output that carries them. The same run gives the table of bad inputs of samples/invalid/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.kernel.config import Settings
from pipeline.kernel.store import Store
from pipeline.quality.evaluate import evaluate
from samples.make_invalid import EXPECTED

pytestmark = [pytest.mark.slow, pytest.mark.ocr]

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
PERSONAL = ("id_number", "id_number_raw", "agent_phone", "registrant_phone", "deceased_name", "agent_name", "registrant_name")
# where personal data is meant to be: the working store, page images, copies of the scans, exports
HOLDS_DATA = ("store.sqlite", "platform.sqlite", "images", "quarantine", "recovered")


def personal_values() -> set[str]:
    out: set[str] = set()
    for gt in SAMPLES.rglob("*.gt.json"):
        for page in json.loads(gt.read_text(encoding="utf-8"))["pages"]:
            for row in page["rows"]:
                out |= {str(row["record"][k]) for k in PERSONAL if row["record"].get(k) and len(str(row["record"][k])) >= 2}
    return out


@pytest.fixture
def debug_run(samples_debug_run):
    """The session's DEBUG run of the samples and its export (tests/conftest.py)."""
    return samples_debug_run


def test_the_run_succeeds_and_every_bad_input_has_its_outcome(debug_run):
    _work, run, _export = debug_run
    assert run.returncode == 0, run.stderr[-3000:]
    sm = json.loads(run.stdout[run.stdout.index("{") :])
    got = {q["file"].removeprefix("invalid/"): q["reason"] for q in sm["quarantined"]}
    got |= {p["file"].removeprefix("invalid/"): p["status"] for p in sm["pages_problem"]}
    want = {n: r for n, (_lv, r) in EXPECTED.items() if r != "done"}
    assert {k: v for k, v in got.items() if k in want} == want
    assert set(got) == set(want)  # no committed ledger page has a problem
    assert all(q["message"] for q in sm["quarantined"]) and all(p["message"] for p in sm["pages_problem"])


def test_nothing_personal_in_what_the_run_printed(debug_run):
    _work, run, export = debug_run
    printed = run.stdout + run.stderr + export.stdout + export.stderr
    assert "DEBUG" in printed  # the loggers were really at DEBUG
    values = personal_values()
    assert len(values) > 300
    assert sorted(v for v in values if v in printed) == []


def test_nothing_personal_in_logs_or_prefect_files_under_the_data_folder(debug_run):
    work, _run, _export = debug_run
    data = work / "backfill-data"
    scanned = [
        p
        for p in data.rglob("*")
        if p.is_file() and p.relative_to(data).parts[0].split("-")[0] not in HOLDS_DATA and not p.name.startswith(HOLDS_DATA)
    ]
    assert any("prefect" in str(p).lower() for p in scanned)  # Prefect's home (database, logs) was scanned
    values = [v.encode("utf-8") for v in personal_values()]
    leaks = []
    for p in scanned:
        blob = p.read_bytes()
        leaks += [f"{p.relative_to(data)}" for v in values if v in blob]
    assert sorted(set(leaks)) == []


def test_the_export_is_where_the_personal_data_is(debug_run):
    work, _run, export = debug_run
    assert export.returncode == 0, export.stderr
    with (work / "export.csv").open(encoding="utf-8", newline="") as f:
        exported = f.read()
    ids = {v for v in personal_values() if len(v) == 18 and v[:17].isdigit()}
    # most IDs reach the export (the rest were misread and wait unread for review: 6 of 110 on the v3 samples)
    assert ids and sum(v in exported for v in ids) / len(ids) > 0.9


def test_records_lost_0_duplicated_0(debug_run):
    work, _run, _export = debug_run
    with Store.open(Settings(data_dir=str(work / "backfill-data"))) as store:
        ev = evaluate(store)
        keys = [(sf.rel_path, page.page_no, rec.row_no) for rec, page, sf in store.iter_records()]
    assert ev.rows_truth > 100 and ev.rows_found == ev.rows_truth and ev.rows_extra == 0, ev.to_dict()
    assert len(keys) == len(set(keys))
