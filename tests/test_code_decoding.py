"""A code cell misread beyond what the look-alike match recovers (安孙 for 安葬, 码故 for 病故) is
decoded to the code table's wording the recognizer itself finds likeliest in its crop
(pipeline.page.extract.column_decoders, decode_valid), and the value so found stays doubted."""

from __future__ import annotations

import numpy as np
import pytest

from mapping import RecordContext, build_record
from mapping.normalize import code_of_wording, code_wording_alternatives, normalize_code
from mapping.record import CHOSEN_WORDING_CERTAINTY, reads_cleanly
from mapping.spec import load_spec
from ocr.agreement import resolve
from ocr.base import OcrEngine
from pipeline.kernel.models import OcrPiece, RawCell
from pipeline.page.extract import DECODE_MARGIN, column_decoders, decode_valid, read_cells
from pipeline.page.layout import Grid

CTX = RecordContext(funeral_home_code="370602-BYG-01", ledger_year=2013)


class _ScoringEngine(OcrEngine):
    """Reads every crop as `text` and scores texts by a table of log-probabilities (others: -50)."""

    name = "scoring-test"

    def __init__(self, text: str, scores: dict[str, float], confidence: float = 0.6):
        self.text, self.scores, self.conf = text, scores, confidence

    def version(self) -> str:
        return "test"

    def languages(self) -> list[str]:
        return ["chi_sim"]

    def recognize(self, image: np.ndarray) -> list[OcrPiece]:
        return []

    def recognize_crop(self, image: np.ndarray) -> OcrPiece:
        h, w = image.shape[:2]
        text = self.text if isinstance(self.text, str) else self.text.pop(0)  # a list: one text a crop, in turn
        return OcrPiece(text, self.conf, (0, 0, w, h), self.name)

    def score_readings(self, image, readings, stand_ins=None):
        return [self.scores.get(t, -50.0) for t in readings]


def test_a_reading_that_gives_no_code_is_offered_the_tables_wordings():
    sp = load_spec()
    ashes, cause = sp.table("ashes_destination"), sp.table("death_cause")
    assert normalize_code("安孙", ashes).value is None and normalize_code("码故", cause).value is None
    assert "安葬" in code_wording_alternatives("安孙", ashes) and "病故" in code_wording_alternatives("码故", cause)
    assert all(not w.isdigit() for w in code_wording_alternatives("码故", cause))
    assert code_wording_alternatives("病故", cause) == [] and code_wording_alternatives("", cause) == []
    assert code_of_wording("病故", cause) == code_of_wording("病逝", cause) != code_of_wording("事故", cause)


def test_every_code_column_is_decoded():
    decoders = column_decoders(load_spec())
    for name in (
        "death_cause_code",
        "ashes_destination_code",
        "agent_relation_code",
        "registrant_relation_code",
        "ethnicity_code",
    ):
        assert name in decoders, name
    assert "id_number" in decoders and "sea_area" in decoders


def test_wordings_of_one_code_do_not_stand_against_each_other():
    """病故 and 病逝 mean one code: the likeliest wording must stand out against 事故, not against them."""
    sp = load_spec()
    cause = sp.table("death_cause")
    crop = np.full((32, 80), 255, np.uint8)
    eng = _ScoringEngine("码故", {"码故": -1.0, "病故": -2.0, "病逝": -3.0, "事故": -2.0 - DECODE_MARGIN - 1})
    cands = code_wording_alternatives("码故", cause)
    assert decode_valid(eng, crop, "码故", cands) is None  # 病逝 within the margin, as any other text
    found = decode_valid(eng, crop, "码故", cands, value=lambda t: code_of_wording(t, cause))
    assert found is not None and found[0] == "病故" and found[1] < 0.5
    close = _ScoringEngine("码故", {"码故": -1.0, "病故": -2.0, "事故": -3.0})
    assert decode_valid(close, crop, "码故", cands, value=lambda t: code_of_wording(t, cause)) is None
    far = _ScoringEngine("码故", {"码故": -1.0, "病故": -9.0})  # e^8 less likely than the reading: no reading of it
    assert decode_valid(far, crop, "码故", cands, value=lambda t: code_of_wording(t, cause)) is None


def test_a_code_cell_misread_is_decoded_to_the_wording_the_recognizer_finds_likeliest():
    sp = load_spec()
    gray = np.full((40, 120), 255, np.uint8)
    gray[14:26, 20:100] = 0  # one line of ink
    grid = Grid((0, 40), (0, 120))
    eng = _ScoringEngine("安孙", {"安孙": -1.0, "安葬": -2.5})
    decode = {0: column_decoders(sp)["ashes_destination_code"]}
    cell = read_cells(gray, grid, eng, [(0, 0)], decode=decode)[(0, 0)]
    assert cell.text == "安孙" and cell.decoded and cell.second == "安葬" and cell.second_confidence < 0.5
    # the second crop read 安养 (a look-alike of 安葬, no wording as written): the likelier first
    # reading, which gives no code, would be kept; decoded all the same
    twice = _ScoringEngine(["安孙", "安养"], {"安孙": -1.0, "安葬": -2.5}, confidence=0.5)
    cell = read_cells(gray, grid, twice, [(0, 0)], second_below=0.9, decode=decode)[(0, 0)]
    assert cell.text == "安孙" and cell.decoded and cell.second == "安葬"
    # two of four characters misread: the wording lies e^11 below the reading, within CODE_MAX_DROP
    far = _ScoringEngine("家关领旧", {"家关领旧": -1.0, "家属领回": -12.0, "家属带回": -20.0})
    cell = read_cells(gray, grid, far, [(0, 0)], decode=decode)[(0, 0)]
    assert cell.decoded and cell.second == "家属领回" and cell.second_confidence < 0.01
    # a reading that gives a code is left as read
    sure = read_cells(gray, grid, _ScoringEngine("安葬", {"安葬": -0.1}), [(0, 0)], decode=decode)[(0, 0)]
    assert sure.text == "安葬" and not sure.decoded and sure.second is None


