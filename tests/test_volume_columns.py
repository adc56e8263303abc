"""A register's pages share one printed form: a column its own page could not identify takes the field
its sibling pages agree on (mapping.headers.agree_in_volume, pipeline.page.extract.take_told)."""

from __future__ import annotations

from dataclasses import replace
from itertools import accumulate

from mapping.headers import VOLUME_DOUBT, VolumePage, agree_in_volume, is_assignment_doubt
from mapping.spec import load_spec
from pipeline.page.extract import PAGE_ASSIGNMENT_DOUBT, take_told, volume_key
from pipeline.page.structure import Structure

HEADER = ("序号", "死者姓名", "死亡日期", "火化日期", "备注")
FIELDS = ("row_no", "deceased_name", "death_date", "cremation_date", "remarks")
WIDTHS = (0.08, 0.22, 0.25, 0.25, 0.20)
NAMES = ("王建国", "李秀英", "张伟", "刘淑珍", "陈明")
DEATHS = ("2014-03-02", "2014-03-05", "2014-03-09", "2014-03-11", "2014-03-15")
CREMATIONS = ("2014-03-05", "2014-03-08", "2014-03-12", "2014-03-14", "2014-03-18")


def page(
    header: tuple[str, ...] = HEADER,
    fields: tuple[str | None, ...] = FIELDS,
    widths: tuple[float, ...] = WIDTHS,
    doubted: frozenset[int] = frozenset(),
    deaths: tuple[str, ...] = DEATHS,
) -> VolumePage:
    texts = (tuple(str(i + 1) for i in range(5)), NAMES, deaths, CREMATIONS, ("",) * 5)
    return VolumePage("cremation", widths, header, fields, doubted, texts)


def misread(c: int, text: str, **kw) -> VolumePage:
    header = tuple(text if i == c else h for i, h in enumerate(HEADER))
    fields = tuple(None if i == c else f for i, f in enumerate(FIELDS))
    return page(header, fields, **kw)


def test_a_misread_header_takes_the_field_its_sibling_pages_agree_on():
    sp = load_spec()
    told = agree_in_volume([page(), page(), misread(2, "09")], sp)
    assert told[0] == [] and told[1] == []
    [t] = told[2]
    # its own cells are dates: the death date's content test passes them all, so it is not doubted
    assert (t.index, t.field, t.doubt) == (2, "death_date", None)
    [n] = agree_in_volume([page(), page(), misread(1, "08")], sp)[2]
    # a name's content cannot be told as a date's can: the volume says which field, the column stays doubted
    assert (n.index, n.field) == (1, "deceased_name") and n.doubt == VOLUME_DOUBT.format(agree=2)
    assert is_assignment_doubt(n.doubt)


def test_the_volume_tells_a_field_only_through_sure_siblings_of_the_same_form():
    sp = load_spec()
    # one sibling only (a book of two pages): its sure field, always doubted, for a column left without one
    [t] = agree_in_volume([page(), misread(2, "09")], sp)[1]
    assert (t.index, t.field, t.doubt) == (2, "death_date", VOLUME_DOUBT.format(agree=1))
    # ... nothing where that page is in doubt of it, or for a column this page gave another field in doubt
    assert agree_in_volume([page(doubted=frozenset({2})), misread(2, "09")], sp) == [[], []]
    swapped = page(
        ("序号", "死者姓名", "09", "火化日期", "备注"), ("row_no", "deceased_name", "birth_date", "cremation_date", "remarks")
    )
    assert agree_in_volume([page(), replace(swapped, doubted=frozenset({2}))], sp)[1] == []
    # a sibling in doubt of that column does not count as sure: its dates do not lift the column's doubt
    [t] = agree_in_volume([page(), page(doubted=frozenset({2})), misread(2, "09")], sp)[2]
    assert (t.field, t.doubt) == ("death_date", VOLUME_DOUBT.format(agree=2))
    # nor does a sibling sure of nothing there, or none at all
    assert agree_in_volume([page(), misread(2, "xx"), misread(2, "09")], sp)[2] == []
    # ruled otherwise (a line lost or added shifts widths by a column's): no sibling
    other = (0.08, 0.22, 0.27, 0.23, 0.20)
    assert agree_in_volume([page(), page(), misread(2, "09", widths=other)], sp)[2] == []
    # as many siblings sure of nothing there (an extra column) as of the field: no clear majority
    assert agree_in_volume([page(), page(), misread(2, "xx"), misread(2, "yy"), misread(2, "09")], sp)[4] == []


