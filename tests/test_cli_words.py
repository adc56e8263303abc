"""`backfill --help` and every `backfill COMMAND --help` read Chinese first, argparse's own words too."""

from __future__ import annotations

import argparse
import re

import pytest

from pipeline.cli.main import build_parser, main
from pipeline.kernel.safety import display_width

CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese_first(text: str | None) -> bool:
    """Chinese before the English: the words before " (English)" say it in Chinese (names such as CSV,
    Prefect, --load may stand among them)."""
    return bool(text) and len(CJK.findall(str(text).split(" (", 1)[0])) >= 3


def _parsers(p: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, p
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sp in action.choices.items():
                yield from _parsers(sp, (*path, name))


PARSERS = list(_parsers(build_parser()))


def test_every_command_is_walked():
    names = {" ".join(path) for path, _ in PARSERS}
    assert {"", "run", "status", "users add", "lexicon accept", "audit recheck", "crosscheck-close"} <= names
    assert len(PARSERS) > 30


@pytest.mark.parametrize("path,parser", PARSERS, ids=[" ".join(p) or "backfill" for p, _ in PARSERS])
def test_each_help_says_what_it_does_in_chinese_first(path, parser, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert chinese_first(parser.description), f"backfill {' '.join(path)}: no Chinese description"
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        assert chinese_first(action.help), f"backfill {' '.join(path)} {action.dest}: {action.help!r}"
    text = parser.format_help()
    assert text.startswith("用法 usage: backfill")
    assert "选项 (options):" in text and "显示本帮助并退出" in text
    for english in ("\nusage:", "\noptions:", "positional arguments", "show this help message and exit"):
        assert english not in text
    body = text.split("\n\n", 1)[1]  # past the usage: wrapped by display width (a Chinese character is 2 columns)
    assert max(display_width(line) for line in body.splitlines()) <= 80


def test_a_wrong_command_line_is_refused_in_chinese(capsys):
    with pytest.raises(SystemExit) as e:
        main(["run"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "用法 usage: backfill run" in err
    assert "命令参数有误 / 缺少必需的参数 scans_dir" in err
    with pytest.raises(SystemExit):
        main(["status", "--by", "month"])
    assert "无效的选择 'month'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["status", "--no-such-option"])
    assert "无法识别的参数 --no-such-option" in capsys.readouterr().err


def test_other_parsers_in_the_process_keep_argparse_s_own_words():
    build_parser().format_help()
    other = argparse.ArgumentParser(prog="other")
    assert other.format_help().startswith("usage: other") and "show this help message and exit" in other.format_help()


def test_a_bad_settings_file_is_said_chinese_first_naming_the_file_and_each_value(tmp_path, monkeypatch, capsys):
    """backfill.toml with two bad values: the error named neither the file nor anything in Chinese
    ("hint: 提示 / see README, section Configuration")."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKFILL_CONFIG", raising=False)
    (tmp_path / "backfill.toml").write_text('page_workers = -1\naudit_share = "lots"\ncolour = 1\n', encoding="utf-8")
    assert main(["status"]) == 5
    err = capsys.readouterr().err
    hint = next(line for line in err.splitlines() if line.startswith("hint: "))
    assert hint.startswith("hint: 设置有误（设置文件 backfill.toml）："), hint
    for said in ("page_workers 应为 0 到 64 之间的整数", "不能是 -1", "audit_share 应为 0 到 1 之间的数，不能是文本 'lots'"):
        assert said in hint, hint
    assert "没有名为 'colour' 的设置" in hint
    (tmp_path / "backfill.toml").write_text("page_workers = 2\n[x\n", encoding="utf-8")
    assert main(["status"]) == 5
    assert "hint: 设置文件 backfill.toml 不是有效的 TOML（UTF-8 编码）：请检查第 2 行第 3 列附近的引号" in capsys.readouterr().err


def test_a_run_on_a_folder_without_scans_says_so(tmp_path, monkeypatch, capsys):
    """An empty folder (or one of notes only) gave a summary of zeros and nothing else."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKFILL_CONFIG", raising=False)
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "readme.txt").write_text("notes", encoding="utf-8")
    assert main(["run", "scans", "--no-prefect", "--data-dir", str(tmp_path / "data")]) == 0
    out = capsys.readouterr().out
    assert "该文件夹（含子文件夹）中没有扫描件（.jpeg、.jpg、.pdf、.png、.tif、.tiff）：请检查路径" in out


def _hints() -> list[tuple[str, int, str]]:
    """Every hint= written as text in the product's code: (file, line, its first words)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = []
    for folder in ("pipeline", "ocr", "mapping", "flows"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.keyword) and node.arg == "hint":
                    value = node.value
                    while isinstance(value, (ast.BinOp, ast.IfExp)):  # "..." + x, a if c else b: the first part
                        value = value.left if isinstance(value, ast.BinOp) else value.body
                    if isinstance(value, ast.JoinedStr):  # an f-string: its text, {} for what it puts in
                        text = "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in value.values)
                        value = ast.Constant(text)
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        out.append((str(path.relative_to(root)), node.lineno, value.value))
    return out


def test_every_hint_the_cli_prints_says_what_to_do_in_chinese_first():
    """ "hint: 提示 / check --platform / BACKFILL_PLATFORM_URL": a Chinese reader got the word for hint and
    nothing to act on. Install commands (pip, apt-get) are read as they are."""
    hints = _hints()
    assert len(hints) > 30
    english = [
        (f, line, text[:50])
        for f, line, text in hints
        if len(CJK.findall(text.split(" / ", 1)[0])) < 3 and not text.startswith(("pip ", "apt-get "))
    ]
    assert not english, english


def test_the_listing_commands_answer_in_chinese_first(tmp_path, monkeypatch, backfill_cli):
    """What the administrator's commands print on a store with nothing yet: English only before
    ("0 volume(s), 0 pages expected", "no suggestion", "no check yet", "nothing changed", "no differences")."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKFILL_CONFIG", raising=False)
    data = ["--data-dir", str(tmp_path / "data")]
    said = {
        ("inventory", "list"): "共 0 册，应有 0 页 / ",
        ("calibrate", "--list"): "default  出厂阈值（在生成的登记簿上拟合）/ ",
        ("lexicon", "list"): "暂无建议 / no suggestion",
        ("lexicon", "versions"): "default  仅官方名录 / official lists only  <- 正在使用 in use",
        ("crosscheck-list",): "还没有核查 / no check yet",
        ("audit", "check", "--user", "boss"): "没有卷册需要处理 / nothing changed",
        ("audit", "draw", "--user", "boss"): "在 0 册中抽出 0 条盲审样本",
        ("reconcile",): "工作库与平台一致 / no differences",
        ("status", "--quality"): "盲审：已从 0 条自动接受记录中抽出 0 条",
    }
    for args, start in said.items():
        out = backfill_cli(*args, *data)
        assert start in out, (args, out)
    out = backfill_cli("reconcile", *data)
    assert out.splitlines()[0].split() == ["实体集", "殡仪馆代码", "应有", "平台上", "缺少", "多出", "不同", "卷册"]


def test_a_refused_user_or_input_file_is_said_in_chinese(tmp_path, monkeypatch, capsys):
    """The error "无法完成 / the password for ann is too short (at least 8 characters)" said nothing in Chinese
    of what to do; an inventory CSV with a bad line was labelled 扫描件无法读取 (a scan cannot be read)."""
    import io

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKFILL_CONFIG", raising=False)
    data = ["--data-dir", str(tmp_path / "data")]
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "add", "ann", "--role", "reviewer", "--password-stdin", *data]) != 0
    assert "hint: 密码太短：至少 8 个字符" in capsys.readouterr().err
    assert main(["users", "disable", "nobody", *data]) != 0
    assert "hint: 没有这个用户：现有用户见 backfill users list" in capsys.readouterr().err
    (tmp_path / "inv.csv").write_text("funeral_home,ledger_kind\nx,y\n", encoding="utf-8")
    assert main(["inventory", "import", "inv.csv", *data]) == 3
    err = capsys.readouterr().err
    assert err.startswith(
        "error: 输入文件无法使用 / inv.csv：1 行有误，未导入任何卷册，逐行列于下方 / 1 bad line(s), nothing imported, "
        "listed below\n  第 1 行：缺少列 "
    )
    assert " / line 1: missing column(s) " in err and "\\n" not in err