def test_a_decoded_code_wording_stays_as_doubted_as_the_recognizer_is():
    """A wording chosen among the table's by decoding is no second reading that landed on a wording:
    it is not raised to CHOSEN_WORDING_CERTAINTY; its confidence is its share of the probability."""
    valid = lambda t: reads_cleanly("cremation", "death_cause_code", t, context=CTX)  # noqa: E731
    cause = load_spec().table("death_cause")
    assert normalize_code("军码", cause).value is None
    cell = resolve(RawCell("军码", 0.9, (0, 0, 10, 10), None, "车祸", 0.2, decoded=True), valid=valid)
    assert cell.text == "车祸" and cell.arbitrated
    got = build_record("cremation", {"death_cause_code": cell}, CTX).fields["death_cause_code"]
    assert got.value == code_of_wording("车祸", cause)
    assert "decoded_valid" in got.flags and got.confidence == pytest.approx(0.9 * 0.2)
    assert got.confidence < CHOSEN_WORDING_CERTAINTY
    # two readings of which the second alone is a wording no other code's is near (not decoded): as before
    two = resolve(RawCell("军码", 0.5, (0, 0, 10, 10), None, "车祸", 0.2), valid=valid)
    fv = build_record("cremation", {"death_cause_code": two}, CTX).fields["death_cause_code"]
    assert fv.confidence == CHOSEN_WORDING_CERTAINTY


def test_a_sex_cell_misread_as_another_glyph_is_decoded_and_stays_doubted():
    """男 read 另 on a photograph (one glyph, no neighbours to help the recognizer): the sex normalizer
    takes no look-alike, so the cell came out blank; the sex column is a code table (GB/T 2261.1) and
    is decoded as one, by the recognizer's own probabilities, its value as doubted as they are."""
    sp = load_spec()
    sex = sp.table("sex")
    assert code_wording_alternatives("另", sex, fuzzy=False) and code_wording_alternatives("男", sex, fuzzy=False) == []
    assert "sex_code" in column_decoders(sp)
    gray = np.full((40, 60), 255, np.uint8)
    gray[12:28, 20:36] = 0  # one glyph of ink
    grid = Grid((0, 40), (0, 60))
    decode = {0: column_decoders(sp)["sex_code"]}
    eng = _ScoringEngine("另", {"另": -1.0, "男": -2.0, "女": -9.0})
    cell = read_cells(gray, grid, eng, [(0, 0)], decode=decode)[(0, 0)]
    assert cell.text == "另" and cell.decoded and cell.second == "男" and cell.second_confidence < 0.5
    valid = lambda t: reads_cleanly("cremation", "sex_code", t, context=CTX)  # noqa: E731
    got = build_record("cremation", {"sex_code": resolve(cell, valid=valid)}, CTX).fields["sex_code"]
    assert got.value == "1" and "decoded_valid" in got.flags and got.confidence < 0.5
    # 男 and 女 alike to the recognizer: nothing stands out, the cell stays unread
    even = _ScoringEngine("另", {"另": -1.0, "男": -2.0, "女": -2.5})
    assert not read_cells(gray, grid, even, [(0, 0)], decode=decode)[(0, 0)].decoded


def test_a_decoded_sex_the_id_states_too_is_as_sure_as_the_ids_sex_and_one_it_contradicts_gives_way_doubted():
    """Before the sex column was decoded, a misread sex cell was given the ID's sex (digit 17, GB 11643) at
    0.95 of the ID's confidence; the decoded wording agreeing with the ID keeps that; one against it gives
    way to the ID's sex, doubted (below every threshold) and flagged."""
    from mapping import id_check_digit

    male_id = "37060219450312123" + id_check_digit("37060219450312123")  # digit 17 odd: male
    valid = lambda t: reads_cleanly("cremation", "sex_code", t, context=CTX)  # noqa: E731
    box = (0, 0, 10, 10)
    for decoded, agrees in (("男", True), ("女", False)):
        cell = resolve(RawCell("另", 0.9, box, None, decoded, 0.2, decoded=True), valid=valid)
        rec = build_record("cremation", {"sex_code": cell, "id_number": RawCell(male_id, 0.97, box)}, CTX)
        got = rec.fields["sex_code"]
        assert "decoded_valid" in got.flags
        if agrees:
            assert got.value == "1" and got.confidence == pytest.approx(rec.fields["id_number"].confidence * 0.95)
            assert "sex_decoded_agrees_with_id" in got.flags
        else:
            assert got.value == "1" and "sex_decoded_against_id" in got.flags and got.confidence < 0.5
            assert any(p.startswith("sex_code:") for p in rec.problems)
