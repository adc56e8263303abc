"""The review contract without a browser (issue 22): Approve holds only for a record whose mandatory
fields are filled or marked "not on the scan" (who, why) and whose flagged fields were looked at; a
refused correction changes nothing; decided records are read only until an administrator reopens
them; a ledger's never-recorded fields are declared once; reveals are logged; every CSV is safe for
spreadsheets; the loader refuses empty mandatory fields on SQLite and PostgreSQL; logins slow down
and lock; sessions end at logout and after the idle timeout."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from pipeline.kernel.config import Settings
from pipeline.kernel.errors import ExitCode
from pipeline.kernel.store import FieldReview, LoginFailure, Page, Record, Reveal, Store, WebSession
from pipeline.page.extract import remap_page
from pipeline.platform.export import export_csv
from pipeline.platform.load import load
from pipeline.platform.package import export_package
from pipeline.review import queue as R
from pipeline.review.corrections import (
    ApprovalRefused,
    CorrectionError,
    CorrectionRefused,
    FieldEntry,
    approval_gaps,
    confirm,
    correct_record,
    decide,
    history,
    reopen,
    review_form,
)
from pipeline.review.users import add_user, bind_session, end_session, login, session_account, set_active, start_session, unlock
from pipeline.runs.completion import completion, to_csv
from samples.seed import seed_store


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """One seeded store for the module (a page of generated rows, half of them with a cell read unsure)."""
    base = tmp_path_factory.mktemp("contract-template")
    settings = Settings(data_dir=str(base / "d"))
    with Store.open(settings) as store:
        rows = seed_store(store, settings, kinds=("cremation",), pages=1, unsure_share=0.5)
        add_user(store, "boss", "administrator", "password-boss")
        add_user(store, "rev", "reviewer", "password-rev")
    return base / "d", rows


@pytest.fixture()
def seeded(tmp_path, template):
    """A fresh copy of the template store for one test."""
    src, rows = template
    shutil.copytree(src, tmp_path / "d")
    settings = Settings(data_dir=str(tmp_path / "d"))
    store = Store.open(settings)
    yield store, settings, rows
    store.dispose()


def _rec(store: Store, rid: int) -> Record:
    with store.session() as s:
        return s.get(Record, rid)


def _waiting(store: Store) -> list[int]:
    with store.session() as s:
        return list(s.scalars(select(Record.id).where(Record.status == "needs_review").order_by(Record.id)))


def _blank(store: Store, settings: Settings, rid: int, *names: str) -> None:
    """Make fields of a record read blank (as OCR of an empty cell would), through a re-map."""
    with store.session() as s, s.begin():
        rec = s.get(Record, rid)
        cells = [dict(c) for c in rec.cells]
        columns = s.get(Page, rec.page_id).layout["columns"]
        for n in names:
            cells[columns.index(n)]["text"] = ""
        rec.cells = cells
        page_id = rec.page_id
    remap_page(store, page_id, settings)


def test_approve_refuses_an_empty_mandatory_field_until_it_is_typed_or_marked_with_a_reason(seeded):
    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    _blank(store, settings, rid, "deceased_name", "cremation_cert_no")
    with pytest.raises(ApprovalRefused) as refused:
        decide(store, rid, "approved", user="rev", settings=settings)
    assert {("deceased_name", "mandatory_empty"), ("cremation_cert_no", "mandatory_empty")} <= {
        (g.field, g.code) for g in refused.value.gaps
    }
    assert _rec(store, rid).status == "needs_review"
    flagged = [g.field for g in approval_gaps(_rec(store, rid), {}, settings) if g.code == "unreviewed"]
    entries = {
        "deceased_name": FieldEntry("王小明"),
        "cremation_cert_no": FieldEntry("", not_on_scan=True),
        **{n: FieldEntry(_form(store, settings, rid, n)) for n in flagged},
    }
    out = review_form(store, rid, entries, user="rev", settings=settings, approve=True)  # no reason: the mark is refused
    assert not out.approved and [(r.field, r.code) for r in out.refused] == [("cremation_cert_no", "needs_reason")]
    assert _rec(store, rid).fields["deceased_name"]["value"] == "王小明"  # the valid correction was saved all the same
    out = review_form(
        store,
        rid,
        {**entries, "deceased_name": FieldEntry("王小明")},
        user="rev",
        settings=settings,
        reason="no certificate number on this row",
        approve=True,
    )
    assert out.approved and out.marked == ["cremation_cert_no"], (out.refused, out.gaps)
    rec = _rec(store, rid)
    assert rec.status == "approved" and rec.fields["cremation_cert_no"]["value"] is None
    with store.session() as s:
        mark = s.get(FieldReview, (rid, "cremation_cert_no"))
    assert (mark.action, mark.user, mark.reason) == ("not_on_scan", "rev", "no certificate number on this row")
    trail = [(h.action, h.field) for h in history(store, rid)]
    assert ("edit", "deceased_name") in trail and ("not_on_scan", "cremation_cert_no") in trail and trail[-1] == ("approve", None)


def _form(store, settings, rid, name) -> str:
    return next(f.form_text for f in R.record_view(store, rid, settings).fields if f.name == name)


def test_a_flagged_value_must_be_confirmed_and_a_confirmation_holds_only_for_that_value(seeded):
    store, settings, _rows = seeded
    rid = next(r for r in _waiting(store) if any(g.code == "unreviewed" for g in approval_gaps(_rec(store, r), {}, settings)))
    gaps = approval_gaps(_rec(store, rid), {}, settings)
    names = [g.field for g in gaps]
    with pytest.raises(ApprovalRefused):
        decide(store, rid, "approved", user="rev", settings=settings)
    out = confirm(store, rid, names, user="rev", settings=settings)
    assert out.confirmed == names and not out.approved
    with store.session() as s:
        assert s.get(FieldReview, (rid, names[0])).action == "confirmed"
    decide(store, rid, "approved", user="rev", settings=settings)
    assert _rec(store, rid).status == "approved"
    # a confirmation names the value: once the value changes it no longer counts
    other = next(r for r in _waiting(store) if any(g.code == "unreviewed" for g in approval_gaps(_rec(store, r), {}, settings)))
    f = next(g.field for g in approval_gaps(_rec(store, other), {}, settings) if g.code == "unreviewed")
    confirm(store, other, [f], user="rev", settings=settings)
    with store.session() as s, s.begin():
        s.execute(
            update(FieldReview)
            .where(FieldReview.record_id == other, FieldReview.field == f)
            .values(value=json.dumps("something else", ensure_ascii=False))
        )
        reviews = {r.field: r for r in s.scalars(select(FieldReview).where(FieldReview.record_id == other))}
        assert f in {g.field for g in approval_gaps(s.get(Record, other), reviews, settings)}


def test_a_form_with_a_refused_field_or_a_value_confirmed_already_adds_no_confirm_row(seeded):
    """Session 45: each Save confirmed every box left unchanged, a refused one too, and a value confirmed
    already was confirmed again - identical 核对无误 rows in the history. A form with a refused field
    confirms nothing left as shown (the typed text stays the reviewer's to fix); a confirmation is kept
    once, who, when and why."""
    store, settings, _rows = seeded
    rid = next(r for r in _waiting(store) if any(g.code == "unreviewed" for g in approval_gaps(_rec(store, r), {}, settings)))
    names = [g.field for g in approval_gaps(_rec(store, rid), {}, settings) if g.code == "unreviewed"]
    date = "death_date" if "death_date" not in names else "birth_date"
    for _ in range(3):
        entries = {n: FieldEntry(_form(store, settings, rid, n)) for n in names} | {date: FieldEntry("2013年13月45日")}
        out = review_form(store, rid, entries, user="rev", settings=settings, reason="对照扫描件")
        assert [r.field for r in out.refused] == [date] and out.confirmed == []
    assert history(store, rid) == []
    for _ in range(2):
        confirm(store, rid, names, user="rev", settings=settings, reason="对照扫描件")
    trail = [(h.user, h.action, h.field, h.reason) for h in history(store, rid)]
    assert trail == [("rev", "confirm", n, "对照扫描件") for n in names], trail


def test_one_field_confirmed_alone_is_kept_without_approving_and_only_at_the_value_checked(seeded):
    """Since session 45 only Approve confirmed the values left unchanged: a reviewer who checked one field and
    wanted to keep that word without approving the record could not. An entry `confirmed` (the app's per-field
    核对无误) confirms that value under Save too (who, when, why), the record still waiting; a value stored
    differently since, or an empty field, is refused and nothing is written."""
    store, settings, _rows = seeded
    rid = next(r for r in _waiting(store) if any(g.code == "unreviewed" for g in approval_gaps(_rec(store, r), {}, settings)))
    name = next(g.field for g in approval_gaps(_rec(store, rid), {}, settings) if g.code == "unreviewed")
    shown = _form(store, settings, rid, name)
    out = review_form(
        store, rid, {name: FieldEntry(shown, confirmed=True)}, user="rev", settings=settings, confirm_unchanged=False
    )
    assert out.confirmed == [name] and not out.refused and not out.changes
    assert _rec(store, rid).status == "needs_review"
    assert name not in {g.field for g in approval_gaps(_rec(store, rid), _reviews(store, rid), settings)}
    (h,) = history(store, rid)
    assert (h.user, h.action, h.field) == ("rev", "confirm", name) and h.at is not None
    # the value checked is no longer the one stored (someone saved another since): refused, nothing written
    other = next(n for n in ("deceased_name", "death_date") if n != name)
    out = review_form(
        store, rid, {other: FieldEntry("not what is stored", confirmed=True)}, user="rev", settings=settings,
        confirm_unchanged=False,
    )  # fmt: skip
    assert [(r.field, r.code) for r in out.refused] == [(other, "changed_since_shown")] and out.confirmed == []
    _blank(store, settings, rid, "agent_name")
    out = review_form(
        store, rid, {"agent_name": FieldEntry("", confirmed=True)}, user="rev", settings=settings, confirm_unchanged=False
    )
    assert [(r.field, r.code) for r in out.refused] == [("agent_name", "confirm_empty")]
    assert [h.action for h in history(store, rid)] == ["confirm"]


def _reviews(store: Store, rid: int) -> dict[str, FieldReview]:
    with store.session() as s:
        return {r.field: r for r in s.scalars(select(FieldReview).where(FieldReview.record_id == rid))}


def test_a_refused_correction_keeps_the_stored_value_and_writes_nothing(seeded):
    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    before = _rec(store, rid).fields["death_date"]["value"]
    out = review_form(
        store, rid, {"death_date": FieldEntry("2013-02-30"), "agent_name": FieldEntry("李四")}, user="rev", settings=settings
    )
    assert [(r.field, r.code) for r in out.refused] == [("death_date", "invalid")]
    assert "impossible_day" in out.refused[0].flags or out.refused[0].flags == ()
    rec = _rec(store, rid)
    assert rec.fields["death_date"]["value"] == before and rec.fields["agent_name"]["value"] == "李四"
    assert [h.field for h in history(store, rid) if h.action == "edit"] == ["agent_name"]
    with pytest.raises(CorrectionRefused):  # the library call refuses the whole correction
        correct_record(store, rid, {"death_date": "2013-02-30", "agent_name": "张三"}, user="rev", settings=settings)
    assert _rec(store, rid).fields["agent_name"]["value"] == "李四"
    out = review_form(store, rid, {"deceased_name": FieldEntry("")}, user="rev", settings=settings)
    assert [(r.field, r.code) for r in out.refused] == [("deceased_name", "mandatory_cleared")]
    assert _rec(store, rid).fields["deceased_name"]["value"]


def test_decided_records_are_read_only_until_an_administrator_reopens_them_with_a_reason(seeded):
    store, settings, _rows = seeded
    with store.session() as s:
        auto = s.scalar(select(Record.id).where(Record.status == "auto_accepted"))
    with pytest.raises(CorrectionError, match="read only"):
        correct_record(store, auto, {"agent_name": "王五"}, user="rev", settings=settings)
    with pytest.raises(CorrectionError, match="reason"):
        reopen(store, auto, user="boss", reason=" ")
    with pytest.raises(CorrectionError, match="administrator"):
        reopen(store, auto, user="rev", reason="family called")
    reopen(store, auto, user="boss", reason="family called: agent's name misspelt")
    assert _rec(store, auto).status == "needs_review"
    assert history(store, auto)[-1].action == "reopen" and history(store, auto)[-1].user == "boss"
    correct_record(store, auto, {"agent_name": "王五"}, user="rev", settings=settings)
    assert _rec(store, auto).fields["agent_name"]["value"] == "王五"


def test_a_field_without_a_column_on_a_page_with_two_columns_read_as_one_is_not_called_absent(seeded):
    """Where the page may hold a printed column that no column read stands for (two printed columns read
    as one: Structure.hidden), a field without a column may be in it: the reviewer is told so, as for a
    header not recognized, never "this register has no such column"."""
    from mapping.spec import load_spec

    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    rec = _rec(store, rid)
    with store.session() as s:
        layout = dict(s.get(Page, rec.page_id).layout)
    kind = load_spec(settings.spec_version).kinds[rec.ledger_kind]
    name = next(f.name for f in kind.fields if f.source == "cell" and f.name not in layout["columns"] and f.name in rec.fields)
    assert None not in layout["columns"]
    before = next(f for f in R.record_view(store, rid, settings).fields if f.name == name)
    assert before.column == "no_column"
    with store.session() as s, s.begin():
        s.get(Page, rec.page_id).layout = {
            **layout,
            "structure": {"hidden": ["column 3 holds the values of two printed columns"]},
        }
    after = next(f for f in R.record_view(store, rid, settings).fields if f.name == name)
    assert after.column == "hidden_column"  # not "no such column", nor a header not recognized


def test_a_field_that_may_sit_in_two_columns_read_as_one_is_worded_as_such(seeded):
    """Two printed columns read as one (Structure.hidden): the reviewer is told that, in Chinese first
    (the neighbouring column's text may hold the value; look at the row's scan), not the generic
    "a header was not recognized"; a page with a header not recognized keeps that wording."""
    from mapping.spec import load_spec
    from review_app.i18n import flag_text, t

    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    rec = _rec(store, rid)
    with store.session() as s, s.begin():
        page = s.get(Page, rec.page_id)
        layout = dict(page.layout)
        page.layout = {**layout, "structure": {"hidden": ["column 3 holds the values of two printed columns"]}}
    kind = load_spec(settings.spec_version).kinds[rec.ledger_kind]
    name = next(f.name for f in kind.fields if f.source == "cell" and f.name not in layout["columns"] and f.name in rec.fields)
    with store.session() as s, s.begin():  # as the mapping marks it there (structure.mark_missing)
        r = s.get(Record, rid)
        r.fields = {**r.fields, name: {**r.fields[name], "value": None, "confidence": 0.0, "flags": ["no_column"]}}
    field = next(f for f in R.record_view(store, rid, settings).fields if f.name == name)
    assert field.column == "hidden_column" and "hidden_column" in field.issues and "unknown_column" not in field.issues
    assert "no_column" not in field.issues  # not also "no column of this page holds it (or its header ...)"
    zh, en = flag_text("hidden_column", lang="zh"), flag_text("hidden_column", lang="en")
    assert "两栏" in zh and "读成了一栏" in zh and "相邻一栏" in zh and "整行扫描" in zh
    assert "read as one" in en and "neighbouring column" in en and "row's scan" in en
    assert zh != flag_text("unknown_column", lang="zh") and "表头未能识别" not in zh
    # said once, in the reasons: the scan cell only says where the field's scan is (the row above)
    assert "整行扫描" in t("column.hidden_column", lang="zh") and "row's scan" in t("column.hidden_column", lang="en")
    assert R.field_reasons(field) == ["hidden_column"]
    with store.session() as s, s.begin():  # a header not recognized as well: the row's other cells are shown for it
        page = s.get(Page, rec.page_id)
        cols = list(layout["columns"])
        cols[cols.index("row_no") if "row_no" in cols else 0] = None
        page.layout = {**page.layout, "columns": cols}
    field = next(f for f in R.record_view(store, rid, settings).fields if f.name == name)
    assert field.column == "unknown_column"


def test_a_mandatory_field_perhaps_under_a_column_not_recognized_gets_one_message(seeded):
    """A mandatory field left empty on a page where a column's header was not recognized: the reviewer
    reads ONE reason for it, saying what is known (a header not recognized: it may be there), that it is
    mandatory, and what to do - not also "no column of this page (or a header not recognized)" and the
    approval gap's reminder. A field not mandatory gets the plain wording, without a gap reminder."""
    from review_app.i18n import flag_text, gap_text

    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    with store.session() as s, s.begin():  # the name's header read as nothing known
        page = s.get(Page, _rec(store, rid).page_id)
        cols = list(page.layout["columns"])
        optional = next(n for n in ("death_cause_code", "ethnicity_code", "household_address") if n in cols)
        for n in ("deceased_name", optional):
            cols[cols.index(n)] = None
        page.layout = {**page.layout, "columns": cols}
        page_id = page.id
    remap_page(store, page_id, settings)
    fields = {f.name: f for f in R.record_view(store, rid, settings).fields}
    name = fields["deceased_name"]
    assert name.column == "unknown_column" and name.mandatory and name.gap == "mandatory_empty"
    assert R.field_reasons(name) == ["unknown_column_mandatory"]
    zh, en = flag_text("unknown_column_mandatory", lang="zh"), flag_text("unknown_column_mandatory", lang="en")
    assert "必填" in zh and "表头未能识别" in zh and "扫描件上没有" in zh and "写明原因" in zh
    assert "mandatory" in en and "not recognized" in en and "not on the scan" in en and "say why" in en
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en)
    assert zh not in (flag_text("no_column", lang="zh"), gap_text("mandatory_empty", lang="zh"))
    other = fields[optional]
    assert other.column == "unknown_column" and not other.mandatory and R.field_reasons(other) == ["unknown_column"]
    assert "no_column" not in name.issues + other.issues


