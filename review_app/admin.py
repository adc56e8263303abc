"""The administrator's completion page: what should exist (inventory), what is done, what is missing,
progress charts, CSV export, inventory import and launching a run. Counting is pipeline.runs.completion's
(the same as `backfill status`), computed once per page view; launching is pipeline.runs.launch (a detached
`backfill run`) or, when BACKFILL_PREFECT_DEPLOYMENT names one, a flow run of that Prefect deployment
(flows.deploy). Every word is review_app.i18n's; a cell with nothing to say shows "—" (or why)."""

from __future__ import annotations

import logging
import os
from functools import partial
from html import escape

import pandas as pd
import streamlit as st
from sqlalchemy import func, select

from pipeline.archive.inventory import (
    UNIDENTIFIED,
    Selection,
    home_names,
    import_inventory_text,
    inventory_text,
    parse_years,
)
from pipeline.kernel.clock import local_time
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError
from pipeline.kernel.store import LedgerVolume, Run, Store
from pipeline.runs import completion as C
from review_app import charts
from review_app.i18n import error_text, language, t
from review_app.trust import measured_error, quality  # the blind audit's measured error, as on the audit quality page

log = logging.getLogger("review_app")

LEVELS = ("year", "volume", "ledger", "home")
#: the key columns a level does not have are left out of its table (a rolled-up row has no volume)
DROPPED = {"volume": (), "year": ("volume",), "ledger": ("year", "volume"), "home": ("ledger_kind", "year", "volume")}


def _kind(kind: str, lang: str | None = None) -> str:
    if not kind:
        return "—"
    if kind == UNIDENTIFIED:
        return t("done.unidentified", lang)
    label = t(f"kind.{kind}", lang)
    return label if label != f"kind.{kind}" else kind


def _home(code: str, lang: str | None = None) -> str:
    return t("done.unidentified", lang) if code == UNIDENTIFIED else code


def table_frame(rows: list[C.CompletionRow], level: str) -> pd.DataFrame:
    """The completion table as an administrator reads it: named columns, no None anywhere (a dash,
    or why: scans not matched to an inventory volume; pages due and not scanned where no inventory says).
    Built column by column (1 000 volumes)."""
    lang = language()
    unmatched, kinds = t("done.unmatched", lang), {}
    cols: dict[str, list] = {
        "funeral_home": [_home(r.funeral_home, lang) for r in rows],
        "funeral_home_name": [r.funeral_home_name or "—" for r in rows],
        "ledger_kind": [kinds.get(r.ledger_kind) or kinds.setdefault(r.ledger_kind, _kind(r.ledger_kind, lang)) for r in rows],
        "year": ["—" if r.year is None else str(r.year) for r in rows],
        "volume": [unmatched if r.volume is None else r.volume for r in rows],
        "pages_done_pct": ["—" if (p := r.pages_done_pct) is None else f"{p:.1f}" for r in rows],
        # no inventory declares the row's pages: none due, none known missing ("—", not 0; the CSV keeps 0)
        "expected_pages": [str(r.expected_pages) if r.expected_pages else "—" for r in rows],
        "missing_pages": [str(r.missing_pages) if r.expected_pages else "—" for r in rows],
    }
    keep = [c for c in C.TABLE_COLUMNS if c not in DROPPED[level]]
    df = pd.DataFrame({c: cols[c] if c in cols else [getattr(r, c) for r in rows] for c in keep}, columns=keep)
    return df.rename(columns={c: t(f"done.col.{c}", lang) for c in keep})


def _ledger_label(r: C.CompletionRow, lang: str) -> str:
    return f"{r.funeral_home_name or _home(r.funeral_home, lang)} {_kind(r.ledger_kind, lang)} {r.year or ''}".strip()


def _show(markup: str) -> None:
    """A chart of review_app.charts: st.markdown keeps inline SVG (st.html's sanitizer drops it)."""
    st.markdown(markup, unsafe_allow_html=True)


