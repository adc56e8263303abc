"""A seal left as ink on a grayscale (or 1-bit) scan, where the colour test of stamp suppression cannot
see it: found by its shape (a ring of an official seal's size, 国发〔1999〕25号) and the cells it
covers doubted, so that its text is never auto-accepted as their values."""

from __future__ import annotations

import re

import cv2
import numpy as np
from test_structure import FIELDS, ROWS, _map

from mapping.flags import FLAGS
from pipeline.kernel.config import Settings
from pipeline.kernel.models import FieldValue, RawCell
from pipeline.page.cleanup import clean_page, find_seals, seal_mask
from pipeline.page.extract import doubt_seal_only_rows, doubt_sealed_cells
from pipeline.page.layout import Grid
from pipeline.page.routing import NEEDS_REVIEW, route
from pipeline.page.structure import SEAL_ONLY, UNDER_SEAL, Structure, sealed_id_confirmed, sealed_sex_confirmed
from pipeline.review.queue import record_reason
from review_app.i18n import t

H, W = 1654, 2339  # an A4 page scanned at 200 dpi, landscape
ROW_Y = tuple(range(200, 1500, 100))
COL_X = tuple(range(150, 2250, 175))
SEAL = (1475, 705, 157)  # a 40 mm seal (157 px at 200 dpi is 19.9 mm): a funeral home's 公章


def _page(seal: bool = False, mark: bool = False, bilevel: bool = False) -> np.ndarray:
    """A grayscale ruled register page of typed digits; `seal`: a grey seal (ring, star, text strokes
    around the rim) over some cells; `mark`: a handwritten circle (12 mm) round one value."""
    a = np.full((H, W), 248, np.uint8)
    for y in ROW_Y:
        cv2.line(a, (COL_X[0], y), (COL_X[-1], y), 30, 2)
    for x in COL_X:
        cv2.line(a, (x, ROW_Y[0]), (x, ROW_Y[-1]), 30, 2)
    rng = np.random.default_rng(5)
    for y0 in ROW_Y[:-1]:
        for x0 in COL_X[:-1]:
            text = str(int(rng.integers(10, 99999)))
            cv2.putText(a, text, (x0 + 15, y0 + 65), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 20, 3, cv2.LINE_AA)
    if seal:
        x, y, r = SEAL
        ink = np.zeros_like(a)
        cv2.circle(ink, (x, y), r, 90, 8, cv2.LINE_AA)
        star = [
            (
                x + (45 if i % 2 == 0 else 18) * np.cos(-np.pi / 2 + i * np.pi / 5),
                y + (45 if i % 2 == 0 else 18) * np.sin(-np.pi / 2 + i * np.pi / 5),
            )
            for i in range(10)
        ]
        cv2.fillPoly(ink, [np.array(star, np.int32)], 90)
        for t in np.linspace(-2.6, -0.5, 7):  # the name around the rim: short strokes inside the ring
            cx, cy = x + 0.78 * r * np.cos(t), y + 0.78 * r * np.sin(t)
            cv2.line(ink, (int(cx - 12), int(cy)), (int(cx + 12), int(cy)), 90, 5)
            cv2.line(ink, (int(cx), int(cy - 14)), (int(cx), int(cy + 14)), 90, 5)
        a = cv2.subtract(a, ink)  # grey ink over the page, the text under it kept
    if mark:
        cv2.circle(a, (COL_X[3] + 80, ROW_Y[4] + 50), 48, 25, 3, cv2.LINE_AA)  # a correction ring, 12 mm
    if bilevel:
        a = np.where(a < 200, 0, 255).astype(np.uint8)
    return cv2.cvtColor(a, cv2.COLOR_GRAY2BGR)


def test_a_grey_seal_is_found_by_its_ring():
    gray = cv2.cvtColor(_page(seal=True), cv2.COLOR_BGR2GRAY)
    found = find_seals(gray)
    assert len(found) == 1
    x, y, r = found[0]
    assert abs(x - SEAL[0]) <= 6 and abs(y - SEAL[1]) <= 6 and abs(r - SEAL[2]) <= 8
    clean = clean_page(_page(seal=True))
    step = next(s for s in clean.steps if s.name == "seal_rings")
    assert step.result["seals"] == 1
    assert clean.seals is not None and 0.01 < clean.seals.mean() < 0.05  # one disc, ~40 mm across


def test_a_seal_on_a_one_bit_scan_is_found_too():
    gray = cv2.cvtColor(_page(seal=True, bilevel=True), cv2.COLOR_BGR2GRAY)
    assert len(find_seals(gray)) == 1


def test_a_page_without_a_seal_and_a_correction_circle_give_none():
    clean = clean_page(_page())
    assert clean.seals is None
    assert next(s for s in clean.steps if s.name == "seal_rings").result["seals"] == 0
    # a handwritten ring round a value is far below a seal's size: no seal
    assert find_seals(cv2.cvtColor(_page(mark=True), cv2.COLOR_BGR2GRAY)) == []


