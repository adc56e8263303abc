"""The review app's screens, run in-process with Streamlit's AppTest over a real working store."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipeline import review as R
from pipeline.config import Settings
from pipeline.corrections import history
from mapping.spec import load_spec
from pipeline.store import Page, Record, RecordLink, Store
from pipeline.users import add_user
from samples.seed import seed_store

APP = str(Path(__file__).resolve().parent.parent / "review_app" / "app.py")


@pytest.fixture()
def env(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("BACKFILL_DATA_DIR", str(data))
    monkeypatch.delenv("BACKFILL_DB_URL", raising=False)
    settings = Settings.load()
    store = Store.open(settings)
    rows = seed_store(store, settings, kinds=("cremation",), pages=1, unsure_share=0.5)
    add_user(store, "rev", "reviewer", "password-rev")
    add_user(store, "arch", "archivist", "password-arch")
    add_user(store, "boss", "administrator", "password-boss")
    yield store, settings, rows
    store.dispose()


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def _login(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input(key="login_user").input(user)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    assert not at.exception
    return at


def _texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
                     + [s.value for s in at.subheader] + [h.value for h in at.html])


def _rec(store: Store, rid: int) -> Record:
    with store.session() as s:
        return s.get(Record, rid)


def test_nothing_shows_before_login_and_a_wrong_password_is_refused(env):
    at = _app()
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    assert not at.dataframe and not at.metric and not at.sidebar.radio
    _login(at, "rev", "not-the-password")
    assert at.error and "Wrong user name or password" in at.error[0].value
    assert not at.dataframe and not at.metric
    _login(at, "rev", "password-rev")
    assert at.metric[0].value == str(R.queue(env[0]).total)
    assert at.dataframe


def test_roles_limit_the_screens(env):
    at = _login(_app(), "arch", "password-arch")
    assert at.sidebar.radio(key="nav").options == ["Intake"]
    assert at.header[0].value == "Intake"
    at = _login(_app(), "rev", "password-rev")
    assert "Users" not in at.sidebar.radio(key="nav").options and "History" not in at.sidebar.radio(key="nav").options
    at = _login(_app(), "boss", "password-boss")
    assert {"Queue", "Record", "Users", "History", "Ledgers", "Intake"} <= set(at.sidebar.radio(key="nav").options)


def test_correct_a_field_approve_and_the_next_record_appears(env):
    store, settings, _rows = env
    at = _login(_app(), "rev", "password-rev")
    at.button(key="start").click().run()
    rid = at.session_state["current"]
    assert R.claim_holder(store, rid) == "rev"
    assert "No scan for this record" in at.info[0].value
    at.multiselect(key=f"pick_{rid}").set_value(["death_date"]).run()
    at.text_input(key=f"edit_{rid}_death_date").input("2013年1月2日")
    at.text_input(key=f"edit_reason_{rid}").input("misread day")
    at.button(key=f"FormSubmitter:edit_{rid}-Save corrections").click().run()
    assert not at.exception
    assert _rec(store, rid).fields["death_date"]["value"] == "2013-01-02"
    at.button(key="approve").click().run()
    assert _rec(store, rid).status == "approved"
    actions = [(h.user, h.action, h.field, h.reason) for h in history(store, rid)]
    assert actions[0] == ("rev", "edit", "death_date", "misread day") and actions[-1][:2] == ("rev", "approve")
    nxt = at.session_state["current"]
    assert nxt not in (None, rid) and f"Record {nxt}" in at.subheader[0].value
    assert R.claim_holder(store, rid) is None and R.claim_holder(store, nxt) == "rev"


def test_reject_needs_a_reason(env):
    store, _settings, _rows = env
    at = _login(_app(), "rev", "password-rev")
    at.button(key="start").click().run()
    rid = at.session_state["current"]
    at.button(key="reject").click().run()
    assert "needs a reason" in at.error[0].value and _rec(store, rid).status == "needs_review"
    at.text_input(key=f"reject_reason_{rid}").input("row crossed out in the ledger")
    at.button(key="reject").click().run()
    assert _rec(store, rid).status == "rejected"
    assert history(store, rid)[-1].reason == "row crossed out in the ledger"


def test_id_and_phone_numbers_are_masked_except_in_the_field_being_edited(env):
    store, _settings, _rows = env
    at = _login(_app(), "rev", "password-rev")
    at.button(key="start").click().run()
    rid = at.session_state["current"]
    fields = _rec(store, rid).fields
    idn, phone = fields["id_number"]["value"], fields["agent_phone"]["value"]
    at.multiselect(key=f"pick_{rid}").set_value([]).run()
    shown = _texts(at)
    assert idn not in shown and R.mask_for_screen("id_number", idn) in shown
    assert phone and phone not in shown
    at.multiselect(key=f"pick_{rid}").set_value(["id_number"]).run()
    assert at.text_input(key=f"edit_{rid}_id_number").value == fields["id_number"]["raw"]
    assert idn in _texts(at) and phone not in _texts(at)


def test_skip_gives_the_record_back_and_two_sessions_get_different_records(env):
    store, _settings, _rows = env
    a = _login(_app(), "rev", "password-rev")
    add_user(store, "rev2", "reviewer", "password-rev2")
    b = _login(_app(), "rev2", "password-rev2")
    a.button(key="start").click().run()
    b.button(key="start").click().run()
    ra, rb = a.session_state["current"], b.session_state["current"]
    assert ra != rb
    a.button(key="skip").click().run()
    assert R.claim_holder(store, ra) is None and a.session_state["current"] not in (ra, rb)
    # b opens a's current record by number: read only, no buttons to change it
    b.session_state["current"] = a.session_state["current"]
    b.run()
    assert any("being reviewed by rev" in w.value for w in b.warning)
    assert not [x for x in b.button if x.key == "approve"]


def test_duplicate_pair_side_by_side_and_merge(env):
    store, _settings, rows = env
    a, b = rows[0].record_id, rows[1].record_id
    with store.session() as s, s.begin():
        s.add(RecordLink(a_id=a, b_id=b, score=0.82, status="uncertain", evidence={"deceased_name": 0.95}))
    at = _login(_app(), "rev", "password-rev")
    at.sidebar.radio(key="nav").set_value("Duplicates").run()
    assert len(at.dataframe) == 2  # both records, side by side
    assert f"Record {a}" in _texts(at) and f"Record {b}" in _texts(at)
    at.button(key="merge").click().run()
    assert _rec(store, a).cluster_id == _rec(store, b).cluster_id
    with store.session() as s:
        assert s.query(RecordLink).one().decided_by == "rev"
    assert R.claim_holder(store, a) is None and R.claim_holder(store, b) is None


def test_an_administrator_sees_a_records_history_masked(env):
    store, settings, rows = env
    rid = rows[0].record_id
    from pipeline.corrections import correct_record

    old = _rec(store, rid).fields["id_number"]["value"]
    typed = old[:-1] + ("1" if old[-1] != "1" else "2")  # one digit changed
    correct_record(store, rid, {"id_number": typed}, user="rev", settings=settings, reason="scan")
    at = _login(_app(), "boss", "password-boss")
    at.sidebar.radio(key="nav").set_value("History").run()
    at.number_input(key="hist_id").set_value(rid).run()
    df = at.dataframe[0].value
    assert list(df["who"]) == ["rev"] and list(df["field"]) == ["id_number"] and list(df["why"]) == ["scan"]
    cells = json.dumps(df.astype(str).values.tolist(), ensure_ascii=False)
    assert old not in cells and typed not in cells
    assert R.mask_for_screen("id_number", old) in cells


def test_two_keyer_ledger_hides_the_ocr_value(env):
    store, settings, _rows = env
    ledger = R.queue(store).items[0].ledger_id
    R.set_ledger(store, ledger, user="boss", two_keyer=True)
    at = _login(_app(), "rev", "password-rev")
    at.button(key="start").click().run()
    rid = at.session_state["current"]
    view = R.record_view(store, rid, settings)
    names = R.blind_fields(view)
    for n in names:
        assert at.text_input(key=f"blind_{rid}_{n}").value == ""
    assert all(f"<tr data-field='{n}'>" in at.html[0].value for n in names)
    assert at.html[0].value.count("hidden: key it blind") == len(names)
    for n in names:  # the OCR value of a field keyed blind is nowhere in its row
        row = at.html[0].value.split(f"<tr data-field='{n}'>", 1)[1].split("</tr>", 1)[0]
        assert "<code" not in row
    for n in names:
        at.text_input(key=f"blind_{rid}_{n}").input("9999")
    at.button(key=f"FormSubmitter:blind_{rid}-Submit keying").click().run()
    assert rid in dict(R.arbitration_queue(store))  # no flagged field of a seeded row reads 9999
    assert rid not in [it.record_id for it in R.queue(store, limit=1000).items]
    assert at.session_state["current"] != rid


def _row(at: AppTest, name: str) -> str:
    """The record view's table row of one field (its label, crop, value and reasons)."""
    return at.html[0].value.split(f"<tr data-field='{name}'>", 1)[1].split("</tr>", 1)[0]


