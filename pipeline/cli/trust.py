"""`backfill audit`, `backfill calibrate --from-reviews`, `backfill lexicon` and the quality view of
`backfill status` (issue 23: trust measured on the real archive). Registered by pipeline.cli; the
logic is in pipeline.quality.audit, pipeline.quality.refit and pipeline.page.lexicon."""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path
from typing import Any, Callable

from pipeline.kernel.clock import local_time
from pipeline.kernel.errors import BackfillError, ExitCode
from pipeline.kernel.safety import shown

IN_USE = "  <- 正在使用 in use"
"""How `calibrate --list` and `lexicon versions` mark the version in use."""


def _user(args: argparse.Namespace) -> str:
    """Who acts: --user, else the login name of this shell (kept with every decision)."""
    name = (getattr(args, "user", None) or "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def cmd_quality(args: argparse.Namespace, settings_of: Callable) -> int:
    """`backfill status --quality`: the measured wrong-field rates (text, --csv FILE, --json)."""
    from pipeline.kernel.store import Store
    from pipeline.quality.audit import format_quality, quality, quality_csv

    settings = settings_of(args)
    with Store.open(settings) as store:
        rep = quality(store, settings)
    if args.csv:
        Path(args.csv).write_text(quality_csv(rep), encoding="utf-8")
    if args.json:
        print(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print(format_quality(rep))
        if args.csv:
            print(f"已写出此表到 {shown(args.csv)} / wrote the table to {shown(args.csv)}")
    return ExitCode.ok


def cmd_audit(args: argparse.Namespace, settings_of: Callable) -> int:
    from pipeline.kernel.store import Store
    from pipeline.quality import audit as A

    settings = settings_of(args)
    with Store.open(settings) as store:
        if args.audit_command == "draw":
            got = A.draw(store, settings, user=_user(args))
            print(
                f"在 {len(got.by_volume)} 册中抽出 {got.drawn} 条盲审样本（比例 {settings.audit_share:.1%}，每册至少 "
                f"{settings.audit_min_per_volume} 条，随机种子 {settings.audit_seed}）/ drew {got.drawn} audit sample(s) in "
                f"{len(got.by_volume)} volume(s)"
            )
        elif args.audit_command == "check":
            actions = A.enforce(store, settings, user=_user(args))
            for a in actions:
                zh = A.STATE_LABELS.get(a.verdict, (a.verdict,))[0]
                if a.verdict == "passed":
                    print(f"{a.label}: {zh} passed ({a.reason})")
                else:
                    print(
                        f"{a.label}: {zh} {a.verdict}：{a.sent_back} 条退回审核 / {a.sent_back} record(s) sent back to review"
                        + (
                            f"；{a.loaded} 条已入库，列入复核 / {a.loaded} already loaded: listed for re-check"
                            if a.loaded
                            else ""
                        )
                        + f"; 原因 why: {a.reason}"
                    )
            if not actions:
                print("没有卷册需要处理 / nothing changed")
        elif args.audit_command == "recheck":
            n = A.recheck_loaded(store, settings, args.volume, user=_user(args))
            print(
                f"{args.volume}：{n} 条已入库记录退回审核；审核后会作为更新再次入库 / {n} loaded record(s) sent to review; "
                "reviewed, they reach the platform again as updates"
            )
    return ExitCode.ok


def cmd_calibrate(args: argparse.Namespace, settings_of: Callable) -> int:
    from pipeline.kernel.config import mask_url
    from pipeline.kernel.store import Store
    from pipeline.quality.refit import format_refit, refit, thresholds_versions, write_version

    settings = settings_of(args)
    versions = thresholds_versions(settings)
    if args.list:
        items = versions.list()
        print(
            f"default  出厂阈值（在生成的登记簿上拟合）/ packaged: fitted on generated ledgers{IN_USE if not any(v.active for v in items) else ''}"
        )
        for v in items:
            print(
                f"v{v.number:<4}  {local_time(v.created_at, settings.zone)}  by {v.created_by}  {v.note}"
                + (IN_USE if v.active else "")
            )
        return ExitCode.ok
    if not args.from_reviews:
        raise BackfillError(
            "没有说明按什么拟合阈值：请加上 --from-reviews / say where to fit from: --from-reviews",
            hint="请加上 --from-reviews（按本库的审核结果拟合）/ add --from-reviews; "
            "the generated-ledger fit is bench/bench_calibration.py",
        )
    with Store.open(settings) as store:
        result = refit(store, settings, target=args.target, folds=args.folds)
        path = (
            None
            if args.dry_run
            else write_version(settings, result, user=_user(args), store_url=mask_url(settings.store_url), note=args.note or "")
        )
    if args.json:
        print(json.dumps({**result.to_dict(), "written": str(path) if path else None}, ensure_ascii=False, indent=2, default=str))
    else:
        print(format_refit(result, path))
    return ExitCode.ok


def cmd_lexicon(args: argparse.Namespace, settings_of: Callable) -> int:
    from pipeline.kernel.store import Store
    from pipeline.page import lexicon as L

    settings = settings_of(args)
    with Store.open(settings) as store:
        c = args.lexicon_command
        if c == "list":
            items = L.suggestions(store, settings)
            if args.kind:
                items = [s for s in items if s.kind == args.kind]
            if args.open:
                items = [s for s in items if s.status == "open"]
            if args.json:
                print(json.dumps([s.to_dict() for s in items], ensure_ascii=False, indent=2))
            else:
                print(L.format_suggestions(items) if items else "暂无建议 / no suggestion")
        elif c in ("accept", "refuse"):
            path = L.decide(
                store,
                settings,
                args.id,
                "accepted" if c == "accept" else "refused",
                user=_user(args),
                district=getattr(args, "district", None),
                reason=args.reason or "",
            )
            print(
                f"已{'采纳' if c == 'accept' else '拒绝'}建议 {args.id}；正在使用本地词库 {path.name}：运行 backfill remap 以按它重新映射 / "
                f"{c}ed {args.id}; local lexicon {path.name} in use: run `backfill remap` to map the stored cells with it"
            )
        elif c == "use":
            before, now = L.lexicon_versions(settings).apply(args.version, user=_user(args))
            print(
                f"本地词库 local lexicon：{before} -> {now}；运行 backfill remap 以按它重新映射 / run `backfill remap` to map "
                "the stored cells with it"
            )
        elif c == "versions":
            versions = L.lexicon_versions(settings).list()
            print(f"default  仅官方名录 / official lists only{IN_USE if not any(v.active for v in versions) else ''}")
            for v in versions:
                print(
                    f"v{v.number:<4}  {local_time(v.created_at, settings.zone)}  by {v.created_by}  {v.note}"
                    + (IN_USE if v.active else "")
                )
    return ExitCode.ok


def add_status_options(st: argparse.ArgumentParser) -> None:
    st.add_argument(
        "--quality",
        action="store_true",
        help="盲审测得的自动接受记录的字段错误率，含 95 %% 区间 (the wrong-field rate the blind audit measured)",
    )


def add_commands(sub: Any, common: Callable[[argparse.ArgumentParser], None], settings_of: Callable) -> None:
    def who(p: argparse.ArgumentParser) -> None:
        p.add_argument("--user", help="操作人，随决定一并记录；默认：当前登录名 (who acts)")

    au = sub.add_parser(
        "audit", help="自动接受记录的盲审，结果见 backfill status --quality (the blind audit of auto-accepted records)"
    )
    asub = au.add_subparsers(dest="audit_command", required=True, metavar="命令")
    for name, text in (
        ("draw", "为缺少样本的卷册抽取盲审样本；运行时在去重后自动进行 (draw the audit samples the volumes lack)"),
        ("check", "按测得的错误率处理：把未通过的卷册退回审核；入库前自动进行 (send failed volumes back to review)"),
    ):
        p = asub.add_parser(name, help=text)
        common(p)
        who(p)
        p.set_defaults(func=lambda a: cmd_audit(a, settings_of))
    rc = asub.add_parser(
        "recheck", help="把未通过卷册中已入库的记录也退回审核 (send a failed volume's loaded records to review as well)"
    )
    rc.add_argument("volume", help="卷册键，见 backfill status --quality --json，如 file:scans/a.pdf (the volume key)")
    common(rc)
    who(rc)
    rc.set_defaults(func=lambda a: cmd_audit(a, settings_of))

    ca = sub.add_parser(
        "calibrate", help="按已审核和已盲审的记录重新拟合自动接受阈值 (refit the auto-accept thresholds from reviews)"
    )
    ca.add_argument(
        "--from-reviews", action="store_true", help="用本工作库的审核结果拟合，按卷册交叉验证 (fit on this store's reviews)"
    )
    ca.add_argument(
        "--target",
        type=float,
        default=None,
        help="自动接受记录字段允许的错误比例，按单侧 95 %% 置信上限衡量；默认 audit_target 即 0.003 "
        "(wrong share allowed among auto-accepted fields)",
    )
    ca.add_argument("--folds", type=int, default=5, metavar="N", help="交叉验证的卷册折数；默认 5 (folds of volumes)")
    ca.add_argument("--dry-run", action="store_true", help="只报告，不写出阈值版本 (report only)")
    ca.add_argument("--note", help="随新版本保存的备注 (a note kept with the new version)")
    ca.add_argument("--list", action="store_true", help="列出各阈值版本及正在使用的版本 (list the thresholds versions)")
    ca.add_argument("--json", action="store_true", help="以 JSON 输出 (print JSON)")
    common(ca)
    who(ca)
    ca.set_defaults(func=lambda a: cmd_calibrate(a, settings_of))

    lx = sub.add_parser(
        "lexicon", help="审核员录入而名录中没有的地名：建议与本地词库 (place names no list holds: the local lexicon)"
    )
    lsub = lx.add_subparsers(dest="lexicon_command", required=True, metavar="命令")
    ll = lsub.add_parser("list", help="列出建议和易混字对，含次数和来源扫描件 (suggestions and confusion pairs, with counts)")
    ll.add_argument(
        "--kind",
        choices=["village", "town", "street", "sea_area", "confusion"],
        help="种类：village 村、town 镇、street 街道、sea_area 海域、confusion 易混字 (kind)",
    )
    ll.add_argument("--open", action="store_true", help="只列出尚未决定的 (only those not decided yet)")
    ll.add_argument("--json", action="store_true", help="以 JSON 输出 (print JSON)")
    common(ll)
    ll.set_defaults(func=lambda a: cmd_lexicon(a, settings_of))
    for name, helptext in (("accept", "采纳一条建议 (accept a suggestion)"), ("refuse", "拒绝一条建议 (refuse a suggestion)")):
        p = lsub.add_parser(name, help=helptext)
        p.add_argument("id", help="建议编号，见 backfill lexicon list (the id `lexicon list` shows)")
        p.add_argument("--reason", help="理由，随决定一并记录 (why)")
        if name == "accept":
            p.add_argument("--district", metavar="CODE", help="镇、街道或海域所在区县的 6 位代码 (6-digit code of its district)")
        common(p)
        who(p)
        p.set_defaults(func=lambda a: cmd_lexicon(a, settings_of))
    us = lsub.add_parser("use", help="启用一个本地词库版本 (put a local lexicon version in use)")
    us.add_argument("version", help="vN，或 default：只用官方名录 (vN, or default: the official lists only)")
    common(us)
    who(us)
    us.set_defaults(func=lambda a: cmd_lexicon(a, settings_of))
    lv = lsub.add_parser("versions", help="列出本地词库的各版本 (list the local lexicon versions)")
    common(lv)
    lv.set_defaults(func=lambda a: cmd_lexicon(a, settings_of))


def add_remap_options(rm: argparse.ArgumentParser) -> None:
    g = rm.add_mutually_exclusive_group()
    g.add_argument(
        "--thresholds",
        metavar="VERSION",
        help="先启用该阈值版本：backfill calibrate --list 中的 vN、一个文件，或 default (first put this thresholds version in use)",
    )
    g.add_argument("--rollback", action="store_true", help="先退回到上一个使用的阈值版本 (first go back to the previous version)")
    rm.add_argument("--user", help="操作人；默认：当前登录名 (who applies it)")


def cmd_remap(args: argparse.Namespace, settings_of: Callable, format_remap: Callable[..., str]) -> int:
    """`backfill remap` (--thresholds / --rollback); `format_remap` (pipeline.cli.main's) says what it did."""
    from pipeline.kernel.store import Store
    from pipeline.runs.stages import audit_stage, remap

    settings = settings_of(args)
    change = None
    with Store.open(settings) as store:
        if args.thresholds or args.rollback:
            from pipeline.runs.stages import apply_version

            before, now, pages, records = apply_version(
                store, settings, args.thresholds, user=_user(args), rollback=args.rollback
            )
            change = (before, now, bool(args.rollback))
            settings = settings.with_()
        else:
            pages, records = remap(store, settings)
        audit = audit_stage(store, settings)
    print(format_remap(pages, records, audit, change))
    return ExitCode.ok
