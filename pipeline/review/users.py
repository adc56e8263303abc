"""People who use the review app: a local user store with argon2 password hashes and three roles,
their language, their logins and browser sessions.

archivist: sees intake and quarantine; reviewer: works the queue; administrator: everything, plus
users, ledger settings and a record's history. Passwords are never stored, logged or printed.

Logins (`login`): each refused attempt is kept (LoginFailure) and answered more slowly; after
`login_max_failures` refusals within `login_lock_minutes` the user name is locked for that long
(logged; `backfill users unlock NAME` lifts it). Sessions (`start_session` ... `end_session`): a
random token the browser keeps in an HttpOnly cookie, only its sha256 stored; it ends at logout,
when the user is disabled, or after `review_idle_minutes` without a click.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError
from pipeline.kernel.store import LoginFailure, Store, User, UserPref, WebSession, rowcount, utcnow

log = logging.getLogger(__name__)

ROLES = ("archivist", "reviewer", "administrator")
MIN_PASSWORD = 8
_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,80}$")


class UserError(BackfillError):
    """A user that cannot be added or changed (bad name, role or password; already there)."""


SHORT_HINT = f"密码太短：至少 {MIN_PASSWORD} 个字符 / at least {MIN_PASSWORD} characters"
ROLE_HINT = "角色应为 archivist 档案员、reviewer 审核员 或 administrator 管理员 / archivist, reviewer or administrator"


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    active: bool

    def can(self, what: str) -> bool:
        """What a role may do: 'review', 'intake', 'admin'."""
        if self.role == "administrator":
            return True
        return {"review": self.role == "reviewer", "intake": self.role == "archivist"}.get(what, False)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


NAME_EMPTY_HINT = "请填写用户名 / enter a user name"


def add_user(store: Store, username: str, role: str, password: str) -> Account:
    if not username.strip():  # nothing typed: ask for a name rather than call "" not valid
        raise UserError("enter a user name: none was given", hint=NAME_EMPTY_HINT)
    if not _USERNAME.match(username):
        raise UserError(
            f"user name {username!r} is not valid: 2-80 letters, digits, _ . @ -",
            hint="用户名须为 2–80 个字母、数字或 _ . @ - / 2-80 letters, digits, _ . @ -",
        )
    if role not in ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}", hint=ROLE_HINT)
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password for {username} is too short (at least {MIN_PASSWORD} characters)", hint=SHORT_HINT)
    try:
        with store.session() as s, s.begin():
            s.add(User(username=username, role=role, password_hash=hash_password(password), active=True))
    except IntegrityError as e:
        raise UserError(
            f"user {username} already exists",
            hint="用户已存在：改密码用 backfill users passwd，改角色用 set-role / use `backfill users passwd` or `set-role`",
        ) from e
    return Account(username, role, True)


def _get(s, username: str) -> User:
    user = s.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise UserError(f"no user {username!r}", hint="没有这个用户：现有用户见 backfill users list / see `backfill users list`")
    return user


def set_password(store: Store, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password for {username} is too short (at least {MIN_PASSWORD} characters)", hint=SHORT_HINT)
    with store.session() as s, s.begin():
        _get(s, username).password_hash = hash_password(password)


def set_role(store: Store, username: str, role: str) -> None:
    if role not in ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}", hint=ROLE_HINT)
    with store.session() as s, s.begin():
        _get(s, username).role = role


def set_active(store: Store, username: str, active: bool) -> None:
    with store.session() as s, s.begin():
        _get(s, username).active = active
        if not active:  # a disabled user's browser sessions end now
            s.execute(
                update(WebSession).where(WebSession.username == username, WebSession.ended_at.is_(None)).values(ended_at=utcnow())
            )


def list_users(store: Store) -> list[Account]:
    with store.session() as s:
        return [Account(u.username, u.role, u.active) for u in s.scalars(select(User).order_by(User.username))]


def authenticate(store: Store, username: str, password: str) -> Account | None:
    """The account when the name and password match an active user, else None (never says which was wrong)."""
    with store.session() as s:
        user = s.scalars(select(User).where(User.username == username)).one_or_none()
        if user is None:
            _hasher.hash(password)  # same cost whether or not the user exists
            return None
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if not user.active:
            return None
        account = Account(user.username, user.role, user.active)
        needs_rehash = _hasher.check_needs_rehash(user.password_hash)
    if needs_rehash:
        set_password(store, username, password)
    return account


def get_account(store: Store, username: str) -> Account | None:
    """The account as it is now (role changes and deactivation take effect on the next page)."""
    with store.session() as s:
        user = s.scalars(select(User).where(User.username == username)).one_or_none()
        return None if user is None else Account(user.username, user.role, user.active)


# ---- language ---------------------------------------------------------------------------------
LANGUAGES = ("zh", "en")  # Simplified Chinese first


def get_language(store: Store, username: str) -> str:
    with store.session() as s:
        lang = s.scalar(select(UserPref.language).where(UserPref.username == username))
    return lang if lang in LANGUAGES else LANGUAGES[0]


def set_language(store: Store, username: str, language: str) -> None:
    if language not in LANGUAGES:
        raise UserError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    with store.session() as s, s.begin():
        pref = s.get(UserPref, username)
        if pref is None:
            s.add(UserPref(username=username, language=language))
        else:
            pref.language = language


# ---- logins: slowed down, then locked -------------------------------------------------------------
@dataclass(frozen=True)
class LoginResult:
    account: Account | None
    locked_until: datetime | None = None  # the user name is locked until then
    delay: float = 0.0  # seconds to wait before answering a refused attempt
    failures: int = 0  # refused attempts in a row within the lock window


def _aware(t: datetime) -> datetime:
    from datetime import timezone

    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def _who(store: Store, username: str) -> str:
    """A typed user name as it may appear in a log: only names of real users (someone may type a
    password into the name box)."""
    with store.session() as s:
        known = s.scalar(select(func.count()).select_from(User).where(User.username == username))
    return repr(username) if known else "an unknown user name"


def login(store: Store, username: str, password: str, settings: Settings) -> LoginResult:
    """Check a login, counting refusals per user name: each refused attempt is answered more slowly
    (`delay`, 0.25 s doubling up to 3 s), and `login_max_failures` refusals within
    `login_lock_minutes` lock the name for that long - even the right password is then refused."""
    now = utcnow()
    window = timedelta(minutes=float(settings.login_lock_minutes))
    with store.session() as s:
        recent = [
            _aware(t)
            for t in s.scalars(
                select(LoginFailure.at)
                .where(LoginFailure.username == username, LoginFailure.at > now - window)
                .order_by(LoginFailure.at)
            )
        ]
    if len(recent) >= int(settings.login_max_failures):
        until = recent[-1] + window
        log.warning(
            "login refused for %s: locked until %s after %d failed attempts",
            _who(store, username),
            until.isoformat(timespec="seconds"),
            len(recent),
        )
        return LoginResult(None, until, 0.0, len(recent))
    account = authenticate(store, username, password)
    if account is not None:
        with store.session() as s, s.begin():
            s.execute(delete(LoginFailure).where(LoginFailure.username == username))
        log.info("login of %s", account.username)
        return LoginResult(account)
    with store.session() as s, s.begin():
        s.add(LoginFailure(username=username[:80], at=now))
    n = len(recent) + 1
    delay = min(0.25 * 2 ** (n - 1), 3.0)
    if n >= int(settings.login_max_failures):
        until = now + window
        log.warning(
            "user name %s locked until %s after %d failed logins", _who(store, username), until.isoformat(timespec="seconds"), n
        )
        return LoginResult(None, until, delay, n)
    log.info("login refused for %s (%d failed in a row)", _who(store, username), n)
    return LoginResult(None, None, delay, n)


def unlock(store: Store, username: str) -> int:
    """Lift a login lock (forget the refused attempts of a user name); returns how many were forgotten."""
    with store.session() as s, s.begin():
        n = rowcount(s.execute(delete(LoginFailure).where(LoginFailure.username == username)))
    log.info("login lock of %s lifted", _who(store, username))
    return int(n or 0)


# ---- browser sessions ---------------------------------------------------------------------------
BIND_SECONDS = 120  # a new session's token must reach the browser's cookie within this time


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(store: Store, username: str) -> str:
    """A new browser session for a user who just logged in: the token for the browser's cookie."""
    token = secrets.token_urlsafe(32)
    with store.session() as s, s.begin():
        s.add(WebSession(token_sha256=_sha(token), username=username))
    return token


