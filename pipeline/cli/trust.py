"""`backfill audit`, `backfill calibrate --from-reviews`, `backfill lexicon` and the quality view of
`backfill status` (issue 23: trust measured on the real archive). Registered by pipeline.cli; the
logic is in pipeline.quality.audit, pipeline.quality.refit and pipeline.page.lexicon."""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path
from typing import Any, Callable

from pipeline.kernel.errors import BackfillError, ExitCode
from pipeline.kernel.safety import shown


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
                f"drew {got.drawn} audit sample(s) in {len(got.by_volume)} volume(s) "
                f"(share {settings.audit_share:.1%}, at least {settings.audit_min_per_volume} a volume, seed {settings.audit_seed})"
            )
        elif args.audit_command == "check":
            actions = A.enforce(store, settings, user=_user(args))
            for a in actions:
                if a.verdict == "passed":
                    print(f"{a.label}: passed ({a.reason})")
                else:
                    print(
                        f"{a.label}: {a.verdict}: {a.sent_back} record(s) sent back to review"
                        + (f", {a.loaded} already loaded: listed for re-check" if a.loaded else "")
                        + f"; why: {a.reason}"
                    )
            if not actions:
                print("nothing changed")
        elif args.audit_command == "recheck":
            n = A.recheck_loaded(store, settings, args.volume, user=_user(args))
            print(f"{args.volume}: {n} loaded record(s) sent to review; reviewed, they reach the platform again as updates")
    return ExitCode.ok


def cmd_calibrate(args: argparse.Namespace, settings_of: Callable) -> int:
    from pipeline.kernel.config import mask_url
    from pipeline.kernel.store import Store
    from pipeline.quality.refit import format_refit, refit, thresholds_versions, write_version

    settings = settings_of(args)
    versions = thresholds_versions(settings)
    if args.list:
        items = versions.list()
        print("default  (packaged: fitted on generated ledgers)" + ("  <- in use" if not any(v.active for v in items) else ""))
        for v in items:
            print(f"v{v.number:<4}  {v.created_at}  by {v.created_by}  {v.note}" + ("  <- in use" if v.active else ""))
        return ExitCode.ok
    if not args.from_reviews:
        raise BackfillError(
            "say where to fit from: --from-reviews", hint="the generated-ledger fit is bench/bench_calibration.py"
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
                print(L.format_suggestions(items) if items else "no suggestion")
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
            print(f"{c}ed {args.id}; local lexicon {path.name} in use: run `backfill remap` to map the stored cells with it")
        elif c == "use":
            before, now = L.lexicon_versions(settings).apply(args.version, user=_user(args))
            print(f"local lexicon: {before} -> {now}; run `backfill remap` to map the stored cells with it")
        elif c == "versions":
            versions = L.lexicon_versions(settings).list()
            print("default  (official lists only)" + ("  <- in use" if not any(v.active for v in versions) else ""))
            for v in versions:
                print(f"v{v.number:<4}  {v.created_at}  by {v.created_by}  {v.note}" + ("  <- in use" if v.active else ""))
    return ExitCode.ok


def add_status_options(st: argparse.ArgumentParser) -> None:
    st.add_argument(
        "--quality",
        action="store_true",
        help="the wrong-field rate among auto-accepted records measured by the blind audit, with 95 %% intervals",
    )


def add_commands(sub: Any, common: Callable[[argparse.ArgumentParser], None], settings_of: Callable) -> None:
    def who(p: argparse.ArgumentParser) -> None:
        p.add_argument("--user", help="who acts (kept with the decision; default: your login name)")

    au = sub.add_parser("audit", help="the blind audit of auto-accepted records (see `backfill status --quality`)")
    asub = au.add_subparsers(dest="audit_command", required=True)
    for name, text in (
        ("draw", "draw the audit samples the volumes lack (a run does it after dedupe)"),
        ("check", "act on the measured rates: send failed volumes back to review (a load does it first)"),
    ):
        p = asub.add_parser(name, help=text)
        common(p)
        who(p)
        p.set_defaults(func=lambda a: cmd_audit(a, settings_of))
    rc = asub.add_parser("recheck", help="send a failed volume's records already loaded to review as well")
    rc.add_argument("volume", help="the volume key shown by `backfill status --quality --json` (e.g. file:scans/a.pdf)")
    common(rc)
    who(rc)
    rc.set_defaults(func=lambda a: cmd_audit(a, settings_of))

    ca = sub.add_parser("calibrate", help="refit the auto-accept thresholds from reviewed and audited records")
    ca.add_argument("--from-reviews", action="store_true", help="fit on the reviews of this store (cross-validated by volume)")
    ca.add_argument(
        "--target",
        type=float,
        default=None,
        help="wrong share allowed among the auto-accepted records' fields, held to its one-sided 95 %% upper "
        "confidence bound (default: audit_target, 0.003)",
    )
    ca.add_argument("--folds", type=int, default=5, help="folds of volumes for cross-validation (default 5)")
    ca.add_argument("--dry-run", action="store_true", help="report only; write no thresholds version")
    ca.add_argument("--note", help="a note kept with the new version")
    ca.add_argument("--list", action="store_true", help="list the thresholds versions and which is in use")
    ca.add_argument("--json", action="store_true")
    common(ca)
    who(ca)
    ca.set_defaults(func=lambda a: cmd_calibrate(a, settings_of))

    lx = sub.add_parser("lexicon", help="place names reviewers typed that no list holds: suggestions, the local lexicon")
    lsub = lx.add_subparsers(dest="lexicon_command", required=True)
    ll = lsub.add_parser("list", help="suggestions and confusion pairs, with counts and the scans they came from")
    ll.add_argument("--kind", choices=["village", "town", "street", "sea_area", "confusion"])
    ll.add_argument("--open", action="store_true", help="only those not decided yet")
    ll.add_argument("--json", action="store_true")
    common(ll)
    ll.set_defaults(func=lambda a: cmd_lexicon(a, settings_of))
    for name in ("accept", "refuse"):
        p = lsub.add_parser(name, help=f"{name} a suggestion (by the id `lexicon list` shows)")
        p.add_argument("id")
        p.add_argument("--reason", help="why (kept with the decision)")
        if name == "accept":
            p.add_argument("--district", help="6-digit code of the district a town, street or sea area lies in")
        common(p)
        who(p)
        p.set_defaults(func=lambda a: cmd_lexicon(a, settings_of))
    us = lsub.add_parser("use", help="put a local lexicon version in use (vN, or default: the official lists only)")
    us.add_argument("version")
    common(us)
    who(us)
    us.set_defaults(func=lambda a: cmd_lexicon(a, settings_of))
    lv = lsub.add_parser("versions", help="list the local lexicon versions")
    common(lv)
    lv.set_defaults(func=lambda a: cmd_lexicon(a, settings_of))


def add_remap_options(rm: argparse.ArgumentParser) -> None:
    g = rm.add_mutually_exclusive_group()
    g.add_argument(
        "--thresholds",
        metavar="VERSION",
        help="first put this thresholds version in use (vN from `backfill calibrate --list`, a file, or default)",
    )
    g.add_argument("--rollback", action="store_true", help="first go back to the thresholds version in use before this one")
    rm.add_argument("--user", help="who applies it (default: your login name)")


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
