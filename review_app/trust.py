"""The administrator's pages for trust measured on the real archive (issue 23):

- 抽检质量 (quality): the wrong-field rate among auto-accepted records measured by the blind audit, per
  volume with its 95 % interval and the target (a plot and a table), what was sent back and why, and
  the same per field type, ledger kind and funeral home (pipeline.quality.audit);
- 自动通过阈值 (thresholds): refit the thresholds from the reviews (pipeline.quality.refit), the versions,
  applying one and rolling back (a detached `backfill remap`);
- 地名词库 (lexicon): places, villages and sea areas reviewers typed that no list holds, and the
  character confusions they corrected; accept or refuse (pipeline.page.lexicon).

Every text shown is in TEXT below (Simplified Chinese), to be wired into the app's i18n.
"""

from __future__ import annotations

import logging

import altair as alt
import pandas as pd
import streamlit as st

from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError
from pipeline.kernel.store import Store
from pipeline.page import lexicon as L
from pipeline.quality import audit as A
from pipeline.quality import refit as F

log = logging.getLogger("review_app")

TEXT = {
    # quality
    "quality": "抽检质量",
    "quality_intro": (
        "系统按卷册从自动通过的记录中随机抽取一部分（默认每卷 2 %，至少 20 条），像其他记录一样送审；"
        "审核员无从分辨。下列错误率只来自这些抽检记录的审核结果。"
    ),
    "settings": (
        "抽检比例 {share:.1%}，每卷至少 {minimum} 条，随机种子 {seed}；"
        "目标：自动通过记录的字段错误率不超过 {target:.2%}（95 % 区间上限，{method}）"
    ),
    "m_auto": "自动通过记录",
    "m_drawn": "抽检记录",
    "m_reviewed": "已审核",
    "m_effort": "抽检工作量",
    "m_rate": "总体错误率",
    "effort_help": "抽检记录占自动通过记录的比例",
    "plot_caption": "各卷自动通过记录的字段错误率及其 95 % 区间；红线为目标",
    "plot_x": "卷册",
    "plot_y": "字段错误率 (%)",
    "target": "目标",
    "no_evidence": "尚无审核完成的抽检记录：审核员审完抽检记录后，这里显示各卷的错误率。",
    "volumes": "各卷",
    "failed": "未达标的卷册",
    "col_volume": "卷册",
    "col_state": "状态",
    "col_auto": "自动通过",
    "col_drawn": "抽检",
    "col_reviewed": "已审",
    "col_fields": "字段",
    "col_wrong": "错误",
    "col_rate": "错误率",
    "col_low": "区间下限",
    "col_high": "区间上限",
    "col_loaded": "已入库",
    "col_reason": "原因",
    "col_more": "还需抽检（条）",
    "col_level": "分组",
    "col_records": "记录",
    "state": {
        "pending": "抽检进行中",
        "passed": "达标",
        "to_extend": "待扩大抽检",
        "extended": "已扩大抽检",
        "to_send_back": "待退回",
        "sent_back": "已退回复核",
        "recheck": "已入库，需复核",
        "no_sample": "无可抽检记录",
    },
    "why_extend": "；再抽 {more} 条且全部无误即可证明达标：扩大抽检",
    "why_whole": "；证明达标还需再抽 {more} 条，超过该卷的 {share:.0%}：整卷送审",
    "scan": "{file} 第{page}页第{row}行",
    "why_pending": "已审 {reviewed} / {drawn} 条抽检记录",
    "why_passed": "区间上限 {high:.2%} 不超过目标 {target:.2%}",
    "why_high": "抽检字段 {fields:.0f} 个，错 {wrong:.0f} 个（{rate:.2%}）；95 % 区间上限 {high:.2%} 超过目标 {target:.2%}",
    "why_low": "抽检字段 {fields:.0f} 个，错 {wrong:.0f} 个（{rate:.2%}）；连区间下限 {low:.2%} 都超过目标 {target:.2%}",
    "why_none": "尚无自动通过记录",
    "sent_back_line": "{label}：{sent} 条尚未入库的自动通过记录已退回审核。原因：{why}",
    "recheck_line": "{label}：{loaded} 条自动通过记录已入库，需复核。原因：{why}",
    "recheck_button": "把「{label}」已入库的记录也送审",
    "recheck_done": "{n} 条已入库记录已送审；审核后会作为更新再次入库。",
    "acted": "刚刚执行：{label} — {verdict}（退回 {sent} 条）",
    "by_type": "按字段类型",
    "by_kind": "按台账类型",
    "by_home": "按殡仪馆",
    "weighted": "合并各卷时，每条抽检记录按其所在卷自动通过记录数加权。",
    "csv": "下载质量表（CSV）",
    # thresholds
    "thresholds": "自动通过阈值",
    "th_intro": (
        "出厂阈值是在生成的台账上拟合的。这里用本库审核员的审核结果（含抽检记录）重新拟合各字段类型的阈值和每页上限，"
        "按卷册交叉验证（每卷只用其他卷拟合的阈值来评估），并与在用阈值对比。"
    ),
    "th_in_use": "在用阈值：{name}",
    "th_default": "出厂阈值（生成台账拟合）",
    "th_versions": "阈值版本",
    "th_version": "版本",
    "th_when": "时间",
    "th_who": "写入人",
    "th_note": "说明",
    "th_active": "在用",
    "th_preview": "根据审核结果重新拟合（预览）",
    "th_target": "拟合目标（自动通过字段错误率，以单侧 95% 置信上限计）",
    "th_why": "说明",
    "th_why_loosened": "已放宽：放宽后新增通过的已审记录本身即足以证明达标",
    "th_why_raised": "已收紧：自动通过的记录中有错误字段",
    "th_why_no_lower": "保持：没有读得更低的已审记录",
    "th_why_wrong_lower": "保持：读得更低的 {records} 条已审记录中有 {wrong} 个字段有误",
    "th_why_too_few": "保持：已审数据不足，无法放宽（读得更低的 {records} 条记录、{fields} 个字段全对，置信上限 {upper} 仍高于目标）",
    "th_not_loosened": "已审数据不足，无法放宽：{types}。阈值只在其新增通过的已审记录本身足以证明达标（约 {needed} 个字段全对）时才会放宽。",
    "th_bound_ok": "重新拟合后，已审记录中自动通过字段的错误率单侧 95% 置信上限为 {upper}，不高于目标 {target}。",
    "th_bound_short": (
        "已审记录尚不足以证明达到目标：自动通过字段错误率的单侧 95% 置信上限为 {upper}，高于目标 {target}；"
        "已排除所有含已发现错误的记录，约需 {needed} 个自动通过记录的字段全部审核无误才能证明达标。"
    ),
    "th_type": "字段类型",
    "th_now": "在用",
    "th_new": "重新拟合",
    "th_evidence": (
        "依据：{records} 条审核完成的记录（抽检 {audited} 条，送审 {held} 条），"
        "来自 {volumes} 卷，{fields} 个字段；代表 {weighted:.0f} 条记录"
    ),
    "th_cv": "重新拟合（按卷交叉验证，{folds} 折）：直通率 {st}，自动通过字段错误率 {wr}",
    "th_cv_none": "只有一卷有审核结果，无法交叉验证：请先审核更多卷的记录。",
    "th_cur": "在用阈值在同一依据上：直通率 {st}，自动通过字段错误率 {wr}",
    "th_save": "保存为新版本",
    "th_saved": "已写入 {name}（尚未启用）",
    "th_apply": "启用所选版本并重新映射",
    "th_rollback": "回退到上一个版本并重新映射",
    "th_pick": "要启用的版本",
    "th_launched": "已在后台开始重新映射（进程 {pid}），输出见 {log}",
    "th_cli": "命令行：`backfill calibrate --from-reviews`，`backfill remap --thresholds vN`，`backfill remap --rollback`",
    # lexicon
    "lexicon": "地名词库",
    "lx_intro": (
        "审核员录入、但官方名录（区、镇街、村、海域）中没有的地名，会成为建议；审核员把地名中的某字改为另一字的次数也会统计。"
        "采纳的条目写入本地词库（有版本，记录谁、何时），映射时与官方名录一起使用；采纳的混淆字对只会让此类读法存疑，从不自动改写。"
    ),
    "lx_open": "待决定的建议",
    "lx_none": "暂无建议。",
    "lx_confusions": "审核员更正过的混淆字对",
    "lx_decided": "已决定",
    "lx_kind": "类型",
    "lx_name": "名称",
    "lx_parent": "所属",
    "lx_count": "次数",
    "lx_scans": "来源扫描件",
    "lx_status": "状态",
    "lx_read": "读作",
    "lx_written": "改为",
    "lx_by": "决定人",
    "kinds": {"village": "村", "town": "镇/乡", "street": "街道", "sea_area": "海域", "confusion": "混淆字对"},
    "statuses": {"open": "待决定", "accepted": "已采纳", "refused": "不采纳"},
    "lx_pick": "选择建议",
    "lx_district": "所在区县代码（6 位）",
    "lx_reason": "理由（可选）",
    "lx_accept": "采纳",
    "lx_refuse": "不采纳",
    "lx_done": "已{what}「{name}」；本地词库 {file} 已启用。用它重新映射已存储的单元格：",
    "lx_remap": "用本地词库重新映射已存储的单元格",
    "lx_versions": "本地词库版本",
    "lx_in_use": "在用本地词库：{name}",
    "lx_default": "无（仅官方名录）",
}


