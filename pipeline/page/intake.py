"""Intake: find scans in a folder, fingerprint them, register readable files and quarantine the rest.

Nothing here holds more than one page image in memory. Rasterizing happens page by page
(`load_page`) when a page is processed.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import shutil
import subprocess
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pipeline.kernel.config import Settings
from pipeline.kernel.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    ImageTooLargeError,
    ImageTooSmallError,
    InputFileError,
    MissingDependencyError,
    NoImagesError,
    OutsideFolderError,
    TooManyPagesError,
    UnsupportedFileError,
)
from pipeline.kernel.reasons import split_zh_en, zh_en
from pipeline.kernel.safety import fs_name, inside, path_for_db, private_dir, private_file, safe_file_name, shown, shown_text
from pipeline.kernel.store import Page, Quarantine, SourceFile, Store

log = logging.getLogger(__name__)

SCAN_SUFFIXES = {".pdf": "pdf", ".tif": "tiff", ".tiff": "tiff", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}

SINGLE_PAGE_MEDIA = ("jpeg", "png")
"""Media types of a file that is one photographed or scanned page: the pages of one book are the image
files of one folder; a PDF or TIFF is one book (volume_key)."""

# the details a quarantined file is stored and printed with are Chinese first (reasons.zh_en): its
# reason's words (reasons.REASONS) come before them and are not repeated in them
_ENCRYPTED = zh_en("PDF 有密码保护；请索取未加密的副本", "the PDF is encrypted with a password; ask for an unprotected copy")
_UNRECOVERABLE = zh_en("PDF 已损坏，没有可恢复的页面；请重新扫描", "the PDF is damaged and no page could be recovered; rescan it")


def volume_key(rel_path: str, media_type: str) -> str:
    """The volume a source file's pages belong to, when no inventory names it: its folder for a
    single-page image ("folder:<folder>"), the file itself otherwise ("file:<rel_path>"). One key for
    the blind audit's volumes (pipeline.quality.audit.volumes_of_files) and for the pages that tell each
    other's columns (pipeline.page.extract.agree_volumes)."""
    if media_type in SINGLE_PAGE_MEDIA:
        return "folder:" + (rel_path.rsplit("/", 1)[0] if "/" in rel_path else ".")
    return "file:" + rel_path


@dataclass(frozen=True)
class QuarantineItem:
    rel_path: str
    reason: str
    message: str


