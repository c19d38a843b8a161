"""Core errors. Dialects translate these into their vendor's error envelope."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str


class CoreError(Exception):
    """Base of every error the core raises on purpose."""

    code = "Error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(CoreError):
    code = "RecordNotFound"


class Invalid(CoreError):
    """Input broke a rule; ``errors`` names each field that was wrong."""

    code = "ValidationError"

    def __init__(self, message: str, errors: list[FieldError] | None = None, *, code: str | None = None):
        super().__init__(message, code=code)
        self.errors = list(errors or [])

    @classmethod
    def field(cls, field: str, message: str, code: str = "Invalid") -> Invalid:
        return cls(message, [FieldError(field, code, message)], code=code)


class Conflict(CoreError):
    """The write would lose someone else's update, or the record is in use."""

    code = "Conflict"


class Forbidden(CoreError):
    code = "Forbidden"


class Unauthenticated(CoreError):
    code = "Unauthenticated"
