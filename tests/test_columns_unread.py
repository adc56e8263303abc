"""A ruled table whose rows hold writing but none of whose columns is identified (design family
camera_capture, seed 4413 severity 1.8: a faint, grainy photographed page, its grid found whole, its
header and cells unreadable): every row mapped to nothing, and the page ended "done" with no records and
nothing said, 12 rows lost unseen. Alone (no volume to tell its columns) it gives no records with its
reason told (columns_unread); on a page of a book its rows are kept, every field in doubt, for the columns
its legible sibling pages name (pipeline.page.extract.kept_unread, agree_volume)."""

from __future__ import annotations

import numpy as np
import pytest
from test_volume_columns import BOOK_XS, HEADERS_15  # the printed header of the book the remap test stores

from ocr.base import OcrEngine
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import ColumnsUnreadError, NoTableError
from pipeline.kernel.models import OcrPiece
from pipeline.kernel.reasons import REASONS
from pipeline.page.extract import ADVISED, COLUMNS_UNREAD_DOUBT, extract_page, page_advice
from tests.recording import written_table


class _Unreadable(OcrEngine):
    """Reads the register's kind in its title (read whole: recognize) and nothing a column is known by
    anywhere else (its cells' crops): a header or a cell blurred past reading reads as
    some stray characters."""

    name = "_test_unreadable"

    def version(self):
        return "unreadable 1"

    def languages(self):
        return ["chi_sim"]

    def recognize(self, image):  # the title strip (extract.read_title)
        return [OcrPiece("海葬登记簿", 0.9, (0, 0, image.shape[1], image.shape[0]), self.name)]

    def recognize_crop(self, image):
        return OcrPiece("一二", 0.9, (0, 0, image.shape[1], image.shape[0]), self.name)


def _ruled_page() -> np.ndarray:
    return written_table([40, 260, 480, 700, 860])


def test_a_table_whose_columns_are_all_unread_says_so_instead_of_ending_done_with_nothing():
    with pytest.raises(ColumnsUnreadError) as got:
        extract_page(_ruled_page(), None, _Unreadable(), Settings.load(None))
    assert isinstance(got.value, NoTableError) and got.value.reason == "no_table"  # the status of a page without records
    assert got.value.code == "columns_unread" and "columns_unread" in ADVISED
    zh, en = REASONS["columns_unread"]
    assert zh.startswith("找到了表格") and en in page_advice("columns_unread")


# ------------------------------------------------------------------ kept where its volume tells the columns
# Design family camera_capture seed 4413 severity 1.8, page 1 of a 5-page sea-burial book: its grid found
# whole (13 x 14), its header words too faint and grainy to name one column, its 12 rows lost; its four
# sibling pages, legible, name every column of the same printed form.


def test_the_unread_page_keeps_its_rows_with_the_error_and_doubts_its_page():
    with pytest.raises(ColumnsUnreadError) as got:
        extract_page(_ruled_page(), None, _Unreadable(), Settings.load(None))
    ext = got.value.extraction
    assert ext is not None and [r.row_no for r in ext.rows] == list(range(1, 10))  # every written row, as read
    assert all(c.text == "一二" for r in ext.rows for c in r.cells)
    assert COLUMNS_UNREAD_DOUBT in ext.structure.page and COLUMNS_UNREAD_DOUBT.startswith("本页")


def _book(store, pages: int, media: str = "pdf") -> int:
    from pipeline.kernel.store import SourceFile

    with store.session() as s, s.begin():
        sf = SourceFile(
            sha256="4" * 64, rel_path="b.pdf", abs_path="/nowhere/b.pdf", size_bytes=9, media_type=media, page_count=pages
        )
        s.add(sf)
        s.flush()
        return sf.id