def test_fields_show_the_spec_label_and_code_fields_their_code_label(env):
    store, settings, _rows = env
    at = _login(_app(), "rev", "password-rev")
    at.button(key="start").click().run()
    rid = at.session_state["current"]
    fields = _rec(store, rid).fields
    spec = load_spec(settings.spec_version)
    kind = spec.kind(_rec(store, rid).ledger_kind)
    assert "<b>逝者姓名</b>" in _row(at, "deceased_name") and "<b>火化日期</b>" in _row(at, "cremation_date")
    sex = fields["sex_code"]["value"]
    assert f"<code style='font-size:1.05em'>{sex} {spec.table('sex').codes[sex]}</code>" in _row(at, "sex_code")
    coded = [f for f in kind.fields if f.code_table and fields.get(f.name, {}).get("value")]
    assert len(coded) >= 4
    for f in coded:
        value = str(fields[f.name]["value"])
        assert f"{value} {spec.table(f.code_table).codes[value]}</code>" in _row(at, f.name), f.name


def test_the_as_read_label_keeps_the_ocr_text_after_a_correction(env):
    store, _settings, _rows = env
    at = _login(_app(), "rev", "password-rev")
    at.button(key="start").click().run()
    rid = at.session_state["current"]
    rec = _rec(store, rid)
    with store.session() as s:
        columns = s.get(Page, rec.page_id).layout["columns"]
    ocr = rec.cells[columns.index("agent_name")]["text"]
    typed = "王小明" if ocr != "王小明" else "李小红"
    at.multiselect(key=f"pick_{rid}").set_value(["agent_name"]).run()
    assert at.text_input(key=f"edit_{rid}_agent_name").label == f"agent_name · 经办人姓名 (as read: {ocr})"
    at.text_input(key=f"edit_{rid}_agent_name").input(typed)
    at.button(key=f"FormSubmitter:edit_{rid}-Save corrections").click().run()
    assert _rec(store, rid).fields["agent_name"]["value"] == typed
    box = at.text_input(key=f"edit_{rid}_agent_name")
    assert box.value == typed and box.label == f"agent_name · 经办人姓名 (as read: {ocr})"
    assert "corrected" in _row(at, "agent_name") and typed in _row(at, "agent_name")