def test_the_page_own_evidence_against_the_field_wins():
    sp = load_spec()
    # its header reads, as a whole, as another field's wording
    assert agree_in_volume([page(), page(), misread(2, "出生日期")], sp)[2] == []
    # ... but not where that field is another column's, sure on the page (one printed column per field): the
    # header was misread (死者 left of 与死者关系 whose other glyphs were lost), the volume's word stands, doubted
    [t] = agree_in_volume([page(), page(), misread(2, "火化日期")], sp)[2]
    assert (t.field, t.doubt) == ("death_date", VOLUME_DOUBT.format(agree=2))
    # where the column of that field is in doubt itself, the header stands against the volume's word
    told = agree_in_volume([page(), page(), misread(2, "火化日期", doubted=frozenset({3}))], sp)[2]
    assert [t.index for t in told] == [3]
    # its cells mostly fail the field's test
    words = ("骨灰寄存", "海葬", "树葬", "骨灰寄存", "海葬")
    assert agree_in_volume([page(), page(), misread(2, "09", deaths=words)], sp)[2] == []


def test_a_told_column_is_doubted_and_its_page_too_where_the_field_is_mandatory():
    sp = load_spec()
    [n] = agree_in_volume([page(), page(), misread(1, "08")], sp)[2]
    st = Structure()
    cols = take_told("cremation", [None if i == 1 else f for i, f in enumerate(FIELDS)], [n], st, sp)
    assert cols[1] == "deceased_name"
    assert n.doubt in st.columns[1]
    assert PAGE_ASSIGNMENT_DOUBT.format(field="deceased_name", why=n.doubt) in st.page
    # told without doubt: the page-alone assignment doubts of that column go, other doubts stay
    [t] = agree_in_volume([page(), page(), page(doubted=frozenset({2}))], sp)[2]
    assert (t.field, t.doubt) == ("death_date", None)
    why = "identified only by elimination (its cells fit death_date)"
    st = Structure()
    st.doubt_column(2, why)
    st.doubt_column(2, "under a seal")
    st.doubt_page(PAGE_ASSIGNMENT_DOUBT.format(field="death_date", why=why))
    take_told("cremation", list(FIELDS), [t], st, sp)
    assert st.columns[2] == ["under a seal"] and st.page == []


def test_a_volume_is_a_file_or_a_folder_of_photographed_pages():
    assert volume_key("a/01_yantai_2011/page_001.jpg", "jpeg") == volume_key("a/01_yantai_2011/page_002.jpg", "jpeg")
    assert volume_key("a/01.pdf", "pdf") != volume_key("a/02.pdf", "pdf")


def test_siblings_agreeing_only_in_doubt_give_an_unidentified_column_their_field_in_doubt():
    sp = load_spec()
    # 编号 identified only by elimination on the other pages, its header misread 09 on this one
    # (camera_capture seed 4403): the column takes the field, and stays doubted though its cells are dates
    vol = [page(doubted=frozenset({2})), page(doubted=frozenset({2})), misread(2, "09")]
    [t] = agree_in_volume(vol, sp)[2]
    assert (t.field, t.doubt) == ("death_date", VOLUME_DOUBT.format(agree=2))
    # a column its page identified in doubt is not moved by siblings in doubt
    assert agree_in_volume([page(doubted=frozenset({2})), page(doubted=frozenset({2})), page(doubted=frozenset({2}))], sp) == [
        [],
        [],
        [],
    ]
    # two siblings sure of nothing there against two in doubt of the field: no clear majority
    vol = [page(doubted=frozenset({2})), page(doubted=frozenset({2})), misread(2, "xx"), misread(2, "yy"), misread(2, "09")]
    assert agree_in_volume(vol, sp)[4] == []


BOOK_XS = tuple(accumulate((40, 80, 60, 40, 40, 150, 170, 80, 70, 80, 70, 60, 50, 100, 70), initial=0))
"""The x of each column line of the book the remap tests store (a column per header of HEADERS_15)."""

