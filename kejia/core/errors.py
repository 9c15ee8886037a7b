"""Domain errors: raised by services, shown to people in their language, never a 500."""

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the domain refused the request. `code` is stable for API clients;
    `message` is translatable; `field` names the input at fault, when there is one."""

    status = 400

    def __init__(self, code: str, message: str | Promise, *, field: str | None = None, row: int | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        self.row = row

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
    status = 403

    def __init__(self, message: str | Promise = ""):
        from django.utils.translation import gettext_lazy as _

        super().__init__("forbidden", message or _("You do not have permission to do this."))


class NotFound(DomainError):
    """Also used for objects outside the caller's scope, so scope does not leak existence."""

    status = 404

    def __init__(self, message: str | Promise = ""):
        from django.utils.translation import gettext_lazy as _

        super().__init__("not_found", message or _("Not found."))


class IllegalTransition(DomainError):
    status = 409
