"""The administrator's completion page: what should exist (inventory), what is done, what is missing,
progress charts, CSV export, inventory import and launching a run. Counting is pipeline.completion's
(the same as `backfill status`); launching is pipeline.launch (a detached `backfill run`) or, when
BACKFILL_PREFECT_DEPLOYMENT names one, a flow run of that Prefect deployment (flows.deploy)."""
from __future__ import annotations

import logging
import os

import pandas as pd
import streamlit as st

from pipeline import completion as C
from pipeline.config import Settings
from pipeline.errors import BackfillError
from pipeline.inventory import Selection, home_names, import_inventory_text, parse_years, volumes
from pipeline.store import Run, Store

log = logging.getLogger("review_app")

LEVEL_LABELS = {"year": "funeral home · ledger · year", "volume": "volume", "ledger": "funeral home · ledger",
                "home": "funeral home"}
COLUMN_LABELS = {"funeral_home": "funeral home", "funeral_home_name": "name", "ledger_kind": "ledger", "year": "year",
                 "volume": "volume", "expected_pages": "expected pages", "scanned": "scanned", "processed": "processed",
                 "pages_done_pct": "% done", "missing_pages": "not scanned", "problem_pages": "problem pages",
                 "records": "records", "auto_accepted": "auto-accepted", "in_review": "in review", "approved": "approved",
                 "rejected": "rejected", "loaded": "loaded", "quarantined": "quarantined files"}


def _frame(rows: list[C.CompletionRow]) -> pd.DataFrame:
    df = pd.DataFrame([r.to_dict() for r in rows], columns=list(C.TABLE_COLUMNS) + ["done_of_expected"])
    return df[list(C.TABLE_COLUMNS)].rename(columns=COLUMN_LABELS)


def completion_page(store: Store, settings: Settings, user: str) -> None:
    st.header("Completion")
    for kind, text in st.session_state.pop("admin_flash", []):
        getattr(st, kind)(text)
    level = st.radio("Table by", list(LEVEL_LABELS), format_func=LEVEL_LABELS.get, key="completion_level", horizontal=True)
    rows = C.completion(store, settings, level)
    total = C.totals(rows)
    m = st.columns(6)
    m[0].metric("Expected pages", total.expected_pages)
    m[1].metric("Scanned pages", total.scanned)
    m[2].metric("Processed pages", total.processed)
    m[3].metric("Records", total.records)
    m[4].metric("In review", total.in_review)
    m[5].metric("Loaded", total.loaded)
    st.dataframe(_frame(rows), hide_index=True, width="stretch", key="completion_table")
    st.download_button("Download the table (CSV)", C.to_csv(rows), file_name=f"completion-{level}.csv", mime="text/csv",
                       key="completion_csv")

    st.subheader("Progress")
    c1, c2 = st.columns(2)
    with c1:
        st.caption("Completion over time (pages read, % of the inventory's expected pages; records loaded)")
        points = C.over_time(store, total.expected_pages)
        if points:
            st.line_chart(pd.DataFrame([{"day": p.day, "pages read": p.pages_processed, "records loaded": p.records_loaded}
                                        for p in points]).set_index("day"))
        else:
            st.caption("Nothing read yet.")
    with c2:
        st.caption("By year, 2010–2017: expected, read and loaded pages / records")
        years = C.by_year(C.completion(store, settings, "volume"))
        st.bar_chart(pd.DataFrame([{"year": str(r.year), "expected pages": r.expected_pages, "pages read": r.processed,
                                    "records loaded": r.loaded} for r in years]).set_index("year"), stack=False)
    c3, c4 = st.columns(2)
    with c3:
        st.caption("Review backlog over time (records waiting for a reviewer)")
        if points:
            st.line_chart(pd.DataFrame([{"day": p.day, "waiting": p.review_backlog} for p in points]).set_index("day"))
    with c4:
        st.caption("Review backlog now, by funeral home and year")
        ys = [r for r in C.completion(store, settings, "year") if r.in_review]
        if ys:
            st.bar_chart(pd.DataFrame([{"ledger": f"{r.funeral_home_name or r.funeral_home} {r.year or ''}",
                                        "in review": r.in_review} for r in ys]).set_index("ledger"))
        else:
            st.caption("Nothing waits for review.")

    _inventory_section(store, settings)
    _launch_section(store, settings, user)


