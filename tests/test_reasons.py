"""What `backfill run` tells its administrator about pages and files that gave no records: Chinese
first, from one table (pipeline.kernel.reasons), English after, then the stored detail."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
from robust_pages import dotted_page

from pipeline.kernel.config import Settings
from pipeline.kernel.reasons import REASONS, reason_zh

ROOT = Path(__file__).resolve().parent.parent


def _run(tmp_path: Path, pages: dict[str, np.ndarray]) -> tuple[dict, str]:
    from pipeline.cli.main import format_summary
    from pipeline.runs.stages import run_folder

    scans = tmp_path / "scans"
    scans.mkdir(exist_ok=True)
    for name, img in pages.items():
        cv2.imwrite(str(scans / name), img)
    (scans / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot an image at all")
    settings = Settings(data_dir=str(tmp_path / "d"))
    sm = run_folder(scans, settings).to_dict()
    return sm, format_summary(sm, settings)


def test_the_run_summary_gives_each_page_and_file_without_records_its_reason_in_chinese_first(tmp_path):
    """A white page (no table) and a damaged file (quarantined) are each told why in Chinese first; the page
    whose table's outline was found but not its rows is tests/test_capture.py's."""
    sm, text = _run(tmp_path, {"white.png": np.full((1654, 2339, 3), 250, np.uint8)})
    lines = text.splitlines()
    white = next(x for x in lines if x.strip().startswith("white.png"))
    broken = next(x for x in lines if x.strip().startswith("broken.png"))
    # the Chinese reason comes before any English on the line, the English wording and the detail after it
    for line, code in ((white, "no_table"), (broken, "corrupt")):
        said = line.split("] ", 1)[1]
        assert said.startswith(reason_zh(code)), line
        assert not re.search(r"[A-Za-z]", said[: len(reason_zh(code))].replace("PDF", "")), line
        assert REASONS[code][1] in said, line
    assert "第 1 页" in white and "no ruled table" in white  # the detail the page was stored with stays
    assert [p["reason"] for p in sm["pages_problem"]] == ["no_table"]
    # the headings above the lists are Chinese first too
    assert "有问题的页面（未提取到记录） / pages with problems" in text
    assert next(x for x in lines if "quarantined (copies in" in x).startswith("已隔离（副本在 ")
    # the counts above them: each line starts with its Chinese label, its number where a reader looks
    counts = {m.group(1): int(m.group(2)) for m in re.finditer(r"^  (\S+?)\u3000* [a-z -]+? +(\d+)", text, re.M)}
    assert counts["文件"] == 2 and counts["页面"] == 1 and counts["记录"] == 0, text
    assert counts["自动接受"] == 0 and counts["待审核"] == 0 and "合并重复" in counts, text
    assert re.search(r"^  页面\u3000* pages +1  \(已处理 \d+，有问题 1 / ", text, re.M), text


def test_every_reason_the_pipeline_gives_has_its_words_in_the_table():
    """Every reason code raised (an error class's `reason`, a `reason="..."` where a page or file is
    refused, intake's refusals) and every page status that is no success has Chinese and English words."""
    codes: set[str] = {"failed"}
    for rel in ("pipeline/kernel/errors.py", "pipeline/page/intake.py", "pipeline/page/extract.py", "ocr/tesseract.py"):
        src = (ROOT / rel).read_text(encoding="utf-8")
        codes |= set(re.findall(r"""reason(?::\s*str)?\s*=\s*"([a-z_]+)\"""", src))
    codes |= {f"{what}_unreadable" for what in ("file", "folder")}
    missing = sorted(c for c in codes if c not in REASONS)
    assert not missing, missing
    assert all(zh and en and re.search(r"[\u4e00-\u9fff]", zh) for zh, en in REASONS.values())


def test_a_page_nearly_all_black_or_dim_grey_is_not_called_a_blank_page(tmp_path):
    """A frame nearly all as dark as ink (an exposure or scan setting gone wrong), or dim grey with no
    writing on it (under-exposed), is told so and what to do, not asked whether it is a blank page, a
    letter or a cover; a white page still is. Before, all four were "a blank page, a letter or a cover?"."""
    rng = np.random.default_rng(0)
    sm, text = _run(
        tmp_path,
        {
            "black.png": np.full((1654, 2339, 3), 12, np.uint8),
            "mostly_ink.png": np.clip(rng.normal(30, 8, (1654, 2339, 3)), 0, 255).astype(np.uint8),
            "grey_small.png": np.full((300, 220, 3), 128, np.uint8),
            "white.png": np.full((1654, 2339, 3), 250, np.uint8),
        },
    )
    got = {p["file"]: (p["status"], p["reason"]) for p in sm["pages_problem"]}
    assert got == {
        "black.png": ("no_table", "dark_page"),
        "mostly_ink.png": ("no_table", "dark_page"),
        "grey_small.png": ("no_table", "dim_page"),
        "white.png": ("no_table", "no_table"),
    }
    black = next(x for x in text.splitlines() if x.strip().startswith("black.png"))
    assert "整页几乎全黑：曝光或扫描设置有误" in black and "空白页" not in black and "nearly all black" in black
    grey = next(x for x in text.splitlines() if x.strip().startswith("grey_small.png"))
    assert "整页灰暗" in grey and "空白页" not in grey
    msgs = {p["file"]: p["message"] for p in sm["pages_problem"]}
    assert "a blank page" not in msgs["black.png"] and "a blank page" in msgs["white.png"]  # the stored error too


def test_a_grey_or_photographed_page_of_dots_in_lines_is_not_called_a_blank_page(tmp_path):
    """A page that is no 1-bit scan (grey paper, grain) with no table and no character, but with dots of
    ink along lines and in rows (writing broken up by a poor scan or photograph): before, its summary line
    asked "a blank page, a letter or a cover?" while its detail said the page is not blank. Now it is told
    it holds dots of ink in lines and to be scanned again, in Chinese first; a white page still gets the
    blank-page question (test above)."""
    grain = np.random.default_rng(7).normal(238, 4, (1654, 2339))
    page = dotted_page(np.clip(grain, 0, 255).astype(np.uint8), ink=70)
    sm, text = _run(tmp_path, {"dots.png": cv2.cvtColor(page, cv2.COLOR_GRAY2BGR)})
    assert [(p["status"], p["reason"]) for p in sm["pages_problem"]] == [("no_table", "ink_dots")]
    line = next(x for x in text.splitlines() if x.strip().startswith("dots.png"))
    said = line.split("] ", 1)[1]
    assert said.startswith("未找到表格，也认不出成行的字迹，但页面并非空白") and "空白页" not in said, line
    assert "a blank page" not in sm["pages_problem"][0]["message"]


def test_a_page_turned_upright_is_told_in_chinese_first():
    """A page scanned upside down or on its side was turned upright and read: the summary says how it
    lay, Chinese first, English after."""
    from pipeline.cli.main import format_summary
    from pipeline.runs.stages import RunSummary

    turned = [{"file": "vol1.pdf", "page": "3", "degrees": "180"}, {"file": "vol1.pdf", "page": "4", "degrees": "90"}]
    text = format_summary(RunSummary(run_id=1, scans_dir="scans", pages_turned=turned).to_dict(), Settings(data_dir="/tmp"))
    lines = [x.strip() for x in text.splitlines() if x.strip().startswith("vol1.pdf")]
    assert lines[0].startswith("vol1.pdf 第 3 页 / page 3: 扫描时上下颠倒，已转正后识别 / scanned upside down"), lines
    assert lines[1].startswith("vol1.pdf 第 4 页 / page 4: 扫描时顺时针转了 90°"), lines


def test_auto_accepted_records_drawn_for_the_audit_are_not_lost_from_the_summary():
    """A small first volume: every auto-accepted record drawn for the blind audit. The summary said
    "auto-accepted 0" and, three lines on, "audit sample 16: auto-accepted records drawn", which reads
    as a contradiction; the auto-accepted line now says where those records went."""
    from pipeline.cli.main import format_summary
    from pipeline.runs.stages import RunSummary

    sm = RunSummary(run_id=1, scans_dir="scans", records=26, auto_accepted=0, needs_review=26).to_dict()
    sm["audit_drawn"] = 16  # what the run's audit step adds to the summary (runs.manage)
    line = next(x for x in format_summary(sm, Settings(data_dir="/tmp")).splitlines() if x.strip().startswith("自动接受"))
    assert "另有 16 条抽作盲审，计入待审核" in line, line
    sm["audit_drawn"] = 0
    line = next(x for x in format_summary(sm, Settings(data_dir="/tmp")).splitlines() if x.strip().startswith("自动接受"))
    assert "盲审" not in line and "(" not in line, line


def test_a_quarantined_files_detail_is_chinese_first_and_not_said_twice(tmp_path):
    """The empty file read "the file is empty (the file is empty (0 bytes); rescan it)", its detail in English
    only; an older stored detail that repeats its reason's words is said once too."""
    from pipeline.kernel.reasons import reason_text

    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "empty.pdf").write_bytes(b"")
    _sm, text = _run(tmp_path, {})
    empty = next(x for x in text.splitlines() if x.strip().startswith("empty.pdf"))
    assert empty.split("] ", 1)[1] == "空文件 / the file is empty (0 字节；请重新扫描 / 0 bytes; rescan it)", empty
    broken = next(x for x in text.splitlines() if x.strip().startswith("broken.png"))
    detail = broken.split(" (", 1)[1]
    assert re.match(r"[\u4e00-\u9fff]", detail) and " / " in detail, broken  # its detail Chinese first too
    old = reason_text("empty_file", "the file is empty (0 bytes); rescan it")
    assert old == "空文件 / the file is empty (0 bytes; rescan it)"


