"""`backfill users …` and `backfill review`: the command-line side of the review app.

Passwords come from a prompt (getpass) or from stdin (`--password-stdin`), never from argv, so they
are not in shell history, process lists or logs.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from importlib import resources
from pathlib import Path
from typing import Callable

from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError, ExitCode


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        pw = sys.stdin.readline().rstrip("\r\n")
    else:
        if not sys.stdin.isatty():  # a script or service: getpass would fail with a traceback
            raise BackfillError(
                "没有终端可输入密码 / no terminal to type the password in",
                hint="没有终端可输入密码：用 --password-stdin 从标准输入传入（一行） / pipe it in with --password-stdin (one line)",
            )
        pw = getpass.getpass("密码 password: ")
        if getpass.getpass("再输一次 again: ") != pw:
            raise BackfillError(
                "两次输入的密码不同 / the two passwords differ", hint="两次输入的密码不同，请重试 / type the same password twice"
            )
    return pw


#: the roles as the review app words them (review_app.i18n role.*): the CLI says Chinese first
_ROLE_ZH = {"archivist": "档案员", "reviewer": "审核员", "administrator": "管理员"}


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.kernel.store import Store
    from pipeline.review import users as U

    with Store.open(settings) as store:
        if args.users_command == "add":
            acc = U.add_user(store, args.name, args.role, _read_password(args))
            print(f"已添加{_ROLE_ZH.get(acc.role, acc.role)} {acc.username} / added {acc.role} {acc.username}")
        elif args.users_command == "passwd":
            U.set_password(store, args.name, _read_password(args))
            print(f"已更改 {args.name} 的密码 / password of {args.name} changed")
        elif args.users_command == "set-role":
            U.set_role(store, args.name, args.role)
            print(f"{args.name} 现在是{_ROLE_ZH.get(args.role, args.role)} / {args.name} is now {args.role}")
        elif args.users_command == "unlock":
            n = U.unlock(store, args.name)
            print(
                f"{args.name}：已解除登录锁定（清除 {n} 次失败的登录） / {args.name}: login lock lifted ({n} failed attempt(s) forgotten)"
            )
        elif args.users_command in ("disable", "enable"):
            U.set_active(store, args.name, args.users_command == "enable")
            said = "已启用" if args.users_command == "enable" else "已停用"
            print(f"{args.name} {said} / {args.name} {args.users_command}d")
        else:
            for acc in U.list_users(store):
                state = "已启用 / active" if acc.active else "已停用 / disabled"
                print(f"{acc.username:24} {_ROLE_ZH.get(acc.role, acc.role)} {acc.role:14} {state}")
    return ExitCode.ok


def app_path() -> Path:
    return Path(str(resources.files("review_app").joinpath("app.py")))


def server_path() -> Path:
    """The launcher `streamlit run` serves: the app plus its session-cookie routes (review_app/server.py)."""
    return Path(str(resources.files("review_app").joinpath("server.py")))


#: Streamlit settings the review app always runs with, whatever config.toml is around: no usage
#: statistics, no developer toolbar or menu (Deploy, Rerun, ⋮ developer items), no tracebacks shown to
#: users, XSRF protection and CORS checks on, no file watcher, no welcome message of its own.
STREAMLIT_FLAGS = {
    "browser.gatherUsageStats": "false",
    "server.headless": "true",
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "client.toolbarMode": "minimal",
    "client.showErrorDetails": "none",
    "server.enableXsrfProtection": "true",
    "server.enableCORS": "true",
    "server.xsrfCookieSameSite": "strict",
    "logger.hideWelcomeMessage": "true",  # Streamlit's English "You can now view ...": our line says where, Chinese first
}


def review_command(
    settings: Settings, port: int, address: str = "127.0.0.1", config: str | None = None
) -> tuple[list[str], dict[str, str]]:
    """The `streamlit run` command line and environment for the review app on these settings
    (`config`: the settings file given to the command, which the app reads too)."""
    env = dict(os.environ)
    if config:
        env["BACKFILL_CONFIG"] = str(Path(config).resolve())
    env.update(
        {
            "BACKFILL_DATA_DIR": str(settings.data_path.resolve()),
            "BACKFILL_DB_URL": settings.store_url,
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            "STREAMLIT_SERVER_HEADLESS": "true",
            "DO_NOT_TRACK": "1",
        }
    )
    cmd = [sys.executable, "-m", "streamlit", "run", str(server_path()), "--server.address", address, "--server.port", str(port)]
    for name, value in STREAMLIT_FLAGS.items():
        cmd += [f"--{name}", value]
    return cmd, env


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.kernel.store import Store
    from pipeline.review.users import list_users

    settings.data_path.mkdir(parents=True, exist_ok=True)
    with Store.open(settings) as store:
        if not list_users(store):
            print(
                "还没有用户：请用 `backfill users add NAME --role administrator` 添加 / "
                "no users yet: add one with `backfill users add NAME --role administrator`",
                file=sys.stderr,
            )
    cmd, env = review_command(settings, args.port, args.host, getattr(args, "config", None))
    print(
        f"审核应用地址 http://{args.host}:{args.port}（按 Ctrl+C 停止） / review app on http://{args.host}:{args.port} "
        "(Ctrl+C stops it)"
    )
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            "本机以外也能访问：请只经 TLS 代理向办公室提供（见 docs/review.md）；未加密的 HTTP 会明文传送密码和个人信息 / "
            "listening beyond this machine: serve it to the office only through the TLS proxy (docs/review.md); "
            "plain HTTP carries passwords and personal data in clear",
            file=sys.stderr,
        )
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(cmd[0], cmd, env)  # the app becomes this process: a stop signal (service manager, Ctrl+C) reaches it
    return 0  # not reached


ROLES = ("archivist", "reviewer", "administrator")
ROLE_HELP = "角色：archivist 档案员、reviewer 审核员、administrator 管理员 (role)"
USER_NAME = "用户名 (user name)"


def add_commands(sub, common: Callable[[argparse.ArgumentParser], None], settings_of) -> None:
    """Register `users` and `review` on the `backfill` parser."""
    u = sub.add_parser("users", help="管理审核应用的用户：档案员、审核员、管理员 (manage the review app's users)")
    us = u.add_subparsers(dest="users_command", required=True, metavar="命令")
    for name, helptext in (("add", "添加用户 (add a user)"), ("passwd", "修改用户密码 (change a user's password)")):
        sp = us.add_parser(name, help=helptext)
        sp.add_argument("name", help=USER_NAME)
        if name == "add":
            sp.add_argument("--role", required=True, choices=ROLES, help=ROLE_HELP)
        sp.add_argument(
            "--password-stdin",
            action="store_true",
            help="从标准输入读取密码（一行）；否则交互输入 (read the password from stdin)",
        )
        common(sp)
    sr = us.add_parser("set-role", help="修改用户的角色 (change a user's role)")
    sr.add_argument("name", help=USER_NAME)
    sr.add_argument("role", choices=ROLES, help=ROLE_HELP)
    common(sr)
    for name, helptext in (("disable", "停用用户 (disable a user)"), ("enable", "重新启用用户 (enable a user)")):
        sp = us.add_parser(name, help=helptext)
        sp.add_argument("name", help=USER_NAME)
        common(sp)
    common(us.add_parser("list", help="列出用户 (list users)"))
    sp = us.add_parser("unlock", help="解除多次登录失败造成的锁定 (lift a login lock)")
    sp.add_argument("name", help=USER_NAME)
    common(sp)
    u.set_defaults(func=lambda a: cmd_users(a, settings_of(a)))

    r = sub.add_parser(
        "review", help="启动审核应用（Streamlit），默认只在本机 127.0.0.1 (start the review app on 127.0.0.1, or --host)"
    )
    common(r)
    r.add_argument("--port", type=int, default=8501, help="端口；默认 8501 (port)")
    r.add_argument(
        "--host",
        "--address",
        dest="host",
        default="127.0.0.1",
        help="监听地址；默认 127.0.0.1，只有本机可访问；其他地址须放在 TLS 代理之后 (listen address)",
    )
    r.set_defaults(func=lambda a: cmd_review(a, settings_of(a)))
