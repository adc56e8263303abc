"""Accuracy against ground truth: the store's records compared with `*.gt.json` files beside the scans.

Used by the benchmarks and by regression tests on the committed samples; an archive can use it too,
on a sample of pages keyed by hand in the same format (see samples/README.md).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from sqlalchemy import select

from pipeline.kernel.safety import path_from_db
from pipeline.kernel.store import Page, SourceFile, Store
from pipeline.page.routing import AUTO_ACCEPTED
from pipeline.quality.calibration import Observation

NOT_SCORED = {"id_number_raw"}  # provenance, not a platform value

SOURCE_COLUMN = {"household_division_code": "household_address", "birth_date": "id_number", "id_type": "id_number"}
"""A field read from another field's column (the division from the address, the birth date and ID type
from the ID number) when the page has no column of its own for it: its failure is that column's."""

DERIVED_BY_FLAG: dict[str, tuple[str, ...]] = {"wording_kept_in_remarks": (), "derived_from_id": ("id_number",)}
"""Flags of a value made from another field's column by an official rule, with that field (none named:
the record's other fields carrying the same flag): a code's printed wording kept in the remarks (SPEC.md
"Printed wording -> code": 家属领回 is code 9 with its wording kept in remarks; the code field gets the flag
too, mapping.record._keep_wording_in_remarks), a sex or birth date read from the ID number (GB 11643).
PageView.value_state judges such a value by that column where its own printed cell is blank."""

FAILURE_KINDS = (
    "page_lost",
    "row_lost",
    "row_misplaced",
    "cell_illegible",
    "column_not_identified",
    "column_misassigned",
    "field_wrong",
)
"""Why a field is wrong, the first that applies: its page gave no rows (no table found, unknown ledger,
failed, or the file never got in); its row was not found; the record under its row number holds
another row's writing (rows merged, split or shifted); no stored reading of any cell of its row is
like the writing of its printed cell (`cell_illegible`: nothing read, or so far from it that no mapping
or normalizer could have recovered it); the column that holds it on the page was mapped to no field,
or the column mapped to it holds another column's values (or its own went to another field), judged by
the column its value was read from (PageView.value_state); else it was read or normalized wrong."""

ILLEGIBLE_BELOW = 0.5
"""`cell_illegible`: the best stored reading of the row (`best_reading_similarity`) is less like the
truth's cell than this. Why a half: the similarity is rapidfuzz's Indel ratio, so for a reading as long
as the writing it is one minus the share of its characters read wrong; below a half, most of the
characters are wrong or missing, while what the pipeline can repair is a character or two (the ID
checksum of GB 11643 fixes one digit, the recognizer's alternatives and confusions one or two characters
of a name, a date's separators). A wrong field above it is one a mapping or normalizer could have got
right, and it stays charged to its column or to field_wrong."""

ILLEGIBLE_MIN_CHARS = 3
"""Writing shorter than this (a sex, a relation, a two-digit age) is `cell_illegible` only where the
column read for it holds no reading at all: with one or two characters, a single wrong one already
halves the similarity, and a single wrong character is one of the recognizer's confusions (read or
normalized wrong, field_wrong), not a cell it could not read."""


def truth_path(scan: Path) -> Path:
    return scan.with_name(scan.stem + ".gt.json")


def scored_value(v: Any) -> str | None:
    """A value as it is compared with the truth's: its text, None for no value (None or "")."""
    if v is None or v == "":
        return None
    return str(v)


StoredRows = dict[tuple[str, int, int], Any]
"""The store's records by (scan path as stored, page number, row number)."""

PageStates = dict[tuple[str, int], tuple[str, list[str | None]]]
"""Each stored page's (status, field of each column read) by (scan path as stored, page number)."""


def stored_rows(store: Store) -> StoredRows:
    """Every record of the store under its scan path, page and row number (what a truth row is matched to)."""
    out: StoredRows = {}
    for stored, on_page, sf in store.iter_records():
        out[(sf.abs_path, on_page.page_no, stored.row_no)] = stored
    return out


def page_states(store: Store) -> PageStates:
    """Every stored page's status and the fields it gave its columns (None: no field)."""
    with store.session() as s:
        return {
            (sf_path, p.page_no): (p.status, (p.layout or {}).get("columns") or [])
            for p, sf_path in s.execute(select(Page, SourceFile.abs_path).join(SourceFile, Page.file_id == SourceFile.id))
        }


