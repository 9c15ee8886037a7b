"""The error codes of calls, applications and projects, declared once with their label. Every
refusal is a kejia.core.errors.DomainError (IllegalTransition for a state that does not allow
the step), so pages and the API answer the same."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.core.errors import ErrorCodes, Kind

CODES = {
    "illegal_transition": _("This step is not possible in the current state."),
    "call_not_open": _("The call is not open for applications."),
    "deadline_passed": _("The deadline has passed: late applications are not accepted."),
    "not_eligible": _("This organization may not apply to this call."),
    "no_recommender": _("No recommending organization above the applicant."),
    "quota_reached": _("The recommending organization has used its quota for this call."),
    "reason_required": _("Give a reason."),
    "attestation_required": _("Confirm that the application is true and accurate."),
    "amount_out_of_range": _("The amount is outside the call's range."),
    "over_budget": _("The amount exceeds what is left of the call's budget."),
    "announcement_open": _("The public announcement has not ended yet."),
    "objections_open": _("Objections received during the announcement are not all handled."),
    "gate_not_met": _("This tranche cannot be paid before its condition is met."),
    "tranche_overpaid": _("The payment exceeds what is left of the tranche."),
    "deliverable_missing": _("No deliverable has been handed in."),
    "edited_elsewhere": _("Someone else has saved this application since you opened it. Reload the page to see their changes, then make yours."),
}


# The registry (kejia.core.errors; docs/architecture.md, "Error codes"): each code's label and kind,
# which gives the HTTP status of the refusal on a page and through the API.
codes = ErrorCodes("calls")
codes.invalid("invalid_form", pgettext_lazy("error code", "Invalid form definition"))
codes.invalid("unknown_template", pgettext_lazy("error code", "Unknown call template"))
codes.invalid("no_recommender", pgettext_lazy("error code", "No recommending organization"))
codes.invalid("not_eligible", pgettext_lazy("error code", "Not eligible for the call"))
codes.invalid("amount_out_of_range", pgettext_lazy("error code", "Amount outside the call's range"))
codes.invalid("reason_required", pgettext_lazy("error code", "Reason required"))
codes.invalid("attestation_required", pgettext_lazy("error code", "Attestation required"))
codes.invalid("tranche_overpaid", pgettext_lazy("error code", "Payment above the tranche"))
codes.state("call_not_open", pgettext_lazy("error code", "Call not open"))
codes.state("deadline_passed", pgettext_lazy("error code", "Deadline passed"))
codes.state("quota_reached", pgettext_lazy("error code", "Recommendation quota used"))
codes.state("over_budget", pgettext_lazy("error code", "Over the call's budget"))
codes.state("announcement_open", pgettext_lazy("error code", "Announcement still open"))
codes.state("objections_open", pgettext_lazy("error code", "Objections not handled"))
codes.state("gate_not_met", pgettext_lazy("error code", "Tranche condition not met"))
codes.state("deliverable_missing", pgettext_lazy("error code", "Deliverable missing"))
codes.state("edited_elsewhere", pgettext_lazy("error code", "Saved by someone else meanwhile"))
codes.state("not_concluded", pgettext_lazy("error code", "Project not concluded"))
codes.state("round_exists", pgettext_lazy("error code", "Review round in progress"))
codes.invalid("no_round", pgettext_lazy("error code", "No review round"))
codes.invalid("no_items", pgettext_lazy("error code", "No items to review"))
codes.state("items_unscored", pgettext_lazy("error code", "Items without scores"))
codes.state("round_state", pgettext_lazy("error code", "Not possible in this state of the round"))
codes.add("no_cjk_font", pgettext_lazy("error code", "No Chinese font for printing"), Kind.UNAVAILABLE)