def bind_session(store: Store, token: str) -> bool:
    """The browser asks for its cookie with a session's token (once, right after the login): True
    when that session is new, not bound yet and not ended."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return False
    now = utcnow()
    with store.session() as s, s.begin():
        ws = s.get(WebSession, _sha(token))
        if ws is None or ws.ended_at is not None or ws.bound_at is not None:
            return False
        if now - _aware(ws.created_at) > timedelta(seconds=BIND_SECONDS):
            return False
        ws.bound_at = ws.last_seen = now
        return True


def session_account(store: Store, token: str, settings: Settings) -> Account | None:
    """The account of a live session (cookie token), which it keeps alive; None (and the session
    ended) when it is unknown, ended, idle longer than `review_idle_minutes`, or its user disabled."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    now = utcnow()
    with store.session() as s, s.begin():
        ws = s.get(WebSession, _sha(token))
        if ws is None or ws.ended_at is not None or ws.bound_at is None:
            return None
        account = get_account(store, ws.username)
        if (
            now - _aware(ws.last_seen) > timedelta(minutes=float(settings.review_idle_minutes))
            or account is None
            or not account.active
        ):
            ws.ended_at = now
            return None
        ws.last_seen = now
        return account


def touch_session(store: Store, token: str) -> None:
    """A click in a live session: it is not idle."""
    with store.session() as s, s.begin():
        s.execute(
            update(WebSession)
            .where(WebSession.token_sha256 == _sha(token), WebSession.ended_at.is_(None))
            .values(last_seen=utcnow())
        )


def end_session(store: Store, token: str) -> None:
    with store.session() as s, s.begin():
        s.execute(
            update(WebSession)
            .where(WebSession.token_sha256 == _sha(token), WebSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
