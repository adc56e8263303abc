"""The administrator's completion page: what should exist (inventory), what is done, what is missing,
progress charts, CSV export, inventory import and launching a run. Counting is pipeline.runs.completion's
(the same as `backfill status`), computed once per page view; launching is pipeline.runs.launch (a detached
`backfill run`) or, when BACKFILL_PREFECT_DEPLOYMENT names one, a flow run of that Prefect deployment
(flows.deploy). Every word is review_app.i18n's; a cell with nothing to say shows "—" (or why)."""

from __future__ import annotations

import logging
import os

import altair as alt
import pandas as pd
import streamlit as st

from pipeline.archive.inventory import UNIDENTIFIED, Selection, home_names, import_inventory_text, parse_years, volumes
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError
from pipeline.kernel.store import Run, Store
from pipeline.runs import completion as C
from review_app.i18n import t

log = logging.getLogger("review_app")

LEVELS = ("year", "volume", "ledger", "home")
#: the key columns a level does not have are left out of its table (a rolled-up row has no volume)
DROPPED = {"volume": (), "year": ("volume",), "ledger": ("year", "volume"), "home": ("ledger_kind", "year", "volume")}


def _kind(kind: str) -> str:
    if not kind:
        return "—"
    if kind == UNIDENTIFIED:
        return t("done.unidentified")
    label = t(f"kind.{kind}")
    return label if label != f"kind.{kind}" else kind


def _home(code: str) -> str:
    return t("done.unidentified") if code == UNIDENTIFIED else code


def table_frame(rows: list[C.CompletionRow], level: str) -> pd.DataFrame:
    """The completion table as an administrator reads it: named columns, no None anywhere (a dash,
    or why: scans not matched to an inventory volume)."""
    cols = [c for c in C.TABLE_COLUMNS if c not in DROPPED[level]]
    out = []
    for r in rows:
        d = r.to_dict()
        rec = {c: d[c] for c in C.TABLE_COLUMNS}
        rec["funeral_home"] = t("done.unidentified") if r.funeral_home == UNIDENTIFIED else r.funeral_home
        rec["funeral_home_name"] = r.funeral_home_name or "—"
        rec["ledger_kind"] = _kind(r.ledger_kind)
        rec["year"] = "—" if r.year is None else str(r.year)
        rec["volume"] = r.volume if r.volume is not None else t("done.unmatched")
        pct = r.pages_done_pct
        rec["pages_done_pct"] = f"{pct:.1f}" if pct is not None else "—"
        out.append(rec)
    df = pd.DataFrame(out, columns=list(C.TABLE_COLUMNS))[cols]
    return df.rename(columns={c: t(f"done.col.{c}") for c in cols})


def _points_chart(df: pd.DataFrame, x: str, x_title: str, colour: str) -> alt.Chart:
    """Lines with a point on every day: one day of data already shows."""
    return (
        alt.Chart(df)
        .mark_line(point=alt.OverlayMarkDef(size=60))
        .encode(
            x=alt.X(f"{x}:T", title=x_title, axis=alt.Axis(format="%Y-%m-%d")),
            y=alt.Y("n:Q", title=t("done.axis.count")),
            color=alt.Color(f"{colour}:N", title=t("done.axis.what")),
            tooltip=[x, colour, "n"],
        )
    )