HEADERS_15 = [
    "序号",
    "火化证号",
    "死者姓名",
    "性别",
    "年龄",
    "身份证号",
    "户籍地址",
    "死亡日期",
    "死亡原因",
    "火化日期",
    "骨灰去向",
    "经办人",
    "与死者关系",
    "联系电话",
    "备注",
]


def _book(tmp_path, headers: list[list[str]], blurred: tuple[int, int, tuple[str, ...]] | None = None):
    """A store holding one book (b.pdf) of len(headers) pages, each page's header as given, its cells a
    generated register's text (no OCR), each page mapped on its own as process_page maps it (its columns by
    header and content). `blurred`: (page number, column, texts) read instead at 0.2.
    (settings, store, page ids, register)."""
    from pipeline.kernel.config import Settings
    from pipeline.kernel.models import RawCell
    from pipeline.kernel.store import Page, SourceFile, Store
    from pipeline.page.extract import assign_by_content, map_rows, save_records
    from samples import generator as g

    settings = Settings(data_dir=str(tmp_path / "data"))
    store = Store.open(settings)
    reg = g.get_register(1, "haiyang", 2013, "cremation")
    xs = list(BOOK_XS)
    with store.session() as s, s.begin():
        sf = SourceFile(
            sha256="3" * 64, rel_path="b.pdf", abs_path="/nowhere/b.pdf", size_bytes=9, media_type="pdf", page_count=len(headers)
        )
        s.add(sf)
        s.flush()
        file_id = sf.id
    ids = []
    for no, header in enumerate(headers, start=1):
        rows = reg.page_rows(no)[:6]
        cells = [(i, [RawCell(text, 1.0, None) for text in r.cells]) for i, r in enumerate(rows, start=1)]
        if blurred is not None and blurred[0] == no:
            for (_i, row), text in zip(cells, blurred[2]):
                row[blurred[1]] = RawCell(text, 0.2, None)
        structure = Structure()
        columns = assign_by_content(
            "cremation", header, [[RawCell(h, 1.0, None) for h in header]] + [r for _i, r in cells], structure, load_spec()
        )
        grid = {"rows": [0, 40, 80, 120, 160, 200, 240, 280], "cols": [x + 7 * no for x in xs], "inferred_rows": []}
        with store.session() as s, s.begin():
            page = Page(
                file_id=file_id,
                page_no=no,
                status="done",
                ledger_kind="cremation",
                title=reg.title,
                steps=[{"name": "capture", "settings": {}, "result": {"page_found": False}}],
                layout={"grid": grid, "header": header, "columns": columns, "structure": structure.to_dict()},
            )
            s.add(page)
            s.flush()
            ids.append(page.id)
        extracted = map_rows("cremation", reg.title, columns, cells, settings, structure=structure, header=header)
        save_records(store, ids[-1], "cremation", extracted, settings)
    return settings, store, ids, reg


def test_a_remap_gives_a_misread_column_the_field_of_its_volume(tmp_path):
    """End to end on a store (no OCR: the cells are a generated register's text): three pages of one
    book, the third's 死亡日期 and 火化日期 read as 火日期 and 死日期 (each a glyph lost, the other's), so that page
    alone swaps the two date columns (in doubt); after `backfill remap` each holds its field again, doubted
    still. (Both read 08 swapped them only while stand-ins scored as half of every wording: now a header of
    stand-ins is a lost one and the page's dates, in the order of death and cremation, tell them.)"""
    from sqlalchemy import select

    from pipeline.kernel.store import Page, Record
    from pipeline.runs.stages import remap

    misread = {7: "火日期", 9: "死日期"}
    headers = [[(misread[c] if c in misread and no == 3 else h) for c, h in enumerate(HEADERS_15)] for no in (1, 2, 3)]
    settings, store, ids, reg = _book(tmp_path, headers)
    remap(store, settings)
    with store.session() as s:
        third = s.get(Page, ids[2])
        assert (third.layout["columns"][7], third.layout["columns"][9]) == ("death_date", "cremation_date")
        for c in ("7", "9"):
            assert any(r.startswith("its field is told by its volume") for r in third.layout["structure"]["columns"][c])
        deaths = {
            (r.fields.get("death_date") or {}).get("value") for r in s.scalars(select(Record).where(Record.page_id == ids[2]))
        }
        first = s.get(Page, ids[0])
        assert "structure" not in first.layout
    assert deaths == {r.record["death_date"] for r in reg.page_rows(3)[:6]}
    store.dispose()


