"""名册核查 (issue 24): the hits of a cross-registry check, reviewed like uncertain duplicates.

The roll entry and the deceased on the platform side by side (the register's scanned row too when
the deceased came from this working store), the evidence field by field, and two decisions:
the same person / not the same person, each kept in the audit trail with who, when and why. ID
numbers are masked; showing one whole needs a reason and is audited too. Every read and write goes
through pipeline.crosscheck.check. Every word the page shows is review_app.i18n's (xc.*), Simplified
Chinese first, English for a user who chose it; the roll's and the platform's values are shown as they are.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import streamlit as st

from mapping.spec import load_spec
from pipeline.crosscheck import check as X
from pipeline.crosscheck.rolls import PAYMENT_KINDS
from pipeline.kernel.clock import local_time
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError
from pipeline.kernel.privacy import mask_id
from pipeline.kernel.store import Store
from pipeline.review import queue as R
from review_app.i18n import colon, error_text, joined, t

log = logging.getLogger("review_app")

#: the evidence's "how" codes (pipeline.crosscheck.check.EVIDENCE_WORDS) as keys of review_app.i18n (xc.how.*)
HOW_KEYS = {"one digit differs (check digit broken)": "one_digit", "one part differs": "one_part"}


def _word(prefix: str, code: Any) -> str:
    """A code's words under xc.<prefix>.<code>, or the code itself where there are none."""
    text = t(f"xc.{prefix}.{code}")
    return str(code) if text == f"xc.{prefix}.{code}" else text


def conclusion(kind: str, f: dict[str, Any]) -> str:
    """pipeline.crosscheck.check.conclusion in the reviewer's language (the same finding; that one
    words the department's files, in Chinese)."""
    death = f.get("death_date")
    died = t("xc.died_before" if f.get("death_date_is_bound") else "xc.died_on", death=death) if death else t("xc.died")
    if kind in PAYMENT_KINDS:
        if f.get("after_death"):
            n = int(f.get("months_after_death") or 0)
            when = f.get("last_date") or f.get("status_date")
            return t("xc.paid_months" if n else "xc.paid_same_month", died=died, n=n, when=when)
        if f.get("after_death") is False:
            return t("xc.not_paid", died=died)
        return t("xc.no_pay_dates", died=died)
    return t({"hukou": "xc.hukou", "marriage": "xc.marriage"}.get(kind, "xc.on_roll"), died=died)


def _error_text(e: BackfillError) -> str:
    """A refused decision or look, in the reviewer's language (pipeline.crosscheck.check's messages)."""
    msg = str(e)
    if "needs a reason" in msg:
        return t("err.needs_reason")
    if "decided meanwhile" in msg:  # "... decided meanwhile by <user> (<status>)" or "by someone else"
        m = re.search(r"decided meanwhile by (.+?)(?: \(|$)", msg)
        who = m.group(1) if m and m.group(1) not in ("someone", "someone else") else t("xc.someone")
        return t("xc.err.decided", who=who)
    if "is closed" in msg:
        return t("xc.err.closed")
    return error_text(e)


def _flash(kind: str, text: str) -> None:
    st.session_state.setdefault("xc_flash", []).append((kind, text))


