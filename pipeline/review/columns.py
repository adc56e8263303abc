"""A page whose columns are in doubt, reviewed as a page: a reviewer says once which field a printed column
holds (or that it holds none of ours), with why, and the page - and the pages of its volume printed from
the same form - are mapped again from their stored cells, without OCR (issue 21).

    from pipeline.review.columns import page_columns, set_column_field
    cols = page_columns(store, page_id)                     # each column: header as read, field, doubts
    set_column_field(store, page_id, 6, "deceased_name", "li", "the 7th column holds the names", settings=s)

Every decision is kept (store.ColumnDecision); the latest one for a column is in force and is applied
whenever the page is mapped again (pipeline.page.extract.remap_page: decided_columns, take_decided), so it
survives a later `backfill remap`. Records already approved or rejected are left as they are; the
corrections reviewers typed are applied again (remap_page)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from mapping.headers import CELLS_DOUBT, is_assignment_doubt
from mapping.spec import load_spec
from pipeline.kernel.config import Settings
from pipeline.kernel.store import ColumnDecision, Page, SourceFile, Store, User, get_row
from pipeline.page.extract import COLUMNS_UNREAD_DOUBT, PAGE_ASSIGNMENT_HEAD, agree_volumes, decided_columns, remap_page
from pipeline.page.intake import volume_key
from pipeline.page.structure import Structure
from pipeline.review.corrections import CorrectionError

log = logging.getLogger(__name__)

REVIEW_ROLES = ("reviewer", "administrator")
"""Who may say which field a column holds: the roles that review records (pipeline.review.users.Account.can)."""


@dataclass(frozen=True)
class ColumnView:
    """One printed column of a page as a reviewer sees it."""

    index: int  # 0-based
    header: str  # as read
    field: str | None  # the field it is mapped as now (None: none)
    doubts: tuple[str, ...]  # why its field is in doubt (the stored reasons)
    decided_by: str | None = None  # the reviewer whose word is in force on it
    decided_at: str | None = None
    decided_why: str | None = None


@dataclass(frozen=True)
class PageColumns:
    page_id: int
    kind: str
    columns: tuple[ColumnView, ...]
    fields: tuple[str, ...]  # the fields a column of this kind may be given (the serial row_no first)
    page_doubts: tuple[str, ...]  # the page's doubts of its columns' assignment

    @property
    def in_doubt(self) -> bool:
        """Whether a column of the page is in doubt or without a field: the page is worth reviewing as a page.
        A column whose cells are doubted one by one (mapping.headers.CELLS_DOUBT) is sure of its field: its
        cells are reviewed with their records, the page's columns need no word."""
        return bool(self.page_doubts) or any(
            any(not r.startswith(CELLS_DOUBT) for r in c.doubts) or (c.field is None and c.decided_by is None)
            for c in self.columns
        )


def page_columns(store: Store, page_id: int, settings: Settings | None = None) -> PageColumns:
    """The page's printed columns: header as read, field, doubts, the reviewer's word in force."""
    spec = load_spec((settings or Settings.load()).spec_version)
    with store.session() as s:
        page = get_row(s, Page, page_id)
        layout = page.layout or {}
        kind = page.ledger_kind or ""
        columns = list(layout.get("columns") or [])
        header = list(layout.get("header") or [])
        structure = Structure.from_dict(layout.get("structure"))
        decided = {d.index: d for d in decided_columns(s, page)}
    ks = spec.kinds.get(kind)
    fields = ("row_no", *(ks.field_names if ks is not None else ()))
    views = tuple(
        ColumnView(
            c,
            header[c] if c < len(header) else "",
            f,
            tuple(structure.columns.get(c, [])),
            decided[c].user if c in decided else None,
            decided[c].at if c in decided else None,
            decided[c].why if c in decided else None,
        )
        for c, f in enumerate(columns)
    )
    page_doubts = tuple(r for r in structure.page if r.startswith(PAGE_ASSIGNMENT_HEAD) or r == COLUMNS_UNREAD_DOUBT)
    return PageColumns(page_id, kind, views, tuple(dict.fromkeys(fields)), page_doubts)


