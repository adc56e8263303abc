"""What decoding a cell of no value costs (s40): the search of the recognizer's likeliest texts adds in plain
floats as numpy adds and asks whether a beginning can grow into a valid text once per beginning, and only of
beginnings that rank into the beam; a column given an age by its content is read again only in its cells the
age's decoding takes. Each keeps what is read (the texts and their scores) as it was."""

from __future__ import annotations

import math

import numpy as np

from mapping.spec import load_spec
from ocr.ctc import ANY, _logaddexp, ctc_log_likelihoods, likeliest_texts
from pipeline.kernel.models import RawCell
from pipeline.page.extract import read_options


def test_the_search_asks_once_whether_a_beginning_can_grow():
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.full(12, 0.2), size=30)
    asked: list[tuple[int, ...]] = []

    def viable(seq: tuple[int, ...]) -> bool:
        asked.append(seq)
        return seq.count(1) <= 2

    found = likeliest_texts(probs, list(range(1, 12)), beam=16, viable=viable)
    assert found and len(asked) == len(set(asked))
    assert all(t.count(1) <= 2 for t, _x in found)


def test_the_search_asks_only_of_beginnings_that_rank_into_the_beam():
    """A beginning that would not enter the beam anyway is not asked about: with every beginning viable, at most
    `beam` a frame are asked, and the texts found are those of the search asking nothing."""
    rng = np.random.default_rng(4)
    probs = rng.dirichlet(np.full(12, 0.2), size=30)
    asked: list[tuple[int, ...]] = []

    def anything(seq: tuple[int, ...]) -> bool:
        asked.append(seq)
        return True

    found = likeliest_texts(probs, list(range(1, 12)), beam=4, viable=anything)
    assert found == likeliest_texts(probs, list(range(1, 12)), beam=4)
    assert len(asked) <= 30 * 4


def test_the_search_adds_as_numpy_adds():
    for x, y in [(0.0, 0.0), (-np.inf, -np.inf), (-np.inf, -3.5), (-2.0, -np.inf), (-1.25, -7.5), (-700.0, -1e-3)]:
        assert _logaddexp(x, y) == float(np.logaddexp(x, y))
    assert math.isnan(_logaddexp(float("nan"), 1.0))


def test_a_column_told_an_age_by_content_is_read_again_only_where_the_age_is_decoded():
    sp = load_spec()
    before = read_options("cremation", [None], sp)
    after = read_options("cremation", ["age_years"], sp)
    box = (0, 0, 10, 10)
    assert not after.rereads(before, 0, RawCell("81", 0.99, box))  # a value: never decoded
    assert not after.rereads(before, 0, RawCell("", 1.0, box))  # blank
    assert not after.rereads(before, 0, RawCell("ne", 0.5, box, None, "81", 0.6))  # its other reading a value
    assert after.rereads(before, 0, RawCell("ne", 0.5, box))  # no value: decoded as an age
    # a column whose crops change with the field (an ID's digits widened) is read again whole
    ids = read_options("cremation", ["id_number"], sp)
    assert ids.rereads(before, 0, RawCell("", 1.0, box)) and ids.rereads(before, 0, RawCell("81", 0.99, box))


def test_texts_scored_together_score_as_each_alone():
    """ctc_log_likelihoods gathers each state's column frame by frame instead of building every text's
    array: the values are those of each text scored on its own, padding and all."""
    rng = np.random.default_rng(12)
    probs = rng.dirichlet(np.full(9, 0.3), size=14)
    texts = [[], [1], [1, 1], [2, 3, 2, 3], [4, (5, 6), 7], [8, ANY, ANY], [(), 2]]
    together = ctc_log_likelihoods(probs, texts)
    assert together == [ctc_log_likelihoods(probs, [t])[0] for t in texts]
    assert math.isclose(together[0], float(np.log(probs[:, 0]).sum()))
