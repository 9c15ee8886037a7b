"""The error codes of calls, applications and projects, declared once with their label. Every
refusal is a kejia.core.errors.DomainError (IllegalTransition for a state that does not allow
the step), so pages and the API answer the same."""

from django.utils.translation import gettext_lazy as _

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
}
