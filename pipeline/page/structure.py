"""Structure checks: a page's doubts about its own structure become doubts about its fields.

"When the structure of a page is in doubt, its fields are in doubt: a value is certain only where
the page, the column and the cell all are." Layout and column mapping can fail in ways no
confidence of a reading shows (a ruling line missing, a header misread, rows read from the text's
alignment). Each check here turns such a failure into doubt that routing sees:

- the page: its grid was not read from ruling lines, or its columns could not all be assigned with
  confidence (`Structure.page`, decided at extraction and stored with the page's layout);
- a column: a header naming two fields whose values could not be split, a column whose field was a
  near guess (`Structure.columns`, stored too); a column whose values mostly fail their field's
  validation (`check_columns`, from the rows, so a re-map sees it again);
- a row: the serial column (序号) out of order: a row lost, merged or split (`check_serials`);
- a field with no column on the page: missing (confidence 0, reason stated), never blank at 1.0
  (`missing_fields`).

Every doubt adds a flag to the fields concerned (confidence x STRUCTURE_DOUBT) and a line to the
record's problems, which alone sends the record to review whatever its confidences.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from mapping.headers import CELLS_DOUBT, cell_reads_as
from mapping.normalize import STRAY_MAX, is_valid_id, sex_from_id
from mapping.record import NOISE_BLANKED
from mapping.spec import KindSpec, Spec
from pipeline.kernel.models import FieldValue, MappedRecord, RawCell

MERGED_HEADER_DOUBT = "its header names two fields"
"""How the doubt of a column whose header reads as two columns' headers begins (pipeline.page.extract)."""

STRUCTURE_DOUBT = 0.5
"""What a structure doubt does to a field's confidence (the record goes to review anyway, by the
problem line; this keeps the stored confidence honest for calibration and the reviewer's view)."""


@dataclass
class Structure:
    """What is in doubt about a page's structure, decided when the page is read: reasons the whole
    page is doubted, and per printed column the reasons that column is. Stored with the page's layout
    (to_dict / from_dict) so that a re-map applies them again."""

    page: list[str] = field(default_factory=list)
    columns: dict[int, list[str]] = field(default_factory=dict)
    rows: dict[int, list[str]] = field(default_factory=dict)  # data row (row_no) -> reasons it is in doubt
    # reasons the page may hold a printed column that no column read stands for (two printed columns
    # read as one): every field without a column is then unknown, not a sure blank (missing_fields)
    hidden: list[str] = field(default_factory=list)
    # (data row, printed column) -> reasons that one cell's reading is in doubt (a seal over it)
    cells: dict[tuple[int, int], list[str]] = field(default_factory=dict)

    def doubt_page(self, reason: str) -> None:
        if reason not in self.page:
            self.page.append(reason)

    def doubt_column(self, index: int, reason: str) -> None:
        reasons = self.columns.setdefault(index, [])
        if reason not in reasons:
            reasons.append(reason)

    def hide(self, reason: str) -> None:
        """The page may hold a printed column that no column read stands for (`hidden`)."""
        if reason not in self.hidden:
            self.hidden.append(reason)

    @property
    def columns_hidden(self) -> bool:
        """Whether a printed column of the page may have no column read of its own: a reason in
        `hidden`, or a column whose header names two fields (a ruling line missing) that was not split
        (pages stored before `hidden` was kept say so only by that column's doubt)."""
        return bool(self.hidden) or any(r.startswith(MERGED_HEADER_DOUBT) for rs in self.columns.values() for r in rs)

    def doubt_row(self, row_no: int, reason: str) -> None:
        reasons = self.rows.setdefault(row_no, [])
        if reason not in reasons:
            reasons.append(reason)

    def doubt_cell(self, row_no: int, index: int, reason: str) -> None:
        reasons = self.cells.setdefault((row_no, index), [])
        if reason not in reasons:
            reasons.append(reason)

    @property
    def empty(self) -> bool:
        return not self.page and not self.columns and not self.rows and not self.hidden and not self.cells

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"page": list(self.page), "columns": {str(k): list(v) for k, v in self.columns.items()}}
        if self.rows:
            d["rows"] = {str(k): list(v) for k, v in self.rows.items()}
        if self.hidden:
            d["hidden"] = list(self.hidden)
        if self.cells:
            d["cells"] = {f"{r},{c}": list(v) for (r, c), v in sorted(self.cells.items())}
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> "Structure":
        if not d:
            return cls()
        return cls(
            list(d.get("page") or []),
            {int(k): list(v) for k, v in (d.get("columns") or {}).items()},
            {int(k): list(v) for k, v in (d.get("rows") or {}).items()},
            list(d.get("hidden") or []),
            {_cell_key(k): list(v) for k, v in (d.get("cells") or {}).items()},
        )


def _cell_key(key: str) -> tuple[int, int]:
    r, c = key.split(",")
    return int(r), int(c)


def _doubt(fv: FieldValue, flag: str) -> None:
    if flag not in fv.flags:
        fv.flags.append(flag)
        fv.confidence = round(fv.confidence * STRUCTURE_DOUBT, 4)


def _problem(record: MappedRecord, line: str) -> None:
    if line not in record.problems:
        record.problems.append(line)


def _cell_fields(ks: KindSpec) -> list[str]:
    return [f.name for f in ks.fields if f.source == "cell"]


STRUCK = "a line is drawn across its text: an entry struck through? If it was crossed out, reject it (the right entry follows)"
"""Why a row with a long line across its text (pipeline.page.layout.lines_across_rows) is doubted."""