@dataclass
class IntakeResult:
    new_files: list[int] = field(default_factory=list)  # source_files ids registered by this call
    known_files: list[int] = field(default_factory=list)  # already in the store (same sha256)
    quarantined: list[QuarantineItem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # not a scan (by suffix): ground truth, notes...
    refused: list[QuarantineItem] = field(default_factory=list)  # folders the system would not open (reason given)
    passed_over: list[QuarantineItem] = field(default_factory=list)  # hidden entries and symbolic links, skipped (reason given)

    @property
    def file_ids(self) -> list[int]:
        return self.new_files + self.known_files


@dataclass(frozen=True)
class Refused:
    """A folder or path the system would not let us read (permission, a path over PATH_MAX)."""

    path: Path
    reason: str
    message: str


def _refusal(rel: str, e: OSError, what: str) -> tuple[str, str]:
    """(reason, message) for an OSError met while walking or reading `rel`: Chinese first (`zh_en`)."""
    zh_what = "文件" if what == "file" else "文件夹"
    if e.errno == errno.ENAMETOOLONG:
        return "path_too_long", zh_en(
            f"路径在扫描文件夹下长 {len(os.fsencode(rel))} 字节，系统拒绝打开：该{zh_what}未读取；请移到较短的路径下",
            f"the path is {len(os.fsencode(rel))} bytes below the scan folder and the system refuses "
            f"it (File name too long): the {what} is not read; move it to a shorter path",
        )
    if e.errno in (errno.EACCES, errno.EPERM):
        return f"{what}_unreadable", zh_en(
            f"没有读取该{zh_what}的权限：其中的扫描件未读取；请给运行 backfill 的用户读取权限后重新运行",
            f"no permission to read this {what} (Permission denied): the scans in it are not read; "
            "give the user running backfill read access, then run again",
        )
    return f"{what}_unreadable", zh_en(
        f"无法读取该{zh_what}：其中的扫描件未读取",
        f"the {what} cannot be read ({e.strerror or type(e).__name__}): the scans in it are not read",
    )


def discover(scans_dir: Path) -> tuple[list[Path], list[Path], list[Refused], list[Refused]]:
    """(scan files, other files, refused folders, skipped entries) below scans_dir, in sorted order.

    Walked with an explicit stack, not by recursion (a tree 1 100 folders deep is fine); a folder the
    system will not open (permission, a path too long) is listed with its reason and the rest goes on.
    Skipped, each listed with its reason (`_skipped`), never silently: a hidden entry (a name starting
    with '.', a hidden folder is not walked), and every symbolic link but one to a scan file outside the
    folder (returned with the scans: intake quarantines it, `outside_folder`). A link is never followed,
    wherever it points (docs/security.md): one leading outside would read what the archivist did not
    hand in, one leading inside would read its target twice, one leading to a folder above it loops."""
    scans: list[Path] = []
    others: list[Path] = []
    refused: list[Refused] = []
    skipped: list[Refused] = []
    stack: list[Path] = [scans_dir]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            if folder == scans_dir:
                raise InputFileError(
                    fs_name(folder), zh_en("无法读取扫描文件夹", f"the scan folder cannot be read ({e.strerror})")
                ) from e
            rel = fs_name(folder.relative_to(scans_dir))
            refused.append(Refused(folder, *_refusal(rel, e, "folder")))
            continue
        subdirs = []
        for entry in entries:
            p = folder / entry.name
            if entry.name.startswith(".") or entry.is_symlink():
                why = _skipped(scans_dir, p, entry)
                if why is None:  # a link to a scan file outside the folder: quarantined by intake
                    scans.append(p)
                else:
                    skipped.append(Refused(p, *why))
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(p)
                elif entry.is_file():
                    (scans if p.suffix.lower() in SCAN_SUFFIXES else others).append(p)
            except OSError as e:  # a dangling or looping link, a vanished entry
                refused.append(Refused(p, *_refusal(fs_name(p.relative_to(scans_dir)), e, "file")))
        stack.extend(reversed(subdirs))  # depth first, in name order: the order of sorted(rglob)
    return scans, others, refused, skipped


def _skipped(scans_dir: Path, p: Path, entry: "os.DirEntry[str]") -> tuple[str, str] | None:
    """(reason, detail) of a hidden entry or a symbolic link that `discover` skips, the detail Chinese
    first (`zh_en`; the reason's words, reasons.REASONS, come before it); None for a link to a scan file
    outside the folder (intake quarantines it, `outside_folder`). Where an outside link leads is never
    said (a path of the machine the archivist did not hand in)."""
    if entry.name.startswith("."):
        if entry.is_dir(follow_symlinks=False):
            return "hidden", zh_en(
                "名称以“.”开头的隐藏文件夹，其中的内容均未查看；如其中确有扫描件，请去掉名称开头的“.”后重新运行",
                "a hidden folder (its name starts with '.'); nothing in it was looked at: if it holds scans, "
                "remove the leading '.' and run again",
            )
        return "hidden", zh_en(
            "名称以“.”开头（系统或同步软件所建？）；如确为扫描件，请去掉名称开头的“.”后重新运行",
            "its name starts with '.' (made by the system or a sync tool?); if it is a scan, remove the leading '.' "
            "and run again",
        )
    try:
        target = p.resolve(strict=True)
    except (OSError, RuntimeError):  # a dangling or looping link
        return "link_broken", zh_en("链接已失效或成环，未读取", "a dangling or looping link; not read")
    if not target.is_relative_to(scans_dir):
        if target.is_file() and p.suffix.lower() in SCAN_SUFFIXES:
            return None
        return "link_outside", zh_en(
            "未跟随；请把其中的扫描件复制进扫描文件夹", "not followed; copy its scans into the scan folder instead"
        )
    to = shown(fs_name(target.relative_to(scans_dir))) if target != scans_dir else "."
    return "link_inside", zh_en(
        f"指向 {to}，未跟随：该处已按其本身的路径读取，不重复读取",
        f"it leads to {to}, not followed: that is read under its own path, never twice",
    )


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- probing: is the file usable, and how many pages has it? --------------------------------
def probe(path: Path, settings: Settings) -> tuple[str, int]:
    """(media_type, page_count), or an InputFileError naming the file and the reason."""
    name = str(path)
    media = SCAN_SUFFIXES.get(path.suffix.lower())
    if media is None:
        raise UnsupportedFileError(name, zh_en(f"不支持的文件类型“{path.suffix}”", f"unsupported file type '{path.suffix}'"))
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(name, zh_en("空文件（0 字节）；请重新扫描", "the file is empty (0 bytes); rescan it"))
    if size > settings.max_file_bytes:
        raise ImageTooLargeError(
            name,
            zh_en(
                f"文件有 {size} 字节，超过上限 {settings.max_file_bytes} 字节",
                f"the file is {size} bytes, over the limit of {settings.max_file_bytes}",
            ),
        )
    if media == "pdf":
        return media, _probe_pdf(path, settings)
    return media, _probe_image(path, settings)


def _check_page_count(path: Path, pages: int, settings: Settings) -> None:
    """A file with more pages than `max_pages_per_file` is refused before any page is read: a 20 000-page
    PDF is hours of work that a register volume (a few hundred pages) never needs."""
    if pages > settings.max_pages_per_file:
        raise TooManyPagesError(
            str(path),
            zh_en(
                f"文件有 {pages} 页，超过每个文件 {settings.max_pages_per_file} 页的上限（设置 max_pages_per_file）；"
                "请按册拆分，确为一册登记簿时可提高上限",
                f"the file has {pages} pages, over the limit of {settings.max_pages_per_file} pages per file "
                "(setting max_pages_per_file); split it into its volumes, or raise the limit if it really is one register",
            ),
        )


def _pdfinfo(path: Path) -> dict[str, str]:
    try:
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=60)
    except FileNotFoundError as e:
        raise MissingDependencyError("pdfinfo not found", hint="apt-get install poppler-utils") from e
    except subprocess.TimeoutExpired as e:
        raise CorruptFileError(
            str(path), zh_en("pdfinfo 超过 60 秒未完成：PDF 可能已损坏", "pdfinfo took over 60 s; the PDF is probably damaged")
        ) from e
    if out.returncode != 0:
        err = out.stderr.strip().splitlines()
        msg = err[-1] if err else f"pdfinfo exit code {out.returncode}"
        if "password" in out.stderr.lower():
            raise EncryptedFileError(str(path), _ENCRYPTED)
        raise CorruptFileError(
            str(path),
            zh_en("无法读取 PDF：可能不完整或已损坏", f"the PDF cannot be read ({msg}); it is probably truncated or damaged"),
        )
    info: dict[str, str] = {}
    for line in out.stdout.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            info[k.strip()] = v.strip()
    return info


