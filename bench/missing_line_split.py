"""Issue 21 bench: printed forms that lack an inner column line (a ruling line never printed between two
columns: d3316's 03_cremation_longkou_2015 edition, 家庭住址 | 逝世日期), and what the stored pages made
of them: whether the grid stands a line where the form has none, by which rule, and which field each of
the two printed columns beside the missing line was given.

    python bench/missing_line_split.py ROOT... [--remap]

Each ROOT holds family folders `<family>/scans` (a generated set with its truth: the truth's
`ruling.missing_line` names the grid line the form does not print) and `<family>/run-*/data` (a store).
The stores are read as they are, or first re-mapped from their stored cells (`--remap`: write access,
run it on a copy; the grid and the splits are the reading's, a re-map changes only the fields).

Per page with a missing line, one outcome:
- `split, gap`: the grid holds as many columns as printed and the two columns beside the line carry
  SPLIT_GAP_DOUBT (pipeline.page.extract.split_unidentified_columns: header not read as two, the rows'
  writing left a gap);
- `split, misread header`: SPLIT_MISREAD_DOUBT (split_merged_columns on a header read as two misread);
- `split, header`: as many columns as printed and neither doubt (split_merged_columns on a header read
  as two fields' headers: merged_header / serial_beside / wording_beside);
- `unsplit`: one column fewer than printed (the merged column kept whole; its doubts are listed);
- `grid other`: any other count (the ruling lost elsewhere too, or an extra split).
With the fields the two printed columns were given (right / none / wrong) where the grid is aligned.
Counts, field names and header readings only: no value of any record. Never part of the test suite."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.bench_families import rebase_scan_paths  # noqa: E402
from bench.columns_vs_truth import truth_page  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Page, SourceFile, Store  # noqa: E402
from pipeline.page.extract import SPLIT_GAP_DOUBT, SPLIT_MISREAD_DOUBT  # noqa: E402
from pipeline.runs.stages import remap  # noqa: E402

MISREAD_HEAD = SPLIT_MISREAD_DOUBT.split("{", 1)[0]


def main() -> None:
    again = "--remap" in sys.argv
    total: Counter[str] = Counter()
    for root in [Path(a) for a in sys.argv[1:] if not a.startswith("--")]:
        for fam in sorted(p for p in root.iterdir() if p.is_dir() and (p / "scans").is_dir()):
            for data in sorted(fam.glob("run-*/data")):
                total.update(
                    report(
                        f"{root.parent.name if root.name.startswith('seed') else root.name}/{fam.name}",
                        fam / "scans",
                        data,
                        again,
                    )
                )
    print("all: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())))


def outcome(truth: dict, layout: dict) -> tuple[str, list[str]]:
    """The page's outcome (module docstring) and the two printed columns' fields as judged."""
    printed = truth["columns"]
    line = int(truth["ruling"]["missing_line"])
    grid = layout.get("grid") or {}
    read = max(0, len(grid.get("cols") or []) - 1)
    doubts = {int(c): v for c, v in ((layout.get("structure") or {}).get("columns") or {}).items()}
    inferred = sorted(int(i) for i in grid.get("inferred_cols") or ())
    near = [i for i in inferred if abs(i - line) <= abs(read - len(printed))]
    if read == len(printed) - 1 and not near:
        return "unsplit", [f"doubts {[r[:50] for r in doubts.get(line - 1, [])]}"]
    if read != len(printed):  # the two fields found anywhere on the page, the grid not aligned
        given = set(layout.get("columns") or [])
        line_fields = printed[line - 1 : line + 1]
        return f"grid other ({read} read, lines put {inferred})", ["found" if f in given else "none" for f in line_fields]
    pair = (line - 1, line)
    reasons = [r for c in pair for r in doubts.get(c, [])]
    how = (
        "split, gap"
        if SPLIT_GAP_DOUBT in reasons
        else "split, misread header"
        if any(r.startswith(MISREAD_HEAD) for r in reasons)
        else "split, header"
    )
    fields = layout.get("columns") or []
    judged = []
    for c in pair:
        got = fields[c] if c < len(fields) else None
        judged.append("none" if got is None else "right" if got == printed[c] else "wrong")
    return how, judged


def report(label: str, scans: Path, data: Path, again: bool) -> Counter[str]:
    settings = Settings.load(None).with_(data_dir=str(data))
    store = Store.open(settings)
    if again:
        rebase_scan_paths(store, scans)
        remap(store, settings)
    counts: Counter[str] = Counter()
    with store.session() as s:
        for page, path in s.execute(select(Page, SourceFile.rel_path).join(SourceFile, Page.file_id == SourceFile.id)).all():
            truth = truth_page(scans / path, page.page_no)
            if truth is None or (truth.get("ruling") or {}).get("missing_line") is None:
                continue
            layout = json.loads(page.layout) if isinstance(page.layout, str) else (page.layout or {})
            how, judged = outcome(truth, layout)
            counts[how.split(" (")[0]] += 1
            for side, j in zip(("left", "right"), judged):
                counts[f"{how.split(' (')[0]}: {side} half {j}"] += 1
            line = int(truth["ruling"]["missing_line"])
            names = truth["columns"][line - 1 : line + 1]
            head = (layout.get("header") or [])[line - 1 : line + 1] if how.startswith("split") else []
            print(f"{label} {Path(path).name} p{page.page_no} {'|'.join(names)}: {how} {judged} header {head}")
    store.dispose()
    return counts


if __name__ == "__main__":
    main()
