"""CSV export of every extracted ledger row: position, status, cluster, spec fields, confidences, raw text.
Cells a spreadsheet would run as a formula are neutralized (pipeline.csvsafe)."""
from __future__ import annotations

from pathlib import Path

from mapping.spec import load_spec
from pipeline import csvsafe
from pipeline.store import Store

POSITION = ["source_file", "page", "row", "ledger_kind", "status", "cluster_id"]


def export_fields(spec_version: str) -> list[str]:
    """Every spec field of every ledger kind, in spec order, each once."""
    spec = load_spec(spec_version)
    names: list[str] = []
    for kind in spec.kinds.values():
        for f in kind.fields:
            if f.name not in names:
                names.append(f.name)
    return names


def export_csv(store: Store, out: Path, spec_version: str) -> int:
    """Write one row per ledger row; returns the number of rows. The file is written atomically."""
    names = export_fields(spec_version)
    header = POSITION + names + [f"{n}__{suffix}" for n in names for suffix in ("conf", "raw")]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".part")
    n = 0
    with tmp.open("w", encoding="utf-8", newline="") as f:
        w = csvsafe.writer(f)
        w.writerow(header)
        for rec, page, sf in store.iter_records():
            fields = rec.fields
            row = [sf.rel_path, page.page_no, rec.row_no, rec.ledger_kind, rec.status, rec.cluster_id or ""]
            row += [_cell(fields.get(name, {}).get("value")) for name in names]
            for name in names:
                fv = fields.get(name)
                row += ["" if fv is None else f"{fv.get('confidence', 0):.3f}", "" if fv is None else fv.get("raw", "")]
            w.writerow(row)
            n += 1
    tmp.replace(out)
    return n


def _cell(v: object) -> str:
    return "" if v is None else str(v)
