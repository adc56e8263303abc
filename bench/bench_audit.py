"""Issue 23 bench: the blind audit at scale, reviewers simulated on a seeded store with truth.

    python bench/bench_audit.py --volumes 220 --seed 2301 [--no-escalate] [--miss 0.0]

Builds a real working store (SQLite) of `--volumes` ledger volumes (one scan file each) of
auto-accepted records: every record is a generated ledger row (samples.generator) mapped by the real
mapping code (rows mapped once, then copied into each volume's pages), and each volume gets its own
true wrong-field rate: 60 % of volumes 0.02-0.25 %, 20 % 0.25-0.6 %, 20 % 0.6-3 % (at least twice the
0.3 % target). Errors are drawn per record and come in clusters (one to four wrong fields in a
record, as a misread address takes its division code along), written into the stored values; the
truth is kept by the bench. Volume sizes are log-uniform between --min-size and --max-size records.

Then the product runs as it would: pipeline.quality.audit.draw (default 2 % a volume, at least 20, seeded);
simulated reviewers take each audit record from the review queue's records and correct every wrong
field to the truth through pipeline.review.corrections (missing a wrong field with probability --miss), then
approve it; pipeline.quality.audit.enforce acts (an inconclusive volume's audit extended, a failed one sent
back); repeated until no audit record waits. Reported: how often the final 95 % interval covers the
volume's true rate, whether every volume at 2 x target or more was caught (sent back), how many good
volumes were sent back, and the review effort (audit records, records sent back), by volume size.
Results: bench/results/audit-seed<seed>[-literal].md. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "tests"))  # tests/reviewing.py: a reviewer's confirmations, then Approve

from reviewing import approve_as_reviewer  # noqa: E402

from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.models import RawCell  # noqa: E402
from pipeline.kernel.store import AuditSample, AuditVerdict, Page, Record, SourceFile, Store, utcnow  # noqa: E402
from pipeline.page.extract import map_rows  # noqa: E402
from pipeline.page.routing import route  # noqa: E402
from pipeline.quality import audit as A  # noqa: E402
from pipeline.quality.calibration import CERTAIN_TYPES, field_types  # noqa: E402
from pipeline.review.corrections import FieldEntry, review_form  # noqa: E402
from samples.generator import get_register  # noqa: E402

TEMPLATE_REGISTERS = [
    ("yantai", 2013, "cremation"),
    ("longkou", 2016, "cremation"),
    ("haiyang", 2011, "cremation"),
    ("laizhou", 2015, "cremation"),
    ("yantai", 2013, "sea_burial"),
    ("haiyang", 2011, "sea_burial"),
]


def templates(settings: Settings, pages: int = 3) -> list[dict]:
    """Generated rows mapped by the real mapping code: the rows every volume is made of."""
    out = []
    types = field_types()
    for slug, year, kind in TEMPLATE_REGISTERS:
        reg = get_register(1, slug, year, kind)
        for p in range(1, min(pages, reg.n_pages) + 1):
            rows = [(i, [RawCell(t, 1.0, None) for t in row.cells]) for i, row in enumerate(reg.page_rows(p), start=1)]
            for ext, row in zip(map_rows(kind, reg.title, list(reg.columns), rows, settings), reg.page_rows(p)):
                status, reasons = route(ext.record, settings)
                if status != "auto_accepted":
                    continue
                fields = {k: v.to_dict() for k, v in ext.record.fields.items()}
                readable = [
                    n
                    for n, fv in fields.items()
                    if types.get(n, "text") not in CERTAIN_TYPES and fv.get("value") not in (None, "") and n != "id_number_raw"
                ]
                out.append(
                    {
                        "kind": kind,
                        "title": reg.title,
                        "columns": list(reg.columns),
                        "fields": fields,
                        "cells": [c.to_dict() for c in ext.cells],
                        "readable": readable,
                        "printed": dict(zip(reg.columns, row.cells)),
                    }
                )
    return out


def wrong_value(v):
    if isinstance(v, int):
        return v + 1
    s = str(v)
    return s[:-1] + ("X" if s[-1:] != "X" else "Y") if s else "X"


def build(store: Store, settings: Settings, tpl: list[dict], args, rng: np.random.Generator) -> tuple[list[dict], dict]:
    """The volumes, their records and injected errors. Returns (volumes, truth: record id -> wrong fields)."""
    n_fields = np.mean(
        [sum(1 for n, fv in t["fields"].items() if fv.get("value") not in (None, "") and n != "id_number_raw") for t in tpl]
    )
    by_kind = defaultdict(list)
    for i, t in enumerate(tpl):
        by_kind[(t["kind"], t["title"])].append(i)
    groups = list(by_kind.values())
    vols, truth = [], {}
    rid = 0
    for v in range(args.volumes):
        u = rng.random()
        p = rng.uniform(0.0002, 0.0025) if u < 0.6 else rng.uniform(0.0025, 0.006) if u < 0.8 else rng.uniform(0.006, 0.03)
        size = int(round(math.exp(rng.uniform(math.log(args.min_size), math.log(args.max_size)))))
        group = groups[v % len(groups)]
        t0 = tpl[group[0]]
        name = f"bench/{v:03d}_{t0['kind']}.pdf"
        sha = hashlib.sha256(f"{args.seed}/{name}".encode()).hexdigest()
        # errors in clusters: a record is wrong with probability q, in 1-4 fields (mean 1.5)
        q = min(1.0, p * n_fields / 1.5)
        rows = []
        wrong_total = fields_total = 0
        per_page = 14
        for k in range(size):
            t = tpl[group[k % len(group)]]
            fields = copy.deepcopy(t["fields"])
            wrong = []
            if rng.random() < q:
                m = min(len(t["readable"]), 1 + int(rng.choice([0, 0, 0, 1, 1, 2, 3])))
                wrong = list(rng.choice(t["readable"], size=m, replace=False))
                for f in wrong:
                    fields[f]["value"] = wrong_value(fields[f]["value"])
            rid += 1
            truth[rid] = (group[k % len(group)], wrong)
            wrong_total += len(wrong)
            fields_total += sum(1 for n, fv in t["fields"].items() if fv.get("value") not in (None, "") and n != "id_number_raw")
            rows.append(
                {
                    "id": rid,
                    "page_no": k // per_page + 1,
                    "row_no": k % per_page + 1,
                    "ledger_kind": t["kind"],
                    "status": "auto_accepted",
                    "route_reasons": [],
                    "fields": fields,
                    "problems": [],
                    "cells": t["cells"],
                    "min_confidence": 0.9,
                    "overrides": {},
                }
            )
        vols.append(
            {
                "name": name,
                "sha": sha,
                "size": size,
                "p_set": p,
                "true_rate": wrong_total / fields_total,
                "fields": fields_total,
                "wrong": wrong_total,
                "title": t0["title"],
                "kind": t0["kind"],
                "columns": t0["columns"],
                "rows": rows,
            }
        )
    # write: files, pages, records, in bulk
    now = utcnow()
    with store.engine.begin() as c:
        for v in vols:
            fid = c.execute(
                insert(SourceFile.__table__).values(
                    sha256=v["sha"],
                    rel_path=v["name"],
                    abs_path=v["name"],
                    size_bytes=0,
                    media_type="pdf",
                    page_count=v["rows"][-1]["page_no"],
                    status="processed",
                    created_at=now,
                )
            ).inserted_primary_key[0]
            n_pages = v["rows"][-1]["page_no"]
            c.execute(
                insert(Page.__table__),
                [
                    {
                        "file_id": fid,
                        "page_no": p,
                        "status": "done",
                        "ledger_kind": v["kind"],
                        "title": v["title"],
                        "layout": {"columns": v["columns"]},
                        "steps": [],
                        "processed_at": now,
                    }
                    for p in range(1, n_pages + 1)
                ],
            )
            page_ids = dict(c.execute(select(Page.page_no, Page.id).where(Page.file_id == fid)).all())
            recs = []
            for r in v["rows"]:
                d = dict(r)
                d["page_id"] = page_ids[d.pop("page_no")]
                d["created_at"] = d["updated_at"] = now
                recs.append(d)
            c.execute(insert(Record.__table__), recs)
            v["file_id"] = fid
            del v["rows"]
    return vols, truth


def review_pending(store: Store, settings: Settings, tpl: list[dict], truth: dict, miss: float, rng) -> dict[str, int]:
    """The simulated reviewers: every audit record waiting is corrected to the truth and approved."""
    counts = defaultdict(int)
    with store.session() as s:
        pending = list(
            s.scalars(select(AuditSample.record_id).where(AuditSample.outcome == "pending").order_by(AuditSample.record_id))
        )
    for rid in pending:
        t_idx, wrong = truth[rid]
        t = tpl[t_idx]
        typed = {}
        for f in wrong:
            if miss and rng.random() < miss:
                counts["missed"] += 1
                continue
            typed[f] = str(t["printed"].get(f) if f in t["printed"] else t["fields"][f]["value"])
        if typed:  # a value the paper does not hold is marked "not on the scan", never typed as blank
            entries = {f: FieldEntry(v, not_on_scan=not v.strip() or v == "None") for f, v in typed.items()}
            out = review_form(store, rid, entries, user="sim-reviewer", settings=settings, reason="simulated review")
            assert not out.refused, out.refused
            counts["corrected_records"] += 1
            counts["corrected_fields"] += len(typed)
        approve_as_reviewer(store, rid, "sim-reviewer", settings)  # under the review contract (issue 22)
        counts["reviewed"] += 1
    return dict(counts)


def size_class(n: int) -> str:
    for lim, label in ((300, "< 300"), (1000, "300-999"), (3000, "1 000-2 999")):
        if n < lim:
            return label
    return "≥ 3 000"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--volumes", type=int, default=220)
    ap.add_argument("--seed", type=int, default=2301)
    ap.add_argument("--min-size", type=int, default=150)
    ap.add_argument("--max-size", type=int, default=4000)
    ap.add_argument("--miss", type=float, default=0.0, help="probability a reviewer misses a wrong field")
    ap.add_argument("--no-escalate", action="store_true", help="the literal rule: an inconclusive volume is sent back at once")
    ap.add_argument("--interval", choices=["wilson", "exact"], default="wilson")
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    args = ap.parse_args()
    tag = (
        f"{args.seed}"
        + ("-literal" if args.no_escalate else "")
        + (f"-{args.interval}" if args.interval != "wilson" else "")
        + (f"-miss{args.miss}" if args.miss else "")
    )
    out = Path(args.out) / f"audit-{tag}"
    if out.exists():
        import shutil

        shutil.rmtree(out)
    settings = Settings(data_dir=str(out / "data"), audit_escalate=not args.no_escalate, audit_interval=args.interval)
    rng = np.random.default_rng(args.seed)
    store = Store.open(settings)
    t0 = time.perf_counter()
    tpl = templates(settings)
    vols, truth = build(store, settings, tpl, args, rng)
    t_build = time.perf_counter() - t0
    total_records = sum(v["size"] for v in vols)
    print(f"store: {len(vols)} volumes, {total_records} records ({len(tpl)} mapped template rows) in {t_build:.0f} s", flush=True)

    t0 = time.perf_counter()
    rounds, reviews = [], defaultdict(int)
    first_rates: dict[str, A.QualityRow] = {}
    drawn = A.draw(store, settings)
    for rnd in range(1, 20):
        got = review_pending(store, settings, tpl, truth, args.miss, rng)
        for k, v in got.items():
            reviews[k] += v
        if rnd == 1:
            first_rates = {r.key: r for r in A.quality(store, settings).rows["volume"]}
        actions = A.enforce(store, settings, user="bench")
        ext = [a for a in actions if a.verdict == "extended"]
        rounds.append(
            {
                "round": rnd,
                "reviewed": got.get("reviewed", 0),
                "extended": len(ext),
                "sent_back": sum(1 for a in actions if a.verdict in ("sent_back", "recheck")),
                "passed": sum(1 for a in actions if a.verdict == "passed"),
            }
        )
        print(f"round {rnd}: {rounds[-1]}", flush=True)
        if not ext:
            break
    t_loop = time.perf_counter() - t0
    rep = A.quality(store, settings)
    by_key = {r.key: r for r in rep.rows["volume"]}
    with store.session() as s:
        verdicts = {v.volume: v for v in s.scalars(select(AuditVerdict))}
    target = settings.audit_target
    rows = []
    for v in vols:
        key = f"file:{v['name']}"
        r = by_key[key]
        first = first_rates.get(key)
        verdict = verdicts.get(key)
        rows.append(
            {
                "size": v["size"],
                "true": v["true_rate"],
                "rate": r.rate.rate,
                "low": r.rate.low,
                "high": r.rate.high,
                "covered": r.rate.low <= v["true_rate"] <= r.rate.high,
                "first_covered": first is not None
                and first.rate is not None
                and first.rate.low <= v["true_rate"] <= first.rate.high,
                "audited": r.reviewed,
                "sent_back": verdict.sent_back if verdict else 0,
                "verdict": verdict.verdict if verdict else r.state,
                "class": size_class(v["size"]),
            }
        )
    bad = [x for x in rows if x["true"] >= 2 * target]
    good = [x for x in rows if x["true"] <= target]
    caught = [x for x in bad if x["verdict"] in ("sent_back", "recheck")]
    good_back = [x for x in good if x["verdict"] in ("sent_back", "recheck")]
    coverage = sum(x["covered"] for x in rows) / len(rows)
    first_cov = sum(x["first_covered"] for x in rows) / len(rows)
    audited = sum(x["audited"] for x in rows)
    sent = sum(x["sent_back"] for x in rows)
    policy = (
        "literal (an inconclusive volume is sent back at once)"
        if args.no_escalate
        else f"double sampling (an inconclusive volume is audited further while under {settings.audit_max_share:.0%} of it)"
    )
    lines = [
        f"# Blind audit at scale: {len(vols)} volumes, seed {args.seed}, {args.interval} interval, {policy}",
        "",
        f"Store: {total_records} auto-accepted records in {len(vols)} volumes ({args.min_size}-{args.max_size} records, "
        f"log-uniform), built in {t_build:.0f} s; true wrong-field rates {min(x['true'] for x in rows):.3%}-"
        f"{max(x['true'] for x in rows):.2%} ({len(good)} volumes at or under the {target:.1%} target, {len(bad)} at 2 x or more). "
        f"Reviewers simulated through the product's corrections and decisions (missed wrong fields: {args.miss:.0%}); "
        f"{len(rounds)} rounds of review and enforce in {t_loop:.0f} s (2-core machine, shared).",
        "",
        "| measure | value | floor |",
        "|---|---|---|",
        f"| 95 % interval covers the true rate (final) | {coverage:.1%} ({sum(x['covered'] for x in rows)} of {len(rows)}) | ≥ 93 % |",
        f"| 95 % interval covers the true rate (first sample of {settings.audit_share:.0%}, at least {settings.audit_min_per_volume}) | "
        f"{first_cov:.1%} | |",
        f"| volumes at ≥ 2 x target caught (sent back) | {len(caught)} of {len(bad)} | all |",
        f"| volumes within target sent back anyway | {len(good_back)} of {len(good)} | |",
        f"| audit effort: audit records reviewed | {audited} ({audited / total_records:.1%} of auto-accepted records; "
        f"first draw {drawn.drawn}) | reported |",
        f"| re-review effort: records sent back | {sent} ({sent / total_records:.1%}) | reported |",
        "",
        "By volume size (records):",
        "",
        "| size | volumes | covered | bad caught | good sent back | audited (share of their records) | sent back |",
        "|---|---|---|---|---|---|---|",
    ]
    for cls in ("< 300", "300-999", "1 000-2 999", "≥ 3 000"):
        sel = [x for x in rows if x["class"] == cls]
        if not sel:
            continue
        n_rec = sum(x["size"] for x in sel)
        b = [x for x in sel if x["true"] >= 2 * target]
        g = [x for x in sel if x["true"] <= target]
        lines.append(
            f"| {cls} | {len(sel)} | {sum(x['covered'] for x in sel)} | {sum(x['verdict'] in ('sent_back', 'recheck') for x in b)} of {len(b)} | "
            f"{sum(x['verdict'] in ('sent_back', 'recheck') for x in g)} of {len(g)} | {sum(x['audited'] for x in sel)} "
            f"({sum(x['audited'] for x in sel) / n_rec:.1%}) | {sum(x['sent_back'] for x in sel)} |"
        )
    lines += [
        "",
        "Rounds (review the audit records waiting, then enforce):",
        "",
        "| round | reviewed | extended | sent back | passed |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r['round']} | {r['reviewed']} | {r['extended']} | {r['sent_back']} | {r['passed']} |" for r in rounds]
    missed_bad = [x for x in bad if x not in caught]
    if missed_bad:
        lines += [
            "",
            "Bad volumes not caught: "
            + "; ".join(
                f"size {x['size']}, true {x['true']:.2%}, measured {x['rate']:.2%} [{x['low']:.2%}, {x['high']:.2%}]"
                for x in missed_bad
            ),
        ]
    (out / "volumes.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    res = ROOT / "bench" / "results"
    res.mkdir(exist_ok=True)
    (res / f"audit-seed{tag}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    store.dispose()


if __name__ == "__main__":
    main()