def test_a_value_derived_from_the_id_is_shown_as_such_not_as_an_unread_column(seeded):
    """A field without a cell of its own whose value was derived from the ID number (出生日期, 证件类型,
    flag derived_from_id) on a page whose printed columns may be read as one: the view says it came
    from the ID number, not "two columns may have been read as one: see the row above"."""
    from review_app.i18n import t

    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    rec = _rec(store, rid)
    with store.session() as s, s.begin():
        page = s.get(Page, rec.page_id)
        layout = dict(page.layout)
        assert "birth_date" not in layout["columns"]
        page.layout = {**layout, "structure": {"hidden": ["column 3 holds the values of two printed columns"]}}
        r = s.get(Record, rid)
        r.fields = {
            **r.fields,
            "birth_date": {**r.fields["birth_date"], "value": "1940-01-02", "confidence": 0.99, "flags": ["derived_from_id"]},
        }
    field = next(f for f in R.record_view(store, rid, settings).fields if f.name == "birth_date")
    assert field.column == "from_id" and field.value == "1940-01-02"
    assert "身份证号" in t("column.from_id", lang="zh") and "ID number" in t("column.from_id", lang="en")
    assert "两栏" not in t("column.from_id", lang="zh")


def test_records_held_for_an_unfitted_capture_are_worded_in_one_language_and_filtered(seeded):
    """A record held because its page was photographed (thresholds not fitted on photographs) shows a
    reason in the reviewer's language only, not one line of both; the queue filters to such records."""
    from review_app.i18n import record_reason_text, t

    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    with store.session() as s, s.begin():  # the page photographed: its outline found on a desk and warped
        page = s.get(Page, _rec(store, rid).page_id)
        page.steps = [*(page.steps or []), {"name": "capture", "result": {"page_found": True, "warped": True}}]
        page_id = page.id
    assert not settings.fitted_on_capture("photograph")
    assert R.queue(store, R.QueueFilter(reason="unfitted_capture")).total == 0  # a scanned page: none
    remap_page(store, page_id, settings)
    on_page = [r for r in _waiting(store) if _rec(store, r).page_id == page_id]
    held = R.queue(store, R.QueueFilter(reason="unfitted_capture"))
    assert "unfitted_capture" in R.REASONS and {i.record_id for i in held.items} == set(on_page) and held.total >= 1
    view = R.record_view(store, rid, settings)
    assert ("unfitted_capture", {"capture": "photograph"}) in view.record_reasons
    zh = record_reason_text("unfitted_capture", {"capture": "photograph"}, lang="zh")
    en = record_reason_text("unfitted_capture", {"capture": "photograph"}, lang="en")
    assert zh.startswith("拍照页面") and "拟合" in zh and not any("a" <= ch.lower() <= "z" for ch in zh)
    assert en.startswith("Photographed page") and "not fitted" in en and not any("\u4e00" <= ch <= "\u9fff" for ch in en)
    short = record_reason_text("unfitted_capture", {"capture": "photograph"}, short=True, lang="zh")
    assert short.startswith("拍照页面") and len(short) < len(zh)
    assert "拍照" in t("reason.unfitted_capture", lang="zh") and "photographed" in t("reason.unfitted_capture", lang="en")