def test_a_dark_shadow_of_a_photograph_is_no_seal():
    """A shadow over a photographed page's corner holds ink all round any circle in it: no ring."""
    a = cv2.cvtColor(_page(), cv2.COLOR_BGR2GRAY)
    yy, xx = np.mgrid[0:H, 0:W]
    shade = np.clip((xx - 1500) / 3.0, 0, 140).astype(np.uint8)  # darker towards the right edge
    noisy = cv2.subtract(a, shade)
    noisy = cv2.subtract(noisy, np.random.default_rng(3).integers(0, 90, (H, W), dtype=np.uint8))
    assert find_seals(noisy) == []


def test_the_cells_a_seal_covers_are_doubted_and_no_others():
    grid = Grid(ROW_Y, COL_X)
    st = Structure()
    doubt_sealed_cells(grid, seal_mask((H, W), [SEAL]), st)
    x, y, r = SEAL
    for (row, col), reasons in st.cells.items():
        x0, y0, x1, y1 = grid.cell_box(row, col)
        # every doubted cell lies within the seal's reach, and says why
        assert x0 < x + r + 4 and x1 > x - r - 4 and y0 < y + r + 4 and y1 > y - r - 4
        assert reasons == [UNDER_SEAL]
    centre = (
        next(i for i in range(len(ROW_Y) - 1) if ROW_Y[i] <= y < ROW_Y[i + 1]),
        next(i for i in range(len(COL_X) - 1) if COL_X[i] <= x < COL_X[i + 1]),
    )
    assert centre in st.cells
    assert 6 <= len(st.cells) <= 16  # a 40 mm disc over 10 x 17 mm cells
    assert Structure.from_dict(st.to_dict()) == st
    empty = Structure()
    doubt_sealed_cells(grid, None, empty)
    assert empty.empty


def test_a_seals_text_read_as_a_remark_is_not_auto_accepted():
    remarks = FIELDS.index("remarks")
    rows = [list(r) for r in ROWS]
    rows[1][remarks] = "州"  # a character of the seal's rim read as the remark
    st = Structure()
    st.doubt_cell(2, remarks, UNDER_SEAL)
    out = _map(FIELDS, rows, st)
    fv = out[1].record.fields["remarks"]
    assert "cell_under_seal" in fv.flags
    assert route(out[1].record, Settings())[0] == NEEDS_REVIEW
    assert f"remarks: {UNDER_SEAL}" in out[1].record.problems
    # the other rows carry no such doubt
    assert not any("cell_under_seal" in f.flags for r in (out[0], out[2]) for f in r.record.fields.values())
    zh = FLAGS["cell_under_seal"].zh
    assert "印章" in zh and not re.search(r"[A-Za-z]{3,}", zh)


def test_a_row_whose_only_writing_is_under_a_seal_is_held_as_maybe_the_seals_text():
    """A seal stamped over the empty rows below the last entry: its name and 专用章 read in the cells it
    covers made records of nothing (design seed 3305). Such a row is doubted whole (SEAL_ONLY) and held
    with that reason; a row with writing outside the seal too is an entry, doubted only in its sealed
    cells; the serial column's printed number is no writing of an entry."""
    remarks, agent = FIELDS.index("remarks"), FIELDS.index("agent_name")
    blank = ["" for _ in FIELDS]
    rows = [list(ROWS[0]), list(blank), list(blank)]
    rows[1][remarks], rows[1][agent] = "殡仪馆", "专用章"  # the seal's text only
    rows[2][0], rows[2][agent] = "3", "业务专用章"  # a printed serial and the seal's text
    st = Structure()
    for r in (1, 2, 3):
        st.doubt_cell(r, remarks, UNDER_SEAL)
        st.doubt_cell(r, agent, UNDER_SEAL)
    cells = [(i + 1, [RawCell(t, 0.999, None) for t in r]) for i, r in enumerate(rows)]
    doubt_seal_only_rows(cells, FIELDS, st)
    assert st.rows == {2: [SEAL_ONLY], 3: [SEAL_ONLY]}  # row 1 holds a whole entry
    assert Structure.from_dict(st.to_dict()) == st
    out = _map(FIELDS, rows, st)
    held = next(r for r in out if r.row_no == 2).record
    assert f"row: {SEAL_ONLY}" in held.problems
    # the reviewer reads why in Chinese first
    assert record_reason(f"row: {SEAL_ONLY}") == ("seal_only", {})
    assert t("record.seal_only", lang="zh").startswith("此行只有印章") and "印章" in t("record.seal_only.short", lang="zh")
    assert "cell_under_seal" in held.fields["agent_name"].flags
    assert route(held, Settings())[0] == NEEDS_REVIEW
    none = Structure()
    doubt_seal_only_rows(cells, FIELDS, none)  # no seal on the page: nothing doubted
    assert none.empty


