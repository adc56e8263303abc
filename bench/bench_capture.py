"""Photographed pages (issue 21): how well the cleanup's capture step (pipeline.page.cleanup.correct_capture)
finds the page, and that it leaves flat scans alone.

For every page of the given scan folders (a families bench's ``scans``, the committed samples), the page
quad found is compared with the page's true outline from its ground truth (the generator's homography,
page -> scan pixels): the largest corner error in px, whether the page was warped, enlarged, and the
seconds the step took. A flat scan must come out with ``page_found`` false or ``warped`` false.

    python bench/bench_capture.py DIR [DIR ...] [--synthetic N]

    python bench/bench_capture.py --score FAMILY OUT [OUT ...]

``--score``: the issue-21 figures of one family's pipeline run as shipped (packaged thresholds; no
leave-one-family-out fit, which needs the other families' runs), for each families-bench ``--out``
folder given (e.g. a baseline's and a candidate's run of the same generated pages), side by side.

``--synthetic N``: also N perspective warps of each flat page, drawn here (a camera's keystone on a
desk; properties of photographs, not of the generator), the quad error measured against the warp.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.cleanup import correct_capture  # noqa: E402
from pipeline.page.intake import load_page  # noqa: E402


def _pages(root: Path):
    for gt_path in sorted(root.rglob("*.gt.json")):
        gt = json.loads(gt_path.read_text(encoding="utf-8"))
        stem = gt_path.name[: -len(".gt.json")]
        for cand in (".pdf", ".tif", ".tiff", ".jpg", ".png"):
            scan = gt_path.with_name(stem + cand)
            if scan.exists():
                break
        else:
            continue
        media = "pdf" if scan.suffix == ".pdf" else "image"
        for k, page in enumerate(gt["pages"]):
            yield scan, media, k + 1, page


def true_corners(page: dict, shape: tuple[int, ...]) -> np.ndarray | None:
    deg = page.get("degradation") or {}
    hm = deg.get("homography")
    if hm is None:
        return None
    w, h = page["width"], page["height"]
    pts = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    q = cv2.perspectiveTransform(pts.reshape(-1, 1, 2), np.asarray(hm, np.float64)).reshape(-1, 2)
    sw, sh = page["scan"]["size"] if page.get("scan") else (w, h)
    return q * np.array([shape[1] / sw, shape[0] / sh])


def corner_error(found: np.ndarray, truth: np.ndarray) -> float:
    return float(max(np.min(np.linalg.norm(truth - p, axis=1)) for p in found))


def synthetic(img: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A flat page as a camera at a slant would frame it on a mid-grey desk: shrunk to 80-90 %, its far
    edge drawn in by 4-9 % of the short side, turned up to 6 degrees, a soft shadow over a third."""
    h, w = img.shape[:2]
    m = min(h, w)
    s = rng.uniform(0.8, 0.9)
    a = rng.uniform(0.04, 0.09) * m
    c = np.array([w / 2, h / 2])
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    dst = (src - c) * s + c
    dst[0] += [a, a * 0.3]
    dst[1] += [-a, a * 0.3]
    ang = np.radians(rng.uniform(-6, 6))
    rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
    dst = (dst - c) @ rot.T + c
    hm = cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32))
    desk = tuple(int(v) for v in rng.integers(60, 200, 3))
    out = cv2.warpPerspective(img, hm, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=desk)
    yy = np.linspace(0, 1, h)[:, None] * np.ones((1, w))
    shade = 1 - 0.35 * np.clip((0.35 - yy) / 0.1 + 0.5, 0, 1)
    out = np.clip(out.astype(np.float32) * shade[..., None], 0, 255).astype(np.uint8)
    return out, dst


