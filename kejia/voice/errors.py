"""The error codes of kejia.voice: each with a label and a kind, which gives the HTTP status of the
refusal through a page and through the API (kejia.core.errors; docs/architecture.md, "Error codes")."""

from django.utils.translation import pgettext_lazy

from kejia.core.errors import ErrorCodes

codes = ErrorCodes("voice")
codes.state("already_public", pgettext_lazy("error code", "Already public"))
codes.invalid("default_rule", pgettext_lazy("error code", "Default rule cannot be removed"))
codes.invalid("duplicate", pgettext_lazy("error code", "Changed by someone else"))
codes.invalid("invalid_assignee", pgettext_lazy("error code", "Invalid assignee"))
codes.invalid("invalid_kind", pgettext_lazy("error code", "Unknown kind"))
codes.invalid("invalid_rating", pgettext_lazy("error code", "Invalid rating"))
codes.invalid("invalid_target", pgettext_lazy("error code", "Invalid target organization"))
codes.invalid("no_exception", pgettext_lazy("error code", "Not an exception"))
codes.invalid("no_rule", pgettext_lazy("error code", "No rule of its own"))
codes.state("not_answered", pgettext_lazy("error code", "Not answered"))
codes.state("not_open", pgettext_lazy("error code", "Not open"))
codes.invalid("not_public", pgettext_lazy("error code", "Not allowed to publish"))
codes.state("reopened_once", pgettext_lazy("error code", "Already reopened once"))
codes.invalid("unknown_organization", pgettext_lazy("error code", "Unknown organization"))