BOWED_LINE = (
    "a row line beside it bows across the table (a photographed page not lying flat): the line was followed over its bow, "
    "and its cells may hold a slice of the next row's writing or miss a slice of their own; check them against the scan"
)
"""Why a row beside a row line seen only over its bow (pipeline.page.layout.bowed_line_rows) is doubted."""


UNDER_SEAL = (
    "a seal is stamped over its cell: the reading may hold the seal's ink (its text, ring or star); check it against the scan"
)
"""Why a cell a seal covers is doubted (pipeline.page.cleanup.find_seals: a seal left as ink on a
grayscale or 1-bit scan)."""


LINE_LEFT_OUT = (
    "a line of its writing was not read (a wrapped entry's short last line, run into the line above): "
    "the reading may lack its end; check it against the scan"
)
"""Why a cell whose crop left out a line of its writing is doubted (pipeline.page.extract.doubt_left_out_lines)."""


CELL_FLAGS = {LINE_LEFT_OUT: "cell_line_left_out"}
"""The flag a cell's doubt puts on its field (any other reason: a seal over it, cell_under_seal)."""


SEAL_ONLY = (
    "its only writing lies under a seal: it may be the seal's text (its name, 专用章), no entry; "
    "reject it if the scan shows no entry under the seal"
)
"""Why a row whose every written cell a seal covers is doubted (pipeline.page.extract.doubt_seal_only_rows):
a seal is stamped last, often over the empty rows below the last entry, and its text read there is no
person's particulars."""

SEAL_CHECKED_FLAGS = frozenset({"engines_agree", "readings_same_value"})
"""The flags an ID number read under a seal may carry and still be confirmed by its own check character
(sealed_id_confirmed): a second reading agreeing, or none made. Any other flag means the number was
chosen, corrected, converted or decoded by a rule (id_corrected, id_decoded_by_row, converted_15_to_18,
decoded_valid, spec_chose_reading, ...), so its check character was used to choose it and confirms
nothing of what the scan shows."""


def sealed_id_confirmed(fv: FieldValue, normalizer: str) -> bool:
    """Whether a field read in a cell a seal covers (UNDER_SEAL) is an ID number that its GB 11643-1999
    check character (ISO 7064 MOD 11-2) confirms as read: the seal's ink changing one digit, or the
    recognizer reading a seal's stroke as a digit, makes the check fail in every case (MOD 11-2 detects
    every single-character error), so a number read under a seal that passes it, with no rule having
    chosen or corrected it (SEAL_CHECKED_FLAGS), is the writing's. Its confidence still goes through the
    ID threshold as any reading's does. Rule source: GB 11643-1999 (the check character) and a property
    of imaging (a seal is stamped last, over the written cells; where its ink misses the strokes the
    reading is the writing's). Measured on a never-fitted plain set (seed 27027, 48 pages): 42 ID numbers
    under a seal it confirms, all right (none on design d3316); wrong among auto-accepted unchanged."""
    if normalizer != "id_number" or not isinstance(fv.value, str) or not is_valid_id(fv.value):
        return False
    return "".join(fv.raw.split()).upper() == fv.value and set(fv.flags) <= SEAL_CHECKED_FLAGS


def sealed_sex_confirmed(fv: FieldValue, field_name: str, record: MappedRecord) -> bool:
    """Whether the sex code read in a cell a seal covers is confirmed by the record's ID number: a
    GB/T 2261.1 code 1 / 2 read as it stands (no flag but SEAL_CHECKED_FLAGS) that digit 17 of the
    record's ID number states (odd 1 男, even 2 女; normalize.sex_from_id), the ID itself confirmed by its
    check character (sealed_id_confirmed). A seal's stroke turning 男 into 女 or the reverse reads the
    other sex than the ID states. Rule source: GB 11643-1999 (digit 17, the check character) and GB/T
    2261.1 (the sex codes). Measured on a never-fitted plain set (seed 27027, 48 pages): 18 sex codes
    under a seal it confirms, all right (none on design d3316); wrong among auto-accepted unchanged."""
    idf = record.fields.get("id_number")
    if field_name != "sex_code" or idf is None or fv.value not in ("1", "2") or not set(fv.flags) <= SEAL_CHECKED_FLAGS:
        return False
    return sealed_id_confirmed(idf, "id_number") and isinstance(idf.value, str) and sex_from_id(idf.value) == fv.value


ROW_FLAGS = {STRUCK: "row_struck_through", SEAL_ONLY: "cell_under_seal", BOWED_LINE: "row_line_bowed"}
"""The flag a row's doubt puts on its fields (row_flag; any other: row_order_broken)."""


def row_flag(reason: str) -> str:
    """The flag a row's doubt `reason` puts on its fields: ROW_FLAGS', serial_misread for a serial read out of
    order alone (SERIAL_MISREAD: the reviewer checks that row's number, not a lost row), else row_order_broken."""
    if reason in ROW_FLAGS:
        return ROW_FLAGS[reason]
    return "serial_misread" if _SERIAL_MISREAD_RE.fullmatch(reason) else "row_order_broken"