def _charts(store: Store, settings: Settings, by_year: list[C.CompletionRow], expected_pages: int) -> None:
    """Progress: by day (pages read, records loaded; records waiting), by year and register kind
    (expected and read pages), and what waits for review now. Light SVG (review_app.charts)."""
    lang = language()
    points = C.over_time(store, expected_pages, settings.time_zone)
    days = [p.day for p in points]
    c1, c2 = st.columns(2)
    with c1:
        st.caption(t("done.over_time", lang))
        if points:
            series = {
                t("done.series.pages", lang): [p.pages_processed for p in points],
                t("done.series.loaded", lang): [p.records_loaded for p in points],
            }
            _show(charts.timeline(days, series, label=t("done.over_time", lang), y_title=t("done.axis.count", lang)))
        else:
            st.caption(t("done.nothing_read", lang))
    with c2:
        years = [str(y) for y in range(2010, 2018)]  # C.by_year's years
        kinds = sorted({r.ledger_kind for r in by_year if r.ledger_kind and r.ledger_kind != UNIDENTIFIED}) or ["cremation"]
        # the heading names expected pages only where some inventory declares them (else pages read alone)
        heading = t("done.by_year" if any(r.expected_pages for r in by_year) else "done.by_year_read", lang)
        st.caption(heading)
        for k in kinds:
            per_year = C.by_year([r for r in by_year if r.ledger_kind == k])  # every home of this kind summed
            expected, read = [r.expected_pages for r in per_year], [r.processed for r in per_year]
            if not any(expected):  # no inventory declared for this kind: zero "expected" bars would say none is due
                named = _kind(k, lang)
                named = named[:1].upper() + named[1:]  # begins the sentence (English)
                if not any(read):
                    st.caption(t("done.by_year_none", lang, kind=named))
                    continue
                st.caption(t("done.by_year_no_inventory", lang, kind=named))
                series = {t("done.series.pages", lang): read}
            else:
                series = {t("done.series.expected", lang): expected, t("done.series.pages", lang): read}
            _show(
                f'<div style="font-size:13px;margin:0 0 2px 60px">{escape(_kind(k, lang))}</div>'
                + charts.grouped_bars(years, series, label=f"{heading}: {_kind(k, lang)}", y_title=t("done.axis.count", lang))
            )
    c3, c4 = st.columns(2)
    with c3:
        st.caption(t("done.backlog_time", lang))
        if points:
            series = {t("done.series.waiting", lang): [p.review_backlog for p in points]}
            _show(charts.timeline(days, series, label=t("done.backlog_time", lang), y_title=t("done.axis.count", lang)))
        else:
            st.caption(t("done.nothing_read", lang))
    with c4:
        st.caption(t("done.backlog_now", lang))
        waiting = [(_ledger_label(r, lang), r.in_review) for r in by_year if r.in_review]
        if waiting:
            _show(charts.bar_list(waiting, label=t("done.backlog_now", lang), more=t("done.more_waiting", lang)))
        else:
            st.caption(t("done.nothing_waits", lang))


def completion_page(store: Store, settings: Settings, user: str) -> None:
    st.header(t("done.title"))
    for kind, text in st.session_state.pop("admin_flash", []):
        getattr(st, kind)(text)
    level = st.radio(
        t("done.level"), list(LEVELS), format_func=lambda v: t(f"done.level.{v}"), key="completion_level", horizontal=True
    )
    by_volume = C.completion(store, settings, "volume")  # counted once; the other levels are roll-ups
    by_year = C.rollup(by_volume, "year")
    rows = {"volume": by_volume, "year": by_year}.get(level) or C.rollup(by_year, level)
    total = C.totals(by_year)
    inventory = total.expected_pages > 0
    m = st.columns(6)
    m[0].metric(t("done.m.expected"), total.expected_pages if inventory else "—")  # none declared: not 0 due
    m[1].metric(t("done.m.scanned"), total.scanned)
    m[2].metric(t("done.m.processed"), total.processed)
    m[3].metric(t("done.m.records"), total.records)
    m[4].metric(t("done.m.in_review"), total.in_review)
    m[5].metric(t("done.m.loaded"), total.loaded)
    if not inventory:
        st.info(t("done.no_inventory"))
    kind, text = measured_error(quality(store, settings))  # the run's audit sample, read against the target
    getattr(st, kind)(text)
    st.dataframe(table_frame(rows, level), hide_index=True, width="stretch", key="completion_table")
    st.download_button(
        t("done.csv"), partial(C.to_csv, rows), file_name=f"completion-{level}.csv", mime="text/csv", key="completion_csv"
    )

    st.subheader(t("done.progress"))
    _charts(store, settings, by_year, total.expected_pages)
    _inventory_section(store, settings)
    _launch_section(store, settings, user)


