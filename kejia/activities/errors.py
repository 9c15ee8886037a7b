"""The error codes of kejia.activities: each with a label and a kind, which gives the HTTP status of the
refusal through a page and through the API (kejia.core.errors; docs/architecture.md, "Error codes")."""

from django.utils.translation import pgettext_lazy

from kejia.core.errors import ErrorCodes

codes = ErrorCodes("activities")
codes.state("already_registered", pgettext_lazy("error code", "Already registered"))
codes.state("cancelled", pgettext_lazy("error code", "Registration cancelled"))
codes.state("checkin_closed", pgettext_lazy("error code", "Check-in closed"))
codes.state("checkin_not_open", pgettext_lazy("error code", "Check-in not open yet"))
codes.state("event_cancelled", pgettext_lazy("error code", "Event cancelled"))
codes.state("not_attended", pgettext_lazy("error code", "Attendance not recorded"))
codes.state("not_open", pgettext_lazy("error code", "Not open"))
codes.state("not_started", pgettext_lazy("error code", "Not started yet"))
codes.invalid("other_event", pgettext_lazy("error code", "Ticket for another event"))
codes.invalid("person_inactive", pgettext_lazy("error code", "Profile no longer active"))
codes.state("registration_closed", pgettext_lazy("error code", "Registration closed"))
codes.state("registration_not_open", pgettext_lazy("error code", "Registration not open yet"))
codes.state("started", pgettext_lazy("error code", "Event started"))
codes.invalid("starts_in_past", pgettext_lazy("error code", "Start date in the past"))
codes.invalid("too_many", pgettext_lazy("error code", "Too many at once"))
codes.invalid("unknown_code", pgettext_lazy("error code", "Unknown registration code"))
codes.invalid("unknown_discipline", pgettext_lazy("error code", "Unknown discipline"))
codes.invalid("unknown_organization", pgettext_lazy("error code", "Unknown organization"))
codes.invalid("unknown_person", pgettext_lazy("error code", "Unknown person"))
codes.invalid("unknown_region", pgettext_lazy("error code", "Unknown administrative division"))
codes.invalid("unknown_registration", pgettext_lazy("error code", "Unknown registration"))
codes.state("waitlisted", pgettext_lazy("error code", "On the waiting list"))
