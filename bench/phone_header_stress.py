"""A stress copy's phone columns read as two columns under one header: every page's phone column (the
stored columns' agent_phone or registrant_phone) gets the header 联系电话说明 (a phone's wording and 说明,
a remark's: mapping.headers.merged_header reads two fields) and the doubt pipeline.page.extract's
split_merged_columns gives such a header where its rows' text leaves no gap (MERGED_HEADER_DOUBT), as if
the ruling line between a phone column and a remarks column were missing. The stored cells are unchanged,
so a re-map (bench/hold_reasons.py) measures what drop_merged_header_refuted makes of the real readings of
phone columns: how many it keeps doubted, and whether a phone read wrong is auto-accepted.

    cp -a /work/data/design/d3316/seed3316-p16 COPY
    python bench/phone_header_stress.py COPY        # edits COPY's stores in place
    python bench/hold_reasons.py COPY --tag phone-header-stress

Prints counts only. Never part of the test suite."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.page.structure import MERGED_HEADER_DOUBT  # noqa: E402

PHONE_FIELDS = ("agent_phone", "registrant_phone")
HEADER = "联系电话说明"


def stress_store(db: Path) -> int:
    """Doubt every page's phone column of one store as read under a header naming two fields; how many."""
    n = 0
    con = sqlite3.connect(db)
    for pid, layout in con.execute("select id, layout from pages where layout is not null").fetchall():
        lay = json.loads(layout)
        header = lay.get("header") or []
        for c, f in enumerate(lay.get("columns") or []):
            if f in PHONE_FIELDS and c < len(header):
                header[c] = HEADER
                doubts = lay.setdefault("structure", {}).setdefault("columns", {}).setdefault(str(c), [])
                doubts.append(f"{MERGED_HEADER_DOUBT} ({f}, remarks): a ruling line is missing and its values could not be split")
                con.execute("update pages set layout=? where id=?", (json.dumps(lay, ensure_ascii=False), pid))
                n += 1
    con.commit()
    con.close()
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", help="a COPY holding <family>/run-*/data/store.sqlite (edited in place)")
    args = ap.parse_args()
    total = 0
    for db in sorted(Path(args.root).glob("*/run-*/data/store.sqlite")):
        n = stress_store(db)
        print(f"{db.relative_to(args.root).parts[0]}: {n} phone columns doubted")
        total += n
    print(f"total: {total}")


if __name__ == "__main__":
    main()
