"""The named steps the pages offer, one entry each: its label, the form that parses its input and
the workflow or service it calls. Which steps a page shows follows the transition table
(kejia.calls.choices) and the roles the user holds; whether a step may run is still the
workflow's to say when it runs (its refusal is shown next to the field)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.calls import cases, files, reviewing, services, workflow
from kejia.calls import forms as f
from kejia.calls.choices import APPLICATION_TRANSITIONS, PROJECT_TRANSITIONS, ApplicationStatus, CallStatus, ProjectStatus, Role, Transition


@dataclass(frozen=True)
class Action:
    label: Any
    form: Callable[[Any], tuple[type, dict]]  # (object) -> form class and its kwargs
    run: Callable[[Any, Any, dict, Any], Any]  # (object, actor, cleaned data, form) -> result
    done: Any  # message shown on success
    transition: str = ""  # the table row that says when the step is offered
    danger: bool = False


def _plain(obj):
    return f.EmptyForm, {}


def _reason(obj):
    return f.ReasonForm, {}


APPLICATION_ACTIONS: dict[str, Action] = {
    "recommend": Action(
        _("Recommend"),
        lambda a: (f.OpinionForm, {}),
        lambda a, u, d, form: workflow.recommend_application(a, actor=u, reason=d["reason"]),
        _("The application is recommended to the organization running the call."),
        Transition.RECOMMEND,
    ),
    "return_to_applicant": Action(
        _("Return to the applicant"),
        _reason,
        lambda a, u, d, form: workflow.return_to_applicant(a, actor=u, reason=d["reason"]),
        _("The application is returned to the applicant with the reason."),
        Transition.RETURN_TO_APPLICANT,
        danger=True,
    ),
    "accept": Action(
        _("Pass the formal check"),
        _plain,
        lambda a, u, d, form: workflow.accept_application(a, actor=u),
        _("The formal check is passed: the application goes to expert review."),
        Transition.ACCEPT,
    ),
    "return_for_correction": Action(
        _("Return for correction"),
        _reason,
        lambda a, u, d, form: workflow.return_for_correction(a, actor=u, reason=d["reason"]),
        _("The application is returned for correction."),
        Transition.RETURN_FOR_CORRECTION,
    ),
    "refuse": Action(
        _("Refuse (not accepted)"),
        _reason,
        lambda a, u, d, form: workflow.refuse_application(a, actor=u, reason=d["reason"]),
        _("The application is not accepted; the applicant is told why."),
        Transition.REFUSE,
        danger=True,
    ),
    "select": Action(_("Select"), _plain, lambda a, u, d, form: workflow.select_application(a, actor=u), _("The application is selected."), Transition.SELECT),
    "reject": Action(
        _("Do not select"),
        _reason,
        lambda a, u, d, form: workflow.reject_application(a, actor=u, reason=d["reason"]),
        _("The application is not selected."),
        Transition.REJECT,
        danger=True,
    ),
    "announce": Action(
        _("Announce publicly"),
        _plain,
        lambda a, u, d, form: workflow.announce_application(a, actor=u),
        _("The application is announced publicly."),
        Transition.ANNOUNCE,
    ),
    "record_objection": Action(
        _("Record an objection"),
        lambda a: (f.ObjectionForm, {}),
        lambda a, u, d, form: workflow.record_objection(a, actor=u, text=d["text"]),
        _("The objection is recorded; handle it before approving."),
        Transition.UPHOLD_OBJECTION,
    ),
    "approve": Action(
        _("Approve as a project"),
        lambda a: (f.ApproveForm, {"initial": {"amount": a.requested_amount or a.call.max_amount}}),
        lambda a, u, d, form: workflow.approve_application(a, actor=u, amount=d["amount"], starts_on=d["starts_on"]),
        _("The project is approved; its first tranche may be paid."),
        Transition.APPROVE,
    ),
    "withdraw": Action(
        _("Withdraw"),
        _reason,
        lambda a, u, d, form: workflow.withdraw_application(a, actor=u, reason=d["reason"]),
        _("The application is withdrawn."),
        Transition.WITHDRAW,
        danger=True,
    ),
}

PROJECT_ACTIONS: dict[str, Action] = {
    "record_payment": Action(
        pgettext_lazy("ledger", "Record a payment"),
        lambda p: (f.PaymentForm, {"tranches": len(p.tranches)}),
        lambda p, u, d, form: workflow.record_payment(p, actor=u, tranche=d["tranche"], amount=d["amount"], paid_on=d["paid_on"], voucher=d["voucher"]),
        _("The payment is in the ledger."),
    ),
    "pass_midterm": Action(
        _("Pass the mid-term review"),
        _plain,
        lambda p, u, d, form: workflow.pass_midterm(p, actor=u),
        _("The mid-term review is passed: the next tranche may be paid."),
        Transition.PASS_MIDTERM,
    ),
    "fail_midterm": Action(
        _("Fail the mid-term review"),
        _reason,
        lambda p, u, d, form: workflow.fail_midterm(p, actor=u, reason=d["reason"]),
        _("The mid-term review is failed: the final tranche is not paid."),
        Transition.FAIL_MIDTERM,
        danger=True,
    ),
    "conclude": Action(
        _("Pass final acceptance"),
        _plain,
        lambda p, u, d, form: workflow.conclude_project(p, actor=u),
        _("The project is concluded."),
        Transition.CONCLUDE,
    ),
    "refuse_conclusion": Action(
        _("Refuse final acceptance"),
        _reason,
        lambda p, u, d, form: workflow.refuse_conclusion(p, actor=u, reason=d["reason"]),
        _("Final acceptance is refused; the applicant is told why."),
        Transition.REFUSE_CONCLUSION,
        danger=True,
    ),
    "submit_deliverable": Action(
        _("Hand in a deliverable"),
        lambda p: (f.DeliverableForm, {}),
        lambda p, u, d, form: workflow.submit_deliverable(p, actor=u, title=d["title"], note=d["note"], file=d.get("file")),
        _("The deliverable is handed in."),
    ),
    # one button per deliverable on the project page (not in the steps panel)
    "publish_deliverable": Action(
        _("Publish to the case library"),
        lambda p: (f.PublishDeliverableForm, {"project": p}),
        lambda p, u, d, form: cases.publish_deliverable(d["deliverable"], actor=u, public=d["public"]),
        _("The case library is updated."),
    ),
}

CALL_ACTIONS: dict[str, Action] = {
    "publish": Action(pgettext_lazy("call", "Publish"), _plain, lambda c, u, d, form: services.publish_call(c, actor=u), _("The call is published.")),
    "close": Action(pgettext_lazy("call", "Close"), _plain, lambda c, u, d, form: services.close_call(c, actor=u), _("The call is closed."), danger=True),
    "extend": Action(
        _("Extend the deadline"),
        lambda c: (f.ExtendDeadlineForm, {}),
        lambda c, u, d, form: services.extend_deadline(c, actor=u, deadline=d["deadline"], reason=d["reason"]),
        _("The deadline is extended; applicants and recommending organizations are told."),
    ),
    "add_attachment": Action(
        _("Add an attachment"),
        lambda c: (f.CallAttachmentForm, {}),
        lambda c, u, d, form: files.add_call_attachment(c, actor=u, title=d["title"], upload=d["file"]),
        _("The attachment is added to the call."),
    ),
    "open_review": Action(
        _("Open the expert review"),
        lambda c: (f.OpenReviewForm, {}),
        lambda c, u, d, form: reviewing.open_review(
            c, actor=u, per_item=d["per_item"], max_load=d["max_load"], blind=d["blind"], score_deadline=d["score_deadline"]
        ),
        _("The review round is open: invite reviewers and assign them on its page."),
    ),
    "close_review": Action(
        _("Close the review and record the meeting"),
        lambda c: (f.CloseReviewForm, {}),
        lambda c, u, d, form: reviewing.close_review(c, actor=u, minutes=d["minutes"]),
        _("The review is closed and the meeting recorded with its ranking."),
    ),
}
CALL_STEPS = {"publish": {CallStatus.DRAFT}, "close": {CallStatus.PUBLISHED}, "extend": {CallStatus.PUBLISHED}}


def application_roles(user, application) -> set[str]:
    return workflow.roles(user, application)


def offered_for_application(application, held: set[str]) -> list[str]:
    """The steps on an application the roles `held` may take from its state."""
    out = []
    for key, action in APPLICATION_ACTIONS.items():
        starts, _end, allowed, _reason = APPLICATION_TRANSITIONS[action.transition]
        if key == "record_objection":
            allowed = frozenset({Role.OWNER})
        if application.status in starts and held & allowed:
            out.append(key)
    return out


def offered_for_project(project, held: set[str]) -> list[str]:
    out = []
    for key, action in PROJECT_ACTIONS.items():
        if action.transition:
            starts, _end, allowed, _reason = PROJECT_TRANSITIONS[action.transition]
            if project.status in starts and held & allowed:
                out.append(key)
        elif key == "record_payment" and Role.OWNER in held:
            out.append(key)
        elif key == "submit_deliverable" and Role.APPLICANT in held:
            out.append(key)
    return out


def offered_for_call(call, review_round=None) -> list[str]:
    """The call's steps from its state, and the expert review's from its round (`review_round`:
    reviewing.round_for(call)): open one while applications are under review and the call has
    none; close it, recording the meeting, while it has one and applications are under review."""
    out = [key for key, states in CALL_STEPS.items() if call.status in states]
    out.append("add_attachment")
    if call.applications.filter(status=ApplicationStatus.UNDER_REVIEW).exists():
        out.append("open_review" if review_round is None else "close_review")
    return out


def publishable(project) -> bool:
    """Whether a project's deliverables may go into the case library (cases.publish_deliverable says so again)."""
    return project.status == ProjectStatus.CONCLUDED


def bound(table: dict[str, Action], key: str, obj, data=None, files=None, *, auto_id: str = "id_%s") -> Any:
    form_class, kwargs = table[key].form(obj)
    return form_class(data, files, prefix=key, auto_id=auto_id, **kwargs)


def panel(table: dict[str, Action], keys: list[str], obj, *, failed: tuple[str, Any] | None = None, auto_id: str = "id_%s") -> list[dict]:
    """The steps for a template: each its key, label, form (the failed one bound with its errors)."""
    out = []
    if failed and failed[0] not in keys:  # a step refused from this state still shows its refusal
        keys = [failed[0], *keys]
    for key in keys:
        form = failed[1] if failed and failed[0] == key else bound(table, key, obj, auto_id=auto_id)
        out.append({"key": key, "label": table[key].label, "form": form, "danger": table[key].danger, "open": bool(failed and failed[0] == key)})
    return out
