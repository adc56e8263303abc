"""The review app: reviewers correct OCR beside the scanned cell, approve, reject, merge duplicates.

Run with `backfill review`. Settings come from the environment (BACKFILL_DATA_DIR, BACKFILL_DB_URL)
or ./backfill.toml. Every read and write goes through pipeline.review / pipeline.corrections /
pipeline.users; this file only lays out the screens. Nothing is shown before login. ID and phone
numbers are masked everywhere except in the field being edited. Logs carry record ids only.
"""
from __future__ import annotations

import base64
import html
import json
import logging

import cv2
import numpy as np
import streamlit as st

from pipeline import review as R
from pipeline.config import Settings
from pipeline.corrections import CorrectionError, correct_record, decide, decide_link, history
from pipeline.errors import BackfillError
from pipeline.routing import APPROVED, REJECTED
from pipeline.store import Quarantine, Run, SourceFile, Store
from pipeline.users import ROLES, Account, UserError, add_user, authenticate, get_account, list_users, set_active

log = logging.getLogger("review_app")

APPROVE_KEY, NEXT_KEY, PREV_KEY = "Alt+A", "Alt+Right", "Alt+Left"


# ---------------------------------------------------------------------------------------------
@st.cache_resource
def _open_store(url: str, data_dir: str) -> Store:
    return Store(url, Settings(data_dir=data_dir).data_path / "images")


def settings() -> Settings:
    return Settings.load()


def store() -> Store:
    s = settings()
    return _open_store(s.store_url, s.data_dir)


@st.cache_resource(max_entries=6)
def _page_image(data_dir: str, sha: str) -> np.ndarray:
    img = store().images.get(sha)
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    return img


def page_image(sha: str | None) -> np.ndarray | None:
    if not sha:
        return None
    try:
        return _page_image(settings().data_dir, sha)
    except FileNotFoundError:
        return None


def me() -> Account:
    return st.session_state["account"]


def flash(kind: str, text: str) -> None:
    st.session_state.setdefault("flash", []).append((kind, text))


def show_flash() -> None:
    for kind, text in st.session_state.pop("flash", []):
        getattr(st, kind)(text)


# ---------------------------------------------------------------------------------------------
def _login() -> None:
    acc = authenticate(store(), (st.session_state.get("login_user") or "").strip(), st.session_state.get("login_password") or "")
    st.session_state["login_password"] = ""
    if acc is None:
        log.info("login refused")
        st.session_state["login_failed"] = True
        return
    st.session_state.pop("login_failed", None)
    st.session_state["account"] = acc
    st.session_state["nav"] = "Queue" if acc.can("review") else ("Intake" if acc.can("intake") else "Users")


def login_page() -> None:
    st.title("Funeral register review")
    if st.session_state.get("login_failed"):
        st.error("Wrong user name or password.")
    with st.form("login"):
        st.text_input("User name", key="login_user")
        st.text_input("Password", type="password", key="login_password")
        st.form_submit_button("Log in", type="primary", on_click=_login)


def logout() -> None:
    R.release_all(store(), me().username)
    for k in list(st.session_state.keys()):
        del st.session_state[k]


def go(page: str, **state) -> None:
    """Callback: switch screen (set before the navigation widget exists in the next run)."""
    st.session_state["nav"] = page
    st.session_state.update(state)


# ---------------------------------------------------------------------------------------------
def queue_filters() -> R.QueueFilter:
    return R.QueueFilter(funeral_home=st.session_state.get("f_home") or None,
                         ledger_id=st.session_state.get("f_ledger") or None,
                         year=st.session_state.get("f_year") or None,
                         reason=st.session_state.get("f_reason") or None)


