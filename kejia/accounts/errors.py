"""The error codes of kejia.accounts: each with a label and a kind, which gives the HTTP status of the
refusal through a page and through the API (kejia.core.errors; docs/architecture.md, "Error codes")."""

from django.utils.translation import pgettext_lazy

from kejia.core.errors import ErrorCodes

codes = ErrorCodes("accounts")
codes.invalid("bad_code", pgettext_lazy("error code", "Wrong or expired code"))
codes.invalid("bad_credentials", pgettext_lazy("error code", "Wrong login or password"))
codes.invalid("bad_password", pgettext_lazy("error code", "Wrong current password"))
codes.invalid("role_kind", pgettext_lazy("error code", "Unknown role"))
codes.invalid("token_days", pgettext_lazy("error code", "Token validity out of range"))
