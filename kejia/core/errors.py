"""Domain errors: raised by services, shown to people in their language, never a 500.

Every error code is registered (docs/architecture.md, "Error codes"): each app declares the codes
it raises in its `errors.py` with `ErrorCodes`, each with a label and a kind; the kind gives the
HTTP status, the same through a page and through the API. Core declares the codes every app shares
(`required`, `invalid`, `not_found`, `illegal_transition`, …) below. The registries are collected
when the apps are ready (`CoreConfig.ready` imports every installed app's `errors` module)."""

import enum
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(enum.Enum):
    """What kind of refusal a code is; its value is the HTTP status it answers with."""

    INVALID = 400  # bad input: a field is missing, malformed or names something unknown
    UNAUTHENTICATED = 401  # not logged in
    FORBIDDEN = 403  # the caller's role does not allow it
    NOT_FOUND = 404  # not found, or outside the caller's scope
    METHOD_NOT_ALLOWED = 405  # the address does not take this method
    STATE = 409  # refused because of the object's state (ended, closed, already decided, …)
    TOO_LARGE = 413  # the request or a file is too large
    THROTTLED = 429  # too many attempts
    SERVER_ERROR = 500  # an unexpected failure, logged
    UNAVAILABLE = 503  # the server cannot do it now (database busy, signing key unusable)

    @property
    def status(self) -> int:
        return self.value


@dataclass(frozen=True)
class ErrorCode:
    code: str
    label: str | Promise
    kind: Kind
    app: str

    @property
    def status(self) -> int:
        return self.kind.status


# app label → {code: ErrorCode}
REGISTRIES: dict[str, dict[str, ErrorCode]] = {}


class ErrorCodes:
    """One app's registry of error codes, declared in `kejia/<app>/errors.py`:

        codes = ErrorCodes("governance")
        codes.state("term_ended", _("The term has ended"))

    Each method returns the code itself, so a module may keep it in a constant."""

    def __init__(self, app: str):
        self.app = app
        self.codes = REGISTRIES.setdefault(app, {})

    def add(self, code: str, label: str | Promise, kind: Kind = Kind.INVALID) -> str:
        known = self.codes.get(code)
        if known is not None and known.kind != kind:
            raise ValueError(f"error code {code!r} of {self.app} declared twice with different kinds")
        self.codes[code] = ErrorCode(code, label, kind, self.app)
        return code

    def invalid(self, code: str, label: str | Promise) -> str:
        return self.add(code, label, Kind.INVALID)

    def state(self, code: str, label: str | Promise) -> str:
        return self.add(code, label, Kind.STATE)

    def forbidden(self, code: str, label: str | Promise) -> str:
        return self.add(code, label, Kind.FORBIDDEN)

    def not_found(self, code: str, label: str | Promise) -> str:
        return self.add(code, label, Kind.NOT_FOUND)

    def __contains__(self, code: str) -> bool:
        return code in self.codes


def lookup(code: str) -> ErrorCode | None:
    """The registered code (core's first, then the apps'). A code declared by several apps has one
    kind (kejia/core/tests/test_error_codes.py), so any of them gives its status."""
    for registry in REGISTRIES.values():
        if code in registry:
            return registry[code]
    return None


def all_codes() -> list[ErrorCode]:
    return [entry for registry in REGISTRIES.values() for entry in registry.values()]


_strict = False


def be_strict(strict: bool = True) -> None:
    """From now on an unregistered code raises instead of answering with its class's status
    (CoreConfig.ready sets it from the setting ERROR_CODES_STRICT, true in the test settings)."""
    global _strict
    _strict = strict


class UnknownErrorCode(LookupError):
    pass


