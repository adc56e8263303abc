"""Column identification when headers are lost, on the stored OCR of pages already read (no OCR):
for each page whose columns match the truth's one to one, the stored header and cell readings are
assigned (mapping.headers.assign_columns) as read, with every header blanked, with each header
blanked in turn, and with a random half blanked; each blanked column is counted as given the truth's
field (sure / doubted), given another (sure / doubted), or none.

    python bench/columns_header_loss.py ROOT STORE_ROOT[,STORE_ROOT...]

ROOT is the tree whose code is used (this checkout, or a copy of another commit: before/after);
STORE_ROOT a folder of bench_families stores (<STORE_ROOT>/<family>/run-*/data/store.sqlite) with the
truth files beside their scans. Never part of the test suite."""

import glob
import json
import random
import sqlite3
import sys
from collections import Counter
from pathlib import Path

root, stores = sys.argv[1], sys.argv[2].split(",")
sys.path.insert(0, root)
from mapping.headers import assign_columns  # noqa: E402
from mapping.spec import load_spec  # noqa: E402

sp = load_spec()
QUERY = (
    "select p.id, f.abs_path, p.page_no, p.ledger_kind, p.layout from pages p "
    "join source_files f on p.file_id = f.id where p.status = 'done'"
)


def pages():
    for store in stores:
        for db in sorted(glob.glob(f"{store}/*/run-*/data/store.sqlite")):
            con = sqlite3.connect(db)
            for pid, path, page_no, kind, layout in con.execute(QUERY):
                header = json.loads(layout or "{}").get("header") or []
                gt = json.loads(Path(path).with_name(Path(path).stem + ".gt.json").read_text(encoding="utf-8"))
                truth = next(g for g in gt["pages"] if g["page"] == page_no).get("columns") or []
                if len(truth) != len(header):
                    continue  # columns merged or split by the grid: no one-to-one truth
                rows = [
                    json.loads(r[0]) for r in con.execute("select cells from records where page_id = ? order by row_no", (pid,))
                ]
                texts = [[r[i].get("text", "") if i < len(r) else "" for r in rows] for i in range(len(header))]
                yield kind, header, texts, truth


def count(tally: Counter, kind: str, header: list[str], texts: list[list[str]], truth: list, only: set[int] | None) -> None:
    fields = {f.name for f in sp.kind(kind).fields if f.source == "cell"} | {"row_no"}
    for a, t in zip(assign_columns(kind, header, texts, sp), truth):
        if only is not None and a.index not in only:
            continue
        want = t if t in fields else None
        sure = "sure" if a.doubt is None else "doubted"
        if want is None:
            tally["extra column: none" if a.field is None else f"extra column: given a field, {sure}"] += 1
        elif a.field == want:
            tally[f"right, {sure}"] += 1
        elif a.field is None:
            tally["none"] += 1
        else:
            tally[f"WRONG, {sure}"] += 1


data = list(pages())
rnd = random.Random(7)
print(f"{len(data)} pages")
for mode in ("as read", "every header blank", "one header blank", "half the headers blank"):
    tally: Counter = Counter()
    for kind, header, texts, truth in data:
        n = len(header)
        if mode == "as read":
            count(tally, kind, header, texts, truth, None)
        elif mode == "every header blank":
            count(tally, kind, [""] * n, texts, truth, set(range(n)))
        elif mode == "one header blank":
            for i in range(n):
                count(tally, kind, [("" if j == i else h) for j, h in enumerate(header)], texts, truth, {i})
        else:
            for _ in range(3):
                gone = set(rnd.sample(range(n), n // 2))
                count(tally, kind, [("" if j in gone else h) for j, h in enumerate(header)], texts, truth, gone)
    print(f"{mode}: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
