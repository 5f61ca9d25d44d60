"""The one exception tree of driftcheck, and the exit codes it maps to.

Every error a user can cause (a bad option, a broken config, an unreadable
export, a failed pull, an email that did not go out) is one of these classes.
The CLI catches :class:`DriftcheckError` in one place, prints ``str(exc)`` and
exits with ``exc.exit_code``. Anything else escaping is a bug.

::

    DriftcheckError               base, never raised bare; exit 2
    ├── UsageError                bad option mix, unknown rule id
    ├── ConfigError               driftcheck.toml or a rule pack is invalid
    ├── InputError                an export is unreadable (file, row, column, found, expected)
    │   ├── UnknownFormatError    no known export format matches the file
    │   ├── MissingColumnError    a required column is absent
    │   └── BadValueError         a value cannot be parsed
    ├── HistoryError              the history database is unusable (newer schema, locked)
    ├── SourceError               a live pull failed (system, stream, status); .retryable
    │   ├── AuthError
    │   ├── RateLimitError
    │   └── SourceTimeoutError
    └── DeliveryError             report built, email not sent; exit 3

Messages are one or two plain sentences for an owner: what is wrong, where,
what was found, what was expected, and what to do next. They never contain a
secret, a token or a URL query string.
"""

from __future__ import annotations

import enum
from pathlib import Path

__all__ = [
    "AuthError",
    "BadValueError",
    "ConfigError",
    "DeliveryError",
    "DriftcheckError",
    "ExitCode",
    "HistoryError",
    "InputError",
    "MissingColumnError",
    "RateLimitError",
    "SourceError",
    "SourceTimeoutError",
    "UnknownFormatError",
    "UsageError",
]


class ExitCode(enum.IntEnum):
    """Process exit codes: a contract for scripts and cron."""

    #: No finding at or above ``--fail-on``.
    OK = 0
    #: Findings at or above ``--fail-on``.
    FINDINGS = 1
    #: Usage, configuration or input error (nothing was checked).
    ERROR = 2
    #: The report was built but could not be delivered (email failed).
    DELIVERY_FAILED = 3


class DriftcheckError(Exception):
    """Base of every error driftcheck raises on purpose."""

    exit_code: int = ExitCode.ERROR


class UsageError(DriftcheckError):
    """An option, argument or combination of them that makes no sense."""


class ConfigError(DriftcheckError):
    """``driftcheck.toml`` or a rule pack is invalid.

    Args:
        message: what is wrong, in plain words.
        file: the file at fault.
        key: the dotted key at fault (``rules.invoice-overdue.within_days``).
    """

    def __init__(self, message: str, *, file: str | Path | None = None, key: str | None = None):
        self.file = str(file) if file is not None else None
        self.key = key
        where = ""
        if self.file:
            where = f"{self.file}"
            if key:
                where += f", key '{key}'"
            where += ": "
        elif key:
            where = f"key '{key}': "
        super().__init__(f"{where}{message}")


class InputError(DriftcheckError):
    """An export cannot be read as what it claims to be.

    Args:
        message: what is wrong.
        file: the file at fault.
        row: 1-based line number in the file as a spreadsheet shows it.
        column: the column header at fault.
        found: the offending value, shortened.
        expected: what would have been accepted.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        found: object = None,
        expected: str | None = None,
    ):
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.found = found
        self.expected = expected
        parts = []
        if self.file:
            parts.append(self.file)
        if row is not None:
            parts.append(f"row {row}")
        if column:
            parts.append(f"column '{column}'")
        text = (", ".join(parts) + ": " if parts else "") + message
        if found is not None:
            shown = str(found)
            if len(shown) > 60:
                shown = shown[:57] + "..."
            text += f"; found {shown!r}"
        if expected:
            text += f", expected {expected}"
        super().__init__(text)


class UnknownFormatError(InputError):
    """No known export format matches the file's header and contents."""


class MissingColumnError(InputError):
    """A column the format needs is absent."""


class BadValueError(InputError):
    """A value (date, amount) cannot be parsed."""


class HistoryError(DriftcheckError):
    """The history database cannot be used (written by a newer driftcheck, corrupt)."""


class SourceError(DriftcheckError):
    """A live pull from a vendor API failed.

    Args:
        message: what happened and what to do.
        system: the vendor (``hubspot``).
        stream: the stream being pulled (``deals``).
        status: the HTTP status, when there was one.
        retryable: whether trying again later may succeed.
    """

    def __init__(
        self,
        message: str,
        *,
        system: str | None = None,
        stream: str | None = None,
        status: int | None = None,
        retryable: bool = False,
    ):
        self.system = system
        self.stream = stream
        self.status = status
        self.retryable = retryable
        where = " ".join(p for p in (system, stream) if p)
        super().__init__(f"{where}: {message}" if where else message)


class AuthError(SourceError):
    """Credentials are missing, invalid or expired beyond refresh."""


class RateLimitError(SourceError):
    """The vendor kept refusing requests for exceeding its limits."""


class SourceTimeoutError(SourceError):
    """The vendor did not answer in time, after retries."""


class DeliveryError(DriftcheckError):
    """The report was built but could not be delivered (SMTP failure)."""

    exit_code = ExitCode.DELIVERY_FAILED