def _t(key: str, **kw) -> str:
    text = TEXT[key]
    return text.format(**kw) if kw else text


def _flash() -> None:
    for kind, text in st.session_state.pop("trust_flash", []):
        getattr(st, kind)(text)


def _say(kind: str, text: str) -> None:
    st.session_state.setdefault("trust_flash", []).append((kind, text))


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.2f} %"


def _reason_zh(row: A.QualityRow, target: float, max_share: float = 0.5) -> str:
    r = row.rate
    if r is None:
        return _t("why_pending", reviewed=row.reviewed, drawn=row.drawn) if row.drawn else _t("why_none")
    if row.state in ("to_send_back", "sent_back", "recheck", "to_extend"):
        key = "why_low" if r.low > target else "why_high"
        text = _t(key, fields=r.fields, wrong=r.wrong, rate=r.rate, low=r.low, high=r.high, target=target)
        if r.low <= target and row.more_records and row.state == "to_extend":
            text += _t("why_extend", more=row.more_records)
        elif r.low <= target and row.more_records and row.state == "to_send_back":
            text += _t("why_whole", more=row.more_records, share=max_share)
        return text
    if row.state == "pending":
        return _t("why_pending", reviewed=row.reviewed, drawn=row.drawn)
    return _t("why_passed", high=r.high, target=target)


