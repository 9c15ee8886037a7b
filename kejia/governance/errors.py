"""The error codes of kejia.governance: each with a label and a kind, which gives the HTTP status of the
refusal through a page and through the API (kejia.core.errors; docs/architecture.md, "Error codes")."""

from django.utils.translation import pgettext_lazy

from kejia.core.errors import ErrorCodes

codes = ErrorCodes("governance")
codes.invalid("already_assigned", pgettext_lazy("error code", "Contact duty already assigned"))
codes.invalid("already_seated", pgettext_lazy("error code", "Already has a seat"))
codes.invalid("duplicate", pgettext_lazy("error code", "Already exists"))
codes.invalid("duplicate_body", pgettext_lazy("error code", "Body of this kind exists"))
codes.state("ended", pgettext_lazy("error code", "Already ended"))
codes.invalid("invalid_form", pgettext_lazy("error code", "Unknown way of taking office"))
codes.invalid("invalid_kind", pgettext_lazy("error code", "Unknown kind"))
codes.invalid("invalid_number", pgettext_lazy("error code", "Invalid term number"))
codes.invalid("invalid_official", pgettext_lazy("error code", "Unknown official status"))
codes.invalid("invalid_role", pgettext_lazy("error code", "Unknown role"))
codes.state("no_current_term", pgettext_lazy("error code", "No current term"))
codes.invalid("not_below", pgettext_lazy("error code", "Organization not below"))
codes.invalid("param_required", pgettext_lazy("error code", "Measure needs a parameter"))
codes.invalid("person_inactive", pgettext_lazy("error code", "Profile no longer active"))
codes.state("seat_ended", pgettext_lazy("error code", "Seat already vacated"))
codes.state("term_ended", pgettext_lazy("error code", "Term ended"))
codes.invalid("unknown_organization", pgettext_lazy("error code", "Unknown organization"))
codes.invalid("unknown_person", pgettext_lazy("error code", "Unknown person"))
codes.invalid("unknown_ruleset", pgettext_lazy("error code", "Unknown rule set"))
