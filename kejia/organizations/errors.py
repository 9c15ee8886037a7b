"""The error codes of kejia.organizations: each with a label and a kind, which gives the HTTP status of the
refusal through a page and through the API (kejia.core.errors; docs/architecture.md, "Error codes")."""

from django.utils.translation import pgettext_lazy

from kejia.core.errors import ErrorCodes

codes = ErrorCodes("organizations")
codes.invalid("cycle", pgettext_lazy("error code", "Would form a cycle"))
codes.state("filing_pending", pgettext_lazy("error code", "Filing already pending"))
codes.state("has_children", pgettext_lazy("error code", "Has organizations under it"))
codes.invalid("host_has_association", pgettext_lazy("error code", "Host unit already has one"))
codes.state("illegal_status", pgettext_lazy("error code", "Status change not allowed"))
codes.state("not_open", pgettext_lazy("error code", "Not open"))
codes.state("not_returned", pgettext_lazy("error code", "Filing not returned"))
codes.state("not_submitted", pgettext_lazy("error code", "Filing not submitted"))
codes.invalid("parent_dissolved", pgettext_lazy("error code", "Guiding organization dissolved"))
codes.invalid("parent_required", pgettext_lazy("error code", "Guiding organization required"))
codes.invalid("reason_required", pgettext_lazy("error code", "Reason required"))
codes.invalid("region_level", pgettext_lazy("error code", "Region of the wrong level"))
codes.invalid("region_outside_parent", pgettext_lazy("error code", "Region outside the guiding organization's"))
codes.invalid("root_move", pgettext_lazy("error code", "Top of the tree cannot move"))
codes.invalid("root_only", pgettext_lazy("error code", "Only the top has no guiding organization"))
codes.invalid("territorial_duplicate", pgettext_lazy("error code", "Region already has one"))
codes.invalid("unknown_discipline", pgettext_lazy("error code", "Unknown discipline"))
codes.invalid("unknown_host", pgettext_lazy("error code", "Unknown host unit"))
codes.invalid("unknown_organization", pgettext_lazy("error code", "Unknown organization"))
codes.invalid("unknown_region", pgettext_lazy("error code", "Unknown administrative division"))