def test_a_remap_gives_a_column_of_a_two_page_book_the_field_of_its_other_page(tmp_path):
    """A book of two pages (camera_capture seed 4423: a photographed book's first page, its sex and ethnic
    group headers read 09 and 民版, its cells at 0.1-0.3): the column its page left without a field takes the
    field the other page is sure of, doubted, and the page is doubted with it where the field is mandatory."""
    from pipeline.kernel.store import Page
    from pipeline.runs.stages import remap

    headers = [list(HEADERS_15), [("09" if c == 10 else h) for c, h in enumerate(HEADERS_15)]]
    settings, store, ids, _reg = _book(tmp_path, headers, (2, 10, ("超吧", "手贝子0", "家美福回", "RAUN", "e%", "安再")))
    with store.session() as s:
        assert s.get(Page, ids[1]).layout["columns"][10] is None  # on its own
    remap(store, settings)
    with store.session() as s:
        second = s.get(Page, ids[1])
        assert second.layout["columns"][10] == "ashes_destination_code"
        assert VOLUME_DOUBT.format(agree=1) in second.layout["structure"]["columns"]["10"]
        assert any(r.startswith(PAGE_ASSIGNMENT_DOUBT.split("{", 1)[0]) for r in second.layout["structure"]["page"])
        assert "structure" not in s.get(Page, ids[0]).layout or not s.get(Page, ids[0]).layout["structure"].get("columns")
    store.dispose()


def test_a_photographed_code_column_read_with_look_alike_glyphs_still_takes_its_volume_field():
    """A GB/T 4761 relation column photographed with most wordings one glyph off (配鴿 for 配偶, 几子 for
    儿子, 予 for 子: the recognizer keeps the glyph's shape) is not refused its volume's field as mostly
    unlike it (only 2 of 5 read exactly), and stays doubted (not 4 of 5 read exactly)."""
    sp = load_spec()
    header = ("序号", "死者姓名", "经办人", "与逝者关系", "备注")
    fields = ("row_no", "deceased_name", "agent_name", "agent_relation_code", "remarks")
    widths = (0.08, 0.22, 0.25, 0.25, 0.20)
    serial = tuple(str(i + 1) for i in range(5))

    def rel_page(head: str, field: str | None, rel: tuple[str, ...]) -> VolumePage:
        hd = header[:3] + (head,) + header[4:]
        fd = fields[:3] + (field,) + fields[4:]
        return VolumePage("cremation", widths, hd, fd, frozenset(), (serial, NAMES, NAMES[::-1], rel, ("",) * 5))

    exact = ("配偶", "儿子", "子", "女", "夫")
    photographed = ("配鴿", "几子", "予", "女", "夫")
    told = agree_in_volume(
        [rel_page("与逝者关系", "agent_relation_code", exact)] * 2 + [rel_page("与者", None, photographed)], sp
    )
    [t] = told[2]
    assert (t.index, t.field, t.doubt) == (3, "agent_relation_code", VOLUME_DOUBT.format(agree=2))
    # cells mostly unlike any relation wording, exact or look-alike, still refuse the volume's word
    unlike = ("化学", "组", "牛", "女", "学")
    assert (
        agree_in_volume([rel_page("与逝者关系", "agent_relation_code", exact)] * 2 + [rel_page("与者", None, unlike)], sp)[2]
        == []
    )