def test_a_field_a_ledger_never_records_is_declared_once_and_no_longer_asked(seeded):
    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    with store.session() as s, s.begin():  # one header of the page was not recognized (its column unmapped)
        page = s.get(Page, _rec(store, rid).page_id)
        layout = dict(page.layout)
        cols = list(layout["columns"])
        name = next(n for n in ("death_cause_code", "ethnicity_code", "household_address") if n in cols)
        cols[cols.index(name)] = None  # its header read as nothing known
        page.layout = {**layout, "columns": cols}
        page_id, file_id = page.id, page.file_id
    remap_page(store, page_id, settings)
    view = R.record_view(store, rid, settings)
    field = next(f for f in view.fields if f.name == name)
    assert field.column == "unknown_column" and field.gap == "empty_flagged"
    assert all(
        next(f for f in R.record_view(store, r, settings).fields if f.name == name).needs_look for r in _waiting(store)
    )  # asked on every record of the page
    with pytest.raises(CorrectionError, match="administrator"):
        R.declare_absent(store, file_id, [name], user="rev", reason="no such column", settings=settings)
    with pytest.raises(CorrectionError, match="reason"):
        R.declare_absent(store, file_id, [name], user="boss", reason="", settings=settings)
    assert R.declare_absent(store, file_id, [name], user="boss", reason="this register has no such column", settings=settings) > 0
    for r in _waiting(store):
        field = next(f for f in R.record_view(store, r, settings).fields if f.name == name)
        assert field.column == "absent" and field.gap is None and not field.needs_look
    assert R.ledgers(store)[0].absent == (name,)


