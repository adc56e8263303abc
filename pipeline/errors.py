"""One exception hierarchy for the whole product.

The library raises; the CLI turns an exception into its exit code and a hint.
Messages never contain personal data unmasked (see pipeline.privacy).
"""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    bad_args = 2
    input_file = 3          # a scan could not be read (only when a single file was asked for)
    missing_dependency = 4  # tesseract, poppler, a configured model folder...
    config = 5
    database = 6
    package = 7             # an exchange package that fails its checks (tampered, incomplete)
    differences = 8         # reconcile found differences between the store and the platform
    refused = 10            # load: rows with an empty mandatory field were not loaded (the rest was)
    other = 15


class BackfillError(Exception):
    """Base of every error this product raises on purpose."""

    exit_code: ExitCode = ExitCode.other
    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class ConfigError(BackfillError):
    exit_code = ExitCode.config


class MissingDependencyError(BackfillError):
    exit_code = ExitCode.missing_dependency


class ModelMissingError(MissingDependencyError):
    """A configured OCR model folder or file is not there; we never download one."""


class DatabaseError(BackfillError):
    exit_code = ExitCode.database


class InputFileError(BackfillError):
    """A scan that cannot be used. `reason` is a short machine code, the message is for people."""

    exit_code = ExitCode.input_file
    reason: str = "unreadable"

    def __init__(self, path: str, message: str, *, reason: str | None = None, hint: str | None = None):
        super().__init__(f"{path}: {message}", hint=hint)
        self.path = path
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


class NoImagesError(InputFileError):
    """A PDF that holds no scanned image (typed text only): not a scan of a paper ledger."""

    reason = "no_images"


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


class UnknownLedgerError(PageError):
    reason = "unknown_ledger"