def apply_structure(
    record: MappedRecord,
    columns: Sequence[str | None],
    structure: Structure,
    ks: KindSpec,
    row_no: int | None = None,
    cells: Sequence[RawCell] | None = None,
    sp: Spec | None = None,
) -> None:
    """The page's, the columns' and the row's doubts on one record: flags and problem lines.

    A column whose cells are doubted one by one (mapping.headers.CELLS_DOUBT: its header and its cells
    name its field, fewer than half of them read exactly) doubts this record's field only where the
    reading its value was mapped from fails the field's strict test (_cell_fails,
    mapping.headers.cell_reads_as): flag `cell_read_by_shape`, a problem line "its cell is in doubt". A
    cell read exactly, or blank, is as sure as its reading; without `cells` (the row's cells in
    printed-column order) every cell is doubted."""
    cell_fields = set(_cell_fields(ks))
    normalizers = {f.name: f.normalizer for f in ks.fields}
    for reason in structure.rows.get(row_no, []) if row_no is not None else []:
        _problem(record, f"row: {reason}")
        for fv in record.fields.values():
            if fv.raw:
                _doubt(fv, row_flag(reason))
    for (r, index), reasons in sorted(structure.cells.items()):
        column = columns[index] if r == row_no and index < len(columns) else None
        held = record.fields.get(column) if column is not None and column != "row_no" else None
        if held is None or sealed_id_confirmed(held, normalizers.get(column or "", "")):
            continue
        if column is not None and sealed_sex_confirmed(held, column, record):
            continue
        for reason in reasons:
            _doubt(held, CELL_FLAGS.get(reason, "cell_under_seal"))
        for reason in reasons:
            _problem(record, f"{column}: {reason}")
    for reason in structure.page:
        _problem(record, f"page: {reason}")
        for name, fv in record.fields.items():
            if name in cell_fields or name == "id_number_raw":
                _doubt(fv, "page_structure_doubted")
    for index, reasons in sorted(structure.columns.items()):
        column = columns[index] if index < len(columns) else None
        if column is None or column == "row_no":
            continue
        held = record.fields.get(column)
        if held is None:
            continue
        whole = [r for r in reasons if not r.startswith(CELLS_DOUBT)]
        if len(whole) < len(reasons) and _cell_fails(
            ks, column, held, cells[index] if cells is not None and index < len(cells) else None, sp
        ):
            _doubt(held, "cell_read_by_shape")
            for reason in reasons:
                if reason.startswith(CELLS_DOUBT):
                    _problem(record, f"{column}: its cell is in doubt: {reason}")
        if not whole:
            continue
        _doubt(held, "column_doubted")
        for reason in whole:
            _problem(record, f"{column}: its column is in doubt: {reason}")


def _cell_fails(ks: KindSpec, column: str, held: FieldValue, cell: RawCell | None, sp: Spec | None) -> bool:
    """Whether one cell of a column doubted one by one (CELLS_DOUBT) is in doubt: the reading its value was
    mapped from (`held.raw`, the reading the recognizer's readings agreed on or the spec chose) fails the
    field's strict test (mapping.headers.cell_reads_as), or is blank where a reading of the cell (its
    first or its second) holds text. A cell blank in every reading is as sure as any blank; no cell given
    counts as failing."""
    if cell is None:
        return True
    kept = "".join((held.raw or "").split())
    if not kept:
        return any("".join((t or "").split()) for t in (cell.text, cell.second))
    return not cell_reads_as(ks.name, column, kept, sp)


def missing_fields(ks: KindSpec, columns: Sequence[str | None], hidden: bool = False) -> list[str]:
    """The fields of the kind read from a cell that no column of the page holds, where their blank is
    not sure: a mandatory field always (the register must have it), an optional one where some printed
    column was left without a field (it may be that column: its header misread, worded otherwise) or
    where the page may hold a printed column that no column read stands for (`hidden`:
    Structure.columns_hidden, two printed columns read as one). Only where every printed column was
    read as a column and has its field is an optional field with none not on this register. Where
    no printed column may be hidden and the page is not in doubt, the columns left without a field
    narrow this per row (open_columns, missing_in_row): an optional field none of them may hold, or
    whose every such column is blank in a row, is not missing there."""
    have = set(columns)
    unsure = None in have or hidden
    return [f.name for f in ks.fields if f.source == "cell" and f.name not in have and (f.mandatory in ("M", "C") or unsure)]


SURE_BLANK = 1.0
"""The confidence pipeline.page.extract.read_cells gives a cell with no ink at all: a blank read for
sure. A cell with faint strokes (FAINT_BLANK) or ink that read as nothing has less, and is no sure blank."""


def sure_blank(cell: RawCell | None) -> bool:
    """A cell with no text and no ink (SURE_BLANK): not one whose faint strokes or ink read as nothing."""
    return cell is not None and not (cell.text or "").strip() and cell.confidence >= SURE_BLANK


def open_columns(
    kind: str,
    sp: Spec,
    columns: Sequence[str | None],
    header: Sequence[str] | None,
    rows: Sequence[tuple[int, Sequence[RawCell]]],
    fields: Iterable[str],
) -> dict[int, frozenset[str]]:
    """Per printed column left without a field, which of `fields` (optional fields no column holds) it
    may be the column of (mapping.headers.may_hold: its header lost or near a wording of the field, too
    few cells read surely to tell, or enough of its cells such as the field may hold, read however badly).
    A field that no such column may hold is not on this register. `header`: the page's header texts
    (None: not known, every such column may be any field's, as where its header was lost)."""
    from mapping.headers import SURELY_READ, may_hold

    wanted = list(fields)
    out: dict[int, frozenset[str]] = {}
    for c, field_ in enumerate(columns):
        if field_ is not None:
            continue
        cells = [cs[c] for _n, cs in rows if c < len(cs)]
        seen = [(x.text or "", x.confidence >= SURELY_READ and x.agreed is not False) for x in cells]
        head = header[c] if header is not None and c < len(header) else None
        out[c] = frozenset(f for f in wanted if may_hold(sp, kind, f, head, seen))
    return out


