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
        print("no check yet")
    for c in rows:
        n = c.counts
        print(
            f"{c.check_id:>5}  {c.kind:9} {c.status:11} {c.started_at:%Y-%m-%d %H:%M}  {c.roll_file}  "
            f"auto {n['auto_confirmed']}, to review {n['to_review']}, confirmed {n['confirmed']}, not same {n['not_same']}"
        )
    return ExitCode.ok


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.crosscheck.check import export_check
    from pipeline.kernel.store import Store

    with Store.open(settings) as store:
        e = export_check(store, args.check, args.out, user=getpass.getuser())
    print(
        f"check {args.check}: {e.confirmed} confirmed hit(s) written to {e.directory} "
        f"(hits.csv, hits.jsonl, manifest.json, 说明.txt); {e.waiting} still to review, {e.not_same} not the same person (not exported)"
    )
    return ExitCode.ok


def cmd_close(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.crosscheck.check import close_check
    from pipeline.kernel.store import Store

    with Store.open(settings) as store:
        n = close_check(store, settings, args.check, user=getpass.getuser(), discard_unreviewed=args.discard_unreviewed)
    print(f"check {args.check} closed: the roll data of {n} hit(s) not confirmed was reduced to a keyed digest")
    return ExitCode.ok


def add_commands(
    sub, common: Callable[[argparse.ArgumentParser], None], settings_of: Callable[[argparse.Namespace], Settings]
) -> None:
    from pipeline.crosscheck.rolls import FIELDS, KINDS

    def run(fn):
        return lambda args: fn(args, settings_of(args))

    c = sub.add_parser(
        "crosscheck",
        help="check a roll of another department (低保, pensions, household or marriage "
        "register) against the platform's deceased",
    )
    c.add_argument("roll_file", help="the roll: CSV (UTF-8 or GB 18030) or .xlsx")
    c.add_argument("--kind", required=True, choices=list(KINDS), help="what the roll is")
    common(c)
    c.add_argument("--platform", help="platform database URL (default: SQLite file in the data folder)")
    c.add_argument("--out", help="folder for the hits (auto-confirmed and to review apart), bad rows and the report")
    c.add_argument(
        "--column",
        action="append",
        metavar="FIELD=HEADER",
        help=f"the header of a field's column where it is not recognized; fields: {', '.join(FIELDS)} "
        "(男方.name, 女方.id_number … for a marriage record); FIELD= for none",
    )
    c.add_argument("--mapping", help="a TOML file with a [columns] table (and header_row, sheet, encoding)")
    c.add_argument("--sheet", help="only this worksheet of an .xlsx (default: every sheet with a recognized header)")
    c.add_argument("--encoding", help="the CSV's encoding (default: UTF-8 if it decodes as such, else GB 18030)")
    c.add_argument("--header-row", type=int, help="the line (row) of the header, from 1 (default: found)")
    c.add_argument("--again", action="store_true", help="check a roll that was checked before, again")
    c.add_argument("--json", action="store_true", help="print the summary as JSON")
    c.set_defaults(func=run(cmd_crosscheck))

    ls = sub.add_parser("crosscheck-list", help="the cross-registry checks and their hits")
    common(ls)
    ls.set_defaults(func=run(cmd_list))

    ex = sub.add_parser("crosscheck-export", help="write a check's confirmed hits for the department that sent the roll")
    ex.add_argument("check", type=int)
    ex.add_argument("--out", required=True, help="folder for hits.csv, hits.jsonl, manifest.json")
    common(ex)
    ex.set_defaults(func=run(cmd_export))

    cl = sub.add_parser("crosscheck-close", help="end a check: keep only a digest of entries not confirmed")
    cl.add_argument("check", type=int)
    cl.add_argument("--discard-unreviewed", action="store_true", help="close even though hits still wait for review")
    common(cl)
    cl.set_defaults(func=run(cmd_close))
