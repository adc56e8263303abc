"""名册核查 (issue 24): the hits of a cross-registry check, reviewed like uncertain duplicates.

The roll entry and the deceased on the platform side by side (the register's scanned row too when
the deceased came from this working store), the evidence field by field, and two decisions:
the same person / not the same person, each kept in the audit trail with who, when and why. ID
numbers are masked; showing one whole needs a reason and is audited too. Every read and write goes
through pipeline.crosscheck.check. All text the page shows is in TEXT (Simplified Chinese), one place for
the review app's language switch to take it from.
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from mapping.spec import load_spec
from pipeline.crosscheck import check as X
from pipeline.crosscheck.rolls import KINDS
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError
from pipeline.kernel.privacy import mask_id
from pipeline.kernel.store import Store
from pipeline.review import queue as R

log = logging.getLogger("review_app")

TEXT: dict[str, str] = {
    "title": "名册核查",
    "intro": "其他部门名册（低保、养老金、户籍、婚姻登记）与平台逝者的比对结果。请逐条核对名册记录与逝者记录是否为同一人。",
    "no_checks": "还没有核查。管理员可用命令 `backfill crosscheck 名册文件 --kind dibao` 发起核查。",
    "check": "核查",
    "check_label": "核查 {id} · {file} · {kind} · 待复核 {waiting}",
    "tier_filter": "比对等级",
    "all": "全部",
    "auto": "自动确认",
    "waiting": "待复核",
    "confirmed": "已确认",
    "not_same": "非同一人",
    "done": "这次核查没有待复核的命中了。",
    "closed": "这次核查已关闭：不再复核，未确认的名册记录只留摘要。",
    "running": "这次核查尚未完成（{status}）：已找到的命中可以先复核。",
    "hit": "{where} · {tier} · 分数 {score:.2f}",
    "roll_side": "名册记录",
    "platform_side": "平台逝者记录",
    "field": "项目",
    "value": "内容",
    "evidence": "比对依据",
    "roll": "名册",
    "platform": "平台",
    "result": "比对结果",
    "reason": "理由（“不是同一人”时请写明）",
    "confirm": "确认：同一人",
    "not_same_btn": "不是同一人",
    "skip": "跳过",
    "confirmed_msg": "{where}：已确认为同一人。",
    "not_same_msg": "{where}：已记为不是同一人。",
    "reveal": "显示完整身份证号",
    "reveal_reason": "查看原因（会记录）",
    "reveal_btn": "显示",
    "revealed": "名册：{roll}　平台：{platform}",
    "history": "最近的决定",
    "when": "时间",
    "who": "人员",
    "action": "操作",
    "why": "理由",
    "no_history": "这次核查还没有人工决定。",
    "no_scan": "这位逝者不是从本工作库的登记簿扫描件载入的，没有扫描图像。",
    "scan_caption": "{ledger} 第 {page} 页 第 {row} 行",
    "finding": "核查结论",
    "list": "待复核列表（前 50 条）",
    "where": "名册位置",
    "score": "分数",
    "months": "死亡后发放月数",
    "purged_note": "决定“不是同一人”后，核查关闭时这条名册记录只留摘要，不留个人信息。",
    "no_id_note": "双方没有可比的身份证号：也可能是同名、同出生日期的另一人，请用户籍或其他材料核实后再确认。",
    "conflict_note": "身份证号相同但姓名不符：可能是名册录错了号码，请核实名册上的这个人。",
}
LABELS = {
    "name": "姓名",
    "id_number": "公民身份号码",
    "id_written": "身份证号（名册原文）",
    "birth_date": "出生日期",
    "sex": "性别",
    "address": "地址",
    "division": "行政区划",
    "roll_key": "名册编号",
    "last_date": "最后发放日期",
    "status_date": "状态日期",
    "status": "状态",
    "deceased_name": "姓名",
    "household_address": "户籍地址",
    "household_division_code": "户籍地",
    "death_date": "死亡日期",
    "cremation_date": "火化日期",
    "scattering_date": "海葬日期",
    "funeral_home_code": "殡仪馆",
    "cremation_cert_no": "火化证明编号",
    "source_file": "登记簿",
    "source_page": "页",
    "source_row": "行",
    "sex_code": "性别",
    "birth_from_id": "出生日期取自身份证号",
}
TIER = X.TIER_SHORT
ACTIONS = {"confirm": "确认同一人", "not_same": "不是同一人", "reveal": "查看完整号码", "export": "导出", "close": "关闭核查"}
SEX = {"1": "男", "2": "女"}


def _flash(kind: str, text: str) -> None:
    st.session_state.setdefault("xc_flash", []).append((kind, text))


def _shown(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in ("id_number", "id_written"):
        return mask_id(str(value))
    if name in ("sex", "sex_code"):
        return SEX.get(str(value), str(value))
    if name == "birth_from_id":
        return "是" if value else ""
    if name in ("household_division_code", "division") and str(value).isdigit():
        div = load_spec().divisions.get(str(value))
        return f"{value} {div.name}" if div else str(value)
    return str(value)


def _table(values: dict[str, Any], order: tuple[str, ...]) -> list[dict[str, str]]:
    return [
        {TEXT["field"]: LABELS.get(k, k), TEXT["value"]: _shown(k, values[k])} for k in order if values.get(k) not in (None, "")
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
        words = X.EVIDENCE_WORDS.get(e.get("how"), e.get("how") or "")
        if e.get("positions"):
            words += "（第 " + "、".join(str(p) for p in e["positions"]) + " 位）"
        rk = next((k for k in roll_keys if rv.get(k)), roll_keys[0])
        pk = next((k for k in plat_keys if d.get(k)), plat_keys[0])
        out.append(
            {
                TEXT["field"]: X.EVIDENCE_FIELDS[key],
                TEXT["roll"]: _shown(rk, rv.get(rk)),
                TEXT["platform"]: _shown(pk, d.get(pk)),
                TEXT["result"]: words,
            }
        )
    return out


def _decide(hit_id: int, status: str, decision: str, where: str, user: str, store: Store) -> None:
    reason = (st.session_state.get(f"xc_reason_{hit_id}") or "").strip()
    try:
        X.decide_hit(store, hit_id, decision, user=user, reason=reason, expected=status)
    except BackfillError as e:
        _flash("error", str(e))
        return
    log.info("crosscheck hit %s decided", hit_id)
    _flash("success", TEXT["confirmed_msg" if decision == X.CONFIRMED else "not_same_msg"].format(where=where))
    st.session_state.pop("xc_current", None)


def _skip(hit_id: int) -> None:
    st.session_state.setdefault("xc_skipped", set()).add(hit_id)
    st.session_state.pop("xc_current", None)


def _reveal(hit_id: int, user: str, store: Store) -> None:
    reason = (st.session_state.get(f"xc_reveal_reason_{hit_id}") or "").strip()
    try:
        numbers = X.reveal(store, hit_id, user=user, reason=reason)
    except BackfillError as e:
        _flash("error", str(e))
        return
    st.session_state["xc_revealed"] = (hit_id, numbers)


def _scan(store: Store, settings: Settings, hit) -> None:
    rid = X.source_record(store, hit)
    if rid is None:
        st.caption(TEXT["no_scan"])
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
        st.caption(TEXT["no_scan"])
        return
    hide = [f.box for f in view.fields if f.box and f.name in R.MASKED_FIELDS]
    st.image(
        R.row_strip(img, boxes, hide=hide),
        width="stretch",
        channels="BGR" if img.ndim == 3 else "RGB",
        caption=TEXT["scan_caption"].format(ledger=view.ledger, page=view.page_no, row=view.row_no),
    )


def crosscheck_page(store: Store, settings: Settings, user: str) -> None:
    st.header(TEXT["title"])
    st.caption(TEXT["intro"])
    for kind, text in st.session_state.pop("xc_flash", []):
        getattr(st, kind)(text)
    checks = X.checks(store)
    if not checks:
        st.info(TEXT["no_checks"])
        return
    labels = {
        c.check_id: TEXT["check_label"].format(
            id=c.check_id, file=c.roll_file, kind=KINDS.get(c.kind, c.kind), waiting=c.counts[X.TO_REVIEW]
        )
        for c in checks
    }
    cid = st.selectbox(TEXT["check"], list(labels), format_func=labels.get, key="xc_check")
    info = next(c for c in checks if c.check_id == cid)
    m = st.columns(4)
    for col, status, label in zip(m, X.HIT_STATUSES, ("auto", "waiting", "confirmed", "not_same")):
        col.metric(TEXT[label], info.counts[status])
    tier = st.selectbox(
        TEXT["tier_filter"], [None, *X.TIERS], key="xc_tier", format_func=lambda t: TEXT["all"] if t is None else TIER[t]
    )
    skipped = st.session_state.get("xc_skipped", set())
    waiting = [h for h in X.hits_of(store, cid, tier=tier, limit=200) if h.id not in skipped]
    if info.status == "closed":
        st.info(TEXT["closed"])
    elif not waiting:
        st.success(TEXT["done"])
    else:
        if info.status != "done":
            st.info(TEXT["running"].format(status=info.status))
        _hit_panel(store, settings, user, info, waiting[0])
        st.subheader(TEXT["list"])
        st.dataframe(
            [
                {
                    TEXT["where"]: h.roll_where,
                    TEXT["tier_filter"]: TIER[h.tier],
                    TEXT["score"]: round(h.score, 2),
                    TEXT["months"]: (h.finding or {}).get("months_after_death") if (h.finding or {}).get("after_death") else None,
                }
                for h in waiting[:50]
            ],
            hide_index=True,
            width="stretch",
            key="xc_list",
        )
    st.subheader(TEXT["history"])
    rows = X.hit_history(store, check_id=cid, limit=50)
    if not rows:
        st.caption(TEXT["no_history"])
    else:
        st.dataframe(
            [
                {
                    TEXT["when"]: c.at,
                    TEXT["who"]: c.user,
                    TEXT["action"]: ACTIONS.get(c.action, c.action),
                    TEXT["where"]: c.hit_id or "",
                    TEXT["why"]: c.reason,
                }
                for c in rows
            ],
            hide_index=True,
            width="stretch",
            key="xc_history",
        )


def _hit_panel(store: Store, settings: Settings, user: str, info: X.CheckInfo, hit) -> None:
    st.subheader(TEXT["hit"].format(where=hit.roll_where, tier=TIER[hit.tier], score=hit.score))
    st.warning(f"{TEXT['finding']}：{X.conclusion(info.kind, hit.finding or {})}")
    note = {"name_birth_place": "no_id_note", "id_name_conflict": "conflict_note"}.get(hit.tier)
    if note:
        st.caption(TEXT[note])
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{TEXT['roll_side']}**")
        st.dataframe(_table(hit.roll_values or {}, ROLL_ORDER), hide_index=True, width="stretch", key=f"xc_roll_{hit.id}")
    with right:
        st.markdown(f"**{TEXT['platform_side']}**")
        d = dict(hit.deceased or {})
        homes = X.institutions()
        if d.get("funeral_home_code"):
            d["funeral_home_code"] = homes.get(d["funeral_home_code"], d["funeral_home_code"])
        st.dataframe(_table(d, PLATFORM_ORDER), hide_index=True, width="stretch", key=f"xc_platform_{hit.id}")
        _scan(store, settings, hit)
    st.markdown(f"**{TEXT['evidence']}**")
    st.dataframe(_evidence_rows(hit), hide_index=True, width="stretch", key=f"xc_evidence_{hit.id}")
    revealed = st.session_state.get("xc_revealed")
    if revealed and revealed[0] == hit.id:
        st.info(TEXT["revealed"].format(roll=revealed[1]["roll"] or "—", platform=revealed[1]["platform"] or "—"))
    with st.expander(TEXT["reveal"]):
        st.text_input(TEXT["reveal_reason"], key=f"xc_reveal_reason_{hit.id}")
        st.button(TEXT["reveal_btn"], key=f"xc_reveal_{hit.id}", on_click=_reveal, args=(hit.id, user, store))
    st.text_input(TEXT["reason"], key=f"xc_reason_{hit.id}")
    c = st.columns(3)
    c[0].button(
        TEXT["confirm"],
        type="primary",
        key="xc_confirm",
        on_click=_decide,
        args=(hit.id, hit.status, X.CONFIRMED, hit.roll_where, user, store),
    )
    c[1].button(
        TEXT["not_same_btn"],
        key="xc_not_same",
        on_click=_decide,
        args=(hit.id, hit.status, X.NOT_SAME, hit.roll_where, user, store),
    )
    c[2].button(TEXT["skip"], key="xc_skip", on_click=_skip, args=(hit.id,))
    st.caption(TEXT["purged_note"])
