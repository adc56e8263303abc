"""Put generated ledger pages into a working store as if OCR had read them, without drawing or OCR.

For tests, benchmarks and demos of the stages after OCR (review, dedupe, load): each page of a
generated register becomes a processed Page (its title, ledger kind and column layout) and its
rows become Records mapped by the real mapping code, exactly as after a perfect reading. A few
cells can be given a low OCR confidence so that records go to review.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from pipeline.kernel.config import Settings
from pipeline.kernel.models import RawCell
from pipeline.kernel.store import Page, Record, SourceFile, Store, utcnow
from pipeline.page.extract import map_rows, save_records
from samples.generator import Register, get_register


@dataclass(frozen=True)
class SeededRow:
    record_id: int
    person_id: str  # the generator's person: the same person in several rows is a true duplicate
    page_id: int
    row_no: int


def seed_register(
    store: Store,
    settings: Settings,
    register: Register,
    *,
    pages: int | None = None,
    unsure_share: float = 0.0,
    rng_seed: int = 0,
    page_order: Sequence[int] | None = None,
) -> list[SeededRow]:
    """Store `pages` pages (default all) of `register`; return the stored rows with their person ids.

    `unsure_share`: share of rows with one cell at OCR confidence 0.5 (those go to review).
    `page_order`: the page numbers in the order their records are saved (default 1, 2, ...), as page
    workers running side by side finish pages in any order: record ids then follow that order."""
    rng = np.random.default_rng(rng_seed)
    name = f"seeded/{register.home.slug}_{register.kind}_{register.year}_s{register.seed}.pdf"
    sha = hashlib.sha256(name.encode()).hexdigest()
    out: list[SeededRow] = []
    n_pages = register.n_pages if pages is None else min(pages, register.n_pages)
    with store.session() as s, s.begin():
        sf = s.query(SourceFile).filter_by(sha256=sha).one_or_none()
        if sf is None:
            sf = SourceFile(
                sha256=sha,
                rel_path=name,
                abs_path=name,
                size_bytes=0,
                media_type="pdf",
                page_count=register.n_pages,
                status="processed",
            )
            s.add(sf)
            s.flush()
        page_ids = []
        for p in range(1, n_pages + 1):
            page = s.query(Page).filter_by(file_id=sf.id, page_no=p).one_or_none()
            if page is None:
                page = Page(
                    file_id=sf.id,
                    page_no=p,
                    status="done",
                    ledger_kind=register.kind,
                    title=register.title,
                    layout={"columns": list(register.columns)},
                    processed_at=utcnow(),
                )
                s.add(page)
                s.flush()
            page_ids.append(page.id)
    order = list(page_order) if page_order is not None else list(range(1, n_pages + 1))
    if sorted(order) != list(range(1, n_pages + 1)):
        raise ValueError(f"page_order {order} is not an order of pages 1..{n_pages}")
    page_cells: dict[int, list[tuple[int, list[RawCell]]]] = {}
    for p in range(1, n_pages + 1):  # the unsure cells drawn in page order, whatever order pages are saved in
        rows = []
        for i, row in enumerate(register.page_rows(p), start=1):
            cells = [RawCell(text, 1.0, None) for text in row.cells]
            if unsure_share and rng.random() < unsure_share:
                j = int(rng.integers(1, len(cells)))
                cells[j] = RawCell(cells[j].text, 0.5, None)
            rows.append((i, cells))
        page_cells[p] = rows
    for p in order:
        page_id = page_ids[p - 1]
        extracted = map_rows(register.kind, register.title, list(register.columns), page_cells[p], settings)
        save_records(store, page_id, register.kind, extracted, settings)
        with store.session() as s:
            ids = dict(s.query(Record.row_no, Record.id).filter(Record.page_id == page_id).all())
        for i, row in enumerate(register.page_rows(p), start=1):
            if i in ids:
                out.append(SeededRow(ids[i], row.person_id, page_id, i))
    return out


def seed_store(
    store: Store,
    settings: Settings,
    *,
    seed: int = 1,
    homes: tuple[str, ...] = ("yantai",),
    years: tuple[int, ...] = (2013,),
    kinds: tuple[str, ...] = ("cremation", "sea_burial"),
    pages: int | None = None,
    unsure_share: float = 0.0,
    page_order: Sequence[int] | None = None,
) -> list[SeededRow]:
    """Seed several registers (every home x year x kind) of one generator seed (`page_order`: see seed_register)."""
    out: list[SeededRow] = []
    for home in homes:
        for year in years:
            for kind in kinds:
                reg = get_register(seed, home, year, kind)
                out += seed_register(
                    store,
                    settings,
                    reg,
                    pages=pages,
                    unsure_share=unsure_share,
                    rng_seed=zlib.crc32(f"{seed}/{home}/{year}/{kind}".encode()),
                    page_order=page_order,
                )
    return out