@dataclass
class Evaluation:
    rows_truth: int = 0
    rows_found: int = 0
    rows_extra: int = 0
    rows_misplaced: int = 0  # found under their row number, but holding another row's writing
    chars: int = 0
    char_errors: int = 0  # in the reading the pipeline kept for each cell (kept_reading)
    char_errors_first: int = 0  # in the first reading of each cell
    fields: int = 0
    fields_right: int = 0
    per_field: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # name -> [right, total]
    ids: int = 0
    ids_right: int = 0
    records: int = 0
    auto_accepted: int = 0
    auto_fields: int = 0
    auto_fields_wrong: int = 0
    wrong_examples: list[tuple[str, str]] = field(default_factory=list)  # (field, flags) only: no personal data
    # one per scored field (confidence, right?; no value), for calibration (pipeline.quality.calibration)
    observations: list[Observation] = field(default_factory=list)
    # the same measures per page group: "handwritten" (Kaiti, pen-like) and "printed"
    groups: dict[str, "Evaluation"] = field(default_factory=dict)
    # pages (truth files below `truth_dir` when given, else those of the store's files)
    pages: int = 0
    pages_table: int = 0  # holding a ruled table (truth "has_table", true unless said)
    pages_table_extracted: int = 0  # of those, processed and at least one of their rows found
    pages_lost: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # why a table page gave none
    pages_no_table: int = 0  # covers and the like
    pages_no_table_with_records: int = 0
    # struck-through rows (not persons: each must go to review, never be auto-accepted)
    struck_rows: int = 0
    struck_found: int = 0
    struck_auto: int = 0
    # structure: auto-accepted fields that are blank where the cell holds writing, or whose column the
    # pipeline did not identify on the page (mapped no column to it), or identified wrong: the column the
    # value was read from (PageView.value_state), as the floor says ("no field auto-accepted ... whose
    # column was not identified"): a remarks holding only a code's wording kept by SPEC.md's rule, its own
    # printed cell blank, is judged by the code's column, not by the remarks column it never read from;
    # where that cell holds ink, it counts (what it holds went unread)
    auto_blank_with_ink: int = 0
    auto_column_unidentified: int = 0
    auto_column_misassigned: int = 0
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # FAILURE_KINDS -> wrong fields
    failures_by_field: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    @property
    def cer(self) -> float:
        return self.char_errors / self.chars if self.chars else 0.0

    @property
    def cer_first(self) -> float:
        return self.char_errors_first / self.chars if self.chars else 0.0

    @property
    def field_accuracy(self) -> float:
        return self.fields_right / self.fields if self.fields else 0.0

    @property
    def id_accuracy(self) -> float:
        return self.ids_right / self.ids if self.ids else 0.0

    @property
    def auto_share(self) -> float:
        return self.auto_accepted / self.records if self.records else 0.0

    @property
    def auto_error_rate(self) -> float:
        return self.auto_fields_wrong / self.auto_fields if self.auto_fields else 0.0

    @property
    def rows_found_share(self) -> float:
        return self.rows_found / self.rows_truth if self.rows_truth else 0.0

    @property
    def pages_extracted_share(self) -> float:
        return self.pages_table_extracted / self.pages_table if self.pages_table else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_truth": self.rows_truth,
            "rows_found": self.rows_found,
            "rows_extra": self.rows_extra,
            "rows_misplaced": self.rows_misplaced,
            "cer": round(self.cer, 5),
            "cer_first_reading": round(self.cer_first, 5),
            "field_accuracy": round(self.field_accuracy, 5),
            "id_accuracy": round(self.id_accuracy, 5),
            "ids": self.ids,
            "records": self.records,
            "auto_accepted": self.auto_accepted,
            "auto_share": round(self.auto_share, 4),
            "auto_fields": self.auto_fields,
            "auto_fields_wrong": self.auto_fields_wrong,
            "auto_error_rate": round(self.auto_error_rate, 5),
            "per_field": {k: {"accuracy": round(r / t, 4), "n": t} for k, (r, t) in sorted(self.per_field.items()) if t},
            **({"groups": {k: g.to_dict() for k, g in sorted(self.groups.items())}} if self.groups else {}),
            "pages": self.pages,
            "pages_table": self.pages_table,
            "pages_table_extracted": self.pages_table_extracted,
            "pages_lost": dict(sorted(self.pages_lost.items())),
            "pages_no_table": self.pages_no_table,
            "pages_no_table_with_records": self.pages_no_table_with_records,
            "struck_rows": self.struck_rows,
            "struck_found": self.struck_found,
            "struck_auto": self.struck_auto,
            "auto_blank_with_ink": self.auto_blank_with_ink,
            "auto_column_unidentified": self.auto_column_unidentified,
            "auto_column_misassigned": self.auto_column_misassigned,
            "failures": {k: self.failures.get(k, 0) for k in FAILURE_KINDS},
            "failures_by_field": {
                k: dict(sorted(v.items(), key=lambda kv: -kv[1])) for k, v in sorted(self.failures_by_field.items())
            },
        }