def _inventory_section(store: Store, settings: Settings) -> None:
    st.subheader("Ledger inventory")
    vols = volumes(store)
    st.caption(f"{len(vols)} volume(s), {sum(v.expected_pages for v in vols)} pages expected. "
               "CSV columns: funeral_home, ledger_kind, year, volume, expected_pages, path_pattern (optional), notes (optional).")
    up = st.file_uploader("Import an inventory CSV", type=["csv"], key="inventory_file")
    if up is not None and st.button("Import", key="inventory_import"):
        try:
            res = import_inventory_text(store, up.getvalue().decode("utf-8-sig"), up.name, settings)
            st.success(f"{up.name}: {res.added} added, {res.updated} updated, {res.unchanged} unchanged.")
        except (BackfillError, UnicodeDecodeError) as e:
            st.error(str(e))


def _launch(store: Store, settings: Settings, user: str) -> None:
    from pipeline.launch import launch_run
    from pipeline.runs import RunOptions

    ss = st.session_state
    flash = ss.setdefault("admin_flash", [])
    try:
        codes = {name: code for code, name in home_names().items()}
        sel = Selection(tuple(codes.get(h, h) for h in ss.get("launch_homes") or ()),
                        parse_years([ss["launch_years"]] if ss.get("launch_years") else None),
                        tuple(v.strip() for v in (ss.get("launch_volumes") or "").split(",") if v.strip()))
        options = RunOptions(sel, int(ss.get("launch_batch") or 4), bool(ss.get("launch_load")))
        deployment = os.environ.get("BACKFILL_PREFECT_DEPLOYMENT")
        folder = (ss.get("launch_folder") or "").strip()
        if deployment:
            from flows.deploy import submit_run

            fr = submit_run(folder, options.to_dict(), deployment=deployment)
            flash.append(("success", f"Flow run {fr} submitted to the Prefect deployment {deployment}."))
        else:
            got = launch_run(folder, settings, options)
            flash.append(("success", f"Run started (process {got.pid}); its output goes to {got.log_path}."))
        log.info("run launched by %s", user)
    except BackfillError as e:
        flash.append(("error", str(e) + (f" ({e.hint})" if e.hint else "")))


def _launch_section(store: Store, settings: Settings, user: str) -> None:
    st.subheader("Launch a run")
    names = home_names()
    with st.form("launch_run"):
        st.text_input("Scans folder (on the machine that runs the pipeline)", key="launch_folder")
        st.multiselect("Funeral homes (none: all)", list(names.values()), key="launch_homes")
        st.text_input("Years (e.g. 2013 or 2010-2012; empty: all)", key="launch_years")
        st.text_input("Volumes (labels, comma-separated; empty: all)", key="launch_volumes")
        st.number_input("Pages per task", min_value=1, max_value=200, value=4, key="launch_batch")
        st.checkbox("Load approved and auto-accepted records at the end", key="launch_load")
        st.form_submit_button("Start the run", type="primary", on_click=_launch, args=(store, settings, user))
    with store.session() as db:
        runs = [{"run": r.id, "folder": r.scans_dir, "started": r.started_at, "finished": r.finished_at, "status": r.status,
                 "selection": ", ".join(f"{k}={v}" for k, v in ((r.settings or {}).get("options") or {}).items() if v)}
                for r in db.query(Run).order_by(Run.id.desc()).limit(50)]
    st.dataframe(runs, hide_index=True, width="stretch", key="runs_table")