def assignment_doubts(view: ColumnView) -> tuple[str, ...]:
    """The doubts of a column that are about which field it holds (mapping.headers.is_assignment_doubt; not
    CELLS_DOUBT: that column is sure of its field, only some of its cells are not)."""
    return tuple(r for r in view.doubts if is_assignment_doubt(r) and not r.startswith(CELLS_DOUBT))


def _require_reviewer(s, user: str) -> None:
    who = s.scalars(select(User).where(User.username == user)).one_or_none()
    if who is None or not who.active or who.role not in REVIEW_ROLES:
        raise CorrectionError(f"only a reviewer or an administrator says which field a column holds ({user} is not one)")


def set_column_field(
    store: Store,
    page_id: int,
    column: int,
    field: str | None,
    user: str,
    why: str,
    volume: bool = True,
    *,
    settings: Settings | None = None,
) -> list[int]:
    """A reviewer says that printed column `column` (0-based) of the page holds `field` (None: no field of
    ours), and why. The decision is kept (store.ColumnDecision: the header as read, who, when, why) and the
    page is mapped again from its stored cells (remap_page): the column's values are the field's, its
    assignment doubts and the page doubts they caused are gone, its other doubts stay. With `volume`, the
    other pages of its volume printed from the same form (pipeline.page.extract.decided_columns) take the
    word too and are mapped again; then the volume's pages tell each other's columns again
    (agree_volumes), as after any re-map. Refused (CorrectionError, nothing stored): no reason, a user
    who does not review, a page not read, a column or field the page has not, a field another column of
    the page holds (say first what that column holds). Returns the ids of the pages mapped again."""
    settings = settings or Settings.load()
    why = (why or "").strip()
    if not why:
        raise CorrectionError("saying which field a column holds needs a reason")
    if not (user or "").strip():
        raise CorrectionError("saying which field a column holds needs the reviewer's name")
    spec = load_spec(settings.spec_version)
    with store.session() as s, s.begin():
        _require_reviewer(s, user)
        page = s.get(Page, page_id)
        if page is None:
            raise CorrectionError(f"page {page_id} does not exist")
        layout = page.layout or {}
        columns = list(layout.get("columns") or [])
        if page.status != "done" or not columns or page.ledger_kind is None:
            raise CorrectionError(f"page {page_id} has not been read into columns")
        if not 0 <= column < len(columns):
            raise CorrectionError(f"page {page_id} has no column {column + 1} (it has {len(columns)})")
        ks = spec.kinds.get(page.ledger_kind)
        allowed = {"row_no", *(ks.field_names if ks is not None else ())}
        if field is not None and field not in allowed:
            raise CorrectionError(f"{field} is no field of a {page.ledger_kind} register")
        held = [c for c, f in enumerate(columns) if f == field and c != column] if field is not None else []
        if held:
            raise CorrectionError(
                f"column {held[0] + 1} of this page holds {field}: say first what that column holds (another field, or none)",
            )
        header = list(layout.get("header") or [])
        file_id = page.file_id
        s.add(
            ColumnDecision(
                file_id=file_id,
                page_id=page_id,
                column=column,
                header=header[column] if column < len(header) else "",
                field=field,
                volume=volume,
                user=user,
                reason=why,
            )
        )
        s.flush()
        targets = [page_id]
        if volume:
            sf = get_row(s, SourceFile, file_id)
            key = volume_key(sf.rel_path, sf.media_type)
            q = select(Page, SourceFile.rel_path, SourceFile.media_type).join(SourceFile, Page.file_id == SourceFile.id)
            for other, rel, media in s.execute(q.where(Page.status == "done", Page.id != page_id)).all():
                if volume_key(rel, media) == key and any(d.page_id == page_id for d in decided_columns(s, other)):
                    targets.append(other.id)
    log.info("page %s: column %d given a field by %s (%d page(s) of the form)", page_id, column + 1, user, len(targets))
    for pid in targets:
        remap_page(store, pid, settings)
    agree_volumes(store, settings, [file_id])  # its volume's pages tell each other's columns again
    return targets


def column_history(store: Store, page_id: int) -> list[ColumnDecision]:
    """Every decision made on the page's columns, oldest first (the latest per column is in force)."""
    with store.session() as s:
        return list(
            s.scalars(
                select(ColumnDecision).where(ColumnDecision.page_id == page_id).order_by(ColumnDecision.at, ColumnDecision.id)
            )
        )
