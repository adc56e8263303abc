"""From a cleaned page to mapped records: grid + OCR pieces -> cells -> header mapping -> records.

`extract_page` is pure (image in, records out) so it can be tested and benchmarked without a store;
`process_page` wraps it with loading, image storage and saving, idempotently.
"""

from __future__ import annotations

import errno
import json
import logging
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path
from typing import AbstractSet, Any, Callable, Collection, Iterable, Mapping, Sequence

import cv2
import numpy as np
from rapidfuzz import fuzz
from sqlalchemy import delete, select

from mapping.headers import (
    CELLS_DOUBT,
    CONTENT_FAILS,
    CONTENT_MIN_CELLS,
    DECODED_SHARE,
    HEADER_NAMES_IN_DOUBT,
    MERGED_CELLS,
    NUMBER_SHAPES,
    SURELY_READ,
    VOLUME_AGREE,
    VOLUME_WIDTHS,
    ColumnAssignment,
    ColumnScore,
    Decoded,
    RegisterPrefix,
    VolumeField,
    VolumePage,
    agree_in_volume,
    assign_columns,
    cell_reads_as,
    clean_header,
    column_scores,
    content_class,
    content_share,
    detect_kind,
    halves_of_cells,
    halves_of_header,
    header_naming,
    id_in_form,
    is_assignment_doubt,
    joined_header,
    joined_in_order,
    joined_in_volume,
    map_columns,
    merged_cell_share,
    merged_header,
    misread_merged_header,
    parted_by_own_column,
    prefix_in_volume,
    prefix_misread,
    read_twice,
    register_form,
    same_form,
    serial_beside,
    serial_beside_header,
    unheld_halves,
    wording_beside,
)
from mapping.idfix import (
    DECODE_MARGIN,
    DECODE_MAX_DROP,
    ID_ALPHABET,
    ID_LINE_OTHER_MIN,
    IdPrefixes,
    id_line_alone,
    id_needs_decoding,
    joined_across_row,
    listed_valid_ids,
    near_valid_ids,
)
from mapping.normalize import (
    STRAY_MARKS,
    STRAY_MARKS_CERTAINTY,
    code_of_wording,
    code_wording_alternatives,
    fold_dashes,
    is_code_wording,
    is_valid_id,
    name_alphabet,
    name_form_probability,
    normalize_cert_no,
    sea_area_alternatives,
    table_wordings,
    without_stray_ends,
)
from mapping.numberforms import FORMS as NUMBER_FORMS
from mapping.numberforms import fits_form, form_alphabet, form_prefix, form_texts, form_value, needs_form
from mapping.order import check_page_order
from mapping.phonefix import confusion_texts, one_plan_number
from mapping.places import LOOKALIKES, UNSURE_CHAR, village_characters, village_chars_off_list
from mapping.record import (
    CHINESE_FREE_TEXT,
    FREE_TEXT,
    NOISE_BLANK_CERTAINTY,
    NOISE_BLANKED,
    RecordContext,
    build_record,
    reads_cleanly,
    year_field,
    year_of,
)
from mapping.spec import CodeTable, FieldSpec, KindSpec, Spec, load_spec
from ocr.agreement import MARK_CHARS, resolve, second_crop
from ocr.base import OcrEngine, trim_to_ink
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import ColumnsUnreadError, InputFileError, PageError, UnknownLedgerError
from pipeline.kernel.models import FieldValue, MappedRecord, OcrPiece, RawCell, chars_fit
from pipeline.kernel.reasons import reason_en, zh_en
from pipeline.kernel.safety import path_from_db, shown, shown_text
from pipeline.kernel.store import (
    ColumnDecision,
    LedgerAbsentField,
    Page,
    Record,
    RecordLink,
    ReviewDraft,
    SourceFile,
    Store,
    get_row,
    utcnow,
)
from pipeline.page.cleanup import CAPTURE_UPSAMPLE_MIN, CleanPage, clean_page, page_light
from pipeline.page.confirm import agree_names
from pipeline.page.intake import SINGLE_PAGE_MEDIA, PdfRender, frame_aspect, load_page, pdf_render_plan, volume_key
from pipeline.page.layout import (
    GRAINY_PAPER,
    INK_CONTRAST,
    Grid,
    assign_pieces,
    bowed_line_rows,
    cell_inner,
    column_gap,
    denoise_grain,
    erase_ruling_rows,
    faint_counts,
    faint_ink,
    find_grid_or_text,
    ink_extent,
    lines_view,
    paper_noise,
    reading_order,
    stretch_faint,
    text_line_bands,
    with_column,
)
from pipeline.page.lexicon import spec_for
from pipeline.page.orientation import Orientation, TextDirection, default_judge, orient, other_way, scanned_as, turn
from pipeline.page.routing import capture_kind, photograph_enlarged, processed_as_photograph, route
from pipeline.page.structure import (
    BOWED_LINE,
    FUSED_SERIAL_CERTAINTY,
    FUSED_SERIAL_NORMALIZERS,
    LINE_LEFT_OUT,
    MERGED_HEADER_DOUBT,
    REGISTER_RUN_FIELDS,
    SEAL_ONLY,
    STRUCK,
    UNDER_SEAL,
    Structure,
    apply_cert_run,
    apply_column_checks,
    apply_serial_checks,
    apply_structure,
    check_cert_run,
    check_columns,
    check_serials,
    confirm_register_run,
    fused_serial_texts,
    fused_serials,
    mark_missing,
    missing_fields,
    missing_in_row,
    open_columns,
    serial_of,
)

log = logging.getLogger(__name__)


@dataclass
class ExtractedRow:
    row_no: int  # 1-based data row, header not counted
    cells: list[RawCell]  # every column, in printed order
    record: MappedRecord


@dataclass
class PageExtraction:
    kind: str
    title: str
    header: list[str]
    columns: list[str | None]  # spec field per printed column (None = not mapped)
    grid: Grid
    rows: list[ExtractedRow] = field(default_factory=list)
    engine: str = ""
    ocr: "OcrStats | None" = None
    structure: Structure = field(default_factory=lambda: Structure())
    decoded: dict[int, dict[str, Decoded]] = field(default_factory=dict)  # decoded_code_shares, kept for remap_page


@lru_cache(maxsize=1)
def _institutions() -> dict[str, str]:
    data = resources.files("mapping").joinpath("data/institutions.json")
    return json.loads(data.read_text(encoding="utf-8"))["institutions"]


def resolve_funeral_home(title: str, default: str | None) -> str | None:
    """The funeral home named in the title (fuzzy, OCR-tolerant), else the configured default."""
    best, best_score = None, 0.0
    for name, code in _institutions().items():
        score = fuzz.partial_ratio(name, title) if title else 0.0
        if score > best_score:
            best, best_score = code, score
    return best if best_score >= 80 else default


def ledger_year(title: str) -> int | None:
    m = re.search(r"(20[0-2]\d)\s*年", title) or re.search(r"(20[0-2]\d)", title)
    return int(m.group(1)) if m else None


def cell_from_pieces(pieces: list[OcrPiece], box, unread: float) -> RawCell:
    """One cell's text from its pieces, in the order given; confidence of the weakest piece.
    No text at all: confidence `unread` (1.0 for a blank cell, lower where there was ink)."""
    read = [p for p in pieces if p.text.strip()]
    if not read:
        return RawCell("", unread, box)
    chars = tuple(c for p in read if p.chars is not None for c in p.chars) if all(p.chars is not None for p in read) else None
    text = "".join(p.text.strip() for p in read)
    return RawCell(text, min(p.confidence for p in read), box, chars=chars if chars_fit(text, chars) else None)


def reread_cell(gray: np.ndarray, box, engine: OcrEngine) -> RawCell:
    """Detection + recognition on the cell's own crop, cut inside its ruling lines: what leaks in from
    a neighbour is cut away, and a wrapped (two-line) cell still reads in order. Where detection finds
    nothing, the crop is recognized as one line (the engines trim a crop to its ink themselves)."""
    crop = cell_inner(gray, box)
    if crop.size == 0:
        return RawCell("", 0.5, box)
    padded = cv2.copyMakeBorder(crop, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=255)
    pieces = [p for p in engine.recognize(padded) if p.text.strip()]
    if pieces:
        return cell_from_pieces(reading_order(pieces), box, 0.5)
    return cell_from_pieces([engine.recognize_crop(crop)], box, 0.5)


def read_cell(gray: np.ndarray, grid: Grid, r: int, c: int, pieces: list[OcrPiece], reread: bool, engine: OcrEngine) -> RawCell:
    box = grid.cell_box(r, c)
    if reread or (not pieces and (text_line_bands(cell_inner(gray, box)) or faint_ink(cell_inner(gray, box)))):
        return reread_cell(gray, box, engine)
    return cell_from_pieces(reading_order(pieces), box, 1.0)


FAINT_BLANK = 0.3
"""The confidence of a cell that reads as nothing where the stricter ink test (pipeline.page.layout.faint_ink)
finds faint strokes: as unsure as any cell with ink that reads as nothing (read_cells)."""


STRETCH_FIELDS = {"id_number", "cremation_cert_no", "agent_phone", "registrant_phone"}
"""Digit strings are widened x1.3 before recognition: the CTC decoder merges a repeated digit whose
two glyphs touch (…1611 read …161). Measured on the committed samples: IDs 98.1 % -> 100 %
exact; the same stretch on Chinese text lowered names and addresses, so it is per column."""
STRETCH = 1.3


@dataclass
class OcrStats:
    """What recognition cost on one page: crops read once, crops read a second time, and seconds."""

    crops: int = 0
    second_crops: int = 0
    decoded: int = 0  # invalid readings scored against the spec-valid texts near them (decode_valid)
    reread: int = 0  # ID cells whose decoding chose nothing, read again from other crops (reread_variants)
    names_searched: int = 0  # doubted name cells searched for the names they may hold (name_alternatives)
    columns_decoded: int = 0  # unidentified columns whose cells were decoded to tell their field (decoded_code_shares)
    columns_decoded_seconds: float = 0.0
    first_seconds: float = 0.0
    second_seconds: float = 0.0
    reread_seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "crops": self.crops,
            "second_crops": self.second_crops,
            "decoded": self.decoded,
            "names_searched": self.names_searched,
            "columns_decoded": self.columns_decoded,
            "columns_decoded_seconds": round(self.columns_decoded_seconds, 3),
            "first_seconds": round(self.first_seconds, 3),
            "second_seconds": round(self.second_seconds, 3),
            "reread": self.reread,
            "reread_seconds": round(self.reread_seconds, 3),
        }


SEARCH_BEAM = 128
"""How many texts the recognizer is searched for when a reading has no valid text near it. 32 missed
a printed 37068119540915920X read 3368119540915920X (report set 9434): it is the 46th likeliest
digit text, and the only valid one among the first 512. Only invalid ID cells are searched (a few in
80 pages), and only beginnings an ID can have are grown (Decoding.viable, mapping.idfix.IdPrefixes): the
beam is not spent on the hundreds of digit texts no ID can be."""


SEA_AREA_MAX_DROP = 12.0
"""A sea area off the list may be decoded to a listed one up to e^12 less likely than the reading:
a felt-pen 崆峒 is read 喧明 or 嘘调 (e^5 to e^8 likelier than the truth), but a text that is no sea
area at all (惠民海葬, e^52) is not made one."""


CODE_MAX_DROP = 12.0
"""A code cell's reading that gives no code may be decoded to a table wording up to e^12 less likely
than the reading, as a sea area (SEA_AREA_MAX_DROP): a code table is a closed list too, of wordings
of two to eight characters. Measured with the recognizer on the design photos (seed4403): the
written wording lies e^3-e^5 below a reading with two characters misread (安孙 for 安葬, 八英 for
入葬), e^7-e^12 below one with two of four or five misread (家关领旧, 实负营天堂); with three of four
misread e^14-e^16 (骨员撤最 for 骨灰撒散): left blank and reviewed."""


@dataclass(frozen=True)
class Decoding:
    """How the invalid readings of a column are decoded (read_cells): the valid texts to score
    for a reading (none when it is valid), and how much less likely than the reading the chosen
    one may be in nats (None: any, for a closed list, whose entries are all the column can hold)."""

    candidates: Callable[[str], list[str]]
    max_drop: float | None = DECODE_MAX_DROP
    needs: Callable[[str], bool] | None = None
    """An invalid reading with no candidates near it (an ID read with two digits wrong, or letters
    among them) that is still worth decoding: the recognizer is then searched for texts in
    `alphabet` (ocr likeliest_texts) and the valid ones among them (`valid`) are scored too."""
    alphabet: str = ""
    valid: Callable[[list[str]], list[str]] | None = None
    viable: Callable[[str], bool] | None = None
    """Whether a text can still begin a valid one (mapping.idfix.IdPrefixes): the search in `alphabet`
    grows only such beginnings (ocr likeliest_texts), so its beam holds texts that can be valid."""
    stray_lines: bool = False
    """Whether short lines beside the value are stray ink (main_line): an ID is one line of
    digits; a sea area may wrap (崆峒岛 / 海域), so there only a one-line cell is decoded."""
    keep_scores: bool = False
    """Whether a cell decoded to no text keeps the texts scored for it (scored_alternatives, in
    RawCell.alternatives): an ID's candidates, for mapping to weigh with what the rest of its row says
    (mapping.idfix.choose_decoded), which the recognizer cannot know."""
    takes: Callable[[str], bool] | None = None
    """Whether the column takes a reading as it stands (a code table's wording as written); None:
    any reading that is not invalid. A cell whose first reading is invalid and whose second is not
    invalid but only near a value (安养, a look-alike of 安葬: resolve keeps the likelier reading, the
    invalid one) is decoded all the same."""
    reread: bool = False
    """Whether a cell whose decoding chose no text is read again from other crops (reread_variants,
    reread_alternatives) and keeps what they score too: an ID, which no other column's values can stand
    in for."""
    photo_scores: bool = False
    """Whether, on a photograph, a cell whose decoding chose no text keeps the texts scored for it
    (scored_alternatives, as `keep_scores`): a date, for mapping to weigh with the row's other dates
    (mapping.record.dates_decoded_by_order)."""
    photo_rivals: str = ""
    """The normalizer (mapping.numberforms.FORMS) under whose forms a photograph's one-line cell read as a value
    keeps the recognizer's likeliest texts (number_rivals), for mapping to weigh with the row (an age against
    the ID's birth date and the death date: mapping.record._age_decoded); "": none."""
    value: Callable[[str], object] | None = None
    """The value a candidate text means, where several texts mean one (a code table's wordings:
    病故 and 病逝 are one code): the likeliest must stand out (DECODE_MARGIN) only against texts of
    another value. None: each text its own value."""

    def line(self, lines: list[str]) -> int | None:
        """Which text line of a cell to decode; None: none."""
        if self.stray_lines:
            return main_line(lines)
        return 0 if len(lines) == 1 else None

    def invalid(self, reading: str) -> bool:
        return bool(self.candidates(reading)) or (self.needs is not None and self.needs(reading))

    def texts(self, engine: OcrEngine, crop: np.ndarray, reading: str) -> list[str]:
        """The valid texts to score for an invalid reading: those near it, and those the
        recognizer itself finds likeliest in the crop."""
        near = list(self.candidates(reading))  # a copy: candidates may be cached
        if self.valid is not None and self.alphabet:
            found = engine.likeliest_texts(crop, self.alphabet, beam=SEARCH_BEAM, viable=self.viable)
            if found:
                near = list(dict.fromkeys(near + self.valid([t for t, _score in found])))
        return near


DECODED_CODE_NORMALIZERS = {"code": True, "sex": False}
"""The normalizers of code-table columns decoded by the recognizer's probabilities (column_decoders), each
with whether it takes near matches of a wording (normalize_code's `fuzzy`): a reading it takes gives a
code and is not decoded. normalize_sex takes no near match (mapping.normalize)."""


def column_decoders(sp: Spec) -> dict[str, Decoding]:
    """Field -> how its invalid readings are decoded (read_cells). The candidates of a reading are
    cached (one page's worth): read_cells asks for them to tell an invalid reading, then to score.

    A code-table field (death cause, relation, ashes destination, ethnic group, ID type, issuer:
    the spec's code tables, mapping/data) is decoded as a sea area is: a reading that gives no code
    (安孙, 码故: characters misread beyond what the look-alike match, mapping.glyphs, recovers) is
    scored against the table's wordings (normalize.code_wording_alternatives) by the recognizer's
    own CTC probabilities on the crop, within CODE_MAX_DROP of the reading, the likeliest
    DECODE_MARGIN likelier than any wording of another code. Such a value stays doubted: its
    confidence is its share of the probability (decode_valid), never raised for being a wording
    (mapping.record).

    The sex column (normalizer "sex", GB/T 2261.1's table) is decoded the same way: it is a code table
    too, of one-glyph wordings (男, 女), and a single glyph is what the recognizer misreads most on a
    photograph (a CTC recognizer sees a lone character without the context of its neighbours: 男 read
    另, 外, 期, 3 or 8 on the design photos, camera_capture seed 4470 at severity 1.8, where 18 of 175 sex
    cells came out blank). The sex normalizer takes no near match (a one-glyph look-alike is no
    evidence), so every reading that gives no code there is offered the table's wordings, and the
    recognizer's own probabilities on the crop choose, or nothing stands out and it stays blank."""
    codes: dict[str, Decoding] = {}
    for ks in sp.kinds.values():
        for f in _decoded_code_fields(ks):
            if f.code_table and f.name not in codes:
                table = sp.table(f.code_table)
                codes[f.name] = Decoding(
                    lru_cache(maxsize=256)(
                        partial(code_wording_alternatives, table=table, fuzzy=DECODED_CODE_NORMALIZERS[f.normalizer])
                    ),
                    max_drop=CODE_MAX_DROP,
                    takes=partial(is_code_wording, table=table),
                    value=partial(code_of_wording, table=table),
                )
    return (
        codes
        | {
            "id_number": Decoding(
                lru_cache(maxsize=256)(partial(near_valid_ids, regions=sp.id_regions)),
                needs=id_needs_decoding,
                alphabet=ID_ALPHABET,
                valid=partial(listed_valid_ids, regions=sp.id_regions),
                viable=IdPrefixes(sp.id_regions),
                stray_lines=True,
                keep_scores=True,
                reread=True,
            ),
            "sea_area": Decoding(lru_cache(maxsize=256)(partial(sea_area_alternatives, spec=sp)), max_drop=SEA_AREA_MAX_DROP),
        }
        | number_decoders(sp)
    )


def _no_candidates(_reading: str) -> list[str]:
    return []


ROW_CHECKED_FORMS = frozenset({"date", "age"})
"""The number forms whose values the row's other cells check (mapping.record._validate: the register's date
order, an age against the ID's birth date and the death date): on a photograph, a cell of one whose decoding
chose no text keeps the texts scored for it (Decoding.photo_scores)."""


def number_rivals(engine: OcrEngine, crop: np.ndarray, reading: str, normalizer: str) -> tuple[tuple[str, float], ...] | None:
    """A photographed number cell's reading and the texts of its field's written forms
    (mapping.numberforms.FORMS) the recognizer finds likeliest on its crop (ocr likeliest_texts, SEARCH_BEAM,
    growing only beginnings of a form), each with its CTC log-probability there, the reading first; None where
    the engine cannot score or finds no other text. Recognizer property (s42-phone-nums, bench/digit_checks.py,
    design photographs): a blurred 13-15 px digit is misread, dropped or added (an age 3 read 2, 82 read 8)
    while the written text stays among the likeliest of the form; the row's other cells tell which
    (mapping.record._age_decoded)."""
    reading = reading.strip()
    got = engine.score_readings(crop, [reading])
    if not got or not np.isfinite(got[0]):
        return None
    found = engine.likeliest_texts(crop, form_alphabet(normalizer), beam=SEARCH_BEAM, viable=partial(form_prefix, normalizer))
    texts = [(t, float(x)) for t, x in found or () if t != reading and np.isfinite(x) and fits_form(normalizer, t)]
    if not texts:
        return None
    return ((reading, float(got[0])),) + tuple(texts[:KEPT_ALTERNATIVES])


def number_decoders(sp: Spec) -> dict[str, Decoding]:
    """Field -> how a number cell whose reading fits none of its field's written forms is decoded (read_cells):
    a cremation certificate number, a date, an age, a count (mapping.numberforms.FORMS: the forms SPEC gives).

    The recognizer is searched for the texts of the form's alphabet it finds likeliest in the crop, growing
    only beginnings of a form (ocr likeliest_texts, `viable`), and the likeliest one that fits a form is
    taken where it lies within DECODE_MAX_DROP of the reading and DECODE_MARGIN above every text of another
    value (decode_valid, as an ID's): a date read 2015±22 whose frames hold 2015.4.22 is put right by the
    recognizer's own probabilities, not by a guess. Property of the recognizer: its CTC output gives every
    text a probability, and a greedy reading that is no value (a separator read as ±, a digit as a letter)
    most often keeps the written text close behind. Such a value is doubted (mapping.record
    DECODED_NUMBER_CERTAINTY: always reviewed), the reading kept in raw; a reading that is a value as it
    stands is never decoded, however wrong."""
    out: dict[str, Decoding] = {}
    for ks in sp.kinds.values():
        for f in ks.fields:
            if f.source != "cell" or f.normalizer not in NUMBER_FORMS or f.name in out:
                continue
            out[f.name] = Decoding(
                _no_candidates,
                needs=partial(needs_form, f.normalizer),
                alphabet=form_alphabet(f.normalizer),
                valid=partial(form_texts, f.normalizer),
                viable=partial(form_prefix, f.normalizer),
                value=partial(form_value, f.normalizer),
                photo_scores=f.normalizer in ROW_CHECKED_FORMS,
                photo_rivals="age" if f.normalizer == "age" else "",
            )
    return out


def decode_valid(
    engine: OcrEngine,
    crop: np.ndarray,
    reading: str,
    candidates: list[str],
    max_drop: float | None = DECODE_MAX_DROP,
    value: Callable[[str], object] | None = None,
) -> tuple[str, float] | None:
    """Of the spec-valid `candidates` near an invalid `reading`, the one the recognizer finds
    likeliest in this crop, with its share of the probability of all texts considered (the reading
    included): how sure the recognizer is of it, given what it saw. None when the engine cannot
    score, or no candidate stands out (DECODE_MARGIN against every candidate of another `value`,
    `max_drop`)."""
    scores = score_candidates(engine, crop, reading, candidates)
    return None if scores is None else choose_scored(reading, candidates, scores, max_drop, value)


def score_candidates(engine: OcrEngine, crop: np.ndarray, reading: str, candidates: list[str]) -> list[float] | None:
    """The recognizer's log-probability of the reading and of each candidate on this crop (ocr
    score_readings), the reading's first; None when there is no candidate, the engine cannot score,
    or a candidate holds a character the recognizer cannot output with no listed look-alike to
    stand for it (屺: scored by 屹 圮 妃; one with none could only be bounded: no choice is then safe)."""
    if not candidates:
        return None
    stand_ins: dict[str, str] = {}
    alphabet = engine.dictionary()
    if alphabet is not None:
        for ch in {ch for c in candidates for ch in c if not ch.isspace()} - alphabet:
            stand_ins[ch] = "".join(a for a in LOOKALIKES.get(ch, "") if a in alphabet)
            if not stand_ins[ch]:
                return None
    scores = engine.score_readings(crop, [reading] + candidates, stand_ins)
    if scores is None or not np.isfinite(scores[0]):
        return None
    return list(scores)


def choose_scored(
    reading: str,
    candidates: list[str],
    scores: list[float],
    max_drop: float | None = DECODE_MAX_DROP,
    value: Callable[[str], object] | None = None,
) -> tuple[str, float] | None:
    """decode_valid's choice among candidates already scored (score_candidates: the reading's score
    first)."""
    ranked = sorted(zip(scores[1:], candidates), reverse=True)
    best, text = ranked[0]
    if not np.isfinite(best) or (max_drop is not None and best < scores[0] - max_drop):
        return None
    rivals = [x for x, t in ranked[1:] if value is None or value(t) != value(text)]
    if rivals and best - rivals[0] < DECODE_MARGIN:
        return None
    share = 1.0 / float(np.exp(np.asarray(scores) - best).sum())
    return text, share


DECODED_CELLS = 12
"""At most this many written one-line cells of a column are decoded to tell its field (decoded_code_shares):
each costs one recognition of its crop and the scoring of every code table's wordings on it."""


def code_fields(kind: str, sp: Spec) -> dict[str, CodeTable]:
    """The kind's code-table fields decoded by the recognizer's probabilities (column_decoders:
    DECODED_CODE_NORMALIZERS), each with its table."""
    return {f.name: sp.table(f.code_table) for f in _decoded_code_fields(sp.kind(kind)) if f.code_table}


def _decoded_code_fields(ks: KindSpec) -> list[FieldSpec]:
    """The kind's code-table fields read from a cell whose invalid readings are decoded (DECODED_CODE_NORMALIZERS)."""
    return [f for f in ks.fields if f.normalizer in DECODED_CODE_NORMALIZERS and f.code_table and f.source == "cell"]


def decoded_code_shares(
    engine: OcrEngine,
    gray: np.ndarray,
    grid: Grid,
    kind: str,
    texts: Mapping[int, Sequence[tuple[int, str]]],
    sp: Spec,
    photo: bool = False,
    enlarged: float = 1.0,
) -> dict[int, dict[str, Decoded]]:
    """For each given column (`texts`: column -> its written cells, (grid row, first reading)), the share of
    its first DECODED_CELLS written cells whose crop the recognizer decodes to a wording of each of the kind's
    code tables (code_fields): the likeliest wording within CODE_MAX_DROP of the cell's own reading and
    DECODE_MARGIN likelier than any wording of another code (choose_scored), as read_cells decodes a code
    column's cells. A cell that reads as a wording already decodes to it. Only one-line cells are scored; a
    reading longer than the longest wording by two glyphs or more, or holding two digits or more (a number:
    the wordings are written in characters), is not scored and counts as no wording, and a column most of
    whose readings are such is not decoded (the cost bounded to the columns that can be code columns).
    For mapping.headers.assign_columns (`decoded`), which tells a column whose header and readings failed by
    these shares. The cell's reading is its first (the crop is cut as read_cells cuts it, line_crops). Empty
    where the engine cannot score. Recognizer property: a lone glyph misread on a blurred photograph (男 read
    营) keeps its written wording among the texts the recognizer finds about as likely."""
    tables = code_fields(kind, sp)
    if not tables or not texts:
        return {}
    fields = {name: table_wordings(t) for name, t in tables.items()}
    every = list(dict.fromkeys(w for ws in fields.values() for w in ws))
    tables_of = {w: frozenset(name for name, ws in fields.items() if w in ws) for w in every}
    out: dict[int, dict[str, Decoded]] = {}
    longest = max(len(w) for ws in fields.values() for w in ws) + 1
    for c, cells in texts.items():
        chosen = [(r, t) for r, t in cells if t.strip()][:DECODED_CELLS]
        short = [(r, t) for r, t in chosen if len("".join(t.split())) <= longest and len(_DIGIT.findall(t)) < 2]
        if len(short) < DECODED_SHARE * len(chosen):
            continue  # most of its readings are longer than any wording (+1 glyph misread in) or numbers: no code column
        crops, owners, _faint = line_crops(gray, grid, [(r, c) for r, _t in short], frozenset(), photo, enlarged)
        lines = Counter(owners)
        counted = len(chosen) - len(short)  # a reading longer than any wording: no cell of the tables
        hits: Counter[str] = Counter()
        alone: Counter[str] = Counter()  # cells decoded to this table's wordings only
        read = dict(short)
        for crop, (r, _c) in zip(crops, owners):
            reading = read[r]
            if lines[(r, c)] != 1:
                continue
            scores = score_candidates(engine, crop, reading, every)
            if scores is None:
                continue
            counted += 1
            got = tables_decoded(scores, every, tables_of)
            hits.update(got)
            if len(got) == 1:
                alone.update(got)
        if counted >= CONTENT_MIN_CELLS:
            out[c] = {name: Decoded(round(hits[name] / counted, 4), round(alone[name] / counted, 4)) for name in fields}
    return out


