"""One exception tree for the whole product; the server maps it to HTTP in one place.

    PatrolError               anything the product refuses, with a stable dotted code
     ├── ValidationProblem    the input is malformed or breaks a rule of the domain
     ├── AuthProblem          not logged in, wrong password, expired or revoked token
     ├── PermissionProblem    logged in, but this user may not do this
     ├── NotFoundProblem      no such thing, or not visible to this user
     ├── ConflictProblem      the same id was already used for different content
     ├── LimitProblem         too large, too many, or too often
     └── TransitionProblem    a work-order action the order's state does not allow

Every problem carries a code (``record.invalid_field``), a message a person can act on and an
optional detail mapping for programs.
"""

from __future__ import annotations

from typing import Any


class PatrolError(Exception):
    """Base of every problem the product reports on purpose."""

    def __init__(self, code: str, message: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.message, self.detail))  # rebuilt by its own arguments when unpickled


class ValidationProblem(PatrolError):
    pass


class AuthProblem(PatrolError):
    pass


class PermissionProblem(PatrolError):
    pass


class NotFoundProblem(PatrolError):
    pass


class ConflictProblem(PatrolError):
    pass


class LimitProblem(PatrolError):
    pass


class TransitionProblem(PatrolError):
    pass