def missing_in_row(
    ks: KindSpec,
    lost: Sequence[str],
    opened: Mapping[int, frozenset[str]] | None,
    cells: Sequence[RawCell],
    row_doubted: bool = False,
) -> list[str]:
    """The fields of `lost` (missing_fields) that are missing in one row. Without `opened` (the page's
    structure is in doubt, or a printed column may be hidden: today's rule), all. Otherwise a mandatory
    field always, an optional one only where a column left without a field may be its column
    (`opened`, open_columns) and that column's cell in this row is not a sure blank (sure_blank): where
    every column that may be the field's is blank here, the field is blank here whatever its column
    (unless the row is in doubt, `row_doubted`: then any column that may be it keeps it missing)."""
    if opened is None:
        return list(lost)
    optional = {f.name for f in ks.fields if f.mandatory not in ("M", "C")}
    out = []
    for name in lost:
        if name not in optional:
            out.append(name)
            continue
        cols = [c for c, may in opened.items() if name in may]
        if any(row_doubted or c >= len(cells) or not sure_blank(cells[c]) for c in cols):
            out.append(name)
    return out


def only_from_other_columns(fv: FieldValue) -> bool:
    """A value that holds only what other columns gave it and nothing of its own column: the remarks
    into which a code's printed wording was kept (SPEC.md "Printed wording -> code": 家属领回 is code 9,
    "the wording is kept in remarks"; mapping.record._keep_wording_in_remarks), with no reading of a
    remarks cell (`raw` blank). The rule adds the wording to what the remarks column holds, so the
    wording tells nothing of that column's cell: where the column may be unread, the value is partial."""
    return fv.value is not None and "wording_kept_in_remarks" in fv.flags and not (fv.raw or "").strip()


def mark_missing(record: MappedRecord, missing: Iterable[str], columns: Sequence[str | None], hidden: bool = False) -> None:
    """A field whose column is not on the page is missing: confidence 0, the reason stated. A value
    derived from another column in full (a sex or birth date from the ID number, GB 11643) is kept as
    it is; one holding only other columns' wording (only_from_other_columns: a code's wording kept in
    the remarks) keeps its value but is missing too: what its own unread cell holds is not known."""
    for name in missing:
        fv = record.fields.get(name)
        if fv is None or (fv.value is not None and not only_from_other_columns(fv)):
            continue
        fv.confidence = 0.0
        if "no_column" not in fv.flags:
            fv.flags.append("no_column")
        if None in columns:
            why = "no column of this page was recognized as it, and a column's header was not recognized: read the value from the scan"
        elif hidden:
            why = (
                "no column of this page was recognized as it, and a column read holds two printed columns "
                "(a ruling line missing): read the value from the scan"
            )
        else:
            why = "no column of this page holds it: read it from the scan, or from another register"
        if fv.value is not None:
            why += " (it holds only the wording kept from another column)"
        _problem(record, f"{name}: {why}")


SERIAL = re.compile(r"[0-9]{1,5}")


def serial_of(cell: RawCell | None) -> int | None:
    """The number written in a serial (序号) cell, None where it holds no plain number."""
    if cell is None:
        return None
    s = "".join((cell.text or "").split()).rstrip(".、")
    return int(s) if SERIAL.fullmatch(s) else None


def check_serials(serials: Sequence[tuple[int, int | None]]) -> dict[int, str]:
    """Rows whose serial number (序号) breaks the page's order, with the reason: the serials of a
    register's rows follow one another (n, n+1, ...), so a jump (5 then 7) means a row lost or two
    entries read as one (a horizontal ruling line missing), a repeat or a step back (5 then 5) a row
    split or read twice. `serials`: (row_no, serial or None) in printed order, None where no number was
    read. Needs 3 numbered rows, of which most follow one another (else the column is no serial
    column, or too badly read to judge: nothing is said)."""
    known = [(r, s) for r, s in serials if s is not None]
    if len(known) < 3:
        return {}
    steps = [(b[1] - a[1], a, b) for a, b in zip(known, known[1:])]
    # rows between two numbered rows count: 5, (blank), 7 is in order
    idx = {r: i for i, (r, _s) in enumerate(serials)}
    in_order = sum(1 for d, a, b in steps if d == idx[b[0]] - idx[a[0]])
    if in_order < 0.6 * len(steps):
        return {}
    out: dict[int, str] = {}
    misread = _misread_serials(known, idx)
    for row, (serial, before, after) in misread.items():
        out[row] = SERIAL_MISREAD.format(serial=serial, before=before, after=after)
    for d, a, b in steps:
        expected = idx[b[0]] - idx[a[0]]
        if d == expected or a[0] in misread or b[0] in misread:
            continue
        if d > expected:
            why = f"serial {b[1]} follows {a[1]}: a row may be lost, or two entries read as one (a ruling line missing)"
        else:
            why = f"serial {b[1]} follows {a[1]}: a row may be split or read twice"
        out.setdefault(a[0], why)
        out.setdefault(b[0], why)
    return out


SERIAL_MISREAD = "serial {serial} read between {before} and {after}, which follow one another over its row: its number misread?"
"""Why a row whose serial alone breaks the order of its two neighbours, themselves in order, is doubted
(_misread_serials)."""
_SERIAL_MISREAD_RE = re.compile(
    re.escape(SERIAL_MISREAD)
    .replace(re.escape("{serial}"), "-?[0-9]+")
    .replace(re.escape("{before}"), "-?[0-9]+")
    .replace(re.escape("{after}"), "-?[0-9]+")
)