def tables_decoded(scores: Sequence[float], wordings: Sequence[str], tables_of: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """The code tables a cell decodes to (decoded_code_shares), given the recognizer's log-probability of its
    reading and of every wording of the kind's tables on its crop (score_candidates: the reading's first): the
    tables of the likeliest wording (a wording two tables share, 女 of sex and of relation, decodes to both),
    where it lies within CODE_MAX_DROP of the reading and DECODE_MARGIN above every other wording of another
    table (as read_cells' choice of a code must stand out: choose_scored). None otherwise."""
    ranked = sorted(zip(scores[1:], wordings), reverse=True)
    if not ranked:
        return frozenset()
    best, text = ranked[0]
    if not np.isfinite(best) or best < scores[0] - CODE_MAX_DROP:
        return frozenset()
    mine = tables_of[text]
    rival = next((x for x, w in ranked[1:] if w != text and not tables_of[w] <= mine), float("-inf"))
    return mine if best - rival >= DECODE_MARGIN else frozenset()


def open_code_columns(
    kind: str, header: list[str], rows: Sequence[tuple[int, Sequence[RawCell]]], structure: Structure, sp: Spec
) -> dict[int, list[tuple[int, str]]]:
    """The columns decoded_code_shares measures: those assign_columns leaves without a field on the header and
    cells alone, with at least CONTENT_MIN_CELLS written cells, on a page where a code-table field
    (code_fields) is held by no column; each with its written cells (grid row, first reading). Empty where
    every code field is held (nothing to decode: the cost is paid only where a code column is missing).
    `rows`: (grid row, its cells), the data rows."""
    texts = _column_texts(header, rows, structure)
    assigned = assign_columns(kind, header, texts, sp)
    held = {a.field for a in assigned if a.field is not None}
    if not set(code_fields(kind, sp)) - held:
        return {}
    out: dict[int, list[tuple[int, str]]] = {}
    for a in assigned:
        if a.field is not None or a.index >= len(texts):
            continue
        written = [(r, cells[a.index].text) for (r, cells), t in zip(rows, texts[a.index]) if t.strip()]
        if len(written) >= CONTENT_MIN_CELLS:
            out[a.index] = written
    return out


KEPT_ALTERNATIVES = 12
"""How many scored candidates a cell decoded to no text keeps (scored_alternatives), likeliest first."""


def scored_alternatives(
    reading: str, candidates: list[str], scores: list[float], max_drop: float | None = DECODE_MAX_DROP
) -> tuple[tuple[str, float], ...]:
    """What a cell whose decoding chose no text keeps of it (Decoding.keep_scores): the reading and the
    KEPT_ALTERNATIVES likeliest candidates the choice could have taken or had to weigh (no more than
    `max_drop` + DECODE_MARGIN below the reading), each with the recognizer's log-probability on the
    crop; the reading first. Empty of candidates: the reading alone is not kept (None-like: ())."""
    floor = -np.inf if max_drop is None else scores[0] - max_drop - DECODE_MARGIN
    near = sorted(((x, t) for x, t in zip(scores[1:], candidates) if np.isfinite(x) and x >= floor), reverse=True)
    if not near:
        return ()
    return ((reading, float(scores[0])),) + tuple((t, float(x)) for x, t in near[:KEPT_ALTERNATIVES])


# ---- an ID cell read again from other crops, where its decoding chose nothing -------------------
REREAD_STRETCH = 2.0
"""The horizontal scale of the `wide` variant (reread_variants): the recognizer (PP-OCR) emits one frame per
8 px of its 48-px-high input (measured: 384 px wide, 48 frames), so a digit gets as many frames as its width
there over 8; where two touching or blurred digits share frames, CTC merges or drops one (a digit lost).
Twice as wide gives each digit more frames (the digit columns are read at STRETCH, 1.3, and the second
reading at 1.6). Design store typed 3316 made bilevel: a 10-digit reading read 18 digits so, the true
number 1.2 nats below it."""

REREAD_VARIANTS = 3
"""At most this many crops of one failing ID cell are read again (reread_variants): each costs one
recognition, one search of the recognizer's likeliest digit texts (SEARCH_BEAM) and one scoring."""


def reread_variants(inner: np.ndarray, line: np.ndarray, stretched: bool, lines: int = 1) -> list[np.ndarray]:
    """Crops of an ID cell prepared otherwise than its first two readings (the line as cut, the line wider
    by 1.6 / 1.3: second_crop), each for a property of the recognizer or of the capture:

    - `wide`: the line at REREAD_STRETCH x its width: frames per digit, where CTC dropped a digit;
    - `whole`, only where the cell was cut into `lines` > 1 text lines: the cell's inside as one line, its
      ink rows only, at STRETCH: text_line_bands cut the line where a seal's remnant or a neighbour's ink
      made two bands of one number, losing its digits' tops or bottoms (of a one-line cell it is the line
      itself: read again for nothing);
    - `contrast`: the line with its darkest 1 % made black and its paper white (layout.stretch_faint):
      the recognizer was trained on dark print, and ink left grey (under a seal whose red cleanup took
      out, faded, a felt pen's thin strokes on a photograph) reads as other glyphs or none.
    At most REREAD_VARIANTS."""
    fx = REREAD_STRETCH / (STRETCH if stretched else 1.0)
    wide = cv2.resize(line, None, fx=fx, fy=1.0, interpolation=cv2.INTER_CUBIC)
    out = [wide]
    rows = (
        np.flatnonzero((inner < int(np.median(inner)) - INK_CONTRAST).any(axis=1)) if lines > 1 and inner.size else np.array([])
    )
    if rows.size:
        whole = inner[max(0, int(rows[0]) - 4) : int(rows[-1]) + 5]
        out.append(cv2.resize(whole, None, fx=STRETCH, fy=1.0, interpolation=cv2.INTER_CUBIC))
    out.append(stretch_faint(line))
    return out[:REREAD_VARIANTS]


def reread_alternatives(
    engine: OcrEngine,
    variants: Sequence[np.ndarray],
    d: Decoding,
    reading: str,
    score: float,
    base: Sequence[tuple[str, float]] = (),
) -> tuple[tuple[str, float], ...]:
    """An ID cell's scored alternatives (scored_alternatives: the reading first, with its log-probability
    `score` on its own crop) with those of each variant crop added: each variant is read, the valid texts
    near its reading and the likeliest the recognizer finds in it are scored on it (Decoding.texts,
    score_candidates), and each is kept at its distance below that variant's own reading, put on the scale
    of the first: `score` + (its score - the variant reading's score). A text scored on several crops keeps
    its best. A variant reading that is valid itself is kept at the variant reading's place (0 below).
    Scores of different crops are not one distribution, but the distance of a text below the recognizer's
    own reading of a crop is what every choice on alternatives weighs (mapping.idfix.choose_decoded,
    propose: a bound below the reading, a margin between candidates)."""
    best: dict[str, float] = {t: x for t, x in base[1:]}
    reads = engine.recognize_crops(list(variants))
    for crop, piece in zip(variants, reads):
        text = "".join(piece.text.split())
        if not text:
            continue
        texts = [text] if not d.invalid(text) and d.valid is not None and d.valid([text]) else []
        texts = list(dict.fromkeys(texts + d.texts(engine, crop, text)))
        scores = score_candidates(engine, crop, text, texts) if texts else None
        if scores is None:
            continue
        for t, x in zip(texts, scores[1:]):
            if np.isfinite(x):
                rel = score + (x - scores[0])
                best[t] = max(best.get(t, -np.inf), rel)
    if not best:
        return tuple(base)
    floor = score - d.max_drop - DECODE_MARGIN if d.max_drop is not None else -np.inf
    near = sorted(((x, t) for t, x in best.items() if x >= floor), reverse=True)
    if not near:
        return tuple(base)
    return ((reading, float(score)),) + tuple((t, float(x)) for x, t in near[: 2 * KEPT_ALTERNATIVES])


STRAY_LINE_CHARS = 3
"""A text line of an ID cell read as at most this many characters beside a longer one is stray ink:
a stamp's edge or a neighbour's descender (main_line)."""


def main_line(lines: list[str]) -> int | None:
    """Which text line of an ID cell holds the number: the only one, or the one longer line when
    every other reads as at most STRAY_LINE_CHARS characters or as no digit at all (a stamp over an ID cell is read
    辣 / 37068319101296551 / 文业务), or when the longer line is a whole number by itself (mapping.idfix.id_line_alone:
    17-19 digits, an 18-character ID give or take one) and no other line is one too (ink of the row above
    over a felt-pen ID read 28005+oo10e10 / 37068719410723812: the number has no room for more digits);
    None when two lines hold text."""
    sizes = [len("".join(t.split())) for t in lines]
    if not sizes or max(sizes) == 0:
        return None
    best = max(range(len(sizes)), key=sizes.__getitem__)
    others = [k for k, n in enumerate(sizes) if k != best and n > STRAY_LINE_CHARS]
    if id_line_alone(lines[best]) and not any(id_line_alone(lines[k], shortest=ID_LINE_OTHER_MIN) for k in others):
        return best
    # an ID (GB 11643) is digits: a line beside it with no digit at all is no part of it either
    # (a stamp's edge read Tior when the recognizer saw the line unpadded)
    if any(any(ch.isdigit() for ch in lines[k]) for k in others):
        return None
    return best


NAME_BEAM = 16
"""How many texts written in the name alphabet a doubted name cell is searched for (name_alternatives):
on the fitting sets the names put right by mapping.normalize.rescore_name were among the first 16."""


def name_alternatives(
    engine: OcrEngine, crop: np.ndarray, readings: Sequence[str], alphabet: str
) -> tuple[tuple[str, float], ...] | None:
    """The texts written in `alphabet` (mapping.normalize.name_alphabet) the recognizer finds
    likeliest in a one-line name crop (NAME_BEAM of them), and the cell's own `readings`, each with
    the recognizer's log-probability on this crop: the evidence mapping weighs by how often real
    names use each character. None where the engine cannot tell (no per-frame output)."""
    found = engine.likeliest_texts(crop, alphabet, beam=NAME_BEAM)
    if found is None:
        return None
    seen = {t for t, _score in found}
    own = [t for t in dict.fromkeys("".join(r.split()) for r in readings) if t and t not in seen]
    scores = engine.score_readings(crop, own) if own else []
    if scores is None:
        return None
    # a text the frames cannot hold scores -inf: left out (and JSON, PostgreSQL's included, has no infinity)
    return tuple((t, float(x)) for t, x in list(found) + list(zip(own, scores)) if np.isfinite(x))


NAME_DEBLUR_SIGMA = 1.0
"""px: the Gaussian spread the name lines of a scanned page are deblurred for (deblur_name_line)."""
NAME_DEBLUR_ROUNDS = 5
"""Richardson-Lucy iterations (deblur_name_line): few, so that the paper's grain is not sharpened into specks."""


def deblur_name_line(line: np.ndarray) -> np.ndarray:
    """A name line's strokes deblurred (Richardson-Lucy deconvolution of its ink, 255 - level, with a
    Gaussian point spread of NAME_DEBLUR_SIGMA px, NAME_DEBLUR_ROUNDS rounds) before recognition.

    A property of the recognizer: PP-OCR's text recognizer was trained on sharp, dark strokes and is fed
    a line scaled up to 48 px high (ocr.ppocr._norm; a scanned name line is cut to its ink 34-43 px high,
    so every blur is enlarged with it); on a carbon copy the strokes came through the carbon soft-edged and
    run together, and for names the recognizer then scores a wrong text above the truth on the crop as cut
    (bench/results/s32-carbonnames-2026-12-06.md: 38 of 43). Undoing a blur of about a pixel (the carbon's
    and the scanner's) gives it back strokes of the kind it learned. Measured on name cells, first reading
    on the stored clean page (bench/carbon_preps.py; bench/results/s33-fadednames-2026-12-06.md)."""
    if line.ndim != 2 or min(line.shape) < 3:
        return line
    ink = 256.0 - line.astype(np.float32)
    est = ink.copy()
    for _ in range(NAME_DEBLUR_ROUNDS):
        blurred = cv2.GaussianBlur(est, (0, 0), NAME_DEBLUR_SIGMA)
        est = est * cv2.GaussianBlur(ink / np.maximum(blurred, 1e-3), (0, 0), NAME_DEBLUR_SIGMA)
    return np.clip(256.0 - est, 0, 255).astype(np.uint8)


SAME_MEANING: dict[str, tuple[str, ...]] = {"date": ("〇○Oo0",)}
"""Glyphs that mean the same to a column's normalizer (by normalizer): in a date 二〇一五 / 二O一五 /
二0一五 are all 2015, and the recognizer, unsure which zero it sees (0.4-0.6 for each on the fitting
sets' Chinese-numeral dates), is sure of the zero (count_same_glyphs)."""


def count_same_glyphs(
    engine: OcrEngine, crop: np.ndarray, piece: OcrPiece, groups: Sequence[str], below: float = 0.99
) -> OcrPiece:
    """A reading unsure only between glyphs of one meaning is as sure as the recognizer is of the
    meaning: each of its characters in one of `groups` gets the probability of its whole group
    (engine.char_confidences), when the crop read alone gives the same text; other characters keep
    theirs. Unchanged where no such character is below `below`, or the engine cannot tell."""
    if not groups or piece.chars is None or not piece.text.strip():
        return piece
    text = "".join(piece.text.split())
    inside = [any(ch in g for g in groups) for ch in text]
    if not any(i and c < below for i, c in zip(inside, piece.chars)):
        return piece
    got = engine.char_confidences(crop, groups)
    if got is None or got[0] != text or len(got[1]) != len(text):
        return piece
    chars = tuple(g if i else c for i, c, g in zip(inside, piece.chars, got[1]))
    return replace(piece, confidence=min(chars), chars=chars)


FAINT_READ_AS_IS = True
"""A faint cell's lines (extract.line_crops) are found on the cell stretched (layout.stretch_faint) and cut
from the cell as it is. A property of the recognizer, measured (bench/bench_contrast.py,
bench/results/contrast-2026-12-03-s13.md): it reads a compressed contrast range as well as a full one
(design crops faded to 0.15 of their contrast: 96.8 % exact against 97.3 % as drawn), while the stretch, a
linear map that adds nothing to the strokes' evidence, clips the paper at its median and the ink at its
darkest 1 % and magnifies the paper's grain with the strokes. Design cells (seed 3306 at severity 1.8 and
3305, 4 + 4 pages each) faded to 0.15, so that every written one takes this path: 2459 of 2778 read exactly
as they are against 2422 stretched, wrong among readings at >= 0.99 3 and 3. No design store's own cells
take this path (0 of 5115 on those pages, 0 of 988 on camera 4405)."""


def at_captured_resolution(line: np.ndarray, enlarged: float) -> np.ndarray:
    """A text line cut from a photograph the cleanup enlarged `enlarged` times, shrunk back by area to the
    resolution it was photographed at (nothing where `enlarged` is 1 or less).

    Why: a property of the recognizer. The cleanup enlarges a low-resolution photograph to the working
    resolution by interpolation and sharpens it (pipeline.page.cleanup.sharpen_enlarged) so that its
    ruling and ink tests work as on a scan; that adds no detail, but it adds the sharpening's halos and
    the enlarged grain's blotches, which PP-OCR's recognizer, trained on text lines as imaged, never saw.
    Averaged back by area to the frame's own pixels, the line goes to the recognizer's 48 px as a
    photographed line does. Measured with bench/photo_crops.py (first readings of every cell of the pages
    whose stored grid has the truth's columns; `native` against `asis`): design phone copy ph3316 (5 pages,
    enlarged 1.62-1.73) cells exact 221 -> 230 of 607 (27 put right, 18 made wrong), names 17 -> 21 of
    106; its earlier copy ph3316-v1 207 -> 208 of 478, names 18 -> 20 of 84; design camera_capture 4482
    (16 pages, 10 enlarged 1.17-1.66) 2203 -> 2209 of 2609, names 266 -> 268 of 386. Fresh phone copy
    ph3320-fix, measured only: see bench/results/photo-crops-2026-12-05-s27.md. Shrunk to a fixed 0.5
    instead (below the frame's resolution) the design copy read 217; to 0.75, 227."""
    if enlarged <= 1.0 or line.size == 0:
        return line
    f = 1.0 / enlarged
    h, w = line.shape[:2]
    return cv2.resize(line, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)


PHOTO_TONE_GAMMA = 1.6
"""The tone curve a photographed text line is given before it is read (lighten_midtones): grey level g goes
to 255 * (g / 255) ** (1 / PHOTO_TONE_GAMMA)."""


def tone_curve(gamma: float) -> np.ndarray:
    """The lookup table of a gamma tone curve: grey level g -> 255 * (g / 255) ** (1 / gamma)."""
    return np.clip(np.round(255.0 * (np.arange(256) / 255.0) ** (1.0 / gamma)), 0, 255).astype(np.uint8)


_MIDTONE_LUT = tone_curve(PHOTO_TONE_GAMMA)


def lighten_midtones(line: np.ndarray) -> np.ndarray:
    """A photographed text line with its greys lightened by a gamma curve (PHOTO_TONE_GAMMA; black stays black,
    white white, mid-greys move most: 140 -> 174, paper 225 -> 236, ink 53 -> 96).

    Why: a property of the recognizer and of the capture. A phone frame images a register at ~120-130 dpi
    through a lens blur: the strokes of a bold face (glyphs ~13 px high, strokes 2-3 px apart) spread into
    the gaps between them as mid-grey, and PP-OCR's recognizer, which sees grey levels scaled to [-1, 1]
    (no binarisation), takes a mid-grey gap for ink (男 -> 房, 晶 -> 品). Lightening the mid-greys opens
    the gaps towards the paper's level while the stroke cores stay the darkest pixels. Measured (bench/phone_cells.py
    crops of design phone copy p3384, 16 pages, first readings): names 212 -> 217, names + addresses 266 -> 276
    of 577 (gamma 1.3 268, 2.0 278); a contrast stretch instead (ink p2 to 0, paper p95 to 255: the gaps
    darkened) 225. End to end (p3384 county file 01, 6 pages): fields 1362 -> 1368 of 1616, names 100 -> 106;
    harsh copy q1 (not designed on, 6 pages): 353 -> 353.
    Used by read_cells on the name columns of photographs only (routing.processed_as_photograph): on all
    value cells, end to end, ages (design p3384, 6 pages: age_years wrong 9 -> 15) and code columns' content
    (harsh copy q1, 6 pages: agent_relation_code unidentified 20 -> 61 fields) read worse. Scans, 1-bit
    pages and other columns are as before, and so are photographs the cleanup did not enlarge (captured at the
    working resolution: 4 photo-flagged scan pages of d3316 / s35-fadedfields, all value cells, 512 -> 510
    of 516 right with the curve)."""
    if line.dtype != np.uint8 or line.size == 0:
        return line
    return cv2.LUT(line, _MIDTONE_LUT)


BILEVEL_SOFTEN = 0.5
"""The scale a 1-bit scan's address line is shrunk to by area and enlarged back from (soften_bilevel_line)."""


def soften_bilevel_line(line: np.ndarray) -> np.ndarray:
    """A text line of a page scanned in 1-bit shrunk by area to BILEVEL_SOFTEN of its size and enlarged back
    (bilinear) before recognition: every 2 x 2 block of black and white pixels averaged into one grey level.

    Why: a property of the recognizer. PP-OCR's recognizer was trained on grey text lines whose strokes have
    anti-aliased edges, and it is fed a line scaled to 48 px high by bilinear interpolation (ocr.ppocr), which
    keeps a 1-bit line's stair-stepped edges, its threshold's one-pixel notches and bridges between strokes
    (strokes thinned or run together by the scanner's threshold) as sharp detail it never saw. Averaged over
    2 x 2 pixels (a 1-bit address line is cut 33-53 px high, so the glyphs keep 16-26 px of height: their
    strokes stay apart) the line reaches it with grey, smooth-edged strokes, as a grey scan's would be.
    Measured offline (first readings of the stored cells as production cuts them, only the crop changed, as
    bench/scan_tones.py measures with its `soften`; design 1-bit copies fb/a, fb/bd3316, s31 b, s34 B, s33 h2,
    5 pages a store): address cells 211 -> 248 of 354 exact (44 put right, 7 made wrong; no store worse:
    63 -> 70, 11 -> 34, 58 -> 61, 25 -> 25, 54 -> 58). Not used on other columns: names 722 -> 724 of 936
    (36 put right, 34 made wrong), digit cells 2132 -> 2124 of 2336; nor the other preparations tried on
    these lines (Gaussian blur sigma 0.7 / 1.0, a 2 x 2 closing of the ink, a 3 x 3 median, an area
    shrink to 48 px high only), none of which read addresses better by more than 2 cells. Grey scans' address
    lines are lightened instead (lighten_scan_line), photographs' read as cut (read_cells)."""
    if line.ndim != 2 or min(line.shape) < 8:
        return line
    h, w = line.shape
    small = cv2.resize(line, (max(1, round(w * BILEVEL_SOFTEN)), max(1, round(h * BILEVEL_SOFTEN))), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


SCAN_TONE_GAMMA = 2.0
"""The tone curve the name and address lines of a grey scan are given before they are read (lighten_scan_line):
grey level g goes to 255 * (g / 255) ** (1 / SCAN_TONE_GAMMA) (ink 40 -> 101, mid-grey 140 -> 189, paper 225 -> 240)."""

_SCAN_TONE_LUT = tone_curve(SCAN_TONE_GAMMA)


def lighten_scan_line(line: np.ndarray) -> np.ndarray:
    """A grey scan's text line with its greys lightened by a gamma curve (SCAN_TONE_GAMMA; black stays black,
    white white, the greys between move most).

    Why: a property of the recognizer, the same as lighten_midtones'. PP-OCR's recognizer sees grey levels
    scaled to [-1, 1], no binarisation, and takes a grey between two strokes for ink. On a carbon copy or a
    faded scan the strokes of a dense glyph came through the carbon (or the scanner's optics) spread, and
    the gaps between them are filled grey, so the strokes run together. Lightened, the gaps move towards the
    paper's level while the stroke cores stay the darkest pixels of the line, so the glyph's strokes are
    parted again as in the text the recognizer learned. It is not the ink's level the recognizer minds:
    darkening faint ink instead (its median grey to 40, paper kept) made every carbon copy read worse
    (design w_c5 names + addresses 211 -> 160 of 354), and the gain is on lines whose ink median is 40-100
    grey levels (run together), none on pale ink (120+), so one curve for all lines, not one chosen by the
    line's ink. Measured offline on first readings of the stored cells (line_crops as production cuts them,
    read once) of the design carbon / faded copies of d3316 county w_c5, s_fc, w_fd, a_fc (9 + 9 + 9 + 15
    pages whose grid has the truth's rows), as read before -> curve 1.6 / 2.0 / 2.5:
    names (deblurred after the curve, prepare_scanned_name) 675 -> 711 / 726 / 730 of 1164, addresses
    (curve alone) 217 -> 239 / 250 / 241 of 414 (2.0: the best of the two together); on the clean design
    d3316 county (9 pages) names 228 -> 237 of 258 (2.0), addresses 86 -> 86 of 96. The curve before the
    deblur, not after: w_c5 names 171 (after) / 178 (before) at 1.6. Addresses are not deblurred
    (deblur_name_line alone lowers them: 217 -> 178). Tool: bench/scan_tones.py. End to end (bench_families
    --stage ocr, before -> after, fields exact / names + household_address wrong / wrong among auto-accepted):
    design w_c5 2953 -> 2953 of 3049 / 76 -> 75 / 1 -> 0; design d3316 county 3031 -> 3036 / 18 -> 13 / 2 -> 0;
    fresh carbon copies, measured only, c35 + c36 + c37 + s33 c7: 5636 -> 5656 of 5834 / 142 -> 123 / 4 -> 3
    (one name read at 0.99 with a rare glyph taken for a common one, 燊 -> 桑, newly auto-accepted on c37). A
    lightened line reads a little less sure where it was sure: records auto-accepted d3316 141 -> 138 of 203."""
    if line.dtype != np.uint8 or line.size == 0:
        return line
    return cv2.LUT(line, _SCAN_TONE_LUT)


def prepare_scanned_name(line: np.ndarray) -> np.ndarray:
    """A grey scan's name line as the recognizer reads it: lightened (lighten_scan_line), then deblurred
    (deblur_name_line). Each answers its own property of the recognizer (their docstrings)."""
    return deblur_name_line(lighten_scan_line(line))


GRAIN_SIGMA = 1.5
"""The Gaussian (px, at the frame's resolution) a photographed line is smoothed with before its ink is
found for trim_grainy_line: the paper's grain and the sensor's noise are single pixels and average away,
a stroke (3-4 px wide at 120-135 dpi) stays."""
UNTRIMMED_SHARE = 0.9
"""trim_to_ink's box this share of the line or more: it took the grain for ink (trim_grainy_line)."""
GRAIN_TRIM_SHARE = 0.7
"""The smoothed ink's box must be under this share of the line for trim_grainy_line to cut it there."""


def trim_grainy_line(line: np.ndarray) -> np.ndarray:
    """A photographed text line cut to its ink where the engine's own trim would keep it whole because
    its threshold took the grain for ink.

    Why: a property of the recognizer and of the capture. PP-OCR scales each line to 48 px high; the
    engines trim a crop to its ink first (ocr.base.trim_to_ink, Otsu on the raw pixels) so that the glyphs
    fill that height. On a faint photographed line (ink 20-50 grey levels under the paper) the sensor's
    noise and the paper's grain cross the Otsu threshold all over the line, specks of 4 px and more are
    kept as ink, and the box is the whole band: the recognizer gets the glyphs at a half to a third of
    its input height, in a wide strip of grain (design phone copy ph3316, a faded page: 6 of 60 misread
    cells looked at, bench/phone_cells.py --png). Found instead on the line smoothed by GRAIN_SIGMA,
    components at least a tenth of the line's height square, with 0.25 of the ink's height around it
    (trim_to_ink's margin). Only where trim_to_ink keeps UNTRIMMED_SHARE of the line or more and the
    smoothed ink is under GRAIN_TRIM_SHARE of it; elsewhere the line is given as it is. Measured with
    bench/phone_cells.py (first readings of every written cell of 24 design phone pages whose grid has
    the truth's columns, ph3316 / ph3380 / ph3316-s3381 / ph3321-s3381): cells exact 2123 -> 2132 of
    3428 (12 put right, 3 made wrong), names 210 -> 210 of 548; trimming every photographed line so
    (not only the untrimmed ones): 2141 (64 put right, 46 made wrong)."""
    h, w = line.shape[:2]
    if min(h, w) < 8:
        return line
    _t, (x0, y0, x1, y1) = trim_to_ink(line)
    if (x1 - x0) * (y1 - y0) < UNTRIMMED_SHARE * h * w:
        return line
    cut = smoothed_ink_trim(line)
    return cut if cut.size < GRAIN_TRIM_SHARE * line.size else line


def smoothed_ink_trim(line: np.ndarray, sigma: float = GRAIN_SIGMA) -> np.ndarray:
    """A text line cut to its ink found on the line smoothed by `sigma` (trim_grainy_line's cut, whatever
    share of the line it keeps): Otsu on the smoothed line, components at least a tenth of the line's
    height square, 0.25 of the ink's height kept around it (trim_to_ink's margin); the line itself where it
    is under 8 px, the smoothed line holds under 12 grey levels, or no component is that large."""
    h, w = line.shape[:2]
    if min(h, w) < 8:
        return line
    sm = cv2.GaussianBlur(line, (0, 0), sigma)
    if int(sm.max()) - int(sm.min()) < 12:
        return line
    ink = cv2.threshold(sm, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    n, _l, st, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = [i for i in range(1, n) if st[i, cv2.CC_STAT_AREA] >= max(4, (h / 10) ** 2)]
    if not keep:
        return line
    a = min(st[i, cv2.CC_STAT_LEFT] for i in keep)
    b = min(st[i, cv2.CC_STAT_TOP] for i in keep)
    c = max(st[i, cv2.CC_STAT_LEFT] + st[i, cv2.CC_STAT_WIDTH] for i in keep)
    d = max(st[i, cv2.CC_STAT_TOP] + st[i, cv2.CC_STAT_HEIGHT] for i in keep)
    pad = max(2, round((d - b) * 0.25))
    return line[max(0, b - pad) : min(h, d + pad), max(0, a - pad) : min(w, c + pad)]


def line_crops(
    gray: np.ndarray,
    grid: Grid,
    cells: list[tuple[int, int]],
    stretch_cols: AbstractSet[int] = frozenset(),
    photo: bool = False,
    enlarged: float = 1.0,
) -> tuple[list[np.ndarray], list[tuple[int, int]], set[tuple[int, int]]]:
    """The crop of each text line of the given cells, inside their ruling lines (digit columns
    widened by STRETCH), and the cell each belongs to, in line order: what read_cells recognizes
    (and bench/bench_recognizers.py times). A blank cell gives none. Third: the cells with no line
    of ink dark enough but faint strokes (pipeline.page.layout.faint_ink): not sure blanks; their lines,
    found on the cell stretched (stretch_faint), are read where there are any, cut from the cell as it is
    (FAINT_READ_AS_IS); also, unread, the cells of grainy paper
    whose faint strokes, if any, the grain hides (pipeline.page.layout.faint_counts). `photo`: the page is
    a photograph or an enlarged capture (routing.processed_as_photograph): a grainy cell's lines are given
    with the grain of its paper taken out (pipeline.page.layout.denoise_grain); where its lines are is
    found on the cell as it is. `enlarged`: how much the cleanup enlarged the photograph
    (routing.photograph_enlarged): each line is given at the frame's own resolution (at_captured_resolution),
    cut to its ink where the grain hid it from the engine's trim (trim_grainy_line); where its lines are is
    found on the cell as the page stands."""
    crops: list[np.ndarray] = []
    owners: list[tuple[int, int]] = []
    faint: set[tuple[int, int]] = set()
    for r, c in cells:
        inner = cell_inner(gray, grid.cell_box(r, c))
        bands = text_line_bands(erase_ruling_rows(inner) if enlarged > 1.0 else inner, one_line=c in stretch_cols)
        if not bands:
            above_grain, fixed = faint_counts(inner)
            if above_grain:
                faint.add((r, c))
                bands = text_line_bands(stretch_faint(inner), one_line=c in stretch_cols)
                if not FAINT_READ_AS_IS:
                    inner = stretch_faint(inner)
            elif fixed:  # the grain may hide faint strokes: not a sure blank, and not read (grain reads as letters)
                faint.add((r, c))
        sigma = paper_noise(inner) if photo and bands else 0.0
        for b0, b1 in bands:
            crop = at_captured_resolution(denoise_grain(inner[b0:b1], sigma), enlarged)
            if enlarged > 1.0:
                crop = trim_grainy_line(crop)
            if c in stretch_cols:
                crop = cv2.resize(crop, None, fx=STRETCH, fy=1.0, interpolation=cv2.INTER_CUBIC)
            crops.append(crop)
            owners.append((r, c))
    return crops, owners, faint


VILLAGE_DECODE_MARGIN = 2.5
"""How much likelier (natural log of the recognizer's probability on the line's crop) the best text with a list
character in a village's off-list character's place must be than the next (village_alternative): e**2.5, about
12 times. Offline on the first readings of design carbon copy c51's address lines (s39-faded, its lines cut
from the stored pages as bench/faded_crops.py cuts them): of 16 characters off the list, the recognizer's best list
character was the written one for 7 (洼 x3, 屯, 疃, 沈, 楼) at margins 1.9-7.0, another for 9 (脊 for 夼, 基 for
莱, 矮 for 矫, 邵/郡 for 邢) at 0.3-4.0; at 2.5, 6 right against 5 other; every address holding such a character
was wrong as read, so none read right is changed."""


def village_alternative(
    engine: OcrEngine, crops: Sequence[np.ndarray], lines: Sequence[str], spec: Spec
) -> tuple[tuple[str, float], ...] | None:
    """An address cell's text with each character of its village that no village of the official list is written
    with (mapping.places.village_chars_off_list, on the line's text with traditional forms folded) replaced by the
    list character the recognizer finds likeliest in its place on that line's crop, and the cell's reading as read,
    each with the recognizer's log-probability of its line: ((decoded text, score), (reading, score)). None where
    no line names such a village, the engine cannot score, or some such character has no list character standing
    out (VILLAGE_DECODE_MARGIN).

    Sources: the official village list (NBS 2023: a character none of its 5 913 villages holds is no village's:
    注, 电, 婚 read for 洼, 屯, 矫) and the recognizer's own probabilities on the crop (its confusions of faint
    strokes), restricted to the list's characters it can output; the reading is kept for mapping, which proposes
    the text held (mapping.record: village_char_decoded)."""
    from mapping.normalize import fold_traditional

    kept = [(crop, t) for crop, t in zip(crops, lines) if t.strip()]  # a blank band is no part of the text
    crops, lines = [crop for crop, _t in kept], [t for _crop, t in kept]
    alphabet = engine.dictionary()
    chars = sorted(ch for ch in village_characters(spec) if alphabet is None or ch in alphabet)
    texts = ["".join(t.split()) for t in lines]
    changed = False
    for k, (crop, text) in enumerate(zip(crops, texts)):
        folded = fold_traditional(text)
        if len(folded) != len(text):
            continue
        at = village_chars_off_list(folded, spec)
        if not at:
            continue
        for pos in at:
            cands = [texts[k][:pos] + ch + texts[k][pos + 1 :] for ch in chars]
            scores = engine.score_readings(crop, cands)
            if scores is None or len(scores) < 2:
                return None
            order = np.argsort(scores)[::-1]
            if not np.isfinite(scores[order[0]]) or scores[order[0]] - scores[order[1]] < VILLAGE_DECODE_MARGIN:
                return None
            texts[k] = cands[int(order[0])]
        changed = True
    if not changed:
        return None
    read = "".join("".join(t.split()) for t in lines)
    own = [engine.score_readings(crop, ["".join(t.split())]) for crop, t in zip(crops, lines)]
    new = [engine.score_readings(crop, [t]) for crop, t in zip(crops, texts)]
    if any(x is None for x in own + new):
        return None
    score_own = float(sum(x[0] for x in own if x is not None))
    score_new = float(sum(x[0] for x in new if x is not None))
    if not (np.isfinite(score_own) and np.isfinite(score_new)):  # JSON (the store) has no infinity
        return None
    return (("".join(texts), score_new), (read, score_own))


PHONE_RIVALS_KEPT = 3
"""How many of a phone reading's likeliest one-confusion rivals a cell keeps (phone_rivals): mapping doubts
the number where one of them is a number of the plan close to the reading (mapping.phonefix.rival_number)."""


def phone_rivals(engine: OcrEngine, crop: np.ndarray, reading: str) -> tuple[tuple[str, float], ...] | None:
    """A phone cell's first reading and the PHONE_RIVALS_KEPT texts one recognizer digit confusion from it
    (mapping.phonefix.confusion_texts) likeliest on its crop, each with the recognizer's CTC log-probability
    there (ocr score_readings), the reading first; None where there is no such text or the engine cannot
    score. A blurred photograph's digit misread as another (6 read 0, 9 read 0) is read alike from any crop
    of the same ink (s32-phonevote, s40-phone), so no second crop doubts it; the recognizer's own
    probabilities of the written digit, close behind, may."""
    texts = confusion_texts(reading.strip())
    if not texts:
        return None
    scores = engine.score_readings(crop, [reading.strip()] + texts)
    if scores is None or len(scores) != len(texts) + 1 or not np.isfinite(scores[0]):
        return None
    ranked = sorted(zip(scores[1:], texts), reverse=True)[:PHONE_RIVALS_KEPT]
    return ((reading.strip(), float(scores[0])),) + tuple((t, float(x)) for x, t in ranked if np.isfinite(x))


def read_cells(
    gray: np.ndarray,
    grid: Grid,
    engine: OcrEngine,
    cells: list[tuple[int, int]],
    stretch_cols: AbstractSet[int] = frozenset(),
    stats: OcrStats | None = None,
    second_below: float | None = None,
    decode: Mapping[int, Decoding] | None = None,
    same_glyphs: Mapping[int, Sequence[str]] | None = None,
    names: Mapping[int, str] | None = None,
    photo: bool = False,
    enlarged: float = 1.0,
    bilevel: bool = False,
    addresses: AbstractSet[int] = frozenset(),
    villages: Spec | None = None,
    phones: AbstractSet[int] = frozenset(),
) -> dict[tuple[int, int], RawCell]:
    """Recognition on each given cell's own crop, one crop per text line, in one batch: text can
    never be put in the wrong cell, and nothing leaks across a ruling line. Blank cells are
    returned with confidence 1; a cell with ink that reads as nothing gets 0.3.

    `second_below`: every text line read less sure than this is read again from a crop prepared
    otherwise (ocr.agreement.second_crop), in a second batch; the cell keeps both readings
    (`second`, `second_confidence`) and mapping decides with ocr.agreement.resolve.

    `decode`: column -> its Decoding. A one-line cell of such a column whose readings are all
    invalid gets as its second reading the valid text the recognizer itself finds likeliest in the
    crop (decode_valid; `decoded` set), so an ID read with a digit dropped or misread, or a sea area
    read off the list, is put right by the recognizer's own probabilities, not by a guess. Stray
    lines beside the value (main_line) are left out of the decoded text.

    `names`: column -> the alphabet of a name column. A one-line cell of such a column read twice
    (its first reading below `second_below`) keeps the texts the recognizer may have seen in it
    (name_alternatives), for mapping to weigh by how often real names use their characters. On a page
    not processed as a photograph nor scanned in 1-bit (`bilevel`), the lines of such a column are read
    lightened and deblurred (prepare_scanned_name), and those of the `addresses` columns lightened
    (lighten_scan_line).

    `photo`: the page is a photograph or an enlarged capture: grainy cells are read denoised (line_crops);
    `enlarged`: how much the cleanup enlarged it: its lines are read at the frame's own resolution (line_crops).

    `addresses`: the columns holding an address; on a grey scan their lines are read lightened
    (lighten_scan_line), on a page scanned in 1-bit (`bilevel`) softened (soften_bilevel_line). With
    `villages` (the spec whose official village list is used), a grey scan's address line naming a village
    with a character no listed village is written with keeps the text the recognizer finds likeliest with
    list characters there (village_alternative), as the cell's alternatives, for mapping to propose.

    `phones`: the phone columns. On a photograph (`photo`) a one-line cell of one keeps, as its alternatives,
    its first reading and the texts one recognizer digit confusion from it that the recognizer scores likeliest
    on the crop (phone_rivals), for mapping to doubt a number a rival of the plan comes close to
    (mapping.phonefix.rival_number). A scan's phones are not scored: on clean grey design scans no phone has
    such a rival, on carbon copies (c51, c91) one sure wrong phone was doubted for one sure right one, a record
    fewer auto-accepted, at about 2 s a page (bench/phone_rivals.py --scans)."""
    crops, owners, faint = line_crops(gray, grid, cells, stretch_cols, photo, enlarged)
    # lines prepared for the recognizer by the field they hold and the capture: a grey scan's names lightened and
    # deblurred (prepare_scanned_name) and its addresses lightened (lighten_scan_line); a low-resolution
    # photograph's names with their mid-greys lightened (lighten_midtones); a 1-bit scan's addresses softened
    # (soften_bilevel_line); the rest as cut
    grey_scan = not photo and not bilevel
    name_prep = prepare_scanned_name if grey_scan else lighten_midtones if photo and enlarged > 1.0 else None
    address_prep = lighten_scan_line if grey_scan else soften_bilevel_line if bilevel else None
    prep: dict[int, Callable[[np.ndarray], np.ndarray]] = {}
    if name_prep is not None:
        prep |= dict.fromkeys(names or {}, name_prep)
    if address_prep is not None:
        prep |= dict.fromkeys(addresses, address_prep)
    if prep:
        crops = [prep[c](crop) if c in prep else crop for crop, (_r, c) in zip(crops, owners)]
    out: dict[tuple[int, int], RawCell] = {
        (r, c): RawCell("", FAINT_BLANK if (r, c) in faint else 1.0, grid.cell_box(r, c)) for r, c in cells
    }
    t0 = time.perf_counter()
    pieces = engine.recognize_crops(crops) if crops else []
    if same_glyphs:
        pieces = [count_same_glyphs(engine, crops[i], p, same_glyphs.get(owners[i][1], ())) for i, p in enumerate(pieces)]
    if stats is not None:
        stats.crops += len(crops)
        stats.first_seconds += time.perf_counter() - t0
    seconds: dict[int, OcrPiece] = {}
    if second_below is not None:
        again = [i for i, p in enumerate(pieces) if p.text.strip() and p.confidence < second_below]
        t0 = time.perf_counter()
        if again:
            redone = [second_crop(crops[i], owners[i][1] in stretch_cols) for i in again]
            redo = engine.recognize_crops(redone)
            if same_glyphs:
                redo = [
                    count_same_glyphs(engine, crop, p, same_glyphs.get(owners[i][1], ()))
                    for i, crop, p in zip(again, redone, redo)
                ]
            seconds = dict(zip(again, redo))
        if stats is not None:
            stats.second_crops += len(again)
            stats.second_seconds += time.perf_counter() - t0
    texts: dict[tuple[int, int], list[int]] = {}
    for i, owner in enumerate(owners):
        texts.setdefault(owner, []).append(i)
    for (r, c), idx in texts.items():  # pieces of a cell are in line order already (one per band)
        box = grid.cell_box(r, c)
        first = cell_from_pieces([pieces[i] for i in idx], box, 0.3)
        other = cell_from_pieces([seconds.get(i, pieces[i]) for i in idx], box, 0.3) if any(i in seconds for i in idx) else None
        decoded = False
        kept: tuple[tuple[str, float], ...] | None = None
        line = decode[c].line([pieces[i].text for i in idx]) if decode and c in decode and first.text else None
        if line is not None:
            assert decode is not None  # a line is found only through decode
            d, i = decode[c], idx[line]
            if (
                len(idx) > 1
                and d.valid is not None
                and d.valid([pieces[i].text])
                and not d.valid([first.text])
                and (other is None or not d.valid([other.text]))
            ):
                # the value's own line is valid as it stands: what made the cell invalid is the
                # stray ink beside it (370686192807061337 / Ta, a stamp's edge under the last digits)
                p = pieces[i]
                other, decoded = RawCell(p.text, p.confidence, box, chars=p.chars), True
            elif d.invalid(first.text) and (
                other is None or d.invalid(other.text) or (d.takes is not None and not d.takes(other.text))
            ):  # nor is the other one valid
                t0 = time.perf_counter()
                reading = pieces[i].text
                texts_near = d.texts(engine, crops[i], reading)
                scores = score_candidates(engine, crops[i], reading, texts_near)
                found = None if scores is None else choose_scored(reading, texts_near, scores, d.max_drop, d.value)
                if stats is not None:
                    stats.decoded += 1
                    stats.second_seconds += time.perf_counter() - t0
                if found is not None:
                    other, decoded = RawCell(found[0], found[1], box), True
                elif scores is not None and (d.keep_scores or (photo and d.photo_scores)):
                    kept = scored_alternatives(reading, texts_near, scores, d.max_drop)
                if found is None and d.keep_scores and d.reread:
                    # no valid text stands out on this crop: the cell is read again from other crops
                    t0 = time.perf_counter()
                    got = [scores[0]] if scores is not None else engine.score_readings(crops[i], [reading])
                    own = got[0] if got else None
                    if own is not None and np.isfinite(own):
                        inner = cell_inner(gray, box)
                        sigma = paper_noise(inner) if photo else 0.0
                        variants = reread_variants(denoise_grain(inner, sigma), crops[i], c in stretch_cols, len(idx))
                        kept = reread_alternatives(engine, variants, d, reading, float(own), kept or ()) or None
                    if stats is not None:
                        stats.reread += 1
                        stats.reread_seconds += time.perf_counter() - t0
        alternatives = kept or None
        if photo and line is not None and not decoded and alternatives is None and len(idx) == 1:
            assert decode is not None  # a line is found only through decode
            d = decode[c]
            if d.photo_rivals and not d.invalid(first.text):
                t0 = time.perf_counter()
                alternatives = number_rivals(engine, crops[idx[0]], pieces[idx[0]].text, d.photo_rivals)
                if stats is not None:
                    stats.second_seconds += time.perf_counter() - t0
        if names and c in names and len(idx) == 1 and idx[0] in seconds:
            t0 = time.perf_counter()
            alternatives = name_alternatives(engine, crops[idx[0]], [pieces[idx[0]].text, seconds[idx[0]].text], names[c])
            if stats is not None:
                stats.names_searched += 1
                stats.second_seconds += time.perf_counter() - t0
        if photo and c in phones and len(idx) == 1 and first.text and alternatives is None:
            t0 = time.perf_counter()
            alternatives = phone_rivals(engine, crops[idx[0]], pieces[idx[0]].text)
            if stats is not None:
                stats.second_seconds += time.perf_counter() - t0
        if villages is not None and grey_scan and c in addresses and first.text and alternatives is None:
            t0 = time.perf_counter()
            alternatives = village_alternative(engine, [crops[i] for i in idx], [pieces[i].text for i in idx], villages)
            if stats is not None:
                stats.second_seconds += time.perf_counter() - t0
        out[(r, c)] = RawCell(
            first.text,
            first.confidence,
            box,
            None,
            other.text if other else None,
            other.confidence if other else None,
            ink_extent(cell_inner(gray, box)),
            first.chars,
            other.chars if other else None,
            decoded=decoded,
            alternatives=alternatives,
        )
    return out


def read_table_page(gray: np.ndarray, grid: Grid, pieces: list[OcrPiece], engine: OcrEngine) -> list[list[RawCell]]:
    """Whole-page detection + recognition, pieces put in cells; crossing pieces re-read per cell."""
    a = assign_pieces(pieces, grid)
    return [
        [read_cell(gray, grid, r, c, a.cells.get((r, c), []), (r, c) in a.straddling, engine) for c in range(grid.n_cols)]
        for r in range(grid.n_rows)
    ]


def read_title(gray: np.ndarray, grid: Grid, engine: OcrEngine) -> str:
    """Text above the table (title, volume, page number), read by detection on that strip only.

    Where the detector finds no text on the strip but the strip holds ink (its darkest 1 % of pixels
    INK_CONTRAST or more under its paper), the strip is read once more with that ink made dark
    (layout.stretch_faint: the darkest 1 % to black, the paper kept white). A property of the
    recognizer and of imaging, not of any page: the text detector (PP-OCR's DBNet) keeps a region only
    where its probability map passes fixed thresholds (0.3 per pixel, 0.5 per box), and light grey print
    falls near them, so that the numeric precision the network runs at decides (OpenVINO runs bf16 where
    the CPU has it, f32 elsewhere); and a photograph's ink is left light on purpose
    (cleanup.normalize_illumination(photograph=True), PHOTO_INK_LEVEL: stretching it to black thickens
    small characters into blobs). Design family camera_capture seed 4401, 01_cremation_longkou_2011 page 3
    (a page small in the frame, its title print grey at about 180 on paper at 248): at bf16 nothing was
    detected, the header alone named no ledger kind and the page gave nothing (unknown_ledger); stretched,
    the title reads 龙口市殡仪馆火化登记簿（2011年） at both precisions. Only a strip that gave nothing is
    read again, so every title read before is read as it was."""
    top = grid.rows[0]
    if top < 20:
        return ""
    strip = gray[: max(0, top - 2)]
    pieces = engine.recognize(strip)
    if not pieces and strip.size and float(np.median(strip)) - float(np.percentile(strip, 1)) >= INK_CONTRAST:
        pieces = engine.recognize(stretch_faint(strip))
    return " ".join(p.text for p in reading_order(pieces))


def read_header(gray: np.ndarray, grid: Grid, engine: OcrEngine, sp: Spec, photo: bool = False) -> dict[tuple[int, int], RawCell]:
    """The header row's cells (row 0), read as they are; on a photographed page (`photo`) each header
    cell of grainy paper (pipeline.page.layout.paper_noise at least GRAINY_PAPER) is read a second time
    denoised (line_crops' photo path, pipeline.page.layout.denoise_grain), and the reading that names a
    column better (mapping.headers.header_naming: the spec's wordings of every kind, the score
    map_columns pairs by) is kept; a tie keeps the first. A property of imaging and of the recognizer:
    the grain that denoising takes out of a name cell (GRAIN_DENOISE) is in the header's paper too, but
    a header is bold print, whose thick strokes denoising sometimes thins or merges (性别 read 性钢 as
    it is, 性制 denoised), so neither reading is better on every cell; what the header must do is name
    a field, and the spec says which reading does. Measured on the design photo stores (camera_capture
    seeds 4405 and 4406, 337 + 358 header cells of the stored grids): header cells read as printed
    314 + 299 as they are, 315 + 305 denoised, 320 + 310 keeping the better-naming reading; headers
    whose map_columns field is the column's true one 319 + 326, 319 + 327, 321 + 332; none given a
    wrong field by any of the three (a third and fourth reading, scaled up or contrast-stretched, made
    one wrong field each: not used). A scan's header is read once, as before."""
    cells = [(0, c) for c in range(grid.n_cols)]
    head = read_cells(gray, grid, engine, cells)
    if not photo:
        return head
    grainy = [(r, c) for r, c in cells if paper_noise(cell_inner(gray, grid.cell_box(r, c))) >= GRAINY_PAPER]
    if not grainy:
        return head
    again = read_cells(gray, grid, engine, grainy, photo=True)
    for cell in grainy:
        first, other = head[cell], again[cell]
        if other.text != first.text and header_naming(other.text, sp) > header_naming(first.text, sp):
            head[cell] = other
    return head


GRID_DOUBTS = {
    "text": "no ruling lines were found: its rows and columns were read from the alignment of its text; check every value against the scan",
    "ruling+text": "some of its ruling lines are missing: the others were placed by the alignment of its text; check every value against the scan",
    "ruling by column": (
        "its row lines do not run level across the table: each column's rows were followed on their own; check every value against the scan"
    ),
    "faint ruling": (
        "its ruling lines are very faint: they were found only at a contrast below that of ink; check every value against the scan"
    ),
}
"""Why a page whose grid was not read from ruling lines alone is in doubt (pipeline.page.layout.grid_from_text)."""


BEYOND_BOX = (
    "some of its columns lie beyond the table's outline the cleanup found (its row lines broken there): they were "
    "found where the row lines run on; check every value against the scan"
)
"""Why a page whose grid took columns beyond the cleanup's table box (layout.columns_beyond_box, Grid.box_cols)
is in doubt: the columns were told apart from the box by ruling a photograph broke."""

KIND_FROM_VOLUME = (
    "its header was misread as no register's: the register kind is the one its volume's other pages are ({kind}); "
    "check every value against the scan"
)
"""Why a page whose header named no ledger kind, read unsure, is read as its volume's kind (VolumeKind):
every field of it is in doubt, since nothing on the page itself named its kind."""


@dataclass(frozen=True)
class VolumeKind:
    """The one ledger kind the read pages of a page's volume are (volume_kind), and their printed forms (each
    column's width as a share of the table's: _form_widths). A page whose header, read unsure, names no kind
    is read as this kind where its grid is of one of these forms (fits). Source: a property of printed
    registers (one form per book, ruled once) and of imaging (a photograph's header misread: grainy, shaded
    or blurred words), the evidence kept_unread and agree_volume take from a volume."""

    kind: str
    forms: tuple[tuple[float, ...], ...]
    pages: int

    def fits(self, grid: Grid) -> bool:
        """Whether `grid`'s columns are those of one of the volume's forms (mapping.headers.same_form), or of
        one with a column line lost on either page (one_line_apart)."""
        widths = _form_widths({"grid": grid.to_dict()})
        return widths is not None and any(
            same_form(self.kind, widths, self.kind, f) or one_line_apart(widths, f) or one_line_apart(f, widths)
            for f in self.forms
        )


def one_line_apart(fewer: Sequence[float], more: Sequence[float]) -> bool:
    """Whether the form of column widths `more` (shares of the table's width) is `fewer` with one more column
    line: two neighbouring columns of `more` summed give `fewer` (mapping.headers.same_form's VOLUME_WIDTHS).
    A ruling line lost on one page of a book (faint, broken on a photograph) leaves it a column short of its
    siblings, its other columns as printed (mapping.headers._joined_as: design phone copy ph3803 of d3316 county
    04, p1 read with the sex | ID line lost, p3 whole). Source: a property of printed registers (one form per
    book, ruled once) and of imaging (a line lost)."""
    if len(more) != len(fewer) + 1 or len(fewer) < 2:
        return False
    for k in range(len(fewer)):
        joined = (*more[:k], more[k] + more[k + 1], *more[k + 2 :])
        if all(abs(a - b) <= VOLUME_WIDTHS for a, b in zip(joined, fewer)):
            return True
    return False


@dataclass
class ReadOptions:
    """How the cells of each printed column are recognized, by the field it holds (read_cells)."""

    stretch: set[int]
    decode: dict[int, Decoding]
    same: dict[int, tuple[str, ...]]
    names: dict[int, str]
    decoded_as: dict[int, str]  # column -> the field whose Decoding it has
    addresses: set[int] = field(default_factory=set)  # address columns (a grey scan's lightened, a 1-bit page's softened)
    phones: set[int] = field(default_factory=set)  # phone columns (a photograph's readings scored against their rivals)

    def of(self, c: int) -> tuple:
        """What reading column c involves: equal for two columns read the same way."""
        return (
            c in self.stretch,
            self.decoded_as.get(c),
            self.same.get(c),
            c in self.names,
            c in self.addresses,
            c in self.phones,
        )

    def rereads(self, before: ReadOptions, c: int, cell: RawCell) -> bool:
        """Whether a cell of column c read as `before` reads it must be read again as these options read it
        (extract_page: a column its content gives another field). Where the two read the column alike but for a
        decoding these add (an age or count column told by its cells: only number_decoders' decoding differs),
        reading it again gives the same crops, the same readings, and differs only where read_cells decodes:
        a written cell whose readings are all invalid for the new decoding (or any written cell of a decoding
        that looks at the lines beside the value, `stray_lines`). Only those are read again (s40, design phone copy
        ph3803, 4 pages: 30 of the 150 cells of columns told by content not read again, the age columns' cells of a
        value or blank; a date's or certificate number's column is read otherwise, `same`/`stretch`: whole)."""
        mine, theirs = self.of(c), before.of(c)
        if mine == theirs:
            return False
        if theirs[1] is not None or mine[:1] + mine[2:] != theirs[:1] + theirs[2:]:
            return True
        d = self.decode[c]
        if not cell.text or d.stray_lines:
            return bool(cell.text)
        return d.invalid(cell.text) and (
            cell.second is None or d.invalid(cell.second) or (d.takes is not None and not d.takes(cell.second))
        )


def read_options(kind: str, columns: Sequence[str | None], sp: Spec) -> ReadOptions:
    decoders = column_decoders(sp)
    normalizers = {f.name: f.normalizer for f in sp.kind(kind).fields}
    return ReadOptions(
        stretch={c for c, f in enumerate(columns) if f in STRETCH_FIELDS},
        decode={c: decoders[f] for c, f in enumerate(columns) if f in decoders},
        same={
            c: SAME_MEANING[normalizers[f]] for c, f in enumerate(columns) if f in normalizers and normalizers[f] in SAME_MEANING
        },
        names={c: name_alphabet() for c, f in enumerate(columns) if f in normalizers and normalizers[f] == "name"},
        decoded_as={c: f for c, f in enumerate(columns) if f in decoders},
        addresses={c for c, f in enumerate(columns) if f in normalizers and normalizers[f] == "address"},
        phones={c for c, f in enumerate(columns) if f in normalizers and normalizers[f] == "phone"},
    )


def split_merged_columns(
    gray: np.ndarray,
    grid: Grid,
    engine: OcrEngine,
    kind: str,
    header: list[str],
    head: dict[tuple[int, int], RawCell],
    structure: Structure,
    sp: Spec,
    seals: np.ndarray | None = None,
) -> Grid:
    """A header cell that reads as two fields' headers (mapping.headers.merged_header: 序号火化证号; or a
    field's wording with the serial's beside it, mapping.headers.serial_beside: 编号登记号) is
    a ruling line missing between two columns: the column is split at the gap its text leaves
    (pipeline.page.layout.column_gap, a seal's ink left out: `seals`, CleanPage.seals) and the two new
    header cells read; where its text leaves no gap, the column is doubted as a whole. A header that reads
    as a field's wording beside other words only (mapping.headers.wording_beside: 数火化证号, 申请人撒海日期)
    is split alike where its rows' text leaves a gap at the cut, and left whole otherwise; so is a header
    read as two headers both misread (mapping.headers.misread_merged_header: 大化证编号航次, small glyphs of a
    photograph), and the two columns split from it are doubted (SPLIT_MISREAD_DOUBT: weaker evidence). Left
    whole, such a column is doubted by its assignment (TWO_HEADERS_MISREAD_DOUBT). `header` and `head` are
    updated in place."""
    for c in range(len(header) - 1, -1, -1):
        merged = merged_header(kind, header[c], sp) or serial_beside(kind, header[c], sp)
        beside = wording_beside(kind, header[c], sp) if merged is None else None
        misread = misread_merged_header(kind, header[c], sp) if merged is None and beside is None else None
        found = merged or beside or misread
        if found is None:
            continue
        cut, first, second = found
        x = column_gap(gray, grid, c, near=cut / max(1, len(clean_header(header[c]))), seals=seals)
        if x is None:
            if merged is not None:  # two fields' headers read whole: the column is doubted as a whole
                structure.doubt_column(c, merged_unsplit_doubt(merged[1], merged[2]))
            continue  # a wording beside other words and no gap in the rows' text: one column as printed
        grid = with_column(grid, x)
        got = read_cells(gray, grid, engine, [(0, c), (0, c + 1)])
        header[c : c + 1] = [got[(0, c)].text, got[(0, c + 1)].text]
        _shift_split_column(c, got, head, structure)
        if misread is not None:
            for cc in (c, c + 1):
                structure.doubt_column(cc, SPLIT_MISREAD_DOUBT.format(first=misread[1], second=misread[2]))
    return grid


def _shift_split_column(
    c: int, got: Mapping[tuple[int, int], RawCell], head: dict[tuple[int, int], RawCell], structure: Structure
) -> None:
    """Column `c` split in two (split_merged_columns, split_unidentified_columns): the header cells
    (`head`) of the columns after it move one on and the two new ones come from `got`; so do the
    structure's column doubts."""
    moved = {(r, cc + 1 if cc > c else cc): cell for (r, cc), cell in head.items() if cc != c}
    moved[(0, c)], moved[(0, c + 1)] = got[(0, c)], got[(0, c + 1)]
    head.clear()
    head.update(moved)
    shifted = {(i + 1 if i > c else i): v for i, v in structure.columns.items()}
    structure.columns.clear()
    structure.columns.update(shifted)


def merged_unsplit_doubt(first: str, second: str) -> str:
    """The doubt of a column whose header reads as the headers of `first` and `second` and which was not
    split (split_merged_columns: no gap in its rows' text; assign_texts: a header stored whole)."""
    return f"{MERGED_HEADER_DOUBT} ({first}, {second}): a ruling line is missing and its values could not be split"


def split_unidentified_columns(
    gray: np.ndarray,
    grid: Grid,
    kind: str,
    header: list[str],
    head: dict[tuple[int, int], RawCell],
    table: list[list[RawCell]],
    structure: Structure,
    sp: Spec,
    read: Callable[[Grid, list[tuple[int, int]], list[str | None]], dict[tuple[int, int], RawCell]],
    seals: np.ndarray | None = None,
) -> Grid:
    """A column its header and cells give no field (or whose cells mostly do not fit the field they give
    it: CONTENT_FAILS) whose rows' text leaves a clean gap (pipeline.page.layout.column_gap: crossed by
    at most SPLIT_CROSSING of its written rows, text on both sides in most of them) is tried as two
    columns: the grid is split at the gap, the two header cells and the two halves' cells read (`read`:
    grid, cells, the columns' fields by header), and every column judged again by header and cells
    (mapping.headers.assign_columns). The split is kept only where at least one half is then given a
    field (_split_fields: the assignment's, or one its cells fit or its header names) and each half given
    one scores above what the whole scored for it, and no other column's field changes (a column of no
    field may be given one: the agent's names told by elimination once the deceased's have a column); a half given none
    stays a column no field fits (its writing was lost with the whole before: nothing of it is accepted),
    while the other half's field is no longer lost. The two columns split off are doubted
    (SPLIT_GAP_DOUBT: no header read said two columns were there), so their fields go to review.
    Rule source: the form of a register, whose columns are separated by ruling lines: one printed column
    holds one value per row, so writing that leaves a gap down every written row of a cell is two
    columns' writing whose ruling line was lost (faded, not printed, not found), which
    split_merged_columns reads from the header only when the header itself is read as two. Each half
    of a split kept is tried again: where two lines were lost, three printed columns stand in one
    (年龄 | 逝者姓名 | 性别 under one header cell read 年龄 名 调: design phone copy ph3801 of d3316,
    03_cremation_longkou_2015 page 2), and the first cut leaves one half holding two. A gap that one
    word of the column's header stands across is not tried (column_gap's header_word,
    layout.SPLIT_HEADER_WORD: one header word per column; a 1-bit threshold's gap inside a date). `header`,
    `head` and `table` (header row and data rows) are updated in place."""
    rows = list(enumerate(table[1:], start=1))
    assigned = assign_columns(kind, header, _column_texts(header, rows, structure), sp)
    todo = list(range(len(header)))  # popped from the right; a split pushes its two halves back
    while todo:
        c = todo.pop()
        whole = assigned[c]
        if whole.field is not None and (whole.score is None or whole.score.fits is None or whole.score.fits >= CONTENT_FAILS):
            continue
        x = column_gap(gray, grid, c, seals=seals, header_word=True)
        if x is None:
            continue
        trial = with_column(grid, x)
        t_header = header[:c] + ["", ""] + header[c + 1 :]
        got = read(trial, [(0, c), (0, c + 1)], [None, None])
        t_header[c], t_header[c + 1] = got[(0, c)].text, got[(0, c + 1)].text
        fields = [m.field for m in map_columns(kind, t_header, sp)]
        body = read(trial, [(r, cc) for r in range(1, trial.n_rows) for cc in (c, c + 1)], fields)
        t_table = [
            row[:c] + [body.get((r, c), row[c]), body.get((r, c + 1), row[c])] + row[c + 1 :] for r, row in enumerate(table)
        ]
        t_table[0][c], t_table[0][c + 1] = got[(0, c)], got[(0, c + 1)]
        t_texts = _column_texts(t_header, list(enumerate(t_table[1:], start=1)), structure)
        t_assigned = assign_columns(kind, t_header, t_texts, sp)
        t_scores = column_scores(kind, t_header, t_texts, sp)
        whole_scores = column_scores(kind, header, _column_texts(header, rows, structure), sp)
        got_fields = _split_fields(c, [a.field for a in t_assigned], t_scores)
        if got_fields is None or any(
            f is not None and t_scores[(c + i, f)].total <= whole_scores[(c, f)].total for i, f in enumerate(got_fields)
        ):
            continue
        others = [a.field for i, a in enumerate(assigned) if i != c]
        t_others = [a.field for i, a in enumerate(t_assigned) if i not in (c, c + 1)]
        if any(was is not None and was != now for was, now in zip(others, t_others)):
            continue  # another column's field taken or changed; one of none given one is no loss
        grid = trial
        header[:] = t_header
        table[:] = t_table
        _shift_split_column(c, got, head, structure)
        cells = {(r, cc + 1 if cc > c else cc): v for (r, cc), v in structure.cells.items()}
        cells.update({(r, c + 1): v for (r, cc), v in structure.cells.items() if cc == c})
        structure.cells.clear()
        structure.cells.update(cells)
        for cc in (c, c + 1):
            structure.doubt_column(cc, SPLIT_GAP_DOUBT)
        assigned = t_assigned
        rows = list(enumerate(table[1:], start=1))
        todo += [c, c + 1]  # a half may still hold two printed columns (three under one cell: two lines lost)
    return grid


def _split_fields(
    c: int, fields: Sequence[str | None], scores: Mapping[tuple[int, str], ColumnScore]
) -> tuple[str | None, str | None] | None:
    """The fields of the two columns c and c + 1 split by split_unidentified_columns, each the one
    assign_columns gave it where its cells do not mostly fail it, else the field no other column holds
    that it fits best by its cells (at least CONTENT_FAILS of them, the recognizer's look-alikes taken:
    ColumnScore.content, the share column_scores judges a column by) or that its header names
    (HEADER_NAMES_IN_DOUBT), else None (a half no field fits: faint or misread writing, as the whole
    was); None where neither half has one, or both the same."""
    held = {f for i, f in enumerate(fields) if f is not None and i not in (c, c + 1)}
    out: list[str | None] = []
    for cc in (c, c + 1):
        own = fields[cc] if cc < len(fields) else None
        sc = scores.get((cc, own)) if own is not None else None
        if own is not None and sc is not None and (sc.fits is None or sc.fits >= CONTENT_FAILS):
            out.append(own)
            continue
        fits = [
            (v.total, f)
            for (i, f), v in scores.items()
            if i == cc
            and f != "row_no"
            and f not in held
            and f not in out
            and ((v.content is not None and v.content >= CONTENT_FAILS) or v.header >= HEADER_NAMES_IN_DOUBT)
        ]
        out.append(max(fits)[1] if fits else None)
    if out[0] == out[1]:  # both None, or the same field twice
        return None
    return out[0], out[1]


SPLIT_GAP_DOUBT = "split from a column its header and cells did not identify, at a gap its writing leaves down every row: a ruling line was lost"
"""Why the two columns split from one by split_unidentified_columns are doubted: no header read named two
columns, the split rests on the gap in the writing and on the halves' cells alone, so their fields go to
review. Not an assignment's doubt: a re-map keeps it."""


SPLIT_MISREAD_DOUBT = "split from a column whose header read as two misread headers ({first}, {second}) at a gap in its text"
"""Why the two columns split from one whose header read as two headers both misread are doubted
(split_merged_columns, mapping.headers.misread_merged_header): the split rests on weaker evidence than a
header read whole, so their fields go to review. Not an assignment's doubt: a re-map keeps it."""


MERGED_CELLS_DOUBT = "its cells read as two columns' values side by side ({share:.0%}): a ruling line is missing"
"""Why a column whose cells hold two fields' values is doubted (mapping.headers.merged_cell_share)."""
JOINED_HEADER_DOUBT = "its header reads as two columns' headers ({first}, {second}, the second misread): a ruling line is missing"
"""Why a column under a header cell holding a second, misread header is doubted (mapping.headers.joined_header)."""
TWO_HEADERS_MISREAD_DOUBT = (
    "its header reads as two columns' headers, both misread ({first}, {second}): a ruling line may be missing"
)
"""Why a column under a header cell read as two misread headers is doubted (mapping.headers.
misread_merged_header, weaker evidence than merged_header's): its values are split for review only
(_merged_halves, SPLIT_VALUE_CERTAINTY) and its page is held (MERGED_CELLS_HIDDEN)."""
VOLUME_JOINED_DOUBT = (
    "its cells hold two printed columns as its volume's other pages print them ({first}, {second}): a ruling line is lost"
)
"""Why a column its volume tells holds two printed columns is doubted (mapping.headers.joined_in_volume,
take_joined): its values are split for review only (_merged_halves) and its page is held."""
MERGED_CELLS_HIDDEN = "column {column} holds the values of two printed columns"
"""Why a page with such a column may hold a printed column no column read stands for (Structure.hidden)."""
READ_TWICE_DOUBT = "its cells repeat those of column {other} ({share:.0%} of the rows): one printed column read twice"
"""Why each of two columns whose cells repeat each other is doubted (mapping.headers.read_twice)."""
READ_TWICE_HIDDEN = "column {first} and column {second} hold the same writing: another printed column may not have been read"
"""Why such a page may hold a printed column no column read stands for (Structure.hidden)."""

PAGE_ASSIGNMENT_DOUBT = "the column of {field} could not be identified with confidence ({why})"
"""Why a page is doubted whose mandatory field's column is in doubt (assign_by_content)."""
PAGE_ASSIGNMENT_HEAD = PAGE_ASSIGNMENT_DOUBT.split("{", 1)[0]
"""How every PAGE_ASSIGNMENT_DOUBT begins, whatever its field and why (reassign_columns, rows_in_doubt)."""


def assign_by_content(
    kind: str,
    header: list[str],
    table: list[list[RawCell]],
    structure: Structure,
    sp: Spec,
    ruled: AbstractSet[int] = frozenset(),
    decoded: Mapping[int, Mapping[str, Decoded]] | None = None,
) -> list[str | None]:
    """Each printed column's field by its header and its cells together (mapping.headers.assign_columns);
    a column whose field is a near guess, or whose cells mostly do not fit it, is doubted; where a
    mandatory field's column is doubted the page is doubted too (its columns could not all be assigned
    with confidence: PAGE_ASSIGNMENT_DOUBT). `table`: the header row and the data rows; `ruled`: ruled_cols;
    `decoded`: decoded_code_shares of the columns left without a field."""
    rows = list(enumerate(table[1:], start=1))
    return assign_texts(kind, header, _column_texts(header, rows, structure), structure, sp, ruled, decoded)


def _column_texts(header: Sequence[str], rows: Sequence[tuple[int, Sequence[RawCell]]], structure: Structure) -> list[list[str]]:
    """Per printed column, its cells' texts as evidence of what it holds (_telling), a cell a seal covers
    (Structure.cells: UNDER_SEAL, doubt_sealed_cells) left out as "": a seal is stamped over the filled
    table, so what is read under it is the seal's text (殡 / 火 / 专用章) or ring, no writing of the
    column; it counts neither for nor against the column's field, as a mark does. The cell's value is
    read and doubted as before. Rule source: office practice and imaging (a seal is stamped last, over
    lines and cells). A mark is left out only in a row otherwise unused (no more than SPARSE_ROW_CELLS
    cells of writing, marks aside: _unused_row); in a row of writing, a short value read unsure (子, 男,
    an age) is the column's writing read badly, and stays evidence. `rows`: (data row, its cells)."""
    unused = {n for n, cells in rows if _unused_row(cells)}
    return [
        [
            ""
            if UNDER_SEAL in structure.cells.get((n, c), ())
            else (_telling(cells[c]) if n in unused else cells[c].text)
            if c < len(cells)
            else ""
            for n, cells in rows
        ]
        for c in range(len(header))
    ]


def _unused_row(cells: Sequence[RawCell]) -> bool:
    """A ruled row no person's particulars were written in: at most SPARSE_ROW_CELLS of its cells hold a
    reading that is more than a mark (noise_reading)."""
    return writing_cells(cells) <= SPARSE_ROW_CELLS


def _telling(cell: RawCell | None) -> str:
    """A cell's text as evidence of what its column holds, in a row otherwise unused (_column_texts):
    none where the reading is only a mark (noise_reading: one to three glyphs read less sure than
    NOISE_CERTAINTY, a speck, a stamp's or a ruling line's remains in an unused row). Such a reading is no writing, so it counts neither for
    nor against the column's field (a column of names whose empty rows read 'à' and '月龍' at 0.1 is
    no less a column of names). The cell's value is read and judged as before. Rule source: the
    recognizer's readings of marks that are no writing (NOISE_CHARS, NOISE_CERTAINTY)."""
    if cell is None:
        return ""
    return "" if (cell.text or "").strip() and noise_reading(cell) else cell.text


SEEN_RULING = ("ruling", "ruling by column", "faint ruling")
"""Grid sources whose vertical lines were seen in the page's ruling, but for those Grid.inferred_cols and
Grid.edge_cols name ("text" and "ruling+text" keep no record of which vertical lines were seen)."""


def ruled_cols(grid: Mapping[str, Any] | None) -> frozenset[int]:
    """Indices of a stored grid's (Grid.to_dict) vertical lines seen in the page's ruling, not inferred
    from its text (SEEN_RULING); none where the grid is unknown."""
    if not grid or str(grid.get("source", "ruling")) not in SEEN_RULING:
        return frozenset()
    put = set(grid.get("inferred_cols", ())) | set(grid.get("edge_cols", ()))
    return frozenset(i for i in range(len(grid.get("cols", ()))) if i not in put)


def two_printed_columns(
    texts: list[list[str]], pair: tuple[int, int], fields: Sequence[str | None], ruled: AbstractSet[int]
) -> bool:
    """Whether two grid columns whose cells repeat each other (read_twice) are two printed columns that
    hold equal values, not one printed column read twice: every vertical line between them was seen in
    the page's ruling (`ruled`: ruled_cols, none inferred from the text), a column of writing of its own
    lies between them (mapping.headers.parted_by_own_column: no writing runs from one into the other),
    and they were given two different fields, neither in doubt (`fields`: each column's field, None where
    none or in doubt: mapping.headers.assign_columns). Rule source: the form of a ruled register (one
    value per printed cell) and the page's own ruling; no value of any vocabulary."""
    first, second = pair
    if not all(i in ruled for i in range(first + 1, second + 1)):
        return False
    a, b = (fields[c] if c < len(fields) else None for c in pair)
    return a is not None and b is not None and a != b and parted_by_own_column(texts, first, second)


def assign_texts(
    kind: str,
    header: list[str],
    texts: list[list[str]],
    structure: Structure,
    sp: Spec,
    ruled: AbstractSet[int] = frozenset(),
    decoded: Mapping[int, Mapping[str, Decoded]] | None = None,
) -> list[str | None]:
    """assign_by_content on each column's cell texts (data rows, top to bottom). A header that reads as two
    fields' headers and was not split is doubted as split_merged_columns doubts it where no gap is found
    (merged_unsplit_doubt), so that a page mapped again from its stored cells (remap_page, after the
    wordings grew) gets the doubt a fresh reading would give; drop_merged_header_refuted then judges it.
    `ruled`: the grid's vertical lines seen in the page's ruling (ruled_cols); two columns whose cells
    repeat each other are doubted as one printed column read twice unless two_printed_columns."""
    assigned = _split_halves_given(kind, header, texts, assign_columns(kind, header, texts, sp, decoded), structure, sp)
    assigned = _serial_fused_columns(kind, header, texts, assigned, structure, sp)
    held = {a.field for a in assigned if a.field}
    for c, column_texts in enumerate(texts):
        merged = (merged_header(kind, header[c], sp) or serial_beside(kind, header[c], sp)) if c < len(header) else None
        if merged is not None and not any(r.startswith(MERGED_HEADER_DOUBT) for r in structure.columns.get(c, [])):
            structure.doubt_column(c, merged_unsplit_doubt(merged[1], merged[2]))
        own = content_class(sp, kind, assigned[c].field or "") if c < len(assigned) else None
        share = merged_cell_share(kind, column_texts, sp, own)
        pair = unheld_halves(kind, header[c], held, sp) if own is None and c < len(header) else None
        if pair is not None:  # given no field, under a header naming two no column holds: either's cells
            share = max(
                [share or 0.0] + [merged_cell_share(kind, column_texts, sp, content_class(sp, kind, g)) or 0.0 for g in pair]
            )
        if share is not None and share >= _merged_cells_needed(
            kind, header, c, assigned[c].field if c < len(assigned) else None, held, sp
        ):
            structure.doubt_column(c, MERGED_CELLS_DOUBT.format(share=share))
            structure.hide(MERGED_CELLS_HIDDEN.format(column=c + 1))
        joined = joined_header(kind, header[c], sp) if c < len(header) else None
        if joined is not None and joined[1] not in held:
            structure.doubt_column(c, JOINED_HEADER_DOUBT.format(first=joined[0], second=joined[1]))
            structure.hide(MERGED_CELLS_HIDDEN.format(column=c + 1))
        two = misread_merged_header(kind, header[c], sp) if c < len(header) else None
        if two is not None and _two_open(assigned[c].field if c < len(assigned) else None, two[1:], held):
            structure.doubt_column(c, TWO_HEADERS_MISREAD_DOUBT.format(first=two[1], second=two[2]))
            structure.hide(MERGED_CELLS_HIDDEN.format(column=c + 1))
    for first, second, same in read_twice(texts):
        if two_printed_columns(texts, (first, second), [a.field if a.doubt is None else None for a in assigned], ruled):
            continue
        for c, other in ((first, second), (second, first)):
            structure.doubt_column(c, READ_TWICE_DOUBT.format(other=other + 1, share=same))
        structure.hide(READ_TWICE_HIDDEN.format(first=first + 1, second=second + 1))
    header_only = {m.index: m.field for m in map_columns(kind, header, sp)}
    for a in assigned:
        if a.doubt is not None:
            doubt_assignment(structure, a.index, a.field or header_only.get(a.index), a.doubt, sp.kind(kind))
    fields = [a.field for a in assigned]
    drop_merged_header_refuted(kind, fields, texts, structure, sp)
    return fields


SERIAL_FUSED_DOUBT = (
    "its header reads as the serial's and {field}'s headers under one cell, and its cells begin with the page's "
    "serial: the serial is taken off each value"
)
"""Why a column given its field by _serial_fused_columns is doubted (an assignment's doubt: "its header
reads as ", mapping.headers.ASSIGNMENT_DOUBTS): no ruling line parted the serial from the field's values, so
each value is the cell's text with the serial taken off (page_serial_fused) and goes to review."""
SERIAL_FUSED_NORMALIZERS = FUSED_SERIAL_NORMALIZERS | {"name", "cert_no"}
"""The fields a column under a serial's and a field's header may be given by _serial_fused_columns: numbers
(FUSED_SERIAL_NORMALIZERS) and persons' names, whose values a serial written before them leaves whole."""


def _serial_fused_field(
    kind: str, header: str, texts: Sequence[str], held: AbstractSet[str], sp: Spec, doubts: Sequence[str] = ()
) -> str | None:
    """The field of a column given none whose header reads as the serial's header and one field's
    (mapping.headers.merged_header, serial_beside: 序号姓名, a ruling line missing between the serial column and
    the field's), or whose volume's other pages print the two as one column (VOLUME_JOINED_DOUBT among its
    `doubts`: their headers were read where this one was misread, 编号 避者姓名: take_serial_fused), where its
    cells show the page's serial fused to their values (pipeline.page.structure.
    fused_serial_texts: FUSED_SERIAL_SHARE of them begin with a number going up by one a row, each keeping a
    value of its own), and the values left once the serial is taken off fit that field by its content test
    (mapping.headers.content_share, at least CONTENT_FAILS of them: names of two to four Han characters with a
    listed surname; certificate numbers of the spec's forms): the one field both the header and the content
    name. None where neither the serial nor that field is free (another column holds it), where the field's
    content cannot be told (free text, register numbers of no stated form), or where the cells do not show it.
    Rule source: a register's serial column (n, n+1, ... a row), one printed header per column, the spec's
    field forms (names: the surname list; the certificate number's stated forms)."""
    merged = merged_header(kind, header, sp) or serial_beside(kind, header, sp) or _volume_pair(doubts)
    if merged is None or "row_no" not in merged[1:] or "row_no" in held:
        return None
    field = merged[2] if merged[1] == "row_no" else merged[1]
    fs = sp.kind(kind).field(field)
    if fs is None or field in held or fs.normalizer not in SERIAL_FUSED_NORMALIZERS:
        return None
    name = fs.normalizer == "name"
    rest = fused_serial_texts(list(enumerate(texts, start=1)), name=name)
    if not rest:
        return None
    share = content_share(fs.normalizer, fs.code_table, list(rest.values()), sp)
    return field if share is not None and share >= CONTENT_FAILS else None


def _serial_fused_columns(
    kind: str, header: Sequence[str], texts: list[list[str]], assigned: list[ColumnAssignment], structure: Structure, sp: Spec
) -> list[ColumnAssignment]:
    """Each column given no field whose header names the serial and one field and whose cells hold the page's
    serial fused to that field's values (_serial_fused_field) given that field, doubted (SERIAL_FUSED_DOUBT):
    map_rows takes the serial off each value (_fused_serials), which is held for review (FUSED_SERIAL_CERTAINTY)."""
    held = {a.field for a in assigned if a.field}
    out = list(assigned)
    for a in assigned:
        if a.field is not None or a.index >= len(header) or a.index >= len(texts):
            continue
        field = _serial_fused_field(kind, header[a.index], texts[a.index], held, sp, structure.columns.get(a.index, ()))
        if field is not None:
            out[a.index] = ColumnAssignment(a.index, a.header, field, None, True, SERIAL_FUSED_DOUBT.format(field=field))
            held.add(field)
    return out


MERGED_CELLS_NAMED = CONTENT_FAILS
"""The share of a column's written cells that must read as two fields' values side by side
(mapping.headers.merged_cell_share) for the column to be doubted as two printed columns where its header
also reads as the headers of its own field and of one other that no column holds (mapping.headers.
halves_of_header: 经手人亲关系, 经手人 and 亲属关系 with a glyph lost): the cells need then only mostly
(CONTENT_FAILS, the share by which a column's cells fit a field its header names) show both values, not
MERGED_CELLS, the share that must prove two columns where the header names one. Design phone copy
pha 4551 of county 01 p1: 6 of 12 cells read a relation wording exactly beside the name, the rest a
wording misread (a photograph's blur). Each value is still split only where one cut leaves two valid
values (_split_values), and every part is held (SPLIT_VALUE_CERTAINTY)."""


def _merged_cells_needed(kind: str, header: Sequence[str], c: int, field: str | None, held: AbstractSet[str], sp: Spec) -> float:
    """The share of column `c`'s cells that must read as two values for it to be doubted as two printed
    columns: MERGED_CELLS_NAMED where its header reads as its field's and another unheld field's headers
    (halves_of_header), MERGED_CELLS otherwise."""
    if field is None or c >= len(header):
        return MERGED_CELLS
    pair = halves_of_header(kind, header[c], field, sp)
    if pair is None or (pair[1] if pair[0] == field else pair[0]) in held:
        return MERGED_CELLS
    return MERGED_CELLS_NAMED


def _split_halves_given(
    kind: str, header: list[str], texts: list[list[str]], assigned: list[ColumnAssignment], structure: Structure, sp: Spec
) -> list[ColumnAssignment]:
    """The two columns split from one at a gap in its writing (split_unidentified_columns, SPLIT_GAP_DOUBT),
    each given the field it was split for (_split_fields) where the assignment gave it none: what their
    cells or headers fit, no other column holding it. They stay doubted (SPLIT_GAP_DOUBT), so their
    fields go to review; a re-map gives them the same."""
    doubted = {c for c, reasons in structure.columns.items() if SPLIT_GAP_DOUBT in reasons}
    split: list[int] = []
    for c in range(len(assigned) - 1):  # each split gives a pair: a run of doubted columns pairs from its left
        if c in doubted and c + 1 in doubted and not (split and split[-1] == c - 1):
            split.append(c)
    if not split:
        return assigned
    out = list(assigned)
    scores = column_scores(kind, header, texts, sp)
    for c in split:
        if out[c].field is not None and out[c + 1].field is not None:
            continue
        pair = _split_fields(c, [a.field for a in out], scores)
        if pair is None:
            continue
        for cc, f in zip((c, c + 1), pair):
            if f is not None and out[cc].field is None and all(a.field != f for a in out):
                out[cc] = ColumnAssignment(cc, header[cc], f, scores[(cc, f)], True, None)
    return out


def _two_open(field: str | None, pair: tuple[str, str], given: set[str]) -> bool:
    """Whether a column given `field` (None: no field) may hold the two printed columns of `pair`, its
    header read as theirs: it is given neither and no other column has either, or it is given one of them
    and no column has the other."""
    if field is None:
        return not set(pair) & given
    return field in pair and (pair[1] if field == pair[0] else pair[0]) not in given


MERGED_REFUTED_NORMALIZERS = frozenset({"code", "sex", "phone"})
"""The fields whose cells can refute a header's reading as two fields' headers (drop_merged_header_refuted):
those whose every value is a wording of an official code table (relations GB/T 4761, sex GB/T 2261.1, the
spec's other code tables: SPEC.md), and phone numbers, whose every value is a number of the national
numbering plan (MIIT 电信网编号计划: mapping.phonefix.one_plan_number). A name, an address, free text or
another number has no table or plan that could tell one column's writing from two columns' run together."""

MERGED_REFUTED_PHONE_BESIDE = frozenset({"row_no", "age", "count", "date", "cert_no", "id_number", "phone"})
"""The forms of the other field a phone column's header names (MERGED_HEADER_DOUBT's pair) that keep the doubt
however its cells read: their writing can be digits alone, and a landline's 7-digit local number with one
digit run on, no gap read between, is an 8-digit one of the plan (0535 6212345 and 2 read 05356212345 2 as
053562123452). A doubt that names no fields (read in the page layout mode) keeps it too."""

MERGED_REFUTED_CELLS = 3
"""The least cells of writing a column must hold for drop_merged_header_refuted to judge it: one or two
wordings read exactly tell little of a column."""


def drop_merged_header_refuted(
    kind: str, fields: Sequence[str | None], texts: Sequence[Sequence[str]], structure: Structure, sp: Spec
) -> None:
    """Drop the doubt that a column's header names two fields (MERGED_HEADER_DOUBT, split_merged_columns: no
    gap in its rows' text to split it at) where its cells refute it: the column is given a field of a code
    table (MERGED_REFUTED_NORMALIZERS), and each of its cells of writing (at least MERGED_REFUTED_CELLS; a
    blank or a cell a seal covers counts neither way, _column_texts) reads exactly as one wording of that
    table (mapping.headers.cell_reads_as: no look-alike glyph, no fuzzy match, nothing beside it). Two
    printed columns under one header leave two columns' writing in each cell the recognizer reads as one
    line (张三 子, 男 45), which no cell of the table is; a column whose every cell is one wording holds
    one printed column, and its header is one wording that reads as two fields' (家属关系, 逝者关系: a
    relation with the person it is relative to, SPEC.md 与逝者关系, where 家属 and 逝者 name a person).
    With the doubt gone the page holds no column read as two (Structure.columns_hidden), as where the header
    read as one wording. Rule source: the spec's code tables; one printed header per column; the
    recognizer reads a cell's ink as one line. Design bilevel set bm3333 (typed): 13 relation codes so
    doubted, all right; the records of their pages held by the doubt and the fields it left unknown.

    A phone column (联系电话说明: a phone's wording and 说明, a remark's) alike, where each of its cells of
    writing is exactly one number of the numbering plan and nothing beside it (_phone_refutes,
    mapping.phonefix.one_plan_number: a mobile number or a landline with its area code, no word, no second
    number, no digit apart at a gap): a remark run on to a number is no number of the plan. Not where the
    other field the header names is written in digits (MERGED_REFUTED_PHONE_BESIDE): a digit run on to a
    landline can make another number of the plan. Rule source: the MIIT numbering plan as SPEC takes it."""
    ks = sp.kind(kind)
    for c, reasons in list(structure.columns.items()):
        field = fields[c] if c < len(fields) else None
        fs = ks.field(field) if field is not None else None
        if fs is None or fs.normalizer not in MERGED_REFUTED_NORMALIZERS or c >= len(texts):
            continue
        if not any(r.startswith(MERGED_HEADER_DOUBT) for r in reasons):
            continue
        if fs.normalizer == "phone":
            if not _phone_refutes(kind, fs.name, reasons, texts[c], sp):
                continue
        else:
            written = ["".join(t.split()) for t in texts[c] if "".join((t or "").split())]
            if len(written) < MERGED_REFUTED_CELLS or not all(cell_reads_as(kind, fs.name, t, sp) for t in written):
                continue
        kept = [r for r in reasons if not r.startswith(MERGED_HEADER_DOUBT)]
        if kept:
            structure.columns[c] = kept
        else:
            del structure.columns[c]


def _phone_refutes(kind: str, field: str, reasons: Sequence[str], texts: Sequence[str], sp: Spec) -> bool:
    """Whether a phone column's cells refute its header's reading as two fields' (drop_merged_header_refuted):
    each of its cells of writing (at least MERGED_REFUTED_CELLS) is exactly one number of the numbering plan
    and nothing beside it (mapping.phonefix.one_plan_number), and the other field the doubt names is no
    field whose writing can be digits alone (MERGED_REFUTED_PHONE_BESIDE)."""
    others: set[str] = set()
    for r in reasons:
        m = re.match(re.escape(MERGED_HEADER_DOUBT) + r" \(([^,()]+), ([^,()]+)\)", r)
        if m is not None:
            others.update(f for f in m.groups() if f != field)
    forms = {(content_class(sp, kind, f) or ("row_no", None))[0] for f in others}
    if not others or forms & MERGED_REFUTED_PHONE_BESIDE:
        return False
    written = [t.strip() for t in texts if "".join((t or "").split())]
    return len(written) >= MERGED_REFUTED_CELLS and all(one_plan_number(t) for t in written)


def doubt_assignment(structure: Structure, index: int, field: str | None, why: str, ks: KindSpec) -> None:
    """Column `index`'s field (`field`, where one is named) doubted for `why`, and its page too where that
    field is mandatory (M or C: PAGE_ASSIGNMENT_DOUBT): a record is sure only where its column is; a column
    sure of its field whose cells are doubted one by one (mapping.headers.CELLS_DOUBT) doubts no page. One rule
    for a column doubted on its page alone (assign_texts) and for one its volume tells (take_told)."""
    structure.doubt_column(index, why)
    if why.startswith(CELLS_DOUBT):
        return  # the column is sure, its cells are doubted one by one (apply_structure): not the page
    spec = ks.field(field) if field is not None else None  # the serial (row_no) is no field of the spec
    if spec is not None and spec.mandatory in ("M", "C"):
        structure.doubt_page(PAGE_ASSIGNMENT_DOUBT.format(field=field, why=why))


def reassign_columns(
    kind: str,
    header: list[str],
    rows: Sequence[tuple[int, list[RawCell]]],
    structure: Structure,
    sp: Spec,
    ruled: AbstractSet[int] = frozenset(),
    decoded: Mapping[int, Mapping[str, Decoded]] | None = None,
) -> list[str | None]:
    """The columns of a page already read, assigned again from its stored header and cells (a re-map
    after the column identification or the spec changed): the doubts the old assignment gave are
    dropped from `structure` (mapping.headers.is_assignment_doubt, PAGE_ASSIGNMENT_DOUBT) and the new
    ones added; a header's doubt of naming two fields whose stored header no longer reads so is dropped
    (_header_no_longer_two); the other doubts (the grid, a header naming two fields, struck rows) stay. The cells
    are not read again as their new field would be (that needs the scan: `backfill run` again). `ruled`: the
    stored grid's vertical lines seen in the page's ruling (ruled_cols); `decoded`: the decoded_code_shares
    stored with the page (stored_decoded)."""
    structure.page[:] = [r for r in structure.page if not r.startswith(PAGE_ASSIGNMENT_HEAD)]
    hidden_here = tuple(h.split("{", 1)[0] for h in (MERGED_CELLS_HIDDEN, READ_TWICE_HIDDEN))
    structure.hidden[:] = [r for r in structure.hidden if not r.startswith(hidden_here)]
    read_as_two = tuple(
        d.split("{", 1)[0]
        for d in (MERGED_CELLS_DOUBT, JOINED_HEADER_DOUBT, TWO_HEADERS_MISREAD_DOUBT, VOLUME_JOINED_DOUBT, READ_TWICE_DOUBT)
    )
    for c in list(structure.columns):
        kept = [
            r
            for r in structure.columns[c]
            if not is_assignment_doubt(r) and not r.startswith(read_as_two) and not _header_no_longer_two(kind, header, c, r, sp)
        ]
        if kept:
            structure.columns[c] = kept
        else:
            del structure.columns[c]
    return assign_texts(kind, header, _column_texts(header, rows, structure), structure, sp, ruled, decoded)


def stored_decoded(layout: Mapping[str, Any] | None) -> dict[int, dict[str, Decoded]]:
    """The decoded_code_shares a page's layout keeps (process_page: `decoded`), by column."""
    return {int(c): {f: Decoded(*v) for f, v in d.items()} for c, d in ((layout or {}).get("decoded") or {}).items()}


def _header_no_longer_two(kind: str, header: Sequence[str], c: int, reason: str, sp: Spec) -> bool:
    """Whether column c's doubt `reason` is that its header names two fields (MERGED_HEADER_DOUBT, given when
    the page was read and its values could not be split: split_merged_columns) and its stored header no
    longer reads as two fields' headers (mapping.headers.merged_header, serial_beside): the doubt's premise
    is judged again from the same header text, as the assignment's doubts are (a rule of those readings
    changed since: AG人数 is no serial beside 人数)."""
    if not reason.startswith(MERGED_HEADER_DOUBT) or c >= len(header):
        return False
    return merged_header(kind, header[c], sp) is None and serial_beside(kind, header[c], sp) is None


def extract_page(
    gray: np.ndarray,
    table_box,
    engine: OcrEngine,
    settings: Settings,
    absent: Collection[str] = (),
    ruling: np.ndarray | None = None,
    seals: np.ndarray | None = None,
    photo: bool = False,
    stamped: np.ndarray | None = None,
    enlarged: float = 1.0,
    bilevel: bool = False,
    volume: VolumeKind | None = None,
) -> PageExtraction:
    """Grid, OCR and mapping for one cleaned page. Raises PageError subclasses for non-ledgers.
    `absent`: fields an administrator declared this ledger never records (see map_rows).
    `photo`: the page is a photograph or an enlarged capture (routing.processed_as_photograph): the body's
    grainy cells are read denoised (line_crops); a grainy header cell both as it is and denoised (read_header).
    `ruling`: the page's ruling lines whole (pipeline.page.cleanup.CleanPage.ruling), where known.
    `seals`: the discs of seals left as ink on the page (CleanPage.seals): the cells they cover are doubted;
    `stamped`: where a colour stamp's ink was made paper (CleanPage.stamped): its cells are doubted alike.
    `enlarged`: how much the cleanup enlarged the photograph (routing.photograph_enlarged): the body's
    lines are read at the frame's own resolution (at_captured_resolution); the header's as they stand.
    `bilevel`: the page was scanned in 1-bit (scanned_bilevel): its name lines are read as cut, its address lines
    softened (read_cells, soften_bilevel_line).
    A photograph's grid is looked for on it stretched as a scan is (layout.lines_view); its cells are cut
    from it as it is.
    `volume`: the kind its volume's read pages are (volume_kind): a header that names no kind, its written cells
    mostly read unsure (UnknownLedgerError.misread) and no title naming a kind the spec lacks, is read as that
    kind, its page doubted (KIND_FROM_VOLUME), where its grid is of one of the volume's forms (VolumeKind.fits);
    else the page is unknown_ledger as without it."""
    grid = find_grid_or_text(lines_view(gray) if photo else gray, table_box, ruling)
    structure = Structure()
    if grid.source in GRID_DOUBTS:
        structure.doubt_page(GRID_DOUBTS[grid.source])
    if grid.box_cols:
        structure.doubt_page(BEYOND_BOX)
    for r in grid.struck_rows:
        structure.doubt_row(r, STRUCK)
    for r in bowed_line_rows(grid):
        structure.doubt_row(r, BOWED_LINE)
    stats = OcrStats()
    sp = load_spec(settings.spec_version)
    head: dict[tuple[int, int], RawCell] = {}
    if settings.layout_mode == "page":
        pieces = engine.recognize(gray)
        title = " ".join(p.text for p in reading_order(assign_pieces(pieces, grid).above))
        table = read_table_page(gray, grid, pieces, engine)
        header = [cell.text for cell in table[0]]
    else:
        title = read_title(gray, grid, engine)
        head = read_header(gray, grid, engine, sp, photo)
        header = [head[(0, c)].text for c in range(grid.n_cols)]
    kind, score = detect_kind(title, header)
    if kind is None:
        written = [head[(0, c)].confidence for c in range(grid.n_cols) if head[(0, c)].text.strip()] if head else []
        unknown = UnknownLedgerError(
            "the header row matches no known ledger kind",
            reason="unknown_ledger",
            unruled=grid.source == "text",
            misread=bool(written) and sum(x < HEADER_UNSURE for x in written) * 2 >= len(written),
            named_other=score > 0,
        )
        if volume is None or not unknown.misread or unknown.named_other or not volume.fits(grid):
            raise unknown  # no volume's kind, a header read surely, another kind named, or columns of no form of its volume's
        kind = volume.kind
        structure.doubt_page(KIND_FROM_VOLUME.format(kind=kind))
    if settings.layout_mode != "page":
        grid = split_merged_columns(gray, grid, engine, kind, header, head, structure, sp, seals)
    else:
        for c, text in enumerate(header):
            if merged_header(kind, text, sp) is not None:
                structure.doubt_column(c, f"{MERGED_HEADER_DOUBT}: a ruling line is missing")
    columns = [m.field for m in map_columns(kind, header)]

    def read_as(g: Grid, cells: list[tuple[int, int]], o: ReadOptions) -> dict[tuple[int, int], RawCell]:
        """The cells read as the columns' fields are read (read_options `o`), on this page's capture."""
        return read_cells(
            gray,
            g,
            engine,
            cells,
            o.stretch,
            stats,
            settings.second_read_below,
            o.decode,
            o.same,
            o.names,
            photo,
            enlarged,
            bilevel,
            o.addresses,
            sp,
            o.phones,
        )

    if settings.layout_mode != "page":
        opts = read_options(kind, columns, sp)
        body = read_as(grid, [(r, c) for r in range(1, grid.n_rows) for c in range(grid.n_cols)], opts)
        table = [[head[(0, c)] for c in range(grid.n_cols)]] + [
            [body[(r, c)] for c in range(grid.n_cols)] for r in range(1, grid.n_rows)
        ]
    if settings.layout_mode != "page":

        def read_split(g: Grid, cells: list[tuple[int, int]], fields: list[str | None]) -> dict[tuple[int, int], RawCell]:
            return read_as(g, cells, read_options(kind, fields, sp))

        n_cols = grid.n_cols
        grid = split_unidentified_columns(gray, grid, kind, header, head, table, structure, sp, read_split, seals)
        if grid.n_cols != n_cols:
            columns = [m.field for m in map_columns(kind, header)]
            opts = read_options(kind, columns, sp)
    # before the columns are told by their cells (_column_texts)
    doubt_sealed_cells(grid, seals if stamped is None else stamped if seals is None else seals | stamped, structure)
    decoded: dict[int, dict[str, Decoded]] = {}
    if settings.layout_mode != "page":
        t0 = time.perf_counter()
        decoded = decoded_code_shares(
            engine,
            gray,
            grid,
            kind,
            open_code_columns(kind, header, [(r, table[r]) for r in range(1, grid.n_rows)], structure, sp),
            sp,
            photo,
            enlarged,
        )
        stats.columns_decoded += len(decoded)
        stats.columns_decoded_seconds += time.perf_counter() - t0
    by_content = assign_by_content(kind, header, table, structure, sp, ruled_cols(grid.to_dict()), decoded)
    if by_content != columns and settings.layout_mode != "page":
        # columns given another field by their content are read again as that field is (digits
        # stretched, invalid IDs decoded ...)
        new = read_options(kind, by_content, sp)
        again = [c for c in range(grid.n_cols) if by_content[c] != columns[c] and new.of(c) != opts.of(c)]
        if again:
            cells = [(r, c) for r in range(1, grid.n_rows) for c in again if new.rereads(opts, c, table[r][c])]
            body = read_as(grid, cells, new) if cells else {}
            for (r, c), cell in body.items():
                table[r][c] = cell
    columns = by_content
    unread = not any(columns) and any(cell.text for row in table[1:] for cell in row)
    if unread:
        structure.doubt_page(COLUMNS_UNREAD_DOUBT)
    doubt_seal_only_rows([(r, table[r]) for r in range(1, grid.n_rows)], columns, structure)
    if settings.layout_mode != "page":
        doubt_left_out_lines(gray, grid, table, columns, structure, enlarged)
    out = PageExtraction(
        kind, title, header, columns, grid, engine=engine.version(), ocr=stats, structure=structure, decoded=decoded
    )
    out.rows = map_rows(
        kind,
        title,
        columns,
        [(r, table[r]) for r in range(1, grid.n_rows)],
        settings,
        structure=structure,
        absent=absent,
        header=header,
    )
    if unread:
        # no row maps to a field: the page would end done with no records and nothing said. Alone it
        # gives no records (no_table, columns_unread); its rows (map_rows keeps their cells) go with the
        # error, for a volume whose other pages can tell its columns (process_page, kept_unread)
        err = ColumnsUnreadError(f"no column of the table was identified ({grid.n_rows - 1} rows, writing in them)")
        err.extraction = out
        raise err
    return out


COLUMNS_UNREAD_DOUBT = (
    "本页表头和各栏都未认出（模糊、褪色、颗粒重或光线太暗？），各栏由同册其他页判定，请人工核对"
    " (no column was identified on the page itself: header and cells unreadable, blurred, faded, grainy or dim?;"
    " its columns are those its volume's other pages show: check them)"
)
"""The page doubt of a page none of whose columns was identified though its rows hold writing, kept
because its volume's other pages may tell its columns (agree_volume): every field of it stays in doubt
whatever the volume tells, since nothing on the page itself confirms which column holds which field.
Source: a property of imaging (a photograph's faint, grainy or dim header words) and of printed registers
(one form per book)."""


SEALED_CELL_SHARE = 0.05
"""A cell is under a seal where at least this share of it lies in a seal's disc (a seal's ring or the
tip of its star or text in a cell: a few per cent of it; the ink of a ring only grazing a cell's
ruling line is no reading of the cell)."""


def doubt_seal_only_rows(
    rows: Sequence[tuple[int, Sequence[RawCell]]], columns: Sequence[str | None], structure: Structure
) -> None:
    """Every row whose writing (writing_cells: more than a mark; the serial column left out, a printed
    serial is no entry) lies only in cells a seal covers (UNDER_SEAL) doubted whole (SEAL_ONLY): what is
    read there may be the seal's text, ring or star, no entry. Rule source: office practice and imaging
    (a seal is stamped last, over the filled table and often over the empty rows below its last entry;
    a seal covers a few of a row's cells, a person's entry fills the row's other columns too). The row
    is kept and held for review with that reason, never dropped: an entry written only under a seal
    (a faint or unfinished one) is not lost."""
    if not structure.cells:
        return
    for n, cells in rows:
        written = [c for c, cell in enumerate(cells) if (c >= len(columns) or columns[c] != "row_no") and writing_cells([cell])]
        if written and all(UNDER_SEAL in structure.cells.get((n, c), ()) for c in written):
            structure.doubt_row(n, SEAL_ONLY)


def doubt_sealed_cells(grid: Grid, seals: np.ndarray | None, structure: Structure) -> None:
    """Every data cell a seal covers (SEALED_CELL_SHARE of it in a seal's disc, `seals`: CleanPage.seals on
    the page as read, and CleanPage.stamped) doubted in `structure` (UNDER_SEAL): a reading of it may hold
    the seal's ink. On a colour scan the stamp's ink was made paper (cleanup.suppress_stamps), and
    its cells are as doubtful: the ink taken away may have held writing blended with the stamp's red, and
    what is left of a stroke the seal crossed reads cleanly as another glyph (a property of imaging: one
    pixel holds one colour, the seal's or the pen's)."""
    if seals is None or not seals.any():
        return
    h, w = seals.shape[:2]
    for r in range(1, grid.n_rows):
        for c in range(grid.n_cols):
            x0, y0, x1, y1 = (int(v) for v in grid.cell_box(r, c))
            x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
            if x1 <= x0 or y1 <= y0:
                continue
            if seals[y0:y1, x0:x1].mean() >= SEALED_CELL_SHARE:
                structure.doubt_cell(r, c, UNDER_SEAL)


def lines_left_out(
    gray: np.ndarray, grid: Grid, cells: Iterable[tuple[int, int]], stretch_cols: AbstractSet[int], enlarged: float = 1.0
) -> set[tuple[int, int]]:
    """The given cells whose crops (line_crops: the same bands on the same inside of the cell) leave out a line
    of their writing (layout.left_out_line): a wrapped entry's short last line run into the line above, cut off
    with the band's stamp margin (layout._line_core). Such a cell's reading is its first line alone."""
    out: set[tuple[int, int]] = set()
    for r, c in cells:
        inner = cell_inner(gray, grid.cell_box(r, c))
        lost: list[tuple[int, int]] = []
        text_line_bands(erase_ruling_rows(inner) if enlarged > 1.0 else inner, one_line=c in stretch_cols, left_out=lost)
        if lost:
            out.add((r, c))
    return out


def doubt_left_out_lines(
    gray: np.ndarray,
    grid: Grid,
    table: Sequence[Sequence[RawCell]],
    columns: Sequence[str | None],
    structure: Structure,
    enlarged: float = 1.0,
) -> None:
    """Every written data cell whose crop left out a line of its writing (lines_left_out) doubted in `structure`
    (LINE_LEFT_OUT): its reading is sure of the line it read, not of the cell. Source: the form's property (a cell
    holds its entry, wrapped inside it where long) and the recognizer's: it reads the crop it is given, surely,
    and says nothing of writing outside it (design carbon copy 4762: two addresses without the end of their house
    number, the wrapped line 号 / 17号 left out, accepted at 1.00). The raw reading is kept; the field is held."""
    stretch = {c for c, f in enumerate(columns) if f in STRETCH_FIELDS}
    written = [(r, c) for r in range(1, len(table)) for c, cell in enumerate(table[r]) if cell.text.strip()]
    for r, c in sorted(lines_left_out(gray, grid, written, stretch, enlarged)):
        structure.doubt_cell(r, c, LINE_LEFT_OUT)


LEDGER_YEAR_SEEN_SHARE = 0.5
"""The least share of a field's values on a page (ledger_year_fields) that must lie within the ledger's
window of the year its title names for that year to be taken as borne out for the field."""


def ledger_year_fields(
    year: int | None, ks: KindSpec, columns: Sequence[str | None], rows: Sequence[tuple[int, Sequence[RawCell]]], window: int
) -> frozenset[str]:
    """The fields whose year the spec ties to the ledger's (mapping.record.year_field) whose values on the page,
    read one by one (mapping.record.year_of), lie within `window` (the spec's ledger_year_window) of the
    year read from its title in at least LEDGER_YEAR_SEEN_SHARE of its cells: for those a value read one
    digit off may be put back (mapping.record.put_back_years). A title's year read wrong (a 6 read 0) puts
    every right date off it; a page of certificates issued in another year than the title's has them all
    off it: neither field is borne out, nothing of it is moved. Empty with no year."""
    if year is None:
        return frozenset()
    seen: set[str] = set()
    for c, name in enumerate(columns):
        f = ks.field(name) if name else None
        if f is None or not year_field(ks, f):
            continue
        years = [y for _r, cells in rows if c < len(cells) and (y := year_of(f, cells[c].text)) is not None]
        if years and sum(abs(y - year) <= window for y in years) >= LEDGER_YEAR_SEEN_SHARE * len(years):
            seen.add(f.name)
    return frozenset(seen)


def map_rows(
    kind: str,
    title: str,
    columns: list[str | None],
    rows: list[tuple[int, list[RawCell]]],
    settings: Settings,
    overrides: Mapping[int, Mapping[str, str]] | None = None,
    structure: Structure | None = None,
    *,
    absent: Collection[str] = (),
    header: Sequence[str] | None = None,
    page_rows: Sequence[tuple[int, Sequence[RawCell]]] | None = None,
    no_field: Collection[int] = (),
    volume_prefixes: Mapping[str, RegisterPrefix] | None = None,
) -> list[ExtractedRow]:
    """Map the data rows of one page; empty ruled rows are skipped, and so are the rows below the
    page's last written row that read only as marks (blank_tail: a photo's specks and shadows). On a
    page none of whose columns is identified (COLUMNS_UNREAD_DOUBT) a row with writing in any cell is
    kept, its cells as read and no field mapped, so that the columns its volume tells can map it later;
    on a page with some columns identified, so is a row whose writing lies only in the others
    (unidentified_writing), held with UNIDENTIFIED_WRITING_PROBLEM.

    `overrides` (row_no -> field -> text typed by a reviewer) replace the OCR text of those fields
    before mapping, so a correction is normalized and cross-checked like any other value; the field
    keeps the flag "corrected_by_reviewer". `structure`: what is in doubt about the page's structure
    (pipeline.page.structure), applied to every record with the checks made from the rows themselves
    (a field with no column, columns whose values mostly fail, the serial column's order). `absent`:
    fields the ledger never records (declared by an administrator, LedgerAbsentField): their blank is
    sure all the same - not a column that may have been missed. `header`: the page's header texts, for
    telling which field a column left without one may be (pipeline.page.structure.open_columns), judged
    on every row of the page: `page_rows` where `rows` are some of them (one row mapped again).
    `no_field`: the columns a reviewer said hold no field of ours (decided_none): no field is missing
    because of them, as of a column whose field was not identified."""
    sp = spec_for(settings)
    year = ledger_year(title)
    ks = sp.kind(kind)
    ctx = RecordContext(
        funeral_home_code=resolve_funeral_home(title, settings.funeral_home_code),
        ledger_year=year,
        spec=sp,
        ledger_year_fields=ledger_year_fields(
            year, ks, columns, rows if page_rows is None else page_rows, sp.rules.ledger_year_window
        ),
    )
    structure = structure or Structure()
    out = []
    hidden = structure.columns_hidden
    # a column a reviewer said holds no field of ours is not one whose field may be missed
    kept = [f for c, f in enumerate(columns) if c not in no_field]
    lost = [f for f in missing_fields(ks, kept, hidden) if f not in absent]
    # which optional fields a column left without one may hold; None where the page may hold a printed
    # column no column read stands for, or its structure is in doubt: every optional field stays missing
    opened = None
    if None in kept and not hidden and not structure.page:
        optional = [f.name for f in ks.fields if f.name in lost and f.mandatory not in ("M", "C")]
        opened = open_columns(kind, sp, columns, header, rows if page_rows is None else page_rows, optional)
        opened = {c: frozenset() if c in no_field else may for c, may in opened.items()}
    normalizers = {f.name: f.normalizer for f in ks.fields}
    above: dict[str, RawCell] = {}  # each field's cell in the row above, dittos resolved
    serial_col = columns.index("row_no") if "row_no" in columns else None
    serials: list[tuple[int, int | None]] = []
    # an ID wrapped across the row line below it, read as a head here and its tail in the row below:
    # joined before anything is mapped (the whole page only: a row mapped again on its own has no row below)
    joined: dict[int, list[tuple[str, str]]] = {}
    as_read = dict(rows)  # the cells stored with each row are those read, so that a remap joins them again
    if page_rows is None:
        rows, joined = ids_across_rows(rows, columns, ks)
    # the empty ruled rows at a page's end that read only as marks; a row mapped again on its own (a
    # reviewer's correction, `page_rows`) is the reviewer's and is mapped whatever it holds
    tail = blank_tail(rows, columns, structure) if page_rows is None else set()
    unread = not any(columns)  # no column identified: rows with writing are kept as they were read
    fused = _fused_serials(kind, sp, columns, header, rows if page_rows is None else page_rows, normalizers, structure)
    halves = _merged_halves(kind, sp, columns, header, structure, rows if page_rows is None else page_rows)
    for row_no, cells in rows:
        if row_no in tail and not (overrides or {}).get(row_no):
            continue
        mapped = {
            f: resolve(
                cell,
                settings.second_read_below or 0.0,
                partial(reads_cleanly, kind, f, context=ctx),
                name_form_probability(cell.text, cell.alternatives) if normalizers.get(f) == "name" else None,
            )
            for f, cell in zip(columns, cells)
            if f and f != "row_no"
        }
        unfused: dict[str, tuple[str, str]] = {}  # field -> (its text as read, the serial fused to it; without it)
        for (r, c), text in fused.items():
            name = columns[c]
            if r == row_no and name and name in mapped:
                unfused[name] = (mapped[name].text or "", text)
        split: dict[str, str] = {}
        for c, (own, other) in halves.items():
            name = columns[c]
            cell = mapped.get(name) if name else (cells[c] if c < len(cells) else None)
            # the half that is not the column's field has a column of its own (the column's field may be
            # either half: 居民身份证号码户籍地址 given household_address, the second)
            taken = ((other if name == own else own) in mapped) if name else (own in mapped or other in mapped)
            parts = None if cell is None or taken else _split_values(kind, own, other, cell.text, ctx)
            if cell is not None and parts is not None:
                bare = replace(cell, second=None, chars=None, second_chars=None)
                mapped[own], mapped[other] = replace(bare, text=parts[0]), replace(bare, text=parts[1])
                split.update({own: cell.text or "", other: cell.text or ""})
        for name, (_read, text) in unfused.items():
            mapped[name] = replace(mapped[name], text=text, second=None, chars=None, second_chars=None)
        dittos = resolve_dittos(mapped, above, normalizers)
        above = {f: c for f, c in mapped.items() if c.text}
        # its column is not on the page, or may be one whose header was not recognized (and is not blank
        # in this row): not a sure blank
        here = missing_in_row(ks, lost, opened, cells, bool(structure.rows.get(row_no)))
        for name in here:
            mapped.setdefault(name, RawCell("", 0.0, None))
        typed = (overrides or {}).get(row_no) or {}
        empty = not any(cell.text for cell in mapped.values())
        # no column with a field holds writing here, yet its unidentified columns do: an entry all the same
        elsewhere = empty and not unread and unidentified_writing(cells, columns, no_field)
        if not typed and empty and not (unread and any(c.text for c in cells)) and not elsewhere:
            continue
        for name, text in typed.items():
            box = mapped[name].box if name in mapped else None
            mapped[name] = RawCell(text, 1.0, box, typed=True)
        printed = len([f for f in columns if f and f != "row_no"])
        marks = {n: c for n, c in mapped.items() if n in CHINESE_FREE_TEXT and n not in typed and _mark_in_text(c)}
        record = build_record(kind, {**mapped, **{n: replace(c, text="", chars=None) for n, c in marks.items()}}, ctx)
        for name, cell in marks.items():
            _mark_left_out(record, name, cell)
        written = sum(1 for cell in mapped.values() if cell.text)
        if not typed and elsewhere:
            record.problems.insert(0, UNIDENTIFIED_WRITING_PROBLEM)
        elif not typed and written <= SPARSE_ROW_CELLS < printed:
            record.problems.insert(
                0,
                f"row: only {written} of {printed} cells written: an empty row with a mark "
                "(a stamp, a speck) or an unfinished entry? Reject it if the scan shows no person",
            )
        for name, (text, _without) in unfused.items():
            fv = record.fields.get(name)
            if fv is not None and name not in typed and fv.raw:
                fv.raw, fv.confidence = text, min(fv.confidence, FUSED_SERIAL_CERTAINTY)
                if "page_serial_fused" not in fv.flags:
                    fv.flags.append("page_serial_fused")
        for name, text in joined.get(row_no, ()):
            fv = record.fields.get(name)
            if fv is not None and name not in typed and fv.value is not None:
                fv.raw, fv.confidence = text, min(fv.confidence, JOINED_ID_CERTAINTY)
                if "id_joined_across_row" not in fv.flags:
                    fv.flags.append("id_joined_across_row")
        for name, text in split.items():
            fv = record.fields.get(name)
            if fv is not None and name not in typed and fv.value is not None:
                fv.raw, fv.confidence = text, min(fv.confidence, SPLIT_VALUE_CERTAINTY)
                if "split_from_merged_column" not in fv.flags:
                    fv.flags.append("split_from_merged_column")
        if written:
            mark_missing(record, [n for n in here if n not in typed], kept, hidden)
        apply_structure(record, columns, structure, ks, row_no, cells, sp)
        for c, parts_of in halves.items():  # a column given no field: its doubts are those of both its parts
            if columns[c] is None and parts_of[0] in split:
                for name in parts_of:
                    apply_structure(record, [*columns[:c], name, *columns[c + 1 :]], structure, ks, row_no)
        for name, mark in dittos.items():
            fv = record.fields.get(name)
            if fv is not None and name not in typed:
                fv.flags.append("ditto_resolved")
                fv.raw, fv.confidence = mark, min(fv.confidence, DITTO_CERTAINTY)
        for name, text in typed.items():
            fv = record.fields.get(name)
            if fv is None:
                continue
            if fv.raw != text:  # a field the spec fills from context or derives: the reviewer's word stands
                fv.value, fv.raw, fv.confidence = (text.strip() or None), text, 1.0
            if "corrected_by_reviewer" not in fv.flags:
                fv.flags.append("corrected_by_reviewer")
        out.append(ExtractedRow(row_no, as_read.get(row_no, cells), record))
        if serial_col is not None and serial_col < len(cells):
            serials.append((row_no, serial_of(cells[serial_col])))
    apply_column_checks([r.record for r in out], check_columns([r.record for r in out], columns))
    apply_serial_checks({r.row_no: r.record for r in out}, check_serials(serials))
    _check_cert_runs(out, ks, columns, structure, ctx.ledger_year, page_rows)
    for name in REGISTER_RUN_FIELDS:
        if name in columns:
            confirm_register_run({r.row_no: r.record for r in out}, name)
    _check_column_shapes(out, kind, settings, volume_prefixes)
    if page_rows is None:  # the whole page mapped (not a reviewer's rows mapped again on their own), prefixes written
        check_page_order([r.record for r in out], [f for f in columns if f])
    _check_page_quality(out, rows, settings, kind)
    return out


JOINED_ID_CERTAINTY = 0.5
"""The most certainty an ID joined from two rows' cells (ids_across_rows) is given: below every
threshold, so that a reviewer sees the number put together against the scan."""


def ids_across_rows(
    rows: list[tuple[int, list[RawCell]]], columns: Sequence[str | None], ks: KindSpec
) -> tuple[list[tuple[int, list[RawCell]]], dict[int, list[tuple[str, str]]]]:
    """The rows with every ID number wrapped across a ruled row line put back in its own row: where a
    row's ID cell reads only the number's head and the ID cell of the row below begins with its tail
    (mapping.idfix.joined_across_row: the whole number holds every GB 11643 check and what follows the
    tail is nothing or a valid number of its own), the row's cell is given the whole number and the
    cell below keeps only what follows the tail. Returns the rows and, per row whose number was joined,
    its (field, what was read in its cell) (flagged id_joined_across_row below every threshold,
    JOINED_ID_CERTAINTY, the reading kept as raw). Source: GB 11643-1999 (length, check character, birth
    date, GB/T 2260 address code) and the register's form (one entry per ruled row: writing that crosses
    the row line below belongs to the entry it starts in)."""
    cols = [c for c, f in enumerate(columns) if f and ks.field(f) is not None and ks.require(f).normalizer == "id_number"]
    if not cols:
        return rows, {}
    out = [(n, list(cells)) for n, cells in rows]
    joined: dict[int, list[tuple[str, str]]] = {}
    for c in cols:
        for i in range(len(out) - 1):
            (n, cells), (m, below) = out[i], out[i + 1]
            if m != n + 1 or c >= len(cells) or c >= len(below) or not cells[c].text or not below[c].text:
                continue
            got = joined_across_row(cells[c].text, below[c].text)
            if got is None:
                continue
            joined.setdefault(n, []).append((str(columns[c]), cells[c].text))
            for cs, text in ((cells, got[0]), (below, got[1])):
                cs[c] = replace(
                    cs[c],
                    text=text,
                    agreed=None,
                    second=None,
                    second_confidence=None,
                    chars=None,
                    second_chars=None,
                    alternatives=None,
                    decoded=False,
                )
    return out, joined


def _check_cert_runs(
    rows: Sequence[ExtractedRow],
    ks: KindSpec,
    columns: Sequence[str | None],
    structure: Structure,
    ledger_year: int | None,
    page_rows: Sequence[tuple[int, Sequence[RawCell]]] | None = None,
) -> None:
    """The page's certificate numbers against their run (pipeline.page.structure.check_cert_run), in
    printed order; a struck-through row (its entry rewritten in the row below) is left out of it. Where
    some rows are mapped again (a reviewer's correction: `page_rows` holds the page's every row), the
    numbers of the others are their cells' texts normalized, so that the run is judged as on the page."""
    mapped = {r.row_no: r for r in rows}
    for name in [f.name for f in ks.fields if f.normalizer == "cert_no" and f.source == "cell"]:
        certs: list[tuple[int, str | None]] = []
        col = columns.index(name) if name in columns else None
        order = [(r.row_no, r.cells) for r in rows] if page_rows is None or col is None else page_rows
        for row_no, cells in order:
            if row_no in mapped:
                fv = mapped[row_no].record.fields.get(name)
                if fv is None or "row_struck_through" not in fv.flags:
                    certs.append((row_no, _cert_value(fv)))
            elif col is not None and STRUCK not in structure.rows.get(row_no, []) and any(c.text for c in cells):
                text = cells[col].text if col < len(cells) else ""
                value = normalize_cert_no(text, ledger_year).value if text else None
                certs.append((row_no, value if isinstance(value, str) else None))
        apply_cert_run({r: x.record for r, x in mapped.items()}, name, check_cert_run(certs))


def _cert_value(fv: FieldValue | None) -> str | None:
    return fv.value if fv is not None and isinstance(fv.value, str) else None


def _fused_serials(
    kind: str,
    sp: Spec,
    columns: Sequence[str | None],
    header: Sequence[str] | None,
    rows: Sequence[tuple[int, Sequence[RawCell]]],
    normalizers: Mapping[str, str],
    structure: Structure | None = None,
) -> dict[tuple[int, int], str]:
    """The cells of a number or name column that hold the page's serial fused to their value
    (pipeline.page.structure.fused_serials), among the columns whose header holds a serial's wording
    beside the field's (mapping.headers.serial_beside_header) or that were given their field as the serial's
    and the field's column (_serial_fused_columns: SERIAL_FUSED_DOUBT)."""
    if not header or "row_no" in columns:
        return {}
    doubts = structure.columns if structure is not None else {}
    suspects = [
        c
        for c, f in enumerate(columns)
        if f
        and c < len(header)
        and normalizers.get(f) in SERIAL_FUSED_NORMALIZERS
        and (serial_beside_header(kind, header[c], f, sp) or SERIAL_FUSED_DOUBT.format(field=f) in doubts.get(c, ()))
    ]
    names = [c for c in suspects if normalizers.get(columns[c] or "") == "name"]
    return fused_serials(rows, columns, suspects, names) if suspects else {}


_HAN_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SPLIT_VALUE_CERTAINTY = 0.5
"""A value split from a cell holding two printed columns' values is shown to a reviewer: no calibrated
threshold is below 0.5."""


def _merged_halves(
    kind: str,
    sp: Spec,
    columns: Sequence[str | None],
    header: Sequence[str] | None,
    structure: Structure,
    rows: Sequence[tuple[int, Sequence[RawCell | None]]] | None = None,
) -> dict[int, tuple[str, str]]:
    """Column -> (the field of the first part of its header, of the second), for each column whose header
    reads as two fields' headers (mapping.headers.merged_header: 死亡时间死亡原因) and that the page's
    structure doubts for it (split_merged_columns: a ruling line missing and the column not split on the
    image), or whose header holds one field's wording and a second header misread after it
    (mapping.headers.joined_header: 经办人 亲属系, doubted as JOINED_HEADER_DOUBT), or whose cells read as
    two columns' values side by side (MERGED_CELLS_DOUBT) under a header whose two parts name the column's
    field and another, however misread (mapping.headers.halves_of_header: 逝老名性别 over 张三男), or whose
    cells (`rows`, the page's) name both by what they hold (mapping.headers.halves_of_cells: a code wording
    beside a number, 配偶2人 under 亲属系毅), given one of the two fields while the other has no column; or a column whose header reads as two fields'
    headers (MERGED_HEADER_DOUBT) given no field at all, while neither of the two has a column (身份证号码火化证编号
    over an ID and a certificate number written as one run of digits: its cells fit neither field whole).
    A header read as two headers both misread (mapping.headers.misread_merged_header, doubted as
    TWO_HEADERS_MISREAD_DOUBT: 大化证编号航次) is split alike, given no field or one of the two.
    Where a page's structure is in doubt so are its fields: every part split is shown to a reviewer
    (SPLIT_VALUE_CERTAINTY), the column stays doubted."""
    out: dict[int, tuple[str, str]] = {}
    fields = {fs.name for fs in sp.kind(kind).fields}  # a serial (row_no) is no field: nothing is split off for it
    joined_head = JOINED_HEADER_DOUBT.split("{", 1)[0]
    misread_head = TWO_HEADERS_MISREAD_DOUBT.split("{", 1)[0]
    cells_head = MERGED_CELLS_DOUBT.split("{", 1)[0]
    for c, f in enumerate(columns):
        if not header or c >= len(header):
            continue
        doubts = structure.columns.get(c, ())
        merged: tuple[int, str, str] | None = None
        if any(r.startswith(MERGED_HEADER_DOUBT) for r in doubts):
            merged = merged_header(kind, header[c], sp)
        if merged is None and any(r.startswith(misread_head) for r in doubts):
            merged = misread_merged_header(kind, header[c], sp)
        if merged is None:
            merged = _volume_pair(doubts)
        if not f:  # a header naming two fields, given neither (its cells fit neither field whole)
            if merged is not None and {merged[1], merged[2]} <= fields and merged[1] not in columns and merged[2] not in columns:
                out[c] = (merged[1], merged[2])
            elif any(r.startswith(cells_head) for r in doubts):  # its cells proved two columns (assign_texts)
                pair = unheld_halves(kind, header[c], {g for g in columns if g}, sp)
                if pair is not None and set(pair) <= fields:
                    out[c] = pair
            continue
        if merged is None and any(r.startswith(joined_head) for r in doubts):
            in_order = joined_in_order(kind, header[c], sp)
            if in_order is not None:
                merged = (0, *in_order)
        if merged is None and any(r.startswith(cells_head) for r in doubts):
            named = halves_of_header(kind, header[c], f, sp)
            held = {g for g in columns if g}
            if rows is not None and (named is None or set(named) - {f} <= held):
                # a header naming one of them, or its other half a field another column holds (亲属系 read
                # as 亲属 | 系 over 子2人, registrant_name held): the cells name both (halves_of_cells)
                texts = [(cell.text or "") if c < len(cells) and (cell := cells[c]) is not None else "" for _n, cells in rows]
                named = halves_of_cells(kind, f, texts, held, sp) or named
            if named is not None:
                merged = (0, *named)
        if merged is None:
            continue
        _cut, first, second = merged
        if f in (first, second) and (second if f == first else first) not in columns and {first, second} <= fields:
            out[c] = (first, second)
    return out


def _split_values(kind: str, first: str, second: str, text: str, ctx: RecordContext) -> tuple[str, str] | None:
    """A cell's text as `first`'s value then `second`'s (2016-12-26自然死亡: 2016-12-26 | 自然死亡), where
    exactly one cut leaves two texts each a valid value of its field as it stands (mapping.record.
    reads_cleanly: a well-formed date, a code-table wording, a valid ID ...); None where no cut or more
    than one does. A cut falls where the script changes (Han characters beside digits or Latin letters)
    or between two Han characters, never inside a run of digits and letters: 2016-12-23 is no date
    2016-12-2 beside a code 3 (nothing tells two numbers written together apart), except where one of the
    two fields is an ID number and its part is a whole 18-character number (_id_ends_there: GB 11643's
    check digit tells where the number ends; 370611193807050025201300514: the ID | 201300514). Where one of the two
    fields is free text (an address: mapping.record.FREE_TEXT, which no text reads cleanly as), its part
    counts where it holds Han writing (_free_part) and the cut is proven by the other part alone
    (芝罘区幸福街道12号2018/3/4: the address | 2018/3/4); two free-text fields are never split. An ID's
    part that meets the other part's Han writing at the cut need only have an ID's form
    (mapping.headers.id_in_form: 18 characters, 17 digits and a digit or X), its check character failing
    (a digit misread): the change of script tells where it ends, and the ID field checks and repairs it as
    any ID read (mapping.record._repair_id). Rule source: the spec's formats and code tables; GB 11643's
    form; one value per printed cell.

    Where more than one cut works but every one gives one field the same code, as a wording of its
    code table written whole, and they differ only in how much of that wording they take (宋建儿子:
    宋建 | 儿子 and 宋建儿 | 子, both GB/T 4761 code 20), the cut giving the longest wording is taken
    (_longest_wording_cut): a register writes the relation word whole, as GB/T 4761 and the spec's
    code table print it (儿子, 之子), and what the shorter cut leaves the other field (宋建儿) is that word's
    head. So too where the cuts give different codes (李明女儿: 李明 | 女儿, code 30, and 李明女 | 儿, code
    20): the table's wordings are whole words, and the shorter cut's wording is the tail of the longer
    one, a character of it given to the name.

    A code field's wording beside a number of the other field's form is split in either order written
    (配偶2人 and 1人孙女 in one column: the register's clerk wrote the count first in some rows), where
    the order given finds no cut: a code table's wordings hold no digit (GB/T 4761, the spec's tables:
    SPEC.md), so the part holding digits is the number's whichever side it stands (_either_order)."""
    t = "".join((text or "").split())
    han = [bool(_HAN_CHAR.match(ch)) for ch in t]
    sp = load_spec(ctx.spec)
    ks = sp.kind(kind)
    free = {f for f in (first, second) if ks.require(f).normalizer in FREE_TEXT}
    if len(free) == 2:
        return None

    def valid(field: str, part: str) -> bool:
        return _free_part(part) if field in free else reads_cleanly(kind, field, part, ctx)

    ids = {f for f in (first, second) if ks.require(f).normalizer == "id_number"}

    def id_whole(i: int) -> bool:  # the ID's part of a cut inside a run of digits is a whole number (_id_ends_there)
        return any(_id_ends_there(t[:i] if f == first else t[i:]) for f in ids)

    def id_against_han(i: int, field: str) -> bool:  # an ID in form meeting Han writing at the cut (id_in_form)
        part, touching = (t[:i], han[i]) if field == first else (t[i:], han[i - 1])
        return field in ids and touching and id_in_form(part)

    def cuts_of(a: str, b: str) -> list[int]:  # the cuts leaving `a`'s value then `b`'s
        cuts = [
            i
            for i in range(1, len(t))
            if (han[i - 1] or han[i] or id_whole(i))
            and (valid(a, t[:i]) or id_against_han(i, a))
            and (valid(b, t[i:]) or id_against_han(i, b))
        ]
        return _longest_wording_cut(sp, ks, a, b, t, cuts) if len(cuts) > 1 else cuts

    cuts = cuts_of(first, second)
    if len(cuts) == 1:
        return (t[: cuts[0]], t[cuts[0] :])
    if not cuts and _either_order(ks, first, second):
        number_lead = ks.require(second).normalizer != "code"  # reversed: `second`'s value stands first
        back = [i for i in cuts_of(second, first) if _DIGIT.search(t[:i] if number_lead else t[i:])]
        if len(back) == 1:
            return (t[back[0] :], t[: back[0]])
    return None


_DIGIT = re.compile(r"[0-9０-９]")


def _either_order(ks: KindSpec, first: str, second: str) -> bool:
    """Whether a split cell's two values may stand in either order (_split_values): one field a code
    field, whose table's wordings hold no digit (GB/T 4761 and the spec's other code tables: SPEC.md),
    the other one whose value is written with digits (a count, an age, a date, a number: NUMBER_SHAPES), so
    that the part holding digits tells which value is which."""
    kinds = {ks.require(f).normalizer for f in (first, second)}
    return "code" in kinds and bool(kinds - {"code"} <= NUMBER_SHAPES) and len(kinds) == 2


def _id_ends_there(part: str) -> bool:
    """Whether a part of a split cell is a whole 18-character ID number (GB 11643-1999,
    mapping.normalize.is_valid_id: 18 characters, 17 digits and the check character they give, a real
    birth date, an address code that can be one). The check character is what tells a number written
    against another one apart where nothing else does (a part a digit longer or shorter, or shifted,
    passes it 1 time in 11, and must then still hold a real date and address code); a legacy 15-digit
    number has no check digit and is never cut out of a run of digits."""
    return is_valid_id(part)


def _longest_wording_cut(sp: Spec, ks: KindSpec, first: str, second: str, text: str, cuts: list[int]) -> list[int]:
    """Of several cuts of a split cell (_split_values), the one whose part for a code field is the
    longest wording of its code table, where every cut's part for that field is a wording of the
    table as written (mapping.normalize.code_of_wording: no near match), whatever code each gives
    (李明女儿: 女儿 30 is taken over 儿 20); the cuts unchanged otherwise (a part no exact wording, or
    no code field: the split is refused). The parts of cuts of one text are nested (儿 inside 女儿), so
    they differ only in how much of the longest wording they take, and the table's wordings are whole
    words: a shorter cut gives the other field a character of the word. Two code fields are left as
    they are: two tables would compete for the same characters. Rule source: the relation code table
    of the spec (SPEC.md, agent_relation_code: GB/T 4761's wordings 女儿, 儿子, 孙女 ...)
    and GB/T 4761 itself, as printed (mapping/data)."""
    coded = [(name == first, ks.require(name).code_table) for name in (first, second) if ks.require(name).normalizer == "code"]
    if len(coded) != 1:
        return cuts
    code_first, table_name = coded[0]
    if not table_name:
        return cuts
    table = sp.table(table_name)
    parts = {i: (text[:i] if code_first else text[i:]) for i in cuts}
    if any(code_of_wording(p, table) is None for p in parts.values()):
        return cuts
    longest = max(len(p) for p in parts.values())
    return [i for i in cuts if len(parts[i]) == longest]


FREE_PART_HAN = 2
"""The least Han characters of a free-text part of a split cell (_split_values): an address or a note is
written in Han characters, and a part of one (a lone 号, 日 or 年 left over from a date or a number) is
the other value's remains, not writing of its own."""


def _free_part(text: str) -> bool:
    """Whether the part of a split cell given to a free-text field holds writing of its own: at least
    FREE_PART_HAN Han characters."""
    return len(_HAN_CHAR.findall(text)) >= FREE_PART_HAN


DITTO_MARKS = frozenset({"〃", "同上", "仝", '"', "”", "“", "″", "〞", "〝", "''", "//", "-", "--", "_"})
"""What a ledger writes for "as the row above": 〃, 同上, 仝, or a short dash (any dash-like character,
mapping.normalize.DASHES). A convention of hand-kept registers (issue 27), not of our generator."""
DITTO_READ_AS = frozenset({"11", "II", "ll", "Ⅱ", "1", "一", "二"})
"""How the recognizers read those marks (a property of the recognizer, measured on 〃 and a short
dash drawn in Noto Sans CJK and AR PL UKai): PP-OCRv6's dictionary lacks 〃 and it reads 〃 as 11 or
II, a dash as 一, 1 or _; PP-OCRv4 read 〃 as // or Ⅱ. Taken as a ditto only in a field where such a
text is no value (an address, a date, a code, a sea area, an agent's name), never in a number."""
NO_DITTO = frozenset({"deceased_name", "id_number", "cremation_cert_no", "registration_no"})
"""Fields that are each person's own: a mark there is read as written, never copied from above."""
DITTO_READ_AS_FIELDS = frozenset({"name", "address", "date", "code", "sex", "sea_area", "division"})
"""Normalizers of the fields where DITTO_READ_AS texts count as a ditto."""
DITTO_CERTAINTY = 0.45
"""A value taken from the row above is below every calibrated threshold (their floor is 0.5): a
reviewer confirms it. Nothing is lost: the mark stays the field's raw text, flagged ditto_resolved."""


def is_ditto(text: str, normalizer: str | None = None) -> bool:
    """Whether a cell's whole text is a ditto mark (for a field of this normalizer)."""
    plain = "".join((text or "").split())
    folded = fold_dashes(unicodedata.normalize("NFKC", plain))
    if plain in DITTO_MARKS or folded in DITTO_MARKS:
        return True
    return normalizer in DITTO_READ_AS_FIELDS and (plain in DITTO_READ_AS or folded in DITTO_READ_AS)


def resolve_dittos(
    mapped: dict[str, RawCell], above: Mapping[str, RawCell], normalizers: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Replace, in place, each cell of a row that holds only a ditto mark by the cell of the same field
    in the row above (already resolved), where that one holds text; returns field -> the mark read."""
    out: dict[str, str] = {}
    for name, cell in mapped.items():
        if name in NO_DITTO or not cell.text or not is_ditto(cell.text, (normalizers or {}).get(name)):
            continue
        prev = above.get(name)
        if prev is None or not prev.text:
            continue
        mapped[name] = replace(prev, box=cell.box, confidence=min(cell.confidence, prev.confidence))
        out[name] = cell.text
    return out


def _fields_without_column(kind: str, columns: list[str | None], spec: Spec) -> list[str]:
    """The fields a register of this kind is read for that no column of the page was mapped to,
    where some column's header was not recognized (one of them may be that column): their blank is
    unknown, not sure. Where every header was recognized, a missing column is a register without it."""
    if not any(f is None for f in columns):
        return []
    have = set(columns)
    return [f.name for f in spec.kind(kind).fields if f.source not in ("context", "derived") and f.name not in have]


def declared_absent(s, file_id: int) -> frozenset[str]:
    """The fields an administrator declared this ledger (scanned file) never records."""
    return frozenset(s.scalars(select(LedgerAbsentField.field).where(LedgerAbsentField.file_id == file_id)))


SPARSE_ROW_CELLS = 1
"""A row with this many written cells or fewer is kept (nothing accepted is lost) but told apart
from a person's record: the empty ruled rows at the end of a register's last page pick up one mark
(a stamp edge, a speck) and became records that only said "mandatory value missing". Where every mark
of such a row below the page's last written row reads as no writing (noise_reading) the row is blank
(blank_tail); one read surely, or one between written rows, is kept so."""


NOISE_CHARS = MARK_CHARS
"""The most characters the recognizer reads off a mark that is no writing (ocr.agreement.MARK_CHARS): on the design photos
(camera_capture seeds 4401, 4402) every reading of an empty ruled row (a speck, a shadow's edge, a
ruling line's fragment) was 1-3 characters, read at 0.02-0.41 (one at 0.65: kept). A property of the
recognizer (it reads any blob as its likeliest one to three glyphs), not of any register."""

NOISE_CERTAINTY = 0.5
"""A mark read less sure than this is no sure writing: the least threshold any field read by OCR is
accepted at (pipeline.quality.calibration.FLOOR)."""


def noise_reading(cell: RawCell) -> bool:
    """Whether a written cell reads as a mark, not as writing: its reading at most NOISE_CHARS characters
    and less sure than NOISE_CERTAINTY, and a second reading, where one was taken, no surer (a second
    reading of a speck runs longer as unsurely: its length is no evidence)."""
    if len("".join((cell.text or "").split())) > NOISE_CHARS or cell.confidence >= NOISE_CERTAINTY:
        return False
    return not (cell.second or "").strip() or (cell.second_confidence or 0.0) < NOISE_CERTAINTY


MARK_IN_TEXT_PROBLEM = zh_en(
    "格内只读出一至三个不确定的字（格线、印章或纸上杂点），不是书写内容：按空白待核对，识别原文保留",
    "only one to three unsure glyphs read in the cell (a ruling line, a seal, a speck): no writing; left blank for review, the reading kept",
)


def _mark_in_text(cell: RawCell) -> bool:
    """Whether a free-text cell's reading is a mark, no writing (noise_reading), none of its glyphs read
    surely (each under mapping.places.UNSURE_CHAR, the probability under which the reader itself doubts a
    glyph): a glyph read surely is writing (已结算 read at 0.45, its 算 at 1.0, is a note read unsurely)."""
    glyphs = cell.chars if cell.chars is not None else cell.own_chars  # the kept reading's own, where two disagree
    return bool(cell.text) and noise_reading(cell) and all(p < UNSURE_CHAR for p in glyphs or ())


def _mark_left_out(record: MappedRecord, name: str, cell: RawCell) -> None:
    """A free-text cell (mapping.record.CHINESE_FREE_TEXT: the remarks) whose reading is a mark, no writing
    (_mark_in_text: one to three glyphs read less sure than NOISE_CERTAINTY, none surely, Han characters too: 一 for a
    ruling line, 仪 / 市 / 专章 for a seal's text, 不 / 之 for a speck), was mapped as blank (a code's
    wording the spec keeps there stays): its reading kept raw, flagged NOISE_BLANKED, held
    (NOISE_BLANK_CERTAINTY; never a sure blank: the cell holds ink). Why (recognizer property, as
    noise_reading's: it reads any blob as its likeliest one to three glyphs) and the field's: free text has
    no form that could say the glyphs are writing; the other fields' marks are judged by their forms.
    Before: only a mark read as letters, kana or symbols was left out (mapping.record.noise_text)."""
    fv = record.fields.get(name)
    if fv is None:
        return
    fv.raw = cell.text
    if NOISE_BLANKED not in fv.flags:
        fv.flags.append(NOISE_BLANKED)
    fv.confidence = round(min(fv.confidence, cell.confidence, NOISE_BLANK_CERTAINTY), 4)
    line = f"{name}: {MARK_IN_TEXT_PROBLEM}"
    if line not in record.problems:
        record.problems.append(line)


def writing_cells(cells: Iterable[RawCell]) -> int:
    """How many of these cells hold writing: a reading that is more than a mark (noise_reading). What
    tells a row a person's particulars were written in from an unused one (SPARSE_ROW_CELLS: blank_tail,
    _unused_row)."""
    return sum(1 for c in cells if (c.text or "").strip() and not noise_reading(c))


def unidentified_writing(cells: Sequence[RawCell], columns: Sequence[str | None], no_field: Collection[int] = ()) -> bool:
    """Whether a row holds writing (writing_cells: more than a mark) in more than SPARSE_ROW_CELLS cells of
    the columns whose field was not identified (None; not those a reviewer said hold no field of ours,
    `no_field`): a row map_rows keeps as a record even where every column with a field reads blank in it.

    Source: the ruled register, one entry a ruled row, written across the row: a row with writing in
    several of its cells is an entry, whichever of its columns the page's header and cells let us
    identify. Whether it was kept hung on the few cells of the identified columns alone, so on a page
    with many columns unidentified (a blurred or shadowed photograph) one of those cells read blank
    instead of as a mark silently lost the entry (no record, nothing for a reviewer to see), while the
    writing in its other cells was read. The serial column is left out (a printed serial is no entry),
    and so are marks (noise_reading), as blank_tail leaves them out."""
    return (
        writing_cells(c for i, c in enumerate(cells) if (i >= len(columns) or columns[i] is None) and i not in no_field)
        > SPARSE_ROW_CELLS
    )


UNIDENTIFIED_WRITING_PROBLEM = (
    "row: written only in columns whose field was not identified: an entry whose values could not be mapped; "
    "read it from the scan (the page's column doubts say which columns)"
)
"""The problem of a record kept for its writing in unidentified columns alone (unidentified_writing)."""


def rows_in_doubt(structure: Structure) -> bool:
    """Whether a page's doubts (Structure.page) concern its rows, so that no row of it is set aside as
    blank (blank_tail). Each reason the page is doubted for, and why it does or does not:

    - GRID_DOUBTS (no ruling lines, or some missing, rows placed by the alignment of text): concern
      rows. Rows read from text may be split or merged (the second line of the last entry read as a
      row of its own, its few glyphs unsure), so a row below the last written one may be writing.
    - PAGE_ASSIGNMENT_DOUBT (the column of a mandatory field could not be identified with confidence:
      which of two name columns is the deceased's, which date column is which): say nothing about
      rows. The grid was read from its ruling lines; blank_tail judges every cell's reading by its
      length and certainty alone (noise_reading), whatever field its column holds. The one column it
      treats apart, the serial (row_no), is named by no such doubt: it is no field of the spec, and
      only a mandatory field's doubt doubts the page (assign_texts).
    - any other reason (one a page stored by another version gives, or a doubt added later): taken to
      concern rows, as every page doubt was before.

    Rule source: the page's structure (its grid's source, its column assignment) and the recognizer's
    readings of marks (NOISE_CHARS, NOISE_CERTAINTY); no vocabulary of any register."""
    return any(not reason.startswith(PAGE_ASSIGNMENT_HEAD) for reason in structure.page)


def blank_tail(rows: Sequence[tuple[int, Sequence[RawCell]]], columns: Sequence[str | None], structure: Structure) -> set[int]:
    """The ruled rows below a page's last written row (more than SPARSE_ROW_CELLS cells of writing)
    whose every written cell reads only as a mark (noise_reading): the unused rows at the end of a
    register's page, where a photo's specks, shadow or ruling fragments read as one to three unsure
    glyphs. They are blank rows, skipped as a blank row is (no record, nothing said: an empty ruled row
    is no entry).

    A register is filled row after row, so a row with marks between written rows may be a faint or
    unfinished entry: it stays a record (SPARSE_ROW_CELLS tells it apart). Kept as well: a row with
    any writing (a reading longer than NOISE_CHARS or surer than NOISE_CERTAINTY, in any column but
    the serial one), a row or cell the page's structure doubts (struck through, under a seal), and
    every row of a page whose rows are in doubt (its grid: rows_in_doubt; a doubt only about which
    column holds which field says nothing of rows), whose printed columns may be read as one
    (columns_hidden), or that has no written row (a faint page's unsure readings are not set aside).
    The serial column is left out: a printed serial is no entry."""
    if rows_in_doubt(structure) or structure.columns_hidden:
        return set()
    doubted = set(structure.rows) | {r for r, _c in structure.cells}

    def marks(cells: Sequence[RawCell]) -> list[RawCell]:
        return [c for f, c in zip(columns, cells) if f != "row_no" and (c.text or "").strip()]

    written = [n for n, cells in rows if writing_cells(marks(cells)) > SPARSE_ROW_CELLS]
    if not written:
        return set()
    last = max(written)
    return {
        n for n, cells in rows if n > last and n not in doubted and marks(cells) and all(noise_reading(c) for c in marks(cells))
    }


def page_unsure_share(rows: list[tuple[int, list[RawCell]]], below: float = 0.99) -> float | None:
    """Share of a page's written cells whose first reading was less sure than `below`: a page in a
    hard hand (thin ballpoint, faded) has many; its sure-looking readings are then wrong far more
    often than on a clean page. None with fewer than 3 rows (one row says nothing of a page)."""
    if len(rows) < 3:
        return None
    written = [c for _n, cells in rows for c in cells if c.text]
    if not written:
        return None
    return sum(c.confidence < below for c in written) / len(written)


def _check_page_quality(
    out: list[ExtractedRow], rows: list[tuple[int, list[RawCell]]], settings: Settings, kind: str | None = None
) -> None:
    """Every record of a page read unsure more often than the calibrated limit (of its ledger kind) goes to review."""
    limit = settings.page_unsure_limit(kind)
    share = page_unsure_share(rows)
    if limit is None or share is None or share <= limit:
        return
    for row in out:
        line = f"page: {share:.0%} of its text read unsure (calibrated limit {limit:.0%}): hard to read"
        if line not in row.record.problems:
            row.record.problems.append(line)


SERIAL_SHAPE = re.compile(r"[A-Za-z0-9\-/. 第号航次]+")


def _shape(value: str) -> str:
    return re.sub(r"[A-Za-z]", "A", re.sub(r"[0-9]+", "9", value))


def _serial_fields(spec: KindSpec) -> list[str]:
    """The kind's serial numbers read from a column (spec normalizer "text": registration_no, voyage_no ...),
    remarks and the fields filled from context or derived left out."""
    return [
        f.name for f in spec.fields if f.normalizer == "text" and f.name != "remarks" and f.source not in ("context", "derived")
    ]


def _column_register(values: Sequence[str]) -> tuple[str, list[str], str | None, tuple[int, str]] | None:
    """A page's numbers of one serial column as read (at least 4 of SERIAL_SHAPE): their commonest shape,
    the numbers of that shape, the letter prefix the page establishes (_column_prefix, else told letter by
    letter: _prefix_by_letters; None where too few of them read it) and the commonest form of those numbers (register_form)."""
    shapes = [_shape(v) for v in values if SERIAL_SHAPE.fullmatch(v)]
    if len(shapes) < 4:
        return None
    top = Counter(shapes).most_common(1)[0][0]
    own = [v for v in values if SERIAL_SHAPE.fullmatch(v) and _shape(v) == top]
    form = Counter(register_form(v) for v in own).most_common(1)[0][0]
    prefix = _column_prefix(own, len(shapes)) or _prefix_by_letters(own, values, form, len(shapes))
    return top, own, prefix, form


def page_registers(kind: str, records: Iterable[Mapping[str, Any]], settings: Settings) -> dict[str, RegisterPrefix]:
    """The register prefixes a mapped page establishes on its own (field -> prefix and form: _column_register),
    from its records' stored fields, each number as read (a value whose prefix was put back or cut counts
    as its raw reading), so a prefix the page took from its volume never counts as its own."""
    spec = load_spec(settings.spec_version).kind(kind)
    out: dict[str, RegisterPrefix] = {}
    for name in _serial_fields(spec):
        values: list[str] = []
        for fields in records:
            fv = fields.get(name) or {}
            put = {PREFIX_FROM_COLUMN, PREFIX_FROM_VOLUME, NEIGHBOUR_TEXT_CUT} & set(fv.get("flags") or ())
            v = fv.get("raw") if put else fv.get("value")
            if isinstance(v, str) and v:
                values.append(v)
        got = _column_register(values)
        if got is not None and got[2] is not None:
            out[name] = (got[2], got[3])
    return out


def _check_column_shapes(
    rows: list[ExtractedRow], kind: str, settings: Settings, volume: Mapping[str, RegisterPrefix] | None = None
) -> None:
    """A serial number (spec normalizer "text": registration_no, voyage_no ...) whose letter prefix was
    misread gets its column's back, doubted (_column_prefix, _prefix_put_back: PREFIX_FROM_COLUMN); where
    the page establishes no prefix, the one its volume's sibling pages establish (`volume`:
    mapping.headers.prefix_in_volume), in their form, flagged PREFIX_FROM_VOLUME; then,
    one written unlike the rest of its column on the page (HZ2016035 among HZ2016-0xx, 1602 among
    16-0x) has probably lost a character: flagged `unlike_column`, confidence halved. Needs 4 rows of
    which 3/4 agree."""
    spec = load_spec(settings.spec_version).kind(kind)
    for name in _serial_fields(spec):
        vals = [(r, r.record.fields.get(name)) for r in rows]
        _separator_lost([fv for _r, fv in vals])
        got = _column_register([fv.value for _r, fv in vals if fv is not None and isinstance(fv.value, str)])
        if got is None:
            continue
        top, own, prefix, form = got
        _strays_left_out([fv for _r, fv in vals], top)
        shapes = [
            (_shape(fv.value), fv)
            for _r, fv in vals
            if fv is not None and isinstance(fv.value, str) and SERIAL_SHAPE.fullmatch(fv.value)
        ]
        _cut_spills(rows, name, form, own, prefix)
        told = (volume or {}).get(name) if prefix is None else None
        source = (prefix, form, PREFIX_FROM_COLUMN) if prefix else (*told, PREFIX_FROM_VOLUME) if told else None
        for _sh, fv in shapes:
            put = _prefix_put_back(str(fv.value), source[0], source[1]) if source is not None else None
            if source is not None and put is not None:
                fv.value = put
                fv.flags.append(source[2])
                fv.confidence = round(min(fv.confidence, PREFIX_FROM_COLUMN_CERTAINTY), 4)
        if source is not None and name in REGISTER_RUN_FIELDS:
            _prefix_lost_in_run([fv for _r, fv in vals], source[0], source[1], source[2])
        _doubt_digit_heads([fv for _r, fv in vals], len(shapes))
        shapes = [(_shape(str(fv.value)), fv) for _sh, fv in shapes]
        if sum(1 for sh, _fv in shapes if sh == top) < 0.75 * len(shapes):
            continue
        for sh, fv in shapes:
            if sh != top and "unlike_column" not in fv.flags:
                fv.flags.append("unlike_column")
                fv.confidence = round(fv.confidence * 0.5, 4)


SEPARATOR_LOST = "separator_lost"
SEPARATED_MIN = 2
"""The fewest other numbers of a column on the page, read with their separator in one form (voyage 12-04,
HZ2016-035), that make a reading of the same digits without it a number whose separator was lost
(_separator_lost): one could be a home's own way of writing; two are the column's style."""


def _separator_lost(column: Sequence[FieldValue | None]) -> None:
    """A serial number (voyage 12-04, registration HZ2016-035) read with no separator, or a gap where it stands
    (1204, 12 04), in a column whose other numbers on the page, at least SEPARATED_MIN of them, are read in
    one separated form with exactly these characters apart from the separator (mapping.headers.register_form:
    (0, '99-99')): the separator was lost, not printed away, so the reading is not read surely. Held:
    flagged SEPARATOR_LOST, no surer than PREFIX_FROM_COLUMN_CERTAINTY, the reading kept raw; the value
    proposed is the reading with the column's separator put back where its form has it (1204 -> 12-04), no
    digit changed. Rule sources: the spec's printed form of a voyage number ("printed like 10-04
    (year-serial)", keep the printed text) and a register's one numbering format down its column (as
    _prefix_put_back relies on); a property of 1-bit scans and of the recognizer (a thin hyphen dropped by a
    light threshold, then read as nothing or as a gap: design 1-bit copy lt200 of seed 4531, 12-04 read 1204
    at 1.00 and auto-accepted). Never a value a reviewer typed. Where two forms would fit, left as it is."""
    forms: Counter[tuple[int, str]] = Counter()
    seps: dict[tuple[int, str], Counter[str]] = {}
    for fv in column:
        v = fv.value if fv is not None else None
        if not isinstance(v, str) or not SERIAL_SHAPE.fullmatch(v) or " " in v.strip():
            continue
        form = register_form(v)
        if not re.fullmatch(r"9+(-9+)+", form[1]):
            continue
        forms[form] += 1
        s = fold_dashes(v.strip())
        seps.setdefault(form, Counter()).update(ch for ch, sh in zip(s[form[0] :], form[1]) if sh == "-")
    fits = [f for f, k in forms.items() if k >= SEPARATED_MIN]
    if not fits:
        return
    for fv in column:
        v = fv.value if fv is not None else None
        if fv is None or not isinstance(v, str) or "corrected_by_reviewer" in fv.flags:
            continue
        s = "".join(v.split())
        n, shape = register_form(s)
        if "-" in shape or not SERIAL_SHAPE.fullmatch(s):
            continue
        mine = [f for f in fits if f[0] == n and f[1].replace("-", "") == shape]
        if len(mine) != 1:
            continue
        sep = seps[mine[0]].most_common(1)[0][0]
        rest = iter(s[n:])
        fv.value = s[:n] + "".join(sep if sh == "-" else next(rest) for sh in mine[0][1])
        if not fv.raw:
            fv.raw = v
        fv.flags = [fl for fl in fv.flags if fl not in ("unlike_column", "gap_in_serial")] + [SEPARATOR_LOST]
        fv.confidence = round(min(fv.confidence, PREFIX_FROM_COLUMN_CERTAINTY), 4)


SERIAL_MARKS = "-/. 第号航次"
"""The characters other than letters and digits a serial column's number may hold (SERIAL_SHAPE)."""


def _strays_left_out(values: Sequence[FieldValue | None], top: str) -> None:
    """A serial number read with a ruling line or a stroke glued to its ends (|HZ2013-083, HZ2013-088|,
    一一HZ2013-098: marks no number of SERIAL_SHAPE holds, at most STRAY_MAX of them, mapping.normalize.
    without_stray_ends; its letters kept) is the number inside, where that is of the shape the rest of its
    column on the page has (`top`, _column_register): flagged STRAY_MARKS, held (STRAY_MARKS_CERTAINTY),
    the reading kept raw. Why (recognizer property): the recognizer reads all the ink of a cell's crop as
    one line, a vertical ruling line as |, a horizontal one as 一 (DITTO_READ_AS); the column's own shape
    says which characters are the number. Before: kept as read, no number of its column."""
    for fv in values:
        if fv is None or not isinstance(fv.value, str) or SERIAL_SHAPE.fullmatch(fv.value):
            continue
        core = without_stray_ends(fv.value, SERIAL_MARKS, letters=False)
        if core is None or not SERIAL_SHAPE.fullmatch(core) or _shape(core) != top:
            continue
        fv.value = core
        if STRAY_MARKS not in fv.flags:
            fv.flags.append(STRAY_MARKS)
        fv.confidence = round(min(fv.confidence, STRAY_MARKS_CERTAINTY), 4)


PREFIX_FROM_COLUMN = "prefix_from_column"
PREFIX_FROM_COLUMN_CERTAINTY = 0.45
"""A serial number whose letter prefix was written back from its column (_prefix_put_back) is a proposal
for the reviewer, never accepted unseen: under every type's calibrated threshold, as the certificate number
filled in from its page's run (pipeline.page.structure.CERT_RUN_CERTAINTY)."""


PREFIX_FROM_VOLUME = "prefix_from_volume"
"""A serial number whose letter prefix was written back from its volume's other pages (the page itself
reads too few of its numbers with the prefix: a heavily blurred photograph; mapping.headers.prefix_in_volume)
is a proposal for the reviewer as PREFIX_FROM_COLUMN's is: never above PREFIX_FROM_COLUMN_CERTAINTY, the
reading kept raw."""


NEIGHBOUR_TEXT_CUT = "neighbour_text_cut"

SPILL_SHARE = 0.5
"""A register number read with more after it (or before it) than this share of a number of its column's
form, and more than SPILL_MIN_EXTRA characters, has a neighbour's text run into it (_cut_spills): a digit
read twice or a stray mark adds one or two characters, a neighbouring row's number half a number or more
(2018-07502018-070: 2018-075 and 2018-070)."""
SPILL_MIN_EXTRA = 3
"""The fewest characters beyond a number of the column's form that can be a neighbour's text: one or two
are a digit read twice, a stray mark, or a number that outgrew the form (a serial register number past 99
or 999 is a digit longer than the page's commonest form: 98, 99, 100), however short the form."""


def _spill_candidates(value: str, form: tuple[int, str]) -> list[str]:
    """The numbers of the column's form (mapping.headers.register_form: letter prefix length, digit and
    separator shape) found in a reading, left to right, each with its letter prefix where the reading
    holds one; none where the reading is no longer than a number of the form by SPILL_SHARE of it."""
    n, body = form
    extra = len(value) - (n + len(body))
    if "9" not in body or extra < SPILL_SHARE * len(body) or extra < SPILL_MIN_EXTRA:
        return []
    pat = "".join("[0-9]" if ch == "9" else r"[-－—_./·]" if ch == "-" else re.escape(ch) for ch in body)
    return [m.group(0) for m in re.finditer(r"(?:[A-Za-z]{%d})?%s" % (n, pat), value)] if n else re.findall(pat, value)


def _cut_spills(rows: Sequence[ExtractedRow], name: str, form: tuple[int, str], own: Sequence[str], prefix: str | None) -> None:
    """A register number read with a neighbouring row's text run into it (on a photograph the text of
    the row below or above leaks into the crop: 2018-07502018-070) cut to one number of its column's
    `form` (the commonest form of the column's numbers on the page, `own`: mapping.headers.register_form),
    flagged NEIGHBOUR_TEXT_CUT and doubted (PREFIX_FROM_COLUMN_CERTAINTY at most); the reading stays the
    raw text. Where the reading holds two numbers of the form, the one that fits the column's run is kept:
    a register's numbers are issued in the order of registration, one a row (as its certificate numbers
    are: pipeline.page.structure.check_cert_run), so the row's number is the nearest row's of the form
    plus the rows between. A number cut without the column's letter prefix (_column_prefix) gets it back,
    flagged PREFIX_FROM_COLUMN as _prefix_put_back does. Rule source: how a photograph's crops are made
    (a line of the next row inside the cell) and the column's own form; no vocabulary of any register."""
    anchors: list[tuple[int, int]] = []
    for r in rows:
        fv = r.record.fields.get(name)
        if fv is not None and isinstance(fv.value, str) and fv.value in own and re.search(r"[0-9]+$", fv.value):
            anchors.append((r.row_no, int(re.findall(r"[0-9]+", fv.value)[-1])))
    for r in rows:
        fv = r.record.fields.get(name)
        if fv is None or not isinstance(fv.value, str) or register_form(fv.value) == form:
            continue
        cands = _spill_candidates(fv.value, form)
        if not cands:
            continue
        pick = cands[0]
        if anchors and len(cands) > 1:
            j, serial = min(anchors, key=lambda a: abs(a[0] - r.row_no))
            expected = serial + (r.row_no - j)
            pick = min(cands, key=lambda c: abs(int(re.findall(r"[0-9]+", c)[-1]) - expected))
        fv.value = pick
        fv.flags.append(NEIGHBOUR_TEXT_CUT)
        if prefix and form[0] == len(prefix) and not pick[: len(prefix)].isalpha():
            fv.value = prefix + pick
            fv.flags.append(PREFIX_FROM_COLUMN)
        fv.confidence = round(min(fv.confidence, PREFIX_FROM_COLUMN_CERTAINTY), 4)


PREFIX_READ_AS_DIGITS = "prefix_read_as_digits"


def _register_head(value: str, form: tuple[int, str]) -> str | None:
    """The head of a reading that is a number of the column's `form` (mapping.headers.register_form: a
    letter prefix of form[0] letters, then form[1]'s shape): the characters before that shape, where they
    are Latin letters or digits as many as the prefix or one fewer or one more (the prefix read whole,
    misread glyph by glyph: mapping.headers.prefix_misread, or a glyph lost or split in two:
    _prefix_resized). None where the reading is no such number or the form has no prefix."""
    n, body = form
    k = len(value) - len(body)
    if n == 0 or k < 1 or abs(k - n) > 1:
        return None
    head, rest = value[:k], value[k:]
    if not (head.isascii() and head.isalnum()) or register_form("A" * n + rest) != form:
        return None
    return head


def _doubt_digit_heads(column: Sequence[FieldValue | None], numbers: int) -> None:
    """A register number read with digits where its column's numbers carry a letter prefix (122013-138
    where the page reads HZ2013-131, H22013-132, BZ2013-137, RZ2013-140, Z2013-139: too few alike for
    _column_prefix / _prefix_by_letters, so nothing was put back and nothing doubted the digits) is doubted:
    flagged PREFIX_READ_AS_DIGITS, no surer than PREFIX_FROM_COLUMN_CERTAINTY, kept as read. The column's
    form is the commonest register_form of its numbers read with letters in front (at least 3, no tie);
    where at least PREFIX_SHARE of the page's `numbers` of the column (and 3) are numbers of that form
    whose head (_register_head) holds a letter, read whole or misread, each one whose head is all digits
    had its letters read as digits. Source: a register's property (its numbers are issued by one office in
    one format down the column, the prefix included: what _column_prefix rests on) and the recognizer's
    (a faint or carbon-copied capital read as the digit of its shape, Z as 2, B as 8, I as 1, H as 1 or
    11; as a digit it is as sure as any: 0.81 on the strong carbon copy sc44 of d3316 county, s44). No
    table of letter-digit pairs: mapping.normalize._DIGIT_LIKE_LETTERS (the recognizer's digit look-alikes)
    lacks H, whose lost crossbar gives 1 or 11 here; the column's own numbers say letters belong there, as
    mapping.headers.prefix_misread asks them. A column whose numbers mostly begin with digits, or carry
    no prefix, is left alone."""
    values = [fv for fv in column if fv is not None and isinstance(fv.value, str) and SERIAL_SHAPE.fullmatch(fv.value)]
    forms = Counter(f for fv in values if (f := register_form(str(fv.value)))[0] > 0).most_common(2)
    if not forms or forms[0][1] < 3 or (len(forms) > 1 and forms[1][1] == forms[0][1]):
        return
    form = forms[0][0]
    heads = [(fv, _register_head(str(fv.value), form)) for fv in values]
    lettered = sum(1 for _fv, h in heads if h is not None and not h.isdigit())
    if lettered < max(3, PREFIX_SHARE * numbers):
        return
    for fv, h in heads:
        if h is None or not h.isdigit() or PREFIX_READ_AS_DIGITS in fv.flags:
            continue
        fv.flags.append(PREFIX_READ_AS_DIGITS)
        fv.confidence = round(min(fv.confidence, PREFIX_FROM_COLUMN_CERTAINTY), 4)


PREFIX_SHARE = 0.5
"""A column's numbers have a letter prefix (_column_prefix) where at least this share of the page's
numbers of the column were read with it, in the column's commonest form: most of the column says so."""


def _column_prefix(own: Sequence[str], numbers: int) -> str | None:
    """The letters the column's numbers begin with (HZ of HZ2017-091): the commonest leading letters of
    the numbers of the column's commonest form (`own`), where at least PREFIX_SHARE of the page's
    `numbers` of the column and at least 3 were read with them; None otherwise."""
    heads = Counter(m.group(0) for v in own if (m := re.match(r"[A-Za-z]+", v)))
    if not heads:
        return None
    head, k = heads.most_common(1)[0]
    return head if k >= max(3, PREFIX_SHARE * numbers) else None


def _prefix_by_letters(own: Sequence[str], values: Sequence[str], form: tuple[int, str], numbers: int) -> str | None:
    """The column's letter prefix where too few of its numbers read it whole for _column_prefix (HZ read
    5 times of 11, the others BZ, IZ, 12, H2: the faint H of a carbon copy lost its crossbar or took a
    bowl, each cell's glyph misread its own way), told letter by letter: the commonest leading letters of
    the column's commonest form (`own`), read whole at least 3 times and more often than any other
    letters, where each of its letters is read in its place by at least PREFIX_SHARE of the page's
    `numbers` of the column, counting every reading of the form with its prefix misread (`values`:
    mapping.headers.prefix_misread: H22013-138 votes H, 122013-136 neither). Source: a property of the
    recognizer (it misreads a faint capital glyph by glyph, one cell this way, the next that, while the
    letters it keeps are the written ones) and of a register (one office, one prefix down the column, as
    _column_prefix rests on); the numbers so rewritten are proposals as every prefix put back is
    (PREFIX_FROM_COLUMN, held). Design carbon copy ac of d3316 county 02 (s39-faded, re-mapped in
    s44-fadednums): the one page so read, 6 numbers put right. None otherwise."""
    heads = Counter(m.group(0) for v in own if (m := re.match(r"[A-Za-z]+", v)))
    if not heads or form[0] == 0:
        return None
    ranked = heads.most_common(2)
    head, k = ranked[0]
    if len(head) != form[0] or k < 3 or (len(ranked) > 1 and ranked[1][1] == k):
        return None
    read = [v for v in values if SERIAL_SHAPE.fullmatch(v) and prefix_misread(v, form)]
    if all(sum(1 for v in read if v[i] == ch) >= PREFIX_SHARE * numbers for i, ch in enumerate(head)):
        return head
    return None


def _prefix_put_back(value: str, prefix: str, form: tuple[int, str]) -> str | None:
    """The column's letter prefix in place of what was read there, where the reading is a number of the
    column's `form` (mapping.headers.register_form) with its prefix misread (mapping.headers.prefix_misread:
    HZ2017-100 read 122017-100, 1Z2017-101, BZ2017-091, where the other numbers of the page read
    HZ2017-0xx). Also where one character of the prefix was lost or split in two (_prefix_resized: HZ2013-139
    read Z2013-139, H2013-152, 22013-153, 1IZ2013-133). None where the prefix was read right, or the reading
    differs elsewhere (a digit lost or added, the whole prefix lost: `unlike_column` as before). The reading
    stays the raw text."""
    n = len(prefix)
    if form[0] != n or value[:n] == prefix:
        return None
    if len(value) != n + len(form[1]):
        return _prefix_resized(value, prefix, form)
    if not prefix_misread(value, form):
        return None
    return prefix + value[n:]


def _prefix_lost_in_run(column: Sequence[FieldValue | None], prefix: str, form: tuple[int, str], flag: str) -> None:
    """A register number read with its whole letter prefix lost (2013-152 where the column reads HZ2013-151 and
    HZ2013-154 around it), the rest exactly the column's `form` after the prefix, gets the prefix back where the
    nearest numbers above and below it that carry the prefix (`column`: the page's rows in order; at the page's
    top or foot the two nearest on the one side, as check_cert_run reads a run) all count to its digits, one a
    row (151 + 1 = 152 = 154 - 2; 154 - 2 = 155 - 3): the number continues this register's run, so it is no other
    register's (the doubt _prefix_resized leaves such a reading in). Flagged as a prefix put back (`flag`), no
    surer than PREFIX_FROM_COLUMN_CERTAINTY, the reading kept raw. Rule source: the order of registration (登记号,
    SPEC.md: issued one a row, pipeline.page.structure.REGISTER_RUN_FIELDS, as confirm_register_run relies on)
    and the column's own prefix; fresh carbon copy fr39 of d3316 county (s39-faded): 2 such readings, both so
    put right."""
    n = len(prefix)

    def run_number(fv: FieldValue | None) -> int | None:
        v = fv.value if fv is not None else None
        if not isinstance(v, str) or not v.startswith(prefix) or register_form(v) != form:
            return None
        digits = re.sub(r"[^0-9]", "", v[n:])
        return int(digits) if digits else None

    numbers = [run_number(fv) for fv in column]
    for i, fv in enumerate(column):
        if fv is None or not isinstance(fv.value, str) or register_form(fv.value) != (0, form[1]):
            continue
        own = int(re.sub(r"[^0-9]", "", fv.value) or -1)
        above = [x + (i - j) for j in range(i - 1, -1, -1) if (x := numbers[j]) is not None][:2]
        below = [x - (j - i) for j in range(i + 1, len(column)) if (x := numbers[j]) is not None][:2]
        said = (above[:1] + below[:1]) if above and below else (above or below)
        if len(said) < 2 or any(x != own for x in said):
            continue
        fv.value = prefix + fv.value
        fv.flags = [fl for fl in fv.flags if fl != "unlike_column"] + [flag]
        fv.confidence = round(min(fv.confidence, PREFIX_FROM_COLUMN_CERTAINTY), 4)


def _prefix_resized(value: str, prefix: str, form: tuple[int, str]) -> str | None:
    """The column's letter prefix in place of a prefix read one character short or one long, the rest of the
    reading exactly the column's `form` after it (mapping.headers.register_form: its digits and separators,
    no letter among them): a faint or carbon-copied capital loses its thin strokes, so the recognizer drops
    it (HZ read Z or H, or Z read 2 with H lost) or reads its two stems as two glyphs (H read 1I; the
    recognizer's CTC decoding emits one character per stroke group it sees). Only where at least one
    character of the prefix is left (a number read with no prefix at all may be another register's: left
    doubted) and the reading does not begin with the prefix itself (HZ20133-153: a digit read twice, not a
    prefix misread). On the carbon design copy c5 of county 3316 all 5 wrong registration numbers were such
    readings, their neighbours read with the prefix. None otherwise."""
    n = len(prefix)
    k = len(value) - len(form[1])
    if k < 1 or abs(k - n) != 1:
        return None
    head, rest = value[:k], value[k:]
    if not (head.isascii() and head.isalnum()) or register_form("A" * n + rest) != form:
        return None
    return prefix + rest


# ----------------------------------------------------------------------------------------------
@dataclass
class PageOutcome:
    page_id: int
    status: str
    records: int = 0
    seconds: float = 0.0
    message: str = ""


def page_reason(
    status: str,
    steps: Sequence[Any],
    light: str | None = None,
    unruled: bool = False,
    dotted: bool = False,
    misread: bool = False,
) -> str:
    """The code of why a page gave no records (pipeline.kernel.reasons.REASONS): the one stored with
    the page (its `no_records` step, written by process_page), else its status, made finer where the
    cleanup found a ruled table's outline on a page without a table (`table_without_rows`: its
    `rectify` step holds the table's quad; no blank page, letter or cover, but a register page lost),
    or where the frame's light (cleanup.page_light) says it is nearly all black or dim grey and the
    cleanup found no page on it (its `capture` step), or where a 1-bit scan with ink gave no table, or
    only one read from its text's alignment (`unruled`: UnknownLedgerError.unruled) whose header names no
    ledger kind: dots of writing a threshold left, no register kind unknown to the spec (scan it again in
    grey: bilevel_no_table; a dithered 1-bit page the cleanup made grey again, its `descreen` step, is told to be
    scanned without the halftone: dithered_no_table), or where a page without a table that is no 1-bit scan holds dots of ink
    standing in lines (`dotted`: kernel.errors.InkDotsError; a photographed or grey page whose writing is
    broken up or grainy: ink_dots, not the blank-page question), or where the header of a page the cleanup
    processed as a photograph names no ledger kind and was read unsure (`misread`:
    UnknownLedgerError.misread; unknown_ledger_photo: a header misread on a poor photograph is far likelier
    than a register kind the spec lacks, which was all unknown_ledger said; on fresh phone copies of design
    pages every unknown_ledger page was a known kind photographed; a header read sure that names no kind,
    samples/invalid/unknown_ledger.jpg's columbarium fee book, keeps unknown_ledger). `steps` are
    Step objects or their stored dicts."""
    parts = _step_parts(steps)
    named = [(name, result) for name, _settings, result in parts]
    for name, result in named:
        if name == "no_records" and result.get("reason"):
            return str(result["reason"])
    if status == "no_table" and any(name == "rectify" and "quad" in result for name, result in named):
        return "table_without_rows"
    if status == "no_table" and light and not any(name == "capture" and result.get("page_found") for name, result in named):
        return light
    if (status == "no_table" or (status == "unknown_ledger" and unruled)) and any(name == "descreen" for name, _r in named):
        return "dithered_no_table"
    if (status == "no_table" or (status == "unknown_ledger" and unruled)) and _bilevel_with_ink(parts):
        return "bilevel_no_table"
    if status == "no_table" and dotted:
        return "ink_dots"
    if status == "unknown_ledger" and misread and processed_as_photograph([{"name": n, "result": r} for n, _s, r in parts]):
        return "unknown_ledger_photo"
    return status


def _step_parts(steps: Sequence[Any]) -> list[tuple[str | None, dict[str, Any], dict[str, Any]]]:
    """(name, settings, result) of each page step, given as a Step or as its stored dict."""
    return [
        (st.get("name"), dict(st.get("settings") or {}), dict(st.get("result") or {}))
        if isinstance(st, dict)
        else (st.name, dict(st.settings or {}), dict(st.result or {}))
        for st in steps
    ]


def scanned_bilevel(steps: Sequence[Any]) -> bool:
    """Whether the cleanup found the page scanned in 1-bit (its `denoise` step took bilevel specks:
    cleanup.is_bilevel on the page as scanned). Its strokes are black or white, their edges hard: no blur
    for deblur_name_line to undo, and a deconvolution only rings around them (design 1-bit copy of d3316
    county, bd3316: name cells' first readings 183 -> 174 of 246 right ones deblurred). `steps`: as
    _step_parts takes them."""
    return _denoised_bilevel(_step_parts(steps))


def _denoised_bilevel(parts: Sequence[tuple[str | None, dict[str, Any], dict[str, Any]]]) -> bool:
    """Whether the page's `denoise` step (cleanup.denoise, one a page) took bilevel specks: the cleanup
    found it scanned in 1-bit. `parts`: the page's steps (_step_parts)."""
    return any(name == "denoise" and settings.get("method") == "bilevel_specks" for name, settings, _result in parts)


def _bilevel_with_ink(parts: Sequence[tuple[str | None, dict[str, Any], dict[str, Any]]]) -> bool:
    """Whether the cleanup found the page scanned in 1-bit (its `denoise` step: bilevel specks) with black
    on it: a scanner's black border or dots of ink (a white page, all one level, is no 1-bit scan's
    evidence). A 1-bit scanner sets one threshold for the page; light writing and pale ruling fall on the
    paper's side of it, and a black border around the page pulls a global threshold (Otsu's) toward black:
    a register page can come out with its table gone and its writing in dots. Source: how a bilevel (fax,
    CCITT G4) scan is made, not our generator. `parts`: the page's steps (_step_parts)."""
    if not _denoised_bilevel(parts):
        return False
    named = {name: (settings, result) for name, settings, result in parts}
    denoise, border = named.get("denoise", ({}, {})), named.get("border_removal", ({}, {}))
    return int(border[1].get("pixels_removed") or 0) > 0 or int(denoise[1].get("specks") or 0) > 0


NO_RULED_TABLE = "no ruled table found"
INSIDE_OUTLINE = "too few ruling lines inside the table's outline"
"""The grid finder's words (layout.find_grid) and what a page whose cleanup found the table's outline is
told instead: "no ruled table found …; a ruled table's outline was found" contradicted itself."""

TABLE_WITHOUT_ROWS = "; " + reason_en("table_without_rows")
"""The end of the error of a page without rows whose cleanup found a ruled table's outline (page_reason)."""


HEADER_UNSURE = 0.99
"""A header cell read below this is unsure (UnknownLedgerError.misread): the level below which the product
reads a cell a second time (Settings.second_read_below's default, 0.99; the recognizer's confidence is its
least sure character's probability)."""


ADVISED = (
    "no_table",
    "bilevel_no_table",
    "dithered_no_table",
    "ink_dots",
    "table_without_rows",
    "columns_unread",
    "dark_page",
    "dim_page",
    "unknown_ledger",
    "unknown_ledger_photo",
)
"""The page reasons whose words end the page's stored error (page_advice)."""


def page_advice(code: str) -> str:
    """What a person does about a page that gave no records, in English (appended to the page's error;
    the CLI prints the Chinese words first: pipeline.kernel.reasons): by its page_reason `code`."""
    return "; " + reason_en(code) if code in ADVISED else ""


def render_step(plan: PdfRender | None, settings: Settings) -> dict[str, Any] | None:
    """The "render" step of a PDF page rendered as `plan` says (intake.pdf_render_plan): the resolution
    its frame is held at in the file and how much rendering it at `pdf_dpi` enlarged it (`upsample`);
    `enlarged` where by more than the cleanup's CAPTURE_UPSAMPLE_MIN, the bound below which
    correct_capture reads a frame as it is. A 150 dpi capture put into a PDF then reaches the cleanup
    as large as a 200 dpi scan, enlarged by the renderer instead of by correct_capture, and
    routing.capture_kind tells it as the low-resolution capture it is. A property of how the page was
    captured (the file's own record of it), not of any page's content. None for an image file (no
    plan: its frame reaches the cleanup as it was captured) or where the resolution cannot be told. A
    1-bit scan is rendered at its own resolution or less: `bilevel`, never enlarged, but down a fax's coarser
    direction (intake.pdf_render_plan renders it at its finer: ITU-T T.4 ~204 x 98 dpi, enlarged 2x)."""
    if plan is None:
        return None
    if plan.bilevel:  # enlarged only down a fax's coarser direction (intake.pdf_render_plan: rendered at its finer)
        up = plan.dpi / plan.image_ppi if plan.image_ppi and plan.dpi > plan.image_ppi else 1.0
        return {
            "name": "render",
            "settings": {"dpi": plan.dpi, "bilevel": True, "upsample_min": CAPTURE_UPSAMPLE_MIN},
            "result": {
                "image_ppi": round(plan.image_ppi or plan.dpi, 1),
                "upsample": round(up, 3),
                "enlarged": up >= CAPTURE_UPSAMPLE_MIN,
            },
        }
    if plan.image_ppi is None:
        return None
    up = plan.dpi / plan.image_ppi
    return {
        "name": "render",
        "settings": {"dpi": plan.dpi, "upsample_min": CAPTURE_UPSAMPLE_MIN},
        "result": {"image_ppi": round(plan.image_ppi, 1), "upsample": round(up, 3), "enlarged": up >= CAPTURE_UPSAMPLE_MIN},
    }


def aspect_step(path: Path, media: str, page_no: int, settings: Settings) -> dict[str, Any] | None:
    """The "render" step of an image file's frame held in pixels that are not square (intake.square_pixels:
    a fax at ITU-T T.4 standard resolution, ~204 x 98 dpi, its lines down printed twice): the resolutions
    its file records and how much its coarser direction was enlarged (`upsample`), `enlarged` where by
    CAPTURE_UPSAMPLE_MIN or more, as render_step records a PDF page's. Half its lines down were never
    captured, so routing.capture_kind tells it as a LOW_RESOLUTION page, whose records wait in review
    unless the thresholds were fitted on such pages: a fax copy of design county 03 + typed 04 (seed 4291,
    204 x 98 dpi) read with square pixels auto-accepted 2 wrong fields of 205 as a scan (a name one
    character off, an address character 莱 read 築), none of the grey d3316's 4 514. None for square pixels
    or a PDF (render_step)."""
    if media == "pdf":
        return None
    asp = frame_aspect(path, page_no, settings)
    if asp is None:
        return None
    up = max(asp) / min(asp)
    return {
        "name": "render",
        "settings": {"pixel_aspect": [round(asp[0], 1), round(asp[1], 1)], "upsample_min": CAPTURE_UPSAMPLE_MIN},
        "result": {"image_ppi": round(min(asp), 1), "upsample": round(up, 3), "enlarged": up >= CAPTURE_UPSAMPLE_MIN},
    }


def process_page(store: Store, page_id: int, settings: Settings, engine: OcrEngine, *, force: bool = False) -> PageOutcome:
    """Idempotent: a page already done is skipped; its records are replaced as one transaction."""
    with store.session() as s:
        page = get_row(s, Page, page_id)
        sf = get_row(s, SourceFile, page.file_id)
        if page.status in ("done", "no_table", "unknown_ledger") and not force:
            return PageOutcome(page_id, "skipped")
        path, media, page_no, rel = path_from_db(sf.abs_path), sf.media_type, page.page_no, sf.rel_path
        absent = declared_absent(s, sf.id)
    t0 = time.perf_counter()
    try:
        plan = pdf_render_plan(path, page_no, settings) if media == "pdf" else None
        image = load_page(path, media, page_no, settings, plan)
    except InputFileError as e:
        return _finish(store, page_id, "failed", t0, error=f"{rel} page {page_no}: {e.detail}")
    try:
        clean = clean_page(image)
        judge = default_judge(engine)
        gray, box, turned = orient(clean.image, clean.table_box, judge)  # a page scanned on its side or upside down
    except Exception as e:  # noqa: BLE001 - a fault of ours on one page never stops the run
        return _unexpected(store, page_id, t0, rel, page_no, "image cleanup", e)
    try:
        original = store.images.put(image) if settings.keep_original_images else None
        clean_sha = store.images.put(gray)
    except OSError as e:  # disk full (or the image folder gone): this page fails, the run goes on
        return _image_write_failed(store, page_id, t0, rel, page_no, e)
    light = page_light(image)  # what a page that gives no records is told, where its light says why
    del image
    rendered = render_step(plan, settings) or aspect_step(path, media, page_no, settings)
    steps = ([rendered] if rendered else []) + [st.to_dict() for st in clean.steps]
    quarters = turned.quarters
    photo = processed_as_photograph(steps)  # grain enlarged and sharpened: grainy cells are read denoised

    def read(volume: VolumeKind | None) -> tuple[PageExtraction, np.ndarray, tuple[int, int, int, int] | None]:
        return read_upright(
            gray,
            box,
            turned,
            judge,
            engine,
            settings,
            absent,
            clean.ruling,
            clean.seals,
            photo,
            clean.stamped,
            photograph_enlarged(steps),  # its lines read at the frame's own resolution (at_captured_resolution)
            scanned_bilevel(steps),  # its name lines read as cut (read_cells: no deblurring of 1-bit strokes)
            volume,
        )

    try:
        try:
            ext, gray, box = read(None)
        except UnknownLedgerError as e:
            vk = volume_kind(store, page_id) if e.misread and not e.named_other else None
            if e.misread and not e.named_other:  # what the volume was when it was asked (unnamed_pages)
                steps.append({"name": "volume_kind", "settings": {}, "result": {"pages": vk.pages if vk else 0}})
            if vk is None:
                raise
            turned.quarters = quarters  # as orient turned it: other_way found no kind either
            ext, gray, box = read(vk)
    except ColumnsUnreadError as e:
        kept = kept_unread(store, page_id, e)
        if kept is None:
            return _no_records(
                store, page_id, t0, e, clean, light, turned, quarters, gray, clean_sha, steps, rel, page_no, original
            )
        ext = kept
        steps.append(
            {
                "name": "columns_unread",
                "settings": {"volume_pages_least": VOLUME_AGREE + 1},
                "result": {"rows_kept": len(ext.rows)},
            }
        )
    except PageError as e:
        return _no_records(store, page_id, t0, e, clean, light, turned, quarters, gray, clean_sha, steps, rel, page_no, original)
    except Exception as e:  # noqa: BLE001 - a fault of ours on one page never stops the run
        return _unexpected(store, page_id, t0, rel, page_no, "layout, OCR and mapping", e)
    if turned.quarters != quarters:  # turned half a turn more once the header read upright
        try:
            clean_sha = store.images.put(gray)
        except OSError as e:
            return _image_write_failed(store, page_id, t0, rel, page_no, e)
    steps.append(turned.to_step())
    steps.append(
        {
            "name": "layout",
            "settings": {"mode": settings.layout_mode},
            "result": {"rows": ext.grid.n_rows, "cols": ext.grid.n_cols, "inferred_rows": list(ext.grid.inferred_rows)},
        }
    )
    steps.append(
        {
            "name": "ocr",
            "settings": {"engine": settings.engine, **settings.engine_settings, "second_read_below": settings.second_read_below},
            "result": {"version": ext.engine, **(ext.ocr.to_dict() if ext.ocr else {})},
        }
    )
    steps.append(
        {
            "name": "mapping",
            "settings": {
                "spec_version": settings.spec_version,
                "kind": ext.kind,
                "auto_accept_threshold": settings.auto_accept_threshold,
                "field_thresholds": settings.field_thresholds,
            },
            "result": {"columns": ext.columns},
        }
    )
    save_records(store, page_id, ext.kind, ext.rows, settings, steps)
    with store.session() as s, s.begin():
        page = get_row(s, Page, page_id)
        page.ledger_kind, page.title = ext.kind, ext.title
        page.layout = {"grid": ext.grid.to_dict(), "header": ext.header, "columns": ext.columns}
        if ext.decoded:
            page.layout["decoded"] = {str(c): {f: list(v) for f, v in d.items()} for c, d in ext.decoded.items()}
        if not ext.structure.empty:
            page.layout["structure"] = ext.structure.to_dict()
        decided = decided_columns(s, page)
    outcome = _finish(
        store, page_id, "done", t0, original=original, clean=clean_sha, shape=gray.shape, steps=steps, records=len(ext.rows)
    )
    if decided:  # a reviewer's word on its columns (or its volume's) holds for a page read again: mapped again with it
        remap_page(store, page_id, settings)
    return outcome


def _no_records(
    store: Store,
    page_id: int,
    t0: float,
    e: PageError,
    clean: CleanPage,
    light: str | None,
    turned: Orientation,
    quarters: int,
    gray: np.ndarray,
    clean_sha: str | None,
    steps: list[dict],
    rel: str,
    page_no: int,
    original: str | None,
) -> PageOutcome:
    """A page read that gave no records (`e` says why): its status, error and advice stored."""
    code = getattr(e, "code", None) or page_reason(
        e.reason, clean.steps, light, getattr(e, "unruled", False), getattr(e, "dotted", False), getattr(e, "misread", False)
    )
    detail = str(e)
    if code == "table_without_rows":  # the outline was found: say what was not
        detail = detail.replace(NO_RULED_TABLE, INSIDE_OUTLINE, 1)
    if turned.quarters != quarters:
        clean_sha = store.images.put(gray)
    return _finish(
        store,
        page_id,
        e.reason,
        t0,
        error=f"{rel} page {page_no}: {turned_note(turned)}{detail}{page_advice(code)}",
        original=original,
        clean=clean_sha,
        shape=gray.shape,
        steps=steps
        + [
            turned.to_step(),
            {"name": "no_records", "settings": {}, "result": {"reason": code}},
        ],
    )


def kept_unread(store: Store, page_id: int, e: ColumnsUnreadError) -> PageExtraction | None:
    """The rows of a page none of whose columns was identified, kept where its volume (volume_key: the
    file's other pages, or the other images of its folder) holds at least VOLUME_AGREE other pages, which
    may tell its columns once read (agree_volume: one printed form per book); its fields stay in doubt
    (COLUMNS_UNREAD_DOUBT). None: the page gives no records (no_table, columns_unread) as before, its rows
    having no sibling to take their columns from. Source: a property of imaging (a photograph's faint,
    grainy header words on one page, its siblings legible) and of printed registers (one form per book).
    Only the candidate siblings are read (the file's own pages, or the images under its folder), not every
    page of the store; volume_key decides."""
    ext = e.extraction
    if not isinstance(ext, PageExtraction) or not ext.rows:
        return None
    with store.session() as s:
        others = len(_volume_siblings(s, page_id))
    return ext if others >= VOLUME_AGREE else None


def _volume_siblings(s: Any, page_id: int) -> list[tuple[int, str, str | None, Any]]:
    """Inside a session: the other pages of `page_id`'s volume (volume_key: the file's own pages, or the
    images of its folder) as (id, status, ledger kind, layout)."""
    page = get_row(s, Page, page_id)
    sf = get_row(s, SourceFile, page.file_id)
    key = volume_key(sf.rel_path, sf.media_type)
    q = select(Page.id, Page.status, SourceFile.rel_path, SourceFile.media_type, Page.ledger_kind, Page.layout).join(
        SourceFile, Page.file_id == SourceFile.id
    )
    if sf.media_type in SINGLE_PAGE_MEDIA:  # the images of its folder: only files under it are read
        folder = sf.rel_path.rsplit("/", 1)[0] + "/" if "/" in sf.rel_path else ""
        like = folder.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(SourceFile.media_type.in_(SINGLE_PAGE_MEDIA), SourceFile.rel_path.like(like, escape="\\"))
    else:  # a PDF or TIFF is one book: its own pages
        q = q.where(Page.file_id == sf.id)
    return [
        (pid, status, kind, layout)
        for pid, status, rel, media, kind, layout in s.execute(q)
        if pid != page_id and volume_key(rel, media) == key
    ]


def volume_kind(store: Store, page_id: int) -> VolumeKind | None:
    """The one ledger kind the read pages of `page_id`'s volume are (its other pages done), where at least
    VOLUME_AGREE of them are and none is another kind (a volume of two kinds says nothing of this page's);
    their printed forms with it. None otherwise. Source: a property of printed registers (one book, one
    register kind, one printed form: the premise of kept_unread and agree_volume); two pages agreeing are a
    form's evidence (mapping.headers.VOLUME_AGREE), one may have been misread like this one."""
    with store.session() as s:
        done = [(kind, layout) for _pid, status, kind, layout in _volume_siblings(s, page_id) if status == "done" and kind]
    kinds = {kind for kind, _layout in done}
    if len(done) < VOLUME_AGREE or len(kinds) != 1:
        return None
    forms = tuple(dict.fromkeys(w for _k, layout in done if (w := _form_widths(layout)) is not None))
    return VolumeKind(kinds.pop(), forms, len(done)) if forms else None


def unnamed_pages(store: Store, file_ids: Collection[int] | None = None) -> list[int]:
    """The pages (of `file_ids`, else all) left unknown_ledger whose volume was asked its kind (their
    `volume_kind` step: the header misread, no other kind named) and now has more read pages of one kind
    than it had then: pages read before their siblings (read two at a time, or on other machines), to be
    read again with their volume's kind (process_page with force; pipeline.runs.stages.read_unnamed)."""
    with store.session() as s:
        q = select(Page.id, Page.steps).where(Page.status == "unknown_ledger")
        if file_ids is not None:
            q = q.where(Page.file_id.in_(list(file_ids)))
        asked = {
            pid: int(st.get("result", {}).get("pages") or 0)
            for pid, steps in s.execute(q.order_by(Page.file_id, Page.page_no))
            for st in steps or []
            if isinstance(st, dict) and st.get("name") == "volume_kind"
        }
    out = []
    for pid, had in asked.items():
        vk = volume_kind(store, pid)
        if vk is not None and vk.pages > had:
            out.append(pid)
    return out


def read_upright(
    gray: np.ndarray,
    box: tuple[int, int, int, int] | None,
    turned: Orientation,
    judge: TextDirection | None,
    engine: OcrEngine,
    settings: Settings,
    absent: Collection[str] = (),
    ruling: np.ndarray | None = None,
    seals: np.ndarray | None = None,
    photo: bool = False,
    stamped: np.ndarray | None = None,
    enlarged: float = 1.0,
    bilevel: bool = False,
    volume: VolumeKind | None = None,
) -> tuple[PageExtraction, np.ndarray, tuple[int, int, int, int] | None]:
    """extract_page on the page as `orient` turned it; where its header matches no ledger kind and the
    text reads upside down (pipeline.page.orientation.other_way), once more turned half a turn.
    `volume`: the kind its volume's pages are (extract_page), given to the page as `orient` turned it only:
    read_upright without it found no kind either way up.
    `ruling`: the cleaned page's ruling lines as scanned (CleanPage.ruling), turned here with the page;
    `seals` (CleanPage.seals) and `stamped` (CleanPage.stamped) too.
    Returns the extraction and the page (and table box) it was read from; `turned` says how."""

    def masks() -> tuple[np.ndarray | None, ...]:
        """ruling, seals, stamped as the page now lies: turned.quarters as it stands at the call (other_way
        turns the page, and `turned` with it, half a turn more)."""
        return tuple(None if m is None else turn(m, None, turned.quarters)[0] for m in (ruling, seals, stamped))

    try:
        r, sl, st = masks()
        return extract_page(gray, box, engine, settings, absent, r, sl, photo, st, enlarged, bilevel, volume), gray, box
    except (UnknownLedgerError, ColumnsUnreadError) as first:  # nothing named: perhaps read the wrong way up
        if volume is not None:
            raise
        before = turned.quarters
        other = other_way(gray, box, turned, judge)
        if other is None:
            raise
        r, sl, st = masks()
        try:
            ext = extract_page(other[0], other[1], engine, settings, absent, r, sl, photo, st, enlarged, bilevel)
        except ColumnsUnreadError:
            if not isinstance(first, ColumnsUnreadError):
                raise
            # no column either way up: the page as the orientation step turned it is the one kept
            # (its rows go with the error: kept_unread), and `turned` says so
            turned.quarters = before
            raise first from None
        return ext, other[0], other[1]


def turned_note(turned: Orientation) -> str:
    """What a problem page's message says about its orientation ("" when it was upright)."""
    if turned.degrees == 0:
        return ""
    return f"page turned: it was scanned {scanned_as(turned.degrees)} and was turned upright to be read; "


def _image_write_failed(store: Store, page_id: int, t0: float, rel: str, page_no: int, e: OSError) -> PageOutcome:
    why = "disk full" if e.errno in (errno.ENOSPC, errno.EDQUOT) else (e.strerror or type(e).__name__)
    return _finish(
        store,
        page_id,
        "failed",
        t0,
        error=f"{rel} page {page_no}: {why} while writing the page image to {store.images.root}; "
        "free space there and run again (this page is retried)",
    )


def _unexpected(store: Store, page_id: int, t0: float, rel: str, page_no: int, stage: str, e: Exception) -> PageOutcome:
    """A fault in our own code on one page: the page fails with the fault named (its type and where,
    never its message, which may quote the page's text), the run goes on; the next run retries it."""
    import traceback

    where = traceback.extract_tb(e.__traceback__)[-1]
    log.error(
        "page %s of %s failed in %s: %s at %s:%d",
        page_no,
        shown(rel),
        stage,
        type(e).__name__,
        Path(where.filename).name,
        where.lineno,
    )
    return _finish(
        store,
        page_id,
        "failed",
        t0,
        error=f"{rel} page {page_no}: unexpected {type(e).__name__} in {stage} "
        f"({Path(where.filename).name}:{where.lineno}); the page is retried on the next run; "
        "please report it with this message",
    )


def _finish(
    store: Store,
    page_id: int,
    status: str,
    t0: float,
    *,
    error: str | None = None,
    original: str | None = None,
    clean: str | None = None,
    shape=None,
    steps=None,
    records: int = 0,
) -> PageOutcome:
    seconds = time.perf_counter() - t0
    with store.session() as s, s.begin():
        page = get_row(s, Page, page_id)
        page.status, page.error, page.seconds, page.processed_at = status, error, seconds, utcnow()
        if original:
            page.original_image = original
        if clean:
            page.clean_image = clean
        if shape is not None:
            page.height, page.width = int(shape[0]), int(shape[1])
        if steps is not None:
            page.steps = steps
    if error:
        log.warning("page %s: %s", status, shown_text(error))
    return PageOutcome(page_id, status, records, seconds, error or "")


REVIEWED = ("approved", "rejected")


def record_values(row: ExtractedRow, settings: Settings, capture: str = "scan") -> dict[str, Any]:
    """The columns of a Record row that mapping decides (routing included); `capture`: the capture
    kind of its page (pipeline.page.routing.capture_kind)."""
    status, reasons = route(row.record, settings, capture)
    return dict(
        status=status,
        route_reasons=reasons,
        fields={k: v.to_dict() for k, v in row.record.fields.items()},
        problems=row.record.problems,
        cells=[c.to_dict() for c in row.cells],
        min_confidence=min((v.confidence for v in row.record.fields.values()), default=0.0),
    )


def save_records(
    store: Store, page_id: int, kind: str, rows: list[ExtractedRow], settings: Settings, steps: list[dict] | None = None
) -> None:
    """Write the page's records in one transaction (a re-run never leaves half a page). `steps`: the
    page's processing steps where they are not stored yet (a page being processed), else the stored
    ones tell its capture kind (pipeline.page.routing.capture_kind).

    A record keeps its id across re-runs and re-maps (the audit trail, claims and duplicate links
    point at it); a record a reviewer approved or rejected is left as it is."""
    from pipeline.page.holds import apply_hold, forget, holds_of

    with store.session() as s, s.begin():
        existing = {r.row_no: r for r in s.scalars(select(Record).where(Record.page_id == page_id))}
        holds = holds_of(s, [r.id for r in existing.values() if r.status not in REVIEWED])
        capture = capture_kind(get_row(s, Page, page_id).steps if steps is None else steps)
        for row in rows:
            rec = existing.pop(row.row_no, None)
            if rec is not None and rec.status in REVIEWED:
                continue
            values = record_values(row, settings, capture)
            if rec is not None:  # a blind audit sample, or a record of a volume whose audit failed, stays in review
                values = apply_hold(values, holds.get(rec.id))
            if rec is None:
                s.add(Record(page_id=page_id, row_no=row.row_no, ledger_kind=kind, **values))
            else:
                rec.ledger_kind = kind
                for k, v in values.items():
                    setattr(rec, k, v)
        for rec in existing.values():  # rows that are no longer read as records
            if rec.status not in REVIEWED and not rec.overrides:
                s.execute(delete(RecordLink).where((RecordLink.a_id == rec.id) | (RecordLink.b_id == rec.id)))
                s.execute(delete(ReviewDraft).where(ReviewDraft.record_id == rec.id))  # unsaved typing of a row gone
                forget(s, rec.id)
                s.delete(rec)


def _measure_ink(store: Store, clean_sha: str | None, rows: list[tuple[int, list[RawCell]]]) -> list[tuple[int, list[RawCell]]]:
    """Cells stored before the ink width was measured at OCR time get it from the stored clean page."""

    todo = any(c.ink is None and c.text and c.box for _n, cells in rows for c in cells)
    if not todo or not clean_sha:
        return rows
    try:
        img = store.images.get(clean_sha)
    except FileNotFoundError:
        return rows
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img
    return [
        (n, [replace(c, ink=ink_extent(cell_inner(gray, c.box))) if c.ink is None and c.text and c.box else c for c in cells])
        for n, cells in rows
    ]


def remap_page(
    store: Store,
    page_id: int,
    settings: Settings,
    told: Sequence[VolumeField] = (),
    prefixes: Mapping[str, RegisterPrefix] | None = None,
    joined: Mapping[int, tuple[str, str]] | None = None,
) -> int:
    """Map a processed page again from its stored cells (after a spec or threshold change), without OCR.
    Reviewers' corrections are applied again; records already approved or rejected are left as they are.
    `told`: the columns whose field the page's volume tells (agree_volume, take_told); `prefixes`: the
    register prefixes its volume's other pages establish where it establishes none (agree_volume,
    mapping.headers.prefix_in_volume); `joined`: its columns that hold two printed columns as its volume's
    other pages print them (agree_volume, mapping.headers.joined_in_volume, take_joined)."""
    with store.session() as s:
        page = get_row(s, Page, page_id)
        if page.status != "done" or not page.layout:
            return 0
        assert page.ledger_kind is not None  # process_page sets it with the layout, in one transaction
        kind, title, columns = page.ledger_kind, page.title or "", page.layout["columns"]
        header = list(page.layout.get("header") or [])
        structure = Structure.from_dict(page.layout.get("structure"))
        ruled = ruled_cols(page.layout.get("grid"))
        rows = [(r.row_no, [RawCell.from_dict(c) for c in r.cells]) for r in sorted(page.records, key=lambda r: r.row_no)]
        overrides = {r.row_no: r.overrides for r in page.records if r.overrides}
        clean_sha = page.clean_image
        absent = declared_absent(s, page.file_id)
        decided = decided_columns(s, page)
        decoded = stored_decoded(page.layout)
    rows = _measure_ink(store, clean_sha, rows)
    if len(header) == len(columns):
        columns = reassign_columns(kind, header, rows, structure, load_spec(settings.spec_version), ruled, decoded)
        columns = take_told(kind, columns, told, structure, load_spec(settings.spec_version))
        take_joined(columns, joined or {}, structure)
        columns = take_serial_fused(kind, header, columns, rows, structure, load_spec(settings.spec_version))
    columns = take_decided(columns, decided, structure)
    extracted = map_rows(
        kind,
        title,
        columns,
        rows,
        settings,
        overrides,
        structure,
        absent=absent,
        header=header if len(header) == len(columns) else None,
        no_field={d.index for d in decided if d.field is None},
        volume_prefixes=prefixes,
    )
    save_records(store, page_id, kind, extracted, settings)
    with store.session() as s, s.begin():
        page = get_row(s, Page, page_id)
        layout = {**(page.layout or {}), "columns": columns}
        layout.pop("structure", None)
        layout.pop("decided", None)
        if decided:
            layout["decided"] = {str(d.index): d.to_dict() for d in decided}
        if not structure.empty:
            layout["structure"] = structure.to_dict()
        page.layout = layout
    return len(extracted)


def decided_none(layout: Mapping[str, Any] | None) -> frozenset[int]:
    """The columns of a mapped page a reviewer said hold no field of ours (its layout's "decided",
    remap_page), for map_rows' `no_field`."""
    return frozenset(int(c) for c, d in ((layout or {}).get("decided") or {}).items() if d.get("field") is None)


@dataclass(frozen=True)
class DecidedColumn:
    """A reviewer's word in force on one printed column of a page (store.ColumnDecision): its field, or
    None (the column holds no field of ours), who said so, when and why."""

    index: int
    field: str | None
    user: str
    at: str  # ISO time
    why: str
    page_id: int  # the page it was decided on (this one, or a page of its volume of the same form)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "user": self.user, "at": self.at, "why": self.why, "page": self.page_id}


def _form_widths(layout: Mapping[str, Any] | None) -> tuple[float, ...] | None:
    """Each printed column's width as a share of the table's (the page's stored grid), None where unknown."""
    cols = list(((layout or {}).get("grid") or {}).get("cols") or [])
    widths = [b - a for a, b in zip(cols, cols[1:])]
    total = float(sum(widths))
    return tuple(w / total for w in widths) if len(widths) >= 2 and total > 0 else None


def decided_columns(s: Any, page: Page) -> list[DecidedColumn]:
    """Inside a session: the reviewers' words in force on `page`'s columns (store.ColumnDecision), the
    latest per column of those made on the page itself and of those made with `volume` on another page of
    its volume (volume_key) whose printed form is the page's (mapping.headers.same_form: one kind, as many
    columns, the same widths). Source: a property of printed registers (one form per book): what a
    column of one page holds, the same column of every page of that form holds."""
    me_file = page.file
    mine = volume_key(me_file.rel_path, me_file.media_type)
    q = (
        select(ColumnDecision, Page.layout, Page.ledger_kind, SourceFile.rel_path, SourceFile.media_type)
        .join(Page, ColumnDecision.page_id == Page.id)
        .join(SourceFile, Page.file_id == SourceFile.id)
        .where((ColumnDecision.page_id == page.id) | ColumnDecision.volume)
        .order_by(ColumnDecision.at, ColumnDecision.id)
    )
    widths = _form_widths(page.layout)
    n = len((page.layout or {}).get("columns") or [])
    latest: dict[int, DecidedColumn] = {}
    for d, layout, kind, rel, media in s.execute(q).all():
        if d.page_id != page.id:
            other = _form_widths(layout)
            if volume_key(rel, media) != mine or widths is None or other is None or page.ledger_kind is None:
                continue
            if not same_form(page.ledger_kind, widths, kind or "", other):
                continue
        if d.column >= n:
            continue
        at = d.at.isoformat(timespec="seconds") if d.at is not None else ""
        latest[d.column] = DecidedColumn(d.column, d.field, d.user, at, d.reason, d.page_id)
    return [latest[c] for c in sorted(latest)]


def take_decided(columns: Sequence[str | None], decided: Sequence[DecidedColumn], structure: Structure) -> list[str | None]:
    """The page's columns with the reviewers' words (decided_columns) taken last, after the page's own
    assignment and its volume's (take_told): each such column holds the field a reviewer gave it (or none)
    and loses the doubts the assignment gave it (is_assignment_doubt) and the page doubts they caused
    (PAGE_ASSIGNMENT_DOUBT); its other doubts (a seal, cells read as two columns) and the page's (the grid,
    struck rows) stay. Another column the assignment gave a field a reviewer gave to this one is left
    without it (one printed column per field), in doubt: the reviewer's word names the field's column."""
    out = list(columns)
    if not decided:
        return out
    by_reviewer = {d.index for d in decided}
    for d in decided:
        if d.index >= len(out):
            continue
        out[d.index] = d.field
        _drop_assignment_doubts(structure, d.index)
        if d.field is None:
            continue
        for c, f in enumerate(out):
            if c != d.index and f == d.field and c not in by_reviewer:
                out[c] = None
                structure.doubt_column(c, REVIEWER_MOVED_DOUBT.format(column=d.index + 1))
    # a page doubt of the assignment stays only while a column still holds the doubt it names
    left = {f"({r})" for reasons in structure.columns.values() for r in reasons if is_assignment_doubt(r)}
    structure.page[:] = [r for r in structure.page if not r.startswith(PAGE_ASSIGNMENT_HEAD) or any(r.endswith(x) for x in left)]
    return out


def _drop_assignment_doubts(structure: Structure, index: int) -> list[str]:
    """A column's doubts of which field it holds (is_assignment_doubt) taken away, its other doubts (a seal,
    cells read as two columns) kept: the ones taken away (take_told, take_decided)."""
    reasons = structure.columns.get(index, [])
    gone = [r for r in reasons if is_assignment_doubt(r)]
    kept = [r for r in reasons if not is_assignment_doubt(r)]
    if kept:
        structure.columns[index] = kept
    else:
        structure.columns.pop(index, None)
    return gone


REVIEWER_MOVED_DOUBT = "another column fits its field: a reviewer gave that field to column {column}"
"""Why a column the page's assignment gave a field loses it to the column a reviewer gave it (take_decided):
one of ASSIGNMENT_DOUBTS (it begins as the assignment's "another column fits "), so a re-map drops it and
gives it again while the reviewer's word stands."""


def take_joined(columns: Sequence[str | None], joined: Mapping[int, tuple[str, str]], structure: Structure) -> None:
    """Each column its volume tells holds two printed columns (mapping.headers.joined_in_volume) doubted
    (VOLUME_JOINED_DOUBT, its page held: MERGED_CELLS_HIDDEN), so that its cells are split for review
    (_merged_halves); its field, if any, stays."""
    for c, (first, second) in joined.items():
        if c < len(columns):
            structure.doubt_column(c, VOLUME_JOINED_DOUBT.format(first=first, second=second))
            structure.hide(MERGED_CELLS_HIDDEN.format(column=c + 1))


def take_serial_fused(
    kind: str,
    header: Sequence[str],
    columns: Sequence[str | None],
    rows: Sequence[tuple[int, Sequence[RawCell]]],
    structure: Structure,
    sp: Spec,
) -> list[str | None]:
    """Each column given no field that its volume tells holds the serial's and one field's printed columns
    (take_joined: VOLUME_JOINED_DOUBT, its own header misread) given that field where its cells show the
    page's serial fused to the field's values (_serial_fused_field), doubted (SERIAL_FUSED_DOUBT, and its page
    where the field is mandatory): map_rows takes the serial off each value, held for review."""
    texts = _column_texts(header, rows, structure)
    held = {f for f in columns if f}
    out = list(columns)
    for c, f in enumerate(columns):
        if f is not None or c >= len(header):
            continue
        field = _serial_fused_field(kind, header[c], texts[c], held, sp, structure.columns.get(c, ()))
        if field is not None:
            out[c] = field
            held.add(field)
            doubt_assignment(structure, c, field, SERIAL_FUSED_DOUBT.format(field=field), sp.kind(kind))
    return out


def _volume_pair(doubts: Sequence[str]) -> tuple[int, str, str] | None:
    """The two fields a VOLUME_JOINED_DOUBT among a column's doubts names, as merged_header gives a pair."""
    for r in doubts:
        m = re.match(re.escape(VOLUME_JOINED_DOUBT.split("(", 1)[0]) + r"\(([^,()]+), ([^,()]+)\)", r)
        if m is not None:
            return 0, m.group(1), m.group(2)
    return None


def take_told(
    kind: str, columns: Sequence[str | None], told: Sequence[VolumeField], structure: Structure, sp: Spec
) -> list[str | None]:
    """The page's columns with those its volume tells (mapping.headers.agree_in_volume) given their field.
    A column told with a doubt keeps every doubt it had and takes that one too (its page is doubted where
    the field is mandatory: PAGE_ASSIGNMENT_DOUBT, as assign_texts does); a column told without one (its
    own cells pass the field's content test) loses the doubts assign_columns gave it on the page alone
    (is_assignment_doubt) and the page doubts they caused; any other doubt (a seal, cells read as two
    columns, the grid) stays."""
    out = list(columns)
    if not told:
        return out
    for t in told:
        if t.index >= len(out):
            continue
        out[t.index] = t.field
        if t.doubt is not None:
            doubt_assignment(structure, t.index, t.field, t.doubt, sp.kind(kind))
            continue
        gone = _drop_assignment_doubts(structure, t.index)
        if gone:
            ends = tuple(f"({r})" for r in gone)
            structure.page[:] = [r for r in structure.page if not (r.startswith(PAGE_ASSIGNMENT_HEAD) and r.endswith(ends))]
    return out


def _volume_page(layout: Mapping[str, Any], kind: str, rows: Sequence[tuple[int, list[RawCell]]]) -> VolumePage | None:
    """A page as agree_in_volume reads it, from its stored layout and cells; None where its grid, header
    and columns do not line up (a page read before headers were stored)."""
    widths = _form_widths(layout)
    header = list(layout.get("header") or [])
    columns = list(layout.get("columns") or [])
    if widths is None or not (len(widths) == len(header) == len(columns)):
        return None
    structure = Structure.from_dict(layout.get("structure"))
    texts = _column_texts(header, rows, structure)
    return VolumePage(
        kind,
        widths,
        tuple(header),
        tuple(columns),
        frozenset(c for c, reasons in structure.columns.items() if reasons),
        tuple(tuple(t) for t in texts),
        tuple(
            tuple(c < len(cells) and cells[c].confidence >= SURELY_READ and cells[c].agreed is not False for _n, cells in rows)
            for c in range(len(header))
        ),
    )


def agree_volume(store: Store, page_ids: Sequence[int], settings: Settings) -> int:
    """Map again the pages of one volume whose columns their sibling pages tell (agree_in_volume), or
    whose register prefix they establish where the page reads none (prefix_in_volume), after each was
    mapped on its own; returns the pages so mapped again. Pages with reviewed records are left as
    remap_page leaves them."""
    loaded: list[tuple[int, VolumePage]] = []
    registers: list[tuple[int, str, dict[str, RegisterPrefix]]] = []
    with store.session() as s:
        for pid in page_ids:
            page = get_row(s, Page, pid)
            if page.status != "done" or not page.layout or page.ledger_kind is None:
                continue
            recs = sorted(page.records, key=lambda r: r.row_no)
            registers.append((pid, page.ledger_kind, page_registers(page.ledger_kind, [r.fields or {} for r in recs], settings)))
            rows = [(r.row_no, [RawCell.from_dict(c) for c in r.cells]) for r in recs]
            vp = _volume_page(page.layout, page.ledger_kind, rows)
            if vp is not None:
                loaded.append((pid, vp))
    by_page: dict[int, list[VolumeField]] = {}
    two: dict[int, dict[int, tuple[str, str]]] = {}
    if len(loaded) >= 2:
        told = agree_in_volume([vp for _pid, vp in loaded], load_spec(settings.spec_version))
        by_page = {pid: mine for (pid, _vp), mine in zip(loaded, told) if mine}
        two = {pid: mine for (pid, _vp), mine in zip(loaded, joined_in_volume([vp for _pid, vp in loaded])) if mine}
    prefixes = {
        pid: mine for (pid, _k, _own), mine in zip(registers, prefix_in_volume([(k, own) for _pid, k, own in registers])) if mine
    }
    done = 0
    for pid, _k, _own in registers:
        if pid in by_page or pid in prefixes or pid in two:
            remap_page(store, pid, settings, by_page.get(pid, ()), prefixes.get(pid), two.get(pid))
            done += 1
    return done


def agree_volumes(store: Store, settings: Settings, file_ids: Collection[int] | None = None) -> int:
    """agree_volume for every volume of the store (or those holding `file_ids`); returns the pages
    mapped again. Then, the pages' records being final, a name held only for its reading's doubt is
    confirmed by another register's sure reading of the same person, and a deceased's name the other
    register's entry reads one character apart and more surely takes that text, held (pipeline.page.confirm):
    every caller that maps pages again ends here, so no re-map leaves a confirmation undone."""
    with store.session() as s:
        q = select(Page.id, SourceFile.id, SourceFile.rel_path, SourceFile.media_type).join(
            SourceFile, Page.file_id == SourceFile.id
        )
        pages = s.execute(q.where(Page.status == "done").order_by(SourceFile.rel_path, Page.page_no)).all()
    by_volume: dict[str, list[int]] = {}
    wanted: set[str] = set()
    for pid, fid, rel, media in pages:
        key = volume_key(rel, media)
        by_volume.setdefault(key, []).append(pid)
        if file_ids is None or fid in file_ids:
            wanted.add(key)
    done = sum(agree_volume(store, ids, settings) for key, ids in by_volume.items() if key in wanted)
    agree_names(store, settings)
    return done