def page_groups(gpage: dict[str, Any]) -> list[str]:
    """The groups a page is reported in: "printed", or "handwritten" and its hand
    ("handwritten/kaiti", "handwritten/ballpoint", "handwritten/felt")."""
    if not gpage.get("handwritten"):
        return ["printed"]
    return ["handwritten", f"handwritten/{gpage.get('pen') or 'kaiti'}"]


TruthPage = tuple[str, dict[str, Any], str, list[str | None], dict[int, Any]]
"""A page of a stored scan with a ground truth (truth_pages): the scan's stored path, the truth page, the
page's status and columns read (page_states; "?" and none where the page was never stored), and the
stored record of each truth row (None where none was found)."""


def truth_pages(store: Store) -> Iterator[TruthPage]:
    """Each page of the store's scans that has a ground-truth file beside it, for the bench scripts that
    look at fields one by one (bench/fields_wrong.py, id_misses.py, carbon_names.py)."""
    ours = stored_rows(store)
    status = page_states(store)
    for path in sorted({k[0] for k in status}):
        gt_file = truth_path(path_from_db(path))
        if not gt_file.is_file():
            continue
        gt = json.loads(gt_file.read_text(encoding="utf-8"))
        for gpage in gt["pages"]:
            st, cols = status.get((path, gpage["page"]), ("?", []))
            yield path, gpage, st, cols, {g["row"]: ours.get((path, gpage["page"], g["row"])) for g in gpage["rows"]}


def evaluate(store: Store, processed_only: bool = False, truth_dir: Path | None = None) -> Evaluation:
    """Compare every record of every scan that has a ground-truth file beside it.
    `processed_only`: pages not processed yet (a run still going, or stopped) are left out
    instead of counting their rows as not found. `truth_dir`: score every truth file below it,
    also those whose scan never got into the store (quarantined): their pages count as lost."""
    ev = Evaluation()
    ours = stored_rows(store)
    with store.session() as s:
        files = [sf.abs_path for sf in s.query(SourceFile)]
    status = page_states(store)
    pending = {k for k, (st, _c) in status.items() if st == "pending"} if processed_only else set()
    scans = list(files)
    if truth_dir is not None:
        known = {str(Path(f).resolve()) for f in files}
        for gt_file in sorted(Path(truth_dir).rglob("*.gt.json")):
            scan = next(
                (c for c in gt_file.parent.glob(gt_file.name.removesuffix(".gt.json") + ".*") if not c.name.endswith(".gt.json")),
                None,
            )
            if scan is not None and str(scan.resolve()) not in known:
                scans.append(str(scan.resolve()))
    seen: set[tuple[str, int, int]] = set()
    for path in scans:
        gt_file = truth_path(path_from_db(path))
        if not gt_file.is_file():
            continue
        gt = json.loads(gt_file.read_text(encoding="utf-8"))
        for gpage in gt["pages"]:
            if (path, gpage["page"]) in pending:
                continue
            names = page_groups(gpage)
            subs = [ev.groups.setdefault(g, Evaluation()) for g in names]
            page_status, columns_read = status.get((path, gpage["page"]), ("not_ingested", []))
            recs = {grow["row"]: ours.get((path, gpage["page"], grow["row"])) for grow in gpage["rows"]}
            got_rows = sum(1 for grow in gpage["rows"] if recs[grow["row"]] is not None and not grow.get("struck"))
            person_rows = sum(1 for grow in gpage["rows"] if not grow.get("struck"))
            page_key = {k for k in ours if k[0] == path and k[1] == gpage["page"]}
            extracted = page_status == "done" and bool(got_rows or not person_rows)
            for e in (ev, *subs):
                e.pages += 1
                if gpage.get("has_table", True):
                    e.pages_table += 1
                    if extracted:
                        e.pages_table_extracted += 1
                    else:
                        e.pages_lost[page_status if page_status != "done" else "no_rows_found"] += 1
                else:
                    e.pages_no_table += 1
                    e.pages_no_table_with_records += int(bool(page_key))
            page = page_view(gpage, page_status, columns_read, recs, lost=not extracted)
            for grow in gpage["rows"]:
                key = (path, gpage["page"], grow["row"])
                rec = recs[grow["row"]]
                seen.add(key)
                for e in (ev, *subs):
                    if grow.get("struck"):
                        e.struck_rows += 1
                        e.struck_found += int(rec is not None)
                        e.struck_auto += int(rec is not None and rec.status == AUTO_ACCEPTED)
                        continue
                    e.rows_truth += 1
                    _score_row(e, grow, rec, names[0], gpage.get("columns") or [], page)
    ev.rows_extra = sum(1 for k in ours if k not in seen and truth_path(Path(k[0])).is_file())
    return ev