def _page_px(info: dict[str, str], dpi: float) -> tuple[float, float] | None:
    """The size in pixels of the page pdfinfo reports (`Page size`, in points) rendered at `dpi`; None where
    it does not say."""
    m = re.match(r"([\d.]+) x ([\d.]+) pts", info.get("Page size", ""))
    return None if m is None else (float(m.group(1)) * dpi / 72, float(m.group(2)) * dpi / 72)


def _probe_pdf(path: Path, settings: Settings) -> int:
    info = _pdfinfo(path)
    pages = int(info.get("Pages", "0") or 0)
    if pages == 0:
        raise CorruptFileError(str(path), zh_en("PDF 中没有页面", "the PDF has no pages"))
    _check_page_count(path, pages, settings)
    size = _page_px(info, settings.pdf_dpi)
    if size:
        w, h = size
        if w * h > settings.max_image_pixels:
            raise ImageTooLargeError(
                str(path),
                zh_en(
                    f"以 {settings.pdf_dpi} dpi 渲染时一页为 {int(w)}x{int(h)} 像素，超过上限 {settings.max_image_pixels} 像素",
                    f"a page would be {int(w)}x{int(h)} px at {settings.pdf_dpi} dpi, over the limit of {settings.max_image_pixels} px",
                ),
            )
    if _pdf_image_count(path) == 0:
        raise NoImagesError(
            str(path),
            zh_en(
                "PDF 中没有扫描图像（只有文字）；请扫描纸质登记簿",
                "the PDF holds no scanned image (typed text only); scan the paper ledger",
            ),
        )
    return pages


def _pdf_images(path: Path, page_no: int | None = None) -> list[list[str]] | None:
    """The rows of `pdfimages -list` (nothing decoded) for the whole PDF or its page `page_no` (1-based),
    each split into its columns (page num type width height color comp bpc enc interp object ID x-ppi
    y-ppi size ratio), the two heading lines left out; None when that cannot be told (pdfimages missing,
    failing or too slow)."""
    pages = ["-f", str(page_no), "-l", str(page_no)] if page_no is not None else []
    try:
        out = subprocess.run(["pdfimages", "-list", *pages, str(path)], capture_output=True, text=True, timeout=60)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return [line.split() for line in out.stdout.splitlines()[2:] if line.strip()]


def _pdf_image_count(path: Path) -> int | None:
    """Images the PDF holds (_pdf_images); None when that cannot be told."""
    images = _pdf_images(path)
    return None if images is None else len(images)


