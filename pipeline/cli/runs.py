"""`backfill run` options for migration runs, `backfill inventory import`, `backfill status` and
`backfill serve` (the Prefect deployment). Registered by pipeline.cli; logic in pipeline.runs.manage,
pipeline.archive.inventory, pipeline.runs.completion; Prefect only through flows/."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any, Callable

from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError, ExitCode
from pipeline.kernel.safety import shown


def add_run_options(r: argparse.ArgumentParser) -> None:
    g = r.add_argument_group("选择范围与多机运行（迁移运行） (selection and scale-out)")
    g.add_argument(
        "--home",
        action="append",
        metavar="CODE_OR_NAME",
        help="只处理该殡仪馆的卷册，可重复；代码或清单中的名称 (only volumes of this funeral home; repeatable)",
    )
    g.add_argument(
        "--year",
        action="append",
        metavar="YEARS",
        help="只处理这些年份：2013、2010-2012、2014,2016，可重复 (only these years; repeatable)",
    )
    g.add_argument(
        "--volume",
        action="append",
        metavar="LABEL",
        help="只处理清单中带此标签的卷册，可重复 (only inventory volumes with this label; repeatable)",
    )
    g.add_argument(
        "--batch-pages",
        type=int,
        default=4,
        metavar="N",
        help="每个任务处理的页数；默认 4，为使一次运行不超过 300 个任务会自动增大 (pages per task)",
    )
    g.add_argument(
        "--load",
        action="store_true",
        help="最后把自动接受和已通过的记录装入平台 (end with loading the accepted records into the platform)",
    )
    g.add_argument(
        "--platform",
        metavar="URL",
        help="装入（--load）的平台数据库地址；默认：数据文件夹中的 SQLite 文件 (platform database URL)",
    )
    g.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="在该调度器地址的 Dask 集群上运行任务，如 tcp://host:8786 (run the tasks on this Dask cluster)",
    )
    g.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="Prefect 默认任务执行器的线程数；默认 1 (threads of Prefect's task runner)",
    )


def run_options(args: argparse.Namespace) -> "Any":
    from pipeline.archive.inventory import Selection, parse_years
    from pipeline.runs.manage import RunOptions

    if args.batch_pages < 1:
        raise BackfillError(
            "--batch-pages 应为 1 或更大 / --batch-pages must be 1 or more",
            hint="请给 --batch-pages 一个正整数（每批页数）/ give --batch-pages a whole number of 1 or more",
        )
    sel = Selection(tuple(args.home or ()), parse_years(args.year), tuple(args.volume or ()))
    return RunOptions(sel, args.batch_pages, args.load)


def execute_run(args: argparse.Namespace, settings: Settings, scans: Path) -> dict[str, Any]:
    """The run itself, with Prefect (default) or without (--no-prefect). A thresholds file that is not
    valid is refused before the flow starts (one clear line, not Prefect's log of a failed flow)."""
    from pipeline.kernel.thresholds import check_thresholds

    options = run_options(args)
    check_thresholds(settings.active_thresholds_file)
    if args.no_prefect:
        if args.dask:
            raise BackfillError(
                "选项 --dask 需要 Prefect / --dask needs Prefect",
                hint="--dask 需要 Prefect：请去掉 --no-prefect / drop --no-prefect",
            )
        from pipeline.runs.manage import run_selection

        return run_selection(scans.resolve(), settings, options)
    from flows.env import prepare_prefect_env

    prepare_prefect_env(settings.data_dir, quiet=not args.verbose)
    from flows.backfill import run_flow

    os.environ.update(settings.connection_env())  # connection strings travel by environment, never as flow parameters
    return run_flow(str(scans.resolve()), settings.public_dict(), options.to_dict(), dask_address=args.dask, workers=args.workers)


# ---------------------------------------------------------------------------------------------
def cmd_inventory_import(args: argparse.Namespace, settings_of: Callable) -> int:
    from pipeline.archive.inventory import import_inventory
    from pipeline.kernel.store import Store

    settings = settings_of(args)
    with Store.open(settings) as store:
        res = import_inventory(store, Path(args.file), settings)
    print(
        f"清单 {shown(args.file)}：新增 {res.added} 册，更新 {res.updated} 册，未变 {res.unchanged} 册 / inventory: "
        f"{res.added} volume(s) added, {res.updated} updated, {res.unchanged} unchanged"
    )
    return ExitCode.ok


def cmd_inventory_list(args: argparse.Namespace, settings_of: Callable) -> int:
    from pipeline.archive.inventory import KIND_LABELS, home_names, volumes
    from pipeline.kernel.store import Store

    settings = settings_of(args)
    names = home_names()
    with Store.open(settings) as store:
        vols = volumes(store)
    for v in vols:
        print(
            f"{v.funeral_home_code} {names.get(v.funeral_home_code, '')} {KIND_LABELS.get(v.ledger_kind, (v.ledger_kind,))[0]} "
            f"{v.year} 第 {v.volume} 册 vol，应有 {v.expected_pages} 页 pages  {v.path_pattern or ''}"
        )
    pages = sum(v.expected_pages for v in vols)
    print(f"共 {len(vols)} 册，应有 {pages} 页 / {len(vols)} volume(s), {pages} pages expected")
    return ExitCode.ok


NO_INVENTORY_NOTE = (
    "清单中没有这些卷册：不知道应有多少页，无法计算完成率；请用 backfill inventory import 清单.csv 导入登记簿清单。"
    "自动接受记录的实测错误率见 backfill status --quality / no inventory volume matches these scans: with no "
    "expected pages there is no completion rate; import the ledger inventory with `backfill inventory import FILE.csv`. "
    "The measured error of auto-accepted records: `backfill status --quality`"
)
"""Said under the completion table when none of its rows is an inventory volume (expected pages 0 everywhere)."""


def cmd_status(args: argparse.Namespace, settings_of: Callable) -> int:
    from pipeline.kernel.store import Store
    from pipeline.runs.completion import completion, format_table, held_for_capture, to_csv, totals

    if args.quality:
        from pipeline.cli.trust import cmd_quality  # the blind audit's measured error (issue 23)

        return cmd_quality(args, settings_of)
    settings = settings_of(args)
    with Store.open(settings) as store:
        rows = completion(store, settings, args.by)
        held_capture = held_for_capture(store)
    if args.csv:
        Path(args.csv).write_text(to_csv(rows), encoding="utf-8")
    if args.json:
        print(
            json.dumps(
                {
                    "level": args.by,
                    "rows": [r.to_dict() for r in rows],
                    "total": totals(rows).to_dict(),
                    "held_unfitted_capture": held_capture,
                },
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
    else:
        print(format_table(rows, args.by))
        if not any(r.in_inventory for r in rows):
            print(NO_INVENTORY_NOTE)
        if held_capture:
            from pipeline.page.routing import UNFITTED_CAPTURE_ADVICE

            print(UNFITTED_CAPTURE_ADVICE.format(n=held_capture))
        if args.csv:
            print(f"已写出此表到 {shown(args.csv)} / wrote the table to {shown(args.csv)}")
    return ExitCode.ok


def cmd_serve(args: argparse.Namespace, settings_of: Callable) -> int:
    settings = settings_of(args)
    from flows.env import prepare_prefect_env

    prepare_prefect_env(settings.data_dir, quiet=not args.verbose)
    from flows.deploy import serve

    serve(settings, name=args.name, limit=args.limit)
    return ExitCode.ok


def add_commands(sub: Any, common: Callable[[argparse.ArgumentParser], None], settings_of: Callable) -> None:
    inv = sub.add_parser("inventory", help="登记簿清单：应有哪些卷册 (the ledger inventory: which volumes should exist)")
    isub = inv.add_subparsers(dest="inventory_command", required=True, metavar="命令")
    ii = isub.add_parser("import", help="从 CSV 文件导入（新增或更新）卷册 (import volumes from a CSV file)")
    ii.add_argument(
        "file",
        help="清单 CSV：funeral_home, ledger_kind, year, volume, expected_pages，可选 path_pattern, notes (the inventory CSV)",
    )
    common(ii)
    ii.set_defaults(func=lambda a: cmd_inventory_import(a, settings_of))
    il = isub.add_parser("list", help="列出清单 (list the inventory)")
    common(il)
    il.set_defaults(func=lambda a: cmd_inventory_list(a, settings_of))

    st = sub.add_parser("status", help="对照清单，按殡仪馆、登记簿种类和年份显示完成情况 (completion against the inventory)")
    common(st)
    st.add_argument(
        "--by",
        choices=["volume", "year", "ledger", "home", "total"],
        default="year",
        help="表格的汇总层级；默认 year：殡仪馆、登记簿种类、年份 (level of the table)",
    )
    st.add_argument("--csv", metavar="FILE", help="同时把表格写成 CSV 文件 (also write the table as CSV)")
    st.add_argument("--json", action="store_true", help="以 JSON 输出表格 (print the table as JSON)")
    from pipeline.cli.trust import add_status_options

    add_status_options(st)
    st.set_defaults(func=lambda a: cmd_status(a, settings_of))

    sv = sub.add_parser(
        "serve",
        help="把运行流程发布为 Prefect 部署，需要 `prefect server start` 的 PREFECT_API_URL "
        "(serve the run flow as a Prefect deployment)",
    )
    common(sv)
    sv.add_argument("--name", default="backfill", help="部署名称；默认 backfill (deployment name)")
    sv.add_argument("--limit", type=int, default=1, metavar="N", help="同时运行的流程数；默认 1 (flow runs at the same time)")
    sv.set_defaults(func=lambda a: cmd_serve(a, settings_of))
