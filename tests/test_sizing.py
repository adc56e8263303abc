"""scripts/sizing.py: a province sized from the bench figures, its arithmetic checked."""

from __future__ import annotations

import math
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "sizing.py"


def _run(*args: str) -> str:
    res = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return res.stdout


def _inputs(out: str) -> dict[str, float]:
    return {line.split()[1]: float(line.split()[2].replace(",", "")) for line in out.splitlines() if line.startswith("input ")}


def _outputs(out: str) -> dict[str, str]:
    rows = [re.split(r"\s{2,}", line, maxsplit=1) for line in out.splitlines() if not line.startswith("input ")]
    return {r[0]: r[1] for r in rows if len(r) == 2}


def _first_number(text: str) -> float:
    return float(re.match(r"[\d,.]+", text).group(0).replace(",", ""))


def test_the_default_province_from_the_bench_figures(tmp_path):
    out = _run("--pages", "250000", "--deadline-days", "30", "--markdown", str(tmp_path / "sizing.md"))
    f = _inputs(out)
    assert 1 < f["seconds_per_page"] < 600 and 1 < f["records_per_page"] < 100 and 0 < f["straight_through"] < 1
    got = _outputs(out)
    hours = 250_000 * f["seconds_per_page"] / 3600
    assert math.isclose(_first_number(got["OCR and mapping, one worker"]), hours, rel_tol=1e-3)
    assert _first_number(got["workers for 30 days"]) == math.ceil(hours / (30 * 24) - 1e-9)
    review = 250_000 * f["records_per_page"] * (1 - f["straight_through"])
    assert math.isclose(_first_number(got["records to review"]), review, rel_tol=1e-3)
    page = (tmp_path / "sizing.md").read_text(encoding="utf-8")
    assert "bench/results/" in page and "| workers for 30 days |" in page


def test_a_shorter_deadline_needs_more_workers():
    def workers(days: str) -> int:
        return int(
            _first_number(next(v for k, v in _outputs(_run("--deadline-days", days)).items() if k.startswith("workers for")))
        )

    assert workers("5") > workers("60") >= 1


def test_storage_measured_on_a_data_folder(tmp_path):
    data = tmp_path / "data"
    (data / "images" / "ab").mkdir(parents=True)
    (data / "images" / "ab" / "x.png").write_bytes(b"0" * 5000)
    with sqlite3.connect(data / "store.sqlite") as db:
        db.execute("CREATE TABLE pages (id INTEGER)")
        db.execute("CREATE TABLE records (id INTEGER)")
        db.executemany("INSERT INTO pages VALUES (?)", [(1,), (2,)])
        db.executemany("INSERT INTO records VALUES (?)", [(i,) for i in range(20)])
    out = _run("--data-dir", str(data))
    f = _inputs(out)
    assert f["image_bytes_per_page"] == 2500
    assert "measured on" in out
