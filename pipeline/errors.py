"""Exceptions and the stable reason codes of quarantined rows."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Stable codes for quarantined records and claims (README lists them)."""

    INVALID_JSON = "PC101-invalid-json"
    INVALID_UTF8 = "PC102-invalid-utf8"
    UNKNOWN_FORMAT = "PC103-unknown-format"
    EMPTY_FILE = "PC104-empty-file"
    NO_TITLE = "PC105-no-title"
    BAD_RECORD = "PC106-bad-record-shape"
    UNREADABLE = "PC107-unreadable-file"
    TOO_LARGE = "PC108-record-too-large"
    NOT_A_FILE = "PC109-not-a-regular-file"
    LINK_SKIPPED = "PC110-symlink-not-followed"
    CHANGED = "PC111-changed-while-read"
    NOT_A_PAPER = "PC112-not-a-paper-entry"
    SCHEMA = "PC201-schema-violation"
    EVIDENCE_MISMATCH = "PC202-evidence-not-verbatim"
    OUT_OF_RANGE = "PC203-value-out-of-range"
    ORPHAN = "PC204-unknown-paper"
    BAD_URL = "PC205-bad-url"
    BAD_ENUM = "PC206-bad-enum"
    BAD_RESOLUTION = "PC207-resolution-out-of-range"
    DUPLICATE_ID = "PC208-duplicate-paper-id"
    CURATED_VALUE = "PC209-curated-value-not-a-number"


class PipelineError(Exception):
    """A failure that stops a stage; the CLI prints it on one line and exits 1."""


class SchemaFileError(PipelineError):
    pass


class GazetteerError(PipelineError):
    pass


class InputError(PipelineError):
    """A stage input that cannot be used at all (missing folder, no readable file)."""


class PolicyError(PipelineError):
    """`--strict` or `--max-quarantine-rate` refused the release."""


class AccountingError(PipelineError):
    """The manifest does not prove that every record was kept; publish refuses."""


class LockError(PipelineError):
    """Another run holds the work or output folder (`pipeline.locks`)."""
