"""The error codes of kejia.grassroots: each with a label and a kind, which gives the HTTP status of the
refusal through a page and through the API (kejia.core.errors; docs/architecture.md, "Error codes")."""

from django.utils.translation import pgettext_lazy

from kejia.core.errors import ErrorCodes

codes = ErrorCodes("grassroots")
codes.state("already_ended", pgettext_lazy("error code", "Already ended"))
codes.invalid("category_retired", pgettext_lazy("error code", "Category no longer in use"))
codes.invalid("duplicate", pgettext_lazy("error code", "Already exists"))
codes.invalid("ends_before_start", pgettext_lazy("error code", "Ends before it starts"))
codes.invalid("not_county_or_township", pgettext_lazy("error code", "Not a county or township association"))
codes.invalid("not_grassroots", pgettext_lazy("error code", "Not a grassroots body"))
codes.invalid("unknown_category", pgettext_lazy("error code", "Unknown category"))
codes.invalid("unknown_organization", pgettext_lazy("error code", "Unknown organization"))
codes.invalid("unknown_person", pgettext_lazy("error code", "Unknown person"))
