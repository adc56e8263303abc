"""A photographed page whose header is misread so that it names no ledger kind (design phone copies s38 ph3878
county 03 p2: 办学人, 许灰上向 ..., ph3803 county 04 p3: 公R0费4码, title 海舞登记) was lost whole as
unknown_ledger, though the other pages of its book are one agreed kind of the same printed form. Such a page
is read as its volume's kind, its page doubted (pipeline.page.extract.VolumeKind, volume_kind, unnamed_pages;
pipeline.runs.stages.read_unnamed)."""

from __future__ import annotations

import numpy as np
import pytest

from ocr.base import OcrEngine
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import ColumnsUnreadError, UnknownLedgerError
from pipeline.kernel.models import OcrPiece
from pipeline.page.extract import KIND_FROM_VOLUME, VolumeKind, extract_page
from tests.recording import written_table

COLS = [40, 260, 480, 700, 860]
FORM = tuple((b - a) / (COLS[-1] - COLS[0]) for a, b in zip(COLS, COLS[1:]))  # the printed form's column widths


class _Misread(OcrEngine):
    """Reads every line as two stray characters at `confidence`: a header (and title) too grainy to name a
    kind where it is low, a header read surely that names none where it is high."""

    name = "_test_misread"

    def __init__(self, confidence: float = 0.3, title: str = "一二") -> None:
        self.confidence, self.title = confidence, title

    def version(self):
        return "misread 1"

    def languages(self):
        return ["chi_sim"]

    def recognize(self, image):
        return [OcrPiece(self.title, self.confidence, (0, 0, image.shape[1], image.shape[0]), self.name)]

    def recognize_crop(self, image):
        return OcrPiece("一二", self.confidence, (0, 0, image.shape[1], image.shape[0]), self.name)


def _ruled_page() -> np.ndarray:
    return written_table(COLS)


def test_a_misread_header_is_unknown_alone_and_its_volumes_kind_in_a_book_of_its_form():
    with pytest.raises(UnknownLedgerError) as alone:
        extract_page(_ruled_page(), None, _Misread(), Settings.load(None))
    assert alone.value.misread and not alone.value.named_other
    # its cells name no column either: the rows go with ColumnsUnreadError (kept_unread), read as a cremation page
    with pytest.raises(ColumnsUnreadError) as got:
        extract_page(_ruled_page(), None, _Misread(), Settings.load(None), volume=VolumeKind("cremation", (FORM,), 3))
    ext = got.value.extraction
    assert ext is not None and ext.kind == "cremation" and len(ext.rows) == 9
    assert KIND_FROM_VOLUME.format(kind="cremation") in ext.structure.page  # every field of it held


def test_a_sibling_that_lost_one_column_line_is_of_the_pages_form():
    """ph3803 county 04: p1 read with its sex | ID line lost (11 columns), p3 whole (12): one printed form."""
    from pipeline.page.extract import one_line_apart

    split = (FORM[0] / 2, FORM[0] / 2, *FORM[1:])  # this page's first column ruled as two on the sibling
    assert one_line_apart(FORM, split) and not one_line_apart(split, FORM)
    assert not one_line_apart(FORM, (FORM[0] / 3, FORM[0] / 3, FORM[0] / 3, *FORM[1:]))  # two lines apart
    with pytest.raises(ColumnsUnreadError) as got:
        extract_page(_ruled_page(), None, _Misread(), Settings.load(None), volume=VolumeKind("cremation", (split,), 3))
    assert got.value.extraction is not None and got.value.extraction.kind == "cremation"


def test_a_page_of_another_form_or_a_header_read_surely_or_another_kind_named_stays_unknown():
    other_form = VolumeKind("cremation", ((0.2, 0.2, 0.2, 0.2, 0.2),), 3)
    with pytest.raises(UnknownLedgerError):
        extract_page(_ruled_page(), None, _Misread(), Settings.load(None), volume=other_form)
    book = VolumeKind("cremation", (FORM,), 3)
    with pytest.raises(UnknownLedgerError) as sure:  # a header read surely that names no kind: another register
        extract_page(_ruled_page(), None, _Misread(0.999), Settings.load(None), volume=book)
    assert not sure.value.misread
    with pytest.raises(UnknownLedgerError) as named:  # the title names a register the spec does not map
        extract_page(_ruled_page(), None, _Misread(title="骨灰寄存登记簿"), Settings.load(None), volume=book)
    assert named.value.named_other