def _largest_page_image(path: Path, page_no: int) -> tuple[float, bool, float] | None:
    """The largest image drawn on page `page_no` (1-based) of a PDF, by pixels (`pdfimages -list`, nothing
    decoded): (its resolution in pixels per inch of the page as drawn, the lesser of its two directions;
    whether it is held at one bit per pixel, black or white; the greater of its two directions: a fax's
    finer one, ITU-T T.4 ~204 across by ~98 down). None when the page holds no image or that cannot be
    told (pdfimages missing or failing)."""
    images = _pdf_images(path, page_no)
    if images is None:
        return None
    best: tuple[int, float, bool, float] | None = None
    for f in images:
        if len(f) < 14 or f[2] != "image":  # a mask (smask, stencil) is no picture of the page
            continue
        try:
            pixels, xy, bits = int(f[3]) * int(f[4]), (float(f[12]), float(f[13])), int(f[7])
        except ValueError:
            continue
        if min(xy) > 0 and (best is None or pixels > best[0]):
            best = (pixels, min(xy), bits == 1 and f[5] == "gray", max(xy))
    return None if best is None else (best[1], best[2], best[3])


def recover_pdf(path: Path, sha: str, settings: Settings) -> tuple[Path, int]:
    """The pages a damaged PDF (truncated: no xref table, no trailer) still holds, rebuilt by qpdf
    (pikepdf) into a new file under data/recovered/; (that file, its page count). The copy is checked
    like any scan (page size, images). Raises CorruptFileError when nothing can be recovered."""
    try:
        import pikepdf
    except ImportError as e:  # pragma: no cover - a declared dependency
        raise MissingDependencyError("pikepdf is not installed", hint="pip install pikepdf") from e
    out_dir = settings.data_path / "recovered"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{sha[:16]}.pdf"
    try:
        with pikepdf.open(path) as pdf:  # qpdf rebuilds the cross-reference table while opening
            if len(pdf.pages) == 0:
                raise CorruptFileError(str(path), _UNRECOVERABLE)
            pdf.save(target)
    except pikepdf.PasswordError as e:
        raise EncryptedFileError(str(path), _ENCRYPTED) from e
    except (pikepdf.PdfError, OSError, RuntimeError, ValueError) as e:
        raise CorruptFileError(str(path), _UNRECOVERABLE) from e
    return target, _probe_pdf(target, settings)


MIN_PAGE_SIDE_PX = 100
"""An image whose shorter side has fewer pixels holds no readable page: a register page is at least A5
(148 mm across), so 100 px is under 18 dpi and a 5 mm character under 4 px high, while the recognizer
reads lines scaled to 48 px and needs characters of about 10 px to have strokes to read (PP-OCR's
text-line input; docs/capture.md). A thumbnail or an icon put in the scan folder gets this reason
instead of "no ruled table found"."""


_DECODER_WARNINGS = threading.RLock()
"""One _decoder_warnings at a time: warnings.catch_warnings swaps the warnings module's process-wide state
(its filters and where warnings go) and puts back what it found, so two page workers (threads, stages.process_pages)
reading pages at once would each put back the other's swapped state, and every later warning of the process
would go to a list nobody reads."""


@contextmanager
def _decoder_warnings(path: Path) -> Iterator[None]:
    """Pillow's warnings while it opens or decodes `path` (a damaged file's "Corrupt EXIF data", say) kept
    out of the terminal, where they would stand in English with a library's path and no file name, and
    logged naming the file instead. Where the file is then refused, its quarantine reason says why; where
    it is read, the log says what was damaged and that its pixels were read regardless. A warning another
    thread raised meanwhile is given back to the warnings module as it was raised (not this file's)."""
    with _DECODER_WARNINGS, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    pillow = str(Path(Image.__file__).parent)
    said: dict[str, None] = {}
    for w in caught:
        if w.filename.startswith(pillow):
            said[" ".join(str(w.message).split())] = None
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    for text in said:
        log.warning(
            "%s: %s",
            shown(path.name),
            zh_en(
                "图像解码器报告该文件有损坏之处；如该文件仍被读取，请核对该页的图像",
                f"the image decoder reports damage in the file ({shown_text(text)}); where the file is read "
                "regardless, check the page",
            ),
        )


def _open_image(path: Path, settings: Settings) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = None  # we check the size ourselves, before decoding
    try:
        with _decoder_warnings(path):
            img = Image.open(path)
    except UnidentifiedImageError as e:
        raise CorruptFileError(
            str(path), zh_en("不是图像文件，或是无法读取的图像格式", "not an image file, or an image format we cannot read")
        ) from e
    except OSError as e:
        raise CorruptFileError(str(path), zh_en("无法读取该图像", f"the image cannot be read ({e})")) from e
    w, h = img.size
    if w * h > settings.max_image_pixels:
        img.close()
        raise ImageTooLargeError(
            str(path),
            zh_en(
                f"图像为 {w}x{h} 像素，超过上限 {settings.max_image_pixels} 像素",
                f"the image is {w}x{h} px, over the limit of {settings.max_image_pixels} px",
            ),
        )
    if min(w, h) < MIN_PAGE_SIDE_PX:
        img.close()
        raise ImageTooSmallError(
            str(path),
            zh_en(
                f"图像只有 {w}x{h} 像素，太小，不是可读的页面（缩略图？）；请以 200 dpi 以上重新扫描该页",
                f"the image is only {w}x{h} px: too small to hold a readable page (a thumbnail?); "
                "scan the page again at 200 dpi or more",
            ),
        )
    return img