def _stored_page(store, file_id: int, no: int, layout: dict, title: str):
    from pipeline.kernel.store import Page

    with store.session() as s, s.begin():
        page = Page(
            file_id=file_id,
            page_no=no,
            status="done" if layout else "pending",
            ledger_kind="cremation" if layout else None,
            title=title,
            steps=[{"name": "capture", "settings": {}, "result": {"page_found": True}}],
            layout=layout or None,
        )
        s.add(page)
        s.flush()
        return page.id


def test_a_page_of_a_book_keeps_its_unread_rows_a_lone_page_does_not(tmp_path):
    from pipeline.kernel.store import Store
    from pipeline.page.extract import kept_unread

    with pytest.raises(ColumnsUnreadError) as got:
        extract_page(_ruled_page(), None, _Unreadable(), Settings.load(None))
    settings = Settings(data_dir=str(tmp_path / "data"))
    store = Store.open(settings)
    fid = _book(store, 3)
    ids = [_stored_page(store, fid, no, {}, "") for no in (1, 2, 3)]
    assert kept_unread(store, ids[0], got.value) is got.value.extraction  # two sibling pages: their columns may tell
    store.dispose()
    store = Store.open(Settings(data_dir=str(tmp_path / "lone")))
    fid = _book(store, 2)
    ids = [_stored_page(store, fid, no, {}, "") for no in (1, 2)]
    assert kept_unread(store, ids[0], got.value) is None  # one sibling: no_table, columns_unread, as before
    store.dispose()


def test_a_remap_gives_the_unread_page_the_columns_of_its_book_every_field_in_doubt(tmp_path):
    """End to end on a store (no OCR: the cells are a generated register's text): three legible pages of one
    book and a fourth whose header read as nothing, its rows kept with no field (map_rows); after `backfill
    remap` its rows hold their fields from the columns its siblings name, each in doubt, none accepted."""
    from sqlalchemy import select

    from pipeline.kernel.models import RawCell
    from pipeline.kernel.store import Record, Store
    from pipeline.page.extract import map_rows, save_records
    from pipeline.page.routing import AUTO_ACCEPTED
    from pipeline.page.structure import Structure
    from pipeline.runs.stages import remap
    from samples import generator as g

    settings = Settings(data_dir=str(tmp_path / "data"))
    store = Store.open(settings)
    reg = g.get_register(1, "haiyang", 2013, "cremation")
    xs = list(BOOK_XS)
    fid = _book(store, 4)
    grid = {"rows": [0, 40, 80, 120, 160, 200, 240, 280], "cols": xs, "inferred_rows": []}
    ids = []
    for no in (1, 2, 3, 4):
        unread = no == 4
        header = [""] * len(HEADERS_15) if unread else list(HEADERS_15)
        columns: list[str | None] = [None] * len(HEADERS_15) if unread else list(reg.columns)
        structure = Structure()
        if unread:
            structure.doubt_page(COLUMNS_UNREAD_DOUBT)
        layout = {"grid": grid, "header": header, "columns": columns}
        if unread:
            layout["structure"] = structure.to_dict()
        ids.append(_stored_page(store, fid, no, layout, reg.title))
        rows = reg.page_rows(no)[:6]
        cells = [(i, [RawCell(text, 1.0, None) for text in r.cells]) for i, r in enumerate(rows, start=1)]
        save_records(
            store, ids[-1], "cremation", map_rows("cremation", reg.title, columns, cells, settings, structure=structure), settings
        )
    with store.session() as s:
        assert len(list(s.scalars(select(Record).where(Record.page_id == ids[3])))) == 6  # kept with no field
    remap(store, settings)
    with store.session() as s:
        recs = list(s.scalars(select(Record).where(Record.page_id == ids[3])))
        names = {(r.fields.get("deceased_name") or {}).get("value") for r in recs}
        assert len(recs) == 6 and not any(r.status == AUTO_ACCEPTED for r in recs)
        assert all("page_structure_doubted" in (r.fields.get("deceased_name") or {}).get("flags", []) for r in recs)
    assert names == {r.record["deceased_name"] for r in reg.page_rows(4)[:6]}
    store.dispose()