def _inventory_section(store: Store, settings: Settings) -> None:
    st.subheader(t("inv.title"))
    with store.session() as db:  # counted in SQL: the table above already loaded every volume once
        n, pages = db.execute(select(func.count(LedgerVolume.id), func.coalesce(func.sum(LedgerVolume.expected_pages), 0))).one()
    st.caption(t("inv.summary", n=n, pages=pages))
    box = st.expander(t("inv.upload"), key="inventory_box", on_change="rerun")  # drawn only when opened
    if not box.open:
        return
    with box:
        up = st.file_uploader(t("inv.upload"), type=["csv"], key="inventory_file")
        if up is not None and st.button(t("inv.import"), key="inventory_import"):
            try:
                res = import_inventory_text(store, inventory_text(up.getvalue(), up.name), up.name, settings)
                st.success(t("inv.done", name=up.name, added=res.added, updated=res.updated, unchanged=res.unchanged))
            except BackfillError as e:
                st.error(error_text(e, hint=True))
                if e.details:  # every bad line on a line of its own, as plain text
                    st.text("\n".join(e.details))


def _launch(store: Store, settings: Settings, user: str) -> None:
    from pipeline.runs.launch import launch_run
    from pipeline.runs.manage import RunOptions

    ss = st.session_state
    flash = ss.setdefault("admin_flash", [])
    try:
        codes = {name: code for code, name in home_names().items()}
        sel = Selection(
            tuple(codes.get(h, h) for h in ss.get("launch_homes") or ()),
            parse_years([ss["launch_years"]] if ss.get("launch_years") else None),
            tuple(v.strip() for v in (ss.get("launch_volumes") or "").split(",") if v.strip()),
        )
        options = RunOptions(sel, int(ss.get("launch_batch") or 4), bool(ss.get("launch_load")))
        deployment = os.environ.get("BACKFILL_PREFECT_DEPLOYMENT")
        folder = (ss.get("launch_folder") or "").strip()
        if not folder:  # Path("") is the app's own working folder: never a run on it by an empty box
            flash.append(("error", t("launch.err.folder_empty")))
            return
        if deployment:
            from flows.deploy import submit_run

            fr = submit_run(folder, options.to_dict(), deployment=deployment)
            flash.append(("success", t("launch.submitted", run=fr, deployment=deployment)))
        else:
            got = launch_run(folder, settings, options)
            flash.append(("success", t("launch.started", pid=got.pid, log=got.log_path)))
        log.info("run launched by %s", user)
    except BackfillError as e:
        flash.append(("error", error_text(e, hint=True)))


def _launch_section(store: Store, settings: Settings, user: str) -> None:
    box = st.expander(t("launch.title"), key="launch_box", on_change="rerun")  # drawn only when opened
    if not box.open:
        return
    names = home_names()
    with box, st.form("launch_run"):
        st.text_input(t("launch.folder"), key="launch_folder")
        # no choice is every home: said in the user's language, not Streamlit's English "Choose options"
        st.multiselect(t("launch.homes"), list(names.values()), key="launch_homes", placeholder=t("filter.all"))
        st.text_input(t("launch.years"), key="launch_years")
        st.text_input(t("launch.volumes"), key="launch_volumes")
        st.number_input(t("launch.batch"), min_value=1, max_value=200, value=4, key="launch_batch")
        st.checkbox(t("launch.load"), key="launch_load")
        st.form_submit_button(t("launch.start"), type="primary", on_click=_launch, args=(store, settings, user))
    with store.session() as db:
        runs = [
            {
                t("runs.col.run"): r.id,
                t("runs.col.folder"): r.scans_dir,
                t("runs.col.started"): local_time(r.started_at, settings.zone),
                t("runs.col.finished"): local_time(r.finished_at, settings.zone),
                t("runs.col.status"): r.status if t(f"run.{r.status}") == f"run.{r.status}" else t(f"run.{r.status}"),
                t("runs.col.selection"): ", ".join(f"{k}={v}" for k, v in ((r.settings or {}).get("options") or {}).items() if v)
                or "—",
            }
            for r in db.query(Run).order_by(Run.id.desc()).limit(50)
        ]
    box.dataframe(runs, hide_index=True, width="stretch", key="runs_table")