def _misread_serials(known: Sequence[tuple[int, int]], idx: Mapping[int, int]) -> dict[int, tuple[int, int, int]]:
    """The rows whose serial alone is out of order: the numbered rows before and after it follow one
    another over the rows between them (727, ?, 729 two rows apart: one entry between them, numbered, no
    row lost, merged or split), so the serial read between them (2200) is that one entry's number misread,
    not a row lost or split. {row: (serial read, serial before, serial after)}. Only that row stays
    doubted (its reading is the odd one); its two neighbours are in order with each other and are not.
    Rule source: the register's form (serials n, n+1, ... one a row, check_serials): a row lost, merged
    or split shifts every serial after it, a misread number shifts none."""
    out: dict[int, tuple[int, int, int]] = {}
    for a, b, c in zip(known, known[1:], known[2:]):
        if c[1] - a[1] == idx[c[0]] - idx[a[0]] and b[1] - a[1] != idx[b[0]] - idx[a[0]]:
            out[b[0]] = (b[1], a[1], c[1])
    return out


COLUMN_FAIL_SHARE = 0.5
"""A column whose written values fail their field's validation (no value, or an error flag) in more
than this share is doubted as a column: a misplaced or mis-assigned column, not bad handwriting alone."""
COLUMN_FAIL_MIN = 3
"""...judged with at least this many written values in the column."""


def failing(fv: FieldValue) -> bool:
    """A written value its field's validation rejects: no value from written text, or an error flag."""
    from mapping.flags import severity

    if not (fv.raw or "").strip():
        return False
    return fv.value is None or any(severity(f) == "error" for f in fv.flags)


def check_columns(records: Sequence[MappedRecord], columns: Sequence[str | None]) -> dict[str, str]:
    """Fields whose column's written values mostly fail validation (COLUMN_FAIL_SHARE), with the reason.
    A free-text cell read only as noise (mapping.record.noise_text, blanked) is no written value: a blank
    cell's specks say nothing of whether the column holds its field."""
    out: dict[str, str] = {}
    for name in dict.fromkeys(c for c in columns if c and c != "row_no"):
        written = [r.fields[name] for r in records if name in r.fields and (r.fields[name].raw or "").strip()]
        written = [fv for fv in written if NOISE_BLANKED not in fv.flags]  # noise read off a blank cell: no value
        if len(written) < COLUMN_FAIL_MIN:
            continue
        bad = sum(failing(fv) for fv in written)
        if bad > COLUMN_FAIL_SHARE * len(written):
            out[name] = f"{bad} of its {len(written)} values fail validation: the column may be misplaced or not this field"
    return out


def apply_column_checks(records: Sequence[MappedRecord], doubted: Mapping[str, str]) -> None:
    for rec in records:
        for name, reason in doubted.items():
            fv = rec.fields.get(name)
            if fv is None:
                continue
            _doubt(fv, "column_values_fail")
            _problem(rec, f"{name}: {reason}")


def apply_serial_checks(records: Mapping[int, MappedRecord], broken: Mapping[int, str]) -> None:
    for row_no, reason in broken.items():
        rec = records.get(row_no)
        if rec is None:
            continue
        _problem(rec, f"row: {reason}")
        for fv in rec.fields.values():
            if fv.raw:
                _doubt(fv, row_flag(reason))


FUSED_SERIAL_NORMALIZERS = frozenset({"text", "cert_no"})
"""The fields a serial fused into a cell is looked for in: numbers (a register number, a voyage number,
a certificate number; spec normalizers text and cert_no), whose own digits a serial runs into unseen."""
FUSED_SERIAL_SHARE = 0.6
"""The share of a column's written cells that must begin with the page's serial (n, n+1, ... a row) for
the serial to be taken off: check_serials' share of a serial column in order."""
FUSED_SERIAL_MIN = 3
"""The fewest cells beginning with the page's serial that show one (check_serials needs 3 too)."""
FUSED_SERIAL_DIGITS = 5
"""The longest serial looked for (SERIAL: a serial of up to 5 digits)."""
FUSED_SERIAL_CERTAINTY = 0.5
"""A value whose serial was taken off is shown to a reviewer: no calibrated threshold is below 0.5."""
_LEADING_DIGITS = re.compile(r"[0-9]+")
_SEPARATORS = "-_./、:："


def fused_serials(
    rows: Sequence[tuple[int, Sequence[RawCell]]],
    columns: Sequence[str | None],
    suspects: Iterable[int],
    names: Iterable[int] = (),
) -> dict[tuple[int, int], str]:
    """(row_no, column) -> the cell's text without the row's serial, where a ruling line missing between
    the serial column (序号) and a number column left the serial fused to each value (166HZ2014-158: 166
    | HZ2014-158; read after it at times: HZ2014-175184). `suspects`: the columns whose header holds a
    serial's wording beside the field's (mapping.headers.serial_beside_header), looked at only where no
    column of the page was given the serial; `names`: those of them whose field is a person's name (a
    name holds no digit: the serial is the cell's whole leading run of digits, 309张三: 309 | 张三).
    The serial is taken off only where the page shows it (fused_serial_texts). Rule source: a register's
    serial column (n, n+1, ... a row) and the missing ruling line of registers drawn by another hand
    (docs/DESIGN.md); no wording of any generator."""
    if "row_no" in columns:
        return {}
    named = set(names)
    out: dict[tuple[int, int], str] = {}
    for c in sorted(set(suspects)):
        if not (0 <= c < len(columns)) or columns[c] is None:
            continue
        texts = [(r, cells[c].text or "") for r, cells in rows if c < len(cells)]
        out.update({(r, c): t for r, t in fused_serial_texts(texts, name=c in named).items()})
    return out


