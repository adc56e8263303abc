"""Security: the review app refuses every screen without login and every screen beyond the role; no SQL
built by string formatting anywhere in the source; paths from outside (scan folders, symlinks, file
names, image ids from the database) cannot escape their folder; passwords kept as argon2 hashes."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from seeded import open_copy, seed_once
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from pipeline.kernel.config import Settings
from pipeline.kernel.safety import inside, is_sha256, safe_file_name
from pipeline.kernel.store import ImageStore, Quarantine, SourceFile, Store, User
from pipeline.page.intake import register_folder
from pipeline.review.users import Account, add_user
from review_app.i18n import t
from samples.seed import seed_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "review_app" / "app.py")

# every screen of the app, the heading it shows (Chinese, the default language), and the roles that may see it
SCREENS = {
    "queue": (t("queue.title", "zh"), {"reviewer", "administrator"}),
    "record": (t("rec.title", "zh"), {"reviewer", "administrator"}),
    "duplicates": (t("dup.title", "zh"), {"reviewer", "administrator"}),
    "arbitration": (t("arb.title", "zh"), {"reviewer", "administrator"}),
    "intake": (t("intake.title", "zh"), {"archivist", "administrator"}),
    "users": (t("users.title", "zh"), {"administrator"}),
    "ledgers": (t("ledgers.title", "zh"), {"administrator"}),
    "history": (t("hist.title", "zh"), {"administrator"}),
    "completion": (t("done.title", "zh"), {"administrator"}),
    "quality": ("抽检质量", {"administrator"}),
    "thresholds": ("自动通过阈值", {"administrator"}),
    "lexicon": ("地名词库", {"administrator"}),
    "crosscheck": ("名册核查", {"reviewer", "administrator"}),
}
LOGIN_LABELS = [t("login.user", "zh"), t("login.password", "zh")]
ACCOUNTS = {
    "reviewer": ("rev", "password-rev"),
    "archivist": ("arch", "password-arch"),
    "administrator": ("boss", "password-boss"),
}


def _seed(store: Store, settings: Settings) -> None:
    seed_store(store, settings, kinds=("cremation",), pages=1, unsure_share=0.5)
    for role, (user, pw) in ACCOUNTS.items():
        add_user(store, user, role, pw)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A ledger page of cremation records and one user a role, seeded once for the module."""
    return seed_once(tmp_path_factory, "security-seed", _seed)[0]


