"""The `backfill` command. The library raises; here exceptions become exit codes and hints."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import sys
import threading
from pathlib import Path
from typing import Any, Sequence

from pipeline.kernel.config import Settings, mask_secrets, mask_url, url_secrets
from pipeline.kernel.errors import ERROR_LABELS, BackfillError, ExitCode, data_folder_message, error_line
from pipeline.kernel.reasons import heading, reason_text
from pipeline.kernel.safety import fs_name, private_dir, require_scan_folder, shown, shown_text

log = logging.getLogger("pipeline")


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.load(
        getattr(args, "config", None),
        data_dir=getattr(args, "data_dir", None),
        db_url=getattr(args, "db", None),
        platform_url=getattr(args, "platform", None),
        engine=getattr(args, "engine", None),
        funeral_home_code=getattr(args, "funeral_home", None),
    )


class _PageProgress:
    """A progress bar fed by polling the store, so it works whatever runs the pages (Prefect or not)."""

    def __init__(self, settings: Settings, enabled: bool):
        self.settings, self.enabled = settings, enabled
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "_PageProgress":
        if self.enabled:
            self._thread = threading.Thread(target=self._poll, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _poll(self) -> None:
        from tqdm import tqdm

        from pipeline.kernel.store import Store

        store = Store.open(self.settings)
        bar = tqdm(total=0, unit="页", desc="页面 pages", file=sys.stderr, dynamic_ncols=True)
        try:
            while True:
                total = store.count_pages()
                done = total - store.count_pages(("pending",))
                bar.total = total
                bar.n = done
                bar.refresh()
                if self._stop.wait(1.0):
                    break
        except Exception:  # the bar must never break a run
            pass
        finally:
            bar.close()
            store.dispose()


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    scans = Path(args.scans_dir)
    require_scan_folder(scans)
    from pipeline.kernel.store import Store
    from pipeline.runs.interrupt import stop_cleanly

    resume = "backfill " + " ".join(shlex.quote(fs_name(a)) for a in (getattr(args, "argv", None) or ["run", str(scans)]))
    with stop_cleanly(settings, resume):  # Ctrl-C: one line, exit 130, within seconds (with or without Prefect)
        try:
            private_dir(settings.data_path)  # page images, quarantine copies, Prefect's state: owner-only
        except OSError as e:
            raise BackfillError(
                data_folder_message(shown(fs_name(settings.data_path)), e),
                hint="请选择有写入权限的数据文件夹（--data-dir 或 BACKFILL_DATA_DIR）/ choose a data folder you can write to",
            ) from e
        Store.open(settings).dispose()  # create the schema before the progress bar polls it
        from ocr.registry import get_engine

        get_engine(settings.engine, **settings.engine_settings)  # a missing engine or model fails now, not mid-run
        with _PageProgress(settings, enabled=not args.json and sys.stderr.isatty() or args.progress):
            from pipeline.cli.runs import execute_run  # selection, batches, --load, Dask (issue 6)

            summary = execute_run(args, settings, scans)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(format_summary(summary, settings))
    return ExitCode.ok


def _page_message(p: dict[str, str]) -> str:
    """A problem page's message without the file and page it starts with (they are printed before it)."""
    return p["message"].removeprefix(f"{p['file']} page {p['page']}: ")


COUNT_LABELS: dict[str, tuple[str, str]] = {
    "files": ("文件", "files"),
    "pages": ("页面", "pages"),
    "records": ("记录", "records"),
    "auto_accepted": ("自动接受", "auto-accepted"),
    "needs_review": ("待审核", "needs review"),
    "photographed": ("拍照页记录", "photographed"),
    "audit_drawn": ("盲审抽样", "audit sample"),
    "sent_back": ("退回审核", "sent back"),
    "merged": ("合并重复", "duplicates merged"),
    "selection": ("所选文件", "selection"),
}
"""The run summary's counts, Chinese first (the administrator reads Chinese), English after."""


