"""A code-table column whose header and lone-glyph cells were misread on a photograph (男/女 read 营/第/會,
汉 read 江/议) is identified by the recognizer's own probabilities of the tables' wordings on its crops
(pipeline.page.extract.decoded_code_shares, mapping.headers assign_columns `decoded`), held in doubt; a column
whose cells decode to two tables alike stays unidentified. Small synthetic tables and scores, no OCR."""

from __future__ import annotations

import numpy as np

from mapping.headers import DECODED_DOUBT, Decoded, assign_columns, is_assignment_doubt
from mapping.spec import load_spec
from ocr.ctc import ANY, ctc_log_likelihood, ctc_log_likelihoods
from pipeline.kernel.models import RawCell
from pipeline.page.extract import reassign_columns, stored_decoded, tables_decoded
from pipeline.page.structure import Structure
from tests.test_columns_content import HEADER, ROWS

SEX = 2
MISREAD = [r[:SEX] + [g] + r[SEX + 1 :] for r, g in zip(ROWS, ["营", "第", "會", "★"])]
HEADER_LOST = HEADER[:SEX] + ["口"] + HEADER[SEX + 1 :]


def _columns(rows: list[list[str]]) -> list[list[str]]:
    return [[r[c] for r in rows] for c in range(len(rows[0]))]


def _read(rows: list[list[str]]) -> list[tuple[int, list[RawCell]]]:
    return [(i + 1, [RawCell(t, 0.99, None) for t in r]) for i, r in enumerate(rows)]


def test_a_misread_sex_column_is_unidentified_without_decoding():
    got = assign_columns("cremation", HEADER_LOST, _columns(MISREAD))
    assert got[SEX].field is None


def test_a_sex_column_told_by_decoding_is_the_sex_field_in_doubt():
    decoded = {SEX: {"sex_code": Decoded(1.0, 0.5), "agent_relation_code": Decoded(0.5, 0.0)}}
    got = assign_columns("cremation", HEADER_LOST, _columns(MISREAD), decoded=decoded)
    assert got[SEX].field == "sex_code"
    assert got[SEX].doubt is not None and got[SEX].doubt.startswith(DECODED_DOUBT.split("{", 1)[0])
    assert is_assignment_doubt(got[SEX].doubt)


def test_a_column_decoding_to_two_tables_alike_stays_unidentified():
    decoded = {SEX: {"sex_code": Decoded(0.9, 0.1), "ethnicity_code": Decoded(0.8, 0.0)}}
    assert assign_columns("cremation", HEADER_LOST, _columns(MISREAD), decoded=decoded)[SEX].field is None
    decoded = {SEX: {"sex_code": Decoded(0.9, 0.5), "ethnicity_code": Decoded(0.5, 0.4)}}
    assert assign_columns("cremation", HEADER_LOST, _columns(MISREAD), decoded=decoded)[SEX].field is None


def test_few_decoded_cells_tell_nothing():
    decoded = {SEX: {"sex_code": Decoded(0.4, 0.4)}}
    assert assign_columns("cremation", HEADER_LOST, _columns(MISREAD), decoded=decoded)[SEX].field is None


def test_a_remap_takes_the_stored_shares():
    layout = {"decoded": {str(SEX): {"sex_code": [1.0, 0.5], "agent_relation_code": [0.5, 0.0]}}}
    structure = Structure()
    columns = reassign_columns(
        "cremation",
        HEADER_LOST,
        _read(MISREAD),
        structure,
        load_spec(),
        decoded=stored_decoded(layout),
    )
    assert columns[SEX] == "sex_code" and structure.columns.get(SEX)


def test_a_cell_decodes_to_the_tables_of_its_likeliest_wording_only_where_it_stands_out():
    wordings = ["男", "女", "子", "汉"]
    tables_of = {
        "男": frozenset({"sex"}),
        "女": frozenset({"sex", "relation"}),
        "子": frozenset({"relation"}),
        "汉": frozenset({"ethnic"}),
    }
    # reading 营 at -1; 男 at -4 (within the drop), every other wording far below
    assert tables_decoded([-1.0, -4.0, -9.0, -12.0, -20.0], wordings, tables_of) == {"sex"}
    # 女 is a wording of both tables: decodes to both
    assert tables_decoded([-1.0, -9.0, -4.0, -12.0, -20.0], wordings, tables_of) == {"sex", "relation"}
    # 男 and 子 alike: nothing stands out
    assert tables_decoded([-1.0, -4.0, -9.0, -5.0, -20.0], wordings, tables_of) == frozenset()
    # every wording far below the reading: nothing
    assert tables_decoded([-1.0, -30.0, -30.0, -30.0, -40.0], wordings, tables_of) == frozenset()


def test_texts_scored_together_score_as_each_alone():
    """Texts of different lengths padded into one forward pass (ctc_log_likelihoods) score as each scored
    alone (ctc_log_likelihood, checked against brute force in test_accuracy): the padding leaks nothing."""
    rng = np.random.default_rng(7)
    probs = rng.random((23, 12)) ** 3
    probs /= probs.sum(axis=1, keepdims=True)
    texts = [[3], [3, 3], [4, 5, 6], [ANY, 2], [(4, 5), 7], [1, 2, 3, 4, 5, 6, 7]]
    got = ctc_log_likelihoods(probs, texts)
    assert np.allclose(got, [ctc_log_likelihood(probs, t) for t in texts], atol=1e-9)
    assert np.isclose(ctc_log_likelihoods(probs, [[], [3]])[0], np.log(probs[:, 0]).sum())  # every frame blank
