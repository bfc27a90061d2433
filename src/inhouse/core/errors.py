"""Errors every door understands.

Services raise these; the API turns each into one JSON shape
(``{"error": {"code", "message", "fields"}}``, plus the ``details`` an error
carries for a program to act on) and the web views into a form error or a
friendly page. ``NotFound`` is also what a caller gets for an object
they may not see, so a hidden object and a missing one look the same.
"""

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})
        # Facts besides the message that a program needs to act on, keyed as the API sends them.
        self.details: dict[str, list[str]] = {}


class InvalidInput(DomainError):
    code = "invalid"
    status = 400


class NotFound(DomainError):
    code = "not_found"
    status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class PermissionDenied(DomainError):
    """The caller may see the object but may not do this to it."""

    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class StaleVersion(Conflict):
    code = "stale_version"

    def __init__(self, *, expected: int, current: int) -> None:
        super().__init__(
            f"The request changed since you loaded it (your version {expected}, "
            f"current version {current}). Reload it and apply your change again."
        )
        self.current = current


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, *, current: str, requested: str, allowed: Sequence[str]) -> None:
        allowed_text = ", ".join(allowed) or "none"
        super().__init__(
            f"A request in status '{current}' cannot move to '{requested}'. "
            f"Allowed: {allowed_text}."
        )
        self.allowed = list(allowed)
        self.details = {"allowed": self.allowed}


class IdempotencyMismatch(DomainError):
    code = "idempotency_key_reused"
    status = 422


class TooLarge(DomainError):
    code = "too_large"
    status = 413
