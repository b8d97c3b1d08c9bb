"""The one exception hierarchy for refusals that users see, translated where raised."""

from typing import Any


class DomainError(Exception):
    """A refusal with a human-readable, already translated message and a stable code."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code
        self.extra = extra


class StateError(DomainError):
    """The object is not in a state that allows the operation."""

    code = "conflict"
    http_status = 409


class PersonalDataError(DomainError):
    """The text holds personal data, which must never be stored."""

    code = "personal_data"
