"""Why a page or a file gave no records, in the words its readers use: one table, Chinese first.

`backfill run` prints, for every page that gave no records and every file it quarantined or could
not read, a reason from REASONS by its code (the page's status, or the finer code extract.page_reason
stored with it; a file's InputFileError.reason): Simplified Chinese first, the English wording after
it, then the English detail the page or file was stored with (counts of lines found, the system's
error). The CLI has no language setting of its own (the review app's is per user, in
review_app.i18n): its administrator reads Chinese, so Chinese comes first and English follows.
The same English wordings end a page's stored error (extract.page_advice), so a log and the store
say what the summary says.

A code missing here shows the code itself (never an exception): a reason added elsewhere is still
printed, and tests/test_reasons.py asks every code the pipeline raises to have its words here."""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    # --- a page that gave no records (Page.status, or extract.page_reason's finer code)
    "no_table": (
        "未提取到任何内容：是空白页、信函还是封面？请检查扫描件",
        "nothing was extracted: a blank page, a letter or a cover? Check the scan",
    ),
    "bilevel_no_table": (
        "这是黑白二值（1 位）扫描件，未找到表格：浅色字迹和表格线可能在二值化时已丢失（扫描仪的黑边会使阈值偏向黑色）；"
        "未提取到任何内容：请以灰度或彩色模式重新扫描该页",
        "a 1-bit (black and white) scan on which no table was found: light writing and ruling may have been lost"
        " to the scanner's threshold (a black border around the page pulls it toward black); nothing was"
        " extracted: scan the page again in grey or colour",
    ),
    "dithered_no_table": (
        "这是以半色调（抖动、网点）方式扫描的黑白页面，已还原为灰度，但仍未找到表格或认不出登记簿种类：网点会吞掉细的表格线和小字；"
        "未提取到任何内容：请关闭扫描仪的半色调/抖动设置（选“文字”或“黑白文本”模式），最好以灰度模式重新扫描该页",
        "a black-and-white page scanned with a halftone (dither), made grey again, on which still no table or no register"
        " kind was found: the dots swallow thin ruling and small writing; nothing was extracted: turn the scanner's"
        " halftone/dither setting off (its text or line-art mode), or better scan the page again in grey",
    ),
    "ink_dots": (
        "未找到表格，也认不出成行的字迹，但页面并非空白：有成行的细小墨点（字迹或表格线在扫描或拍摄时碎成了点，或是纸张颗粒）；"
        "未提取到任何内容：请以灰度或彩色模式、足够的分辨率重新扫描或拍摄该页",
        "no table and no rows of writing could be made out, but the page is not blank: it holds dots of ink standing in"
        " lines (writing or ruling broken up into dots by the scan or the photograph, or grain); nothing was"
        " extracted: scan or photograph the page again in grey or colour, at a sufficient resolution",
    ),
    "table_without_rows": (
        "找到了表格的外框，但没有找到它的行（拍摄时倾斜过大、纸面弯曲或有阴影？）；未提取到任何内容："
        "请将该页放平摆正后重新拍摄或扫描，或手工录入它的记录",
        "a ruled table's outline was found but not its rows (photographed at a steep slant, bent, or shaded?);"
        " nothing was extracted: photograph or scan the page again flat and square, or key its records in",
    ),
    "columns_unread": (
        "找到了表格和它的行，行中有字迹，但没有认出任何一栏（表头和各栏内容都无法辨认：模糊、褪色、颗粒重或光线太暗？）；"
        "未提取到任何内容：请重新拍摄或扫描该页，或手工录入它的记录",
        "the table and its rows were found and the rows hold writing, but no column was identified (header and"
        " cells unreadable: blurred, faded, grainy or dim?); nothing was extracted: photograph or scan the page"
        " again, or key its records in",
    ),
    "dark_page": (
        "整页几乎全黑：曝光或扫描设置有误；未提取到任何内容：请调整设置后重新扫描或拍摄该页",
        "nearly all black: exposure or scan setting; nothing was extracted: scan or photograph the page again with"
        " the setting corrected",
    ),
    "dim_page": (
        "整页灰暗且看不到字迹：曝光不足或扫描设置（亮度、对比度）有误；未提取到任何内容：请调整设置后重新扫描或拍摄该页",
        "the whole page is dim grey with no writing to be seen: under-exposed or a scan setting (brightness, contrast);"
        " nothing was extracted: scan or photograph the page again with the setting corrected",
    ),
    "unknown_ledger": (
        "未提取到任何内容：规范（尚）未收录这种登记簿；请告知管理员",
        "nothing was extracted: a register kind the spec does not map (yet); tell the administrator",
    ),
    "unknown_ledger_photo": (
        "未提取到任何内容：照片上的表头与已知的各种登记簿都对不上，多半是照片不清（倾斜、阴影、模糊或拍得太远）；"
        "请把该页放平、正对、光线均匀地靠近重拍或改用扫描；重拍后仍如此，可能是规范未收录的登记簿，请告知管理员",
        "nothing was extracted: the photographed header matches no known register kind, most often because the"
        " photograph is poor (slanted, shaded, blurred or taken from too far): photograph the page again flat,"
        " square, evenly lit and close, or scan it; if it still does not, the register kind may be one the spec"
        " does not map: tell the administrator",
    ),
    "failed": ("处理该页时出错，未提取到任何内容；其余页面照常处理", "the page could not be processed; nothing was extracted"),
    "page_failed": ("处理该页时出错，未提取到任何内容", "the page could not be processed; nothing was extracted"),
    "ocr_failed": ("文字识别程序出错，未提取到任何内容", "the recognizer failed on the page; nothing was extracted"),
    # --- a file quarantined or not read (InputFileError.reason, intake._refusal)
    "unreadable": ("文件无法读取", "the file cannot be read"),
    "empty_file": ("空文件", "the file is empty"),
    "corrupt": ("文件已损坏，无法读取", "the file is damaged and cannot be read"),
    "partly_recovered": (
        "文件已损坏：已恢复并处理了部分页面，之后的页面丢失；请重新扫描该登记簿",
        "the file is damaged: some pages were recovered and processed, the rest is lost; rescan the ledger",
    ),
    "encrypted": ("文件已加密，无法读取", "the file is encrypted"),
    "unsupported": ("不支持的文件格式", "a file format that is not supported"),
    "too_large": ("图像过大，未处理", "the image is too large to process"),
    "too_small": (
        "图像太小，不是可读的页面（缩略图或图标？）",
        "the image is too small to be a readable page (a thumbnail or an icon?)",
    ),
    "no_images": (
        "PDF 中没有扫描图像（只有文字）：不是纸质登记簿的扫描件",
        "the PDF holds no scanned image: not a scan of a paper ledger",
    ),
    "too_many_pages": ("页数超过每个文件的上限，未处理", "more pages than the per-file limit"),
    "outside_folder": ("链接指向扫描文件夹之外，未读取", "a link that leads outside the scan folder: not read"),
    "path_too_long": (
        "路径过长，系统拒绝打开；请移到较短的路径下",
        "the path is too long for the system; move it to a shorter path",
    ),
    "file_unreadable": (
        "无法读取该文件（权限不足？），其中的扫描件未读取",
        "the file cannot be read (permission?); its scans are not read",
    ),
    "folder_unreadable": (
        "无法打开该文件夹（权限不足？），其中的扫描件未读取",
        "the folder cannot be opened (permission?); the scans in it are not read",
    ),
    # --- an entry of the scan folder skipped, never read (intake.discover)
    "hidden": ("已跳过：隐藏文件", "skipped: a hidden file or folder"),
    "link_outside": ("已跳过：符号链接指向扫描目录之外", "skipped: a symbolic link that leads outside the scan folder"),
    "link_inside": ("已跳过：符号链接指向扫描目录之内", "skipped: a symbolic link that leads inside the scan folder"),
    "link_broken": ("已跳过：符号链接的目标不存在", "skipped: a symbolic link whose target does not exist"),
}