# --- 抽检质量 ----------------------------------------------------------------------------------------------
def quality_page(store: Store, settings: Settings, user: str) -> None:
    st.header(_t("quality"))
    _flash()
    st.caption(_t("quality_intro"))
    try:
        actions = A.enforce(store, settings, user=user)  # the administrator sees the verdicts as they stand
    except BackfillError as e:
        st.error(str(e))
        actions = []
    for a in actions:
        if a.verdict != "passed":
            st.warning(_t("acted", label=a.label, verdict=TEXT["state"].get(a.verdict, a.verdict), sent=a.sent_back))
    rep = A.quality(store, settings)
    st.caption(
        _t(
            "settings",
            share=rep.share,
            minimum=rep.min_per_volume,
            seed=settings.audit_seed,
            target=rep.target,
            method=rep.method,
        )
    )
    m = st.columns(5)
    m[0].metric(_t("m_auto"), rep.auto_accepted)
    m[1].metric(_t("m_drawn"), rep.drawn)
    m[2].metric(_t("m_reviewed"), rep.reviewed)
    m[3].metric(_t("m_effort"), f"{100 * rep.effort:.1f} %", help=_t("effort_help"))
    tr = rep.total.rate
    m[4].metric(_t("m_rate"), _pct(tr.rate) if tr else "—", help=f"95 %: [{_pct(tr.low)}, {_pct(tr.high)}]" if tr else None)
    vols = rep.rows["volume"]
    measured = [r for r in vols if r.rate is not None]
    st.subheader(_t("volumes"))
    if measured:
        _plot(measured, rep.target)
    else:
        st.info(_t("no_evidence"))
    table = pd.DataFrame(
        [
            {
                _t("col_volume"): r.label,
                _t("col_state"): TEXT["state"].get(r.state, r.state),
                _t("col_auto"): r.population,
                _t("col_drawn"): r.drawn,
                _t("col_reviewed"): r.reviewed,
                _t("col_fields"): int(r.rate.fields) if r.rate else None,
                _t("col_wrong"): int(r.rate.wrong) if r.rate else None,
                _t("col_rate"): _pct(r.rate.rate) if r.rate else "",
                _t("col_low"): _pct(r.rate.low) if r.rate else "",
                _t("col_high"): _pct(r.rate.high) if r.rate else "",
                _t("col_loaded"): r.loaded,
                _t("col_more"): r.more_records
                if (r.rate is not None and r.rate.low <= rep.target and r.state != "passed")
                else None,
                _t("col_reason"): _reason_zh(r, rep.target, settings.audit_max_share),
            }
            for r in vols
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch", key="quality_table")
    failed = [r for r in vols if r.state in ("sent_back", "recheck", "to_send_back", "to_extend")]
    if failed:
        st.subheader(_t("failed"))
        with store.session() as s:
            from pipeline.kernel.store import AuditVerdict

            sent = {v.volume: v.sent_back for v in s.query(AuditVerdict)}
        for r in failed:
            why = _reason_zh(r, rep.target, settings.audit_max_share)
            if r.state == "sent_back" or sent.get(r.key):
                st.error(_t("sent_back_line", label=r.label, sent=sent.get(r.key, 0), why=why))
            if r.loaded and r.state in ("sent_back", "recheck"):
                st.warning(_t("recheck_line", label=r.label, loaded=r.loaded, why=why))
                st.button(
                    _t("recheck_button", label=r.label),
                    key=f"recheck_{r.key}",
                    on_click=_recheck,
                    args=(store, settings, r.key, user),
                )
    for level, title in (("field_type", "by_type"), ("ledger_kind", "by_kind"), ("funeral_home", "by_home")):
        rows = rep.rows[level]
        if not rows:
            continue
        with st.expander(_t(title)):
            st.caption(_t("weighted"))
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            _t("col_level"): r.label,
                            _t("col_records"): r.rate.units,
                            _t("col_fields"): round(r.rate.fields),
                            _t("col_wrong"): round(r.rate.wrong),
                            _t("col_rate"): _pct(r.rate.rate),
                            _t("col_low"): _pct(r.rate.low),
                            _t("col_high"): _pct(r.rate.high),
                        }
                        for r in rows
                    ]
                ),
                hide_index=True,
                width="stretch",
                key=f"quality_{level}",
            )
    st.download_button(_t("csv"), A.quality_csv(rep), file_name="audit-quality.csv", mime="text/csv", key="quality_csv")