def _keeps_own(rest: str, name: bool) -> bool:
    """Whether what is left of a cell once a serial is taken off is a value of its own: a number keeps a
    digit of its own; a name holds Han writing and no digit (a person's name is written in Han characters)."""
    if name:
        rest = rest.lstrip(_SEPARATORS)
        return bool(rest) and not any(ch.isdigit() for ch in rest) and bool(_HAN_WRITING.search(rest))
    return any(ch.isdigit() for ch in rest)


_HAN_WRITING = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def fused_serial_texts(texts: Sequence[tuple[int, str]], *, name: bool = False) -> dict[int, str]:
    """row_no -> the cell's text without the row's serial, for one column's cells (`texts`: (row_no, text)),
    where the page shows the serial fused to its values: at least FUSED_SERIAL_SHARE of the column's
    written cells (FUSED_SERIAL_MIN at least) begin with a number that goes up by one a ruled row (the
    serial of a register's rows, as check_serials reads it), and each value keeps a value of its own
    (_keeps_own: a digit of its own for a number, Han writing and no digit for a name: `name`); a cell
    of that column that ends with its row's serial instead loses it at the end. Empty where the page
    does not show it."""
    written = [(r, "".join((t or "").split())) for r, t in texts]
    written = [(r, t) for r, t in written if t]
    votes: dict[int, set[int]] = {}
    for r, t in written:
        m = _LEADING_DIGITS.match(t)
        if not m:
            continue
        digits = m.group()
        for k in range(1, min(len(digits), FUSED_SERIAL_DIGITS) + 1):
            if _keeps_own(t[k:], name):
                votes.setdefault(int(digits[:k]) - r, set()).add(r)
    if not votes:
        return {}
    base, hits = max(votes.items(), key=lambda kv: (len(kv[1]), -abs(kv[0])))
    if len(hits) < max(FUSED_SERIAL_MIN, FUSED_SERIAL_SHARE * len(written)):
        return {}
    out: dict[int, str] = {}
    for r, t in written:
        serial = str(base + r)
        if base + r < 0:
            continue
        if t.startswith(serial) and _keeps_own(t[len(serial) :], name):
            out[r] = t[len(serial) :].lstrip(_SEPARATORS)
        elif not name and t.endswith(serial) and _keeps_own(t[: -len(serial)], name):
            out[r] = t[: -len(serial)].rstrip(_SEPARATORS)
    return out


CERT_RUN_SHARE = 0.6
"""The share of a page's neighbouring certificate numbers that must count up one a row for the page's
numbers to be taken as a run (check_serials' share of a serial column in order)."""
CERT_RUN_MIN = 3
"""The fewest certificate numbers read on a page to judge their run by (check_serials needs 3 too)."""
CERT_RUN_CERTAINTY = 0.45
"""The most a certificate number that breaks its neighbours' run is sure of, or one the run decoded:
below every threshold (their floor is 0.5), so it is always reviewed."""
_CERT_VALUE = re.compile(r"20[0-9]{7}")
"""A normalized certificate number: a 4-digit year and a 5-digit serial (SPEC, mapping.normalize.normalize_cert_no)."""


@dataclass(frozen=True)
class CertRunBreak:
    """A certificate number that breaks the run of its neighbours: the number the run has at its row."""

    expected: str
    reason: str
    kept: frozenset[str] = frozenset()
    """Readings that keep their value although one confusion from `expected` (apply_cert_run): the run's
    numbers of the page's other rows that hold another of the run's numbers, where only the page's longest
    run judges the row (its nearest readings do not both say `expected`): numbers of the run trading places
    (two cremations entered in the other order, an entry written early or late, the others one row on) are
    as likely written out of turn as misread. A number whose own row reads it too, or reads no number of
    the run (itself misread), is a misreading here: a home issues each certificate once, in order."""