def queue_page() -> None:
    st.header("Review queue")
    facets = R.queue_facets(store())
    ledger_names = dict(facets.ledgers)
    c = st.columns(5)
    c[0].selectbox("Funeral home", [None] + facets.funeral_homes, key="f_home", format_func=lambda v: "all" if v is None else v)
    c[1].selectbox("Ledger", [None] + list(ledger_names), key="f_ledger",
                   format_func=lambda v: "all" if v is None else ledger_names.get(v, str(v)))
    c[2].selectbox("Year", [None] + facets.years, key="f_year", format_func=lambda v: "all" if v is None else str(v))
    c[3].selectbox("Reason", [None] + list(R.REASONS), key="f_reason",
                   format_func=lambda v: "all" if v is None else R.REASONS[v])
    c[4].selectbox("Order", list(R.ORDERS), key="f_order", format_func=lambda v: R.ORDERS[v])
    page_no = int(st.session_state.get("q_page", 0))
    qp = R.queue(store(), queue_filters(), order=st.session_state.get("f_order", "priority"), limit=50, offset=page_no * 50)
    st.metric("Records waiting", qp.total)
    st.button("Start reviewing (claim the next record)", type="primary", key="start", on_click=go,
              args=("Record",), kwargs={"current": None})
    rows = [{"record": it.record_id, "ledger": it.ledger, "page": it.page_no, "row": it.row_no, "year": it.year,
             "funeral home": it.funeral_home, "lowest confidence": round(it.min_confidence, 2),
             "duplicate?": "yes" if it.duplicate else "", "why": "; ".join(it.reasons)[:160],
             "claimed by": it.claimed_by or ""} for it in qp.items]
    st.dataframe(rows, hide_index=True, key="queue_table", width="stretch")
    n_pages = max(1, -(-qp.total // 50))
    if n_pages > 1:
        st.number_input(f"Page (of {n_pages})", 0, n_pages - 1, key="q_page", step=1)
    cc = st.columns([1, 3])
    cc[0].number_input("Open record #", min_value=0, step=1, key="open_id")
    cc[1].button("Open", key="open_btn", on_click=_open_specific)


def _open_specific() -> None:
    rid = int(st.session_state.get("open_id") or 0)
    if rid:
        go("Record", current=rid)


# ---------------------------------------------------------------------------------------------
def _claim_current() -> int | None:
    """The record on screen: the one asked for (claimed now) or the next one of the queue."""
    acc, s = me(), store()
    rid = st.session_state.get("current")
    if rid is None:
        rid = R.claim_next(s, acc.username, queue_filters(), order=st.session_state.get("f_order", "priority"),
                           exclude=st.session_state.get("skipped", set()))
        st.session_state["current"] = rid
        if rid is not None:
            st.session_state.setdefault("visited", []).append(rid)
        return rid
    try:
        R.claim(s, rid, acc.username)
    except CorrectionError as e:
        st.session_state["read_only"] = str(e)
        return rid
    st.session_state.pop("read_only", None)
    return rid


def _next(skip: bool = False) -> None:
    rid = st.session_state.get("current")
    if rid is not None:
        R.release(store(), rid, me().username)
        if skip:
            st.session_state.setdefault("skipped", set()).add(rid)
    st.session_state["current"] = None


def _previous() -> None:
    visited = st.session_state.get("visited", [])
    cur = st.session_state.get("current")
    before = [r for r in visited if r != cur]
    if not before:
        flash("info", "No previous record in this session.")
        return
    if cur is not None:
        R.release(store(), cur, me().username)
    st.session_state["current"] = before[-1]
    st.session_state["visited"] = before


def _approve(rid: int) -> None:
    try:
        decide(store(), rid, APPROVED, user=me().username, require_claim=True)
    except BackfillError as e:
        flash("error", str(e))
        return
    log.info("record %s approved", rid)
    flash("success", f"Record {rid} approved.")
    _next()


def _reject(rid: int) -> None:
    reason = (st.session_state.get(f"reject_reason_{rid}") or "").strip()
    try:
        decide(store(), rid, REJECTED, user=me().username, reason=reason, require_claim=True)
    except BackfillError as e:
        flash("error", str(e))
        return
    flash("success", f"Record {rid} rejected.")
    _next()


def _save(rid: int, names: list[str], shown: dict[str, str]) -> None:
    # only what the reviewer changed in the form: an untouched input is not a correction
    typed = {n: st.session_state.get(f"edit_{rid}_{n}", "") for n in names}
    typed = {n: t for n, t in typed.items() if t != shown.get(n, "")}
    if not typed:
        flash("info", "Nothing changed.")
        return
    reason = st.session_state.get(f"edit_reason_{rid}", "")
    try:
        changes = correct_record(store(), rid, typed, user=me().username, settings=settings(), reason=reason,
                                 require_claim=True)
    except BackfillError as e:
        flash("error", str(e))
        return
    log.info("record %s: %d field(s) corrected", rid, len(changes))
    if changes:
        flash("success", "Saved: " + ", ".join(c.field for c in changes))
    else:
        flash("info", "Nothing changed.")


def _submit_blind(rid: int, names: list[str]) -> None:
    typed = {n: st.session_state.get(f"blind_{rid}_{n}", "") for n in names}
    try:
        out = R.submit_blind(store(), rid, typed, user=me().username, settings=settings())
    except BackfillError as e:
        flash("error", str(e))
        return
    if out.disputed:
        flash("warning", f"Record {rid}: {', '.join(out.disputed)} differ from OCR; sent to an arbitrator.")
    else:
        flash("success", f"Record {rid}: your keying agrees with OCR; approved.")
    st.session_state["current"] = None


def _show_image(img: np.ndarray | bytes | None, caption: str | None = None, width: int | str = "content") -> None:
    if img is None:
        st.caption("no scan")
    else:
        st.image(img, caption=caption, width=width)


def _png(img: np.ndarray) -> bytes:
    """PNG bytes of an RGB (or grey) image."""
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".png", img, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise BackfillError("could not encode an image crop as PNG")
    return buf.tobytes()


@st.cache_data(max_entries=2000, show_spinner=False)
def _crop_uri(data_dir: str, sha: str, box: tuple[int, int, int, int]) -> str | None:
    """A field's cell crop as a small inline PNG (data URI), cached per (image, box)."""
    img = page_image(sha)
    crop = R.cell_crop(img, box) if img is not None else None
    if crop is None:
        return None
    return "data:image/png;base64," + base64.b64encode(_png(crop)).decode("ascii")


@st.cache_data(max_entries=200, show_spinner=False)
def _strip_png(data_dir: str, sha: str, boxes: tuple, hide: tuple) -> bytes | None:
    """The scanned row (personal numbers greyed out) as PNG bytes, cached per (image, boxes, hidden boxes)."""
    img = page_image(sha)
    strip = R.row_strip(img, list(boxes), hide=list(hide)) if img is not None else None
    return None if strip is None else _png(strip)


def _scan_row(view: R.RecordView, editing: set[str]) -> None:
    boxes = tuple(f.box for f in view.fields if f.box)
    strip = None
    if view.clean_image and boxes:
        hide = tuple(f.box for f in view.fields if f.box and f.name in R.MASKED_FIELDS and f.name not in editing)
        try:
            strip = _strip_png(settings().data_dir, view.clean_image, boxes, hide)
        except FileNotFoundError:
            strip = None
    if strip is None:
        st.info("No scan for this record (it was not read from an image); check the values against the paper ledger.")
        return
    _show_image(strip, caption=f"{view.ledger} · page {view.page_no} · row {view.row_no}", width="stretch")


_E = html.escape
_MD_SPECIAL = set("\\`*_[]()<>#~$:|!")


def _md_plain(text: str) -> str:
    """Text shown literally in a widget label (labels are Markdown: OCR text may hold * _ [ …)."""
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in text)


_CELL = "padding:4px 8px;border-bottom:1px solid #e6e6e6;vertical-align:middle"
_LOOK_BG, _CORRECTED_BG = "#ffe9cc", "#dcebff"


def _field_cells(view: R.RecordView, f: R.FieldView, editing: set[str], blind: bool) -> str:
    name = f"<b>{_E(f.label or f.name)}</b><br><span style='color:#777;font-size:0.8em'>{_E(f.name)}</span>"
    if f.needs_look:
        name += "<br><span style='color:#b35c00;font-size:0.8em;font-weight:600'>check</span>"
    elif f.corrected:
        name += "<br><span style='color:#1f5fbf;font-size:0.8em;font-weight:600'>corrected</span>"
    if f.name in R.MASKED_FIELDS and f.name not in editing:
        crop = "<span style='color:#777;font-size:0.85em'>scan hidden (personal number)</span>"
    else:
        uri = None
        if view.clean_image and f.box:
            try:
                uri = _crop_uri(settings().data_dir, view.clean_image, tuple(int(v) for v in f.box))
            except FileNotFoundError:
                uri = None
        missing = "no scan" if not view.clean_image else "no cell on the scan (filled from context or derived)"
        crop = (f"<img src='{uri}' alt='scan of {_E(f.name)}' style='height:56px;max-width:100%;object-fit:contain'>"
                if uri else f"<span style='color:#777;font-size:0.85em'>{missing}</span>")
    if blind:
        value = "<i>(hidden: key it blind below)</i>"
    else:
        shown = R.screen_value(f, unmasked=f.name in editing)
        value = (f"<code style='font-size:1.05em'>{_E(shown)}</code>" if shown else "—")
        value += (f"<br><span style='color:#777;font-size:0.8em'>confidence {f.confidence:.2f}"
                  + (" · corrected" if f.corrected else "") + "</span>")
    why = f"<span style='color:#b35c00'>{_E('; '.join(f.reasons))}</span>" if f.reasons else ""
    bg = f"background:{_LOOK_BG};" if f.needs_look else (f"background:{_CORRECTED_BG};" if f.corrected else "")
    return (f"<tr data-field='{_E(f.name)}'><td style='{bg}{_CELL};width:16%'>{name}</td><td style='{_CELL};width:26%'>{crop}</td>"
            f"<td style='{_CELL};width:26%'>{value}</td><td style='{_CELL}'>{why}</td></tr>")


def _field_table(view: R.RecordView, editing: set[str], blind_names: set[str]) -> None:
    """Every field in ONE element (a table): label, cell crop, value, reason. One element instead of
    five per field keeps approve → next record fast in the browser."""
    rows = "".join(_field_cells(view, f, editing, f.name in blind_names) for f in view.fields)
    head = "".join(f"<th style='{_CELL};text-align:left;color:#555'>{h}</th>" for h in ("field", "scan", "value", "why"))
    st.html(f"<table style='width:100%;border-collapse:collapse;font-size:0.95em'><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _action_buttons(rid: int, view: R.RecordView, blind: bool) -> None:
    """Approve / skip / previous / reject, right under the record's heading (the same place on every record)."""
    b = st.columns(4)
    b[0].button("Approve", type="primary", key="approve", shortcut=APPROVE_KEY, on_click=_approve, args=(rid,),
                disabled=view.status != "needs_review" or blind)
    b[1].button("Skip / next", key="skip", shortcut=NEXT_KEY, on_click=_next, kwargs={"skip": True})
    b[2].button("Previous", key="prev", shortcut=PREV_KEY, on_click=_previous)
    with b[3].popover("Reject…"):
        st.text_input("Reason for rejecting", key=f"reject_reason_{rid}")
        st.button("Reject", key="reject", on_click=_reject, args=(rid,))
    st.caption(f"Shortcuts: {APPROVE_KEY} approve · {NEXT_KEY} skip to next · {PREV_KEY} previous")


@st.fragment
def record_panel() -> None:
    show_flash()
    rid = _claim_current()
    if rid is None:
        st.success("The queue is empty under these filters: nothing left to review.")
        if st.button("Back to the queue", key="back_to_queue"):
            go("Queue")
            st.rerun()
        return
    try:
        view = R.record_view(store(), rid, settings())
    except CorrectionError as e:
        st.error(str(e))
        return
    read_only = st.session_state.get("read_only")
    st.subheader(f"Record {rid} · {view.kind} · {view.status}")
    st.caption(f"{view.title} — {view.ledger}, page {view.page_no}, row {view.row_no}")
    if read_only:
        st.warning(read_only + " — read only.")
    blind = view.two_keyer and view.status == "needs_review" and not read_only
    if not read_only:
        _action_buttons(rid, view, blind)
    for r in view.record_reasons:
        st.warning(r)
    for lk in view.links:
        st.warning(f"Possible duplicate of record {lk['other']} (score {lk['score']:.2f}): decide on the Duplicates page.")
    flagged = [f.name for f in view.fields if f.needs_look]
    if blind:
        names = R.blind_fields(view)
        editing: set[str] = set(names)
    else:
        labels = {f.name: f.label for f in view.fields}
        names = st.multiselect("Fields to correct", [f.name for f in view.fields], default=flagged, key=f"pick_{rid}",
                               disabled=bool(read_only),
                               format_func=lambda n: f"{n} · {labels[n]}" if labels.get(n) else n)
        editing = set(names)
    _scan_row(view, editing)
    _field_table(view, editing, editing if blind else set())
    if read_only:
        return
    if blind:
        st.info("Two-keyer ledger: type the highlighted fields from the scan. Where you and OCR disagree, an arbitrator decides.")
        with st.form(f"blind_{rid}"):
            labels = {f.name: f.label for f in view.fields}
            for n in names:
                st.text_input(f"{n} · {labels[n]}" if labels.get(n) else n, key=f"blind_{rid}_{n}")
            st.form_submit_button("Submit keying", type="primary", on_click=_submit_blind, args=(rid, names))
    elif names:
        with st.form(f"edit_{rid}"):
            by_name = {f.name: f for f in view.fields}
            shown = {n: str(by_name[n].raw or "") for n in names}
            for n in names:
                f = by_name[n]
                read = "not a printed column" if f.ocr_text is None else (_md_plain(f.ocr_text) or "empty cell")
                st.text_input(f"{n} · {f.label} (as read: {read})" if f.label else f"{n} (as read: {read})",
                              value=shown[n], key=f"edit_{rid}_{n}")
            st.text_input("Why (optional)", key=f"edit_reason_{rid}")
            st.form_submit_button("Save corrections", on_click=_save, args=(rid, names, shown))


def record_page() -> None:
    st.header("Record")
    record_panel()


# ---------------------------------------------------------------------------------------------
def _record_side(view: R.RecordView, evidence: dict) -> None:
    st.markdown(f"**Record {view.record_id}** · {view.status}")
    st.caption(f"{view.ledger}, page {view.page_no}, row {view.row_no}")
    img = page_image(view.clean_image)
    boxes = [f.box for f in view.fields if f.box]
    if img is not None and boxes:
        hide = [f.box for f in view.fields if f.box and f.name in R.MASKED_FIELDS]
        _show_image(R.row_strip(img, boxes, hide=hide), width="stretch")
    else:
        st.caption("no scan")
    rows = [{"field": f"{f.label} {f.name}".strip(), "value": R.screen_value(f),
             "match": "" if f.name not in evidence else str(evidence[f.name])} for f in view.fields if f.value not in (None, "")]
    st.dataframe(rows, hide_index=True, width="stretch")


def _decide_link(link: R.LinkItem, decision: str) -> None:
    reason = st.session_state.get(f"link_reason_{link.link_id}", "")
    user = me().username
    try:
        decide_link(store(), link.link_id, decision, user=user, reason=reason, require_claim=True)
        flash("success", f"Pair {link.a_id} / {link.b_id}: {'merged' if decision == 'merged' else 'kept apart'}.")
    except BackfillError as e:
        flash("error", str(e))
    finally:
        R.release(store(), link.a_id, user)
        R.release(store(), link.b_id, user)


def duplicates_page() -> None:
    st.header("Possible duplicates")
    show_flash()
    links = R.uncertain_links(store())
    if not links:
        st.success("No uncertain pair waits for a decision.")
        return
    labels = {lk.link_id: f"{lk.a_id} ↔ {lk.b_id} (score {lk.score:.2f})" for lk in links}
    lid = st.selectbox("Pair", list(labels), format_func=labels.get, key="link_pick")
    link = next(lk for lk in links if lk.link_id == lid)
    try:
        R.claim_link(store(), link, me().username)
    except CorrectionError as e:
        st.warning(str(e))
        return
    left, right = st.columns(2)
    with left:
        _record_side(R.record_view(store(), link.a_id, settings()), link.evidence)
    with right:
        _record_side(R.record_view(store(), link.b_id, settings()), link.evidence)
    st.text_input("Why (optional)", key=f"link_reason_{link.link_id}")
    c = st.columns(2)
    c[0].button("Merge: the same person", type="primary", key="merge", on_click=_decide_link, args=(link, "merged"))
    c[1].button("Keep apart: different people", key="keep_apart", on_click=_decide_link, args=(link, "kept_apart"))


# ---------------------------------------------------------------------------------------------
def _arbitrate(rid: int, fields: list[str], decision: str) -> None:
    chosen: dict[str, str | None] = {}
    for n in fields:
        pick = st.session_state.get(f"arb_{rid}_{n}")
        chosen[n] = None if pick == "OCR" else (st.session_state.get(f"arb_text_{rid}_{n}") or "")
    try:
        R.arbitrate(store(), rid, chosen, user=me().username, settings=settings(), decision=decision,
                    reason=st.session_state.get(f"arb_reason_{rid}", ""))
        flash("success", f"Record {rid} arbitrated.")
    except BackfillError as e:
        flash("error", str(e))


def arbitration_page() -> None:
    st.header("Arbitration (two-keyer disagreements)")
    show_flash()
    waiting = R.arbitration_queue(store(), exclude_keyer=me().username)
    if not waiting:
        st.success("Nothing waits for an arbitrator (records you keyed yourself go to someone else).")
        return
    rid, fields = waiting[0]
    try:
        R.claim(store(), rid, me().username)
    except CorrectionError as e:
        st.warning(str(e))
        return
    view = R.record_view(store(), rid, settings())
    st.caption(f"{len(waiting)} record(s) waiting · record {rid} · {view.ledger}, page {view.page_no}, row {view.row_no}")
    img = page_image(view.clean_image)
    keyed = {b["field"]: b for b in view.blind if b["status"] == "disputed"}
    by_name = {f.name: f for f in view.fields}
    for n in fields:
        b = keyed.get(n, {})
        c = st.columns([2, 3, 5])
        c[0].markdown(f"**{n}** · {by_name[n].label}" if by_name[n].label else f"**{n}**")
        with c[1]:
            _show_image(R.cell_crop(img, by_name[n].box) if img is not None else None)
        with c[2]:
            st.radio("Keep", ["OCR", "keyed", "other"], key=f"arb_{rid}_{n}", horizontal=True,
                     captions=[str(b.get("ocr_value")), f"{b.get('typed')} (by {b.get('user')})", "type below"])
            pick = st.session_state.get(f"arb_{rid}_{n}", "OCR")
            st.text_input("value", value=str(b.get("typed") or "") if pick != "other" else "", key=f"arb_text_{rid}_{n}",
                          disabled=pick == "OCR")
    st.text_input("Why (optional)", key=f"arb_reason_{rid}")
    c = st.columns(2)
    c[0].button("Decide and approve", type="primary", key="arb_approve", on_click=_arbitrate, args=(rid, fields, APPROVED))
    c[1].button("Reject the record (give the reason above)", key="arb_reject", on_click=_arbitrate, args=(rid, fields, REJECTED))


# ---------------------------------------------------------------------------------------------
def intake_page() -> None:
    st.header("Intake")
    s = store()
    with s.session() as db:
        files = [{"file": f.rel_path, "type": f.media_type, "pages": f.page_count, "status": f.status,
                  "added": f.created_at} for f in db.query(SourceFile).order_by(SourceFile.created_at.desc()).limit(500)]
        quarantined = [{"file": q.rel_path, "reason": q.reason, "message": q.message, "when": q.created_at}
                       for q in db.query(Quarantine).order_by(Quarantine.created_at.desc()).limit(500)]
    st.subheader(f"Quarantine ({len(quarantined)})")
    if quarantined:
        st.dataframe(quarantined, hide_index=True, width="stretch")
    else:
        st.caption("No file was rejected.")
    st.subheader(f"Ledgers received ({len(files)})")
    st.dataframe(files, hide_index=True, width="stretch")


def _add_user() -> None:
    try:
        add_user(store(), st.session_state.get("nu_name", "").strip(), st.session_state.get("nu_role", "reviewer"),
                 st.session_state.get("nu_pw", ""))
        flash("success", f"User {st.session_state.get('nu_name')} added.")
    except UserError as e:
        flash("error", str(e))
    st.session_state["nu_pw"] = ""


def users_page() -> None:
    st.header("Users and runs")
    show_flash()
    accounts = list_users(store())
    st.dataframe([{"user": a.username, "role": a.role, "active": a.active} for a in accounts], hide_index=True)
    with st.form("new_user"):
        st.text_input("User name", key="nu_name")
        st.selectbox("Role", ROLES, key="nu_role", index=1)
        st.text_input("Password (8 characters or more)", type="password", key="nu_pw")
        st.form_submit_button("Add user", on_click=_add_user)
    others = [a.username for a in accounts if a.username != me().username]
    if others:
        c = st.columns(3)
        who = c[0].selectbox("User", others, key="toggle_user")
        active = next(a.active for a in accounts if a.username == who)
        c[1].button("Disable" if active else "Enable", key="toggle_btn",
                    on_click=lambda: set_active(store(), who, not active))
    st.subheader("Runs")
    with store().session() as db:
        runs = [{"run": r.id, "folder": r.scans_dir, "started": r.started_at, "finished": r.finished_at, "status": r.status}
                for r in db.query(Run).order_by(Run.id.desc()).limit(100)]
    st.dataframe(runs, hide_index=True, width="stretch")


def ledgers_page() -> None:
    st.header("Ledger settings")
    show_flash()
    infos = R.ledgers(store())
    if not infos:
        st.caption("No ledger yet.")
        return
    st.dataframe([{"ledger": i.path, "waiting": i.waiting, "two-keyer": i.two_keyer, "priority": i.priority} for i in infos],
                 hide_index=True, width="stretch")
    names = {i.file_id: i.path for i in infos}
    fid = st.selectbox("Ledger", list(names), format_func=names.get, key="ls_ledger")
    cur = next(i for i in infos if i.file_id == fid)
    with st.form(f"ledger_{fid}"):
        two = st.checkbox("Two-keyer mode (flagged fields keyed blind; disagreements go to an arbitrator)", value=cur.two_keyer)
        prio = st.number_input("Queue priority (higher first)", value=cur.priority, step=1)
        if st.form_submit_button("Save"):
            R.set_ledger(store(), fid, user=me().username, two_keyer=two, priority=int(prio))
            st.rerun()


def history_page() -> None:
    st.header("A record's history")
    rid = st.number_input("Record #", min_value=0, step=1, key="hist_id")
    if not rid:
        return
    rows = history(store(), int(rid))
    if not rows:
        st.caption("No change recorded for this record.")
        return

    def shown(field: str | None, text: str | None) -> str:
        if text is None:
            return ""
        value = json.loads(text)
        return R.mask_for_screen(field, value) if field else str(value)

    st.dataframe([{"when": h.at, "who": h.user, "action": h.action, "field": h.field or "", "old": shown(h.field, h.old_value),
                   "new": shown(h.field, h.new_value), "why": h.reason} for h in rows], hide_index=True, width="stretch",
                 key="history_table")


def completion_page() -> None:
    from review_app.admin import completion_page as page  # issue 6: completion, charts, inventory, launching runs

    page(store(), settings(), me().username)


def crosscheck_page() -> None:
    from review_app.crosscheck import crosscheck_page as page  # issue 24: rolls of other departments

    page(store(), settings(), me().username)


# ---------------------------------------------------------------------------------------------
PAGES = {
    "Queue": ("review", queue_page), "Record": ("review", record_page), "Duplicates": ("review", duplicates_page),
    "Arbitration": ("review", arbitration_page), "Intake": ("intake", intake_page), "Users": ("admin", users_page),
    "Ledgers": ("admin", ledgers_page), "History": ("admin", history_page), "Completion": ("admin", completion_page),
    "Crosscheck": ("review", crosscheck_page),
}


def main() -> None:
    st.set_page_config(page_title="Funeral register review", layout="wide")
    acc = st.session_state.get("account")
    if acc is not None:
        fresh = get_account(store(), acc.username)
        if fresh is None or not fresh.active:
            logout()
            acc = None
        else:
            st.session_state["account"] = acc = fresh
    if acc is None:
        login_page()
        return
    allowed = [name for name, (need, _f) in PAGES.items() if acc.can(need)]
    if st.session_state.get("nav") not in allowed:
        st.session_state["nav"] = allowed[0]
    with st.sidebar:
        st.markdown(f"**{acc.username}** · {acc.role}")
        st.radio("Go to", allowed, key="nav")
        st.button("Log out", key="logout", on_click=logout)
    PAGES[st.session_state["nav"]][1]()


main()