def _shown(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in ("id_number", "id_written"):
        return mask_id(str(value))
    if name in ("sex", "sex_code"):
        return _word("sex", value)
    if name == "birth_from_id":
        return t("yes") if value else ""
    if name in ("household_division_code", "division") and str(value).isdigit():
        div = load_spec().divisions.get(str(value))
        return f"{value} {div.name}" if div else str(value)
    return str(value)


def _table(values: dict[str, Any], order: tuple[str, ...]) -> list[dict[str, str]]:
    return [
        {t("xc.field"): _word("label", k), t("xc.value"): _shown(k, values[k])} for k in order if values.get(k) not in (None, "")
    ]


ROLL_ORDER = (
    "name",
    "id_written",
    "birth_date",
    "birth_from_id",
    "sex",
    "address",
    "division",
    "roll_key",
    "last_date",
    "status_date",
    "status",
)
PLATFORM_ORDER = (
    "deceased_name",
    "id_number",
    "birth_date",
    "sex_code",
    "household_address",
    "household_division_code",
    "death_date",
    "cremation_date",
    "scattering_date",
    "funeral_home_code",
    "cremation_cert_no",
    "source_file",
    "source_page",
    "source_row",
)
EVIDENCE_ROWS = (
    ("id_number", ("id_written", "id_number"), ("id_number",)),
    ("name", ("name",), ("deceased_name",)),
    ("birth_date", ("birth_date",), ("birth_date",)),
    ("sex", ("sex",), ("sex_code",)),
    ("place", ("division", "address"), ("household_division_code", "household_address")),
)


def _evidence_rows(hit) -> list[dict[str, str]]:
    rv, d, ev = hit.roll_values or {}, hit.deceased or {}, hit.evidence or {}
    out = []
    for key, roll_keys, plat_keys in EVIDENCE_ROWS:
        e = ev.get(key) or {}
        how = e.get("how") or ""
        words = _word("how", HOW_KEYS.get(how, how)) if how else ""
        if e.get("positions"):
            words += t("xc.positions", positions=joined(str(p) for p in e["positions"]))
        rk = next((k for k in roll_keys if rv.get(k)), roll_keys[0])
        pk = next((k for k in plat_keys if d.get(k)), plat_keys[0])
        out.append(
            {
                t("xc.field"): _word("ev", key),
                t("xc.roll"): _shown(rk, rv.get(rk)),
                t("xc.platform"): _shown(pk, d.get(pk)),
                t("xc.result"): words,
            }
        )
    return out


def _decide(hit_id: int, status: str, decision: str, where: str, user: str, store: Store) -> None:
    reason = (st.session_state.get(f"xc_reason_{hit_id}") or "").strip()
    try:
        X.decide_hit(store, hit_id, decision, user=user, reason=reason, expected=status)
    except BackfillError as e:
        _flash("error", _error_text(e))
        return
    log.info("crosscheck hit %s decided", hit_id)
    _flash("success", t("xc.confirmed_msg" if decision == X.CONFIRMED else "xc.not_same_msg", where=where))
    st.session_state.pop("xc_current", None)


def _skip(hit_id: int) -> None:
    st.session_state.setdefault("xc_skipped", set()).add(hit_id)
    st.session_state.pop("xc_current", None)


def _reveal(hit_id: int, user: str, store: Store) -> None:
    reason = (st.session_state.get(f"xc_reveal_reason_{hit_id}") or "").strip()
    try:
        numbers = X.reveal(store, hit_id, user=user, reason=reason)
    except BackfillError as e:
        _flash("error", _error_text(e))
        return
    st.session_state["xc_revealed"] = (hit_id, numbers)


def _scan(store: Store, settings: Settings, hit) -> None:
    rid = X.source_record(store, hit)
    if rid is None:
        st.caption(t("xc.no_scan"))
        return
    view = R.record_view(store, rid, settings)
    boxes = [f.box for f in view.fields if f.box]
    img = None
    if view.clean_image and boxes:
        try:
            img = store.images.get(view.clean_image)
        except FileNotFoundError:
            img = None
    if img is None:
        st.caption(t("xc.no_scan"))
        return
    hide = [f.box for f in view.fields if f.box and f.name in R.MASKED_FIELDS]
    st.image(
        R.row_strip(img, boxes, hide=hide),
        width="stretch",
        channels="BGR" if img.ndim == 3 else "RGB",
        caption=t("xc.scan_caption", ledger=view.ledger, page=view.page_no, row=view.row_no),
    )


def crosscheck_page(store: Store, settings: Settings, user: str) -> None:
    st.header(t("xc.title"))
    st.caption(t("xc.intro"))
    for kind, text in st.session_state.pop("xc_flash", []):
        getattr(st, kind)(text)
    checks = X.checks(store)
    if not checks:
        st.info(t("xc.no_checks"))
        return
    labels = {
        c.check_id: t(
            "xc.check_label", id=c.check_id, file=c.roll_file, kind=_word("kind", c.kind), waiting=c.counts[X.TO_REVIEW]
        )
        for c in checks
    }
    cid = st.selectbox(t("xc.check"), list(labels), format_func=labels.get, key="xc_check")
    info = next(c for c in checks if c.check_id == cid)
    m = st.columns(4)
    for col, status, label in zip(m, X.HIT_STATUSES, ("auto", "waiting", "confirmed", "not_same")):
        col.metric(t(f"xc.{label}"), info.counts[status])
    # "all" is the empty choice (None) shown as the placeholder, in the reviewer's language, as the queue's filters
    tier = st.selectbox(
        t("xc.tier_filter"),
        list(X.TIERS),
        index=None,
        key="xc_tier",
        format_func=lambda v: _word("tier", v),
        placeholder=t("filter.all"),
    )
    skipped = st.session_state.get("xc_skipped", set())
    waiting = [h for h in X.hits_of(store, cid, tier=tier, limit=200) if h.id not in skipped]
    if info.status == "closed":
        st.info(t("xc.closed"))
    elif not waiting:
        st.success(t("xc.done"))
    else:
        if info.status != "done":
            st.info(t("xc.running", status=_word("status", info.status)))
        _hit_panel(store, settings, user, info, waiting[0])
        st.subheader(t("xc.list"))
        st.dataframe(
            [
                {
                    t("xc.where"): h.roll_where,
                    t("xc.tier_filter"): _word("tier", h.tier),
                    t("xc.score"): round(h.score, 2),
                    t("xc.months"): (h.finding or {}).get("months_after_death") if (h.finding or {}).get("after_death") else None,
                }
                for h in waiting[:50]
            ],
            hide_index=True,
            width="stretch",
            key="xc_list",
        )
    st.subheader(t("xc.history"))
    rows = X.hit_history(store, check_id=cid, limit=50)
    if not rows:
        st.caption(t("xc.no_history"))
    else:
        st.dataframe(
            [
                {
                    t("xc.when"): local_time(c.at, settings.zone),
                    t("xc.who"): c.user,
                    t("xc.action"): _word("action", c.action),
                    t("xc.where"): c.hit_id or "",
                    t("xc.why"): c.reason,
                }
                for c in rows
            ],
            hide_index=True,
            width="stretch",
            key="xc_history",
        )


def _hit_panel(store: Store, settings: Settings, user: str, info: X.CheckInfo, hit) -> None:
    st.subheader(t("xc.hit", where=hit.roll_where, tier=_word("tier", hit.tier), score=f"{hit.score:.2f}"))
    st.warning(f"{t('xc.finding')}{colon()}{conclusion(info.kind, hit.finding or {})}")
    note = {"name_birth_place": "no_id_note", "id_name_conflict": "conflict_note"}.get(hit.tier)
    if note:
        st.caption(t(f"xc.{note}"))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('xc.roll_side')}**")
        st.dataframe(_table(hit.roll_values or {}, ROLL_ORDER), hide_index=True, width="stretch", key=f"xc_roll_{hit.id}")
    with right:
        st.markdown(f"**{t('xc.platform_side')}**")
        d = dict(hit.deceased or {})
        homes = X.institutions()
        if d.get("funeral_home_code"):
            d["funeral_home_code"] = homes.get(d["funeral_home_code"], d["funeral_home_code"])
        st.dataframe(_table(d, PLATFORM_ORDER), hide_index=True, width="stretch", key=f"xc_platform_{hit.id}")
        _scan(store, settings, hit)
    st.markdown(f"**{t('xc.evidence')}**")
    st.dataframe(_evidence_rows(hit), hide_index=True, width="stretch", key=f"xc_evidence_{hit.id}")
    revealed = st.session_state.get("xc_revealed")
    if revealed and revealed[0] == hit.id:
        st.info(t("xc.revealed", roll=revealed[1]["roll"] or "—", platform=revealed[1]["platform"] or "—"))
    with st.expander(t("xc.reveal")):
        st.text_input(t("xc.reveal_reason"), key=f"xc_reveal_reason_{hit.id}")
        st.button(t("xc.reveal_btn"), key=f"xc_reveal_{hit.id}", on_click=_reveal, args=(hit.id, user, store))
    st.text_input(t("xc.reason"), key=f"xc_reason_{hit.id}")
    c = st.columns(3)
    c[0].button(
        t("xc.confirm"),
        type="primary",
        key="xc_confirm",
        on_click=_decide,
        args=(hit.id, hit.status, X.CONFIRMED, hit.roll_where, user, store),
    )
    c[1].button(
        t("xc.not_same_btn"),
        key="xc_not_same",
        on_click=_decide,
        args=(hit.id, hit.status, X.NOT_SAME, hit.roll_where, user, store),
    )
    c[2].button(t("xc.skip"), key="xc_skip", on_click=_skip, args=(hit.id,))
    st.caption(t("xc.purged_note"))
