"""Why printed columns are left without a field: every printed column with ink whose field no column read
was given (pipeline.quality.evaluate's `not_identified`), with the evidence the column identification had.

    python bench/columns_unidentified.py ROOT... [--remap] [--lines]

Each ROOT holds family folders `<family>/scans` (a generated set with its truth) and `<family>/run-*/data`
(a store); the stores are read as they are, or first re-mapped from their stored cells with this checkout's
mapping and the packaged thresholds (`--remap`, what `backfill remap` does), then scored against the truth
(pipeline.quality.evaluate): fields wrong under unidentified columns, fields exact, IDs exact, records
auto-accepted, wrong among the auto-accepted fields.
Per page: the printed columns with ink left without a field and the rows with ink they hold (the fields
lost to them). Per such column a cause:

- `grid`: no column read holds the printed column (the ruling merged it into a neighbour or split it:
  the read and printed column counts are given);
- `serial`: the column read was given the serial (row_no);
- `header+content weak`: its header scores below HEADER_IN_PART for the field and its cells pass the
  field's test in fewer than ELIMINATION_SHARE (or cannot be tested: names, addresses, free text);
- `content, header against`: its cells pass the field's test (ELIMINATION_SHARE) but its header reads
  like another field's wording (elimination refused);
- `content, rival`: its cells pass, another open column passes the same field;
- `header in part`: header scores HEADER_IN_PART or more, cells too few in the field's form;
- `other`: none of these.
With the volume's word: how many sibling pages of the same form exist and what they gave the column.
Counts, field names and header readings only (headers are printed words, no personal data); no value
of any record. Never part of the test suite."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.bench_families import rebase_scan_paths  # noqa: E402
from bench.columns_vs_truth import truth_page  # noqa: E402
from mapping import headers as H  # noqa: E402
from mapping.spec import load_spec  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.models import RawCell  # noqa: E402
from pipeline.kernel.store import Page, SourceFile, Store  # noqa: E402
from pipeline.page.extract import _column_texts, _volume_page  # noqa: E402
from pipeline.page.intake import volume_key  # noqa: E402
from pipeline.page.structure import Structure  # noqa: E402
from pipeline.quality.evaluate import columns_held, evaluate  # noqa: E402
from pipeline.runs.stages import remap  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show = "--lines" in sys.argv
    for root in [Path(r) for r in args]:
        for fam in sorted(p for p in root.iterdir() if p.is_dir() and (p / "scans").is_dir()):
            for data in sorted(fam.glob("run-*/data")):
                measure(f"{root.name}/{fam.name}", fam / "scans", data, "--remap" in sys.argv)
                report(f"{root.name}/{fam.name}", data, show)


def measure(label: str, scans: Path, data: Path, again: bool) -> None:
    settings = Settings.load(None).with_(data_dir=str(data))
    store = Store.open(settings)
    rebase_scan_paths(store, scans)  # a copied store's files pointed at its copy's scans
    if again:
        remap(store, settings)
    ev = evaluate(store, processed_only=False, truth_dir=scans)
    store.dispose()
    print(
        f"{label}: fields under unidentified columns {ev.failures.get('column_not_identified', 0)}, "
        f"misassigned {ev.failures.get('column_misassigned', 0)}; fields exact {ev.field_accuracy:.2%} of {ev.fields}; "
        f"IDs exact {ev.id_accuracy:.2%} of {ev.ids}; records auto-accepted {ev.auto_accepted} of {ev.records} "
        f"({ev.auto_share:.1%}); wrong among auto {ev.auto_fields_wrong} of {ev.auto_fields}; "
        f"auto under unidentified / misassigned columns {ev.auto_column_unidentified} / {ev.auto_column_misassigned}"
    )
    print("  failures: " + ", ".join(f"{k} {v}" for k, v in sorted(ev.failures.items(), key=lambda kv: -kv[1])))
    lost = ev.failures_by_field.get("column_not_identified", {})
    print("  under unidentified columns: " + ", ".join(f"{k} {v}" for k, v in sorted(lost.items(), key=lambda kv: -kv[1])))


def _cause(kind: str, c: int, field: str, header: list[str], texts: list[list[str]], columns: list, sp) -> str:
    scores = H.column_scores(kind, header, texts, sp)
    sc = scores.get((c, field))
    if sc is None:
        return "other (no score)"
    held = {f for f in columns if f}
    by_header = {n: s for n, s, _w in H._field_scores(sp, kind, H.clean_header(header[c]))}
    h = by_header.get(field, 0.0)
    q = sc.fits
    told = H._told_by_content(kind, field, texts[c], sp, held)
    strong = (q is not None and q >= H.ELIMINATION_SHARE) or (told is not None and told >= H.ELIMINATION_SHARE)
    other_head = [n for n, s in by_header.items() if n != field and n not in held and s >= H.ELIMINATION_HEADER]
    written = sum(1 for t in texts[c] if H._clean_cell(t))
    if written < H.CONTENT_MIN_CELLS:
        return "too few cells"
    if strong and other_head:
        return f"content, header against ({other_head[0]})"
    if strong:
        rivals = [
            d
            for d in range(len(header))
            if d != c and columns[d] is None and ((scores[(d, field)].fits or 0) >= H.ELIMINATION_SHARE)
        ]
        if rivals:
            return "content, rival"
        if len(H.clean_header(header[c])) > 1 and h < H.ELIMINATION_LOST:
            return "content, header unlike"
        return "content strong, other"
    if h >= H.HEADER_IN_PART:
        return "header in part, cells weak"
    if q is None and told is None:
        return "header misread, content untestable"
    return "header misread, content weak"


def report(label: str, data: Path, show: bool) -> None:
    sp = load_spec()
    store = Store.open(Settings.load(None).with_(data_dir=str(data)))
    counts: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    by_field: Counter[str] = Counter()
    lines: list[str] = []
    with store.session() as s:
        pages = s.execute(
            select(Page, SourceFile.abs_path, SourceFile.rel_path, SourceFile.media_type).join(
                SourceFile, Page.file_id == SourceFile.id
            )
        ).all()
        loaded = []
        for page, path, rel, media in pages:
            if page.status != "done" or not page.layout or not page.ledger_kind:
                continue
            gpage = truth_page(Path(path), page.page_no)
            if gpage is None:
                continue
            recs = {r.row_no: r for r in page.records}
            rows = [(r.row_no, [RawCell.from_dict(x) for x in r.cells]) for r in sorted(page.records, key=lambda r: r.row_no)]
            loaded.append((page, rel, media, gpage, recs, rows))
        volumes: dict[str, list] = {}
        for item in loaded:
            page, rel, media, _g, _r, rows = item
            vp = _volume_page(page.layout, page.ledger_kind, rows)
            volumes.setdefault(volume_key(rel, media), []).append((page.id, vp))
        for page, rel, media, gpage, recs, rows in loaded:
            kind = page.ledger_kind
            columns = list(page.layout.get("columns") or [])
            header = list(page.layout.get("header") or [])
            st = Structure.from_dict(page.layout.get("structure"))
            truth_cols = gpage["columns"]
            held = columns_held(gpage, recs, len(columns))
            counts["pages read"] += 1
            page_lost = 0
            for j, tf in enumerate(truth_cols):
                if not tf or tf == "row_no":
                    continue
                inked = sum(1 for g in gpage["rows"] if j < len(g["cells"]) and str(g["cells"][j] or "").strip())
                if not inked:
                    continue
                if tf in columns:
                    continue
                mine = [c for c in range(len(columns)) if held.get(c) == j]
                if not mine and len(columns) == len(truth_cols) and held.get(j) is None:
                    mine = [j]  # as many columns read as printed, its own read too badly to tell: in place
                if any(columns[c] not in (None, "row_no") for c in mine):
                    continue  # misassigned, not unidentified
                counts["printed columns with ink, unidentified"] += 1
                page_lost += inked
                by_field[tf] += inked
                if not mine:
                    why = f"grid ({len(columns)} read, {len(truth_cols)} printed)"
                elif any(columns[c] == "row_no" for c in mine):
                    why = "serial"
                elif len(header) != len(columns):
                    why = "no header stored"
                else:
                    c = mine[0]
                    texts = _column_texts(header, rows, st)
                    why = _cause(kind, c, tf, header, texts, columns, sp)
                    vol = volumes.get(volume_key(rel, media), [])
                    me = next((vp for pid, vp in vol if pid == page.id), None)
                    sib = [vp for pid, vp in vol if pid != page.id and vp is not None and me is not None and H._same_form(me, vp)]
                    votes = Counter(vp.fields[c] for vp in sib if c not in vp.doubted)
                    dvotes = Counter(vp.fields[c] for vp in sib)
                    sc = H.column_scores(kind, header, texts, sp)[(c, tf)]
                    doubts = "; ".join(st.columns.get(c, []))[:100]
                    lines.append(
                        f"  {rel} p{page.page_no} col {c + 1} {tf}: {why}; header {header[c]!r} h={sc.header} "
                        f"q={sc.content} fits={sc.fits} total={sc.total}; vol {len(vol)} pages, siblings {len(sib)} "
                        f"sure {dict(votes)} all {dict(dvotes)}; doubts: {doubts}"
                    )
                    if len(sib) < H.VOLUME_AGREE:
                        why_vol = "volume: too few siblings"
                    elif H._volume_vote(votes)[0] == tf or H._volume_vote(dvotes)[0] == tf:
                        why_vol = "volume: siblings agree, refused"
                    else:
                        why_vol = "volume: siblings do not agree"
                    counts[why_vol] += 1
                    lost[why_vol] += inked
                counts[why] += 1
                lost[why] += inked
                if not mine:
                    lines.append(f"  {rel} p{page.page_no} {tf}: {why}")
            if page_lost:
                counts["pages with an unidentified column"] += 1
                n_cols = sum(
                    1 for c, f in enumerate(columns) if f is None and any(held.get(c) == j for j in range(len(truth_cols)))
                )
                lines.append(
                    f"  {rel} p{page.page_no}: {n_cols} columns read with no field, {page_lost} rows with ink lost under them"
                )
    print(f"## {label}")
    for k, v in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"- {k}: {v}" + (f" columns, {lost[k]} rows with ink" if k in lost else ""))
    print("- rows with ink under unidentified columns by field: " + ", ".join(f"{k} {v}" for k, v in by_field.most_common()))
    if show:
        print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main()