def _plain(text: Any) -> str:
    return "".join(str(text or "").split())


def cell_readings(cell: dict[str, Any]) -> list[str]:
    """Every reading stored for a cell: the first, the second (where one was taken) and the recognizer's
    alternatives: what a mapping or normalizer could have chosen from."""
    out = [str(cell.get("text") or "")]
    if cell.get("second"):
        out.append(str(cell["second"]))
    out.extend(str(a[0]) for a in cell.get("alternatives") or [] if a and a[0])
    return out


def reading_similarity(truth: str, reading: str) -> float:
    """How much of the writing `truth` a reading holds, 0..1 (whitespace ignored): the Indel ratio of
    the two; where the reading is longer (two printed columns read as one, a neighbour's text run in),
    the best-aligned part of it of the writing's length (rapidfuzz partial_ratio), so a value sitting
    inside a longer reading is not taken for illegible. Nothing read where there is writing: 0."""
    t, r = _plain(truth), _plain(reading)
    if not t:
        return 1.0
    if not r:
        return 0.0
    if len(r) > len(t):
        return fuzz.partial_ratio(t, r) / 100.0
    return fuzz.ratio(t, r) / 100.0


def best_reading_similarity(truth: str, cells: Sequence[dict[str, Any]]) -> float:
    """The best `reading_similarity` of the writing `truth` over every stored reading of every cell of
    its row. Every cell is tried because where the printed column was not identified nobody knows
    which read column stands for it: the best any column could give is what any mapping could get."""
    return max((reading_similarity(truth, r) for c in cells for r in cell_readings(c)), default=0.0)


def rows_misplaced(gpage: dict[str, Any], recs: dict[int, Any]) -> frozenset[int]:
    """Truth rows whose record (the pipeline's row of that number) is clearly more like another truth
    row's writing than like its own: the rows were shifted, merged or split."""
    texts = {grow["row"]: "".join(_plain(c) for c in grow["cells"]) for grow in gpage["rows"]}
    out = set()
    for n, rec in recs.items():
        if rec is None:
            continue
        got = "".join(_plain(c.get("text", "")) for c in rec.cells)
        own = Levenshtein.normalized_similarity(got, texts[n])
        if any(Levenshtein.normalized_similarity(got, t) > own + 0.15 for m, t in texts.items() if m != n):
            out.add(n)
    return frozenset(out)


def columns_held(gpage: dict[str, Any], recs: dict[int, Any], n_read: int) -> dict[int, int | None]:
    """Which printed column (truth index) each column the pipeline read holds, judged by content: the
    printed column whose cells its readings are most alike on the page's rows (None: no clear one). Where
    two printed columns hold the same values (a serial and a registration number written alike) and fit a
    column read equally, the one at its own position is taken, so that a column read in its place is not
    scored as holding its twin."""
    truth = {grow["row"]: [_plain(c) for c in grow["cells"]] for grow in gpage["rows"]}
    n_truth = len(gpage.get("columns") or [])
    out: dict[int, int | None] = {}
    for c in range(n_read):
        scores, n = [0.0] * n_truth, 0
        for row_no, rec in recs.items():
            if rec is None or c >= len(rec.cells) or row_no not in truth:
                continue
            got = _plain(rec.cells[c].get("text", ""))
            if not got:
                continue
            n += 1
            for j, t in enumerate(truth[row_no][:n_truth]):
                scores[j] += Levenshtein.normalized_similarity(got, t)
        best = max(range(n_truth), key=lambda j: (scores[j], j == c)) if n and n_truth else None
        out[c] = best if best is not None and scores[best] / n >= 0.5 else None
    return out