def check_cert_run(certs: Sequence[tuple[int, str | None]]) -> dict[int, CertRunBreak]:
    """Rows whose certificate number breaks the run of its neighbours, with the number the run has
    there. Within a register a home issues its cremation certificates in order, one a cremation, so the
    numbers count up one a row as the serial column does (check_serials). A number read says which
    number another row has if the run goes on (its own, plus or minus the rows between). The run's number
    at a row is the one the two nearest numbers read around it both say: the nearest before it and the
    nearest after it, or at a page's first or last numbers the two nearest on the side that has them
    (where they say two things, a number was skipped, misread or written out of turn nearby: nothing is
    said), judged where at least CERT_RUN_MIN numbers were read and CERT_RUN_SHARE of neighbouring ones
    count up one a row. On a page read so badly that fewer of them do, the page's longest run says it:
    the numbers that lie on one line of one a row (their number less their row the same; at least
    CERT_RUN_MIN, more than on any other line) give the number of a row that has numbers of that run
    both before and after it (a run that ends, or starts anew, at a jump says nothing beyond it). The
    longest run judges so on an orderly page too, first, every row it holds numbers both before and after:
    rows misread alike in a row (a seal over 2014-00360 .. 00363 read 00300, 00302, 00303 on a carbon copy:
    the closed loop of a 6 read 0, each off the run by the same digit) agree with one another, so their
    nearest numbers vouch for each other and not for the run around them (fresh carbon copy of design 3334).
    A run resumed after them, one a row, leaves no number to those rows but its own. Where the nearest
    numbers do not say it too, a reading that is the run's number of another row which reads another of the
    run's numbers is kept (CertRunBreak.kept: certificates written out of turn, never replaced by
    apply_cert_run). A
    row whose own number is not the run's, or is no number, breaks it. `certs`: (row_no, normalized
    number or None) of the page's written rows in printed order, None where no number of the spec's form
    was read. Where a page's numbers jump (certificates voided, a sea burial register's numbers of earlier
    cremations), a row on no run is not judged. A break is no proof of a misreading (a certificate voided, a number written
    out of turn): the number is doubted, never put right silently (apply_cert_run)."""
    pos = {r: i for i, (r, _v) in enumerate(certs)}
    known = [(pos[r], int(v)) for r, v in certs if v is not None and _CERT_VALUE.fullmatch(v)]
    if len(known) < CERT_RUN_MIN:
        return {}
    steps = list(zip(known, known[1:]))
    in_order = sum(1 for a, b in steps if b[1] - a[1] == b[0] - a[0]) >= CERT_RUN_SHARE * len(steps)
    # the page's longest run: the numbers that lie on one line of one a row (number - row the same)
    lines = Counter(v - p for p, v in known).most_common(2)
    line = lines[0][0] if lines[0][1] >= CERT_RUN_MIN and (len(lines) < 2 or lines[1][1] < lines[0][1]) else None
    on_line = [p for p, v in known if line is not None and v - p == line]
    run = {str(line + q) for q in range(len(certs))} if line is not None else set()  # the run's numbers of the page
    out: dict[int, CertRunBreak] = {}
    for r, v in certs:
        p = pos[r]
        before = [k[1] - (k[0] - p) for k in known if k[0] < p]
        after = [k[1] - (k[0] - p) for k in known if k[0] > p]
        said = (before[-1:] + after[:1]) if before and after else (before[-2:] or after[:2])
        nearest = said[0] if in_order and len(said) == 2 and said[0] == said[1] else None
        kept: frozenset[str] = frozenset()
        if line is not None and any(q < p for q in on_line) and any(q > p for q in on_line):
            expected = line + p  # between numbers of the page's longest run: it has the run's number
            if nearest != expected:  # the run alone says it: numbers of the run trading places are not replaced
                kept = frozenset(str(line + q) for q, (_r, w) in enumerate(certs) if q != p and w in run and w != str(line + q))
        elif nearest is not None:
            expected = nearest
        else:
            continue
        if v is not None and _CERT_VALUE.fullmatch(v) and int(v) == expected:
            continue
        out[r] = CertRunBreak(
            str(expected),
            f"certificate number out of its neighbours' run (they count up one a row: {expected} expected here): "
            "misread, or a certificate issued out of turn? Check it against the scan",
            kept,
        )
    return out


REGISTER_RUN_FIELDS = ("registration_no",)
"""The fields whose numbers a register issues one a row (confirm_register_run): 登记号, issued in the order of
registration (mapping.headers._serial_no_rival: a page's register numbers follow one another as a serial's do)."""
RUN_WITNESS = 0.9
"""How sure a neighbouring row's number must be read (mapping.headers.SURELY_READ) to confirm a number by the run."""
STRUCTURE_DOUBT_FLAGS = frozenset(
    {
        "no_column",
        "column_doubted",
        "column_values_fail",
        "page_structure_doubted",
        "row_struck_through",
        "row_order_broken",
        "serial_misread",
        "cell_under_seal",
        "cell_line_left_out",
        "cell_read_by_shape",
    }
)
"""The flags this module's checks put on a field (with a problem line naming the doubt) when its page,
column, row or cell is in doubt and its confidence is lowered for it."""
RUN_DOUBT_FLAGS = STRUCTURE_DOUBT_FLAGS | {"corrected_by_reviewer"}
"""A number so flagged is neither confirmed by the run nor a witness of it: its page, column, row or cell is in
doubt (the doubt holds it whatever it reads), or a reviewer typed it."""
_RUN_NUMBER = re.compile(r"(.*?)([0-9]+)")


def _run_number(fv: FieldValue | None) -> tuple[str, int, int] | None:
    """(prefix, number, digits) of a register number ending in digits (HZ2016-0125: HZ2016-, 125, 4)."""
    if fv is None or not isinstance(fv.value, str) or set(fv.flags) & RUN_DOUBT_FLAGS:
        return None
    m = _RUN_NUMBER.fullmatch(fv.value)
    return None if m is None else (m.group(1), int(m.group(2)), len(m.group(2)))