def _probe_image(path: Path, settings: Settings) -> int:
    with _open_image(path, settings) as img:
        n = getattr(img, "n_frames", 1)
        _check_page_count(path, n, settings)
        try:
            with _decoder_warnings(path):
                _check_frames(path, img, settings)
        except InputFileError:
            raise
        except (OSError, SyntaxError, ValueError) as e:
            raise CorruptFileError(str(path), zh_en("图像数据已损坏", f"the image data is damaged ({e})")) from e
    return int(n)


def _check_frames(path: Path, img: Image.Image, settings: Settings) -> None:
    """Every frame of `img` within the size limit, and the first one decoded (catches truncated files)."""
    for frame in ImageSequence.Iterator(img):
        w, h = frame.size
        if w * h > settings.max_image_pixels:
            raise ImageTooLargeError(
                str(path),
                zh_en(
                    f"有一帧为 {w}x{h} 像素，超过上限 {settings.max_image_pixels} 像素",
                    f"a frame is {w}x{h} px, over the limit of {settings.max_image_pixels} px",
                ),
            )
    img.seek(0)
    img.load()


# --- reading pages ---------------------------------------------------------------------------
def _to_bgr(img: Image.Image) -> np.ndarray:
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    arr = np.asarray(img)
    if arr.ndim == 2:
        return np.ascontiguousarray(np.stack([arr] * 3, axis=-1))
    return np.ascontiguousarray(arr[:, :, ::-1])


BILEVEL_MAX_DPI = 600
"""The highest resolution a 1-bit scan inside a PDF is rendered at (pdf_render_plan): a scanner's
archival 1-bit mode is 600 dpi at most; one held finer is rendered at this and thresholded. Measured on
one page (design d3316 county 01 page 1 made 1-bit at 200 dpi by bench/stress_scans.py, enlarged 6x to a
1 200-ppi CCITT PDF, A4, 139 MP at its own resolution, over the 80 MP limit), fields right of the page's
truth and time to read it (2 cores, shared): grey at pdf_dpi as before 210 (50 s); 1-bit at 300 dpi 220
(65 s); at 600 dpi 222 (159 s); at 909 dpi, the largest within the limit, 217 (291 s, 1.9 GB)."""


@dataclass(frozen=True)
class PdfRender:
    """How page `page_no` of a PDF is rendered (pdf_render_plan): at `dpi`; `bilevel` where it is a 1-bit
    scan rendered with pdftocairo and thresholded back to black and white (load_page); `image_ppi`: the
    resolution at which the page holds its scan or photograph (_largest_page_image: its largest image, in
    pixels per inch of the page as drawn, the lesser of its two directions), None where not told (no image
    on the page, pdfimages missing or failing). A scanner or a phone app writes its frame into the PDF at
    the resolution it captured; rendering the page at `pdf_dpi` enlarges a frame held at fewer pixels per
    inch by interpolation, which adds no detail (extract.render_step records by how much)."""

    dpi: int
    bilevel: bool = False
    image_ppi: float | None = None


