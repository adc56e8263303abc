"""Why records are held for review: every record that is not auto-accepted, by the causes that hold it.

    python bench/hold_reasons.py bench/out/design/seed3301-p20 bench/out/design/seed3303-p10 --tag before
    python bench/hold_reasons.py ROOT... --thresholds bench/out/families-heldout/seed2101-p40/folds/thresholds-without-red_book.json

Each ROOT holds family folders `<family>/scans` (the generated set with its truth) and
`<family>/run-*/data` (a store the OCR stage of bench/bench_families.py wrote). Each store is re-mapped
from its stored cells (`backfill remap`, no OCR; `--no-remap` scores it as it is) with the packaged
thresholds or `--thresholds`, scored against the truth (pipeline.quality.evaluate), and every held
record's route reasons are sorted into causes:

- `low confidence: <type>`: a field read below its type's threshold (the field's spec type, as
  pipeline.quality.calibration fits them);
- `page: ...`: a doubt on the whole page (grid from text, a mandatory column not identified with
  confidence, the page read unsure more than its calibrated limit);
- `column in doubt`, `column fails validation`, `no column`: a column's doubts
  (pipeline.page.structure); `cell under a seal`: a cell a seal covers (Structure.cells); `cell read by
  shape`: a cell of a column sure of its field that reads as its value only through look-alike glyphs
  (mapping.headers.CELLS_DOUBT);
- `row: ...`: struck through, serial order broken, a nearly empty row;
- `check: ...`: a record's own validation (mandatory value missing or invalid, cross-field checks);
- `audit/hold`: a blind-audit sample or a send-back (pipeline.page.holds).

A field's low confidence or missing value that a structure doubt caused (its flags: STRUCTURE_FLAGS) is
counted under that doubt only, not again as a low confidence.

For each cause: the records it holds (`any`), those it alone holds (`sole`: removing it would accept
them), and among those, how many hold a wrong field (what accepting them would cost). At field level
(`held_fields`): per cause, how many of the fields it holds are right and how many wrong against the
truth (what a lift of that cause's fields would let through), per (cause, field) too, and per column or
cell doubt by its wording (which doubts hold right fields); and the records
held by exactly one field and no page, row or audit reason (the cheapest lifts), with whether that field
or another field of the record is wrong. Per cause holding records alone, and per pair of causes holding
records together (cause_tally): the records, those entirely right (every field exact), and the wrong fields
among them (what lifting that cause or pair would auto-accept wrong). The records no name or address
low confidence holds, by the whole set of their causes however many (apart_from): the most any lift that
leaves names and addresses held could gain, and what it would cost. Only counts
are printed: no value of any record. The dated report goes to bench/results/hold-reasons-<date>[-tag].md.
Never part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_families import rebase_scan_paths  # noqa: E402
from mapping.spec import field_types  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Record, ReviewHold, Store  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED, LOW_CONFIDENCE  # noqa: E402
from pipeline.page.structure import STRUCTURE_DOUBT_FLAGS  # noqa: E402
from pipeline.quality.evaluate import evaluate  # noqa: E402
from pipeline.runs.stages import remap  # noqa: E402

STRUCTURE_FLAGS = STRUCTURE_DOUBT_FLAGS
"""Flags pipeline.page.structure puts on a field (with a problem line naming the doubt) when it lowers its confidence."""
GAP_BINS = (0.01, 0.05, 0.2, 0.5)
"""How far below its threshold a held field reads (threshold - confidence), binned: under 0.01, 0.05, 0.2, 0.5, and more."""
STRUCTURE_LOWERED = "structure-lowered"
"""threshold_gaps' type for a field whose confidence a structure doubt lowered (its flags: STRUCTURE_FLAGS)."""
FIELD_LINE = re.compile(r"^(\w+): (.*)$")