def _plot(rows: list[A.QualityRow], target: float) -> None:
    df = pd.DataFrame(
        [
            {
                "volume": r.label,
                "rate": 100 * r.rate.rate,
                "low": 100 * r.rate.low,
                "high": 100 * r.rate.high,
                "state": TEXT["state"].get(r.state, r.state),
            }
            for r in rows
        ]
    )
    x = alt.X("volume:N", title=_t("plot_x"), sort=None, axis=alt.Axis(labelAngle=-40, labelLimit=180))
    order = ["passed", "pending", "to_extend", "extended", "to_send_back", "sent_back", "recheck"]
    palette = ["#2ca02c", "#8c8c8c", "#1f77b4", "#1f77b4", "#ff7f0e", "#d62728", "#8c1c13"]
    color = alt.Color("state:N", title=_t("col_state"), scale=alt.Scale(domain=[TEXT["state"][k] for k in order], range=palette))
    bars = alt.Chart(df).mark_rule(strokeWidth=2).encode(x=x, y=alt.Y("low:Q", title=_t("plot_y")), y2="high:Q", color=color)
    dots = (
        alt.Chart(df)
        .mark_point(filled=True, size=60)
        .encode(
            x=x,
            y="rate:Q",
            color=color,
            tooltip=[
                alt.Tooltip("volume:N", title=_t("col_volume")),
                alt.Tooltip("rate:Q", format=".2f", title=_t("col_rate")),
                alt.Tooltip("low:Q", format=".2f", title=_t("col_low")),
                alt.Tooltip("high:Q", format=".2f", title=_t("col_high")),
            ],
        )
    )
    line = alt.Chart(pd.DataFrame({"y": [100 * target]})).mark_rule(color="#d62728", strokeDash=[6, 4]).encode(y="y:Q")
    label = (
        alt.Chart(pd.DataFrame({"y": [100 * target], "t": [f"{_t('target')} {100 * target:.2f} %"]}))
        .mark_text(align="left", dx=4, dy=-6, color="#d62728")
        .encode(y="y:Q", text="t:N", x=alt.value(0))
    )
    st.caption(_t("plot_caption"))
    st.altair_chart(alt.layer(bars, dots, line, label).properties(height=320), width="stretch")