def _count(key: str, n: int, detail: str = "") -> str:
    """One count line of the run summary: the Chinese label padded to 5 characters (full-width, so the
    numbers line up in a terminal), the English label, the number, then its detail in brackets."""
    zh, en = COUNT_LABELS[key]
    line = f"  {zh:\u3000<5} {en:<17} {n:>6}"
    return line + (f"  ({detail})" if detail else "")


AUDIT_DRAWN = "抽出的自动接受记录，供盲审，在审核中等待 / auto-accepted records drawn for the blind audit; they wait in review"
AUDIT_SENT_BACK = (
    "盲审未通过的卷册中退回审核的自动接受记录，见 backfill status --quality / auto-accepted records of volumes whose "
    "audit failed, sent back to review: see `backfill status --quality`"
)
"""What the blind audit did, as a run's and a remap's summary say it."""


def format_remap(pages: int, records: int, audit: dict[str, int], change: tuple[str, str, bool] | None = None) -> str:
    """What `backfill remap` did, Chinese first like the run summary: the thresholds version it put in
    use (`change`: before, now, rolled back), the pages and records mapped again, what the audit did."""
    lines = []
    if change is not None:
        before, now, rolled_back = change
        zh = {"default": "默认（随程序提供）"}
        lines.append(
            f"自动接受阈值：{zh.get(before, before)} → {zh.get(now, now)}{'（已回退）' if rolled_back else ''} / "
            f"thresholds: {before} -> {now}{' (rolled back)' if rolled_back else ''}"
        )
    lines.append(
        f"已按存储的单元格重新映射 {pages} 页的 {records} 条记录（未重新识别）/ "
        f"mapped {records} records of {pages} pages again from their stored cells (no OCR)"
    )
    if audit.get("audit_drawn"):
        lines.append(_count("audit_drawn", audit["audit_drawn"], AUDIT_DRAWN))
    if audit.get("audit_sent_back"):
        lines.append(_count("sent_back", audit["audit_sent_back"], AUDIT_SENT_BACK))
    return "\n".join(lines)


