"""The rooms' order (scripts/import_graph.py): no circle between rooms, no import of a room above."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "import_graph.py"


def _graph(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


def test_the_code_keeps_its_rooms_in_order():
    res = _graph("--modules")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 problem(s)" in res.stdout
    assert "module-level circles (lazy imports included): 0" in res.stdout
    # the kernel imports no other room; mapping and ocr import only the kernel
    edges = [line.split() for line in res.stdout.splitlines() if "->" in line and not line.startswith("PROBLEM")]
    assert not [e for e in edges if e[0] == "pipeline/kernel"]
    assert {e[2] for e in edges if e[0] in ("mapping", "ocr")} <= {"pipeline/kernel"}


def _tree(tmp: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = tmp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return tmp


def test_an_upward_import_fails_even_when_lazy(tmp_path):
    root = _tree(
        tmp_path,
        {
            "pipeline/__init__.py": "",
            "pipeline/kernel/__init__.py": "",
            "pipeline/page/__init__.py": "",
            "pipeline/page/extract.py": "from pipeline.kernel import store\n",
            "pipeline/kernel/store.py": "def f():\n    from pipeline.page.extract import x\n",
        },
    )
    res = _graph("--root", str(root))
    assert res.returncode == 1
    assert "upward import pipeline/kernel -> pipeline/page: pipeline.kernel.store -> pipeline.page.extract (lazy)" in res.stdout
    assert "circle between rooms" in res.stdout


def test_a_room_missing_from_the_layers_fails(tmp_path):
    root = _tree(
        tmp_path,
        {
            "pipeline/__init__.py": "",
            "pipeline/kernel/__init__.py": "",
            "pipeline/attic/__init__.py": "from pipeline.kernel import store\n",
            "pipeline/kernel/store.py": "",
        },
    )
    res = _graph("--root", str(root))
    assert res.returncode == 1 and "room not in LAYERS: pipeline/attic" in res.stdout