def _recheck(store: Store, settings: Settings, volume: str, user: str) -> None:
    try:
        n = A.recheck_loaded(store, settings, volume, user=user)
        _say("success", _t("recheck_done", n=n))
    except BackfillError as e:
        _say("error", str(e))


# --- 自动通过阈值 ----------------------------------------------------------------------------------------------
def _rate(r) -> str:
    return f"{_pct(r.rate)} [{_pct(r.low)}, {_pct(r.high)}]"


def _why(v: dict, now: float) -> str:
    """A type's refit threshold explained (pipeline.quality.refit.why) in the page's words."""
    code, b = F.why(v, now)
    if not code:
        return ""
    return _t(
        f"th_why_{code}",
        records=b.get("records"),
        fields=b.get("fields"),
        wrong=b.get("wrong"),
        upper=_pct(b.get("upper") or 1.0),
    )


def _bound_notes(result: F.Refit) -> None:
    """Whether the reviews show the target at the refit thresholds, and which types they cannot loosen."""
    from pipeline.kernel.stats import ONE_SIDED, fields_needed

    needed = fields_needed(result.target, 0, result.bound.get("method", "wilson"), one_sided=ONE_SIDED)
    up = result.bound.get("upper")
    if up is not None:
        key = "th_bound_ok" if result.bound.get("shown") else "th_bound_short"
        getattr(st, "info" if result.bound.get("shown") else "warning")(
            _t(key, upper=_pct(up), target=_pct(result.target), needed=needed)
        )
    held = F.not_loosened(result)
    if held:
        st.warning(_t("th_not_loosened", types="、".join(held), needed=needed))