def format_summary(sm: dict[str, Any], settings: Settings) -> str:
    """The run summary people read. Every name from the scan folder is printed through `shown`: a name
    holding a newline or ': ' can neither add a line of its own nor pass for a field separator."""
    from pipeline.page.routing import UNFITTED_CAPTURE_ADVICE

    lines = [
        f"运行 run {sm['run_id']}：{shown(sm['scans_dir'])}（{sm['seconds']:.1f} 秒 s）",
        _count(
            "files",
            sm["files"],
            f"新 {sm['files_new']}，已入库 {sm['files_known']}，隔离 {len(sm['quarantined'])}；忽略非扫描文件 {sm['skipped']} / "
            f"{sm['files_new']} new, {sm['files_known']} already ingested, {len(sm['quarantined'])} quarantined; "
            f"{sm['skipped']} non-scan files ignored",
        ),
        _count(
            "pages",
            sm["pages"],
            f"已处理 {sm['pages_done']}，有问题 {len(sm['pages_problem'])} / {sm['pages_done']} processed, "
            f"{len(sm['pages_problem'])} with problems",
        ),
        _count("records", sm["records"]),
        _count(
            "auto_accepted",
            sm["auto_accepted"],
            f"另有 {sm['audit_drawn']} 条抽作盲审，计入待审核 / {sm['audit_drawn']} more drawn for the blind audit, "
            "counted under needs review"
            if sm.get("audit_drawn")
            else "",
        ),
        _count("needs_review", sm["needs_review"]),
        *(
            [_count("photographed", sm["held_unfitted_capture"], UNFITTED_CAPTURE_ADVICE.format(n=sm["held_unfitted_capture"]))]
            if sm.get("held_unfitted_capture")
            else []
        ),
        *([_count("audit_drawn", sm["audit_drawn"], AUDIT_DRAWN)] if sm.get("audit_drawn") else []),
        *([_count("sent_back", sm["audit_sent_back"], AUDIT_SENT_BACK)] if sm.get("audit_sent_back") else []),
        _count(
            "merged", sm["clusters_merged"], "本次运行认定为同一人的记录对 / pairs of records this run found to be one person"
        ),
        *(
            [
                _count(
                    "selection", sm["selected_files"], f"范围外 {sm['excluded_files']} 个文件 / {sm['excluded_files']} outside it"
                )
            ]
            if sm.get("excluded_files")
            else []
        ),
        *(
            [
                f"  已入库 loaded：新增 {sm['loaded']['inserted']}，更新 {sm['loaded']['updated']}，未变 {sm['loaded']['unchanged']}"
                f" / {sm['loaded']['inserted']} inserted, {sm['loaded']['updated']} updated, {sm['loaded']['unchanged']} unchanged"
            ]
            if sm.get("loaded")
            else []
        ),
        *(
            [
                f"  本次读取 read by this run：{sm['pages_read']} 页 page(s)，{sm['read_seconds']:.1f} 秒 s"
                f"（CPU {sm['read_cpu_seconds']:.1f} 秒 s）"
            ]
            if "pages_read" in sm
            else []
        ),
        f"  工作库 store：{mask_url(settings.store_url)}",
    ]
    if not sm["files"] and not sm.get("not_read"):
        from pipeline.page.intake import SCAN_SUFFIXES

        kinds = "、".join(sorted(SCAN_SUFFIXES))
        lines.append(
            f"该文件夹（含子文件夹）中没有扫描件（{kinds}）：请检查路径 / no scan ({', '.join(sorted(SCAN_SUFFIXES))}) "
            "in this folder or below it: check the path"
        )
    if sm.get("not_read"):
        lines.append(heading("not_read"))
        lines += [
            f"  {shown(q['path'])}: [{q['reason']}] {reason_text(q['reason'], shown_text(q['message']))}" for q in sm["not_read"]
        ]
    if sm.get("passed_over"):
        lines.append(heading("skipped"))
        lines += [
            f"  {shown(q['path'])}: [{q['reason']}] {reason_text(q['reason'], shown_text(q['message']))}"
            for q in sm["passed_over"]
        ]
    if sm["quarantined"]:
        lines.append(heading("quarantined", where=shown(str(settings.data_path / "quarantine"))))
        lines += [
            f"  {shown(q['file'])}: [{q['reason']}] {reason_text(q['reason'], shown_text(q['message']))}"
            for q in sm["quarantined"]
        ]
    if sm.get("pages_turned"):
        from pipeline.page.orientation import scanned_as, scanned_as_zh

        lines.append(heading("pages_turned"))
        lines += [
            f"  {shown(p['file'])} 第 {p['page']} 页 / page {p['page']}: 扫描时{scanned_as_zh(p['degrees'])}，已转正后识别 / "
            f"scanned {scanned_as(p['degrees'])}, turned upright to be read"
            for p in sm["pages_turned"]
        ]
    if sm["pages_problem"]:
        lines.append(heading("pages_problem"))
        lines += [
            f"  {shown(p['file'])} 第 {p['page']} 页 / page {p['page']}: [{p['status']}] "
            + reason_text(p.get("reason") or p["status"], shown_text(_page_message(p)))
            for p in sm["pages_problem"]
        ]
    return "\n".join(lines)


def cmd_export(args: argparse.Namespace) -> int:
    from pipeline.kernel.store import Store
    from pipeline.platform.export import export_csv

    settings = _settings(args)
    with Store.open(settings) as store:
        n = export_csv(store, Path(args.out), settings.spec_version)
    print(f"已导出 {n} 行到 {shown(args.out)} / wrote {n} rows to {shown(args.out)}")
    return ExitCode.ok


