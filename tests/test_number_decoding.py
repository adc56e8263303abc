"""A number cell whose reading fits none of its field's written forms (SPEC: a certificate number's 4-digit year
and 5-digit serial, a date's 2013.4.7 / 2013-04-07 / 2013/4/7 / 2013年4月7日 / 13.4.7, an age, a count) is
decoded to the text of those forms the recognizer's own CTC output finds likeliest in its crop
(pipeline.page.extract.number_decoders, mapping.numberforms), and the value so found stays doubted."""

from __future__ import annotations

import numpy as np

from mapping import RecordContext, build_record
from mapping.numberforms import fits_form, form_prefix, needs_form
from mapping.record import DECODED_NUMBER_CERTAINTY, reads_cleanly
from mapping.spec import load_spec
from ocr.agreement import resolve
from ocr.base import OcrEngine
from ocr.ctc import ctc_log_likelihoods, greedy_decode, likeliest_texts
from pipeline.kernel.models import OcrPiece
from pipeline.page.extract import column_decoders, read_cells
from pipeline.page.layout import Grid

CTX = RecordContext(funeral_home_code="370602-BYG-01", ledger_year=2015)
CHARS = "0123456789.-/年月日岁人No±"


def frames(spec: list[dict[str, float]]) -> np.ndarray:
    """Per-frame class probabilities (class 0 the blank, then CHARS), one frame per dict, each followed by
    a blank frame: what a CTC recognizer outputs for a line of that many glyphs."""
    out = []
    for probs in spec:
        p = np.full(len(CHARS) + 1, 0.002)
        for ch, x in probs.items():
            p[1 + CHARS.index(ch)] = x
        out.append(p / p.sum())
        gap = np.full(len(CHARS) + 1, 0.002)
        gap[0] = 1.0
        out.append(gap / gap.sum())
    return np.asarray(out)


class _FramesEngine(OcrEngine):
    """Reads every crop from one fixed matrix of frame probabilities: greedy decoding for the reading,
    ocr.ctc's beam search and forward sums for the searched and scored texts (the code production runs on
    the recognizer's output)."""

    name = "frames-test"

    def __init__(self, probs: np.ndarray):
        self.probs = probs

    def version(self) -> str:
        return "test"

    def languages(self) -> list[str]:
        return ["chi_sim"]

    def recognize(self, image: np.ndarray) -> list[OcrPiece]:
        return []

    def recognize_crop(self, image: np.ndarray) -> OcrPiece:
        h, w = image.shape[:2]
        seq, confs = greedy_decode(self.probs)
        return OcrPiece("".join(CHARS[c - 1] for c in seq), float(min(confs)), (0, 0, w, h), self.name)

    def likeliest_texts(self, image, alphabet, beam=32, max_len=None, viable=None):
        allowed = [1 + CHARS.index(ch) for ch in alphabet if ch in CHARS]
        text = lambda seq: "".join(CHARS[c - 1] for c in seq)  # noqa: E731
        grow = None if viable is None else (lambda seq: viable(text(seq)))
        return [(text(s), x) for s, x in likeliest_texts(self.probs, allowed, beam=beam, max_len=max_len, viable=grow)]

    def score_readings(self, image, readings, stand_ins=None):
        texts = ["".join(r.split()) for r in readings]
        return ctc_log_likelihoods(self.probs, [[1 + CHARS.index(ch) for ch in t] for t in texts])


def _cell(probs: np.ndarray, field: str):
    gray = np.full((40, 200), 255, np.uint8)
    gray[14:26, 20:180] = 0  # one line of ink
    decode = {0: column_decoders(load_spec())[field]}
    return read_cells(gray, Grid((0, 40), (0, 200)), _FramesEngine(probs), [(0, 0)], decode=decode)[(0, 0)]


