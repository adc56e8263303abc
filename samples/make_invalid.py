"""Write the corpus of bad inputs in samples/invalid/, reproducibly (deterministic bytes).

    /tmp/venv/bin/python -m samples.make_invalid            # rewrites samples/invalid/
    python -m samples.make_invalid --out DIR                 # somewhere else (tests)

Each file stands for one way a scan arrives broken; tests/test_hostile_inputs.py checks the reason a
person reads for each, and that the rest of the run goes on. See samples/README.md for the table.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import struct
import tempfile
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from samples.generator import COMMITTED_SEED, FIXED_DATE, SAMPLES_DIR, Volume, _font, _write_volume

INVALID_DIR = SAMPLES_DIR / "invalid"
WEIRD_NAME = "烟台 殡仪馆 $(rm -rf x);'a'.jpg"
BOMB_SIDE = 50_000

# What each file is and what the pipeline must say about it: file -> (level, status or reason).
EXPECTED: dict[str, tuple[str, str]] = {
    "empty.pdf": ("file", "empty_file"),
    "corrupt.pdf": ("file", "partly_recovered"),  # truncated: page 1 recovered, the rest reported
    "encrypted.pdf": ("file", "encrypted"),
    "text_only.pdf": ("file", "no_images"),
    "bomb.png": ("file", "too_large"),
    "bomb_page.pdf": ("file", "too_large"),
    "not_an_image.jpg": ("file", "corrupt"),
    "blank_page.jpg": ("page", "no_table"),
    "letter.jpg": ("page", "no_table"),
    "unknown_ledger.jpg": ("page", "unknown_ledger"),
    WEIRD_NAME: ("page", "done"),  # a good page under a hostile name: processed
    # good pages scanned turned (clockwise): found and turned upright, then read (issue 25)
    "turned_90.jpg": ("page", "done"),
    "turned_180.jpg": ("page", "done"),
    "turned_270.jpg": ("page", "done"),
}
TURNED = {"turned_90.jpg": ("page_001.jpg", 90), "turned_180.jpg": ("page_002.jpg", 180), "turned_270.jpg": ("page_003.jpg", 270)}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(side: int = BOMB_SIDE) -> bytes:
    """A PNG whose header claims side x side RGB pixels (7.5 GB decoded at 50 000) in ~100 bytes:
    the first rows of zeros only. A reader that decodes before checking the size runs out of memory."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (3 * side + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _pdf(objects: list[bytes]) -> bytes:
    """A minimal, valid PDF (xref offsets computed) from object bodies; object 1 is the catalog."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def text_pdf(media_box: tuple[int, int] = (595, 842), text: str = "Minutes of the meeting, typed, no scan") -> bytes:
    stream = b"BT /F1 14 Tf 72 760 Td (" + text.encode("ascii") + b") Tj ET"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            % media_box,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        ]
    )


def encrypted_pdf() -> bytes:
    """A one-page scan PDF protected by a user password (RC4-128 via pikepdf/qpdf: no random salt, so the bytes are reproducible."""
    import pikepdf

    img = Image.fromarray(np.full((300, 420, 3), 235, np.uint8))
    buf = io.BytesIO()
    img.save(buf, "PDF", resolution=50.0, creationDate=FIXED_DATE, modDate=FIXED_DATE)
    pdf = pikepdf.open(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    pdf.save(
        out,
        encryption=pikepdf.Encryption(owner="owner-secret", user="user-secret", R=4, aes=False, metadata=False),
        static_id=True,
    )
    return out.getvalue()


def _paper(w: int, h: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = np.empty((h, w, 3), np.float32)
    base[:] = (246, 240, 228)
    base += rng.normal(0, 3.0, (h, w, 1))
    return np.clip(base, 0, 255).astype(np.uint8)


def _jpeg(arr: np.ndarray, quality: int = 70) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", quality=quality, dpi=(150, 150))
    return buf.getvalue()


def blank_page() -> bytes:
    return _jpeg(_paper(1240, 877, 1))


LETTER = [
    "烟台市民政局：",
    "    我馆于二〇一三年四月收到贵局来函，现将有关情况汇报如下。",
    "    一、本年度殡葬服务工作总体平稳，群众满意度较高。",
    "    二、节地生态安葬宣传持续推进，海葬人数逐年增加。",
    "    三、档案整理工作正在进行，纸质登记簿将陆续扫描。",
    "    特此函复。",
    "                                        烟台市殡仪馆",
    "                                        二〇一三年五月六日",
]


def letter_page() -> bytes:
    """A typed letter: text lines and no ruled table."""
    img = Image.fromarray(_paper(1240, 1754, 2))
    d = ImageDraw.Draw(img)
    font = _font("Noto Serif CJK SC", 34)
    for i, line in enumerate(LETTER):
        d.text((120, 160 + i * 70), line, font=font, fill=(40, 40, 40))
    return _jpeg(np.asarray(img))


UNKNOWN_HEADER = ["序号", "存放编号", "存放位置", "存放日期", "到期日期", "缴费金额", "备注"]


def unknown_ledger_page() -> bytes:
    """A ruled register whose title and header match no kind the spec maps (a columbarium fee book)."""
    w, h = 1754, 1240
    img = Image.fromarray(_paper(w, h, 3))
    d = ImageDraw.Draw(img)
    d.text((600, 70), "登记簿（2014年）", font=_font("Noto Sans CJK SC", 44), fill=(30, 30, 30))
    x0, y0, x1 = 90, 180, w - 90
    widths = [1, 2, 3, 2, 2, 2, 3]
    xs = [x0]
    for wd in widths:
        xs.append(xs[-1] + (x1 - x0) * wd // sum(widths))
    xs[-1] = x1
    row_h, n_rows = 80, 12
    ys = [y0 + i * row_h for i in range(n_rows + 1)]
    for x in xs:
        d.line([(x, ys[0]), (x, ys[-1])], fill=(20, 20, 20), width=3)
    for y in ys:
        d.line([(xs[0], y), (xs[-1], y)], fill=(20, 20, 20), width=3)
    font = _font("Noto Sans CJK SC", 30)
    for c, text in enumerate(UNKNOWN_HEADER):
        d.text((xs[c] + 12, ys[0] + 22), text, font=font, fill=(20, 20, 20))
    for r in range(1, 7):
        vals = [str(r), f"A-{100 + r}", f"{r}区{r + 2}排{r * 3}号", f"2014.3.{r + 2}", f"2017.3.{r + 2}", f"{r * 60}元", ""]
        for c, text in enumerate(vals):
            d.text((xs[c] + 12, ys[r] + 22), text, font=font, fill=(50, 50, 60))
    return _jpeg(np.asarray(img))


def corrupt_pdf(seed: int = COMMITTED_SEED, dpi: int = 200) -> tuple[bytes, dict]:
    """The committed generator's 2-page Laizhou 2015 PDF cut to half its bytes (no xref, no trailer),
    and the ground truth of the page that survives the cut (page 1)."""
    with tempfile.TemporaryDirectory() as tmp:
        vol = Volume("_whole", "pdf", [("cremation", "laizhou", 2015, 5), ("cremation", "laizhou", 2015, 6)], 1.0)
        _write_volume(vol, Path(tmp), seed, dpi)
        data = (Path(tmp) / "_whole.pdf").read_bytes()
        gt = json.loads((Path(tmp) / "_whole.gt.json").read_text(encoding="utf-8"))
    gt["file"] = "corrupt.pdf"
    gt["pages"] = gt["pages"][:1]
    gt["note"] = "truncated copy of a 2-page volume: only page 1 is recoverable; this is its truth"
    return data[: len(data) // 2], gt


def weird_name_page() -> tuple[bytes, dict]:
    """A good ledger page (jpeg_volume/page_003.jpg, re-encoded so its sha256 differs) under a name
    with spaces, Chinese characters and shell metacharacters, with its ground truth."""
    src = SAMPLES_DIR / "ledgers" / "jpeg_volume" / "page_003.jpg"
    with Image.open(src) as im:
        arr = np.asarray(im.convert("RGB"))
    gt = json.loads(src.with_suffix(".gt.json").read_text(encoding="utf-8"))
    gt["file"] = WEIRD_NAME
    return _jpeg(arr, quality=85), gt


def turned_page(source: str, degrees: int) -> tuple[bytes, dict]:
    """A good ledger page of jpeg_volume/ as if scanned turned `degrees` clockwise, with its truth."""
    src = SAMPLES_DIR / "ledgers" / "jpeg_volume" / source
    with Image.open(src) as im:
        arr = np.asarray(im.convert("RGB"))
    gt = json.loads(src.with_suffix(".gt.json").read_text(encoding="utf-8"))
    gt["note"] = f"{source} scanned turned {degrees} degrees clockwise"
    return _jpeg(np.ascontiguousarray(np.rot90(arr, -degrees // 90)), quality=80), gt


# --- names and trees a file system holds but git cannot (made at test time: tests/test_hostile_inputs.py) --
GBK_NAME = b"vol\xb6\xe0.jpg"  # GBK bytes for vol多.jpg, as copied from a Windows share
GBK_SHOWN = "vol多.jpg"
UNDECODABLE_NAME = b"bad\xff\xfe.pdf"  # neither UTF-8 nor GB18030: stored with its bytes escaped
UNDECODABLE_SHOWN = "bad\\xff\\xfe.pdf"
FORGING_NAME = "x.jpg: [done] fine\nforged.pdf: [corrupt] fake.jpg"  # would write a summary line of its own
ESCAPE_NAME = "\x1b[2Jclear.jpg"  # a terminal escape sequence (clears the screen when printed raw)


def write_hostile_names(folder: Path) -> dict[str, str]:
    """Files under names git cannot hold, each holding a bad scan (so no OCR is needed to see it
    quarantined): stored name -> quarantine reason expected."""
    folder.mkdir(parents=True, exist_ok=True)
    bad_jpeg = "这不是图片 / this is a text file saved with a .jpg name\n".encode("utf-8")
    files = {
        GBK_NAME: (bad_jpeg, GBK_SHOWN, "corrupt"),
        UNDECODABLE_NAME: (b"", UNDECODABLE_SHOWN, "empty_file"),
        FORGING_NAME.encode(): (bad_jpeg, FORGING_NAME, "corrupt"),
        ESCAPE_NAME.encode(): (bad_jpeg, ESCAPE_NAME, "corrupt"),
    }
    out = {}
    for raw, (data, shown, reason) in files.items():
        with open(os.path.join(os.fsencode(folder), raw), "wb") as f:
            f.write(data)
        out[shown] = reason
    return out


def write_deep_tree(folder: Path, depth: int = 1100) -> str:
    """An empty PDF at the bottom of `depth` nested folders (d/d/d/...): its relative path."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(depth):
            try:
                os.mkdir("d", dir_fd=fd)
            except FileExistsError:
                pass
            nxt = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        os.close(os.open("deep.pdf", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
    finally:
        os.close(fd)
    return "/".join(["d"] * depth + ["deep.pdf"])


def write_long_path(folder: Path, chars: int = 4500, part: int = 200) -> str:
    """A scan (an empty PDF) whose path below `folder` is over `chars` characters: longer than the
    system's PATH_MAX (4096), so it can only be made, and seen, one folder at a time. Its relative path."""
    fd = os.open(folder, os.O_RDONLY)
    names = []
    try:
        while sum(len(n) + 1 for n in names) < chars:
            name = f"{len(names):03d}" + "长" * ((part - 3) // 3)  # 3 bytes a character in UTF-8
            names.append(name)
            os.mkdir(name, dir_fd=fd)
            nxt = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        os.close(os.open("far.pdf", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
    finally:
        os.close(fd)
    return "/".join(names + ["far.pdf"])


def many_pages_pdf(pages: int = 20_000) -> bytes:
    """A valid PDF of `pages` pages that all show one small grey scan (about 2 MB for 20 000 pages):
    hours of reading if nothing stops it. Objects: catalog, page tree, the image, the content, pages."""
    side = 16
    image = (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Length %d >>\nstream\n" % (side, side, side * side) + b"\xeb" * (side * side) + b"\nendstream"
    )
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    first = 5  # object number of the first page
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        image,
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 3 0 R >> >> /Contents 4 0 R >>"
    objects += [page] * pages
    return _pdf(objects)


def write_invalid(out: Path = INVALID_DIR) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    corrupt, corrupt_gt = corrupt_pdf()
    weird, weird_gt = weird_name_page()
    files: dict[str, bytes] = {
        "empty.pdf": b"",
        "corrupt.pdf": corrupt,
        "encrypted.pdf": encrypted_pdf(),
        "text_only.pdf": text_pdf(),
        "bomb.png": bomb_png(),
        "bomb_page.pdf": text_pdf((14400, 14400), "A page 200 inches wide"),
        "not_an_image.jpg": "这不是图片 / this is a text file saved with a .jpg name\n".encode("utf-8"),
        "blank_page.jpg": blank_page(),
        "letter.jpg": letter_page(),
        "unknown_ledger.jpg": unknown_ledger_page(),
        WEIRD_NAME: weird,
    }
    truths = [("corrupt.gt.json", corrupt_gt), (Path(WEIRD_NAME).stem + ".gt.json", weird_gt)]
    for name, (source, degrees) in TURNED.items():
        files[name], gt = turned_page(source, degrees)
        gt["file"] = name
        truths.append((Path(name).stem + ".gt.json", gt))
    written = []
    for name, data in files.items():
        (out / name).write_bytes(data)
        written.append(out / name)
    for name, gt in truths:
        (out / name).write_text(json.dumps(gt, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(out / name)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=INVALID_DIR)
    args = ap.parse_args()
    for p in write_invalid(args.out):
        print(f"{p.stat().st_size:>9}  {p}")


if __name__ == "__main__":
    main()