def cause_of(line: str, types: dict[str, str]) -> tuple[str, str]:
    """(coarse cause, detail) of one route-reason line."""
    m = LOW_CONFIDENCE.match(line)
    if m:
        return f"low confidence: {types.get(m.group(1), 'text')}", m.group(1)
    if line.startswith("page: "):
        body = line[6:]
        if "no ruling lines were found" in body:
            return "page: grid from text", ""
        if "some of its ruling lines are missing" in body:
            return "page: ruling partly from text", ""
        if "could not be identified with confidence" in body:
            field = body.split("the column of ", 1)[-1].split(" ", 1)[0]
            return "page: a mandatory column in doubt", field
        if "read unsure" in body:
            return "page: read unsure (page limit)", ""
        return "page: other", body[:40]
    if line.startswith("row: "):
        body = line[5:]
        if "line is drawn across" in body:
            return "row: struck through", ""
        if body.startswith("serial"):
            return "row: serial order broken", ""
        if body.startswith("only "):
            return "row: nearly empty", ""
        return "row: other", body[:40]
    m = FIELD_LINE.match(line)
    if m:
        field, body = m.groups()
        if body.startswith("its column is in doubt"):
            return "column in doubt", field
        if body.startswith("its cell is in doubt"):
            return "cell read by shape", field
        if "values fail validation" in body:
            return "column fails validation", field
        if body.startswith("no column of this page"):
            return "no column", field
        if body.startswith("a seal is stamped over its cell"):
            return "cell under a seal", field
        if body.startswith("mandatory value missing"):
            return "check: mandatory missing/invalid", field
        return "check: cross-field", f"{field}: {body[:30]}"
    return "other", line[:40]


FIELD_CAUSES = {
    "cell_under_seal": "cell under a seal",
    "cell_read_by_shape": "cell read by shape",
    "column_doubted": "column in doubt",
    "column_values_fail": "column fails validation",
    "no_column": "no column",
    "page_structure_doubted": "page: structure",
    "row_struck_through": "row: struck through",
    "row_order_broken": "row: serial order broken",
    "serial_misread": "row: serial misread",
}
"""A held field's structure flag -> the cause it is counted under (field level: the doubt that lowered it)."""


DOUBT_LINE = re.compile(r"^(\w+): its (?:column|cell) is in doubt: (.*)$")


def doubt_wording(reason: str) -> str:
    """A column's or a cell's doubt (pipeline.page.structure) as a wording, its figures left out: the
    same doubt on two pages reads the same."""
    return re.sub(r"\d+%", "N%", re.sub(r"column \d+", "column N", re.sub(r"\(\d+ of them\)", "(N of them)", reason)))[:110]


def held_fields(reasons: list[str], fields: dict[str, Any], types: dict[str, str]) -> tuple[dict[str, set[str]], set[str]]:
    """(field -> causes holding it, causes holding the whole record) of one held record's route reasons.
    A field is held by a line naming it (low confidence, a column or cell doubt, a check); a low confidence
    that a structure doubt caused is counted under that doubt (its flag, FIELD_CAUSES). Page, row, capture
    and audit reasons hold the record, no one field."""
    by_field: dict[str, set[str]] = defaultdict(set)
    whole: set[str] = set()
    for line in reasons:
        c, d = cause_of(line, types)
        field = d.split(":", 1)[0] if d else ""
        if c.startswith("page") or c.startswith("row") or c == "other" or field not in fields:
            whole.add(c)
            continue
        flags = set((fields.get(field) or {}).get("flags") or ()) & STRUCTURE_FLAGS
        if c.startswith(("low confidence", "check: mandatory")) and flags:
            by_field[field] |= {FIELD_CAUSES.get(f, f) for f in flags}
            continue
        by_field[field].add(c)
    return by_field, whole


def gap_bin(gap: float) -> str:
    """The bin (GAP_BINS) of how far a field reads below its threshold: "<0.01" ... ">=0.5"."""
    for b in GAP_BINS:
        if gap < b:
            return f"<{b:g}"
    return f">={GAP_BINS[-1]:g}"


def threshold_gaps(reasons: list[str], fields: dict[str, Any], types: dict[str, str]) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each field a held record holds below its threshold (a `low confidence` line): (its spec type, or
    STRUCTURE_LOWERED where a structure doubt lowered it; how far below, gap_bin; its flags). Asked of the
    entirely right held records: which types' thresholds hold right records, and by how little (a gap
    under 0.01 is a threshold question, one of 0.5 a doubt's)."""
    out = []
    for line in reasons:
        m = LOW_CONFIDENCE.match(line)
        if not m:
            continue
        name = m.group(1)
        flags = tuple((fields.get(name) or {}).get("flags") or ())
        kind = STRUCTURE_LOWERED if set(flags) & STRUCTURE_FLAGS else types.get(name, "text")
        out.append((kind, gap_bin(float(m.group(3)) - float(m.group(2))), flags))
    return out