def thresholds_page(store: Store, settings: Settings, user: str) -> None:
    st.header(_t("thresholds"))
    _flash()
    st.caption(_t("th_intro"))
    versions = F.thresholds_versions(settings)
    items = versions.list()
    active = next((v for v in items if v.active), None)
    st.markdown(_t("th_in_use", name=active.path.name if active else _t("th_default")))
    if items:
        st.subheader(_t("th_versions"))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        _t("th_version"): f"v{v.number}",
                        _t("th_when"): v.created_at,
                        _t("th_who"): v.created_by,
                        _t("th_note"): v.note,
                        _t("th_active"): "✓" if v.active else "",
                    }
                    for v in items
                ]
            ),
            hide_index=True,
            width="stretch",
            key="th_versions",
        )
    target = st.number_input(
        _t("th_target"),
        min_value=0.0001,
        max_value=0.01,
        value=min(0.01, max(0.0001, float(settings.audit_target))),
        step=0.0005,
        format="%.4f",
        key="th_target",
    )
    if st.button(_t("th_preview"), key="th_preview_btn"):
        try:
            st.session_state["th_result"] = F.refit(store, settings, target=float(target))
        except BackfillError as e:
            st.error(str(e) + (f"（{e.hint}）" if e.hint else ""))
    result: F.Refit | None = st.session_state.get("th_result")
    if result is not None:
        ev = result.evidence
        st.caption(
            _t(
                "th_evidence",
                records=ev["records"],
                audited=ev["audited"],
                held=ev["reviewed_held"],
                volumes=ev["volumes"],
                fields=ev["fields"],
                weighted=ev["weighted_records"],
            )
        )
        cur = {name: settings.threshold_for(name) for name in result.thresholds}
        from pipeline.quality.calibration import field_types

        types = field_types()
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        _t("th_type"): t,
                        _t("th_now"): (now := min((cur.get(n, 0.0) for n, tt in types.items() if tt == t), default=0.0)),
                        _t("th_new"): v["threshold"],
                        _t("th_why"): _why(v, now),
                    }
                    for t, v in sorted(result.per_type.items())
                ]
            ),
            hide_index=True,
            key="th_compare",
        )
        _bound_notes(result)
        if result.cross_validated:
            st.info(
                _t(
                    "th_cv",
                    folds=result.folds,
                    st=_rate(result.cross_validated.straight_through),
                    wr=_rate(result.cross_validated.wrong),
                )
            )
        else:
            st.warning(_t("th_cv_none"))
        st.info(_t("th_cur", st=_rate(result.current.straight_through), wr=_rate(result.current.wrong)))
        if st.button(_t("th_save"), key="th_save_btn", type="primary"):
            from pipeline.kernel.config import mask_url

            path = F.write_version(settings, result, user=user, store_url=mask_url(settings.store_url))
            st.session_state.pop("th_result", None)
            _say("success", _t("th_saved", name=path.name))
            st.rerun()
    if items:
        c = st.columns([2, 2, 2])
        pick = c[0].selectbox(_t("th_pick"), [f"v{v.number}" for v in reversed(items)], key="th_pick")
        c[1].button(_t("th_apply"), key="th_apply_btn", on_click=_launch_remap, args=(settings, user, pick, False))
        c[2].button(_t("th_rollback"), key="th_rollback_btn", on_click=_launch_remap, args=(settings, user, None, True))
    st.caption(_t("th_cli"))


def _launch_remap(settings: Settings, user: str, version: str | None, rollback: bool) -> None:
    from pipeline.runs.launch import launch_remap

    try:
        got = launch_remap(settings, user=user, thresholds=version, rollback=rollback)
        _say("success", _t("th_launched", pid=got.pid, log=got.log_path))
        log.info("remap launched by %s", user)
    except BackfillError as e:
        _say("error", str(e))


# --- 地名词库 ----------------------------------------------------------------------------------------------------
def _scans(s: L.Suggestion, most: int = 3) -> str:
    shown = [_t("scan", file=f, page=p, row=r) for f, p, r in s.scans[:most]]
    return "；".join(shown) + ("…" if len(s.scans) > most else "")