@pytest.fixture()
def app_env(tmp_path, monkeypatch, seeded):
    """The module's seeded store copied for this test alone."""
    store, _settings = open_copy(seeded, tmp_path, monkeypatch)
    yield store
    store.dispose()


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def _headers(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def test_no_screen_shows_without_login(app_env):
    for name in SCREENS:
        at = _app()
        at.session_state["nav"] = name  # asking for a screen by its name, without logging in
        at.run()
        assert not at.exception
        assert _headers(at) == [] and [w.label for w in at.text_input] == LOGIN_LABELS, name
        assert not at.dataframe and not at.metric and not at.sidebar.radio


@pytest.mark.parametrize("role", sorted(ACCOUNTS))
def test_every_screen_beyond_the_role_is_refused(app_env, role):
    user, pw = ACCOUNTS[role]
    at = _app()
    at.text_input(key="login_user").input(user)
    at.text_input(key="login_password").input(pw)
    at.button[0].click().run()
    allowed = {n for n, (_h, roles) in SCREENS.items() if role in roles}
    assert set(at.sidebar.radio(key="nav").options) == {t(f"nav.{n}", "zh") for n in allowed}
    for name, (heading, roles) in SCREENS.items():
        # a session that asks for the screen by name (the navigation only offers the allowed ones);
        # the role is read again from the user store at every run, never taken from the session
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["account"] = Account(user, "administrator", True)  # a forged role in the session
        at.session_state["nav"] = name
        at.run()
        assert not at.exception
        if role in roles:
            assert heading in _headers(at), (role, name)
        else:  # sent back to a screen of its own
            assert heading not in _headers(at), (role, name)
            assert at.session_state["nav"] in allowed and at.session_state["account"].role == role


def test_an_unknown_account_in_the_session_gets_the_login_form(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["account"] = Account("intruder", "administrator", True)
    at.session_state["nav"] = "users"
    at.run()
    assert _headers(at) == [] and [w.label for w in at.text_input] == LOGIN_LABELS


def test_a_disabled_user_is_logged_out_at_the_next_click(app_env):
    from pipeline.review.users import set_active

    at = _app()
    at.text_input(key="login_user").input("rev")
    at.text_input(key="login_password").input("password-rev")
    at.button[0].click().run()
    assert t("queue.title", "zh") in _headers(at)
    set_active(app_env, "rev", False)
    at.run()
    assert _headers(at) == [] and [w.label for w in at.text_input] == LOGIN_LABELS


def test_passwords_are_kept_as_argon2_hashes_only(app_env):
    with app_env.session() as s:
        users = list(s.scalars(select(User)))
    assert users and all(u.password_hash.startswith("$argon2id$") for u in users)
    assert not any(pw in u.password_hash for u in users for _user, pw in ACCOUNTS.values())


# ---- no SQL built by string formatting ---------------------------------------------------------
SQL_CALLS = {"execute", "exec_driver_sql", "text", "executemany", "executescript", "SQL", "copy"}
SOURCE_DIRS = ("pipeline", "mapping", "ocr", "flows", "review_app", "samples", "bench", "tests", "scripts")


def _formatted(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return not (isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        return isinstance(node.func.value, ast.Constant)
    return False


def _streamlit_call(call: ast.Call) -> bool:
    """st.text(...), st.code(...): Streamlit showing text on the page, no SQL."""
    return isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) and call.func.value.id == "st"


def sql_built_by_formatting(tree: ast.AST) -> list[int]:
    """Lines where execute()/text()/exec_driver_sql()/sql.SQL()... get a string built by f-string, % , + or
    .format(), directly or through a variable assigned such a string in the same function."""
    bad: list[int] = []
    for scope in [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        built = {
            t.id
            for n in ast.walk(scope)
            if isinstance(n, ast.Assign) and _formatted(n.value)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for n in ast.walk(scope):
            if not isinstance(n, ast.Call) or not n.args:
                continue
            name = n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            if name not in SQL_CALLS or _streamlit_call(n):
                continue
            arg = n.args[0]
            if _formatted(arg) or (isinstance(arg, ast.Name) and arg.id in built):
                bad.append(n.lineno)
    return sorted(set(bad))


def test_the_scanner_catches_formatted_sql():
    code = (
        "def f(c, t, v):\n    c.execute(f'select * from {t}')\n    q = 'delete from %s' % t\n    c.execute(q)\n"
        "    c.execute(text('select 1'))\n    c.execute(text('select :v'), {'v': v})\n    c.exec_driver_sql('x' + t)\n"
        "    st.text('\\n'.join(v))\n    c.execute(text('\\n'.join(v)))\n"
    )
    assert sql_built_by_formatting(ast.parse(code)) == [2, 4, 7, 9]


def test_no_sql_is_built_by_string_formatting_anywhere():
    found = []
    for d in SOURCE_DIRS:
        for path in sorted((ROOT / d).rglob("*.py")):
            if ".venv" in path.parts:
                continue
            lines = sql_built_by_formatting(ast.parse(path.read_text(encoding="utf-8"), str(path)))
            found += [f"{path.relative_to(ROOT)}:{n}" for n in lines]
    assert found == []


# ---- paths cannot escape ------------------------------------------------------------------------
def test_image_ids_from_the_database_cannot_name_a_path(tmp_path):
    images = ImageStore(tmp_path / "images")
    sha = images.put(np.zeros((4, 4, 3), np.uint8))
    assert is_sha256(sha) and images.path(sha).parent.parent == tmp_path / "images"
    for bad in ("../../../etc/passwd", "/etc/passwd", "ab/../../x", sha.upper(), sha[:-1] + "g", "", None):
        with pytest.raises(ValueError):
            images.path(bad)
        with pytest.raises(FileNotFoundError):
            images.get(bad)


def test_a_symlink_out_of_the_scan_folder_is_never_read_nor_copied(tmp_path):
    secret = tmp_path / "outside" / "secret.jpg"
    secret.parent.mkdir()
    secret.write_bytes(b"\xff\xd8 not for the pipeline")
    (tmp_path / "outside" / "more").mkdir()
    (tmp_path / "outside" / "more" / "x.png").write_bytes(b"png?")
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "link.jpg").symlink_to(secret)
    (scans / "linked_dir").symlink_to(tmp_path / "outside" / "more", target_is_directory=True)
    settings = Settings(data_dir=str(tmp_path / "data"))
    with Store.open(settings) as store:
        res = register_folder(store, scans, None, settings)
        with store.session() as s:
            assert list(s.scalars(select(SourceFile))) == []
            rows = list(s.scalars(select(Quarantine)))
    got = {q.rel_path: q.reason for q in res.quarantined}
    assert got.get("link.jpg") == "outside_folder"
    assert set(got.values()) == {"outside_folder"}
    assert all(r.copy_path is None for r in rows)
    assert not (settings.data_path / "quarantine").exists() or not any((settings.data_path / "quarantine").iterdir())


def test_hidden_entries_and_symlinks_in_the_scan_folder_are_each_said_skipped_and_why(tmp_path):
    """Dotfiles, dot-folders and links to folders were dropped without a word: an archivist whose scans
    sat behind one saw "no scan in this folder". Each is now listed under 已跳过, with its reason, Chinese
    first, its name escaped; no link is followed (outside: not ours to read; inside: its target is read
    under its own path, once); the one link to a scan file outside stays quarantined, as before."""
    from pipeline.cli.main import format_summary
    from pipeline.runs.stages import run_folder

    outside = tmp_path / "outside"
    (outside / "more").mkdir(parents=True)
    (outside / "more" / "x.png").write_bytes(b"png?")
    (outside / "secret.jpg").write_bytes(b"\xff\xd8 not for the pipeline")
    scans = tmp_path / "scans"
    (scans / "vol1").mkdir(parents=True)
    (scans / "vol1" / "p1.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")  # quarantined: read once, by its own path
    (scans / ".DS_Store").write_bytes(b"\0")
    (scans / ".sync").mkdir()
    (scans / ".sync" / "copy.jpg").write_bytes(b"\xff\xd8 a hidden copy")
    (scans / ".x\n  fake.jpg: [ok] 已入库").write_bytes(b"hostile")
    (scans / "卷二").symlink_to(outside / "more", target_is_directory=True)
    (scans / "again").symlink_to(scans / "vol1", target_is_directory=True)
    (scans / "again.png").symlink_to(scans / "vol1" / "p1.png")
    (scans / "gone.jpg").symlink_to(tmp_path / "nowhere.jpg")
    (scans / "secret.jpg").symlink_to(outside / "secret.jpg")
    settings = Settings(data_dir=str(tmp_path / "data"))
    sm = run_folder(scans, settings).to_dict()
    text = format_summary(sm, settings)
    said = {q["path"]: q["reason"] for q in sm["passed_over"]}
    assert said == {
        ".DS_Store": "hidden",
        ".sync": "hidden",
        ".x\n  fake.jpg: [ok] 已入库": "hidden",
        "卷二": "link_outside",
        "again": "link_inside",
        "again.png": "link_inside",
        "gone.jpg": "link_broken",
    }, said
    lines = text.splitlines()
    assert "已跳过（隐藏文件和符号链接：不读取、不跟随） / skipped (" in text, text
    for name, words in (
        (".DS_Store", "已跳过：隐藏文件 / "),
        ("卷二", "已跳过：符号链接指向扫描目录之外 / "),
        ("again", "已跳过：符号链接指向扫描目录之内 / "),
        ("gone.jpg", "已跳过：符号链接的目标不存在 / "),
    ):
        line = next(x for x in lines if x.startswith(f"  {name}: ["))
        assert line.split("] ", 1)[1].startswith(words), line
    assert "指向 vol1，未跟随" in next(x for x in lines if x.startswith("  again: ["))
    hostile = [x for x in lines if "fake.jpg" in x]
    assert hostile == ['  ".x\\n  fake.jpg: [ok] 已入库": [hidden] ' + hostile[0].split("[hidden] ", 1)[1]], hostile
    assert not any(x.lstrip().startswith("fake.jpg") for x in lines)
    # nothing read twice, nothing outside read, nothing hidden read
    assert [q["file"] for q in sm["quarantined"]] == ["secret.jpg", "vol1/p1.png"]
    assert sm["quarantined"][0]["reason"] == "outside_folder" and sm["files"] == 2
    with Store.open(settings) as store, store.session() as s:
        assert sorted(q.rel_path for q in s.scalars(select(Quarantine))) == ["secret.jpg", "vol1/p1.png"]
        assert list(s.scalars(select(SourceFile))) == []
    # an inside link to the scan folder itself (a loop) is skipped too
    (scans / "loop").symlink_to(scans, target_is_directory=True)
    from pipeline.page.intake import discover

    assert {r.path.name: r.reason for r in discover(scans.resolve())[3]}["loop"] == "link_inside"


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "..", ".hidden", "a/b\\c.pdf", "烟台 殡仪馆 $(rm -rf x);'a'.jpg", "x" * 400 + ".pdf", "\x00\n.jpg"],
)
def test_copy_names_are_one_plain_component(tmp_path, name):
    safe = safe_file_name(name)
    assert safe and "/" not in safe and "\\" not in safe and not safe.startswith(".") and len(safe) <= 100
    assert not set(" $();'\"\x00\n") & set(safe)
    assert inside(tmp_path, tmp_path / safe)


# ---- issue 25: passwords never printed, personal data owner-only ---------------------------------------
from clirun import backfill  # noqa: E402

from pipeline.kernel.config import mask_url  # noqa: E402

HIDDEN = "S3cretPw"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://:{HIDDEN}@127.0.0.1:1/x",  # empty user
        f"postgresql://loader@127.0.0.1:1/x?password={HIDDEN}",  # password in the query string
        "postgresql://loader:S3c@retPw@127.0.0.1:1/x",  # an unescaped '@' in the password
    ],
)
def test_passwords_are_masked_through_the_url_parser_in_every_form(tmp_path, url):
    """The password (or the tail an unescaped '@' cut off) was printed in the connection error."""
    secret_parts = ["retPw", HIDDEN]  # the tail an '@' cuts off: what a driver echoes as a host name
    masked = mask_url(url)
    assert not any(p in masked for p in secret_parts) and "***" in masked and "127.0.0.1:1/x" in masked
    for args in (["status", "--db", url], ["migrate", "--platform", url]):
        res = backfill(*args, cwd=tmp_path, env={"BACKFILL_DATA_DIR": str(tmp_path / "d")}, timeout=120)
        printed = res.stdout + res.stderr
        assert res.returncode == 6, printed[-2000:]
        assert "Traceback" not in printed and "***" in printed, printed[-2000:]
        assert not any(p in printed for p in secret_parts), printed[-2000:]
    if "S3c@" in url:  # what psycopg says of such a URL, whatever the server: the tail taken for a host name
        from pipeline.kernel.config import mask_secrets, url_secrets

        assert "retPw" not in mask_secrets("failed to resolve host 'retPw@127.0.0.1'", url_secrets(url))