def family_stores(roots: list[Path]) -> list[tuple[str, Path, Path]]:
    out = []
    for root in roots:
        for fam in sorted(p for p in root.iterdir() if p.is_dir() and (p / "scans").is_dir()):
            for run in sorted(fam.glob("run-*/data")):
                out.append((f"{root.name}/{fam.name}", fam / "scans", run))
    return out


def _ranked(counts: Counter, n: int | None = None) -> list:
    """A counter's items, most first and ties by name: the same order on every run (a set's order of
    iteration, which most_common keeps for ties, is not)."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:n]


def cause_tally(held: list[tuple[frozenset[str], int]]) -> dict[tuple[str, ...], tuple[int, int, int]]:
    """Held records by the causes holding them, for those held by one cause or exactly two: (causes,
    sorted) -> (records, records with every field right, wrong fields among them). `held`: each held
    record's causes and its wrong fields against the truth. What lifting a cause (or a pair) would gain
    (records) and cost (wrong fields auto-accepted)."""
    out: dict[tuple[str, ...], list[int]] = {}
    for causes, wrong in held:
        if len(causes) in (1, 2):
            t = out.setdefault(tuple(sorted(causes)), [0, 0, 0])
            t[0] += 1
            t[1] += wrong == 0
            t[2] += wrong
    return {k: (n, r, w) for k, (n, r, w) in out.items()}


READING_CAUSES = frozenset({"low confidence: name", "low confidence: address"})
"""The causes no signal was found to lift (docs/evaluation.md sessions 14, 32, 38: right and wrong held
names and addresses alike): apart_from leaves the records they hold out."""


def apart_from(
    held: list[tuple[frozenset[str], int]], left: frozenset[str] = READING_CAUSES
) -> dict[tuple[str, ...], tuple[int, int, int]]:
    """Held records none of whose causes is in `left`, by the whole set of their causes: (causes, sorted)
    -> (records, records with every field right, wrong fields among them). What lifting every other
    cause could ever gain (records) and cost (wrong fields), whatever number of causes holds a record:
    the ceiling of lifts that leave the names and addresses (READING_CAUSES) held."""
    out: dict[tuple[str, ...], list[int]] = {}
    for causes, wrong in held:
        if causes & left:
            continue
        t = out.setdefault(tuple(sorted(causes)), [0, 0, 0])
        t[0] += 1
        t[1] += wrong == 0
        t[2] += wrong
    return {k: (n, r, w) for k, (n, r, w) in out.items()}


def analyse(label: str, scans: Path, data: Path, settings: Settings, do_remap: bool) -> dict[str, Any]:
    s = settings.with_(data_dir=str(data))
    store = Store.open(s)
    try:
        rebase_scan_paths(store, scans)  # a copied store's files pointed at its copy's scans (else each truth scored twice)
        if do_remap:
            remap(store, s)
        ev = evaluate(store, processed_only=False, truth_dir=scans)
        wrong_records = {o.record for o in ev.observations if not o.right}
        wrong_fields = {(o.record, o.field) for o in ev.observations if not o.right}
        types = field_types()
        with store.session() as ss:
            holds = {rid: kind for rid, kind in ss.query(ReviewHold.record_id, ReviewHold.kind)}
            recs = [(r.id, r.status, list(r.route_reasons or []), dict(r.fields or {})) for r in ss.query(Record)]
    finally:
        store.dispose()
    auto_ids = {rid for rid, status, _r, _f in recs if status == AUTO_ACCEPTED}
    auto_wrong_fields = Counter(o.field for o in ev.observations if o.record in auto_ids and not o.right)
    any_c: Counter[str] = Counter()
    sole_c: Counter[str] = Counter()
    sole_wrong: Counter[str] = Counter()
    by_record: list[tuple[frozenset[str], int]] = []  # each held record's causes, its wrong fields (cause_tally)
    detail_any: Counter[tuple[str, str]] = Counter()
    detail_sole: Counter[tuple[str, str]] = Counter()
    detail_sole_wrong: Counter[tuple[str, str]] = Counter()
    n_causes: Counter[int] = Counter()
    field_right: Counter[str] = Counter()  # held fields per cause, right / wrong (truth)
    field_wrong: Counter[str] = Counter()
    pair_right: Counter[tuple[str, str]] = Counter()  # ... per (cause, field)
    pair_wrong: Counter[tuple[str, str]] = Counter()
    scored = {o.record for o in ev.observations}
    one_field: Counter[tuple[str, str]] = Counter()  # records held by exactly one field (cause, field)
    one_field_wrong: Counter[tuple[str, str]] = Counter()  # ... that field wrong
    one_field_other_wrong: Counter[tuple[str, str]] = Counter()  # ... another field of the record wrong
    doubt_right: Counter[tuple[str, str]] = Counter()  # (column or cell doubt's wording, field) -> held fields right
    doubt_wrong: Counter[tuple[str, str]] = Counter()
    gaps: dict[str, Counter[str]] = defaultdict(Counter)  # entirely right held records: type -> gap bin -> fields
    gap_flags: dict[str, Counter[str]] = defaultdict(Counter)  # ... type -> flag -> fields
    right_low_only = right_scored = 0  # entirely right held records (with a truth row): held by low-confidence lines alone / all
    held = held_right = 0
    for rid, status, reasons, fields in recs:
        if status == AUTO_ACCEPTED:
            continue
        if status not in ("needs_review",):
            continue
        held += 1
        wrong = rid in wrong_records
        held_right += not wrong
        if not wrong and rid in scored:
            right_scored += 1
            below = threshold_gaps(reasons, fields, types)
            right_low_only += bool(below) and len(below) == len(reasons) and rid not in holds
            for kind, b, flags in below:
                gaps[kind][b] += 1
                for fl in flags or ("(none)",):
                    gap_flags[kind][fl] += 1
        causes: dict[str, set[str]] = defaultdict(set)
        for line in reasons:
            c, d = cause_of(line, types)
            if (
                c.startswith(("low confidence", "check: mandatory"))
                and set((fields.get(d) or {}).get("flags") or ()) & STRUCTURE_FLAGS
            ):
                continue  # its confidence was lowered by a structure doubt, counted under that doubt
            causes[c].add(d)
        if rid in holds:
            causes[f"audit/hold ({holds[rid]})"].add("")
        for line in reasons if rid in scored else ():
            m = DOUBT_LINE.match(line)
            if m:
                key = (doubt_wording(m.group(2)), m.group(1))
                bad = (rid, m.group(1)) in wrong_fields
                doubt_wrong[key] += bad
                doubt_right[key] += not bad
        by_field, whole = held_fields(reasons, fields, types)
        if rid in holds:
            whole.add(f"audit/hold ({holds[rid]})")
        for f, cs in by_field.items() if rid in scored else ():  # a struck or extra row has no truth
            bad = (rid, f) in wrong_fields
            for c in cs:
                field_wrong[c] += bad
                field_right[c] += not bad
                pair_wrong[(c, f)] += bad
                pair_right[(c, f)] += not bad
        if len(by_field) == 1 and not whole and rid in scored:
            ((f, cs),) = by_field.items()
            key = (" + ".join(sorted(cs)), f)
            one_field[key] += 1
            one_field_wrong[key] += (rid, f) in wrong_fields
            one_field_other_wrong[key] += any(w[0] == rid and w[1] != f for w in wrong_fields)
        n_causes[min(len(causes), 5)] += 1
        for c, ds in causes.items():
            any_c[c] += 1
            for d in ds:
                detail_any[(c, d)] += 1
        by_record.append((frozenset(causes), sum(1 for w in wrong_fields if w[0] == rid)))
        if len(causes) == 1:
            ((c, ds),) = causes.items()
            sole_c[c] += 1
            sole_wrong[c] += wrong
            if len(ds) == 1:
                detail_sole[(c, next(iter(ds)))] += 1
                detail_sole_wrong[(c, next(iter(ds)))] += wrong
    tally = cause_tally(by_record)
    apart = apart_from(by_record)
    return {
        "label": label,
        "records": ev.records,
        "auto": ev.auto_accepted,
        "auto_share": ev.auto_share,
        "auto_fields": ev.auto_fields,
        "auto_wrong": ev.auto_fields_wrong,
        "auto_error_rate": ev.auto_error_rate,
        "field_accuracy": ev.field_accuracy,
        "held": held,
        "stored": len(recs),
        "auto_wrong_fields": dict(_ranked(auto_wrong_fields)),
        "held_all_right": held_right,
        "n_causes": dict(sorted(n_causes.items())),
        "any": dict(_ranked(any_c)),
        "sole": dict(_ranked(sole_c)),
        "sole_wrong": dict(sole_wrong),
        "sole_wrong_fields": {k[0]: w for k, (_n, _r, w) in tally.items() if len(k) == 1 and w},
        "pairs": [(*k, n, r, w) for k, (n, r, w) in sorted(tally.items(), key=lambda kv: (-kv[1][0], kv[0])) if len(k) == 2][:25],
        "apart": [list(k) + [n, r, w] for k, (n, r, w) in sorted(apart.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))],
        "held_by_reading": sum(1 for causes, _w in by_record if causes & READING_CAUSES),
        "detail_any": [(c, d, n) for (c, d), n in _ranked(detail_any, 25)],
        "detail_sole": [(c, d, n, detail_sole_wrong[(c, d)]) for (c, d), n in _ranked(detail_sole, 20)],
        "held_fields": {c: [field_right[c], field_wrong[c]] for c in sorted(set(field_right) | set(field_wrong))},
        "held_pairs": [(c, f, pair_right[(c, f)], pair_wrong[(c, f)]) for (c, f), _n in _ranked(pair_right + pair_wrong, 30)],
        "one_field": [(c, f, n, one_field_wrong[(c, f)], one_field_other_wrong[(c, f)]) for (c, f), n in _ranked(one_field, 25)],
        "one_field_records": sum(one_field.values()),
        "doubts": [(w, f, doubt_right[(w, f)], doubt_wrong[(w, f)]) for (w, f), _n in _ranked(doubt_right + doubt_wrong, 25)],
        "gaps": {k: dict(v) for k, v in sorted(gaps.items())},
        "gap_flags": {k: _ranked(v, 5) for k, v in sorted(gap_flags.items())},
        "right_low_only": right_low_only,
        "right_scored": right_scored,
    }


def render(results: list[dict[str, Any]], command: str, commit: str) -> str:
    lines = [
        f"# Why records are held for review ({dt.date.today().isoformat()})",
        "",
        f"`{command}`",
        "",
        f"Commit {commit}. Each store re-mapped from its stored cells (no OCR), scored against its truth. "
        "`any`: held records whose reasons include the cause; `sole`: held by that cause alone (removing it "
        "accepts them); `wrong`: of those, records with at least one wrong field. `records`: scored against "
        "the truth; `held` counts every stored record in review, rows with no truth row too. Counts only, no values.",
        "",
        "| store | records | auto-accepted | wrong among auto fields | held | held, every field right | held by 1 / 2 / 3 / 4 / 5+ causes |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        nc = r["n_causes"]
        lines.append(
            f"| {r['label']} | {r['records']} | {r['auto']} ({r['auto_share']:.1%}) | {r['auto_wrong']} of {r['auto_fields']} "
            f"({r['auto_error_rate']:.2%}) | {r['held']} | {r['held_all_right']} | "
            + " / ".join(str(nc.get(k, nc.get(str(k), 0))) for k in range(1, 6))
            + " |"
        )
    causes = sorted({c for r in results for c in r["any"]}, key=lambda c: (-sum(r["any"].get(c, 0) for r in results), c))
    lines += ["", "## Causes: records held (any / sole / sole and wrong)", ""]
    lines.append("| cause | " + " | ".join(r["label"] for r in results) + " | total any / sole / sole wrong |")
    lines.append("|---|" + "---|" * (len(results) + 1))
    for c in causes:
        cells = [f"{r['any'].get(c, 0)} / {r['sole'].get(c, 0)} / {r['sole_wrong'].get(c, 0)}" for r in results]
        tot = (
            f"{sum(r['any'].get(c, 0) for r in results)} / {sum(r['sole'].get(c, 0) for r in results)} / "
            f"{sum(r['sole_wrong'].get(c, 0) for r in results)}"
        )
        lines.append(f"| {c} | " + " | ".join(cells) + f" | {tot} |")
    lines += [
        "",
        "## Records held by one cause alone: entirely right, and the wrong fields among them",
        "",
        "`sole` records; `right`: of those, every field exact; `wrong fields`: fields wrong among them (what "
        "lifting the cause would auto-accept wrong).",
        "",
        "| cause | " + " | ".join(r["label"] for r in results) + " | total sole / right / wrong fields |",
        "|---|" + "---|" * (len(results) + 1),
    ]
    for c in causes:
        trip = [
            (r["sole"].get(c, 0), r["sole"].get(c, 0) - r["sole_wrong"].get(c, 0), r.get("sole_wrong_fields", {}).get(c, 0))
            for r in results
        ]
        if not any(t[0] for t in trip):
            continue
        cells = [f"{a} / {b} / {w}" for a, b, w in trip]
        lines.append(f"| {c} | " + " | ".join(cells) + " | " + " / ".join(str(sum(t[i] for t in trip)) for i in range(3)) + " |")
    lines += [
        "",
        "## Records held by exactly two causes: records / entirely right / wrong fields",
        "",
    ]
    for r in results:
        items = "; ".join(f"{a} + {b} {n} / {right} / {wf}" for a, b, n, right, wf in r.get("pairs", [])[:14])
        lines.append(f"- **{r['label']}**: {items or 'none'}")
    lines += [
        "",
        "## Records held apart from names and addresses: by all their causes",
        "",
        "Held records none of whose causes is " + " or ".join(f"`{c}`" for c in sorted(READING_CAUSES)) + " (no signal "
        "lifts those: docs/evaluation.md), by the whole set of causes holding them: records / entirely right / "
        "wrong fields. The most any lift that leaves names and addresses held could gain, and what it would cost.",
        "",
    ]
    for r in results:
        items = "; ".join(f"{' + '.join(a[:-3])} {a[-3]} / {a[-2]} / {a[-1]}" for a in r.get("apart", [])[:14])
        lines.append(f"- **{r['label']}** (held by a name or address: {r.get('held_by_reading', 0)}): {items or 'none'}")
    lines += [
        "",
        "## Held fields by cause: right / wrong against the truth",
        "",
        "A field is held by a reason line naming it; a low confidence a structure doubt caused counts under that "
        "doubt. A held field with no truth and no value (a sure blank) counts as right.",
        "",
        "| cause | " + " | ".join(r["label"] for r in results) + " | total right / wrong |",
        "|---|" + "---|" * (len(results) + 1),
    ]
    fcauses = sorted(
        {c for r in results for c in r["held_fields"]},
        key=lambda c: (-sum(sum(r["held_fields"].get(c, [0, 0])) for r in results), c),
    )
    for c in fcauses:
        cells = ["{} / {}".format(*r["held_fields"].get(c, [0, 0])) for r in results]
        tot = [sum(r["held_fields"].get(c, [0, 0])[i] for r in results) for i in (0, 1)]
        lines.append(f"| {c} | " + " | ".join(cells) + f" | {tot[0]} / {tot[1]} |")
    lines.append("")
    for r in results:
        pairs = "; ".join(f"{c} {f} {a} / {b}" for c, f, a, b in r["held_pairs"][:16])
        lines.append(f"- **{r['label']}** (cause, field) right / wrong: {pairs or 'none'}")
    lines += [
        "",
        "## Records held by exactly one field (no page, row or audit reason): the cheapest lifts",
        "",
        "(cause, field): records; that field wrong; another field of the record wrong (accepting the record "
        "would auto-accept it)",
        "",
    ]
    for r in results:
        items = "; ".join(f"{c} {f} {n} ({w} wrong, {o} other wrong)" for c, f, n, w, o in r["one_field"][:14])
        lines.append(f"- **{r['label']}** ({r['one_field_records']} records): {items or 'none'}")
    lines += [
        "",
        "## Column and cell doubts by their wording: held fields right / wrong",
        "",
        "Each doubt line of a held record (pipeline.page.structure: `its column is in doubt: ...`, `its cell is in "
        "doubt: ...`), its figures left out, with the field it holds: whether that field is right against the truth.",
        "",
    ]
    for r in results:
        lines.append(f"- **{r['label']}**")
        lines += [f"  - {f} {a} / {b}: {w}" for w, f, a, b in r.get("doubts", [])] or ["  - none"]
    bins = [f"<{b:g}" for b in GAP_BINS] + [f">={GAP_BINS[-1]:g}"]
    lines += [
        "",
        "## Entirely right held records: fields below their threshold, by type and by how much",
        "",
        "Each `low confidence` line of a held record whose every field is right: the field's spec type (`"
        + STRUCTURE_LOWERED
        + "`: a structure doubt lowered it), how far below its threshold it reads (threshold - confidence), "
        "and the flags those fields carry most (what doubt put them there).",
        "",
        "| type | fields | " + " | ".join(bins) + " | flags most carried |",
        "|---|---|" + "---|" * len(bins) + "---|",
    ]
    kinds = sorted(
        {k for r in results for k in r.get("gaps", {})},
        key=lambda k: (-sum(sum(r.get("gaps", {}).get(k, {}).values()) for r in results), k),
    )
    for k in kinds:
        per = Counter[str]()
        fl = Counter[str]()
        for r in results:
            per.update(r.get("gaps", {}).get(k, {}))
            fl.update(dict(r.get("gap_flags", {}).get(k, [])))
        flags = ", ".join(f"{f} {n}" for f, n in _ranked(fl, 5))
        lines.append(f"| {k} | {sum(per.values())} | " + " | ".join(str(per.get(b, 0)) for b in bins) + f" | {flags} |")
    lines.append("")
    lines.append(
        "Entirely right held records held by low-confidence lines alone: "
        + "; ".join(f"{r['label']} {r.get('right_low_only', 0)} of {r.get('right_scored', 0)}" for r in results)
    )
    lines += ["", "## Details (cause, field): records held, and held by it alone (wrong among them)", ""]
    for r in results:
        any_s = "; ".join(f"{c} {d} {n}".replace("  ", " ") for c, d, n in r["detail_any"][:12])
        sole_s = "; ".join(f"{c} {d} {n} ({w} wrong)".replace("  ", " ") for c, d, n, w in r["detail_sole"][:10])
        wrong_s = ", ".join(f"{f} {n}" for f, n in r["auto_wrong_fields"].items())
        lines += [
            f"- **{r['label']}** any: {any_s}",
            f"  - sole: {sole_s or 'none'}",
            f"  - wrong fields among the auto-accepted: {wrong_s or 'none'}",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="+", help="folders of family folders (<family>/scans, <family>/run-*/data)")
    ap.add_argument("--thresholds", help="thresholds file (default: the packaged mapping/data/thresholds.json)")
    ap.add_argument("--no-remap", action="store_true", help="score the stores as they are")
    ap.add_argument("--tag", default="")
    ap.add_argument("--results", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args()
    settings = Settings.load(None).with_(thresholds_file=args.thresholds)
    results = []
    for label, scans, data in family_stores([Path(r) for r in args.roots]):
        results.append(analyse(label, scans, data, settings, not args.no_remap))
        print(
            f"{label}: {results[-1]['held']} held of {results[-1]['stored']} stored records ({results[-1]['records']} scored against the truth)",
            flush=True,
        )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    command = "python bench/hold_reasons.py " + " ".join(sys.argv[1:])
    md = render(results, command, commit)
    name = f"hold-reasons-{dt.date.today().isoformat()}" + (f"-{args.tag}" if args.tag else "")
    Path(args.results).mkdir(parents=True, exist_ok=True)
    (Path(args.results) / f"{name}.md").write_text(md, encoding="utf-8")
    (Path(args.results) / f"{name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
