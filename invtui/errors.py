"""The project's own errors. Each carries one sentence an operator can act on.

Services raise these; the CLI prints `message` as one line and exits non-zero, the UI shows it
as a toast. Anything else that escapes is a bug: logged with its traceback, shown as one line.
"""

from __future__ import annotations


class InvtuiError(Exception):
    """Base class: `message` is shown to the operator as is."""

    title = "Error"
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(InvtuiError):
    title = "Configuration"
    exit_code = 2


class DatabaseUnavailable(InvtuiError):
    title = "Database unreachable"
    exit_code = 3


class MigrationError(InvtuiError):
    title = "Migration"


class NotFound(InvtuiError):
    title = "Not found"


class ValidationError(InvtuiError):
    title = "Invalid input"


class PermissionDenied(InvtuiError):
    title = "Not allowed"


class AuthenticationError(InvtuiError):
    title = "Login failed"


class ConflictError(InvtuiError):
    """Someone else changed the thing first, or the change would break an invariant."""

    title = "Conflict"


class InvalidTransition(ConflictError):
    title = "Not possible now"