SCORED = (
    ("pages with a table extracted", "pages_extracted", ".1%"),
    ("rows found", "rows_found", ".2%"),
    ("fields exact before review", "field_accuracy", ".2%"),
    ("ID numbers exact", "id_accuracy", ".2%"),
    ("records auto-accepted", "auto_share", ".1%"),
    ("wrong among auto-accepted fields", "auto_error_rate", ".2%"),
)


def score_runs(family: str, outs: list[Path]) -> None:
    """The as-shipped figures of `family`'s run in each out folder (bench_families.score), a column each."""
    from bench.bench_families import figures, score

    settings = Settings.load(None)
    cols = []
    for out in outs:
        ev, store = score(family, settings, out, None)
        store.dispose()
        cols.append(figures(ev))
    print("| measure | " + " | ".join(str(o) for o in outs) + " |")
    print("|---|" + "---|" * len(outs))
    for label, key, spec in SCORED:
        print(f"| {label} | " + " | ".join(f"{c[key]:{spec}}" for c in cols) + " |")
    print("| pages lost (why) | " + " | ".join(str(c["pages_lost"]) for c in cols) + " |")
    print("| rows found / truth | " + " | ".join(f"{c['rows_found_n']} / {c['rows_truth']}" for c in cols) + " |")
    print(
        "| wrong auto-accepted fields / auto-accepted fields | "
        + " | ".join(f"{c['auto_fields_wrong']} / {c['auto_fields']}" for c in cols)
        + " |"
    )
    print("| wrong fields by kind | " + " | ".join(str(c["failures"]) for c in cols) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--synthetic", type=int, default=0)
    ap.add_argument("--seed", type=int, default=4401)
    ap.add_argument("--score", metavar="FAMILY", help="score FAMILY's runs in the given families-bench out folders")
    args = ap.parse_args()
    if args.score:
        score_runs(args.score, list(args.dirs))
        return 0
    settings = Settings()
    rng = np.random.default_rng(args.seed)
    rows = []
    for root in args.dirs:
        for scan, media, page_no, page in _pages(root):
            img = load_page(scan, media, page_no, settings)
            t0 = time.perf_counter()
            out, step = correct_capture(img)
            dt = time.perf_counter() - t0
            r = step.result
            truth = true_corners(page, img.shape) if page.get("family") and page.get("scan", {}).get("mode") == "photo" else None
            err = corner_error(np.asarray(r["quad"]), truth) if (truth is not None and r.get("page_found")) else None
            rows.append(
                (f"{scan.parent.name}/{scan.name}#{page_no}", "photo" if truth is not None else "flat", r, err, dt, out.shape)
            )
            for k in range(args.synthetic if truth is None else 0):
                warped, dst = synthetic(img, rng)
                t0 = time.perf_counter()
                _o, st = correct_capture(warped)
                dt = time.perf_counter() - t0
                rr = st.result
                e = corner_error(np.asarray(rr["quad"]), dst) if rr.get("page_found") else None
                rows.append((f"{scan.name}#{page_no} synthetic {k}", "synthetic", rr, e, dt, _o.shape))
    print("| page | kind | found | warped | keystone px | upsample | corner error px | s | out |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, kind, r, err, dt, shape in rows:
        print(
            f"| {name} | {kind} | {r.get('page_found')} | {r.get('warped', '')} | {r.get('keystone_px', '')} | "
            f"{r.get('upsample', '')} | {'' if err is None else round(err, 1)} | {dt:.2f} | {shape[1]}x{shape[0]} |"
        )
    for kind in ("photo", "synthetic", "flat"):
        sel = [x for x in rows if x[1] == kind]
        if not sel:
            continue
        found = sum(1 for x in sel if x[2].get("page_found"))
        warped = sum(1 for x in sel if x[2].get("warped"))
        errs = [x[3] for x in sel if x[3] is not None]
        print(
            f"\n{kind}: {len(sel)} pages, page found {found}, warped {warped}, corner error median "
            f"{np.median(errs) if errs else float('nan'):.1f} px, max {max(errs) if errs else float('nan'):.1f} px"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