@dataclass
class PageView:
    """What the pipeline made of one truth page's structure, for telling why a field is wrong (built by
    `page_view`): the truth page, its stored status, the field given each column read, which printed
    column each column read holds (`columns_held`), and the truth rows whose record holds another row's
    writing (`rows_misplaced`)."""

    gpage: dict[str, Any]
    status: str
    columns_read: list[str | None]
    held: dict[int, int | None]
    lost: bool = False  # the page gave none of its rows
    misplaced: frozenset[int] = frozenset()  # truth rows whose record holds another row's writing

    def truth_col(self, name: str) -> int | None:
        cols = self.gpage.get("columns") or []
        return cols.index(name) if name in cols else None

    def source(self, name: str) -> str:
        """The field whose printed column `name` is read from: its own where the page prints one, else
        SOURCE_COLUMN's (the division from the address, the birth date and ID type from the ID number)."""
        return name if self.truth_col(name) is not None else SOURCE_COLUMN.get(name, name)

    def field_state(self, name: str) -> str | None:
        """`column_state` of the printed column the field is read from (`source`)."""
        return self.column_state(self.source(name))

    def value_state(self, name: str, cells: Sequence[Any], fields: dict[str, Any]) -> str | None:
        """The state of the printed column a record's value of `name` was read from: what the floor "no
        field auto-accepted whose column was not identified" is about (Evaluation.auto_column_unidentified).
        `cells`: the truth row's printed cells; `fields`: the record's fields (FieldValue dicts).

        As `field_state`, but where the field's own printed column was not identified, its printed cell
        in this row is blank in the truth and its value was made by an official rule from another field's
        column (DERIVED_BY_FLAG: a code's printed wording kept in the remarks, SPEC.md "Printed wording ->
        code"; a sex or birth date derived from the ID number, GB 11643), the state of those columns: the
        value did not come from the unread column, and the cell it did not read holds nothing. Strict
        where the own cell holds ink: what the output lost there went unread, the field stays
        `not_identified` whatever its value holds."""
        state = self.field_state(name)
        own = self.truth_col(name)
        if state != "not_identified" or own is None or (own < len(cells) and _plain(cells[own])):
            return state
        fv = fields.get(name) or {}
        if scored_value(fv.get("value")) is None:
            return state
        flags = set(fv.get("flags") or [])
        sources: list[str] = []
        for flag, named in DERIVED_BY_FLAG.items():
            if flag in flags:
                sources += (
                    list(named)
                    if named
                    else [f for f, v in fields.items() if f != name and flag in ((v or {}).get("flags") or [])]
                )
        if not sources:
            return state
        states = {self.field_state(f) for f in sources}
        return next((s for s in ("not_identified", "misassigned") if s in states), "ok")

    def column_state(self, name: str) -> str | None:
        """For a field with a printed column: "ok", "not_identified" or "misassigned"; None: no column."""
        tj = self.truth_col(name)
        if tj is None:
            return None
        if name in self.columns_read:
            got = self.held.get(self.columns_read.index(name))
            return "misassigned" if got is not None and got != tj else "ok"
        if any(
            t == tj and self.columns_read[c] not in (None, "row_no") for c, t in self.held.items() if c < len(self.columns_read)
        ):
            return "misassigned"
        return "not_identified"


def page_view(
    gpage: dict[str, Any], status: str, columns_read: list[str | None], recs: dict[int, Any], *, lost: bool = False
) -> PageView:
    """The PageView of a truth page (`gpage`, one page of a `*.gt.json`) given its stored status, the
    fields of its columns read (page_states) and the record under each truth row's number (None: none;
    stored_rows); `lost`: the page gave none of its rows."""
    held = columns_held(gpage, recs, len(columns_read)) if any(recs.values()) else {}
    return PageView(gpage, status, columns_read, held, lost, rows_misplaced(gpage, recs))


