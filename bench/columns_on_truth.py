"""Column identification alone, on the truth's header and cell texts (no OCR, no layout): how many
printed columns get the truth's field, how many are doubted, how many pages doubted for their columns.

    python bench/columns_on_truth.py ROOT "GLOB of *.gt.json"

ROOT is the tree whose code is used (this checkout, or a copy of another commit: before/after).
Never part of the test suite."""

import glob
import json
import sys

root, pattern = sys.argv[1], sys.argv[2]
sys.path.insert(0, root)
from mapping.spec import load_spec  # noqa: E402
from pipeline.kernel.models import RawCell  # noqa: E402
from pipeline.page.extract import assign_by_content  # noqa: E402
from pipeline.page.structure import Structure  # noqa: E402

sp = load_spec()
pages = right = cols = doubted = page_doubt = 0
for f in sorted(glob.glob(pattern, recursive=True)):
    g = json.load(open(f))
    for p in g["pages"]:
        if not p.get("has_table", True) or not p.get("rows"):
            continue
        header, truth = p["header"], p["columns"]
        texts = [[(r["cells"][c] if c < len(r["cells"]) else "") or "" for r in p["rows"]] for c in range(len(header))]
        st = Structure()
        table = [[RawCell(h, 1.0, None) for h in header]] + [
            [RawCell(texts[c][i], 1.0, None) for c in range(len(header))] for i in range(len(p["rows"]))
        ]
        got = assign_by_content(p["ledger_kind"], header, table, st, sp)
        pages += 1
        cols += len(truth)
        right += sum(1 for a, b in zip(got, truth) if a == b)
        doubted += len(st.columns)
        page_doubt += bool(st.page)
print(
    json.dumps(
        {"root": root, "pages": pages, "columns": cols, "right": right, "doubted_columns": doubted, "pages_doubted": page_doubt}
    )
)
