"""The error codes of kejia.people: each with a label and a kind, which gives the HTTP status of the
refusal through a page and through the API (kejia.core.errors; docs/architecture.md, "Error codes")."""

from django.utils.translation import pgettext_lazy

from kejia.core.errors import ErrorCodes

codes = ErrorCodes("people")
codes.state("already_decided", pgettext_lazy("error code", "Already decided"))
codes.state("already_linked", pgettext_lazy("error code", "Already linked"))
codes.state("already_undone", pgettext_lazy("error code", "Already undone"))
codes.invalid("bad_code", pgettext_lazy("error code", "Wrong or expired code"))
codes.invalid("conflicting_ids", pgettext_lazy("error code", "Different resident ID numbers"))
codes.state("decided", pgettext_lazy("error code", "Already decided"))
codes.invalid("duplicate_id", pgettext_lazy("error code", "Resident ID number already recorded"))
codes.invalid("duplicate_listing", pgettext_lazy("error code", "Already listed"))
codes.state("inactive", pgettext_lazy("error code", "Profile no longer active"))
codes.invalid("invalid_filters", pgettext_lazy("error code", "Invalid filters"))
codes.invalid("invalid_survivor", pgettext_lazy("error code", "Record to keep not in the pair"))
codes.state("last_listing", pgettext_lazy("error code", "Only listing"))
codes.invalid("no_contact", pgettext_lazy("error code", "No phone or e-mail"))
codes.invalid("no_match", pgettext_lazy("error code", "No match"))
codes.state("not_active", pgettext_lazy("error code", "Not active"))
codes.state("not_linked", pgettext_lazy("error code", "Not linked"))
codes.state("not_merged", pgettext_lazy("error code", "Merge changed since"))
codes.invalid("same_record", pgettext_lazy("error code", "Same record"))
codes.invalid("unknown_discipline", pgettext_lazy("error code", "Unknown discipline"))
codes.invalid("unknown_organization", pgettext_lazy("error code", "Unknown organization"))
codes.invalid("unknown_region", pgettext_lazy("error code", "Unknown administrative division"))