def _store(tmp_path, kinds: list[str | None], status: str = "unknown_ledger", asked: int = 0):
    """A store holding one 1 + len(kinds) page PDF: page 1 `status` (asked its volume's kind when it had
    `asked` read pages), then pages read as `kinds` (None: not read yet) on the form FORM."""
    from pipeline.kernel.store import Page, SourceFile, Store

    store = Store.open(Settings(data_dir=str(tmp_path / "data")))
    with store.session() as s, s.begin():
        sf = SourceFile(
            sha256="7" * 64,
            rel_path="b.pdf",
            abs_path="/nowhere/b.pdf",
            size_bytes=9,
            media_type="pdf",
            page_count=1 + len(kinds),
        )
        s.add(sf)
        s.flush()
        first = Page(
            file_id=sf.id, page_no=1, status=status, steps=[{"name": "volume_kind", "settings": {}, "result": {"pages": asked}}]
        )
        s.add(first)
        xs = [0.0]
        for w in FORM:
            xs.append(xs[-1] + 1000 * w)
        for no, kind in enumerate(kinds, start=2):
            layout = {"grid": {"rows": [0, 50, 100], "cols": xs}, "header": [], "columns": []} if kind else None
            s.add(Page(file_id=sf.id, page_no=no, status="done" if kind else "pending", ledger_kind=kind, layout=layout))
        s.flush()
        return store, first.id


def test_the_volumes_kind_is_one_kind_of_at_least_two_read_pages(tmp_path):
    from pipeline.page.extract import volume_kind

    for n, (kinds, want) in enumerate(
        [
            (["cremation", "cremation", None], "cremation"),
            (["cremation", None, None], None),  # one read page may be misread as this one was
            (["cremation", "sea_burial", "cremation"], None),  # two kinds in one book: nothing said of this page
        ]
    ):
        store, pid = _store(tmp_path / str(n), kinds)
        vk = volume_kind(store, pid)
        assert (vk.kind if vk else None) == want
        if vk is not None:
            assert vk.pages == 2 and len(vk.forms) == 1 and all(abs(a - b) < 1e-9 for a, b in zip(vk.forms[0], FORM))
        store.dispose()


def test_a_page_asked_before_its_siblings_were_read_is_read_again_once(tmp_path):
    from pipeline.page.extract import unnamed_pages

    store, pid = _store(tmp_path / "early", ["cremation", "cremation"], asked=0)
    assert unnamed_pages(store) == [pid]
    store.dispose()
    store, pid = _store(tmp_path / "late", ["cremation", "cremation"], asked=2)  # it saw them already
    assert unnamed_pages(store) == []
    store.dispose()


def test_the_reviewer_is_told_the_kind_came_from_the_volume_in_chinese_first():
    from pipeline.review.queue import _RECORD_LINES
    from review_app.i18n import STRINGS

    line = "page: " + KIND_FROM_VOLUME.format(kind="cremation")
    codes = [code for rx, code, _names in _RECORD_LINES if rx.match(line)]
    assert codes == ["kind_from_volume"]
    zh, _en = STRINGS["record.kind_from_volume"]
    assert zh.startswith("本页表头没有认出")


def test_two_runs_at_once_read_a_page_whose_kind_comes_from_its_volume_once(tmp_path, monkeypatch):
    """Session 43's flow re-read such pages in its own process without a page claim: two runs finishing at
    once over the same volume both read the page again. pipeline.runs.manage.read_unnamed takes the run's page
    claim (as read_claimed does) and reads a page it took only while it still waits for its kind. Two callers
    in two threads, each its own run; the page's reading (OCR of a page with no image here) is replaced by
    one that takes a while and settles the page, as a real re-read does."""
    import threading
    import time

    from sqlalchemy import select

    from pipeline.kernel.store import Page, PageRead, Run
    from pipeline.page.extract import PageOutcome
    from pipeline.runs import manage as runs
    from pipeline.runs import stages

    store, pid = _store(tmp_path, ["cremation", "cremation"], asked=0)
    with store.session() as s, s.begin():
        fid = s.scalar(select(Page.file_id).where(Page.id == pid))
        run_ids = []
        for _ in range(2):
            run = Run(scans_dir="/nowhere")
            s.add(run)
            s.flush()
            run_ids.append(run.id)
    read: list[tuple[int, str]] = []

    def reading(store_, page_id, settings, engine, force=False):
        read.append((page_id, threading.current_thread().name))
        time.sleep(0.5)  # long enough that the two runs overlap
        with store_.session() as s, s.begin():
            s.get(Page, page_id).status = "done"  # read with its volume's kind
        return PageOutcome(page_id, "done", seconds=0.5)

    monkeypatch.setattr(stages, "process_page", reading)
    monkeypatch.setattr(stages, "get_engine", lambda *a, **k: object())
    settings = Settings(data_dir=str(tmp_path / "data"))
    start = threading.Barrier(2)

    def run(run_id: int) -> None:
        start.wait()
        runs.read_unnamed(store, run_id, settings, [fid])

    threads = [threading.Thread(target=run, args=(r,), name=f"run{r}") for r in run_ids]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [p for p, _who in read] == [pid]  # read once, by one of the two runs
    with store.session() as s:
        assert [r.page_id for r in s.scalars(select(PageRead))] == [pid]  # logged like any page read
    store.dispose()
