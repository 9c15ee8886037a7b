"""The error codes of kejia.volunteering: each with a label and a kind, which gives the HTTP status of the
refusal through a page and through the API (kejia.core.errors; docs/architecture.md, "Error codes")."""

from django.utils.translation import pgettext_lazy

from kejia.core.errors import ErrorCodes

codes = ErrorCodes("volunteering")
codes.invalid("already_member", pgettext_lazy("error code", "Already a member"))
codes.invalid("demand_not_taken", pgettext_lazy("error code", "Demand not taken"))
codes.invalid("duplicate_code", pgettext_lazy("error code", "Code already used"))
codes.invalid("invalid_role", pgettext_lazy("error code", "Unknown role"))
codes.state("member_left", pgettext_lazy("error code", "Member left"))
codes.invalid("no_change", pgettext_lazy("error code", "Nothing changed"))
codes.invalid("not_a_team", pgettext_lazy("error code", "Not a volunteer team"))
codes.invalid("not_grassroots", pgettext_lazy("error code", "Not a grassroots body"))
codes.invalid("org_inactive", pgettext_lazy("error code", "Organization not active"))
codes.invalid("out_of_reach", pgettext_lazy("error code", "Demand for other teams"))
codes.invalid("person_inactive", pgettext_lazy("error code", "Profile no longer active"))
codes.invalid("team_inactive", pgettext_lazy("error code", "Team not active"))
codes.invalid("team_under_team", pgettext_lazy("error code", "Team under a team"))
codes.invalid("unknown_demand", pgettext_lazy("error code", "Unknown demand"))
codes.invalid("unknown_person", pgettext_lazy("error code", "Unknown person"))
codes.invalid("unknown_region", pgettext_lazy("error code", "Unknown administrative division"))
codes.invalid("unknown_team", pgettext_lazy("error code", "Unknown team"))
