"""People who use the review app: a local user store with argon2 password hashes and three roles.

archivist: sees intake and quarantine; reviewer: works the queue; administrator: everything, plus
users, ledger settings and a record's history. Passwords are never stored, logged or printed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pipeline.errors import BackfillError
from pipeline.store import Store, User

ROLES = ("archivist", "reviewer", "administrator")
MIN_PASSWORD = 8
_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,80}$")


class UserError(BackfillError):
    """A user that cannot be added or changed (bad name, role or password; already there)."""


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


def add_user(store: Store, username: str, role: str, password: str) -> Account:
    if not _USERNAME.match(username):
        raise UserError(f"user name {username!r} is not valid: 2-80 letters, digits, _ . @ -")
    if role not in ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password for {username} is too short (at least {MIN_PASSWORD} characters)")
    try:
        with store.session() as s, s.begin():
            s.add(User(username=username, role=role, password_hash=hash_password(password), active=True))
    except IntegrityError as e:
        raise UserError(f"user {username} already exists", hint="use `backfill users passwd` or `set-role`") from e
    return Account(username, role, True)


def _get(s, username: str) -> User:
    user = s.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise UserError(f"no user {username!r}")
    return user


def set_password(store: Store, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password for {username} is too short (at least {MIN_PASSWORD} characters)")
    with store.session() as s, s.begin():
        _get(s, username).password_hash = hash_password(password)


def set_role(store: Store, username: str, role: str) -> None:
    if role not in ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}")
    with store.session() as s, s.begin():
        _get(s, username).role = role


def set_active(store: Store, username: str, active: bool) -> None:
    with store.session() as s, s.begin():
        _get(s, username).active = active


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