def cmd_load(args: argparse.Namespace) -> int:
    from pipeline.kernel.store import Store
    from pipeline.platform.load import load

    settings = _settings(args)
    with Store.open(settings) as store:
        res = load(store, settings)
    print(
        f"已入库 {mask_url(settings.platform_db_url)}：新增 {res.inserted}，更新 {res.updated}，未变 {res.unchanged} / "
        f"loaded into {mask_url(settings.platform_db_url)}: {res.inserted} inserted, {res.updated} updated, {res.unchanged} unchanged"
    )
    for table, n in sorted(res.by_table.items()):
        print(f"  {table}：已核对 {n} 条已接受记录 / {n} accepted records checked")
    if res.refused:
        print(
            f"未入库 {len(res.refused)} 行：必填字段为空（请在审核中补全；已决定的记录由管理员重新打开）/ "
            f"not loaded: {len(res.refused)} row(s) with an empty mandatory field (fix them in review; "
            "an administrator reopens a decided record):",
            file=sys.stderr,
        )
        for r in res.refused[:50]:
            print(f"  {r.describe()}", file=sys.stderr)
        if len(res.refused) > 50:
            print(f"  …… 另有 {len(res.refused) - 50} 行 / ... and {len(res.refused) - 50} more", file=sys.stderr)
        return ExitCode.refused
    return ExitCode.ok


def cmd_migrate(args: argparse.Namespace) -> int:
    from pipeline.platform.schema import migrate_platform

    settings = _settings(args)
    if settings.platform_is_default:
        from pipeline.kernel.safety import private_dir

        private_dir(settings.data_path)  # the default platform lives in the data folder
    print(migrate_platform(settings.platform_db_url, args.revision))
    return ExitCode.ok


def cmd_reconcile(args: argparse.Namespace) -> int:
    from pipeline.kernel.store import Store
    from pipeline.platform.reconcile import reconcile

    settings = _settings(args)
    with Store.open(settings) as store:
        report = reconcile(store, settings)
    print(report.format())
    return ExitCode.ok if report.ok else ExitCode.differences


def cmd_export_package(args: argparse.Namespace) -> int:
    from pipeline.platform.package import export_package

    settings = _settings(args)
    res = export_package(settings, Path(args.out))
    counts = ", ".join(f"{t} {n}" for t, n in res.counts.items())
    print(
        f"已写出交换包 {shown(args.out)}（规范 {res.spec_version}）：{counts} / wrote package {shown(args.out)} (spec {res.spec_version})"
    )
    return ExitCode.ok


def cmd_import_package(args: argparse.Namespace) -> int:
    from pipeline.platform.package import import_package

    settings = _settings(args)
    res = import_package(Path(args.package_dir), settings)
    print(
        f"已导入 {shown(args.package_dir)} 到 {mask_url(settings.platform_db_url)} / imported {shown(args.package_dir)} into it:"
    )
    for t in res.counts:
        print(
            f"  {t}：新增 {res.inserted[t]}，更新 {res.updated[t]}，未变 {res.unchanged[t]} / "
            f"{res.inserted[t]} inserted, {res.updated[t]} updated, {res.unchanged[t]} unchanged"
        )
    return ExitCode.ok


def cmd_remap(args: argparse.Namespace) -> int:
    from pipeline.cli.trust import cmd_remap as remap  # --thresholds / --rollback (issue 23)

    return remap(args, _settings, format_remap)


