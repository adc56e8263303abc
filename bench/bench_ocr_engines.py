"""Measure the OCR engines on a synthetic Yantai ledger page (not a test: run by hand).

    /tmp/venv/bin/python bench/bench_ocr_engines.py [--cap 24 14] [--quick]

Renders a ruled table (15 columns x 14 rows: names, IDs, addresses, dates, phone numbers) on a
2339 x 1654 px page (A4 landscape at 200 dpi), with mild blur and noise, at a given digit cap
height, then times ppocr whole-page OCR under several settings and scores it per cell
(each recognized box is put in the cell holding its centre).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import time

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr import get_engine
from ocr.agreement import normalize_text

W, H = 2339, 1654
HEADERS = [
    "序号",
    "姓名",
    "性别",
    "年龄",
    "身份证号码",
    "住址",
    "死亡日期",
    "火化日期",
    "死因",
    "家属",
    "电话",
    "关系",
    "去向",
    "炉号",
    "经办人",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "秀英桂兰玉珍凤华淑芳建国志强德明永福立新振海春梅文忠丽娟学军洪涛国庆宝山长林"
PLACES = [
    "芝罘区幸福街道",
    "芝罘区世回尧街道",
    "莱山区初家街道",
    "福山区门楼镇",
    "牟平区宁海街道",
    "蓬莱区登州街道",
    "龙口市东莱街道",
    "招远市泉山街道",
    "海阳市方圆街道",
    "栖霞市庄园街道",
    "莱州市文昌路街道",
    "莱阳市城厢街道",
    "芝罘区黄务街道",
    "开发区八角街道",
]
CAUSES = ["疾病", "心脏病", "脑梗", "肺癌", "衰老", "意外"]
RELS = ["儿子", "女儿", "配偶", "孙子", "侄子"]
GOES = ["寄存", "海葬", "带回", "公墓", "树葬"]
STAFF = ["孙丽", "王强", "刘洋", "赵敏"]


def font_path() -> str:
    return subprocess.run(["fc-match", "Noto Sans CJK SC", "-f", "%{file}"], capture_output=True, text=True).stdout


def id_number(rng: random.Random, birth: str, female: bool) -> str:
    body = "3706" + rng.choice(["02", "11", "12", "13", "34", "81", "82", "83", "84", "85", "86", "87"]) + birth
    seq = f"{rng.randint(0, 99):02d}" + str(rng.choice([0, 2, 4, 6, 8]) if female else rng.choice([1, 3, 5, 7, 9]))
    s = body + seq
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return s + "10X98765432"[sum(int(a) * b for a, b in zip(s, w)) % 11]


def row_values(rng: random.Random, n: int) -> list[str]:
    female = rng.random() < 0.5
    year = rng.randint(1925, 1965)
    birth = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    dy, dm, dd = rng.randint(2010, 2023), rng.randint(1, 12), rng.randint(1, 27)
    return [
        str(n),
        rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2))),
        "女" if female else "男",
        str(dy - year),
        id_number(rng, birth, female),
        rng.choice(PLACES),
        f"{dy}-{dm:02d}-{dd:02d}",
        f"{dy}-{dm:02d}-{dd + 1:02d}",
        rng.choice(CAUSES),
        rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
        "1" + rng.choice(["35", "38", "39", "58", "86"]) + "".join(str(rng.randint(0, 9)) for _ in range(8)),
        rng.choice(RELS),
        rng.choice(GOES),
        str(rng.randint(1, 6)),
        rng.choice(STAFF),
    ]


def render_page(cap: int, seed: int = 7) -> tuple[np.ndarray, list[tuple[tuple[int, int, int, int], str, int]]]:
    """A page and its cells: (box, text, column)."""
    rng = random.Random(seed)
    font = ImageFont.truetype(font_path(), size=round(cap / 0.733))  # Noto Sans CJK cap height = 0.733 em
    img = Image.new("L", (W, H), 245)
    draw = ImageDraw.Draw(img)
    margin, top = 40, 60
    rows = [HEADERS] + [row_values(rng, r) for r in range(1, 15)]
    # column widths from the content, the spare width shared out evenly
    need = [max(draw.textlength(row[c], font=font) for row in rows) + 16 for c in range(len(HEADERS))]
    spare = (W - 2 * margin - sum(need)) / len(need)
    if spare < 0:
        raise SystemExit(f"cap {cap} px: the table does not fit on {W} px: {[round(n) for n in need]}")
    xs = [margin]
    for wd in need:
        xs.append(round(xs[-1] + wd + spare))
    row_h = (H - top - 40) // 15
    ys = [top + i * row_h for i in range(16)]
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=30, width=3)
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=30, width=3)
    cells = []
    for r in range(15):
        for c, text in enumerate(rows[r]):
            box = (xs[c], ys[r], xs[c + 1], ys[r + 1])
            tw = draw.textlength(text, font=font)
            if tw > box[2] - box[0] - 8:  # too long for the cell: fail loudly, the bench is wrong
                raise SystemExit(f"cell text too wide at cap {cap}: {text!r} {tw:.0f} > {box[2] - box[0]}")
            x = (box[0] + box[2] - tw) / 2 + rng.uniform(-0.2, 0.2) * max(0.0, box[2] - box[0] - 12 - tw)
            draw.text((x, (box[1] + box[3]) / 2), text, font=font, fill=20, anchor="lm")
            if r > 0:
                cells.append((box, text, c))
    page = np.asarray(img, dtype=np.float32)
    page = cv2.GaussianBlur(page, (3, 3), 0.8) + np.random.default_rng(seed).normal(0, 6, page.shape)
    page = np.clip(page, 0, 255).astype(np.uint8)
    return cv2.cvtColor(page, cv2.COLOR_GRAY2BGR), cells


def levenshtein(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)


def score(pieces, cells) -> dict[str, float]:
    """Per row (boxes by their centre), so that detection boxes merged across a ruling line do not
    count as recognition errors: CER of the row text, and whether each ID / date appears in it.
    Also per cell ("fields exact"), which does count merged boxes."""
    per_cell: dict[int, list] = {i: [] for i in range(len(cells))}
    for p in pieces:
        cx, cy = (p.box[0] + p.box[2]) / 2, (p.box[1] + p.box[3]) / 2
        for i, (b, _t, _c) in enumerate(cells):
            if b[0] <= cx < b[2] and b[1] <= cy < b[3]:
                per_cell[i].append(p)
                break
    rows: dict[int, list[int]] = {}
    for i, (b, _t, _c) in enumerate(cells):
        rows.setdefault(b[1], []).append(i)
    exact = errors = chars = ids = ids_ok = dates = dates_ok = 0
    for members in rows.values():
        row_pieces = sorted((p for i in members for p in per_cell[i]), key=lambda p: p.box[0])
        row_text = normalize_text("".join(p.text for p in row_pieces))
        truth_row = "".join(cells[i][1] for i in members)
        errors += levenshtein(row_text, truth_row)
        chars += len(truth_row)
        for i in members:
            truth, col = cells[i][1], cells[i][2]
            got = normalize_text("".join(p.text for p in sorted(per_cell[i], key=lambda p: p.box[0])))
            exact += got == truth
            if col == 4:
                ids += 1
                ids_ok += truth in row_text
            if col in (6, 7):
                dates += 1
                dates_ok += truth in row_text
    return {"fields_exact": exact / len(cells), "cer": errors / chars, "ids_exact": ids_ok / ids, "dates_exact": dates_ok / dates}


def run(engine, page, cells, repeat: int = 1) -> str:
    engine.recognize(page[:200, :400])  # warm up
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        pieces = engine.recognize(page)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    s = score(pieces, cells)
    low = sum(p.confidence < 0.8 for p in pieces)
    load = open("/proc/loadavg").read().split()[0]
    return (
        f"{min(times):6.2f} s/page wall ({min(cpu):5.2f} s CPU, load {load})  row CER {s['cer']:.2%}  IDs {s['ids_exact']:.1%}  "
        f"dates {s['dates_exact']:.1%}  cells exact {s['fields_exact']:.1%}  pieces {len(pieces)} (<0.8: {low})"
    )


def run_crops(engine, page, cells, inset: int = 4) -> str:
    """recognize_crops on every cell cropped from the (perfect) grid, just inside the ruling lines."""
    engine.recognize_crop(page[200:260, 500:700])
    exact = ids = ids_ok = 0
    t, c = time.perf_counter(), time.process_time()
    crops = [page[y0 + inset : y1 - inset, x0 + inset : x1 - inset] for (x0, y0, x1, y1), _t, _c in cells]
    pieces = engine.recognize_crops(crops)
    for piece, (_box, truth, col) in zip(pieces, cells):
        got = normalize_text(piece.text)
        exact += got == truth
        if col == 4:
            ids += 1
            ids_ok += got == truth
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    return (
        f"{wall:6.2f} s/page wall ({cpu:5.2f} s CPU) for {len(cells)} crops  cells exact {exact / len(cells):.1%}  "
        f"IDs exact {ids_ok / ids:.1%}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cap", type=int, nargs="+", default=[24, 14])
    ap.add_argument("--quick", action="store_true", help="only max_side_len 2000 vs 2400")
    ap.add_argument("--tesseract", action="store_true")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    for cap in args.cap:
        page, cells = render_page(cap)
        print(f"== page {W}x{H}, digit cap height {cap} px, {len(cells)} cells")
        configs = [dict(max_side_len=2000), dict(max_side_len=2400)]
        if not args.quick:
            configs += [
                dict(max_side_len=2400, use_cls=True),
                dict(max_side_len=2400, intra_op_num_threads=1),
                dict(max_side_len=2400, intra_op_num_threads=2),
            ]
        for cfg in configs:
            print(f"ppocr {cfg}: {run(get_engine('ppocr', **cfg), page, cells, args.repeat)}", flush=True)
        print(f"ppocr recognize_crop per cell: {run_crops(get_engine('ppocr'), page, cells)}", flush=True)
        if args.tesseract:
            for psm in (11, 6):
                print(f"tesseract psm {psm}: {run(get_engine('tesseract', psm=psm), page, cells)}", flush=True)
            print(f"tesseract recognize_crop per cell: {run_crops(get_engine('tesseract'), page, cells)}", flush=True)


if __name__ == "__main__":
    main()