def pdf_render_plan(path: Path, page_no: int, settings: Settings) -> PdfRender:
    """How page `page_no` (1-based) of a PDF is rendered, asked of the file once a page (one
    `pdfimages -list`, and `pdfinfo` for a 1-bit page) and used both to render it (load_page) and to
    record it (extract.render_step). Any page is rendered at `pdf_dpi`, but a 1-bit scan.

    A 1-bit scan (the page's largest image held at one bit per pixel, grey: a scanner's black-and-white
    mode, written CCITT G4 or JBIG2, the usual form of an archive's 1-bit scans) is rendered with
    pdftocairo at its own resolution, to the nearest whole dpi, and thresholded at half (load_page):
    poppler's default renderer smooths a 1-bit image's edges into grey even at one pixel per pixel, so
    the cleanup no longer saw the page as 1-bit (cleanup.is_bilevel) and read it as a grey scan: a
    median over strokes one or two pixels thin, name lines lightened, none of the 1-bit reading. The
    same scan as a 1-bit TIFF was read as 1-bit. Design set d3316 county files 01 + 03 made 1-bit
    (bench/stress_scans.py --mode bilevel), the same 10 pages as G4 TIFF (read as 1-bit; now the PDF
    too) and as CCITT PDF before (read as grey), fields exact of 2 229 / IDs of 133: Otsu at 200 dpi
    1 929 vs 1 803 / 119 vs 115; Otsu at 300 dpi (seed 3812) 1 966 vs 1 832 / 121 vs 117; a harsh
    threshold with dot gain (seed 3811) 1 769 vs 1 620 / 110 vs 105; wrong among auto-accepted fields 2
    of 261 vs 2 of 168, 0 of 200 vs 0 of 152, 2 of 345 vs 1 of 92.

    Where that page at its own resolution would pass `max_image_pixels` (a TIFF of the same scan is held
    to that limit; the size is pdfinfo's, of the first page, as _probe_pdf judges a file) or it is held
    above BILEVEL_MAX_DPI, it is rendered at the largest whole dpi within both and thresholded: still
    the 1-bit scan it is, at fewer pixels (pdftocairo averages the pixels it merges; the threshold at
    half keeps a stroke where it covered half of them), rather than the grey page the default renderer
    makes of it at `pdf_dpi`. A property of the file (its own record of how the page was scanned), not
    of any page's content.

    A 1-bit scan held at two resolutions (a fax: ITU-T T.4 standard resolution, ~204 pels per inch across
    by ~98 lines down, the aspect square_pixels restores for a TIFF) is rendered at the finer one, so that
    each coarse line is drawn twice, as a fax machine prints it, and no pel across is merged: at the lesser
    the page lost half its pels across (its strokes merged 2:1 and thresholded)."""
    got = _largest_page_image(path, page_no)
    if got is None or not got[1] or got[0] < 72:
        return PdfRender(settings.pdf_dpi, False, None if got is None else got[0])
    ppi = got[2] if got[2] / got[0] <= PIXEL_ASPECT_MAX else got[0]
    limit = float(BILEVEL_MAX_DPI)
    inch = _page_px(_pdfinfo(path), 1.0)  # the page's size in inches
    if inch is not None and inch[0] * inch[1] > 0:
        limit = min(limit, (settings.max_image_pixels / (inch[0] * inch[1])) ** 0.5)
    whole = round(ppi) if round(ppi) <= limit else int(limit)
    if whole < 72:
        return PdfRender(settings.pdf_dpi, False, ppi)
    return PdfRender(whole, True, got[0] if ppi != got[0] else ppi)


PIXEL_ASPECT_MIN = 1.02
"""A frame whose two resolutions (TIFF XResolution / YResolution, PNG pHYs, JPEG JFIF density, as Pillow
reads them into `dpi` or, with no unit, `resolution`) differ by more than this factor is held in pixels
that are not square (square_pixels). Below it, a rounding of the same resolution (199.99 / 200)."""
PIXEL_ASPECT_MAX = 4.0
"""...and by at most this factor: ITU-T T.4's fax resolutions are 8.04 pels/mm across (1 728 pels over
215 mm, ~204 dpi) by 3.85 ("standard", ~98 dpi), 7.7 ("fine", ~196 dpi) or 15.4 lines/mm ("superfine",
~392 dpi) down, so at most ~2.1 either way; a factor over 4 is no scanner's or fax's and the file's record
is not believed (the frame is read as it is)."""


def pixel_aspect(frame: Image.Image) -> tuple[float, float] | None:
    """The frame's (across, down) resolution where its file records two that differ by PIXEL_ASPECT_MIN to
    PIXEL_ASPECT_MAX (a fax page: ITU-T T.4 standard resolution ~204 x 98 dpi, kept in TIFF Class F's
    XResolution / YResolution), else None: its pixels are square, or nothing is recorded."""
    res = frame.info.get("dpi") or frame.info.get("resolution")
    if not isinstance(res, tuple | list) or len(res) < 2:
        return None
    try:
        x, y = float(res[0]), float(res[1])
    except (TypeError, ValueError, IndexError):
        return None
    if x <= 0 or y <= 0:
        return None
    r = max(x, y) / min(x, y)
    return (x, y) if PIXEL_ASPECT_MIN < r <= PIXEL_ASPECT_MAX else None


