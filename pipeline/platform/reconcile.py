"""`reconcile`: the working store against the platform, per funeral home and ledger volume.

What the store says was loaded (loaded_records, the receipts of pipeline.platform.receipts) against
what the platform holds, recomputed from the rows the loader would build (pipeline.platform.load).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.kernel.config import Settings, mask_url
from pipeline.kernel.store import LoadedRecord, PlatformReceipt, Store


def loaded_records(store: Store) -> dict[int, tuple[str, str]]:
    """record id -> (natural key, row hash) of every record the store marked loaded."""
    from sqlalchemy import select

    with store.session() as s:
        return {
            rid: (k, h)
            for rid, k, h in s.execute(select(LoadedRecord.record_id, LoadedRecord.natural_key, LoadedRecord.row_hash))
        }


# ---- reconcile --------------------------------------------------------------------------------
@dataclass
class VolumeDiff:
    """One funeral home's ledger volume (source file) in one entity set: what the store expects on
    the platform and what is there. Differences are named by page and row, never by personal data."""

    entity_set: str
    funeral_home_code: str
    source_file: str
    expected: int = 0
    on_platform: int = 0
    missing: list[str] = field(default_factory=list)  # expected, not on the platform
    extra: list[str] = field(default_factory=list)  # on the platform, not expected from the store
    mismatched: list[str] = field(default_factory=list)  # there, with other values (row hash differs)

    @property
    def differs(self) -> bool:
        return bool(self.missing or self.extra or self.mismatched)


@dataclass
class ReconcileReport:
    volumes: list[VolumeDiff]
    receipts_only_in_store: list[str] = field(default_factory=list)
    receipts_only_on_platform: list[str] = field(default_factory=list)
    receipts_differing: list[str] = field(default_factory=list)

    @property
    def differences(self) -> int:
        return (
            sum(len(v.missing) + len(v.extra) + len(v.mismatched) for v in self.volumes)
            + len(self.receipts_only_in_store)
            + len(self.receipts_only_on_platform)
            + len(self.receipts_differing)
        )

    @property
    def ok(self) -> bool:
        return self.differences == 0

    def format(self, *, limit: int = 20) -> str:
        """The report people read, Chinese first: a table per entity set, funeral home and volume (the
        header in Chinese, then in English, aligned by display width), then what differs, record by
        record (p page, r row)."""
        from pipeline.kernel.safety import padded

        def row(cells: tuple[str, ...]) -> str:
            widths, right = (24, 14, 8, 8, 7, 6, 6), (False, False, True, True, True, True, True)
            return " ".join(padded(text, w, r) for text, w, r in zip(cells, widths, right)) + "  " + cells[-1]

        lines = [
            row(("实体集", "殡仪馆代码", "应有", "平台上", "缺少", "多出", "不同", "卷册")),
            row(("entity set", "home", "expected", "platform", "missing", "extra", "differ", "volume")),
        ]
        for v in self.volumes:
            lines.append(
                row(
                    (
                        v.entity_set,
                        v.funeral_home_code,
                        str(v.expected),
                        str(v.on_platform),
                        str(len(v.missing)),
                        str(len(v.extra)),
                        str(len(v.mismatched)),
                        v.source_file,
                    )
                )
            )
        for v in self.volumes:
            for what, items in (
                ("平台上缺少 / missing on the platform", v.missing),
                ("只在平台上 / on the platform only", v.extra),
                ("与平台上的不同 / different on the platform", v.mismatched),
            ):
                if items:
                    more = f", … (另有 {len(items) - limit} 条 / {len(items) - limit} more)" if len(items) > limit else ""
                    lines.append(f"  {v.source_file} [{v.entity_set}] {what}: {', '.join(items[:limit])}{more}")
        for what, ids in (
            ("只在工作库中的回执 / receipts only in the store", self.receipts_only_in_store),
            ("只在平台上的回执 / receipts only on the platform", self.receipts_only_on_platform),
            ("内容不同的回执 / receipts that differ", self.receipts_differing),
        ):
            if ids:
                lines.append(f"{what}: {', '.join(ids[:limit])}" + (" …" if len(ids) > limit else ""))
        lines.append(
            "工作库与平台一致 / no differences"
            if self.ok
            else f"共 {self.differences} 处不一致（p 页 r 行）/ {self.differences} difference(s) (p page, r row)"
        )
        return "\n".join(lines)


def reconcile(store: Store, settings: Settings) -> ReconcileReport:
    """Compare what the store's loadable records should be on the platform with what is there,
    per funeral home and ledger volume, and the receipts of both sides."""
    from sqlalchemy import select

    from pipeline.platform.load import build_rows
    from pipeline.platform.schema import ENTITY_TABLES, open_platform

    url = settings.platform_db_url
    engine, md = open_platform(url, settings.spec_version, create=settings.platform_is_default)
    vols: dict[tuple[str, str, str], VolumeDiff] = {}

    def vol(entity: str, home: str | None, source: str | None) -> VolumeDiff:
        k = (entity, home or "?", source or "?")
        if k not in vols:
            vols[k] = VolumeDiff(*k)
        return vols[k]

    expected: dict[str, dict] = {t: {} for t in ENTITY_TABLES.values()}
    for b in build_rows(store, settings):  # one row per person: a merged-away record is its person's row
        if b.repeat_of is None:
            expected[ENTITY_TABLES[b.row.kind]][b.row.key] = b.row
    try:
        with engine.connect() as conn:
            contacts = md.tables["contact_information"]
            on_contacts = dict(conn.execute(select(contacts.c.natural_key, contacts.c.row_hash)).all())
            for tname, exp in expected.items():
                t = md.tables[tname]
                there = {
                    r.natural_key: r
                    for r in conn.execute(
                        select(
                            t.c.natural_key, t.c.row_hash, t.c.funeral_home_code, t.c.source_file, t.c.source_page, t.c.source_row
                        )
                    )
                }
                for key, row in exp.items():
                    v = vol(tname, row.funeral_home_code, row.source_file)
                    v.expected += 1
                    where = f"p{row.source_page} r{row.source_row}"
                    got = there.get(key)
                    if got is None:
                        v.missing.append(where)
                    elif got.row_hash != row.row_hash or on_contacts.get(row.contact_key) != row.contact_hash:
                        v.mismatched.append(where)
                for key, got in there.items():
                    v = vol(tname, got.funeral_home_code, got.source_file)
                    v.on_platform += 1
                    if key not in exp:
                        v.extra.append(f"p{got.source_page} r{got.source_row}")
            lr = md.tables["load_receipts"]
            platform_receipts = {
                r.batch_id: r.sha256 for r in conn.execute(select(lr.c.batch_id, lr.c.sha256).where(lr.c.origin == "load"))
            }
    finally:
        engine.dispose()
    with store.session() as s:
        store_receipts = dict(
            s.execute(
                select(PlatformReceipt.batch_id, PlatformReceipt.sha256).where(PlatformReceipt.platform == mask_url(url))
            ).all()
        )
    return ReconcileReport(
        volumes=[vols[k] for k in sorted(vols)],
        receipts_only_in_store=sorted(set(store_receipts) - set(platform_receipts)),
        receipts_only_on_platform=sorted(set(platform_receipts) - set(store_receipts)),
        receipts_differing=sorted(
            b for b in set(store_receipts) & set(platform_receipts) if store_receipts[b] != platform_receipts[b]
        ),
    )