def test_files_with_personal_data_are_written_owner_only(tmp_path):
    """The export CSV (full ID and phone numbers) was written 0644; now exports, packages, the SQLite
    store and platform are 0600 and the data folder and package folder 0700 by default."""
    data = tmp_path / "backfill-data"
    settings = Settings(data_dir=str(data))
    res = backfill("status", cwd=tmp_path)  # a new data folder and store, made by the CLI
    assert res.returncode == 0, res.stderr[-2000:]
    with Store.open(settings) as store:
        seed_store(store, settings, kinds=("cremation",), pages=1)
    for args in (["export", "--out", "out/export.csv"], ["load"], ["export-package", "--out", "out/package"]):
        res = backfill(*args, cwd=tmp_path)
        assert res.returncode == 0, res.stderr[-2000:]

    def mode(p: Path) -> int:
        return p.stat().st_mode & 0o777

    assert mode(data) == 0o700
    for f in (data / "store.sqlite", data / "platform.sqlite", tmp_path / "out" / "export.csv"):
        assert mode(f) == 0o600, (f, oct(mode(f)))
    pkg = tmp_path / "out" / "package"
    assert mode(pkg) == 0o700 and {mode(f) for f in pkg.iterdir()} == {0o600}
    # the library, called without the CLI's umask, does the same
    from pipeline.platform.export import export_csv

    with Store.open(settings) as store:
        export_csv(store, tmp_path / "lib.csv", settings.spec_version)
    assert mode(tmp_path / "lib.csv") == 0o600