class DomainError(Exception):
    """A rule of the domain refused the request. `code` is stable for API clients and registered
    (above); `message` is translatable; `field` names the input at fault, when there is one.
    `status` comes from the code's kind; `default_status` only serves a code not registered
    (never in tests: ERROR_CODES_STRICT)."""

    default_status = 400

    def __init__(self, code: str, message: str | Promise, *, field: str | None = None, row: int | None = None):
        super().__init__(str(message))
        if _strict and lookup(code) is None:
            raise UnknownErrorCode(f"error code {code!r} is not registered: declare it in the app's errors.py")
        self.code = code
        self.message = message
        self.field = field
        self.row = row

    @property
    def registered(self) -> ErrorCode | None:
        return lookup(self.code)

    @property
    def status(self) -> int:
        entry = lookup(self.code)
        return entry.status if entry else self.default_status

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": str(self.message)}
        if self.field:
            data["field"] = self.field
        if self.row is not None:
            data["row"] = self.row
        return data


class ValidationFailed(DomainError):
    """Several field errors at once: {field: [messages]}."""

    def __init__(self, errors: dict[str, list[str]]):
        first_field, first = next(iter(errors.items()))
        super().__init__("invalid", first[0], field=first_field)
        self.errors = errors

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["errors"] = {k: [str(m) for m in v] for k, v in self.errors.items()}
        return data


class PermissionDenied(DomainError):
    default_status = 403

    def __init__(self, message: str | Promise = ""):
        super().__init__("forbidden", message or _("You do not have permission to do this."))


class NotFound(DomainError):
    """Also used for objects outside the caller's scope, so scope does not leak existence."""

    default_status = 404

    def __init__(self, message: str | Promise = ""):
        super().__init__("not_found", message or _("Not found."))


class IllegalTransition(DomainError):
    """A refusal because of the object's state; its code is registered with the kind STATE."""

    default_status = 409


# The codes every app shares, and those core and the API handlers answer with themselves.
codes = ErrorCodes("core")
codes.invalid("invalid", pgettext_lazy("error code", "Invalid input"))
codes.invalid("required", pgettext_lazy("error code", "A value is required"))
codes.invalid("invalid_date", pgettext_lazy("error code", "Not a valid date"))
codes.invalid("invalid_dates", pgettext_lazy("error code", "The dates do not fit together"))
codes.invalid("future_date", pgettext_lazy("error code", "The date is in the future"))
codes.invalid("too_long", pgettext_lazy("error code", "The text is too long"))
codes.invalid("out_of_range", pgettext_lazy("error code", "The number is out of range"))
codes.invalid("unknown_field", pgettext_lazy("error code", "Unknown field"))
codes.invalid("bad_file", pgettext_lazy("error code", "The file cannot be used"))
codes.invalid("bad_request", pgettext_lazy("error code", "The request was refused"))
codes.forbidden("forbidden", pgettext_lazy("error code", "Not allowed"))
codes.forbidden("csrf_failed", pgettext_lazy("error code", "The session's security token is missing or wrong"))
codes.not_found("not_found", pgettext_lazy("error code", "Not found"))
codes.state("illegal_transition", pgettext_lazy("error code", "Not allowed in the object's present state"))
codes.add("unauthenticated", pgettext_lazy("error code", "Not logged in"), Kind.UNAUTHENTICATED)
codes.add("method_not_allowed", pgettext_lazy("error code", "Method not allowed"), Kind.METHOD_NOT_ALLOWED)
codes.add("too_large", pgettext_lazy("error code", "Too large"), Kind.TOO_LARGE)
codes.add("throttled", pgettext_lazy("error code", "Too many attempts"), Kind.THROTTLED)
codes.add("locked", pgettext_lazy("error code", "Locked after too many attempts"), Kind.THROTTLED)
codes.add("too_many_requests", pgettext_lazy("error code", "Too many requests"), Kind.THROTTLED)
codes.add("busy", pgettext_lazy("error code", "The database is busy"), Kind.UNAVAILABLE)
codes.add("server_error", pgettext_lazy("error code", "Server error"), Kind.SERVER_ERROR)
