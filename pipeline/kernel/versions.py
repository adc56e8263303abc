"""Versioned settings files an administrator applies and rolls back: the thresholds refitted from
reviews (data_dir/thresholds) and the local place lexicon (data_dir/lexicon).

A folder holds `<stem>-v0001.json`, `-v0002.json`, ... (never changed once written: each says who
wrote it, when and from which evidence), `ACTIVE` (the file name in use; none: the packaged default)
and `history.jsonl` (every apply and rollback: who, when, from, to). Rolling back applies the
version that was in use before the current one, the packaged default included.
"""

from __future__ import annotations

import builtins
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline.kernel.errors import ConfigError

ACTIVE = "ACTIVE"
HISTORY = "history.jsonl"
DEFAULT = "default"  # the packaged file (thresholds) or none (lexicon)


@dataclass(frozen=True)
class Version:
    number: int
    path: Path
    created_by: str
    created_at: str
    note: str
    active: bool


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class VersionedFiles:
    def __init__(self, root: Path, stem: str):
        self.root, self.stem = Path(root), stem
        self._pattern = re.compile(rf"{re.escape(stem)}-v(\d{{4,}})\.json")

    def path_of(self, number: int) -> Path:
        return self.root / f"{self.stem}-v{number:04d}.json"

    def numbers(self) -> list[int]:
        if not self.root.is_dir():
            return []
        return sorted(int(m.group(1)) for p in self.root.iterdir() if (m := self._pattern.fullmatch(p.name)))

    def active(self) -> Path | None:
        """The version file in use, None for the default."""
        marker = self.root / ACTIVE
        if not marker.is_file():
            return None
        name = marker.read_text(encoding="utf-8").strip()
        if not name or name == DEFAULT:
            return None
        if not self._pattern.fullmatch(name):
            raise ConfigError(f"{marker}: {name!r} is not a {self.stem} version file name")
        path = self.root / name
        if not path.is_file():
            raise ConfigError(
                f"{marker} names {name}, which is missing",
                hint=f"请恢复该文件，或在 {marker} 中写入 {DEFAULT!r} / restore it or write {DEFAULT!r} into {marker}",
            )
        return path

    def list(self) -> list[Version]:
        act = self.active()
        out = []
        for n in self.numbers():
            p = self.path_of(n)
            try:
                doc = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                doc = {}
            meta = doc.get("version") or {}
            out.append(
                Version(
                    n,
                    p,
                    str(meta.get("created_by", "")),
                    str(meta.get("created_at", "")),
                    str(meta.get("note", "")),
                    act is not None and act.name == p.name,
                )
            )
        return out

    def write(self, doc: dict[str, Any], *, user: str, note: str = "") -> Path:
        """A new version holding `doc` (plus who, when and which number); never overwrites one."""
        self.root.mkdir(parents=True, exist_ok=True)
        number = (self.numbers() or [0])[-1] + 1
        while True:
            path = self.path_of(number)
            body = dict(doc)
            body["version"] = {
                "number": number,
                "created_by": user,
                "created_at": _now(),
                "note": note,
                "previous_active": (active.name if (active := self.active()) else DEFAULT),
            }
            try:
                with open(path, "x", encoding="utf-8") as f:  # exclusive: two writers never share a number
                    f.write(json.dumps(body, ensure_ascii=False, indent=1) + "\n")
                return path
            except FileExistsError:
                number += 1

    def resolve(self, ref: str) -> Path | None:
        """A version reference: "default", a number ("3", "v3"), a version file name or a path."""
        ref = ref.strip()
        if ref == DEFAULT:
            return None
        m = re.fullmatch(r"v?(\d+)", ref)
        if m:
            p = self.path_of(int(m.group(1)))
        else:
            p = Path(ref)
            if not p.is_absolute() and not p.exists():
                p = self.root / ref
        if not p.is_file():
            raise ConfigError(
                f"{self.stem} version {ref!r} not found (in {self.root})",
                hint=f"现有版本 the versions there：{', '.join(v.path.name for v in self.list()) or '无 none'}",
            )
        return p

    def apply(self, ref: str, *, user: str, action: str = "apply") -> tuple[str, str]:
        """Make a version the one in use; returns (before, now) as file names ("default" for none).
        A file outside the folder is copied in as a new version first (so it stays for rollback)."""
        path = self.resolve(ref)
        if path is not None and path.parent.resolve() != self.root.resolve():
            doc = json.loads(path.read_text(encoding="utf-8"))
            doc.pop("version", None)
            path = self.write(doc, user=user, note=f"copied from {path}")
        before = self.active()
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / (ACTIVE + ".tmp")
        tmp.write_text((path.name if path else DEFAULT) + "\n", encoding="utf-8")
        os.replace(tmp, self.root / ACTIVE)
        event = {
            "at": _now(),
            "by": user,
            "action": action,
            "from": before.name if before else DEFAULT,
            "to": path.name if path else DEFAULT,
        }
        with open(self.root / HISTORY, "a", encoding="utf-8") as f:
            f.write(json.dumps(event, ensure_ascii=False) + "\n")
        return event["from"], event["to"]

    def history(self) -> builtins.list[dict[str, Any]]:  # (list: the method above)
        p = self.root / HISTORY
        if not p.is_file():
            return []
        return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]

    def previous(self) -> str | None:
        """What was in use before the current version, walking back through the applies (a rollback
        undoes the last apply; "default" at the bottom); None when nothing was ever applied."""
        stack = [DEFAULT]
        for event in self.history():
            if event.get("action") == "rollback":
                if len(stack) > 1:
                    stack.pop()
                stack[-1] = str(event.get("to") or DEFAULT)
            else:
                stack.append(str(event.get("to") or DEFAULT))
        return stack[-2] if len(stack) > 1 else None

    def rollback(self, *, user: str) -> tuple[str, str]:
        """Go back to the version in use before the current one."""
        prev = self.previous()
        if prev is None:
            raise ConfigError(f"nothing to roll back: no {self.stem} version was ever applied here")
        return self.apply(prev, user=user, action="rollback")
