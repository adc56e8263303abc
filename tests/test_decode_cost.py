"""What decoding a cell of no value costs (s40): the search of the recognizer's likeliest texts asks whether a
beginning can grow into a valid text once per beginning; a number cell no text of its form can be chosen for is
not searched; a column given an age by its content is read again only in its cells the age's decoding takes.
Each keeps what is read (the choice, the texts and their scores) as it was."""

from __future__ import annotations

import math

import numpy as np

from mapping.spec import load_spec
from ocr.ctc import ANY, _logaddexp, alphabet_log_bound, ctc_log_likelihoods, likeliest_texts
from pipeline.kernel.models import RawCell
from pipeline.page.extract import column_decoders, read_cells, read_options
from pipeline.page.layout import Grid
from tests.test_number_decoding import CHARS, _FramesEngine, frames


class _BoundedEngine(_FramesEngine):
    """_FramesEngine that also bounds an alphabet's texts (as ppocr does) and counts the searches run."""

    def __init__(self, probs: np.ndarray):
        super().__init__(probs)
        self.searched = 0

    def likeliest_texts(self, image, alphabet, beam=32, max_len=None, viable=None):
        self.searched += 1
        return super().likeliest_texts(image, alphabet, beam, max_len, viable)

    def alphabet_bound(self, image, alphabet):
        return alphabet_log_bound(self.probs, [1 + CHARS.index(ch) for ch in alphabet if ch in CHARS])


def _read(engine: _FramesEngine, field: str) -> RawCell:
    gray = np.full((40, 200), 255, np.uint8)
    gray[14:26, 20:180] = 0  # one line of ink
    decode = {0: column_decoders(load_spec())[field]}
    return read_cells(gray, Grid((0, 40), (0, 200)), engine, [(0, 0)], decode=decode)[(0, 0)]


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


def test_the_search_adds_as_numpy_adds():
    for x, y in [(0.0, 0.0), (-np.inf, -np.inf), (-np.inf, -3.5), (-2.0, -np.inf), (-1.25, -7.5), (-700.0, -1e-3)]:
        assert _logaddexp(x, y) == float(np.logaddexp(x, y))
    assert math.isnan(_logaddexp(float("nan"), 1.0))


def test_the_bound_is_above_every_text_of_the_alphabet():
    rng = np.random.default_rng(7)
    probs = rng.dirichlet(np.ones(6), size=9)
    texts = [[1], [1, 2], [2, 2, 1], [1, 2, 1, 2]]
    bound = alphabet_log_bound(probs, [1, 2])
    assert all(x <= bound for x in ctc_log_likelihoods(probs, texts))
    assert all(x <= bound for _t, x in likeliest_texts(probs, [1, 2], beam=8))


def test_a_number_cell_read_as_words_is_not_searched():
    """An age cell read 不详-like (two glyphs the frames give the digits next to nothing for): no digit text can
    come within DECODE_MAX_DROP of the reading, so the search is not run, and the cell stays as read."""
    engine = _BoundedEngine(frames([{"N": 0.95}, {"o": 0.95}]))
    cell = _read(engine, "age_years")
    assert cell.text == "No" and not cell.decoded and engine.searched == 0


def test_a_number_cell_within_reach_is_searched_and_decoded_as_before():
    spec = [{"2": 0.9}, {"0": 0.9}, {"1": 0.9}, {"5": 0.9}, {"±": 0.5, ".": 0.3}, {"4": 0.3, "±": 0.4}, {".": 0.4, "±": 0.45}]
    spec += [{"2": 0.9}, {"2": 0.9}]
    engine = _BoundedEngine(frames(spec))
    cell = _read(engine, "death_date")
    assert engine.searched == 1 and cell.decoded and cell.second == "2015.4.22"


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
