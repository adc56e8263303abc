"""Unsaved typing of the review app, kept on the server per reviewer and record (table `review_drafts`).

A reviewer's text typed in a record's form (or its "not on the scan" mark) and not saved yet is kept here as
each box is left, so that a reload (F5), a dropped connection or another page loses nothing: it is put back
when the same reviewer returns, with a notice, and dropped when saved or discarded. Only its own reviewer
reads it (every call names the user). It holds personal data, like the records: it lives in the store (an
owner-only data folder, the SQLite file 0600) and is never logged - log lines name record and fields only.

`base` is the stored form text the reviewer typed over. When the stored value moved since (another reviewer
saved, or a re-map), the draft is *stale*: the app does not put it back silently nor save it over the new
value, but says so and lets the reviewer keep theirs (`rebase`) or take the stored one (`drop`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable, Mapping

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from pipeline.kernel.store import ReviewDraft, Store, utcnow

log = logging.getLogger(__name__)

EDIT = "edit"  # the correction form
BLIND = "blind"  # two-keyer blind keying
FORMS = (EDIT, BLIND)


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
                            text=text,
                            not_on_scan=not_on_scan,
                            base=base,
                        )
                    )
                else:
                    row.text, row.not_on_scan, row.updated_at = text, not_on_scan, utcnow()
                    # the base stays the value first typed over: a later keystroke does not make a stale draft fresh
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
    with store.session() as s, s.begin():
        for name, text in stored.items():
            row = s.get(ReviewDraft, (user, record_id, form, name))
            if row is not None:
                row.base = text


def of_user(store: Store, user: str, *, form: str = EDIT, record_id: int | None = None) -> dict[int, dict[str, Draft]]:
    """A reviewer's drafts of one form: record -> field -> Draft (oldest record first). Never another user's."""
    _check_form(form)
    stmt = select(ReviewDraft).where(ReviewDraft.username == user, ReviewDraft.form == form)
    if record_id is not None:
        stmt = stmt.where(ReviewDraft.record_id == record_id)
    out: dict[int, dict[str, Draft]] = {}
    with store.session() as s:
        for row in s.scalars(stmt.order_by(ReviewDraft.record_id, ReviewDraft.field)):
            out.setdefault(row.record_id, {})[row.field] = Draft(row.text or "", bool(row.not_on_scan), row.base or "")
    return out


def stale(draft: Mapping[str, Draft], stored: Mapping[str, str]) -> list[str]:
    """The fields of a record's draft whose stored form text is no longer the one typed over (`stored`:
    field -> the form text stored now): someone saved them since."""
    return [n for n, d in draft.items() if n in stored and stored[n] != d.base]
