"""De-duplication over the working store: persons (Record.cluster_id), scored pairs with their
explanation (RecordLink), matches with rows already on the platform (PlatformLink), and the
person's golden values.

`link_store` is idempotent and stable: running it again changes nothing, and a person's decision
on a pair (`pipeline.review.corrections.decide_link`: merged / kept_apart) is never overridden.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import MetaData, Table, delete, inspect, select, update

from mapping.dedupe import DedupeRecord, DedupeResult, Golden, SourceValues, dedupe, merge_values
from pipeline.kernel.config import Settings
from pipeline.kernel.store import Page, PlatformLink, Record, RecordLink, SourceFile, Store, get_row, make_engine, sqlite_file
from pipeline.page.routing import APPROVED, AUTO_ACCEPTED, NEEDS_REVIEW
from pipeline.platform.schema import ENTITY_TABLES, EVENT_DATE

log = logging.getLogger(__name__)

DECIDED = ("merged", "kept_apart")
AUTOMATIC = ("auto_merged", "uncertain")
REVIEW_REASON = "possible duplicate of another record: decide merge"
PLATFORM_REASON = "possibly already on the platform: decide whether it is the same person"
_TABLE_NO = {name: i for i, name in enumerate(ENTITY_TABLES.values())}


@dataclass
class LinkSummary:
    records: int = 0
    platform_rows: int = 0
    candidates: int = 0
    auto_merged: int = 0
    auto_merged_new: int = 0  # of auto_merged, pairs no earlier run had merged (what this run merged)
    uncertain: int = 0
    persons: int = 0
    platform_matches: int = 0
    links_written: int = 0  # RecordLink / PlatformLink rows added or changed by this run
    records_changed: int = 0  # cluster id or route changed by this run


def _id_raw(fv: dict[str, Any]) -> str | None:
    return fv.get("raw") or None if fv and fv.get("value") is None else None


def _unproposed(fields: dict[str, Any]) -> dict[str, Any]:
    """A record's fields without an ID number proposed for review (mapping.idfix.propose, flag `id_proposed`)
    and what was derived from it (flag `derived_from_id`): the ID as its reading left it (no value, the
    digits read in raw: mapping.dedupe weighs a broken number by them), the derived fields blank. A
    proposal is the recognizer's likeliest valid number where the row left several (right about 2 times
    in 3 on the design stores): no evidence that two records are one person, nor that they are not."""
    idf = fields.get("id_number") or {}
    if "id_proposed" not in (idf.get("flags") or []):
        return fields
    out = dict(fields)
    out["id_number"] = {**idf, "value": None}
    for name, fv in fields.items():
        if name != "id_number" and isinstance(fv, dict) and "derived_from_id" in (fv.get("flags") or []):
            out[name] = {**fv, "value": None}
    return out


def dedupe_record(key: int, kind: str, fields: dict[str, Any], origin: str = "store", reviewed: bool = False) -> DedupeRecord:
    """A stored record's fields (field -> FieldValue dict) as dedupe sees them; an ID proposed for review
    and the fields derived from it are not seen until a reviewer approved the record (`reviewed`)."""
    fields = fields if reviewed else _unproposed(fields)

    def val(name: str) -> Any:
        return (fields.get(name) or {}).get("value")

    idf, certf, namef = fields.get("id_number") or {}, fields.get("cremation_cert_no") or {}, fields.get("deceased_name") or {}
    event = val(EVENT_DATE.get(kind, "cremation_date")) or val("death_date")
    return DedupeRecord(
        key=key,
        kind=kind,
        funeral_home_code=val("funeral_home_code"),
        deceased_name=val("deceased_name"),
        id_number=val("id_number"),
        cremation_cert_no=val("cremation_cert_no"),
        birth_date=val("birth_date"),
        event_date=event,
        sex_code=val("sex_code"),
        death_date=val("death_date"),
        id_raw=_id_raw(idf),
        cert_raw=_id_raw(certf),
        name_confidence=float(namef.get("confidence", 1.0)) if namef else 1.0,
        id_confidence=float(idf.get("confidence", 1.0)) if idf else 1.0,
        origin=origin,
    )


def _platform_key(table: str, row_id: int) -> int:
    return row_id * len(_TABLE_NO) + _TABLE_NO[table]


def _platform_ref(key: int) -> tuple[str, int]:
    names = list(_TABLE_NO)
    return names[key % len(_TABLE_NO)], key // len(_TABLE_NO)


def platform_records(url: str, skip_sources: set[tuple[str, int, int]]) -> tuple[list[DedupeRecord], dict[int, str]]:
    """Rows already on the platform as dedupe records (origin "platform"), except those that came
    from a record of this store (`skip_sources`: file sha256, page, row). Reads by reflection, so
    it works whatever columns the loader adds; returns ({}) when there is no platform yet."""
    out: list[DedupeRecord] = []
    natural: dict[int, str] = {}
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return out, natural  # no platform yet; reading never creates one
    engine = make_engine(url, what="platform database", create=False)
    try:
        names = set(inspect(engine).get_table_names())
        md = MetaData()
        with engine.connect() as conn:
            for kind, tname in ENTITY_TABLES.items():
                if tname not in names:
                    continue
                table = Table(tname, md, autoload_with=engine)
                for row in conn.execute(select(table).order_by(table.c.id)).mappings():
                    src = (row.get("source_file_sha256"), row.get("source_page"), row.get("source_row"))
                    if src in skip_sources:
                        continue
                    fields = {
                        c: {"value": (v.isoformat() if hasattr(v, "isoformat") else v), "confidence": 1.0}
                        for c, v in row.items()
                        if v is not None
                    }
                    for c in ("sex_code",):
                        if c in fields:
                            fields[c]["value"] = str(fields[c]["value"])
                    key = _platform_key(tname, int(row["id"]))
                    out.append(dedupe_record(key, kind, fields, origin="platform"))
                    natural[key] = row["natural_key"]  # NOT NULL in every entity table (schema.py)
    finally:
        engine.dispose()
    return out, natural


def link_store(store: Store, settings: Settings | None = None, *, platform: bool = True) -> LinkSummary:
    """De-duplicate every record in the store (and against the platform when `settings` names one)."""
    with store.session() as s:
        rows = s.execute(
            select(
                Record.id,
                Record.ledger_kind,
                Record.fields,
                Record.status,
                Record.cluster_id,
                Record.route_reasons,
                SourceFile.sha256,
                Page.page_no,
                Record.row_no,
            )
            .join(Page, Record.page_id == Page.id)
            .join(SourceFile, Page.file_id == SourceFile.id)
        ).all()
        existing = {(lk.a_id, lk.b_id): lk for lk in s.scalars(select(RecordLink))}
        existing_p = {(pl.record_id, pl.platform_table, pl.platform_row_id): pl for pl in s.scalars(select(PlatformLink))}
    # in source order (file sha256, page, row), not as the database returns them: dedupe breaks ties between
    # equally good matches by row order, and record ids follow the order page workers finished pages in
    rows = sorted(rows, key=lambda r: (r.sha256, r.page_no, r.row_no, r.id))
    recs = [
        dedupe_record(r.id, r.ledger_kind, r.fields or {}, reviewed=r.status == APPROVED) for r in rows if r.status != "rejected"
    ]
    summary = LinkSummary(records=len(recs))
    natural: dict[int, str] = {}
    if platform and settings is not None:
        sources = {(r.sha256, r.page_no, r.row_no) for r in rows}
        prow, natural = platform_records(settings.platform_db_url, sources)
        recs += prow
        summary.platform_rows = len(prow)
    decided = {k: lk.status for k, lk in existing.items() if lk.status in DECIDED}
    result = dedupe(recs, decided=decided)
    summary.candidates = result.candidates
    return _write(store, rows, result, existing, existing_p, natural, summary)


def _write(store: Store, rows, result: DedupeResult, existing, existing_p, natural, summary: LinkSummary) -> LinkSummary:
    wanted: dict[tuple[int, int], Any] = {}
    wanted_p: dict[tuple[int, str, int], Any] = {}
    review: dict[int, str] = {}
    for lk in result.links + result.uncertain:
        if lk.a_origin == "store" and lk.b_origin == "store":
            wanted[(lk.a, lk.b)] = lk
            if lk.status == "uncertain":
                review.setdefault(lk.a, REVIEW_REASON)
                review.setdefault(lk.b, REVIEW_REASON)
        elif lk.a_origin == "store":
            table, row_id = _platform_ref(lk.b)
            wanted_p[(lk.a, table, row_id)] = lk
            if lk.status == "uncertain":
                review.setdefault(lk.a, PLATFORM_REASON)
    summary.auto_merged = sum(1 for lk in wanted.values() if lk.status == "auto_merged")
    summary.auto_merged_new = sum(
        1
        for pair, lk in wanted.items()
        if lk.status == "auto_merged" and (existing.get(pair) is None or existing[pair].status != "auto_merged")
    )
    summary.uncertain = sum(1 for lk in wanted.values() if lk.status == "uncertain")
    summary.platform_matches = len(wanted_p)
    cluster_of = result.cluster_of
    summary.persons = len(set(cluster_of.values()))
    with store.session() as s, s.begin():
        for pair, lk in wanted.items():
            old = existing.get(pair)
            if old is not None and old.status in DECIDED:
                continue  # a person decided: never overridden
            if old is None:
                s.add(RecordLink(a_id=lk.a, b_id=lk.b, score=lk.score, status=lk.status, evidence=lk.evidence))
                summary.links_written += 1
            elif (old.status, round(old.score, 4), old.evidence) != (lk.status, lk.score, lk.evidence):
                s.execute(
                    update(RecordLink)
                    .where(RecordLink.id == old.id)
                    .values(score=lk.score, status=lk.status, evidence=lk.evidence)
                )
                summary.links_written += 1
        stale = [old.id for pair, old in existing.items() if pair not in wanted and old.status in AUTOMATIC]
        if stale:
            s.execute(delete(RecordLink).where(RecordLink.id.in_(stale)))
            summary.links_written += len(stale)
        for k, lk in wanted_p.items():
            old = existing_p.get(k)
            if old is None:
                s.add(
                    PlatformLink(
                        record_id=k[0],
                        platform_table=k[1],
                        platform_row_id=k[2],
                        natural_key=natural.get(lk.b),
                        score=lk.score,
                        status=lk.status,
                        evidence=lk.evidence,
                    )
                )
                summary.links_written += 1
            elif (old.status, round(old.score, 4), old.evidence) != (lk.status, lk.score, lk.evidence):
                s.execute(
                    update(PlatformLink)
                    .where(PlatformLink.id == old.id)
                    .values(score=lk.score, status=lk.status, evidence=lk.evidence)
                )
                summary.links_written += 1
        stale_p = [old.id for k, old in existing_p.items() if k not in wanted_p]
        if stale_p:
            s.execute(delete(PlatformLink).where(PlatformLink.id.in_(stale_p)))
            summary.links_written += len(stale_p)
        # persons: only records whose cluster or route changes are written (a re-run writes nothing)
        by_cluster: dict[str, list[int]] = {}
        for r in rows:
            cid = cluster_of.get(r.id)
            if cid is not None and cid != r.cluster_id:
                by_cluster.setdefault(cid, []).append(r.id)
        for cid, ids in by_cluster.items():
            s.execute(update(Record).where(Record.id.in_(ids)).values(cluster_id=cid))
            summary.records_changed += len(ids)
        for r in rows:
            reason = review.get(r.id)
            if reason and r.status == AUTO_ACCEPTED:
                rec = get_row(s, Record, r.id)
                rec.status = NEEDS_REVIEW
                if reason not in (rec.route_reasons or []):
                    rec.route_reasons = list(rec.route_reasons or []) + [reason]
                summary.records_changed += 1
    return summary


def platform_matches(store: Store, record_id: int) -> list[PlatformLink]:
    """The platform rows a record matches (the loader can update that row instead of adding a person)."""
    with store.session() as s:
        return list(
            s.scalars(select(PlatformLink).where(PlatformLink.record_id == record_id).order_by(PlatformLink.score.desc()))
        )


def golden_record(store: Store, cluster_id: str) -> Golden:
    """The person's golden values: the most reliable value per field over the cluster's records,
    each naming the record it came from; `sources` lists every record's file, page and row."""
    with store.session() as s:
        rows = s.execute(
            select(Record, Page.page_no, SourceFile.rel_path, SourceFile.sha256)
            .join(Page, Record.page_id == Page.id)
            .join(SourceFile, Page.file_id == SourceFile.id)
            .where(Record.cluster_id == cluster_id)
            .where(Record.status != "rejected")
        ).all()
    return merge_values(cluster_id, _sources(rows))


def _sources(rows: Iterable[Any]) -> list[SourceValues]:
    return source_values(
        (rec.id, rec.ledger_kind, rec.fields, rec.status, (sha, rel, page_no, rec.row_no)) for rec, page_no, rel, sha in rows
    )


def source_values(
    records: Iterable[tuple[int, str, dict[str, Any] | None, str, tuple[str, str, int, int]]],
) -> list[SourceValues]:
    """(record id, ledger kind, fields, status, (file sha256, file, page, row)) as merge_values reads
    them: golden_record and the loader's merged platform rows (pipeline.platform.load) both go through here."""
    return [
        SourceValues(
            rid,
            fields or {},
            reviewed=status == APPROVED,
            provenance={
                "ledger_kind": kind,
                "source_file": rel,
                "source_file_sha256": sha,
                "page": page_no,
                "row": row_no,
                "status": status,
            },
        )
        for rid, kind, fields, status, (sha, rel, page_no, row_no) in records
    ]
