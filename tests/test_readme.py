"""The README is the users' guide: short, and every command in it works.

Each `backfill` command of its code blocks is parsed by the real CLI parser (a renamed command or
option fails here), each subcommand it names is run by a test (or by scripts/quickstart.sh), and every
script and page it points to exists.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from pipeline.cli.main import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[list[str]]:
    out = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.split(" #", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            for part in line.split("&&"):
                out.append(shlex.split(part.strip()))
    return out


BACKFILL = [c[1:] for c in _commands() if c and c[0] == "backfill"]


def test_the_readme_is_a_short_guide():
    assert len(README.splitlines()) <= 200
    for role in ("Archivist", "Reviewer", "Administrator"):
        assert f"### {role}" in README


@pytest.mark.parametrize("args", BACKFILL, ids=[" ".join(a)[:60] for a in BACKFILL])
def test_each_backfill_command_of_the_readme_parses(args):
    try:
        ns = build_parser().parse_args(args)
    except SystemExit as e:  # argparse refuses: the README names a command or option that is gone
        pytest.fail(f"README command `backfill {' '.join(args)}` is refused by the CLI (exit {e.code})")
    assert callable(ns.func)


def test_each_subcommand_of_the_readme_is_run_by_a_test_or_the_quickstart():
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("*.py") if p.name != "test_readme.py")
    quickstart = (ROOT / "scripts" / "quickstart.sh").read_text(encoding="utf-8")
    missing = []
    for args in BACKFILL:
        sub = args[0]
        in_tests = re.search(rf"""["']{re.escape(sub)}["']""", tests) is not None
        if not in_tests and f"backfill {sub}" not in quickstart:
            missing.append(sub)
    assert not missing, f"no test runs these README commands: {sorted(set(missing))}"


def test_the_scripts_and_pages_it_points_to_exist():
    for c in _commands():
        if c[0] in ("bash", "python") and len(c) > 1:
            assert (ROOT / c[1]).is_file(), c
    for page in set(re.findall(r"`((?:docs|bench/results)/[\w./-]+\.(?:md|conf))`", README)):
        assert (ROOT / page).is_file(), page
