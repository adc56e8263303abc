"""Bad inputs (the corpus in samples/invalid/, made by samples/make_invalid.py): each one is
quarantined (file) or its page flagged (page) with a reason a person understands, and the rest of
the run goes on. Memory stays bounded: a decompression bomb is refused before decoding."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from pipeline.config import Settings
from pipeline.evaluate import evaluate
from pipeline.intake import register_folder
from pipeline.run import run_folder
from pipeline.store import Page, Quarantine, Record, SourceFile, Store
from samples.make_invalid import EXPECTED, INVALID_DIR, WEIRD_NAME, write_invalid

ROOT = Path(__file__).resolve().parent.parent

FILE_LEVEL = sorted(n for n, (level, _r) in EXPECTED.items() if level == "file")
PAGE_LEVEL = sorted(n for n, (level, _r) in EXPECTED.items() if level == "page")

# words the archivist must read in the reason (what is wrong and what to do)
MESSAGE_WORDS = {
    "empty.pdf": ["empty", "0 bytes", "rescan"],
    "corrupt.pdf": ["xref", "1 page(s) were recovered", "rescan"],
    "encrypted.pdf": ["encrypted", "password", "unprotected copy"],
    "text_only.pdf": ["no scanned image", "scan the paper ledger"],
    "bomb.png": ["50000x50000", "over the limit"],
    "bomb_page.pdf": ["40000x40000", "over the limit"],
    "not_an_image.jpg": ["not an image"],
}
PAGE_WORDS = {
    "blank_page.jpg": ["no ruled table", "blank page, a letter"],
    "letter.jpg": ["no ruled table", "blank page, a letter"],
    "unknown_ledger.jpg": ["matches no known ledger kind", "tell the administrator"],
}


def test_the_corpus_is_reproducible(tmp_path):
    written = write_invalid(tmp_path)
    committed = sorted(p.name for p in INVALID_DIR.iterdir())
    assert sorted(p.name for p in written) == committed
    for p in written:
        assert p.read_bytes() == (INVALID_DIR / p.name).read_bytes(), p.name
    assert set(EXPECTED) <= set(committed)


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    """One intake over a copy of the corpus plus one good scan beside it."""
    root = tmp_path_factory.mktemp("hostile")
    scans = root / "scans"
    shutil.copytree(INVALID_DIR, scans)
    Image.new("RGB", (400, 300), (230, 230, 230)).save(scans / "good.png")
    settings = Settings(data_dir=str(root / "data"))
    store = Store.open(settings)
    result = register_folder(store, scans, None, settings)
    yield store, settings, result, scans
    store.dispose()


@pytest.mark.parametrize("name", FILE_LEVEL)
def test_each_bad_file_is_quarantined_with_a_reason(intake, name):
    store, settings, result, scans = intake
    items = {q.rel_path: q for q in result.quarantined}
    assert items[name].reason == EXPECTED[name][1]
    for word in MESSAGE_WORDS[name]:
        assert word in items[name].message, items[name].message
    with store.session() as s:
        row = s.scalars(select(Quarantine).where(Quarantine.rel_path == name)).one()
    assert row.reason == EXPECTED[name][1]
    copy = Path(row.copy_path)  # a copy for the archivist, inside the data folder; the original stays
    assert copy.is_file() and copy.resolve().is_relative_to((settings.data_path / "quarantine").resolve())
    assert (scans / name).exists()


def test_the_rest_of_the_folder_is_registered(intake):
    store, _settings, result, _scans = intake
    with store.session() as s:
        registered = {f.rel_path: f.page_count for f in s.scalars(select(SourceFile))}
    assert registered == {"good.png": 1, "corrupt.pdf": 1, "blank_page.jpg": 1, "letter.jpg": 1,
                          "unknown_ledger.jpg": 1, WEIRD_NAME: 1}
    assert sorted(result.skipped) == sorted(["corrupt.gt.json", Path(WEIRD_NAME).stem + ".gt.json"])


def test_a_truncated_pdf_gives_up_the_pages_it_still_holds(intake):
    store, settings, _result, _scans = intake
    with store.session() as s:
        sf = s.scalars(select(SourceFile).where(SourceFile.rel_path == "corrupt.pdf")).one()
    recovered = Path(sf.abs_path)
    assert recovered.resolve().is_relative_to((settings.data_path / "recovered").resolve())
    out = subprocess.run(["pdfinfo", str(recovered)], capture_output=True, text=True)
    assert out.returncode == 0 and "Pages:           1" in out.stdout


def test_a_decompression_bomb_is_refused_before_decoding_with_memory_bounded(tmp_path):
    """In a child process whose address space is capped at 2 GiB: decoding the bomb would need 7.5 GB."""
    code = textwrap.dedent(f"""
        import json, resource, sys
        from pathlib import Path
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        from pipeline.config import Settings
        from pipeline.intake import probe
        from pipeline.errors import InputFileError
        try:
            probe(Path({str(INVALID_DIR / 'bomb.png')!r}), Settings(data_dir={str(tmp_path)!r}))
            out = {{"reason": None}}
        except InputFileError as e:
            out = {{"reason": e.reason, "message": str(e)}}
        # VmHWM: this process image's own peak (ru_maxrss would carry the forking parent's peak across exec)
        hwm = [l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:")][0]
        out["peak_rss_mb"] = int(hwm.split()[1]) / 1024
        print(json.dumps(out))
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert got.returncode == 0, got.stderr[-2000:]
    res = json.loads(got.stdout.strip().splitlines()[-1])
    assert res["reason"] == "too_large" and "50000x50000" in res["message"]
    assert res["peak_rss_mb"] < 1024


def test_a_weird_file_name_is_quarantined_under_a_safe_copy_name(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / WEIRD_NAME).write_bytes((INVALID_DIR / "not_an_image.jpg").read_bytes())
    canary = tmp_path / "x"
    canary.mkdir()  # `$(rm -rf x)` in the name must never run
    settings = Settings(data_dir=str(tmp_path / "data"))
    with Store.open(settings) as store:
        res = register_folder(store, scans, None, settings)
        with store.session() as s:
            row = s.scalars(select(Quarantine)).one()
    assert [(q.rel_path, q.reason) for q in res.quarantined] == [(WEIRD_NAME, "corrupt")]
    copy = Path(row.copy_path)
    assert copy.parent == (settings.data_path / "quarantine") and copy.is_file()
    assert not set(" $();'\"/") & set(copy.name) and "烟台" in copy.name
    assert canary.is_dir()


# ---- the whole run over the corpus (real OCR: the unknown ledger's header is read) ----------------
@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-run")
    settings = Settings(data_dir=str(root / "data"))
    summary = run_folder(INVALID_DIR, settings)
    store = Store.open(settings)
    yield summary, store, settings
    store.dispose()


@pytest.mark.ocr
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PAGE_WORDS))
def test_each_page_that_is_not_a_ledger_is_flagged_and_the_run_goes_on(corpus_run, name):
    summary, _store, _settings = corpus_run
    problems = {p["file"]: p for p in summary.pages_problem}
    assert problems[name]["status"] == EXPECTED[name][1]
    for word in PAGE_WORDS[name]:
        assert word in problems[name]["message"], problems[name]["message"]