def test_cells_read_unsure_do_not_refuse_the_field_their_volume_tells():
    """A photographed page too blurred to read (camera_capture seed 4422: cells read at 0.1-0.4, 领回 as 超吧,
    家属领回 as 家美福回) keeps its ashes column unidentified, the misreadings mostly unlike any wording of
    the table: they are no evidence against the field its sibling pages are sure of (a cell read below
    SURELY_READ may be anything), so the column takes it, doubted. Read surely, the same cells refuse it."""
    from pipeline.kernel.models import RawCell
    from pipeline.page.extract import _volume_page

    sp = load_spec()
    header = ("序号", "死者姓名", "骨灰去向", "死亡日期", "备注")
    fields = ("row_no", "deceased_name", "ashes_destination_code", "death_date", "remarks")
    xs = [0, 40, 150, 275, 400, 500]
    ashes = ("骨灰寄存", "海葬", "家属领回", "寄存", "海葬")
    blurred = ("超吧", "手贝子0", "家美福回", "RAUN", "e%")

    def volume_page(head: str, field: str | None, values: tuple[str, ...], sure: float) -> VolumePage:
        texts = [(str(i + 1), NAMES[i], v, DEATHS[i], "") for i, v in enumerate(values)]
        rows = [(i + 1, [RawCell(x, sure if c == 2 else 0.99, None) for c, x in enumerate(r)]) for i, r in enumerate(texts)]
        layout = {
            "grid": {"rows": [0, 40, 80], "cols": xs},
            "header": list(header[:2]) + [head] + list(header[3:]),
            "columns": list(fields[:2]) + [field] + list(fields[3:]),
        }
        vp = _volume_page(layout, "cremation", rows)
        assert vp is not None
        return vp

    sure_pages = [volume_page("骨灰去向", "ashes_destination_code", ashes, 0.99)] * 2
    [t] = agree_in_volume([*sure_pages, volume_page("0428", None, blurred, 0.2)], sp)[2]
    assert (t.index, t.field, t.doubt) == (2, "ashes_destination_code", VOLUME_DOUBT.format(agree=2))
    # the same readings read surely are the page's evidence against the field: refused, as before
    assert agree_in_volume([*sure_pages, volume_page("0428", None, blurred, 0.95)], sp)[2] == []
    # two more pages of the book as blurred found no field there: having read nothing surely, they abstain,
    # and the two sure pages tell the field; pages that read the column surely and found nothing still count
    unread = [volume_page("1101", None, blurred, 0.2)] * 2
    [t] = agree_in_volume([*sure_pages, *unread, volume_page("0428", None, blurred, 0.2)], sp)[4]
    assert (t.index, t.field, t.doubt) == (2, "ashes_destination_code", VOLUME_DOUBT.format(agree=2))
    read = [volume_page("1101", None, blurred, 0.95)] * 2
    assert agree_in_volume([*sure_pages, *read, volume_page("0428", None, blurred, 0.2)], sp)[4] == []


def test_a_page_with_an_edge_column_no_form_has_is_read_without_it():
    """A photographed page whose grid took the frame's edge for a ruling line (camera_capture seed 4423: a
    line 11 px from the image's right edge) has one column more than its siblings, with no header and only
    the margin's grain read unsure in it: without that column it is of their form, and its misread columns
    take their fields (doubted), counted in the page's own columns. Not where the extra column holds
    writing read surely or a header: then it may be printed, and the page is of another form."""
    sp = load_spec()

    def edged(first: bool, text: str = "多合22290", conf: float = 0.09, head: str = "") -> VolumePage:
        base = misread(2, "09")
        extra = 0.04
        widths = tuple(w * (1 - extra) for w in base.widths)
        marks = (text,) + ("",) * 4
        sure = tuple((True,) * 5 for _ in base.widths)
        edge_sure = (conf >= 0.9,) + (True,) * 4
        if first:
            return VolumePage(
                "cremation",
                (extra, *widths),
                (head, *base.header),
                (None, *base.fields),
                frozenset(),
                (marks, *base.texts),
                (edge_sure, *sure),
            )
        return VolumePage(
            "cremation",
            (*widths, extra),
            (*base.header, head),
            (*base.fields, None),
            frozenset(),
            (*base.texts, marks),
            (*sure, edge_sure),
        )

    [t] = agree_in_volume([page(), page(), edged(first=False)], sp)[2]
    # doubted though its own cells are dates: the page's grid found a line its form has not
    assert (t.index, t.field, t.doubt) == (2, "death_date", VOLUME_DOUBT.format(agree=2))
    [t] = agree_in_volume([page(), page(), edged(first=True)], sp)[2]
    assert (t.index, t.field) == (3, "death_date")
    assert agree_in_volume([page(), page(), edged(first=False, conf=0.95)], sp)[2] == []
    assert agree_in_volume([page(), page(), edged(first=False, head="备注")], sp)[2] == []