def test_revealing_a_full_number_is_logged_with_its_reason_and_needs_the_claim(seeded):
    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    with pytest.raises(CorrectionError, match="not claimed"):
        R.reveal(store, rid, "id_number", user="rev", reason="check the scan")
    R.claim(store, rid, "rev")
    with pytest.raises(CorrectionError, match="needs a reason"):
        R.reveal(store, rid, "id_number", user="rev", reason="  ")
    full = R.reveal(store, rid, "id_number", user="rev", reason=" 核对出生日期 ")
    assert full == _rec(store, rid).fields["id_number"]["value"]
    R.reveal(store, rid, "agent_phone", user="boss", reason="family called", require_claim=False)  # an administrator
    with store.session() as s:
        got = [(r.record_id, r.field, r.user, r.reason) for r in s.scalars(select(Reveal).order_by(Reveal.id))]
    assert got == [(rid, "id_number", "rev", "核对出生日期"), (rid, "agent_phone", "boss", "family called")]
    with pytest.raises(CorrectionError):
        R.reveal(store, rid, "deceased_name", user="rev", reason="why not")


def test_a_store_made_before_reveals_asked_why_gets_the_column_and_keeps_its_reveals(seeded):
    import sqlite3

    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    store.dispose()
    db = sqlite3.connect(settings.data_path / "store.sqlite")  # the reveals table as it was made before
    db.execute(
        "INSERT INTO reveals (record_id, field, user, at, reason) VALUES (?, 'id_number', 'old', '2026-01-01', '')", (rid,)
    )
    db.execute("ALTER TABLE reveals DROP COLUMN reason")
    db.commit()
    db.close()
    with Store.open(settings) as again:
        R.claim(again, rid, "rev")
        R.reveal(again, rid, "id_number", user="rev", reason="核对")
        assert [(r.user, r.reason) for r in R.reveals(again, rid)] == [("old", ""), ("rev", "核对")]  # oldest first


