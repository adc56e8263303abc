"""One exception hierarchy for the whole product.

The library raises; the CLI turns an exception into its exit code and a hint.
Messages never contain personal data unmasked (see pipeline.kernel.privacy).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    bad_args = 2
    input_file = 3  # a scan could not be read (only when a single file was asked for)
    missing_dependency = 4  # tesseract, poppler, a configured model folder...
    config = 5
    database = 6
    package = 7  # an exchange package that fails its checks (tampered, incomplete)
    differences = 8  # reconcile found differences between the store and the platform
    output = 9  # a file or folder to write (export, package) cannot be written there
    refused = 10  # load: rows with an empty mandatory field were not loaded (the rest was)
    interrupted = 130  # stopped by Ctrl-C (SIGINT) or SIGTERM; what was done is saved
    other = 15


ERROR_LABELS: dict[ExitCode, str] = {
    ExitCode.bad_args: "命令参数有误",
    ExitCode.input_file: "输入文件无法使用",  # a scan, an inventory CSV, a roll: what the user gave
    ExitCode.missing_dependency: "缺少所需的程序或模型",
    ExitCode.config: "设置有误",
    ExitCode.database: "数据库无法使用",
    ExitCode.package: "交换包未通过校验",
    ExitCode.differences: "工作库与平台数据不一致",
    ExitCode.output: "无法写出文件",
    ExitCode.refused: "部分行未入库",
    ExitCode.other: "无法完成",
}
"""What kind of failure an error is, in Chinese, by its exit code: the CLI prints it before the message
(whose detail is in English), so an administrator who reads Chinese first knows at once whether the
settings, the database, a file or a missing program is at fault."""


def error_line(exit_code: ExitCode | int, message: str) -> str:
    """The CLI's one error line: `error: <kind in Chinese> / <message>`, e.g. "error: 设置有误 / invalid
    settings: ocr.batch_pages: must be 1 or more"."""
    try:
        label = ERROR_LABELS.get(ExitCode(exit_code), ERROR_LABELS[ExitCode.other])
    except ValueError:
        label = ERROR_LABELS[ExitCode.other]
    return f"error: {label} / {message}"


class BackfillError(Exception):
    """Base of every error this product raises on purpose."""

    exit_code: ExitCode = ExitCode.other
    hint: str = ""
    details: tuple[str, ...] = ()
    """Items the message stands for, one per line where it is shown (the CLI prints each on a line of its
    own under the error line; the review app lists them), e.g. every bad line of an inventory file."""

    def __init__(self, message: str, *, hint: str | None = None, details: tuple[str, ...] | list[str] = ()):
        super().__init__(message)
        if hint is not None:
            self.hint = hint
        if details:
            self.details = tuple(details)


class ConfigError(BackfillError):
    exit_code = ExitCode.config


class MissingDependencyError(BackfillError):
    exit_code = ExitCode.missing_dependency


class ModelMissingError(MissingDependencyError):
    """A configured OCR model folder or file is not there; we never download one."""


class DatabaseError(BackfillError):
    exit_code = ExitCode.database


class OutputError(BackfillError):
    """A file or folder we were asked to write (an export, a package) that cannot be written there."""

    exit_code = ExitCode.output


_PART_IS_FILE = ("路径中有一段是文件而不是文件夹", "a part of the path is a file, not a folder")
_PATH_REASONS: dict[str, tuple[str, str]] = {
    "ENOTDIR": _PART_IS_FILE,
    "EEXIST": _PART_IS_FILE,  # making the folders above it met a file of that name
    "EROFS": ("该文件系统是只读的", "the file system is read-only"),
    "ENOSPC": ("磁盘已满", "the disk is full"),
}
"""The POSIX errno codes (by name) that writing a file or making a folder both end with, said in Chinese and
English (output_error, data_folder_message add their own)."""


def _os_reason(e: OSError, own: dict[str, tuple[str, str]], refused: str) -> tuple[str, str]:
    """(Chinese, English) reason of an OSError by its POSIX errno name (`own` before _PATH_REASONS); an errno
    not listed: `refused` in Chinese, the OS's own words in English."""
    import errno as _errno

    name = _errno.errorcode.get(e.errno or 0, "")
    return own.get(name) or _PATH_REASONS.get(name) or (refused, e.strerror or type(e).__name__)


def output_error(path: object, e: OSError, what: str = "file") -> OutputError:
    """One line naming the path and the reason an OSError gave while writing it, Chinese first (the
    reasons by POSIX errno name; an errno not listed keeps the OS's own words, in English only)."""
    no_permission = ("没有在那里写入的权限", "no permission to write there")
    zh, why = _os_reason(
        e,
        {
            "EISDIR": ("这是一个文件夹，请给出其中的文件名", "it is a folder; give a file name inside it"),
            "EACCES": no_permission,
            "EPERM": no_permission,
            "ENOENT": ("它所在的文件夹不存在", "its folder does not exist"),
        },
        "操作系统拒绝写入",
    )
    return OutputError(
        f"无法写出 {path}：{zh}，未写出任何内容 / cannot write the {what} {path}: {why}; nothing was written",
        hint="请换一个路径（--out）或修正权限后重新运行同一命令 / choose another path (--out) or fix the permissions, "
        "then run the same command again",
    )


