"""A register's numbers keep one format through a volume: a page of a blurred photograph that reads too few
of its numbers with their letter prefix takes the prefix its sibling pages establish, put back only where
the reading is a number of that form with the prefix misread, flagged and doubted
(mapping.headers.prefix_in_volume, pipeline.page.extract.agree_volume)."""

from __future__ import annotations

from mapping.headers import prefix_in_volume
from pipeline.kernel.config import Settings
from pipeline.kernel.models import RawCell

FORM = (2, "9999-999")


def test_a_page_without_its_prefix_takes_the_one_its_sibling_pages_of_its_kind_agree_on():
    hz = {"registration_no": ("HZ", FORM)}
    told = prefix_in_volume([("sea_burial", hz), ("sea_burial", hz), ("sea_burial", {})])
    assert told == [{}, {}, {"registration_no": ("HZ", FORM)}]
    # one sibling is enough (a book of two pages): the value stays doubted whatever the volume says
    assert prefix_in_volume([("sea_burial", hz), ("sea_burial", {})])[1] == {"registration_no": ("HZ", FORM)}
    # siblings that disagree (another prefix, or another form) tell nothing; nor do pages of another kind
    other = {"registration_no": ("HS", FORM)}
    assert prefix_in_volume([("sea_burial", hz), ("sea_burial", other), ("sea_burial", {})])[2] == {}
    longer = {"registration_no": ("HZ", (2, "9999-9999"))}
    assert prefix_in_volume([("sea_burial", hz), ("sea_burial", longer), ("sea_burial", {})])[2] == {}
    assert prefix_in_volume([("cremation", hz), ("sea_burial", {})])[1] == {}


def _book(store, pages: int) -> int:
    from pipeline.kernel.store import SourceFile

    with store.session() as s, s.begin():
        sf = SourceFile(
            sha256="5" * 64, rel_path="sea.pdf", abs_path="/nowhere/sea.pdf", size_bytes=9, media_type="pdf", page_count=pages
        )
        s.add(sf)
        s.flush()
        return sf.id


def _page(store, file_id: int, no: int, title: str) -> int:
    from pipeline.kernel.store import Page

    with store.session() as s, s.begin():
        page = Page(
            file_id=file_id,
            page_no=no,
            status="done",
            ledger_kind="sea_burial",
            title=title,
            steps=[{"name": "capture", "settings": {}, "result": {"page_found": True}}],
            layout={"columns": ["registration_no", "deceased_name"], "header": []},
        )
        s.add(page)
        s.flush()
        return page.id


def test_a_remap_puts_back_the_prefix_of_a_blurred_page_from_its_volume_doubted(tmp_path):
    """End to end on a store (no OCR): two pages of a sea-burial register read HZ2012-0xx; the third, a
    heavier blur, reads the capitals as digits of their shape (822012-0xx, 1Z2012-0xx), too many for the
    page to establish the prefix itself. After `backfill remap` those numbers read HZ2012-0xx, each flagged
    prefix_from_volume and under the threshold (a proposal for the reviewer), the reading kept raw; a
    number that lost its hyphen (another shape) is not rewritten."""
    from sqlalchemy import select

    from pipeline.kernel.store import Record, Store
    from pipeline.page.extract import map_rows, save_records
    from pipeline.page.routing import AUTO_ACCEPTED
    from pipeline.runs.stages import remap

    settings = Settings(data_dir=str(tmp_path / "data"))
    store = Store.open(settings)
    title = "莱州市殡仪馆海葬登记簿（2012年）"
    fid = _book(store, 3)
    pages = [
        [f"HZ2012-{n:03d}" for n in range(1, 7)],
        [f"HZ2012-{n:03d}" for n in range(7, 13)],
        ["822012-013", "1Z2012-014", "HZ2012-015", "RZ2012-016", "BZ2012-017", "1Z2012018"],
    ]
    ids = []
    for no, serials in enumerate(pages, start=1):
        ids.append(_page(store, fid, no, title))
        cells = [(i, [RawCell(t, 0.9, None), RawCell("刘建国", 0.99, None)]) for i, t in enumerate(serials, start=1)]
        out = map_rows("sea_burial", title, ["registration_no", "deceased_name"], cells, settings)
        save_records(store, ids[-1], "sea_burial", out, settings)
    remap(store, settings)
    with store.session() as s:
        recs = sorted(s.scalars(select(Record).where(Record.page_id == ids[2])), key=lambda r: r.row_no)
        reg = [r.fields["registration_no"] for r in recs]
        statuses = [r.status for r in recs]
        first = sorted(s.scalars(select(Record).where(Record.page_id == ids[0])), key=lambda r: r.row_no)
        untouched = [r.fields["registration_no"] for r in first]
    assert [f["value"] for f in reg[:5]] == [f"HZ2012-{n:03d}" for n in range(13, 18)]
    assert [f["raw"] for f in reg[:5]] == pages[2][:5]
    put = [reg[i] for i in (0, 1, 3, 4)]
    assert all("prefix_from_volume" in f["flags"] and f["confidence"] <= 0.45 for f in put)
    assert not any(statuses[i] == AUTO_ACCEPTED for i in (0, 1, 3, 4))
    assert "prefix_from_volume" not in reg[2]["flags"]  # read right: untouched
    assert reg[5]["value"] == "1Z2012018" and "prefix_from_volume" not in reg[5]["flags"]  # another shape
    assert not any("prefix_from_volume" in f["flags"] for f in untouched)
    store.dispose()
