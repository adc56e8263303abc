#!/usr/bin/env python3
"""The import graph between the project's rooms (folders / subpackages), and its rules.

    python scripts/import_graph.py            # print the graph; exit 1 on a circle or an upward import
    python scripts/import_graph.py --modules  # also list module-level circles (lazy imports included)

A room is a top-level package (mapping, ocr, flows, review_app) or a subpackage of pipeline
(pipeline/kernel, pipeline/page, ...); a module directly in pipeline/ is the room "pipeline".
Every import counts, also one inside a function ("lazy"): a lazy import is still a dependency.
LAYERS orders the rooms bottom to top: a room may import only rooms listed before it (rooms on one
line are siblings and may not import each other). PLUG_INS names the few imports allowed to go
upward, each with the reason (a plug-in point chosen at run time). Reads the source (ast); imports
nothing of ours, so it runs on a broken tree too.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("pipeline", "mapping", "ocr", "flows", "review_app")

# bottom to top; rooms in one tuple are siblings (may not import each other)
LAYERS: list[tuple[str, ...]] = [
    ("pipeline/kernel",),
    ("mapping", "ocr"),
    ("pipeline/page",),
    ("pipeline/archive",),
    ("pipeline/review",),
    ("pipeline/quality",),
    ("pipeline/platform",),
    ("pipeline/crosscheck",),
    ("pipeline/runs",),
    ("flows",),
    ("review_app",),
    ("pipeline/cli",),
]

# (importing module, imported module) -> why this upward import is a plug-in point
PLUG_INS: dict[tuple[str, str], str] = {}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def room_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] not in PACKAGES:
        return None
    if parts[0] == "pipeline" and len(parts) >= 2 and (ROOT / "pipeline" / parts[1]).is_dir():
        return f"pipeline/{parts[1]}"
    return parts[0]


def imports_of(path: Path, module: str) -> list[tuple[str, bool]]:
    """(imported module, lazy) for every import of ours in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: list[tuple[str, bool]] = []
    is_pkg = path.name == "__init__.py"

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                out.extend((a.name, lazy) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    pkg = module.split(".") if is_pkg else module.split(".")[:-1]
                    pkg = pkg[: len(pkg) - (child.level - 1)]
                    base = ".".join(pkg + ([base] if base else []))
                for a in child.names:  # `from pipeline.kernel import config` imports the module pipeline.kernel.config
                    cand = f"{base}.{a.name}"
                    out.append((cand if known(cand) else base, lazy))
            else:
                visit(child, inner)

    visit(tree, False)
    return [(m, lz) for m, lz in out if m.split(".")[0] in PACKAGES]


_KNOWN: set[str] = set()


def known(module: str) -> bool:
    return module in _KNOWN


def collect() -> dict[str, list[tuple[str, bool]]]:
    files = [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py")) if "__pycache__" not in p.parts]
    _KNOWN.update(module_name(p) for p in files)
    return {module_name(p): imports_of(p, module_name(p)) for p in files}


def rank() -> dict[str, tuple[int, int]]:
    return {room: (i, j) for i, layer in enumerate(LAYERS) for j, room in enumerate(layer)}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10000)

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            strong(v)
    return out


def main(argv: list[str] | None = None) -> int:
    global ROOT
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modules", action="store_true", help="also list module-level circles")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout to read (default: this one)")
    args = ap.parse_args(argv)
    ROOT = args.root.resolve()
    graph = collect()
    room_edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    mod_edges: dict[str, set[str]] = defaultdict(set)
    for mod, imps in graph.items():
        src = room_of(mod)
        for target, lazy in imps:
            dst = room_of(target)
            if target in _KNOWN and target != mod:
                mod_edges[mod].add(target)
            if src and dst and src != dst:
                edge = f"{mod} -> {target}{' (lazy)' if lazy else ''}"
                if edge not in room_edges[(src, dst)]:
                    room_edges[(src, dst)].append(edge)
    print("import graph between rooms (A -> B: A imports B; n = distinct module imports)")
    for (a, b), why in sorted(room_edges.items()):
        print(f"  {a:22s} -> {b:22s} {len(why):3d}")
    problems: list[str] = []
    redges: dict[str, set[str]] = defaultdict(set)
    for a, b in room_edges:
        redges[a].add(b)
    for comp in cycles(redges):
        problems.append("circle between rooms: " + " <-> ".join(comp))
    order = rank()
    for (a, b), why in sorted(room_edges.items()):
        if a not in order or b not in order:
            problems.append(f"room not in LAYERS: {a if a not in order else b}")
            continue
        if order[b][0] >= order[a][0]:
            for w in why:
                pair = tuple(w.replace(" (lazy)", "").split(" -> "))
                if pair in PLUG_INS:
                    print(f"  plug-in (allowed upward): {w}: {PLUG_INS[pair]}")  # type: ignore[index]
                    continue
                problems.append(f"upward import {a} -> {b}: {w}")
    mod_cycles = cycles(mod_edges)
    if args.modules or mod_cycles:
        print(f"module-level circles (lazy imports included): {len(mod_cycles)}")
        for comp in mod_cycles:
            print("  " + " <-> ".join(comp))
    for p in sorted(set(problems)):
        print("PROBLEM:", p)
    print(f"{len(set(problems))} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