def confirm_register_run(records: Mapping[int, MappedRecord], field_name: str) -> None:
    """A register number read unsure (below RUN_WITNESS) that is the number a neighbouring row's says (the
    row just above or below, read at RUN_WITNESS or more as it stands: no flag but SEAL_CHECKED_FLAGS; the
    same prefix and digits, its number one less or one more) is confirmed: its confidence is raised to that
    witness's (the least of two), flagged `number_in_run`. A register issues its numbers one a row, so a
    reading that lands exactly on its neighbour's next number is that number: a misreading would have to
    turn the written digits into exactly the run's (and the written number be out of the run). A number
    in doubt for its page, column, row or cell (RUN_DOUBT_FLAGS) is never confirmed: that doubt holds it.
    The value is never changed. Rule source: the order of registration (登记号, SPEC.md; the premise of
    check_cert_run for certificates). Design d3316, fd3316 (faded), bm3333 (bilevel) county and s4482
    camera: 11 register numbers read below 0.65 so confirmed, all right."""
    for row_no, rec in records.items():
        fv = rec.fields.get(field_name)
        own = _run_number(fv)
        if fv is None or own is None or fv.confidence >= RUN_WITNESS:
            continue
        witnesses = []
        for step in (-1, 1):
            other = records.get(row_no + step)
            wv = other.fields.get(field_name) if other is not None else None
            near = _run_number(wv)
            if wv is None or near is None or wv.confidence < RUN_WITNESS or not set(wv.flags) <= SEAL_CHECKED_FLAGS:
                continue
            if near[0] == own[0] and near[2] == own[2] and near[1] == own[1] + step:
                witnesses.append(wv.confidence)
        if witnesses:
            fv.confidence = round(max(fv.confidence, min(witnesses)), 4)
            if "number_in_run" not in fv.flags:
                fv.flags.append("number_in_run")


def _one_confusion(read: str, written: str) -> bool:
    """Whether `read` is `written` with one digit misread as the recognizer misreads digits
    (mapping.idfix.CONFUSABLE: digit read -> the digits it may have been written as)."""
    from mapping.idfix import CONFUSABLE

    if len(read) != len(written):
        return False
    diff = [i for i, (a, b) in enumerate(zip(read, written)) if a != b]
    return len(diff) == 1 and written[diff[0]] in CONFUSABLE.get(read[diff[0]], "")


_UNREAD_CERT = ("nonstandard_format", "bad_characters", "too_long", "missing_mandatory")
"""What a certificate reading that gave no number of the spec's form was flagged with: the run's number
put in its place drops them."""


def _numbers_in(raw: str) -> list[str]:
    """The runs of digits of a reading, its separators (- _ . /) and spaces dropped (2013-00028N: 201300028)."""
    return re.findall(r"[0-9]+", re.sub(r"[-_./\s]", "", unicodedata.normalize("NFKC", raw)))


def _holds_whole(digits: str, expected: str) -> bool:
    """Whether a reading's run of digits is the run's number, or holds it whole with at most STRAY_MAX
    digits glued at its ends (No.2014004377 for 201400437, 7201500591 for 201500591: a ruling line, a
    seal's ring or a neighbour's stroke read as a digit, as mapping.normalize.without_stray_ends reads
    such marks beside a number; a digit being the one mark a digit-only check cannot tell)."""
    return digits == expected or (
        len(digits) - len(expected) <= STRAY_MAX and (digits.startswith(expected) or digits.endswith(expected))
    )


def apply_cert_run(records: Mapping[int, MappedRecord], field_name: str, breaks: Mapping[int, CertRunBreak]) -> None:
    """The doubts of check_cert_run on the records' certificate numbers. A number of the spec's form
    that breaks the run keeps its value, doubted (`cert_no_out_of_run`, at most CERT_RUN_CERTAINTY),
    except where it is the run's number with one digit misread as the recognizer misreads digits
    (mapping.idfix.CONFUSABLE): then the run's number is filled in, doubted (`cert_no_decoded_by_run`,
    the reading kept in raw). A reading that gave no number of the spec's form (marks glued to it:
    201100115N, MAMA2013-00476) and holds the run's number whole among its characters (its year and
    serial, their separator dropped), or it with one digit misread as above (2014-00302业务专用, a seal's
    words glued to it, for 2014-00362), gets it, doubted
    alike. Where only the page's longest run says the row's number (its nearest readings do not both say
    it), a reading that is the run's number of another row of the page holding another of the run's numbers
    (CertRunBreak.kept: 2014-00366 and
    00365 in each other's rows, two cremations entered in the other order; 00368 entered early between
    00365 and 00366) is not replaced though one confusion away: the certificate form's numbering puts a
    number written out of turn in such a row as readily as the recognizer's confusions do, so it keeps
    its value, doubted (`cert_no_out_of_run`). Nothing is ever taken without a reviewer: both stay below
    every threshold."""
    for row_no, brk in breaks.items():
        rec = records.get(row_no)
        if rec is None:
            continue
        fv = rec.fields.get(field_name)
        if fv is None or not (fv.raw or "").strip() or "corrected_by_reviewer" in fv.flags:
            continue
        value = fv.value if isinstance(fv.value, str) and _CERT_VALUE.fullmatch(fv.value) else None
        if value is not None and value not in brk.kept and _one_confusion(value, brk.expected):
            decoded, confidence = True, min(fv.confidence, CERT_RUN_CERTAINTY)
        elif value is None and any(
            _holds_whole(n, brk.expected) or (n not in brk.kept and _one_confusion(n, brk.expected)) for n in _numbers_in(fv.raw)
        ):
            decoded, confidence = True, CERT_RUN_CERTAINTY * STRUCTURE_DOUBT
        elif value is not None:
            decoded, confidence = False, min(fv.confidence, CERT_RUN_CERTAINTY)
        else:
            continue  # no number read: nothing to doubt, nothing the run could confirm
        if decoded:
            fv.value = brk.expected
            fv.flags[:] = [f for f in fv.flags if f not in _UNREAD_CERT]
        flag = "cert_no_decoded_by_run" if decoded else "cert_no_out_of_run"
        if flag not in fv.flags:
            fv.flags.append(flag)
        fv.confidence = round(confidence, 4)
        _problem(rec, f"{field_name}: {brk.reason}")