def square_pixels(frame: Image.Image, max_pixels: int) -> Image.Image:
    """`frame` with square pixels: the direction held at the lower resolution enlarged to the other's
    (pixel_aspect). A fax held at ~204 x 98 dpi (ITU-T T.4 standard resolution) is, as pixels, a page half
    its height: its characters squashed to half their height, its rows half their pitch, which neither the
    grid's rules nor the recognizer (trained on upright glyphs of normal proportions) expect. A fax
    machine prints each such line twice; so does this, for a 1-bit frame (nearest neighbour: the page stays
    black and white, cleanup.is_bilevel); a grey or colour frame is interpolated (bicubic). A frame whose
    enlargement would pass `max_pixels` (the limit a file is held to) is read as it is. The file's own
    record of how the page was scanned, not any page's content."""
    asp = pixel_aspect(frame)
    if asp is None:
        return frame
    x, y = asp
    w, h = frame.size
    size = (w, round(h * x / y)) if x > y else (round(w * y / x), h)
    if size[0] * size[1] > max_pixels:
        return frame
    return frame.resize(size, Image.Resampling.NEAREST if frame.mode == "1" else Image.Resampling.BICUBIC)


def frame_aspect(path: Path, page_no: int, settings: Settings) -> tuple[float, float] | None:
    """Frame `page_no` (1-based) of an image file's (across, down) resolution where square_pixels enlarges
    it (pixel_aspect and within `max_image_pixels`), else None. Reads the frame's header only."""
    try:
        with _open_image(path, settings) as img, _decoder_warnings(path):
            img.seek(page_no - 1)
            asp = pixel_aspect(img)
            w, h = img.size
    except (InputFileError, EOFError, OSError, ValueError):
        return None
    if asp is None:
        return None
    r = max(asp) / min(asp)
    return asp if w * h * r <= settings.max_image_pixels else None


def load_page(path: Path, media_type: str, page_no: int, settings: Settings, plan: PdfRender | None = None) -> np.ndarray:
    """Page `page_no` (1-based) of a scan file as a BGR uint8 array; a PDF page as `plan` says (asked of
    the file where not given: pdf_render_plan)."""
    if media_type == "pdf":
        from pdf2image import convert_from_path
        from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError

        plan = plan or pdf_render_plan(path, page_no, settings)
        try:
            if plan.bilevel:  # a 1-bit scan: its own pixels, black or white (pdf_render_plan)
                pages = convert_from_path(
                    str(path), dpi=plan.dpi, first_page=page_no, last_page=page_no, thread_count=1, use_pdftocairo=True
                )
            else:
                pages = convert_from_path(str(path), dpi=settings.pdf_dpi, first_page=page_no, last_page=page_no, thread_count=1)
        except PDFInfoNotInstalledError as e:
            raise MissingDependencyError("poppler is not installed", hint="apt-get install poppler-utils") from e
        except (PDFPageCountError, PDFSyntaxError) as e:
            raise CorruptFileError(
                str(path), zh_en(f"第 {page_no} 页无法渲染", f"page {page_no} cannot be rendered ({e})")
            ) from e
        if not pages:
            raise CorruptFileError(str(path), zh_en(f"第 {page_no} 页渲染结果为空", f"page {page_no} rendered to nothing"))
        if plan.bilevel:  # black or white again where cairo rounded or merged pixels
            return _to_bgr(pages[0].convert("L").point(lambda v: 255 if v >= 128 else 0))
        return _to_bgr(pages[0])
    with _open_image(path, settings) as img:
        try:
            with _decoder_warnings(path):
                img.seek(page_no - 1)
                frame = img.copy()
        except (EOFError, OSError, ValueError) as e:
            raise CorruptFileError(str(path), zh_en(f"第 {page_no} 帧无法读取", f"frame {page_no} cannot be read ({e})")) from e
    return _to_bgr(square_pixels(frame, settings.max_image_pixels))