@pytest.mark.ocr
@pytest.mark.slow
def test_the_corpus_run_completes_and_loses_nothing(corpus_run):
    summary, store, settings = corpus_run
    assert {q["file"]: q["reason"] for q in summary.quarantined} == {n: r for n, (lv, r) in EXPECTED.items() if lv == "file"}
    assert summary.pages == 5 and summary.pages_done == 2 and len(summary.pages_problem) == 3
    # the page under a hostile name and the recovered page give exactly their ledger rows
    with store.session() as s:
        rec = s.scalars(select(SourceFile).where(SourceFile.rel_path == "corrupt.pdf")).one()
        per_file = dict(s.execute(select(SourceFile.rel_path, func.count(Record.id)).join(Page, Page.file_id == SourceFile.id)
                                  .join(Record, Record.page_id == Page.id).group_by(SourceFile.rel_path)).all())
    shutil.copy(INVALID_DIR / "corrupt.gt.json", Path(rec.abs_path).with_suffix(".gt.json"))  # score the recovered copy too
    ev = evaluate(store)
    truth_rows = sum(len(p["rows"]) for g in ("corrupt.gt.json", Path(WEIRD_NAME).stem + ".gt.json")
                     for p in json.loads((INVALID_DIR / g).read_text(encoding="utf-8"))["pages"])
    assert ev.rows_truth == truth_rows and ev.rows_found == truth_rows and ev.rows_extra == 0, ev.to_dict()
    assert sum(per_file.values()) == truth_rows and set(per_file) == {"corrupt.pdf", WEIRD_NAME}
    assert ev.field_accuracy >= 0.9, ev.to_dict()
