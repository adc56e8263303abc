"""The review workflow without Streamlit: users, claims (two reviewers at once), the queue, two-keyer mode."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from reviewing import approve_as_reviewer

from pipeline.kernel.config import Settings
from pipeline.kernel.store import Record, RecordLink, Store, User
from pipeline.review import queue as R
from pipeline.review.corrections import ApprovalRefused, ClaimError, CorrectionError, correct_record, decide, decide_link, history
from pipeline.review.users import UserError, add_user, authenticate, set_active
from samples.seed import seed_store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def seeded(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"))
    store = Store.open(settings)
    rows = seed_store(store, settings, kinds=("cremation",), pages=1, unsure_share=0.5)
    yield store, settings, rows
    store.dispose()


def _waiting(store: Store) -> list[int]:
    return [it.record_id for it in R.queue(store, limit=1000).items]


def _rec(store: Store, rid: int) -> Record:
    with store.session() as s:
        return s.get(Record, rid)


# --- users ------------------------------------------------------------------------------------
def test_passwords_are_hashed_with_argon2_and_checked(seeded):
    store, _settings, _rows = seeded
    add_user(store, "ann", "reviewer", "correct horse")
    with store.session() as s:
        stored = s.query(User).filter_by(username="ann").one().password_hash
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert authenticate(store, "ann", "correct horse").role == "reviewer"
    assert authenticate(store, "ann", "wrong horse") is None
    assert authenticate(store, "nobody", "correct horse") is None
    set_active(store, "ann", False)
    assert authenticate(store, "ann", "correct horse") is None
    with pytest.raises(UserError, match="already exists"):
        add_user(store, "ann", "reviewer", "another pw")
    with pytest.raises(UserError, match="role"):
        add_user(store, "bob", "boss", "long enough")
    with pytest.raises(UserError, match="too short"):
        add_user(store, "bob", "reviewer", "short")


def test_a_user_without_a_name_is_asked_for_one_chinese_first(tmp_path):
    """`backfill users add ""` (or a name of spaces) said 用户名“”不可用 - as if "" were a name badly
    chosen; now it asks for one, Chinese first, and adds nobody."""
    data = tmp_path / "d"
    for name in ("", "   "):
        res = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "users", "add", name, "--role", "reviewer", "--password-stdin"]
            + ["--data-dir", str(data)],
            input="long-enough-pw\n",
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT)},
        )
        assert res.returncode != 0 and "hint: 请填写用户名 / enter a user name" in res.stderr, res.stderr
        assert "不可用" not in res.stderr and "not valid" not in res.stderr, res.stderr
    with Store(f"sqlite:///{data / 'store.sqlite'}", data / "images") as store, store.session() as s:
        assert s.query(User).count() == 0


def test_users_cli_reads_the_password_from_stdin_never_argv(tmp_path):
    data = tmp_path / "d"
    cmd = [
        sys.executable,
        "-m",
        "pipeline.cli",
        "users",
        "add",
        "carol",
        "--role",
        "administrator",
        "--password-stdin",
        "--data-dir",
        str(data),
    ]
    res = subprocess.run(cmd, input="s3cret-pass\n", capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr
    assert "s3cret-pass" not in res.stdout + res.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "users", "list", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert "carol" in listed.stdout and "administrator" in listed.stdout
    # what it says, Chinese first like the other CLI messages (it said "added administrator carol")
    assert res.stdout.strip() == "已添加管理员 carol / added administrator carol", res.stdout
    assert listed.stdout.split() == ["carol", "管理员", "administrator", "已启用", "/", "active"], listed.stdout
    with Store(f"sqlite:///{data / 'store.sqlite'}", data / "images") as store:
        assert authenticate(store, "carol", "s3cret-pass") is not None


def _approve(store: Store, rid: int, user: str, settings: Settings) -> None:
    """A reviewer who checked every flagged value approves (the review contract: confirm, then approve)."""
    approve_as_reviewer(store, rid, user, settings, require_claim=True)


# --- claims: two reviewers at once ---------------------------------------------------------------
def test_two_reviewers_never_hold_or_edit_the_same_record(seeded, tmp_path):
    store_a, settings, _rows = seeded
    store_b = Store.open(settings)  # a second connection pool: the other reviewer's app session
    try:
        a = R.claim_next(store_a, "ann")
        b = R.claim_next(store_b, "bob")
        assert a is not None and b is not None and a != b
        with pytest.raises(ClaimError, match="ann"):
            R.claim(store_b, a, "bob")
        # bob cannot write to ann's record, by any path
        with pytest.raises(ClaimError):
            correct_record(store_b, a, {"deceased_name": "王小明"}, user="bob", settings=settings, require_claim=True)
        with pytest.raises(ClaimError):
            correct_record(store_b, a, {"deceased_name": "王小明"}, user="bob", settings=settings)
        with pytest.raises(ClaimError):
            decide(store_b, a, "approved", user="bob")
        # ann's write goes through; nothing of bob's is in the audit trail of her record
        correct_record(store_a, a, {"deceased_name": "王小明"}, user="ann", settings=settings, require_claim=True)
        _approve(store_a, a, "ann", settings)
        trail = [(h.user, h.action) for h in history(store_a, a)]
        assert trail[0] == ("ann", "edit") and trail[-1] == ("ann", "approve") and {u for u, _a in trail} == {"ann"}
    finally:
        store_b.dispose()


def test_an_expired_claim_passes_on_and_the_old_holder_cannot_overwrite(seeded):
    store, settings, _rows = seeded
    rid = R.claim_next(store, "ann", minutes=-1)  # already expired
    assert R.claim_holder(store, rid) is None
    assert R.claim(store, rid, "bob")
    correct_record(store, rid, {"deceased_name": "李四"}, user="bob", settings=settings, require_claim=True)
    # ann comes back from lunch and submits her form: refused, bob's value stays (no lost update)
    with pytest.raises(ClaimError, match="bob"):
        correct_record(store, rid, {"deceased_name": "张三"}, user="ann", settings=settings, require_claim=True)
    assert _rec(store, rid).fields["deceased_name"]["value"] == "李四"
    R.release(store, rid, "bob")
    with pytest.raises(ClaimError, match="not claimed"):
        decide(store, rid, "approved", user="bob", require_claim=True)


def test_racing_claims_on_one_record_have_exactly_one_winner(seeded):
    store, settings, _rows = seeded
    rid = _waiting(store)[0]
    stores = [Store.open(settings) for _ in range(6)]
    won: list[str] = []
    barrier = threading.Barrier(len(stores))

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            R.claim(stores[i], rid, f"rev{i}")
            won.append(f"rev{i}")
        except ClaimError:
            pass

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.dispose()
    assert len(won) == 1 and R.claim_holder(store, rid) == won[0]


@pytest.mark.postgres
def test_claims_hold_on_postgresql(pg_url, tmp_path):
    settings = Settings(data_dir=str(tmp_path / "d"), db_url=pg_url)
    with Store.open(settings) as store, Store.open(settings) as other:
        seed_store(store, settings, kinds=("cremation",), pages=1, unsure_share=0.5)
        a, b = R.claim_next(store, "ann"), R.claim_next(other, "bob")
        assert a != b
        with pytest.raises(ClaimError):
            R.claim(other, a, "bob")
        with pytest.raises(ClaimError):
            correct_record(other, a, {"deceased_name": "王小明"}, user="bob", settings=settings, require_claim=True)
        R.release(store, a, "ann")
        assert R.claim(other, a, "bob")


# --- the queue ---------------------------------------------------------------------------------
def test_queue_orders_duplicates_first_and_filters(seeded):
    store, _settings, rows = seeded
    waiting = _waiting(store)
    assert waiting and all(_rec(store, r).status == "needs_review" for r in waiting)
    by_conf = [it.min_confidence for it in R.queue(store, order="confidence").items]
    assert by_conf == sorted(by_conf)
    a, b = sorted(waiting)[-2:]
    with store.session() as s, s.begin():
        s.add(RecordLink(a_id=a, b_id=b, score=0.8, status="uncertain", evidence={"deceased_name": 0.9}))
    first = R.queue(store).items[:2]
    assert {it.record_id for it in first} == {a, b} and all(it.duplicate for it in first)
    assert {it.record_id for it in R.queue(store, R.QueueFilter(reason="duplicate")).items} == {a, b}
    assert R.queue(store, R.QueueFilter(year=2013)).total == len(waiting)
    assert R.queue(store, R.QueueFilter(year=2014)).total == 0
    assert R.queue(store, R.QueueFilter(funeral_home="370600100001")).total == len(waiting)
    assert R.queue(store, R.QueueFilter(funeral_home="999")).total == 0
    ledger_id = R.queue_facets(store).ledgers[0][0]
    assert R.queue(store, R.QueueFilter(ledger_id=ledger_id)).total == len(waiting)
    # a record approved leaves the queue
    R.claim(store, waiting[0], "ann")
    _approve(store, waiting[0], "ann", _settings)
    assert waiting[0] not in _waiting(store)


def test_a_ledger_raised_by_an_administrator_comes_first(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "d"))
    with Store.open(settings) as store:
        seed_store(store, settings, kinds=("cremation", "sea_burial"), pages=1, unsure_share=0.6)
        facets = R.queue_facets(store)
        assert len(facets.ledgers) == 2
        last = R.queue(store, limit=1000).items[-1].ledger_id
        R.set_ledger(store, last, user="admin", priority=5)
        assert R.queue(store).items[0].ledger_id == last


def test_merge_decision_needs_both_claims(seeded):
    store, _settings, rows = seeded
    a, b = rows[0].record_id, rows[1].record_id
    with store.session() as s, s.begin():
        link = RecordLink(a_id=a, b_id=b, score=0.8, status="uncertain", evidence={})
        s.add(link)
        s.flush()
        lid = link.id
    item = R.uncertain_links(store)[0]
    R.claim(store, b, "bob")
    with pytest.raises(ClaimError):
        R.claim_link(store, item, "ann")
    assert R.claim_holder(store, a) is None  # all or nothing
    R.release(store, b, "bob")
    R.claim_link(store, item, "ann")
    decide_link(store, lid, "merged", user="ann", require_claim=True)
    assert _rec(store, a).cluster_id == _rec(store, b).cluster_id
    assert [h.action for h in history(store, a)] == ["merge"]


# --- two-keyer mode ----------------------------------------------------------------------------
def test_two_keyer_agreement_approves_and_disagreement_goes_to_an_arbitrator(seeded):
    store, settings, _rows = seeded
    first = R.queue(store).items[0]
    R.set_ledger(store, first.ledger_id, user="admin", two_keyer=True)
    # 1) agreement: the keyer types what the ledger says (= the OCR value's printed text)
    rid = R.claim_next(store, "ann")
    view = R.record_view(store, rid, settings)
    assert view.two_keyer
    names = R.blind_fields(view)
    assert names
    raw = {f.name: f.raw for f in view.fields}
    out = R.submit_blind(store, rid, {n: raw[n] for n in names}, user="ann", settings=settings)
    assert out.disputed == [] and _rec(store, rid).status == "approved"
    # 2) disagreement: the record leaves the queue and waits for an arbitrator
    rid2 = R.claim_next(store, "ann")
    names2 = R.blind_fields(R.record_view(store, rid2, settings))
    typed = {n: "王五" if n.endswith("name") else "2013-02-03" for n in names2}
    out2 = R.submit_blind(store, rid2, typed, user="ann", settings=settings)
    assert out2.disputed
    assert rid2 not in _waiting(store)
    assert rid2 not in dict(R.arbitration_queue(store, exclude_keyer="ann"))
    assert rid2 in dict(R.arbitration_queue(store))
    R.claim(store, rid2, "ann")
    with pytest.raises(ClaimError, match="cannot arbitrate"):
        R.arbitrate(store, rid2, {n: None for n in out2.disputed}, user="ann", settings=settings)
    R.release(store, rid2, "ann")
    R.claim(store, rid2, "carl")
    field = out2.disputed[0]
    try:
        R.arbitrate(store, rid2, {field: typed[field]}, user="carl", settings=settings, reason="keyer was right")
    except ApprovalRefused as e:  # a flagged field nobody could key blind (no cell): back in the queue for a look
        assert e.gaps and rid2 in _waiting(store) and R.arbitration_queue(store) == []
        R.claim(store, rid2, "carl")
        _approve(store, rid2, "carl", settings)
    rec = _rec(store, rid2)
    assert rec.status == "approved" and rec.overrides.get(field) == typed[field]
    actions = [(h.user, h.action, h.field) for h in history(store, rid2)]
    assert ("carl", "edit", field) in actions and ("carl", "approve", None) in actions
    assert R.arbitration_queue(store) == []


def test_record_view_without_a_scan_and_masks(seeded):
    store, settings, rows = seeded
    view = R.record_view(store, rows[0].record_id, settings)
    assert view.clean_image is None and all(f.box is None for f in view.fields)
    idn = next(f for f in view.fields if f.name == "id_number").value
    masked = R.mask_for_screen("id_number", idn)
    assert masked != idn and masked[:4] == idn[:4] and idn[6:14] not in masked
    assert R.mask_for_screen("deceased_name", "王小明") == "王小明"
    with pytest.raises(CorrectionError):
        R.record_view(store, 10_000, settings)


def test_users_cli_without_a_terminal_says_to_use_password_stdin_not_a_traceback(tmp_path):
    """`backfill users add` from a script (stdin not a terminal, no --password-stdin) ended in getpass's
    EOFError traceback; now one Chinese-first line says how to give the password."""
    cmd = [sys.executable, "-m", "pipeline.cli", "users", "add", "dave", "--role", "reviewer", "--data-dir", str(tmp_path / "d")]
    res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})
    assert res.returncode == 15, res.stderr[-2000:]
    assert "Traceback" not in res.stderr and "--password-stdin" in res.stderr and "没有终端" in res.stderr, res.stderr