# --- registering a folder --------------------------------------------------------------------
def register_folder(store: Store, scans_dir: Path, run_id: int | None, settings: Settings) -> IntakeResult:
    """Register every readable scan below scans_dir (idempotent by sha256); quarantine the rest.

    Names are stored as people read them (`safety.fs_name`: UTF-8, else GBK/GB18030, else escaped
    bytes) and the path to read as its exact bytes (`safety.path_for_db`). Two runs registering the
    same folder at once each end with the file registered once."""
    scans_dir = scans_dir.resolve()
    scans, others, refused, passed_over = discover(scans_dir)
    result = IntakeResult(
        skipped=[fs_name(p.relative_to(scans_dir)) for p in others],
        passed_over=[QuarantineItem(fs_name(r.path.relative_to(scans_dir)), r.reason, r.message) for r in passed_over],
    )
    for r in refused:
        err = InputFileError(fs_name(r.path.relative_to(scans_dir)), r.message, reason=r.reason)
        result.refused.append(_quarantine(store, run_id, r.path, err.path, "", err, settings, copy=False))
    for path in scans:
        rel = fs_name(path.relative_to(scans_dir))
        if not inside(scans_dir, path):  # a symlink out of the folder: never read, never copied
            err = OutsideFolderError(
                rel,
                zh_en(
                    "该路径（符号链接）指向扫描文件夹之外；请把文件复制进来",
                    "the path leads outside the scanned folder (a symbolic link); copy the file in instead",
                ),
            )
            result.quarantined.append(_quarantine(store, run_id, path, rel, "", err, settings, copy=False))
            continue
        try:
            sha = sha256_file(path)
        except OSError as e:  # reason "unreadable" (InputFileError's own), in the summary and the store alike
            if e.errno == errno.ENAMETOOLONG:
                err = InputFileError(rel, _refusal(rel, e, "file")[1], reason="path_too_long")
            else:
                err = InputFileError(rel, zh_en("无法读取该文件", f"cannot read the file ({e.strerror})"))
            result.quarantined.append(_quarantine(store, run_id, path, rel, "", err, settings))
            continue
        known = _known_file(store, sha)
        if known is not None:
            result.known_files.append(known)
            continue
        source = path
        try:
            media, n_pages = probe(path, settings)
        except CorruptFileError as e:
            try:
                if SCAN_SUFFIXES.get(path.suffix.lower()) != "pdf":
                    raise
                source, n_pages = recover_pdf(path, sha, settings)
                media = "pdf"
            except InputFileError as e2:
                result.quarantined.append(_quarantine(store, run_id, path, rel, sha, _named(e2, rel), settings))
                continue
            part = CorruptFileError(
                rel,
                zh_en(
                    f"{split_zh_en(e.detail)[0]}；已从中恢复并处理 {n_pages} 页，第 {n_pages} 页之后的页面已丢失："
                    "请重新扫描该登记簿，以免遗漏",
                    f"{split_zh_en(e.detail)[1]}; {n_pages} page(s) were recovered from it and are processed, any page "
                    f"after page {n_pages} is lost: rescan the ledger to be sure nothing is missing",
                ),
                reason="partly_recovered",
            )
            result.quarantined.append(_quarantine(store, run_id, path, rel, sha, part, settings))
        except InputFileError as e:
            result.quarantined.append(_quarantine(store, run_id, path, rel, sha, _named(e, rel), settings))
            continue
        try:
            with store.session() as s, s.begin():
                sf = SourceFile(
                    sha256=sha,
                    rel_path=rel,
                    abs_path=path_for_db(source),
                    size_bytes=path.stat().st_size,
                    media_type=media,
                    page_count=n_pages,
                    first_run_id=run_id,
                )
                s.add(sf)
                s.flush()
                s.add_all(Page(file_id=sf.id, page_no=i) for i in range(1, n_pages + 1))
                fid = sf.id
        except IntegrityError:  # another run registered the same file a moment ago: it is known
            known = _known_file(store, sha)
            if known is None:
                raise
            result.known_files.append(known)
            continue
        result.new_files.append(fid)
        log.info("registered %s (%s, %d pages)", shown(rel), media, n_pages)
    return result


def _known_file(store: Store, sha: str) -> int | None:
    with store.session() as s:
        return s.scalar(select(SourceFile.id).where(SourceFile.sha256 == sha))


def _named(err: InputFileError, rel: str) -> InputFileError:
    """The same error, naming the file by its relative, readable name (probe names the full path)."""
    return type(err)(rel, err.detail, reason=err.reason, hint=err.hint or None)


def _quarantine(
    store: Store, run_id: int | None, path: Path, rel: str, sha: str, err: InputFileError, settings: Settings, copy: bool = True
) -> QuarantineItem:
    """The one place a file is quarantined: a copy in the data folder (unless `copy` is False), its
    reason in the store (once per file and content), a warning in the log; returns the summary item."""
    qdir = settings.data_path / "quarantine"
    copy_to = qdir / f"{sha[:12] or 'unhashed'}-{safe_file_name(fs_name(path.name))}"
    target: Path | None = copy_to
    try:
        if not copy:
            target = None
        else:
            private_dir(qdir)
            if not copy_to.exists():  # owner-only like every file of the data folder: a scan holds personal data
                with open(path, "rb") as src, private_file(copy_to, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    except OSError:
        target = None  # the reason is still recorded; the original stays where it was
    msg = err.detail
    try:
        with store.session() as s, s.begin():
            exists = s.scalar(select(Quarantine.id).where(Quarantine.rel_path == rel, Quarantine.sha256 == sha))
            if exists is None:
                s.add(
                    Quarantine(
                        run_id=run_id,
                        rel_path=rel,
                        sha256=sha,
                        reason=err.reason,
                        message=msg,
                        copy_path=None if target is None else str(target),
                    )
                )
    except IntegrityError:
        pass  # another run recorded the same file at the same moment
    log.warning("quarantined %s (%s): %s", shown(rel), err.reason, msg)
    return QuarantineItem(rel, err.reason, msg)