def test_a_photographed_page_whose_header_names_no_ledger_is_told_to_be_photographed_again():
    """A phone photograph whose header row matches no ledger kind: before, the archivist was told the
    spec does not map this register kind and to tell the administrator, while on a poor photograph the
    header is far likelier misread (every such page on our phone copies was a known kind). Now it is
    told, in Chinese first, that the photographed header matches no known kind, most often for the
    photograph's sake, and how to photograph it again, where its header was read unsure; a scanned page,
    or a header read sure (a register kind the spec lacks), keeps the old words."""
    from functools import partial

    from pipeline.kernel.reasons import reason_zh
    from pipeline.page.extract import page_advice, page_reason

    photo = [{"name": "capture", "settings": {}, "result": {"page_found": True, "warped": True}}]
    enlarged = [{"name": "capture", "settings": {}, "result": {"page_found": False, "upsample": 1.6}}]
    scan = [{"name": "capture", "settings": {}, "result": {"page_found": False, "upsample": 1.0}}]
    misread = partial(page_reason, "unknown_ledger", misread=True)
    assert misread(photo) == misread(enlarged) == "unknown_ledger_photo"
    assert misread(scan) == misread([]) == "unknown_ledger"  # a scan keeps the old words
    assert page_reason("unknown_ledger", photo) == "unknown_ledger"  # a header read sure names a kind the spec lacks
    zh = reason_zh("unknown_ledger_photo")
    assert zh.startswith("未提取到任何内容：照片上的表头") and "重拍" in zh and "告知管理员" in zh
    assert "photograph the page again" in page_advice("unknown_ledger_photo")