_NO_FOLDER_PERMISSION = ("没有在那里创建文件夹的权限", "no permission to create a folder there")
_FOLDER_REASONS: dict[str, tuple[str, str]] = {
    "EACCES": _NO_FOLDER_PERMISSION,
    "EPERM": _NO_FOLDER_PERMISSION,
    "ENOENT": ("上级文件夹不存在且无法创建", "a folder above it does not exist and cannot be made"),
}
"""The POSIX errno codes (by name) making a folder ends with that writing a file says otherwise."""


def data_folder_message(path: object, e: OSError) -> str:
    """The data folder that cannot be made, named with the reason, Chinese first (the OS's own words,
    English only, where the errno is not one of _FOLDER_REASONS or _PATH_REASONS)."""
    zh, en = _os_reason(e, _FOLDER_REASONS, "操作系统拒绝")
    return f"无法创建数据文件夹 {path}：{zh} / cannot create the data folder {path}: {en}"


class InputFileError(BackfillError):
    """A scan that cannot be used. `reason` is a short machine code, the message is for people."""

    exit_code = ExitCode.input_file
    reason: str = "unreadable"

    def __init__(self, path: str, message: str, *, reason: str | None = None, hint: str | None = None):
        super().__init__(f"{path}: {message}", hint=hint)
        self.path = path
        self.detail = message  # the reason alone (the path may hold ': ' itself)
        if reason is not None:
            self.reason = reason


class EmptyFileError(InputFileError):
    reason = "empty_file"


class CorruptFileError(InputFileError):
    reason = "corrupt"


class EncryptedFileError(InputFileError):
    reason = "encrypted"


class UnsupportedFileError(InputFileError):
    reason = "unsupported"


class ImageTooLargeError(InputFileError):
    reason = "too_large"


class ImageTooSmallError(InputFileError):
    """An image too small to hold a readable page (a thumbnail, an icon): see intake.MIN_PAGE_SIDE_PX."""

    reason = "too_small"


class NoImagesError(InputFileError):
    """A PDF that holds no scanned image (typed text only): not a scan of a paper ledger."""

    reason = "no_images"


class TooManyPagesError(InputFileError):
    """A file with more pages than the per-file limit (max_pages_per_file): hours of work nobody asked for."""

    reason = "too_many_pages"


class OutsideFolderError(InputFileError):
    """A path (a symlink in the scan folder) that leads outside the folder given: never read."""

    reason = "outside_folder"


class PageError(BackfillError):
    """A page that was read but cannot be turned into records (no table found, not a ledger)."""

    reason: str = "page_failed"

    def __init__(self, message: str, *, reason: str | None = None):
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class NoTableError(PageError):
    reason = "no_table"


class InkDotsError(NoTableError):
    """No table and no writing made out, but the page holds dots of ink standing in lines
    (layout.INK_DOTS_MIN): writing and ruling broken up into dots, or grain; no blank page. Its status
    stays "no_table"; extract.page_reason tells the person so (bilevel_no_table on a 1-bit scan, else
    ink_dots), never "a blank page, a letter or a cover?"."""

    dotted = True


class UnknownLedgerError(PageError):
    """A table whose header row names no ledger kind. `unruled`: its rows and columns were read from the
    text's alignment, no ruling line seen (layout.grid_from_text): on a 1-bit scan that is a table whose
    ruling the threshold lost (extract.page_reason tells it so). `misread`: most of its written header
    cells were read unsure (below the second-reading level): a header the recognizer could not read,
    rather than one read well that names a register kind the spec lacks. `named_other`: its title names a
    register kind the spec does not map (mapping.headers.detect_kind's score of none): evidence of another
    kind, never a misread header of its volume's kind."""

    reason = "unknown_ledger"

    def __init__(
        self, message: str, *, reason: str | None = None, unruled: bool = False, misread: bool = False, named_other: bool = False
    ):
        super().__init__(message, reason=reason)
        self.unruled = unruled
        self.misread = misread
        self.named_other = named_other


class ColumnsUnreadError(NoTableError):
    """A ruled table whose rows hold writing but none of whose columns was identified (no header read as
    a field's, no column told by its cells): every row would map to nothing and the page would end
    "done" with no records and nothing said. Its status stays "no_table" (a page that gave no records);
    `code` is the finer reason the person is told (pipeline.kernel.reasons).

    `extraction`: the page as read, its rows with writing kept though no column is identified
    (pipeline.page.extract.PageExtraction), for a page whose volume may tell its columns (a photograph's
    faint, grainy header words on one page of a printed form its sibling pages show); None where not kept."""

    code = "columns_unread"
    extraction: object | None = None