HEADINGS: dict[str, tuple[str, str]] = {
    "not_read": (
        "未读取（系统拒绝打开这些文件夹或路径，其中的内容均未查看）",
        "not read (the system refused these folders or paths; nothing in them was looked at)",
    ),
    "quarantined": ("已隔离（副本在 {where}）", "quarantined (copies in {where})"),
    "pages_turned": (
        "扫描时方向颠倒或侧转的页面，已转正后读取（无需重新扫描）",
        "pages scanned turned, read after turning them upright (no rescan needed)",
    ),
    "pages_problem": ("有问题的页面（未提取到记录）", "pages with problems (no records from them)"),
    "skipped": (
        "已跳过（隐藏文件和符号链接：不读取、不跟随）",
        "skipped (hidden files and symbolic links: never read nor followed)",
    ),
}
"""The summary's lines above each list of reasons, Chinese first (`heading`)."""


def reason_zh(code: str) -> str:
    """A reason's Chinese words, or the code itself where the table has none."""
    return REASONS.get(code, (code, code))[0]


def reason_en(code: str) -> str:
    """A reason's English words, or the code itself where the table has none."""
    return REASONS.get(code, (code, code))[1]


def reason_text(code: str, detail: str = "") -> str:
    """A reason as the CLI prints it: Chinese, then English, then the stored detail (Chinese first,
    `zh_en`; an older one English only) where it says more than the words do -- the words it starts with
    are not said twice ("the file is empty (the file is empty (0 bytes) ...)")."""
    zh, en = REASONS.get(code, (code, code))
    more = detail.strip()
    if more.endswith(en):
        more = more[: -len(en)].rstrip("; ").rstrip()
    d_zh, d_en = split_zh_en(more)
    if d_zh == d_en:  # English only (stored before details were Chinese first)
        more = _less(more, en)
    else:
        more = zh_en(_less(d_zh, zh), _less(d_en, en))
    return f"{zh} / {en}" + (f" ({more})" if more.strip(" /") else "")


def _less(text: str, words: str) -> str:
    """`text` without the `words` it starts with (and the brackets that then open it): "the file is empty
    (0 bytes); rescan it" less "the file is empty" is "0 bytes; rescan it"."""
    if not text.lower().startswith(words.lower()):
        return text
    text = text[len(words) :].strip(" ;:,；：，")
    for o, c in (("(", ")"), ("（", "）")):
        if text.startswith(o) and c in text:
            text = text[1:].replace(c, "", 1).strip(" ;:,；：，")
    return text


def zh_en(zh: str, en: str) -> str:
    """A detail stored and printed for people, Chinese first: "中文 / English". The Chinese part never
    holds " / " itself (the system's own error text goes in the English part only), so `split_zh_en`
    finds the two again (the review app shows its reader's language)."""
    return f"{zh} / {en}"


def split_zh_en(text: str) -> tuple[str, str]:
    """(Chinese, English) of a `zh_en` detail; an older English-only detail is both."""
    zh, sep, en = text.partition(" / ")
    return (zh, en) if sep and any("\u4e00" <= c <= "\u9fff" for c in zh) else (text, text)


def heading(key: str, **params: str) -> str:
    """A summary heading, Chinese first: 中文 / English, with {params} filled in."""
    zh, en = HEADINGS[key]
    return f"{zh.format(**params)} / {en.format(**params)}:"
