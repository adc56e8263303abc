"""CSV export of every extracted ledger row: position, status, cluster, spec fields, confidences, raw text.
Cells a spreadsheet would run as a formula are neutralized (pipeline.kernel.csvsafe)."""

from __future__ import annotations

import errno
from pathlib import Path

from mapping.spec import load_spec
from pipeline.kernel import csvsafe
from pipeline.kernel.errors import output_error
from pipeline.kernel.safety import private_file
from pipeline.kernel.store import Store

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
    """Write one row per ledger row; returns the number of rows. The file is written atomically and
    readable by its owner only (0600: it holds ID and phone numbers in full). A path that cannot be
    written (a folder, no permission, a read-only disk) is an OutputError, and nothing is left behind."""
    out = Path(out)
    if out.is_dir():
        raise output_error(out, IsADirectoryError(errno.EISDIR, "Is a directory"), "export")
    tmp = out.with_suffix(out.suffix + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        n = _write_csv(store, tmp, spec_version)
        tmp.replace(out)
    except OSError as e:
        _remove(tmp)
        raise output_error(out, e, "export") from e
    except BaseException:
        _remove(tmp)
        raise
    return n


def _remove(tmp: Path) -> None:
    """No `.part` file is left behind by a failed export."""
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        pass


def _write_csv(store: Store, tmp: Path, spec_version: str) -> int:
    names = export_fields(spec_version)
    header = POSITION + names + [f"{n}__{suffix}" for n in names for suffix in ("conf", "raw")]
    n = 0
    with private_file(tmp, "w", encoding="utf-8", newline="") as f:
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
    return n


def _cell(v: object) -> str:
    return "" if v is None else str(v)
