"""ID numbers the check digit lets through or cannot settle: an address code no GB/T 2260 division has, a
whole number beside stray ink, and the recognizer's candidates weighed with what the row says (GB 11643).
No OCR here: the recognizer is a table of scores."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from test_accuracy import CTX, TRUE_ID, row

from mapping import build_record
from mapping.flags import FLAGS
from mapping.normalize import id_check_digit
from mapping.spec import load_spec
from ocr.agreement import resolve
from pipeline.kernel.models import RawCell


def test_an_id_whose_address_code_names_no_division_is_no_id_and_the_other_reading_is_weighed():
    """GB/T 2260 gives no county a prefecture part 00 (370087: a felt-pen 6 read as 0) and has no
    province 27: a reading beginning so is no ID whatever its check digit says (1 in 11 pass it by
    chance). It was taken over the other reading of the cell, one confusion from the true number
    (camera design store 4431); now neither reading is an ID, and the other one is corrected."""
    from mapping.normalize import id_address_possible, normalize_id_number

    def with_check(first17: str) -> str:
        return first17 + id_check_digit(first17)

    no_county = with_check("370087" + TRUE_ID[6:17])
    no_province = with_check("270611" + TRUE_ID[6:17])
    for bad in (no_county, no_province):
        got = normalize_id_number(bad)
        assert got.value is None and "impossible_id_region" in got.flags, bad
    assert FLAGS["impossible_id_region"].zh.startswith("身份证号前六位")
    from pipeline.review.queue import ID_INVALID
    from review_app.i18n import flag_text

    assert "地址码" in flag_text(ID_INVALID["impossible_id_region"], lang="zh")  # what the reviewer is told
    for fine in ("110101", "370600", "429004", "830000"):  # Beijing, Yantai city, a county a province governs, Taiwan permit
        assert id_address_possible(fine) and normalize_id_number(with_check(fine + TRUE_ID[6:17])).value, fine
    other = TRUE_ID[:14] + "6" + TRUE_ID[15:]  # digit 15: 0 read as 6, the check digit fails
    cell = resolve(RawCell(no_county, 0.62, (0, 0, 10, 10), None, other, 0.48), valid=_id_valid())
    fv = build_record("cremation", {**row(no_county), "id_number": cell}, CTX).fields["id_number"]
    assert fv.value == TRUE_ID and "id_corrected" in fv.flags and "impossible_id_region" not in fv.flags
    alone = build_record("cremation", row(no_county), CTX).fields["id_number"]
    assert alone.value is None and "impossible_id_region" in alone.flags


def _id_valid():
    from functools import partial

    from mapping.record import reads_cleanly

    return partial(reads_cleanly, "cremation", "id_number", context=CTX)


def test_a_whole_number_on_one_line_is_decoded_though_stray_ink_beside_it_reads_as_digits():
    """A felt-pen register's ID cell with the row above's ink over its top: 28005+oo10e10 above
    37068719410723812 (its 22 read as one 2). The number line is a whole ID by itself (17 digits), so
    the other line can hold none of its digits: the number line is the one decoded. Two lines of
    digits that could be one number split, or two numbers, still give no line."""
    from pipeline.page.extract import main_line

    assert main_line(["28005+oo10e10", "37068719410723812"]) == 1
    assert main_line(["amwaee1a011ea4", "370687194107223812"]) == 1
    assert main_line(["370687194107223812", "37068719410722381"]) is None  # two numbers
    assert main_line(["37068719410", "7223812"]) is None  # one number on two lines
    assert main_line(["370687194107", "e1037068"]) is None  # no whole number on either


class _IdScorer:
    """An engine that reads every crop as `text` (or as `text(width)`: what a crop so wide shows) at
    `confidence` and scores texts by a table (others: `default`)."""

    def __new__(cls, text: str | Callable[[int], str], scores: dict[str, float], confidence: float = 0.6, default: float = -50.0):
        from ocr.base import OcrEngine
        from pipeline.kernel.models import OcrPiece

        class Engine(OcrEngine):
            name = "id-scorer"

            def version(self) -> str:
                return "test"

            def languages(self) -> list[str]:
                return ["chi_sim"]

            def recognize(self, image):
                return []

            def recognize_crop(self, image):
                h, w = image.shape[:2]
                return OcrPiece(text(w) if callable(text) else text, confidence, (0, 0, w, h), self.name)

            def score_readings(self, image, readings, stand_ins=None):
                return [scores.get(t, default) for t in readings]

        return Engine()


def test_an_id_the_recognizer_cannot_choose_is_chosen_where_the_row_rules_its_rivals_out():
    """A felt-pen ID with its year's 8 read as 2 (…193207…, no confusion the correction table lists):
    the recognizer finds the true number likeliest of the valid ones but a rival 0.1 nats behind,
    short of DECODE_MARGIN, so decoding chooses none and the cell keeps the scored candidates. The
    rival is born in 1962 and the row says 74 at death in 2013: the true number is taken, flagged,
    below every threshold. Where the row does not say the age, or the likeliest does not fit it,
    nothing is taken."""
    import numpy as np

    from mapping.idfix import ID_PROPOSED_CERTAINTY, ROW_DECODED_CERTAINTY
    from pipeline.page.extract import column_decoders, read_cells
    from pipeline.page.layout import Grid
    from pipeline.quality.calibration import FLOOR

    read = TRUE_ID[:9] + "2" + TRUE_ID[10:]
    rival = "370611196207050025"  # one digit from the reading too, valid
    engine = _IdScorer(read, {read: -1.0, TRUE_ID: -1.4, rival: -1.5})
    gray = np.full((40, 300), 255, np.uint8)
    gray[14:26, 20:280] = 0  # one line of ink
    decode = {0: column_decoders(load_spec())["id_number"]}
    cell = read_cells(gray, Grid((0, 40), (0, 300)), engine, [(0, 0)], decode=decode)[(0, 0)]
    assert not cell.decoded and cell.second is None  # the recognizer alone could not choose
    assert cell.alternatives and cell.alternatives[0] == (read, -1.0)
    assert {TRUE_ID, rival} <= {t for t, _x in cell.alternatives}
    assert RawCell.from_dict(cell.to_dict()) == cell  # stored with the cell
    fv = build_record("cremation", {**row(read), "id_number": cell}, CTX).fields["id_number"]
    assert fv.value == TRUE_ID and "id_decoded_by_row" in fv.flags and fv.raw == read
    assert "check_digit_failed" not in fv.flags and fv.confidence <= ROW_DECODED_CERTAINTY < FLOOR
    assert FLAGS["id_decoded_by_row"].zh and FLAGS["id_decoded_by_row"].en
    unaged = {**row(read), "id_number": cell, "age_years": RawCell("", 1.0, (0, 0, 10, 10))}
    proposed = build_record("cremation", unaged, CTX).fields["id_number"]  # the rival may be him: only proposed
    assert proposed.value == TRUE_ID and "id_proposed" in proposed.flags and "id_decoded_by_row" not in proposed.flags
    assert proposed.confidence <= ID_PROPOSED_CERTAINTY < FLOOR
    older = {**row(read), "id_number": cell, "age_years": RawCell("43", 0.9, (0, 0, 10, 10))}
    assert build_record("cremation", older, CTX).fields["id_number"].value is None  # the likeliest does not fit


def test_a_likelier_number_the_row_rules_out_is_no_rival_of_the_one_it_allows():
    """A county design store's ID read with two digits lost in a blot (design draw seed3313
    county_editions, severity 1.6): of the valid numbers the recognizer scored on the crop, the
    likeliest bears the other sex's digit (GB 11643: digit 17, odd for a man) and the true number lies
    0.25 nats behind it, the only one the row (a woman, 74 at death in 2013) allows. The row rules the
    likelier one out, so it is no rival: the true number is taken, flagged id_decoded_by_row, below every
    threshold. Where the row allows a second number within DECODE_MARGIN, or does not say the sex,
    nothing is taken. Failed before: a likeliest candidate the row ruled out left the cell unread."""
    from test_accuracy import FACTS, REGIONS

    from mapping.idfix import DECODE_MARGIN, ROW_DECODED_CERTAINTY, RowFacts, choose_decoded

    def valid(first17: str) -> str:
        return first17 + id_check_digit(first17)

    man = valid(TRUE_ID[:16] + "3")  # the same birth date, a man's sequence digit
    woman = valid(TRUE_ID[:14] + "004")  # another woman born that day
    read = TRUE_ID[:10] + "::" + TRUE_ID[12:]  # two digits blotted: no confusion gives a number
    alternatives = ((read, -1.5), (man, -1.0), (TRUE_ID, -1.25))
    assert choose_decoded(alternatives, FACTS, REGIONS) == (TRUE_ID, pytest.approx(0.32, abs=0.02))
    cell = RawCell(read, 0.6, (0, 0, 10, 10), alternatives=alternatives)
    fv = build_record("cremation", {**row(read), "id_number": cell}, CTX).fields["id_number"]
    assert fv.value == TRUE_ID and "id_decoded_by_row" in fv.flags and fv.confidence <= ROW_DECODED_CERTAINTY
    near = alternatives + ((woman, -1.25 - DECODE_MARGIN + 0.5),)
    assert choose_decoded(near, FACTS, REGIONS) is None  # the row allows two numbers the recognizer cannot tell apart
    far = alternatives + ((woman, -1.25 - DECODE_MARGIN - 0.5),)
    assert choose_decoded(far, FACTS, REGIONS) == (TRUE_ID, pytest.approx(0.32, abs=0.02))
    unsexed = RowFacts(None, FACTS.age, FACTS.death)
    assert choose_decoded(alternatives, unsexed, REGIONS) is None  # the man is then a rival, and likelier


def test_a_correction_the_recognizer_scored_far_below_a_number_the_row_allows_is_not_taken():
    """An ID read with two digits wrong (…0106… for …0705…, 7 read as 1 and 5 as 6: both confusions the
    table lists) fails its check digit; one confusion away lies exactly one valid number that fits the
    row (…0406…, a woman of 74), so the confusion table alone "corrects" it to a third number. The
    recognizer scored the valid numbers near the reading on the crop: the true one 6 nats likelier
    than that correction (a camera design store, seed 4441, read so). A digit the table proposes is not
    taken against the recognizer's own probability: the likeliest number the row allows is only proposed
    (id_proposed, below every threshold), the correction is not taken.
    Without scores, or with the correction the likeliest, the correction stands. Failed before: the
    wrong number was taken, flagged id_corrected."""
    from test_accuracy import FACTS, REGIONS

    from mapping.idfix import ID_PROPOSED_CERTAINTY, correct_id, scored_far_below

    read, wrong = "370611193801060025", "370611193804060025"
    assert correct_id(read, FACTS, REGIONS)[0] == wrong  # the confusion table's lone candidate
    woman = TRUE_ID[:14] + "004" + id_check_digit(TRUE_ID[:14] + "004")  # born the same day: the row allows her too
    scored = ((read, -2.0), (TRUE_ID, -1.0), (woman, -1.2), (wrong, -7.0))
    assert scored_far_below(wrong, scored, FACTS, REGIONS)
    cell = RawCell(read, 0.6, (0, 0, 10, 10), alternatives=scored)
    fv = build_record("cremation", {**row(read), "id_number": cell}, CTX).fields["id_number"]
    # neither the correction nor the likeliest number (a rival the row allows 0.2 nats behind it) is taken:
    # the likeliest is only proposed for review
    assert fv.value == TRUE_ID and "id_proposed" in fv.flags and "id_corrected" not in fv.flags
    assert fv.confidence <= ID_PROPOSED_CERTAINTY
    plain = build_record("cremation", row(read), CTX).fields["id_number"]
    assert plain.value == wrong and "id_corrected" in plain.flags  # no scores: the table is all the evidence
    likeliest = ((read, -2.0), (wrong, -1.0), (TRUE_ID, -1.5))
    assert not scored_far_below(wrong, likeliest, FACTS, REGIONS)


def test_a_mark_before_a_1_on_a_1_bit_scan_is_read_as_a_broken_4_and_a_legacy_number_so_read_stays_reviewed():
    """On a 1-bit copy of fresh seed 3334's county store every mark directly before a 1 in an ID reading
    was a printed 4 broken by thresholding (its crossbar read as '.' or '-', its upright as 1): the mark
    was dropped and the 1 kept, and the legacy number, converted to 18 characters (the conversion computes
    the check character, so it vouches for nothing), was wrong at 0.68-0.73. Now: a legacy number read
    with the 4 is only proposed (id_broken_four, id_proposed: reviewed), with '.' or '-' alike; an
    18-character one whose check character holds with the 4 is taken (id_broken_four); where only the 1
    fits the row (the sex digit), the 1 is kept but doubted (id_mark_before_one, reviewed). Failed
    before: the 1 was kept (id_marks_dropped at 0.75, or the hyphen dropped unflagged)."""
    from mapping.idfix import ID_PROPOSED_CERTAINTY, MARKS_DROPPED_CERTAINTY
    from mapping.normalize import convert_15_to_18
    from mapping.record import LEGACY_UNLISTED_CERTAINTY

    legacy = TRUE_ID[:6] + TRUE_ID[8:14] + "042"  # a woman's 15-digit number, a 4 in its sequence
    for read in (legacy[:13] + ".1" + legacy[14:], legacy[:13] + "-1" + legacy[14:]):
        fv = build_record("cremation", row(read), CTX).fields["id_number"]
        assert fv.value == convert_15_to_18(legacy), read
        assert {"id_broken_four", "id_proposed"} <= set(fv.flags) and fv.confidence <= ID_PROPOSED_CERTAINTY
    full = TRUE_ID[:14] + "04" + "2"
    full += id_check_digit(full)
    fv = build_record("cremation", row(full[:15] + ".1" + full[16:]), CTX).fields["id_number"]
    assert fv.value == full and "id_broken_four" in fv.flags and "id_proposed" not in fv.flags
    assert fv.confidence <= MARKS_DROPPED_CERTAINTY
    assert FLAGS["id_broken_four"].zh and FLAGS["id_mark_before_one"].en
    man_legacy = TRUE_ID[:6] + TRUE_ID[8:14] + "001"  # read 4 the sex digit would say a woman
    man = {**row(man_legacy[:14] + ".1"), "sex_code": RawCell("男", 0.95, (0, 0, 10, 10))}
    kept = build_record("cremation", man, CTX).fields["id_number"]
    assert kept.value == convert_15_to_18(man_legacy) and "id_mark_before_one" in kept.flags
    assert kept.confidence <= LEGACY_UNLISTED_CERTAINTY


def test_a_speck_read_as_a_mark_inside_an_id_is_dropped_where_the_rest_is_a_number_that_fits_the_row():
    """A legacy 15-digit ID under a stamp's edge read with a '.' between two of its digits, alike in both
    readings (design draw seed3315 county_editions, severity 1.2): no digit is missing, the mark is a
    speck. Dropped, what is left is the number: taken, flagged id_marks_dropped, no surer than
    MARKS_DROPPED_CERTAINTY and still doubted as a legacy number (converted_15_to_18); an 18-character
    number with a mark inside likewise, where its check character holds. Not where what is left does not
    fit the row's sex, nor where the mark took a digit's place (that is the blotted digit the check
    character restores, id_corrected). Failed before: the reading was unread (bad_characters)."""
    from mapping.idfix import MARKS_DROPPED_CERTAINTY

    legacy = TRUE_ID[:6] + TRUE_ID[8:17]  # 370611380705002: the same person's 15-digit number
    for read in (legacy[:13] + "." + legacy[13:], TRUE_ID[:9] + ":" + TRUE_ID[9:]):
        fv = build_record("cremation", row(read), CTX).fields["id_number"]
        assert fv.value == TRUE_ID and "id_marks_dropped" in fv.flags, read
        assert fv.confidence <= MARKS_DROPPED_CERTAINTY and "bad_characters" not in fv.flags
    legacy_fv = build_record("cremation", row(legacy[:13] + "." + legacy[13:]), CTX).fields["id_number"]
    assert "converted_15_to_18" in legacy_fv.flags
    assert legacy_fv.confidence < 0.5  # no check character: below the ID threshold, reviewed
    assert FLAGS["id_marks_dropped"].zh and FLAGS["id_marks_dropped"].en
    man = {**row(TRUE_ID[:9] + ":" + TRUE_ID[9:]), "sex_code": RawCell("男", 0.95, (0, 0, 10, 10))}
    assert build_record("cremation", man, CTX).fields["id_number"].value is None  # the sex digit says a woman
    blotted = build_record("cremation", row(TRUE_ID[:9] + ":" + TRUE_ID[10:]), CTX).fields["id_number"]
    assert blotted.value == TRUE_ID and "id_corrected" in blotted.flags and "id_marks_dropped" not in blotted.flags


def test_a_number_the_row_singles_out_far_below_a_misread_reading_is_taken_doubted():
    """A photographed ID read with three digits wrong is no number; the one valid number the recognizer
    scored near it that the row allows (region, birth date against the age at death, sex digit) lies 9
    nats below the reading (each misread digit costs it 2-4 nats). The row is evidence the recognizer
    did not have: the number is taken, flagged id_decoded_by_row and never sure (reviewed). A number
    further down than the cell's kept texts reach (ROW_DECODE_MAX_DROP) is not. Failed before: 7 nats
    was the bound, and the cell was left blank."""
    from test_accuracy import FACTS, REGIONS

    from mapping.idfix import ROW_DECODE_MAX_DROP, ROW_DECODED_CERTAINTY, choose_decoded

    read = TRUE_ID[:3] + "0" + TRUE_ID[4:9] + "1" + TRUE_ID[10:]  # not valid: the check digit fails
    assert read != TRUE_ID
    alternatives = ((read, -1.0), (TRUE_ID, -10.0))
    assert choose_decoded(alternatives, FACTS, REGIONS) is not None
    cell = RawCell(read, 0.6, (0, 0, 10, 10), alternatives=alternatives)
    fv = build_record("cremation", {**row(read), "id_number": cell}, CTX).fields["id_number"]
    assert fv.value == TRUE_ID and "id_decoded_by_row" in fv.flags and fv.confidence <= ROW_DECODED_CERTAINTY
    too_far = ((read, -1.0), (TRUE_ID, -1.0 - ROW_DECODE_MAX_DROP - 0.5))
    assert choose_decoded(too_far, FACTS, REGIONS) is None


def test_a_number_born_after_the_death_or_the_register_is_no_candidate():
    """GB 11643's digits 7-14 are the birth date: a person is born before he dies and before the register
    that records his death. A valid number whose birth date lies after the row's death date, or after
    the register's year where the row gives no death date, is not the row's person, whatever else fits
    (a sea burial register records no age at death, so the age cannot rule it out). Failed before: only
    the age at death was weighed, and without an age nothing was."""
    import datetime as dt

    from test_accuracy import REGIONS

    from mapping.idfix import RowFacts, _consistent

    later = "370611" + "20140705" + "002"
    later += id_check_digit(later)
    no_age = RowFacts(sex="2", death=dt.date(2013, 4, 5), no_age_column=True)
    assert _consistent(TRUE_ID, TRUE_ID[:6], no_age, REGIONS)
    assert not _consistent(later, later[:6], no_age, REGIONS)  # born after the death
    undated = RowFacts(sex="2", no_age_column=True, year=2013)
    assert _consistent(TRUE_ID, TRUE_ID[:6], undated, REGIONS)
    assert not _consistent(later, later[:6], undated, REGIONS)  # born after the register's year
    assert _consistent(later, later[:6], RowFacts(sex="2", no_age_column=True), REGIONS)  # nothing to rule it out


def test_an_id_no_repair_settles_is_proposed_for_review_never_accepted():
    """An ID whose reading fails its check digit and that no repair settles (two valid numbers the row allows,
    the recognizer finding one 0.2 nats likelier: no DECODE_MARGIN between them) was left blank: the
    reviewer typed it from the scan. Now the likeliest the row allows is filled in as a proposal, flagged
    id_proposed, below every threshold (the record is reviewed), and the birth date derived from it no
    surer. Where the recognizer scored nothing, or the row allows none of what it scored, or what it allows
    lies more than DECODE_MAX_DROP below the reading, the cell stays unread as before. Failed before: the value was blank."""
    from test_accuracy import REGIONS

    from mapping.idfix import ID_PROPOSED_CERTAINTY
    from pipeline.quality.calibration import FLOOR

    woman = TRUE_ID[:14] + "004" + id_check_digit(TRUE_ID[:14] + "004")  # born the same day: the row allows her too
    read = TRUE_ID[:10] + "::" + TRUE_ID[12:]  # two digits blotted
    scored = ((read, -2.0), (TRUE_ID, -1.0), (woman, -1.2))
    cell = RawCell(read, 0.6, (0, 0, 10, 10), alternatives=scored)
    rec = build_record("cremation", {**row(read), "id_number": cell}, CTX)
    fv = rec.fields["id_number"]
    assert fv.value == TRUE_ID and "id_proposed" in fv.flags and fv.raw == read
    assert fv.confidence <= ID_PROPOSED_CERTAINTY < FLOOR
    assert "check_digit_failed" not in fv.flags and "bad_characters" not in fv.flags
    assert FLAGS["id_proposed"].zh and FLAGS["id_proposed"].en and FLAGS["id_proposed"].severity != "info"
    bd = rec.fields.get("birth_date")
    assert bd is None or bd.confidence < FLOOR
    assert build_record("cremation", row(read), CTX).fields["id_number"].value is None  # nothing scored
    man = TRUE_ID[:16] + "3" + id_check_digit(TRUE_ID[:16] + "3")
    unfit = RawCell(read, 0.6, (0, 0, 10, 10), alternatives=((read, -2.0), (man, -1.0)))
    assert build_record("cremation", {**row(read), "id_number": unfit}, CTX).fields["id_number"].value is None
    assert man[:6] in REGIONS  # ruled out by the row's sex, not by its region
    from mapping.idfix import DECODE_MAX_DROP

    faint = ((read, -2.0), (TRUE_ID, -2.0 - DECODE_MAX_DROP - 0.5), (woman, -2.0 - DECODE_MAX_DROP - 0.7))
    far = RawCell(read, 0.6, (0, 0, 10, 10), alternatives=faint)  # the recognizer hardly sees either in the crop
    assert build_record("cremation", {**row(read), "id_number": far}, CTX).fields["id_number"].value is None


def test_linking_does_not_weigh_a_proposed_id_until_a_reviewer_approved_it():
    """A proposed ID (id_proposed) is the recognizer's likeliest valid number, not a reading: linkage sees the
    ID as read (no value, its digits in raw, as a broken number is weighed) and no birth date derived from
    it, so a wrong proposal neither merges two people nor keeps one person's records apart. Once a
    reviewer approved the record, the number and what was derived from it count. Failed before: no
    proposal existed; this guards the linkage against one."""
    from pipeline.platform.linkage import dedupe_record

    read = TRUE_ID[:10] + "::" + TRUE_ID[12:]
    fields = {
        "id_number": {"value": TRUE_ID, "raw": read, "confidence": 0.25, "flags": ["id_proposed"]},
        "birth_date": {"value": "1938-07-05", "raw": "", "confidence": 0.25, "flags": ["derived_from_id"]},
        "deceased_name": {"value": "王秀英", "raw": "王秀英", "confidence": 0.99, "flags": []},
    }
    seen = dedupe_record(1, "cremation", fields)
    assert seen.id_number is None and seen.id_raw == read and seen.birth_date is None
    assert seen.deceased_name == "王秀英"
    approved = dedupe_record(1, "cremation", fields, reviewed=True)
    assert approved.id_number == TRUE_ID and approved.birth_date == "1938-07-05"
    read_id = {**fields, "id_number": {"value": TRUE_ID, "raw": TRUE_ID, "confidence": 0.99, "flags": []}}
    assert dedupe_record(1, "cremation", read_id).id_number == TRUE_ID  # a number read is weighed as before


def test_a_legacy_id_whose_sex_digit_disagrees_with_the_sex_column_is_proposed_with_the_one_digit_that_fits():
    """A legacy 15-digit ID (GB 11643-1989: no check digit, the 15th digit odd for a man) read …001 in a
    woman's row, its 4 read as 1 (a camera design store, seed 4485): the number was taken as read,
    doubted only by the sex mismatch. Of the digits the recognizer reads a 1 for (7, 4), one gives a
    woman's digit: that number is proposed (id_proposed, legacy_id_sex_digit), below every threshold:
    with no check digit the sex column may as well be the one misread. Where two digits would fit
    (0 read: 9 and 3 for a man) or none, the number stays as read. Failed before: the value was the
    misread number."""
    from mapping.idfix import ID_PROPOSED_CERTAINTY
    from mapping.normalize import convert_15_to_18
    from pipeline.quality.calibration import FLOOR

    written, read = "370611380705004", "370611380705001"
    fv = build_record("cremation", row(read), CTX).fields["id_number"]
    assert fv.value == convert_15_to_18(written) and fv.raw == read
    assert {"id_proposed", "legacy_id_sex_digit", "converted_15_to_18"} <= set(fv.flags)
    assert fv.confidence <= ID_PROPOSED_CERTAINTY < FLOOR
    assert FLAGS["legacy_id_sex_digit"].zh and FLAGS["legacy_id_sex_digit"].severity == "warn"
    fits = build_record("cremation", row(written), CTX).fields["id_number"]  # the woman's digit read right
    assert fits.value == convert_15_to_18(written) and "id_proposed" not in fits.flags
    man = {**row("370611380705000"), "sex_code": RawCell("男", 0.9, (0, 0, 10, 10))}  # 0: 9 or 3 for a man
    two = build_record("cremation", man, CTX).fields["id_number"]
    assert two.value == convert_15_to_18("370611380705000") and "id_proposed" not in two.flags


def test_an_id_cell_read_too_badly_for_any_valid_number_is_read_again_from_other_crops():
    """An ID cell whose line reads with digits lost (under a seal, garbled: no valid number near the
    reading, none the recognizer scores on the crop) is read again from crops prepared otherwise
    (pipeline.page.extract.reread_variants); here only the line drawn twice as wide (frames per digit)
    reads the whole number. Its score below that crop's own reading is kept with the cell's alternatives,
    and the row's repair takes it (one candidate, fitting the row: flagged, below every threshold). Read
    from the first crop alone, the cell stays blank."""
    import numpy as np

    from mapping.idfix import ROW_DECODED_CERTAINTY
    from pipeline.page.extract import OcrStats, column_decoders, read_cells
    from pipeline.page.layout import Grid
    from pipeline.quality.calibration import FLOOR

    lost = "3706111938xx0025"  # two digits lost, two read as letters: no valid number one edit away

    def engine():
        return _IdScorer(lambda w: TRUE_ID if w > 500 else lost, {TRUE_ID: -2.0, lost: -1.0}, confidence=0.4, default=-60.0)

    gray = np.full((40, 300), 255, np.uint8)
    gray[14:26, 20:280] = 0
    d = column_decoders(load_spec())["id_number"]
    stats = OcrStats()
    cell = read_cells(gray, Grid((0, 40), (0, 300)), engine(), [(0, 0)], stretch_cols={0}, stats=stats, decode={0: d})[(0, 0)]
    assert cell.text == lost and stats.reread == 1
    assert cell.alternatives and cell.alternatives[0] == (lost, -1.0) and TRUE_ID in {t for t, _x in cell.alternatives}
    assert RawCell.from_dict(cell.to_dict()) == cell  # stored with the cell
    fv = build_record("cremation", {**row(lost), "id_number": cell}, CTX).fields["id_number"]
    assert fv.value == TRUE_ID and "id_decoded_by_row" in fv.flags and fv.confidence <= ROW_DECODED_CERTAINTY < FLOOR
    from dataclasses import replace

    once = read_cells(gray, Grid((0, 40), (0, 300)), engine(), [(0, 0)], stretch_cols={0}, decode={0: replace(d, reread=False)})[
        (0, 0)
    ]
    assert build_record("cremation", {**row(lost), "id_number": once}, CTX).fields["id_number"].value is None


def test_a_legacy_id_a_reviewer_typed_is_kept_though_its_sex_digit_disagrees_with_the_sex_column():
    """A reviewer who typed a legacy 15-digit ID from the scan (the sex column being the cell misread) has
    the last word: a re-map keeps the number typed, proposes no other digit and does not send the record
    back to review for it. Failed before: the typed …001 was rewritten to …004, flagged id_proposed."""
    from mapping.normalize import convert_15_to_18

    typed = "370611380705001"
    cell = RawCell(typed, 1.0, (0, 0, 10, 10), typed=True)
    fv = build_record("cremation", {**row(typed), "id_number": cell}, CTX).fields["id_number"]
    assert fv.value == convert_15_to_18(typed)
    assert "id_proposed" not in fv.flags and "legacy_id_sex_digit" not in fv.flags


def test_a_legacy_sex_digit_proposal_is_not_told_to_the_reviewer_as_an_unreadable_number():
    """The review page says every warning of a field (review_app.i18n.flag_text). A legacy number read
    whole, its one sex digit changed to fit the sex column, carries id_proposed beside
    legacy_id_sex_digit: the two must not contradict each other. Failed before: id_proposed said the
    number as read was not valid and that no correction was the only one (身份证号读不通，无法唯一更正),
    beside 'changed to the one digit that fits'."""
    from review_app.i18n import flag_text

    fv = build_record("cremation", row("370611380705001"), CTX).fields["id_number"]
    assert {"id_proposed", "legacy_id_sex_digit"} <= set(fv.flags)
    for lang in ("zh", "en"):
        said = " ".join(flag_text(f, lang) for f in fv.flags if FLAGS.get(f) and FLAGS[f].severity == "warn")
        assert "读不通" not in said and "无法唯一" not in said
        assert "not valid" not in said and "no correction is the only one" not in said


def test_an_invalid_id_a_reviewer_typed_is_not_corrected_by_a_re_map():
    """A reviewer who typed an ID as the scan shows it (its check digit failing, as a clerk miswrote it)
    has the last word: a re-map does not 'repair' it to the valid number one recognizer confusion away,
    which would put a number nobody wrote in place of the reviewer's. Failed before: the typed number,
    one 0-for-6 confusion from a valid one, came back as that valid number flagged id_corrected."""
    typed = TRUE_ID[:14] + "6" + TRUE_ID[15:]  # the check digit fails; 6 -> 0 gives TRUE_ID
    cell = RawCell(typed, 1.0, (0, 0, 10, 10), typed=True)
    fv = build_record("cremation", {**row(typed), "id_number": cell}, CTX).fields["id_number"]
    assert fv.value != TRUE_ID
    assert "id_corrected" not in fv.flags and "id_proposed" not in fv.flags
    read = build_record("cremation", row(typed), CTX).fields["id_number"]  # the same text read by the recognizer
    assert read.value == TRUE_ID and "id_corrected" in read.flags


def test_an_id_read_together_with_the_date_beside_it_is_the_number_before_the_date_always_reviewed():
    """A photographed county register whose ruling between the ID column and the death date column was
    lost: each ID cell read "<number> 2017-12-22" (design phone copy seed3380 county_editions, 13 cells of
    one page, all left blank: bad_length). GB 11643 gives the number 18 characters and no separator, so a
    date after it (SPEC's YYYY-MM-DD, its hyphens read as - ~ = or a space) is no part of it: the number is
    what precedes the date, checked and repaired as any reading, flagged id_date_dropped and below every
    threshold (the page's structure is in doubt). Not where the tail is no date or what precedes it is a
    number too short or long to be one. Failed before: the cell was unread."""
    from mapping.idfix import DATE_DROPPED_CERTAINTY, number_before_date

    for read in (TRUE_ID + " 2013-04-05", TRUE_ID + "2013-04 05", TRUE_ID + " 2013~4-5", TRUE_ID + " 2013=04=05"):
        fv = build_record("cremation", row(read), CTX).fields["id_number"]
        assert fv.value == TRUE_ID and "id_date_dropped" in fv.flags, read
        assert fv.confidence <= DATE_DROPPED_CERTAINTY < 0.5 and fv.raw == read
    assert FLAGS["id_date_dropped"].zh and FLAGS["id_date_dropped"].en
    # the head one confusion off (digit 15: 0 read as 6): repaired as any reading, still below every threshold
    misread = build_record("cremation", row(TRUE_ID[:14] + "6" + TRUE_ID[15:] + " 2013-04-05"), CTX).fields["id_number"]
    assert misread.value == TRUE_ID and {"id_corrected", "id_date_dropped"} <= set(misread.flags)
    assert misread.confidence <= DATE_DROPPED_CERTAINTY
    # no date after it, or no whole number before it: nothing is split
    assert number_before_date(TRUE_ID + " 2013-13-05") is None  # no month 13
    assert number_before_date(TRUE_ID[:15] + " 2013-04-05") is None  # a legacy-long head is not taken
    assert number_before_date(TRUE_ID) is None
    assert build_record("cremation", row(TRUE_ID[:15] + " 2013-04-05"), CTX).fields["id_number"].value is None


def test_a_reading_whose_birth_date_is_no_date_is_repaired_as_one_whose_check_digit_fails():
    """GB 11643: digits 7-14 are a real birth date. A photographed reading with two digits misread can pass
    the check character (1 time in 11) and still give month 17: it is no number, as one failing its check
    is, so the recognizer's scored candidates are weighed against the row (choose_decoded: the one the row
    singles out, id_decoded_by_row, below every threshold), but none is proposed (two characters or more are
    misread, GB 11643's check catches every single one: the likeliest number near it is a guess; design
    phone and carbon copies: such proposals were right 1 time in 4). Failed before: only a failed check digit, a
    wrong length, a mark or an unlisted region started the repair; such a reading stayed blank
    (bad_birth_date; design phone copy seed3380 county_editions)."""
    from mapping.normalize import normalize_id_number

    first17 = TRUE_ID[:10] + "1" + TRUE_ID[11:16] + "5"  # month 07 read 17 and the sex digit 2 read 5
    read = first17 + id_check_digit(first17)
    assert normalize_id_number(read).flags == ("bad_birth_date",)
    alternatives = ((read, -1.0), (TRUE_ID, -4.0))
    cell = RawCell(read, 0.6, (0, 0, 10, 10), alternatives=alternatives)
    fv = build_record("cremation", {**row(read), "id_number": cell}, CTX).fields["id_number"]
    assert fv.value == TRUE_ID and "id_decoded_by_row" in fv.flags and fv.confidence < 0.5
    # two characters or more misread (its check character holds): where the row leaves a rival near, the
    # likeliest number is a guess and is not proposed either (a failed check digit's reading would be)
    rival = TRUE_ID[:14] + "004" + id_check_digit(TRUE_ID[:14] + "004")
    close = RawCell(read, 0.6, (0, 0, 10, 10), alternatives=((read, -1.0), (TRUE_ID, -4.0), (rival, -4.5)))
    held = build_record("cremation", {**row(read), "id_number": close}, CTX).fields["id_number"]
    assert held.value is None and "bad_birth_date" in held.flags


def test_a_legacy_id_whose_region_is_one_digit_from_exactly_one_listed_division_is_proposed_with_it():
    """A legacy 15-digit ID (GB 11643-1989: no check digit) whose address code is no GB/T 2260 division of the
    list (spec.id_regions) has a digit misread; on the 1-bit design copies (b3316, b3376) a 4 read as 1, and
    the true code was the only listed one a digit away. Where exactly one listed region lies one digit from it
    and the number fits the row, that number is proposed (id_proposed, legacy_id_region_digit), below every
    threshold, the reading kept in raw: the person may be registered outside the list. Where several listed
    regions lie a digit away (370615: 370611-370614, 370685) or none (990611), the number stays as read,
    doubted (legacy_id_region_unlisted). Failed before: the value was the misread number."""
    from mapping.idfix import ID_PROPOSED_CERTAINTY
    from mapping.normalize import convert_15_to_18
    from pipeline.quality.calibration import FLOOR

    written = TRUE_ID[:6] + TRUE_ID[8:17]  # the same person's legacy number, region 370611
    read = "310611" + written[6:]  # its 7 read as 1
    fv = build_record("cremation", row(read), CTX).fields["id_number"]
    assert fv.value == convert_15_to_18(written) == TRUE_ID and fv.raw == read
    assert {"id_proposed", "legacy_id_region_digit", "converted_15_to_18"} <= set(fv.flags)
    assert "legacy_id_region_unlisted" not in fv.flags
    assert fv.confidence <= ID_PROPOSED_CERTAINTY < FLOOR
    assert FLAGS["legacy_id_region_digit"].zh and FLAGS["legacy_id_region_digit"].severity == "warn"
    for kept in ("370615" + written[6:], "990611" + written[6:]):  # several listed a digit away; none
        fv = build_record("cremation", row(kept), CTX).fields["id_number"]
        assert fv.value == convert_15_to_18(kept) and "id_proposed" not in fv.flags
        assert "legacy_id_region_unlisted" in fv.flags and fv.confidence < FLOOR
    man = {**row(read), "sex_code": RawCell("男", 0.9, (0, 0, 10, 10))}  # the one listed region's number misfits the row
    fv = build_record("cremation", man, CTX).fields["id_number"]
    assert "legacy_id_region_digit" not in fv.flags and fv.value == convert_15_to_18(read)


def test_an_id_left_to_the_recognizer_is_weighed_against_the_register_year_where_the_death_date_was_not_read():
    """A faded row whose death date was not read, its age (74) read: its ID fails its check digit, and the
    recognizer scores a number born 1958 a little above the true one born 1938 (a 3 read as 5). Without a
    death date the row ruled neither out and the 1958 number was proposed. The register's year (2013) says
    when the death was: in it or the year before (SPEC: death_date <= cremation_date, usually 1-7 days), so a
    man or woman of 74 was born 1936-1940 (mapping.idfix.by_register_year): the 1938 number is taken, below
    every threshold (reviewed). Nothing changes where the death date was read, and no correction leans on it."""
    from pipeline.quality.calibration import FLOOR

    born58 = TRUE_ID[:6] + "1958" + TRUE_ID[10:17]
    born58 += id_check_digit(born58)
    read = TRUE_ID[:10] + "::" + TRUE_ID[12:]  # two digits blotted: no repair settles it
    scored = ((read, -2.0), (born58, -1.0), (TRUE_ID, -1.2))
    no_death = {k: v for k, v in row(read).items() if k != "death_date"}
    cell = RawCell(read, 0.6, (0, 0, 10, 10), alternatives=scored)
    fv = build_record("cremation", {**no_death, "id_number": cell}, CTX).fields["id_number"]
    assert fv.value == TRUE_ID and fv.raw == read and fv.confidence < FLOOR
    assert {"id_proposed", "id_decoded_by_row"} & set(fv.flags)
    with_death = build_record("cremation", {**row(read), "id_number": cell}, CTX).fields["id_number"]
    assert with_death.value == TRUE_ID  # the death date read rules 1958 out as before
    from mapping import RecordContext

    no_year = build_record("cremation", {**no_death, "id_number": cell}, RecordContext(funeral_home_code="370602-BYG-01"))
    assert no_year.fields["id_number"].value == born58  # no register year: nothing to weigh it by
    alone = RawCell(read, 0.6, (0, 0, 10, 10), alternatives=((read, -2.0), (born58, -1.0)))
    kept = build_record("cremation", {**no_death, "id_number": alone}, CTX).fields["id_number"]
    assert kept.value == born58 and kept.confidence < FLOOR  # the year chooses, never withdraws the only one


def test_an_id_wrapped_across_the_row_line_below_is_joined_from_both_rows():
    """An ID written too long for its cell wraps onto a second line that lies across the ruled line
    below: the cell cut at the line reads only the number's head, and the row below reads the tail
    before its own number (design 1-bit copies of typed_sheets 3334, s34 B and D: 8 of 68 IDs). The
    head and the tail make a number that holds GB 11643's check character, birth date and address code,
    and what follows the tail is a valid number of its own: the row gets the whole number (flagged, held
    for review, its cell's reading kept), the row below its own. A tail alone in an otherwise empty row
    below gives no record; a head and a tail that make no valid number are left as read."""
    from test_structure import FIELDS, ROWS, _map

    c = FIELDS.index("id_number")
    first, second = ROWS[0][c], ROWS[1][c]
    rows = [list(r) for r in ROWS[:3]]
    rows[0][c], rows[1][c] = first[:9], first[9:] + second
    out = _map(FIELDS, rows)
    got = {r.row_no: r.record.fields["id_number"] for r in out}
    assert got[1].value == first and "id_joined_across_row" in got[1].flags and got[1].raw == first[:9]
    assert [r.cells[c].text for r in out[:2]] == [rows[0][c], rows[1][c]]  # the cells are stored as read
    from pipeline.page.extract import JOINED_ID_CERTAINTY

    assert got[1].confidence <= JOINED_ID_CERTAINTY
    assert got[2].value == second and "id_joined_across_row" not in got[2].flags
    assert FLAGS["id_joined_across_row"].zh and FLAGS["id_joined_across_row"].en

    rows = [list(r) for r in ROWS[:2]] + [[""] * len(FIELDS)]
    rows[1][c], rows[2][c] = second[:12], second[12:]
    out = _map(FIELDS, rows)
    assert [r.row_no for r in out] == [1, 2] and out[1].record.fields["id_number"].value == second

    rows = [list(r) for r in ROWS[:2]]
    wrong = str((int(first[9]) + 1) % 10)  # the tail's first digit misread: no valid number
    rows[0][c], rows[1][c] = first[:9], wrong + first[10:] + second
    got = {r.row_no: r.record.fields["id_number"] for r in _map(FIELDS, rows)}
    assert got[1].value is None and "id_joined_across_row" not in got[1].flags


def test_an_id_the_misread_age_ruled_out_is_proposed_against_it_flagged_for_both():
    """On 1-bit copies of design county 3316 IDs were left blank whose true number the recognizer had scored on
    the crop: the age beside it, misread on the 1-bit strokes (a digit read as a look-alike, or a digit lost and
    read unsurely), ruled every scored number out. Now the likeliest scored number that fits the age read as a
    look-alike (74 read 14: CONFUSABLE 1 -> 7), or, where the age was read less surely than any threshold, fits
    the row without its age, is proposed (id_proposed, below every threshold) and flagged
    id_proposed_age_misread; the age is then read by the row's dates, doubted. An age read surely and with no
    look-alike fitting still rules the number out, and so do the sex and the death date. Failed before: the
    value was blank."""
    from mapping.idfix import ID_PROPOSED_CERTAINTY
    from mapping.record import ID_PROPOSED_AGE_MISREAD
    from pipeline.quality.calibration import FLOOR

    read = TRUE_ID[:10] + "::" + TRUE_ID[12:]  # two digits blotted: no repair
    man = TRUE_ID[:16] + "3" + id_check_digit(TRUE_ID[:16] + "3")  # likelier, the other sex
    cell = RawCell(read, 0.6, (0, 0, 10, 10), alternatives=((read, -2.0), (man, -4.0), (TRUE_ID, -5.0)))

    def build(age: str, conf: float):
        cells = {**row(read), "id_number": cell, "age_years": RawCell(age, conf, (0, 0, 10, 10))}
        return build_record("cremation", cells, CTX).fields

    got = build("14", 0.9)  # 74 read 14: one look-alike digit
    fv = got["id_number"]
    assert fv.value == TRUE_ID and {"id_proposed", ID_PROPOSED_AGE_MISREAD} <= set(fv.flags)
    assert fv.confidence <= ID_PROPOSED_CERTAINTY < FLOOR
    assert got["age_years"].value == 74 and got["age_years"].confidence < FLOOR  # read by the row's dates, doubted
    assert FLAGS[ID_PROPOSED_AGE_MISREAD].zh.startswith("所读年龄与识别器") and FLAGS[ID_PROPOSED_AGE_MISREAD].severity == "warn"
    unsure = build("4", 0.3)  # a digit lost, read less surely than any threshold: the age is set aside
    assert unsure["id_number"].value == TRUE_ID and ID_PROPOSED_AGE_MISREAD in unsure["id_number"].flags
    assert build("4", 0.9)["id_number"].value is None  # read surely, no look-alike fits: still ruled out
    assert build("22", 0.3)["id_number"].value == TRUE_ID  # unsure: set aside; the man stays ruled out by the sex
    assert build("22", 0.9)["id_number"].value is None
