"""The error codes of kejia.surveys: each with a label and a kind, which gives the HTTP status of the
refusal through a page and through the API (kejia.core.errors; docs/architecture.md, "Error codes")."""

from django.utils.translation import pgettext_lazy

from kejia.core.errors import ErrorCodes

codes = ErrorCodes("surveys")
codes.state("already_answered", pgettext_lazy("error code", "Already answered"))
codes.state("anonymity_fixed", pgettext_lazy("error code", "Anonymity fixed once published"))
codes.invalid("breaks_condition", pgettext_lazy("error code", "Breaks a question's condition"))
codes.state("closed", pgettext_lazy("error code", "Survey closed"))
codes.invalid("duplicate", pgettext_lazy("error code", "Already exists"))
codes.invalid("has_dependents", pgettext_lazy("error code", "Other questions depend on it"))
codes.invalid("invalid_dimension", pgettext_lazy("error code", "Invalid dimension"))
codes.invalid("invalid_filter", pgettext_lazy("error code", "Unknown filter"))
codes.invalid("invalid_kind", pgettext_lazy("error code", "Unknown kind"))
codes.invalid("invalid_min_responses", pgettext_lazy("error code", "Invalid minimum of answers"))
codes.invalid("invalid_question", pgettext_lazy("error code", "Invalid question"))
codes.invalid("invalid_role", pgettext_lazy("error code", "Unknown role"))
codes.invalid("invalid_weights", pgettext_lazy("error code", "Invalid weights"))
codes.state("kind_fixed", pgettext_lazy("error code", "Kind fixed once published"))
codes.invalid("no_dimension", pgettext_lazy("error code", "No such dimension"))
codes.invalid("no_measures", pgettext_lazy("error code", "No measures"))
codes.invalid("no_questions", pgettext_lazy("error code", "No questions"))
codes.invalid("no_subjects", pgettext_lazy("error code", "No organizations evaluated"))
codes.invalid("not_a_station", pgettext_lazy("error code", "Not a survey station"))
codes.state("not_closed", pgettext_lazy("error code", "Not closed"))
codes.state("not_open", pgettext_lazy("error code", "Not open"))
codes.invalid("unchanged", pgettext_lazy("error code", "Nothing changed"))
codes.invalid("unknown_organization", pgettext_lazy("error code", "Unknown organization"))
codes.invalid("unknown_person", pgettext_lazy("error code", "Unknown person"))
codes.invalid("unknown_region", pgettext_lazy("error code", "Unknown administrative division"))
codes.invalid("unknown_station", pgettext_lazy("error code", "Unknown station"))
