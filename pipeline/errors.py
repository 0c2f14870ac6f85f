"""Exception hierarchy and the one place that maps failures to exit codes."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of the `sohoa` command (documented in the README)."""

    OK = 0
    SOME_FILES_FAILED = 1
    BAD_ARGUMENTS = 2
    MISSING_DEPENDENCY = 3
    INTERRUPTED = 130


class SohoaError(Exception):
    """Base class of every error the pipeline raises on purpose."""

    exit_code: ExitCode = ExitCode.SOME_FILES_FAILED


class BadArgumentsError(SohoaError):
    """The command line or a query cannot be used as given."""

    exit_code = ExitCode.BAD_ARGUMENTS


class StoreBusyError(BadArgumentsError):
    """Another ingest is writing to the same store; the message names its process."""


class UnwritableOutputError(BadArgumentsError):
    """An output folder or database cannot be written (checked before any work starts)."""


class DiskFullError(SohoaError):
    """The disk filled up while writing: the run stops, and what was written stays."""


class InterruptedRun(SohoaError):
    """Ctrl-C or SIGTERM stopped a run; the message says what was saved and how to resume."""

    exit_code = ExitCode.INTERRUPTED


class MissingDependencyError(SohoaError):
    """An external program or model is not installed; the message carries the install hint."""

    exit_code = ExitCode.MISSING_DEPENDENCY


class InputFileError(SohoaError):
    """One input file cannot be read as a document; the run reports it and goes on."""


class UnsupportedFileError(InputFileError):
    """The content is not a PDF, image or text file we can read."""


class EmptyFileError(InputFileError):
    """The file has no bytes or no pages."""


class EncryptedPdfError(InputFileError):
    """The PDF needs a password."""


class CorruptFileError(InputFileError):
    """The file is truncated or damaged."""


class ImageTooLargeError(InputFileError):
    """The image would decompress to more pixels than the configured limit."""


class OcrError(SohoaError):
    """Tesseract failed on a page."""


class ModelError(SohoaError):
    """A trained model file is missing or damaged."""


def exit_code_for(error: BaseException) -> ExitCode:
    """Map any exception to the process exit code."""
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(error, SohoaError):
        return error.exit_code
    return ExitCode.SOME_FILES_FAILED


class ArchiveError(SohoaError):
    """An archive deliverable (PDF/A, ALTO, hOCR, bag) cannot be made for one document: its
    source file is gone, it has no page images, or the written file failed its checks."""