FORMULA = '=HYPERLINK("http://x","y")'


def test_every_csv_neutralizes_formulas_and_json_lines_keep_the_raw_value(seeded, tmp_path):
    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    out = review_form(store, rid, {"remarks": FieldEntry(FORMULA)}, user="rev", settings=settings)
    assert not out.refused and _rec(store, rid).fields["remarks"]["value"].startswith(FORMULA)
    assert confirm(
        store, rid, [g.field for g in approval_gaps(_rec(store, rid), {}, settings)], user="rev", settings=settings, approve=True
    ).approved
    export_csv(store, tmp_path / "export.csv", settings.spec_version)
    with (tmp_path / "export.csv").open(encoding="utf-8", newline="") as f:
        cells = [c for row in csv.reader(f) for c in row]
    assert any(c.startswith("'" + FORMULA) for c in cells)
    assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)
    assert not any(c.startswith("-") and not c.lstrip("-").replace(".", "").isdigit() for c in cells)
    load(store, settings)
    pkg = export_package(settings, tmp_path / "pkg")
    assert pkg.counts["dead_information"] > 0
    with (tmp_path / "pkg" / "dead_information.csv").open(encoding="utf-8", newline="") as f:
        pcells = [c for row in csv.reader(f) for c in row]
    assert any(c.startswith("'" + FORMULA) for c in pcells) and not any(c.startswith(("=", "+", "@")) for c in pcells)
    with (tmp_path / "pkg" / "dead_information.jsonl").open(encoding="utf-8") as f:
        raw = [json.loads(line) for line in f]
    assert any(str(r.get("remarks") or "").startswith(FORMULA) for r in raw)  # machines get the value as typed
    text = to_csv(completion(store, settings, "year"))
    assert not any(c.startswith(("=", "+", "@")) for row in csv.reader(text.splitlines()) for c in row)