def completion_page(store: Store, settings: Settings, user: str) -> None:
    st.header(t("done.title"))
    for kind, text in st.session_state.pop("admin_flash", []):
        getattr(st, kind)(text)
    level = st.radio(
        t("done.level"), list(LEVELS), format_func=lambda v: t(f"done.level.{v}"), key="completion_level", horizontal=True
    )
    by_volume = C.completion(store, settings, "volume")  # counted once; the other levels are roll-ups
    rows = by_volume if level == "volume" else C.rollup(by_volume, level)
    total = C.totals(by_volume)
    inventory = total.expected_pages > 0
    m = st.columns(6)
    m[0].metric(t("done.m.expected"), total.expected_pages)
    m[1].metric(t("done.m.scanned"), total.scanned)
    m[2].metric(t("done.m.processed"), total.processed)
    m[3].metric(t("done.m.records"), total.records)
    m[4].metric(t("done.m.in_review"), total.in_review)
    m[5].metric(t("done.m.loaded"), total.loaded)
    if not inventory:
        st.info(t("done.no_inventory"))
    st.dataframe(table_frame(rows, level), hide_index=True, width="stretch", key="completion_table")
    st.download_button(t("done.csv"), C.to_csv(rows), file_name=f"completion-{level}.csv", mime="text/csv", key="completion_csv")

    st.subheader(t("done.progress"))
    points = C.over_time(store, total.expected_pages)
    c1, c2 = st.columns(2)
    with c1:
        st.caption(t("done.over_time"))
        if points:
            df = pd.DataFrame(
                [
                    {"day": pd.Timestamp(p.day), "what": w, "n": n}
                    for p in points
                    for w, n in ((t("done.series.pages"), p.pages_processed), (t("done.series.loaded"), p.records_loaded))
                ]
            )
            st.altair_chart(_points_chart(df, "day", t("done.axis.day"), "what"), width="stretch", key="chart_over_time")
        else:
            st.caption(t("done.nothing_read"))
    with c2:
        st.caption(t("done.by_year"))
        per_kind = C.rollup(by_volume, "year")
        years = range(2010, 2018)
        kinds = sorted({r.ledger_kind for r in per_kind if r.ledger_kind and r.ledger_kind != UNIDENTIFIED}) or ["cremation"]
        data = []
        for k in kinds:
            got = {r.year: r for r in C.rollup([r for r in per_kind if r.ledger_kind == k], "year") if r.year is not None}
            for y in years:
                r = got.get(y)
                for w, n in (
                    (t("done.series.expected"), r.expected_pages if r else 0),
                    (t("done.series.pages"), r.processed if r else 0),
                ):
                    data.append({"year": str(y), "kind": _kind(k), "what": w, "n": n})
        chart = (
            alt.Chart(pd.DataFrame(data))
            .mark_bar()
            .encode(
                x=alt.X("year:N", title=t("done.axis.year")),
                xOffset=alt.XOffset("what:N"),
                y=alt.Y("n:Q", title=t("done.axis.count")),
                color=alt.Color("what:N", title=t("done.axis.what")),
                row=alt.Row("kind:N", title=t("done.axis.kind")),
                tooltip=["kind", "year", "what", "n"],
            )
            .properties(height=140)
        )
        st.altair_chart(chart, key="chart_by_year")
    c3, c4 = st.columns(2)
    with c3:
        st.caption(t("done.backlog_time"))
        if points:
            df = pd.DataFrame(
                [{"day": pd.Timestamp(p.day), "what": t("done.series.waiting"), "n": p.review_backlog} for p in points]
            )
            st.altair_chart(_points_chart(df, "day", t("done.axis.day"), "what"), width="stretch", key="chart_backlog")
        else:
            st.caption(t("done.nothing_read"))
    with c4:
        st.caption(t("done.backlog_now"))
        ys = [r for r in C.rollup(by_volume, "year") if r.in_review]
        if ys:
            df = pd.DataFrame(
                [
                    {
                        "ledger": f"{r.funeral_home_name or _home(r.funeral_home)} {_kind(r.ledger_kind)} {r.year or ''}".strip(),
                        "n": r.in_review,
                    }
                    for r in ys
                ]
            )
            st.altair_chart(
                alt.Chart(df)
                .mark_bar()
                .encode(
                    x=alt.X("n:Q", title=t("done.series.waiting")),
                    y=alt.Y("ledger:N", title=None, sort="-x"),
                    tooltip=["ledger", "n"],
                ),
                width="stretch",
                key="chart_backlog_now",
            )
        else:
            st.caption(t("done.nothing_waits"))

    _inventory_section(store, settings)
    _launch_section(store, settings, user)


def _inventory_section(store: Store, settings: Settings) -> None:
    st.subheader(t("inv.title"))
    vols = volumes(store)
    st.caption(t("inv.summary", n=len(vols), pages=sum(v.expected_pages for v in vols)))
    up = st.file_uploader(t("inv.upload"), type=["csv"], key="inventory_file")
    if up is not None and st.button(t("inv.import"), key="inventory_import"):
        try:
            res = import_inventory_text(store, up.getvalue().decode("utf-8-sig"), up.name, settings)
            st.success(t("inv.done", name=up.name, added=res.added, updated=res.updated, unchanged=res.unchanged))
        except (BackfillError, UnicodeDecodeError) as e:
            st.error(str(e))


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
        if deployment:
            from flows.deploy import submit_run

            fr = submit_run(folder, options.to_dict(), deployment=deployment)
            flash.append(("success", t("launch.submitted", run=fr, deployment=deployment)))
        else:
            got = launch_run(folder, settings, options)
            flash.append(("success", t("launch.started", pid=got.pid, log=got.log_path)))
        log.info("run launched by %s", user)
    except BackfillError as e:
        flash.append(("error", str(e) + (f" ({e.hint})" if e.hint else "")))


def _launch_section(store: Store, settings: Settings, user: str) -> None:
    st.subheader(t("launch.title"))
    names = home_names()
    with st.form("launch_run"):
        st.text_input(t("launch.folder"), key="launch_folder")
        st.multiselect(t("launch.homes"), list(names.values()), key="launch_homes")
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
                t("runs.col.started"): r.started_at,
                t("runs.col.finished"): r.finished_at or "—",
                t("runs.col.status"): r.status if t(f"run.{r.status}") == f"run.{r.status}" else t(f"run.{r.status}"),
                t("runs.col.selection"): ", ".join(f"{k}={v}" for k, v in ((r.settings or {}).get("options") or {}).items() if v)
                or "—",
            }
            for r in db.query(Run).order_by(Run.id.desc()).limit(50)
        ]
    st.dataframe(runs, hide_index=True, width="stretch", key="runs_table")