def test_a_data_folder_that_cannot_be_made_is_named_with_its_reason_in_chinese_first(tmp_path, monkeypatch, capsys):
    """Before: "error: 无法完成 / cannot create the data folder f/d: File exists", the reason in the OS's
    English only (and misleading: what exists is a file where a folder should be)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKFILL_CONFIG", raising=False)
    (tmp_path / "f").write_text("not a folder", encoding="utf-8")
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "a.jpg").write_bytes(b"x")
    for argv in (["run", "scans", "--no-prefect", "--data-dir", "f/d"], ["status", "--data-dir", "f/d"]):
        assert main(argv) != 0
        err = capsys.readouterr().err
        assert "无法创建数据文件夹 f/d：路径中有一段是文件而不是文件夹 / cannot create the data folder f/d: " in err
        assert "File exists" not in err and "Traceback" not in err


@pytest.mark.slow
def test_backfill_review_says_where_it_listens_in_chinese_first_and_nothing_in_english_only(tmp_path):
    """`backfill review` printed "review app on http://127.0.0.1:8501  (Ctrl+C stops it)" and then
    Streamlit's own "You can now view your Streamlit app in your browser."."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from pipeline.kernel.localhttp import free_port, wait_until_healthy

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("BACKFILL_CONFIG", None)
    cmd = [sys.executable, "-m", "pipeline.cli", "review", "--data-dir", str(tmp_path / "data"), "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, timeout=90, every=0.3, name="`backfill review`")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out = proc.communicate(timeout=30)[0].decode("utf-8", "replace")
    assert f"审核应用地址 http://127.0.0.1:{port}（按 Ctrl+C 停止）" in out, out
    assert "还没有用户：请用" in out  # no user yet: said Chinese first
    assert "You can now view" not in out and "Local URL" not in out, out


def test_every_error_an_ocr_engine_raises_says_what_is_wrong_in_chinese_first():
    """ "error: 缺少所需的程序或模型 / the paddleocr engine needs the package(s) ..." told a Chinese reader only
    the kind of failure (`backfill engines`, a run with a missing model or a bad engine setting): each
    message the engines raise for a user (settings, packages, models, a failed reading) starts in Chinese."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    said = []
    for path in (root / "ocr").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                name = getattr(node.exc.func, "id", "")
                if name not in ("ConfigError", "MissingDependencyError", "ModelMissingError", "PageError"):
                    continue
                value = node.exc.args[0]
                while isinstance(value, ast.BinOp):  # "..." + x: the first part
                    value = value.left
                if isinstance(value, ast.JoinedStr):
                    value = ast.Constant("".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in value.values))
                text = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else ""
                said.append((str(path.relative_to(root)), node.lineno, text))
    assert len(said) > 15
    english = [(f, line, text[:50]) for f, line, text in said if len(CJK.findall(text.split(" / ", 1)[0])) < 3]
    assert not english, english


def test_an_export_that_cannot_be_written_says_why_in_chinese_first(tmp_path, monkeypatch, capsys):
    """Before: "无法写出文件 / cannot write the export f/x.csv: File exists; nothing was written" (the OS's
    English words for a file standing where a folder was to be made)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKFILL_CONFIG", raising=False)
    (tmp_path / "f").write_text("not a folder", encoding="utf-8")
    (tmp_path / "out").mkdir()
    data = ["--data-dir", str(tmp_path / "data")]
    assert main(["export", "--out", "f/x.csv", *data]) == 9
    err = capsys.readouterr().err
    assert "无法写出 f/x.csv：路径中有一段是文件而不是文件夹，未写出任何内容 / cannot write the export f/x.csv: " in err
    assert "File exists" not in err
    assert main(["export", "--out", "out", *data]) == 9
    assert "无法写出 out：这是一个文件夹，请给出其中的文件名" in capsys.readouterr().err


def test_a_database_that_cannot_be_reached_is_said_on_one_line(tmp_path, monkeypatch, capsys):
    """The driver's own message spans lines ("...refused\\n\\tIs the server running..."): it was printed with
    the line breaks written out as \\n\\t in the middle of the error line."""
    pytest.importorskip("psycopg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKFILL_CONFIG", raising=False)
    data = ["--data-dir", str(tmp_path / "data")]
    for argv in (
        ["load", "--platform", "postgresql://u:pw@127.0.0.1:1/x", *data],
        ["status", "--db", "postgresql://u:pw@127.0.0.1:1/x"],
    ):
        assert main(argv) == 6
        err = capsys.readouterr().err
        assert err.startswith("error: 数据库无法使用 / ") and "Connection refused" in err
        assert "\\n" not in err and "\\t" not in err and "pw" not in err


def _raised_messages() -> list[tuple[str, int, str]]:
    """Every error the CLI's commands raise with a written message: (file, line, its first words)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = []
    for path in (root / "pipeline" / "cli").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                value = node.exc.args[0]
                while isinstance(value, (ast.BinOp, ast.IfExp)):
                    value = value.left if isinstance(value, ast.BinOp) else value.body
                if isinstance(value, ast.JoinedStr):
                    value = ast.Constant("".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in value.values))
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    out.append((str(path.relative_to(root)), node.lineno, value.value))
    return out


def test_every_error_the_cli_raises_says_it_in_chinese_first():
    """ "error: 无法完成 / say where to fit from: --from-reviews": the kind of failure in Chinese, then the
    message itself in English only (calibrate without --from-reviews, --batch-pages 0, --dask with
    --no-prefect, two passwords that differ)."""
    messages = _raised_messages()
    assert len(messages) >= 5
    english = [(f, line, text[:50]) for f, line, text in messages if len(CJK.findall(text.split(" / ", 1)[0])) < 3]
    assert not english, english


def test_calibrate_without_from_reviews_says_what_to_add_in_chinese(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKFILL_CONFIG", raising=False)
    assert main(["calibrate", "--data-dir", str(tmp_path / "data")]) != 0
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first.startswith("error: 无法完成 / 没有说明按什么拟合阈值：请加上 --from-reviews / "), first
    assert "Traceback" not in err