@pytest.mark.parametrize("text", ["=1+1", "+86 535", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(text):
    from pipeline.kernel.csvsafe import safe_cell

    assert safe_cell(text) == "'" + text
    assert safe_cell("王小明") == "王小明" and safe_cell(-5) == -5 and safe_cell(None) == ""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def platform(request):
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("pg_url")


def test_the_loader_refuses_empty_mandatory_fields_whatever_the_status(tmp_path, platform):
    from sqlalchemy import create_engine, text

    settings = Settings(data_dir=str(tmp_path / "d"), platform_url=platform)
    store = Store.open(settings)
    seed_store(store, settings, kinds=("cremation",), pages=1, unsure_share=0.0)
    with store.session() as s, s.begin():  # the state the old review app left: approved with empty mandatory fields
        ids = list(s.scalars(select(Record.id).where(Record.status == "auto_accepted").order_by(Record.id)))
        bad, no_name, no_cert = ids[0], ids[1], ids[2]
        for rid, names in ((bad, ("deceased_name", "id_type")), (no_name, ("deceased_name",)), (no_cert, ("cremation_cert_no",))):
            rec = s.get(Record, rid)
            rec.fields = {**rec.fields, **{n: {**rec.fields[n], "value": None} for n in names}}
            rec.status = "approved"
        for rid, name in ((no_name, "deceased_name"), (no_cert, "cremation_cert_no")):
            s.add(FieldReview(record_id=rid, field=name, action="not_on_scan", user="rev", reason="not on the paper"))
    res = load(store, settings)
    got = {r.records: (r.fields, r.marked) for r in res.refused}
    # a name the platform requires is refused even when the paper has none (and the report says it was marked);
    # a certificate number is mandatory only where one was issued: marked "not on the scan", the row loads
    assert got == {(bad,): (("deceased_name", "id_type"), ()), (no_name,): (("deceased_name",), ("deceased_name",))}
    assert res.inserted == len(ids) - 2
    eng = create_engine(settings.platform_db_url.replace("postgresql://", "postgresql+psycopg://"))
    with eng.connect() as c:
        nulls = c.execute(text("select count(*) from dead_information where deceased_name is null or id_type is null")).scalar()
        rows = c.execute(text("select count(*) from dead_information")).scalar()
        no_cert_rows = c.execute(text("select count(*) from dead_information where cremation_cert_no is null")).scalar()
    eng.dispose()
    assert nulls == 0 and rows == len(ids) - 2 and no_cert_rows == 1
    from pipeline.cli import main

    args = ["load", "--data-dir", settings.data_dir] + (["--platform", platform] if platform else [])
    assert main(args) == ExitCode.refused  # and it says so
    store.dispose()


def test_failed_logins_slow_down_then_lock_and_are_logged(seeded, caplog):
    store, settings, _rows = seeded
    settings = settings.with_(login_max_failures=3, login_lock_minutes=1)
    delays = [login(store, "rev", "wrong", settings).delay for _ in range(2)]
    assert delays == [0.25, 0.5]
    third = login(store, "rev", "wrong", settings)
    assert third.locked_until is not None and third.account is None
    locked = login(store, "rev", "password-rev", settings)  # the right password, while locked
    assert locked.account is None and locked.locked_until is not None
    assert any("locked" in r.getMessage() for r in caplog.records)
    assert not any("wrong" in r.getMessage() or "password-rev" in r.getMessage() for r in caplog.records)
    unlock(store, "rev")
    assert login(store, "rev", "password-rev", settings).account.username == "rev"
    with store.session() as s:
        assert s.scalar(select(LoginFailure.id).where(LoginFailure.username == "rev")) is None


def test_a_session_survives_until_logout_idle_timeout_or_a_disabled_user(seeded):
    store, settings, _rows = seeded
    token = start_session(store, "rev")
    assert session_account(store, token, settings) is None  # not bound to a cookie yet
    assert bind_session(store, token) and not bind_session(store, token)  # bound once only
    assert session_account(store, token, settings).username == "rev"
    end_session(store, token)
    assert session_account(store, token, settings) is None
    idle = start_session(store, "rev")
    bind_session(store, idle)
    with store.session() as s, s.begin():
        ws = s.scalars(select(WebSession).where(WebSession.ended_at.is_(None))).one()
        ws.last_seen = ws.last_seen - timedelta(minutes=settings.review_idle_minutes + 1)
    assert session_account(store, idle, settings) is None
    other = start_session(store, "rev")
    bind_session(store, other)
    set_active(store, "rev", False)
    assert session_account(store, other, settings) is None


def test_a_blank_made_sure_beside_a_column_not_recognized_is_not_asked_for(seeded):
    """On a page with a column whose header was not recognized, a field without a column that is still
    missing (no_column) is shown as perhaps in that column; one whose blank was made sure (no column left
    without a field may hold it, or that column is blank in its row: pipeline.page.structure) is not
    highlighted for it."""
    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    rec = _rec(store, rid)
    with store.session() as s, s.begin():
        page = s.get(Page, rec.page_id)
        cols = list(page.layout["columns"])
        name = next(n for n in ("death_cause_code", "ethnicity_code", "household_address") if n in cols)
        cols[cols.index(name)] = None
        page.layout = {**page.layout, "columns": cols}
        other = next(f for f in rec.fields if f not in cols and f not in ("funeral_home_code", "id_number_raw"))
        row = s.get(Record, rid)
        fields = dict(row.fields)
        fields[other] = {**fields[other], "value": None, "confidence": 1.0, "flags": []}
        row.fields = fields
    view = next(f for f in R.record_view(store, rid, settings).fields if f.name == other)
    assert view.column == "unknown_column" and "unknown_column" not in view.issues and not view.needs_look
    with store.session() as s, s.begin():
        row = s.get(Record, rid)
        fields = dict(row.fields)
        fields[other] = {**fields[other], "confidence": 0.0, "flags": ["no_column"]}
        row.fields = fields
    view = next(f for f in R.record_view(store, rid, settings).fields if f.name == other)
    assert "unknown_column" in view.issues and view.needs_look


def test_a_mandatory_field_the_register_has_no_column_for_is_said_once_with_what_can_be_done(seeded):
    """证件类型 on a register without that column, no ID number on the row to derive it from: the view said
    "no column of this page (or its header not recognized): missing, not blank" AND "mandatory and empty:
    type it from the scan ...", a value no scan can give. ONE reason now: no such column, type it from
    other records or tick "not on the scan" with the reason, and that the platform refuses the row while
    it is empty - which the loader does (an unconditional M field is never excused)."""
    from mapping.spec import load_spec
    from review_app.i18n import flag_text, gap_text

    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    rec = _rec(store, rid)
    columns = _rec_columns(store, rec)
    kind = load_spec(settings.spec_version).kinds[rec.ledger_kind]
    assert "id_type" not in columns and kind.field("id_type").condition in (None, "")  # M, whatever else
    _blank(store, settings, rid, "id_number")  # no ID number on the row to derive it from
    field = next(f for f in R.record_view(store, rid, settings).fields if f.name == "id_type")
    assert field.column == "no_column" and field.mandatory and field.gap == "mandatory_empty"
    assert R.field_reasons(field) == ["no_column_mandatory"]
    zh, en = flag_text("no_column_mandatory", lang="zh"), flag_text("no_column_mandatory", lang="en")
    assert zh.startswith("必填项为空：本登记簿没有此栏") and "扫描件上没有" in zh and "平台不接收此行" in zh
    assert "no column for it" in en and "not on the scan" in en and "platform refuses the row" in en
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en)
    assert zh not in (flag_text("no_column", lang="zh"), gap_text("mandatory_empty", lang="zh"))
    flagged = [g.field for g in approval_gaps(_rec(store, rid), {}, settings) if g.code == "unreviewed"]
    entries = {"id_type": FieldEntry("", not_on_scan=True), **{n: FieldEntry(_form(store, settings, rid, n)) for n in flagged}}
    out = review_form(store, rid, entries, user="rev", settings=settings, reason="登记簿无此栏", approve=True)
    assert out.approved, (out.refused, out.gaps)  # approved, as the words say ...
    result = load(store, settings)
    assert any(rid in r.records and "id_type" in r.fields for r in result.refused)  # ... and not loaded, as they say


def _rec_columns(store: Store, rec: Record) -> list:
    with store.session() as s:
        return list(s.get(Page, rec.page_id).layout["columns"])


def test_a_row_s_or_a_page_s_doubt_is_said_once_above_the_record_not_in_every_field_s_note(seeded):
    """A row doubted whole (a bowed row line beside it, a serial out of order) and a page whose structure
    is doubted put their flag on every written field (pipeline.page.structure.apply_structure): the record
    page says each ONCE, in the record's banner (record_reasons, in the reviewer's words), and a field's
    note keeps only what is said of that field. Seen driving the review app on a photographed copy
    (s42 br_s38_ph3878 record 12): the bowed line's sentence and the page's doubt repeated under all 20 fields."""
    from pipeline.page.extract import GRID_DOUBTS
    from pipeline.page.structure import BOWED_LINE, SERIAL_MISREAD
    from review_app.i18n import record_reason_text

    store, settings, _rows = seeded
    rid, other = _waiting(store)[:2]
    rec, rec2 = _rec(store, rid), _rec(store, other)
    assert rec.page_id == rec2.page_id
    misread = SERIAL_MISREAD.format(serial=72, before=6, after=8)
    with store.session() as s, s.begin():
        page = s.get(Page, rec.page_id)
        rows = {str(rec.row_no): [BOWED_LINE], str(rec2.row_no): [misread]}
        page.layout = {**page.layout, "structure": {"page": [GRID_DOUBTS["text"]], "columns": {}, "rows": rows}}
    remap_page(store, rec.page_id, settings)
    view = R.record_view(store, rid, settings)
    written = [f for f in view.fields if f.raw]
    assert written and all({"row_line_bowed", "page_structure_doubted"} <= set(f.flags) for f in written)
    codes = [c for c, _p in view.record_reasons]
    assert codes.count("bowed_line") == 1 and codes.count("grid_text") == 1
    for f in view.fields:
        said = R.field_reasons(f)
        assert "row_line_bowed" not in said and "page_structure_doubted" not in said, (f.name, said)
        if f.gap == "unreviewed" and f.column == "cell":
            assert said, f.name  # still asked to be checked
    assert any(f.column == "no_column" for f in view.fields)
    for f in view.fields:  # no column on a page whose structure is doubted: not "this register has none"
        assert R.column_shown(f) == ("no_column_doubted" if f.column == "no_column" else f.column)
    view2 = R.record_view(store, other, settings)
    reasons = dict(view2.record_reasons)
    assert "serial_misread" in reasons  # worded, not the stored English line
    zh = record_reason_text("serial_misread", reasons["serial_misread"], lang="zh")
    assert "72" in zh and "序号" in zh and not any("a" <= ch.lower() <= "z" for ch in zh)
    assert not any("serial_misread" in R.field_reasons(f) for f in view2.fields)


def test_the_page_s_columns_in_doubt_are_said_in_one_line_naming_them_all():
    """Three columns of a page in doubt were three banner lines each asking to check that column (record 10
    of s42 br_s38_ph3878), while every field of the page was doubted: one line names them all and says so."""
    from review_app.i18n import record_reason_text

    lines = [
        "page: the column of deceased_name could not be identified with confidence (a near tie)",
        "page: the column of agent_name could not be identified with confidence (by elimination)",
        "row: " + "a row line beside it bows across the table (a photographed page not lying flat): check",
    ]
    reasons = R._one_column_unsure([R.record_reason(x) for x in lines])
    assert [c for c, _p in reasons] == ["column_unsure", "bowed_line"]
    zh = record_reason_text(*reasons[0], lang="zh")
    assert "“逝者姓名”、“经办人姓名”" in zh and "每个值" in zh
    en = record_reason_text(*reasons[0], lang="en")
    assert "deceased" in en.lower() and "agent" in en.lower() and "every value" in en


def test_a_column_doubt_s_why_names_fields_by_their_labels_never_by_internal_names():
    """Session 43: the English banner line of a column in doubt said "(its header reads as household_address
    but ...)", a raw internal field name. Its why now names the field by its label (Household address), and the
    Chinese line says why in Chinese (the columns page's words), with no English in it."""
    from mapping.spec import load_spec
    from review_app.i18n import record_reason_text

    line = (
        "page: the column of deceased_name could not be identified with confidence "
        "(its header reads as household_address but its cells do not fit it (60% do not))"
    )
    code, params = R.record_reason(line)
    assert code == "column_unsure"
    en = record_reason_text(code, params, lang="en")
    zh = record_reason_text(code, params, lang="zh")
    names = {f.name for ks in load_spec().kinds.values() for f in ks.fields}
    assert not [n for n in names if n in en or n in zh]
    assert "Household address" in en and "deceased" in en
    assert "表头读作另一字段" in zh and not any("a" <= ch.lower() <= "z" for ch in zh)
