"""The repository's own hygiene as a developer meets it: what `git status` shows in a worktree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_venv_symlink_is_ignored_like_a_venv_folder():
    """A worktree links the main checkout's environment (`ln -s /work/main/.venv .venv`): a symlink is a
    file to git, which `.venv/` (folders only) does not match, so it showed as untracked."""
    out = subprocess.run(["git", "check-ignore", "--no-index", "-q", ".venv"], cwd=ROOT, capture_output=True)
    assert out.returncode == 0, ".venv (a symlink) is not ignored by .gitignore: git status shows it untracked"
