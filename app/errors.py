"""Typed errors the user can act on. Each carries a translated message; the field, when there is one.

Anything that is not one of these is a bug: the front-ends log it with its traceback and show a
plain "something went wrong" message that points at the log file.
"""

from __future__ import annotations


class DeskError(Exception):
    """Base of all errors that are shown to the user as they are."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(DeskError):
    """Bad input: names the field and the problem. Nothing was written."""

    exit_code = 3

    def __init__(self, field: str, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.row = row

    def __str__(self) -> str:
        return self.message


class DuplicateWarning(ValidationError):
    """A record that looks like one already kept; the caller may confirm and go on."""

    def __init__(self, field: str, message: str, existing_id: str) -> None:
        super().__init__(field, message)
        self.existing_id = existing_id


class NotFound(DeskError):
    exit_code = 3


class PermissionDenied(DeskError):
    exit_code = 1


class AuthenticationFailed(DeskError):
    exit_code = 1


class AccountLocked(AuthenticationFailed):
    def __init__(self, message: str, seconds_left: int) -> None:
        super().__init__(message)
        self.seconds_left = seconds_left


class StoreError(DeskError):
    """The database cannot be used as it is (newer version, corrupt, disk full, busy)."""

    exit_code = 1


class VerificationFailed(DeskError):
    """A file or the database failed a check (bundle, backup, audit chain). Nothing was written."""

    exit_code = 4