def cmd_engines(args: argparse.Namespace) -> int:
    from ocr.registry import available_engines

    for name, (runs, said) in available_engines().items():
        print(f"{name:12} {'可用 available' if runs else '不可用 unavailable'}：{shown_text(said)}")
    settings = _settings(args)
    from ocr.registry import get_engine

    try:  # the engine the settings choose, as it will run: model, runtime, precision
        engine = get_engine(settings.engine, **settings.engine_settings)
    except BackfillError as exc:
        print(
            f"正在使用 in use：{settings.engine}：无法在本机运行 cannot run here：{ERROR_LABELS.get(exc.exit_code, '')} / {exc}"
            + (f"（{exc.hint}）" if exc.hint else "")
        )
        return ExitCode.ok
    describe = getattr(engine, "describe", None)
    print(f"正在使用 in use：{settings.engine}：{describe() if describe else engine.version()}")
    return ExitCode.ok


def build_parser() -> argparse.ArgumentParser:
    """The `backfill` parser: every help text Chinese first, "中文说明 (English)" (pipeline.cli.words)."""
    from pipeline.cli.words import Parser

    p = Parser(
        prog="backfill",
        description="把扫描的殡葬登记簿补录到省级殡葬管理平台 (back-fill scanned funeral registers into the provincial platform)。"
        "各命令的选项：backfill 命令 --help (options of a command: backfill COMMAND --help)",
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", help="记录处理细节，从不含个人信息 (log progress details, never personal data)"
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--db", metavar="URL", help="工作库地址；默认：数据文件夹中的 SQLite 文件 (working store URL)")
        sp.add_argument("--data-dir", metavar="DIR", help="数据文件夹；默认 ./backfill-data (data folder)")
        sp.add_argument(
            "--config", metavar="FILE", help="设置文件（TOML 或 JSON）；默认：当前文件夹的 backfill.toml (settings file)"
        )

    r = sub.add_parser("run", help="处理一个文件夹的登记簿扫描件 (process a folder of scanned ledgers)")
    r.add_argument("scans_dir", help="扫描件所在的文件夹 (the folder of scans)")
    common(r)
    r.add_argument("--engine", metavar="NAME", help="文字识别引擎，见 backfill engines (OCR engine)")
    r.add_argument(
        "--funeral-home",
        metavar="CODE",
        help="登记簿标题中没有可识别的殡仪馆时使用的殡仪馆代码 (funeral home code for ledgers whose title names no known home)",
    )
    r.add_argument("--no-prefect", action="store_true", help="不经 Prefect，在本进程中依次处理 (run without Prefect)")
    r.add_argument("--json", action="store_true", help="以 JSON 输出摘要 (print the summary as JSON)")
    r.add_argument("--progress", action="store_true", help="不在终端时也显示进度条 (show the progress bar off a terminal too)")
    from pipeline.cli.runs import add_commands as add_run_commands
    from pipeline.cli.runs import add_run_options

    add_run_options(r)
    r.set_defaults(func=cmd_run)

    e = sub.add_parser("export", help="把提取的每一行写入 CSV 文件 (write every extracted row to a CSV file)")
    e.add_argument("--out", required=True, metavar="FILE", help="要写出的 CSV 文件 (the CSV file to write)")
    common(e)
    e.set_defaults(func=cmd_export)

    def platform(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--platform", metavar="URL", help="平台数据库地址；默认：数据文件夹中的 SQLite 文件 (platform database URL)"
        )

    ld = sub.add_parser("load", help="把已接受的记录装入平台数据库 (load accepted records into the platform database)")
    common(ld)
    platform(ld)
    ld.set_defaults(func=cmd_load)

    mg = sub.add_parser(
        "migrate", help="创建或升级平台数据库的表结构（Alembic 迁移） (create or upgrade the platform database schema)"
    )
    common(mg)
    platform(mg)
    mg.add_argument("--revision", default="head", help="迁移到的版本；默认：最新 (migration to go to; default: the newest)")
    mg.set_defaults(func=cmd_migrate)
    rc = sub.add_parser(
        "reconcile",
        help="按殡仪馆和登记簿卷册核对工作库与平台；有差异时退出码 8 (compare the store with the platform; exit 8 on differences)",
    )
    common(rc)
    platform(rc)
    rc.set_defaults(func=cmd_reconcile)
    xp = sub.add_parser(
        "export-package", help="把平台的各实体集写成数据交换包 (write the platform's entity sets as a data-exchange package)"
    )
    common(xp)
    platform(xp)
    xp.add_argument("--out", required=True, metavar="DIR", help="交换包文件夹 (package folder)")
    xp.set_defaults(func=cmd_export_package)
    ip = sub.add_parser(
        "import-package",
        help="校验数据交换包并装入平台数据库 (verify a data-exchange package and load it into a platform database)",
    )
    ip.add_argument("package_dir", help="交换包文件夹 (package folder)")
    common(ip)
    platform(ip)
    ip.set_defaults(func=cmd_import_package)

    rm = sub.add_parser(
        "remap",
        help="按存储的单元格重新映射已处理的页面，不重新识别；规范、词库或阈值变更后使用 "
        "(map processed pages again from their stored cells, after a spec, lexicon or threshold change)",
    )
    common(rm)
    from pipeline.cli.trust import add_commands as add_trust_commands
    from pipeline.cli.trust import add_remap_options

    add_remap_options(rm)
    rm.set_defaults(func=cmd_remap)

    en = sub.add_parser("engines", help="列出文字识别引擎及其能否在本机运行 (list OCR engines and whether they can run here)")
    en.set_defaults(func=cmd_engines)

    from pipeline.cli.review import add_commands  # users + review (the review app)

    add_commands(sub, common, _settings)
    add_run_commands(sub, common, _settings)  # inventory, status, serve (issue 6)
    add_trust_commands(sub, common, _settings)  # audit, calibrate, lexicon (issue 23)
    from pipeline.cli.crosscheck import add_commands as add_crosscheck_commands

    add_crosscheck_commands(sub, common, _settings)  # rolls of other departments against the deceased (issue 24)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    # what this program writes holds personal data: owner-only unless said otherwise (files 0600, folders 0700)
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:  # a run that waits for another says so (pipeline.runs.manage.reading_turn)
        logging.getLogger("pipeline.runs.manage").setLevel(logging.WARNING)
    try:
        rc = int(args.func(args))
        sys.stdout.flush()  # inside the try: a reader gone away is met here, not at exit
        return rc
    except BackfillError as e:
        secrets = [
            x
            for u in (
                getattr(args, "db", None),
                getattr(args, "platform", None),
                os.environ.get("BACKFILL_DB_URL"),
                os.environ.get("BACKFILL_PLATFORM_URL"),
            )
            for x in url_secrets(u)
        ]
        print(error_line(e.exit_code, shown_text(mask_secrets(str(e), secrets))), file=sys.stderr)
        for item in e.details:  # each on a line of its own, escaped like the message
            print("  " + shown_text(mask_secrets(item, secrets)), file=sys.stderr)
        if e.hint:
            zh_first = "\u4e00" <= e.hint[0] <= "\u9fff"  # a hint written Chinese first needs no label
            print(f"hint: {e.hint}" if zh_first else f"hint: 提示 / {e.hint}", file=sys.stderr)
        return int(e.exit_code)
    except KeyboardInterrupt:
        if args.command == "crosscheck":
            print(
                "已中断：再次运行同一 backfill crosscheck 命令，会从最后核查的行之后继续 / interrupted: run the same "
                "`backfill crosscheck` again: it resumes after the last rows checked",
                file=sys.stderr,
            )
        else:
            print(
                "已中断：此前已提交的都已保存；再次运行同一命令即可完成 / interrupted: what was committed before is kept; "
                "run the same command again to finish",
                file=sys.stderr,
            )
        return int(ExitCode.interrupted)
    except BrokenPipeError:
        # the reader of our output went away (`backfill status | head`): what ran is done and kept; say
        # nothing more to the closed pipe (Python would print a traceback at exit) and end as a Unix tool
        # does when its reader stops
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(ExitCode.ok)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