def lexicon_page(store: Store, settings: Settings, user: str) -> None:
    st.header(_t("lexicon"))
    _flash()
    st.caption(_t("lx_intro"))
    try:
        items = L.suggestions(store, settings)
    except BackfillError as e:
        st.error(str(e))
        return
    places = [s for s in items if s.kind != "confusion"]
    pairs = [s for s in items if s.kind == "confusion"]
    kinds, statuses = TEXT["kinds"], TEXT["statuses"]
    st.subheader(_t("lx_open"))
    open_places = [s for s in places if s.status == "open"]
    if open_places:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        _t("lx_kind"): kinds[s.kind],
                        _t("lx_name"): s.name,
                        _t("lx_parent"): s.parent,
                        _t("lx_count"): s.count,
                        _t("lx_scans"): _scans(s),
                    }
                    for s in open_places
                ]
            ),
            hide_index=True,
            width="stretch",
            key="lx_open_table",
        )
    else:
        st.caption(_t("lx_none"))
    st.subheader(_t("lx_confusions"))
    if pairs:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        _t("lx_read"): s.name,
                        _t("lx_written"): s.parent,
                        _t("lx_count"): s.count,
                        _t("lx_status"): statuses[s.status],
                        _t("lx_scans"): _scans(s),
                    }
                    for s in pairs
                ]
            ),
            hide_index=True,
            width="stretch",
            key="lx_pairs_table",
        )
    else:
        st.caption(_t("lx_none"))
    undecided = [s for s in items if s.status == "open"]
    if undecided:
        labels = {
            s.key: (
                f"{kinds[s.kind]}：{s.name}→{s.parent}（{s.count}）"
                if s.kind == "confusion"
                else f"{kinds[s.kind]}：{s.name}（{s.parent or '?'}，{s.count}）"
            )
            for s in undecided
        }
        key = st.selectbox(_t("lx_pick"), list(labels), format_func=labels.get, key="lx_pick")
        sug = next(s for s in undecided if s.key == key)
        with st.form(f"lx_form_{sug.id}"):
            district = None
            if sug.kind in ("town", "street", "sea_area"):
                district = st.text_input(_t("lx_district"), value=sug.parent, key=f"lx_district_{sug.id}")
            reason = st.text_input(_t("lx_reason"), key=f"lx_reason_{sug.id}")
            c = st.columns(2)
            acc = c[0].form_submit_button(_t("lx_accept"), type="primary")
            ref = c[1].form_submit_button(_t("lx_refuse"))
        if acc or ref:
            try:
                path = L.decide(
                    store, settings, sug.id, "accepted" if acc else "refused", user=user, district=district, reason=reason or ""
                )
                _say("success", _t("lx_done", what=statuses["accepted" if acc else "refused"], name=sug.name, file=path.name))
                st.rerun()
            except BackfillError as e:
                st.error(str(e))
    decided = [s for s in items if s.status != "open"]
    if decided:
        with st.expander(_t("lx_decided")):
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            _t("lx_kind"): kinds[s.kind],
                            _t("lx_name"): s.name,
                            _t("lx_parent"): s.parent,
                            _t("lx_status"): statuses[s.status],
                            _t("lx_by"): s.decided_by,
                            _t("th_when"): s.decided_at,
                            _t("lx_reason"): s.reason,
                        }
                        for s in decided
                    ]
                ),
                hide_index=True,
                width="stretch",
                key="lx_decided_table",
            )
    versions = L.lexicon_versions(settings).list()
    active = next((v for v in versions if v.active), None)
    st.markdown(_t("lx_in_use", name=active.path.name if active else _t("lx_default")))
    if versions:
        st.button(_t("lx_remap"), key="lx_remap_btn", on_click=_launch_remap, args=(settings, user, None, False))