def _red_seal_page() -> np.ndarray:
    """The register page with a light red seal (ring, star, rim strokes) stamped over some filled cells, in
    colour: suppress_stamps makes its ink paper."""
    bgr = _page()
    x, y, r = SEAL
    ink = np.zeros(bgr.shape[:2], np.uint8)
    cv2.circle(ink, (x, y), r, 255, 8, cv2.LINE_AA)
    cv2.circle(ink, (x, y), 40, 255, -1)
    for a in np.linspace(-2.6, -0.5, 7):
        cx, cy = x + 0.78 * r * np.cos(a), y + 0.78 * r * np.sin(a)
        cv2.line(ink, (int(cx - 12), int(cy)), (int(cx + 12), int(cy)), 255, 5)
    on = ink > 0
    red = bgr.copy()
    red[on] = (150, 140, 240)  # BGR: a light red seal's ink
    return np.where(on[..., None] & (bgr > 100), red, bgr).astype(np.uint8)  # the text under it stays dark


def test_the_cells_a_colour_stamp_was_taken_from_are_doubted_like_cells_under_a_seal():
    """On a colour scan the stamp's red ink is made paper (suppress_stamps), so no ring is left to
    find; the cells it lay over are doubted all the same (CleanPage.stamped, UNDER_SEAL): the ink taken
    away may have held writing, and what is left of a stroke it crossed can read cleanly as another glyph."""
    clean = clean_page(_red_seal_page())
    stamp = next(s for s in clean.steps if s.name == "stamp_suppression")
    assert stamp.result["stamps"] == 1 and stamp.result["red_pixels"] > 1000
    assert clean.seals is None  # nothing of it is left as ink to find by its ring
    assert clean.stamped is not None and 0.005 < clean.stamped.mean() < 0.08
    grid = Grid(ROW_Y, COL_X)
    st = Structure()
    doubt_sealed_cells(grid, clean.stamped, st)
    x, y, _r = SEAL
    centre = (
        next(i for i in range(len(ROW_Y) - 1) if ROW_Y[i] <= y < ROW_Y[i + 1]),
        next(i for i in range(len(COL_X) - 1) if COL_X[i] <= x < COL_X[i + 1]),
    )
    assert centre in st.cells and st.cells[centre] == [UNDER_SEAL]
    assert len(st.cells) <= 20
    assert clean_page(_page()).stamped is None  # a page without a stamp: no cell doubted for one


def test_an_id_number_under_a_seal_that_its_check_character_confirms_is_not_held_for_the_seal():
    """A seal stamped over the ID column: a number read there whose GB 11643 check character holds, with
    no rule having chosen or corrected it, is the writing's (MOD 11-2 catches any one character the seal's
    ink changed), so the seal alone no longer holds it; a number the seal's ink changed (check fails)
    and the other cells under the seal stay doubted."""
    ident, remarks = FIELDS.index("id_number"), FIELDS.index("remarks")
    rows = [list(r) for r in ROWS[:2]]
    first = rows[0][ident]
    rows[1][ident] = first[:9] + str((int(first[9]) + 3) % 10) + first[10:]  # one digit changed by the seal's ink
    st = Structure()
    for r in (1, 2):
        st.doubt_cell(r, ident, UNDER_SEAL)
        st.doubt_cell(r, remarks, UNDER_SEAL)
    out = _map(FIELDS, rows, st)
    sure, changed = out[0].record, out[1].record
    assert sure.fields["id_number"].value == first
    assert "cell_under_seal" not in sure.fields["id_number"].flags
    assert f"id_number: {UNDER_SEAL}" not in sure.problems
    assert "cell_under_seal" in changed.fields["id_number"].flags
    assert f"id_number: {UNDER_SEAL}" in changed.problems
    assert all(f"remarks: {UNDER_SEAL}" in r.problems for r in (sure, changed))  # the other sealed cell: held
    # a number the spec chose or corrected is not confirmed by its check character
    assert not sealed_id_confirmed(FieldValue(first, first, 0.99, None, ["id_corrected"]), "id_number")
    assert not sealed_id_confirmed(FieldValue(first, first, 0.99, None, []), "text")
    assert sealed_id_confirmed(FieldValue(first, first, 0.99, None, ["engines_agree"]), "id_number")


def test_a_sex_under_a_seal_that_the_id_numbers_digit_17_states_is_not_held_for_the_seal():
    """The sex cell under a seal: 女 read beside a confirmed ID whose digit 17 is even (GB 11643) is the
    writing's; 男 read there (a seal's stroke could make either) is not what the ID states and stays held."""
    sex, ident = FIELDS.index("sex_code"), FIELDS.index("id_number")
    rows = [list(ROWS[0]), list(ROWS[0])]
    assert rows[0][sex] == "女" and int(rows[0][ident][16]) % 2 == 0
    rows[1][sex] = "男"
    st = Structure()
    for r in (1, 2):
        st.doubt_cell(r, sex, UNDER_SEAL)
    out = _map(FIELDS, rows, st)
    agrees, against = out[0].record, out[1].record
    assert "cell_under_seal" not in agrees.fields["sex_code"].flags
    assert f"sex_code: {UNDER_SEAL}" not in agrees.problems
    assert "cell_under_seal" in against.fields["sex_code"].flags
    assert route(against, Settings())[0] == NEEDS_REVIEW
    # an ID a rule corrected confirms nothing
    rec = agrees
    rec.fields["id_number"].flags.append("id_corrected")
    assert not sealed_sex_confirmed(rec.fields["sex_code"], "sex_code", rec)