def test_the_written_forms_of_number_fields():
    assert fits_form("cert_no", "201500315") and fits_form("cert_no", "No.201500315") and fits_form("cert_no", "2015-00315")
    assert fits_form("cert_no", "15-0315")  # SPEC's 10-0514
    assert not fits_form("cert_no", "2918-00015") and not fits_form("cert_no", "20154159")
    assert fits_form("date", "2015.4.22") and fits_form("date", "2015年4月23日") and fits_form("date", "13.4.7")
    assert not fits_form("date", "2015.4.39") and not fits_form("date", "2015±22") and not fits_form("date", "2015.4.2.2")
    assert fits_form("age", "81") and fits_form("age", "81岁") and not fits_form("age", "ne")
    assert form_prefix("date", "2015.4") and not form_prefix("date", "2015..") and form_prefix("cert_no", "No.2")
    # only a reading that is no value is decoded; one the normalizer's own rules make a value is theirs
    assert needs_form("date", "2015±22") and needs_form("age", "ね") and needs_form("cert_no", "20L500858")
    assert not needs_form("age", "959") and not needs_form("date", "2015.4.20") and not needs_form("age", "")
    assert not needs_form("cert_no", "火字第234号")  # a serial whose year the ledger gives (SPEC: 火字第514号)


def test_a_date_read_with_a_separator_misread_is_decoded_by_the_recognizer():
    """2015.4.22 read 2015±22: the frames of .4. hold ± likeliest, the written glyphs close behind."""
    spec = [{"2": 0.9}, {"0": 0.9}, {"1": 0.9}, {"5": 0.9}, {"±": 0.5, ".": 0.3}, {"4": 0.3, "±": 0.4}, {".": 0.4, "±": 0.45}]
    spec += [{"2": 0.9}, {"2": 0.9}]
    probs = frames(spec)
    cell = _cell(probs, "death_date")
    assert cell.text.startswith("2015±") and cell.decoded and cell.second == "2015.4.22"
    valid = lambda t: reads_cleanly("cremation", "death_date", t, context=CTX)  # noqa: E731
    got = build_record("cremation", {"death_date": resolve(cell, valid=valid)}, CTX).fields["death_date"]
    assert got.value == "2015-04-22" and "decoded_valid" in got.flags
    assert got.confidence <= DECODED_NUMBER_CERTAINTY and got.raw == "2015.4.22"


def test_a_number_that_is_a_value_as_read_is_never_decoded():
    """A reading of the form is left as read, however likely another text of the form is."""
    probs = frames([{"8": 0.5, "3": 0.45}, {"1": 0.9}])
    cell = _cell(probs, "age_years")
    assert cell.text == "81" and not cell.decoded and cell.second is None


def test_nothing_is_decoded_where_the_recognizer_sees_no_text_of_the_form():
    """A glyph read as a letter whose frames give the digits next to nothing (e^-7 below the reading or
    worse) stays unread: the form alone invents no number."""
    spec = [{"N": 0.95}, {"o": 0.95}]
    cell = _cell(frames(spec), "age_years")
    assert cell.text == "No" and not cell.decoded


def test_a_phone_read_with_a_digit_as_a_letter_is_decoded_under_the_numbering_plan():
    """Session 40: a phone number is a number of the plan (MIIT: 1[3-9] and 9 digits, 0535 and 7-8 digits, or
    the local number alone). 13805351234 with one 1 read as N: the frame holds 1 close behind, so the
    recognizer's own probabilities give the number back, doubted. Failed before: a phone column had no
    written form (KeyError), so its cells were never decoded."""
    assert fits_form("phone", "13805351234") and fits_form("phone", "0535-6212345") and fits_form("phone", "6212345")
    assert not fits_form("phone", "12805351234") and needs_form("phone", "1380535N234")
    assert not needs_form("phone", "13805351234") and form_prefix("phone", "0535-")
    spec = [{d: 0.9} for d in "1380535"] + [{"N": 0.5, "1": 0.4}] + [{d: 0.9} for d in "234"]
    cell = _cell(frames(spec), "agent_phone")
    assert cell.text == "1380535N234" and cell.decoded and cell.second == "13805351234"
    valid = lambda t: reads_cleanly("cremation", "agent_phone", t, context=CTX)  # noqa: E731
    got = build_record("cremation", {"agent_phone": resolve(cell, valid=valid)}, CTX).fields["agent_phone"]
    assert got.value == "13805351234" and "decoded_valid" in got.flags and got.confidence <= DECODED_NUMBER_CERTAINTY