def test_a_page_whose_ruling_line_was_lost_is_told_by_siblings_with_those_columns_joined():
    """A photographed page whose ruling line between two columns was lost (design phone copy ph3316
    county_editions 03_cremation_longkou_2015 p2: 家庭住址 and 逝世日期 read as one column under a header
    read 家避住地屠供日断, its other headers misread too) has one column fewer than its siblings: read with
    those two columns joined (widths summed) its siblings are of its form, so they tell its other columns,
    each doubted (the page's grid is in doubt); the joined column is told nothing. A page whose widths
    match no join is told nothing. Failed before: no sibling was of its form, nothing was told."""
    sp = load_spec()
    merged_widths = (0.08, 0.22, 0.50, 0.20)
    lost = VolumePage(
        "cremation",
        merged_widths,
        ("4新", "进招技书", "死广日期火什日期", "雌"),
        (None, None, None, None),
        frozenset(),
        (tuple(str(i + 1) for i in range(5)), NAMES, tuple(d + c for d, c in zip(DEATHS, CREMATIONS)), ("",) * 5),
    )
    told = {t.index: t for t in agree_in_volume([page(), page(), lost], sp)[2]}
    assert told[1].field == "deceased_name" and told[1].doubt is not None
    assert told[0].field == "row_no" and told[0].doubt is not None
    assert 2 not in told
    other = replace(lost, widths=(0.08, 0.30, 0.42, 0.20))
    assert agree_in_volume([page(), page(), other], sp)[2] == []


def test_a_column_its_siblings_print_as_two_has_its_cells_split_for_review():
    """The column of such a page that stands where its siblings print two columns (typed phone copy
    ph3316 04_sea_burial_haiyang_2013 p3: 火化证编号 and 航次 under one header read 大化昼编号次, which no
    header rule reads as two) is told it holds those two (mapping.headers.joined_in_volume), doubted
    (VOLUME_JOINED_DOUBT, its page held) and each cell split where exactly one cut leaves two valid values,
    both shown to a reviewer. Not where the siblings disagree on the pair, nor for a column given a third
    field. Failed before: the column kept no field and its values were lost."""
    from mapping.headers import joined_in_volume
    from pipeline.kernel.config import Settings
    from pipeline.kernel.models import RawCell
    from pipeline.page.extract import VOLUME_JOINED_DOUBT, map_rows, take_joined

    texts = (tuple(str(i + 1) for i in range(5)), tuple(n + d for n, d in zip(NAMES, DEATHS)), CREMATIONS, ("",) * 5)
    header = ("序号", "死者姓么死广日期", "火化日期", "备注")
    lost = VolumePage("cremation", (0.08, 0.47, 0.25, 0.20), header, ("row_no", None, "cremation_date", None), frozenset(), texts)
    assert joined_in_volume([page(), page(), lost]) == [{}, {}, {1: ("deceased_name", "death_date")}]
    other = page(
        ("序号", "死者姓名", "出生日期", "火化日期", "备注"),
        ("row_no", "deceased_name", "birth_date", "cremation_date", "remarks"),
    )
    assert joined_in_volume([page(), other, lost])[2] == {}
    third = replace(lost, fields=("row_no", "age_years", "cremation_date", None))
    assert joined_in_volume([page(), page(), third])[2] == {}
    structure = Structure()
    columns = ["row_no", None, "cremation_date", None]
    take_joined(columns, {1: ("deceased_name", "death_date")}, structure)
    assert structure.columns[1] == [VOLUME_JOINED_DOUBT.format(first="deceased_name", second="death_date")]
    assert structure.hidden
    cells = [(i + 1, [RawCell(t[i], 0.95, None) for t in texts]) for i in range(5)]
    out = map_rows(
        "cremation", "烟台市殡仪馆火化登记簿（2014年）", columns, cells, Settings(), header=list(header), structure=structure
    )
    first = out[0].record.fields
    assert (first["deceased_name"].value, first["death_date"].value) == (NAMES[0], DEATHS[0])
    assert "split_from_merged_column" in first["death_date"].flags and first["death_date"].confidence <= 0.5
