"""`backfill crosscheck …`: the command-line side of the cross-registry check (pipeline.crosscheck.check).

Everything printed is counts, file:line positions and reasons; never a value of the roll.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Callable

from pipeline.kernel.clock import local_time
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import ExitCode

SHOWN_BAD_ROWS = 20


def cmd_crosscheck(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.crosscheck.check import report_lines, run_check
    from pipeline.crosscheck.rolls import RollOptions
    from pipeline.kernel.store import Store

    options = RollOptions.load(
        args.mapping, args.column or (), sheet=args.sheet, encoding=args.encoding, header_row=args.header_row
    )
    bar = None
    if sys.stderr.isatty() and not args.json:
        from tqdm import tqdm

        bar = tqdm(unit=" rows", desc="核查", file=sys.stderr, dynamic_ncols=True)

    def progress(rows: int, _hits: int) -> None:
        if bar is not None:
            bar.n = rows
            bar.refresh()

    settings.data_path.mkdir(parents=True, exist_ok=True)
    with Store.open(settings) as store:
        try:
            s = run_check(
                store,
                settings,
                args.roll_file,
                args.kind,
                options,
                args.out,
                user=getpass.getuser(),
                again=args.again,
                progress=progress,
            )
        finally:
            if bar is not None:
                bar.close()
    if args.json:
        print(json.dumps(s.to_dict(), ensure_ascii=False, indent=2))
        return ExitCode.ok
    print("\n".join(ln for ln in report_lines(s) if ln))
    if s.bad_first:
        print(
            f"问题行（前 {min(SHOWN_BAD_ROWS, s.bad_rows)} 条，共 {s.bad_rows} 条"
            + ("，全部见 " + str(Path(args.out) / "bad_rows.csv") if args.out else "")
            + "）："
        )
        for b in s.bad_first[:SHOWN_BAD_ROWS]:
            print(f"  {b['where']}: {b['reason']}" + ("" if b["checked"] else "（未参与比对）"))
    if args.out:
        print(
            f"命中已写入 {args.out}：auto_confirmed.csv / .jsonl（自动确认），to_review.csv / .jsonl（待复核），"
            "report.md（报告，含保留了什么）"
        )
    print(f"复核：backfill review → 名册核查；导出确认的命中：backfill crosscheck-export {s.check_id} --out DIR")
    return ExitCode.ok


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.crosscheck.check import checks
    from pipeline.kernel.store import Store

    with Store.open(settings) as store:
        rows = checks(store)
    if not rows:
        print("还没有核查 / no check yet")
    for c in rows:
        n = c.counts
        print(
            f"{c.check_id:>5}  {c.kind:9} {c.status:11} {local_time(c.started_at, settings.zone, seconds=False)}  {c.roll_file}  "
            f"自动确认 {n['auto_confirmed']}，待复核 {n['to_review']}，已确认 {n['confirmed']}，非同一人 {n['not_same']} / "
            f"auto {n['auto_confirmed']}, to review {n['to_review']}, confirmed {n['confirmed']}, not same {n['not_same']}"
        )
    return ExitCode.ok


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.crosscheck.check import export_check
    from pipeline.kernel.store import Store

    with Store.open(settings) as store:
        e = export_check(store, args.check, args.out, user=getpass.getuser())
    print(
        f"核查 {args.check}：已把 {e.confirmed} 条确认的命中写入 {e.directory}（hits.csv、hits.jsonl、manifest.json、说明.txt）；"
        f"{e.waiting} 条待复核、{e.not_same} 条非同一人，未导出 / check {args.check}: {e.confirmed} confirmed hit(s) written; "
        f"{e.waiting} still to review, {e.not_same} not the same person (not exported)"
    )
    return ExitCode.ok


def cmd_close(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.crosscheck.check import close_check
    from pipeline.kernel.store import Store

    with Store.open(settings) as store:
        n = close_check(store, settings, args.check, user=getpass.getuser(), discard_unreviewed=args.discard_unreviewed)
    print(
        f"核查 {args.check} 已关闭：{n} 条未确认命中的名册数据只保留带密钥的摘要 / check {args.check} closed: the roll "
        f"data of {n} hit(s) not confirmed was reduced to a keyed digest"
    )
    return ExitCode.ok


CHECK_ID = "核查编号，见 backfill crosscheck-list (the check's number)"


def add_commands(
    sub, common: Callable[[argparse.ArgumentParser], None], settings_of: Callable[[argparse.Namespace], Settings]
) -> None:
    from pipeline.crosscheck.rolls import FIELDS, KINDS

    def run(fn):
        return lambda args: fn(args, settings_of(args))

    c = sub.add_parser(
        "crosscheck",
        help="用平台的逝者核查其他部门的名册：低保、养老金、户籍或婚姻登记 "
        "(check another department's roll against the platform's deceased)",
    )
    c.add_argument("roll_file", help="名册文件：CSV（UTF-8 或 GB 18030）或 .xlsx (the roll)")
    c.add_argument(
        "--kind",
        required=True,
        choices=list(KINDS),
        help="名册种类：dibao 低保、pension 养老金、hukou 户籍、marriage 婚姻登记、other 其他 (what the roll is)",
    )
    common(c)
    c.add_argument("--platform", metavar="URL", help="平台数据库地址；默认：数据文件夹中的 SQLite 文件 (platform database URL)")
    c.add_argument(
        "--out",
        metavar="DIR",
        help="命中（自动确认与待复核分开）、问题行和报告的输出文件夹 (folder for the hits, bad rows and the report)",
    )
    c.add_argument(
        "--column",
        action="append",
        metavar="FIELD=HEADER",
        help=f"未能识别时指定字段所在列的表头；字段：{', '.join(FIELDS)}（婚姻登记用 男方.name、女方.id_number …）；"
        "FIELD= 表示没有该列 (the header of a field's column)",
    )
    c.add_argument(
        "--mapping",
        metavar="FILE",
        help="含 [columns] 表（及 header_row、sheet、encoding）的 TOML 文件 (a TOML file with a [columns] table)",
    )
    c.add_argument("--sheet", help="只读 .xlsx 的这个工作表；默认：每个认出表头的工作表 (only this worksheet)")
    c.add_argument("--encoding", help="CSV 的编码；默认：能按 UTF-8 解码则 UTF-8，否则 GB 18030 (the CSV's encoding)")
    c.add_argument("--header-row", type=int, metavar="N", help="表头所在的行，从 1 起；默认：自动查找 (the row of the header)")
    c.add_argument("--again", action="store_true", help="再次核查以前核查过的名册 (check a roll checked before, again)")
    c.add_argument("--json", action="store_true", help="以 JSON 输出摘要 (print the summary as JSON)")
    c.set_defaults(func=run(cmd_crosscheck))

    ls = sub.add_parser("crosscheck-list", help="列出名册核查及其命中 (the cross-registry checks and their hits)")
    common(ls)
    ls.set_defaults(func=run(cmd_list))

    ex = sub.add_parser("crosscheck-export", help="为送来名册的部门写出一次核查已确认的命中 (write a check's confirmed hits)")
    ex.add_argument("check", type=int, help=CHECK_ID)
    ex.add_argument(
        "--out", required=True, metavar="DIR", help="hits.csv、hits.jsonl、manifest.json 的输出文件夹 (output folder)"
    )
    common(ex)
    ex.set_defaults(func=run(cmd_export))

    cl = sub.add_parser(
        "crosscheck-close", help="结束一次核查：未确认的名册记录只保留摘要 (end a check: keep only a digest of the rest)"
    )
    cl.add_argument("check", type=int, help=CHECK_ID)
    cl.add_argument(
        "--discard-unreviewed", action="store_true", help="即使仍有命中待复核也关闭 (close even though hits wait for review)"
    )
    common(cl)
    cl.set_defaults(func=run(cmd_close))
