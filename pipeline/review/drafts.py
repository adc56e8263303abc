"""Unsaved typing of the review app, kept on the server per reviewer and record (table `review_drafts`).

A reviewer's text typed in a record's form (or its "not on the scan" mark) and not saved yet is kept here as
each box is left, so that a reload (F5), a dropped connection or another page loses nothing: it is put back
when the same reviewer returns, with a notice, and dropped when saved or discarded. Only its own reviewer
reads it (every call names the user). It is never logged - log lines name record and fields only.

Typing is personal data (an ID number, a phone, a name typed in full), and a draft is a copy the reviewer never
chose to keep: so it is **not kept in clear** and **not kept long**.
- Its text and the stored text it was typed over are sealed (Fernet: AES-128-CBC with an HMAC-SHA256 tag,
  `cryptography`) under a key of the store's own, `drafts.key` in the data folder, made owner-only (0600) on
  first use. The store alone (a copy of the SQLite file, a PostgreSQL dump, a backup) holds no typed number
  readable. A row kept in clear (before this) is dropped; one sealed under another key (an app server with
  another data folder on the same PostgreSQL store) is left alone, unread, until it expires.
- A draft left more than `MAX_AGE` untouched is dropped (`expire`, on every read): unsaved typing older than
  a working shift is no longer the reviewer's work in progress. Saving, discarding or rejecting drops it at once.
Corrections and reveals, the lasting record of who changed or saw what, when and why, are not drafts: they
are kept as before (`corrections`, `reveals`).

`base` is the stored form text the reviewer typed over. When the stored value moved since (another reviewer
saved, or a re-map), the draft is *stale*: the app does not put it back silently nor save it over the new
value, but says so and lets the reviewer keep theirs (`rebase`) or take the stored one (`drop`).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Iterable, Mapping

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from pipeline.kernel.safety import PRIVATE_FILE
from pipeline.kernel.store import ReviewDraft, Store, rowcount, utcnow

log = logging.getLogger(__name__)

EDIT = "edit"  # the correction form
BLIND = "blind"  # two-keyer blind keying
FORMS = (EDIT, BLIND)

#: a draft untouched this long is dropped: longer than a reviewer's shift (the idle logout is 30 minutes by
#: default, so a reload, a dropped connection or lunch keeps it), short enough that typing abandoned is not kept
MAX_AGE = timedelta(hours=12)
KEY_FILE = "drafts.key"  # in the data folder, beside images/
SEALED = "f1:"  # a sealed text's prefix (Fernet token follows)

_keys: dict[Path, Fernet] = {}
_keys_lock = threading.Lock()


def key_path(store: Store) -> Path:
    """The store's draft key: in its data folder (the images folder's parent, owner-only)."""
    return store.images.root.parent / KEY_FILE


def _fernet(store: Store) -> Fernet:
    """The store's draft key, made on first use (0600, created exclusively: two processes starting at once
    both read the one that won)."""
    path = key_path(store)
    with _keys_lock:
        f = _keys.get(path)
        if f is not None:
            return f
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        except FileExistsError:
            key = path.read_bytes().strip()
        else:
            key = Fernet.generate_key()
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), PRIVATE_FILE)
                fh.write(key)
        f = _keys[path] = Fernet(key)
        return f


def _seal(f: Fernet, text: str) -> str:
    return SEALED + f.encrypt(text.encode("utf-8")).decode("ascii")


def _open(f: Fernet, sealed: str | None) -> str | None:
    """The text of a sealed value; None when it does not open (not sealed, or under another key)."""
    if not sealed or not sealed.startswith(SEALED):
        return None if sealed else ""
    try:
        return f.decrypt(sealed[len(SEALED) :].encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return None


def expire(store: Store) -> int:
    """Drop every draft untouched for longer than `MAX_AGE`; how many. (Looked for first: the app reads drafts
    on every rerun, and a DELETE would take the store's write lock each time.)"""
    old = ReviewDraft.updated_at < utcnow() - MAX_AGE
    with store.session() as s:
        if not s.scalar(select(func.count()).select_from(ReviewDraft).where(old)):
            return 0
    with store.session() as s, s.begin():
        n = rowcount(s.execute(delete(ReviewDraft).where(old)))
    if n:
        log.info("%d unsaved draft(s) older than %s dropped", n, MAX_AGE)
    return int(n or 0)


@dataclass(frozen=True)
class Draft:
    text: str
    not_on_scan: bool
    base: str  # the stored form text typed over


def _check_form(form: str) -> None:
    if form not in FORMS:
        raise ValueError(f"unknown draft form {form!r}")


def keep(
    store: Store, user: str, record_id: int, field: str, text: str, not_on_scan: bool, base: str, *, form: str = EDIT
) -> None:
    """Keep (or replace) one field's unsaved typing. A field left as stored is dropped instead: call `drop`.
    Two writers may keep the same field at once (the app's rerun and the page's own request as it is
    left, review_app.web): the second finds the first's row and updates it."""
    _check_form(form)
    f = _fernet(store)
    for attempt in (1, 2):
        try:
            with store.session() as s, s.begin():
                row = s.get(ReviewDraft, (user, record_id, form, field))
                if row is None:
                    s.add(
                        ReviewDraft(
                            username=user,
                            record_id=record_id,
                            form=form,
                            field=field,
                            text=_seal(f, text),
                            not_on_scan=not_on_scan,
                            base=_seal(f, base),
                        )
                    )
                else:
                    row.text, row.not_on_scan, row.updated_at = _seal(f, text), not_on_scan, utcnow()
                    # the base stays the value first typed over: a later keystroke does not make a stale draft
                    # fresh (unless it no longer opens: then the typing starts afresh over `base`)
                    if _open(f, row.base) is None:
                        row.base = _seal(f, base)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    log.debug("draft kept: record %s, %s form, field %s", record_id, form, field)


def leave(
    store: Store,
    user: str,
    record_id: int,
    field: str,
    text: str,
    not_on_scan: bool,
    shown: str,
    base: str,
    *,
    form: str = EDIT,
) -> bool:
    """A box left holding `text` (and its "not on the scan" mark): kept as unsaved typing, or, when it holds
    its untouched text (`shown`) unmarked, that field's typing dropped (typing it back is no draft).
    `base`: the stored form text typed over. True when kept."""
    if text == shown and not not_on_scan:
        drop(store, user, record_id, [field], form=form)
        return False
    keep(store, user, record_id, field, text, not_on_scan, base, form=form)
    return True


def drop(store: Store, user: str, record_id: int, fields: Iterable[str] | None = None, *, form: str | None = EDIT) -> None:
    """Drop a reviewer's drafts of a record: the fields named (all when None), of one form (all forms when None)."""
    stmt = delete(ReviewDraft).where(ReviewDraft.username == user, ReviewDraft.record_id == record_id)
    if form is not None:
        _check_form(form)
        stmt = stmt.where(ReviewDraft.form == form)
    if fields is not None:
        names = list(fields)
        if not names:
            return
        stmt = stmt.where(ReviewDraft.field.in_(names))
    with store.session() as s, s.begin():
        s.execute(stmt)


def rebase(store: Store, user: str, record_id: int, stored: Mapping[str, str], *, form: str = EDIT) -> None:
    """The reviewer keeps their typing over values stored since: each named field's base becomes the form
    text stored now (`stored`: field -> text), so the draft is no longer stale and saves over it knowingly."""
    _check_form(form)
    f = _fernet(store)
    with store.session() as s, s.begin():
        for name, text in stored.items():
            row = s.get(ReviewDraft, (user, record_id, form, name))
            if row is not None:
                row.base = _seal(f, text)


def of_user(store: Store, user: str, *, form: str = EDIT, record_id: int | None = None) -> dict[int, dict[str, Draft]]:
    """A reviewer's drafts of one form: record -> field -> Draft (oldest record first). Never another user's.
    Drafts past `MAX_AGE` are dropped first; a row kept in clear (before drafts were sealed) is dropped too; a
    row sealed under another data folder's key is left out, and left."""
    _check_form(form)
    expire(store)
    f = _fernet(store)
    stmt = select(ReviewDraft).where(ReviewDraft.username == user, ReviewDraft.form == form)
    if record_id is not None:
        stmt = stmt.where(ReviewDraft.record_id == record_id)
    out: dict[int, dict[str, Draft]] = {}
    unreadable: list[ReviewDraft] = []
    with store.session() as s, s.begin():
        for row in s.scalars(stmt.order_by(ReviewDraft.record_id, ReviewDraft.field)):
            text, base = _open(f, row.text), _open(f, row.base)
            if text is None or base is None:
                if not (row.text or "").startswith(SEALED):
                    unreadable.append(row)  # kept in clear: dropped
                continue
            out.setdefault(row.record_id, {})[row.field] = Draft(text, bool(row.not_on_scan), base)
        for row in unreadable:
            s.delete(row)
    if unreadable:
        log.info("%d draft(s) of %s kept in clear dropped", len(unreadable), user)
    return out


def stale(draft: Mapping[str, Draft], stored: Mapping[str, str]) -> list[str]:
    """The fields of a record's draft whose stored form text is no longer the one typed over (`stored`:
    field -> the form text stored now): someone saved them since."""
    return [n for n, d in draft.items() if n in stored and stored[n] != d.base]
