"""The cleanup's table box is the extent of the table's ruling joined as one piece: a photograph that breaks every
row line at one column line splits the table in two, and the box holds the larger piece only (design phone copy
s38 ph3879 of d3316 county 03 p4: the box began at the ID | certificate line; the four columns left of it were read
as one added column and their IDs lost). pipeline.page.layout.columns_beyond_box takes the columns beside the box
that the grid's row lines run across; pipeline.page.extract doubts the page (BEYOND_BOX)."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.page.layout import Grid, columns_beyond_box, find_grid, find_grid_or_text

YS = list(range(300, 1400, 100))  # the header's lines and 10 rows
XS = [180, 260, 370, 450, 720, 880, 1450, 1620, 1770, 1880, 2160]  # a county 03 form's column lines
CUT = 4  # the row lines are broken left of XS[CUT]: the box starts there


def _broken_page(left_border: bool = True) -> np.ndarray:
    gray = np.full((1654, 2339), 235, np.uint8)
    for y in YS:
        cv2.line(gray, (XS[0], y), (XS[-1], y), 90, 2)
    for i, x in enumerate(XS):
        if i or left_border:
            cv2.line(gray, (x, YS[0]), (x, YS[-1]), 90, 2)
    gray[:, XS[CUT] - 18 : XS[CUT] - 3] = 235  # every row line broken just left of one column line
    cv2.line(gray, (2300, 100), (2300, 1600), 60, 3)  # the page's edge beside the table: no row line reaches it
    return gray


def test_the_columns_the_box_cut_off_are_taken_where_the_row_lines_run_across_them():
    gray = _broken_page()
    box = (XS[CUT], YS[0], XS[-1], YS[-1])  # the larger piece, as the cleanup joined it
    inside = find_grid(gray, box)
    assert len(inside.cols) == len(XS) - CUT  # before: the grid began at the box
    grid = columns_beyond_box(gray, inside, box)
    assert len(grid.cols) == len(XS) and all(abs(a - b) <= 3 for a, b in zip(grid.cols, XS))
    assert grid.box_cols == tuple(range(CUT)) and grid.rows == inside.rows
    assert Grid.from_dict(grid.to_dict()) == grid  # stored with the page
    assert len(find_grid_or_text(gray, box).cols) == len(XS)
    assert columns_beyond_box(gray, inside, None) == inside  # no box: the grid is the page's already


def test_a_border_lost_beyond_the_box_is_put_where_the_row_lines_end():
    gray = _broken_page(left_border=False)
    box = (XS[CUT], YS[0], XS[-1], YS[-1])
    grid = columns_beyond_box(gray, find_grid(gray, box), box)
    assert abs(grid.cols[0] - XS[0]) <= 3 and grid.edge_cols == (0,) and grid.box_cols == tuple(range(CUT))


def test_a_whole_box_keeps_its_grid_beside_a_line_no_row_reaches():
    gray = _broken_page()
    gray[:, XS[CUT] - 18 : XS[CUT] - 3] = gray[:, XS[CUT] - 50 : XS[CUT] - 35]  # the row lines whole again
    box = (XS[0], YS[0], XS[-1], YS[-1])
    whole = find_grid(gray, box)
    assert columns_beyond_box(gray, whole, box) == whole  # the page's edge at x 2300 is none of its columns


def test_nothing_ruled_beside_the_table_is_not_searched_over_the_page_width(monkeypatch):
    from pipeline.page import layout

    gray = _broken_page()
    gray[:, XS[CUT] - 18 : XS[CUT] - 3] = gray[:, XS[CUT] - 50 : XS[CUT] - 35]  # the row lines whole again
    box = (XS[0], YS[0], XS[-1], YS[-1])
    whole = find_grid(gray, box)
    searched: list[tuple[int, int, int, int] | None] = []
    real = layout.line_masks

    def spy(g, region=None, *args, **kwargs):
        searched.append(region)
        return real(g, region, *args, **kwargs)

    monkeypatch.setattr(layout, "line_masks", spy)
    assert columns_beyond_box(gray, whole, box) == whole
    assert searched == []  # no row line holds a long run beside the grid: the page's width is not searched
    cut = (XS[CUT], YS[0], XS[-1], YS[-1])
    inside = find_grid(_broken_page(), cut)
    searched.clear()
    assert len(columns_beyond_box(_broken_page(), inside, cut).cols) == len(XS)  # row lines beside it: searched
    assert any(r is not None and r[0] == 0 for r in searched)


def test_level_runs_of_a_part_are_the_page_widths_runs_there():
    from pipeline.page.gridlines import level_runs_part, line_masks

    gray = _broken_page()
    h, w = gray.shape
    masks = line_masks(gray, (0, 250, w, 1450))
    assert masks is not None
    y1 = masks.y0 + masks.hor.shape[0]
    for x0, x1 in ((0, XS[CUT]), (XS[CUT] - 40, XS[CUT] + 300), (XS[-1] + 6, w)):
        part = level_runs_part(gray, (x0, masks.y0, x1, y1), w)
        assert np.array_equal(part, masks.hor[:, x0:x1])
    assert level_runs_part(gray, (0, masks.y0, XS[CUT], y1), w)[YS[3] - masks.y0].any()  # a row line's run is there
