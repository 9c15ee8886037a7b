"""The error codes of kejia.imports: each with a label and a kind, which gives the HTTP status of the
refusal through a page and through the API (kejia.core.errors; docs/architecture.md, "Error codes")."""

from django.utils.translation import pgettext_lazy

from kejia.core.errors import ErrorCodes

codes = ErrorCodes("imports")
codes.state("not_available", pgettext_lazy("error code", "Kept file no longer available"))