def _illegible(grow: dict[str, Any], rec: Any, page: PageView, name: str) -> bool:
    """`cell_illegible`: the field's printed cell (its own column's, or the column it is read from:
    SOURCE_COLUMN) holds writing, and either no stored reading of the row is at least ILLEGIBLE_BELOW
    like it (writing of ILLEGIBLE_MIN_CHARS characters or more), or the column read for that printed
    column holds no reading at all (nothing read where the cell has writing)."""
    source = page.source(name)
    col = page.truth_col(source)
    if col is None or col >= len(grow["cells"]) or not _plain(grow["cells"][col]):
        return False
    writing = str(grow["cells"][col])
    if len(_plain(writing)) >= ILLEGIBLE_MIN_CHARS and best_reading_similarity(writing, rec.cells) < ILLEGIBLE_BELOW:
        return True
    read = page.columns_read.index(source) if source in page.columns_read else None
    return read is not None and read < len(rec.cells) and not any(_plain(r) for r in cell_readings(rec.cells[read]))


def kept_reading(rec: Any, column: str | None, first: str) -> str:
    """The text the pipeline kept for a cell of `column`: the reading its field was mapped from (a
    second reading where the two disagreed and it won, a valid text decoded from the recognizer's
    own output; the field's raw text), else the cell's first reading (row numbers, unmapped columns)."""
    fv = rec.fields.get(column) if column and column != "row_no" else None
    return first if fv is None else str(fv.get("raw") or "")


def _score_row(
    ev: Evaluation,
    grow: dict[str, Any],
    rec: Any,
    group: str = "",
    columns: Sequence[str | None] = (),
    page: PageView | None = None,
) -> None:
    truth: dict[str, Any] = grow["record"]
    values = {} if rec is None else {k: (v or {}).get("value") for k, v in rec.fields.items()}
    if rec is not None:
        ev.rows_found += 1
        ev.rows_misplaced += int(page is not None and grow["row"] in page.misplaced)
        ev.records += 1
        auto = rec.status == AUTO_ACCEPTED
        ev.auto_accepted += int(auto)
        raw_cells = [c.get("text", "") for c in rec.cells]
    else:
        auto = False
        raw_cells = []
    for i, gtext in enumerate(grow["cells"]):
        got = raw_cells[i] if i < len(raw_cells) else ""
        kept = kept_reading(rec, columns[i] if i < len(columns) else None, got) if rec is not None else got
        g = "".join(str(gtext).split())
        ev.chars += len(g)
        ev.char_errors += Levenshtein.distance(g, "".join(kept.split()))
        ev.char_errors_first += Levenshtein.distance(g, "".join(str(got).split()))
    for name in sorted(set(truth) | set(values)):
        if name in NOT_SCORED:
            continue
        t, o = scored_value(truth.get(name)), scored_value(values.get(name))
        if t is None and o is None:
            continue
        right = t == o
        if rec is not None:
            fv = rec.fields.get(name) or {}
            ev.observations.append(
                Observation(name, float(fv.get("confidence", 0.0)), right, tuple(fv.get("flags", [])), group, rec.id)
            )
        ev.fields += 1
        ev.fields_right += int(right)
        pf = ev.per_field[name]
        pf[0] += int(right)
        pf[1] += 1
        state = None
        if page is not None:
            own = page.truth_col(name)
            state = page.value_state(name, grow["cells"], rec.fields if rec is not None else {})
            if auto and own is not None and o is None and _plain(grow["cells"][own]):
                ev.auto_blank_with_ink += 1
            if auto and state == "not_identified":
                ev.auto_column_unidentified += 1
            if auto and state == "misassigned":
                ev.auto_column_misassigned += 1
            if not right:
                if rec is None:
                    kind = "page_lost" if page.lost else "row_lost"
                elif grow["row"] in page.misplaced:
                    kind = "row_misplaced"
                elif _illegible(grow, rec, page, name):
                    kind = "cell_illegible"
                elif state in ("not_identified", "misassigned"):
                    kind = "column_" + state
                else:
                    kind = "field_wrong"
                ev.failures[kind] += 1
                ev.failures_by_field[kind][name] += 1
        if auto:
            ev.auto_fields += 1
            ev.auto_fields_wrong += int(not right)
            if not right and len(ev.wrong_examples) < 50:
                flags = ",".join((rec.fields.get(name) or {}).get("flags", []))
                ev.wrong_examples.append((name, flags))
        if name == "id_number" and t is not None:
            ev.ids += 1
            ev.ids_right += int(right)
