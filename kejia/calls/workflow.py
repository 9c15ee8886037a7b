"""The life cycle of an application and of the project approved from it, as named transitions.

Each transition is declared once in kejia.calls.choices (states it starts from, state it ends
in, roles allowed, reason required); `_move` checks all four, writes the transition log and the
audit event in the caller's transaction, and queues a notice for the organization that acts next.
Refusals are kejia.core.errors domain errors, so pages and the API answer the same."""

import datetime
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.calls import forms_spec, services
from kejia.calls.choices import APPLICATION_TRANSITIONS, PROJECT_TRANSITIONS, ApplicationStatus, ProjectStatus, Role, Transition
from kejia.calls.errors import CODES
from kejia.calls.files import files_removed_on_failure, store_deliverable_file
from kejia.calls.models import Application, ApplicationEvent, Call, Deliverable, Objection, Payment, Project
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from kejia.core.notify import notify
from kejia.core.richtext import sanitise

S = ApplicationStatus
# A recommendation counts against the quota once made, whatever happens next.
COUNTED = (S.RECOMMENDED, S.INADMISSIBLE, S.UNDER_REVIEW, S.REVIEWED, S.SELECTED, S.NOT_SELECTED, S.ANNOUNCED, S.APPROVED)


def roles(user, application: Application) -> set[str]:
    """The roles `user` holds towards an application."""
    out = set()
    if services.is_applicant(user, application):
        out.add(Role.APPLICANT)
    if application.recommender_id and scope.can_manage(user, application.recommender):
        out.add(Role.RECOMMENDER)
    if scope.can_manage(user, application.call.owner):
        out.add(Role.OWNER)
        if not application.recommender_id:  # nobody recommends: the owner takes that step (receipt)
            out.add(Role.RECOMMENDER)
    return out


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update(of=("self",)).select_related("call", "call__owner", "form", "applicant", "recommender").get(pk=application.pk)


_tell = services.tell


def _check(table, transition: str, status: str, held: set[str], reason: str, state_label) -> None:
    starts, _end, allowed, needs_reason = table[transition]
    if not held & allowed:
        raise PermissionDenied()
    if status not in starts:
        raise IllegalTransition(
            "illegal_transition",
            gettext("“%(action)s” is not possible from the state “%(status)s”.")
            % {"action": Transition(transition).label, "status": state_label(status).label},
        )
    if needs_reason and not reason.strip():
        raise DomainError("reason_required", CODES["reason_required"], field="reason")


def _move(application: Application, transition: str, *, actor, reason: str = "", extra: dict | None = None) -> Application:
    """Check and apply an application transition (the row is locked by the caller)."""
    _check(APPLICATION_TRANSITIONS, transition, application.status, roles(actor, application), reason, ApplicationStatus)
    before, end = application.status, APPLICATION_TRANSITIONS[transition][1]
    application.status = end
    if reason:
        application.last_reason = reason.strip()
    application.save()
    ApplicationEvent.objects.create(
        application=application,
        transition=transition,
        from_status=before,
        to_status=end,
        reason=reason.strip(),
        actor=actor if getattr(actor, "pk", None) else None,
    )
    record_event(
        actor=actor,
        action=f"calls.{transition}",
        obj=application,
        organization=application.call.owner,
        old={"status": before},
        new={"status": end, "reason": reason.strip(), **(extra or {})},
    )
    subject = f"{application.call.title}: {application} — {ApplicationStatus(end).label}"
    if end in (S.SUBMITTED,):
        _tell(application.recommender or application.call.owner, subject, reason)
    elif end == S.RECOMMENDED:
        _tell(application.call.owner, subject, reason)
    elif application.applicant_id:
        _tell(application.applicant, subject, reason)
    elif application.applicant_user_id:
        notify(kind="calls", subject=subject[:200], body=reason, user=application.applicant_user)
    return application


def _now(now):
    return now or timezone.now()


# ---- applicant --------------------------------------------------------------------------------


@transaction.atomic
def submit_application(application: Application, *, actor, attest: bool, now: datetime.datetime | None = None) -> Application:
    """Every blank filled ("/" for nothing), types and money checked, before the deadline, with the
    applicant's attestation that the content is true (seed 004 一.2: 不得弄虚作假)."""
    application = _locked(application)
    _check(APPLICATION_TRANSITIONS, Transition.SUBMIT, application.status, roles(actor, application), "", ApplicationStatus)
    services.check_open(application.call, now=now)
    if not attest:
        raise DomainError("attestation_required", CODES["attestation_required"], field="attest")
    application.data = forms_spec.validate_answers(
        application.form.spec, application.data, facts=services.facts(application), money_range=services.money_range(application.call)
    )
    application.attested_at = application.submitted_at = _now(now)
    application.attested_by = actor
    return _move(application, Transition.SUBMIT, actor=actor)


@transaction.atomic
def withdraw_application(application: Application, *, actor, reason: str = "") -> Application:
    return _move(_locked(application), Transition.WITHDRAW, actor=actor, reason=reason)


# ---- recommending organization ----------------------------------------------------------------


@transaction.atomic
def recommend_application(application: Application, *, actor, reason: str = "", now: datetime.datetime | None = None) -> Application:
    """The recommending organization forwards the application (seed 004: 省级科协统一申报), within
    its quota and before the deadline."""
    application = _locked(application)
    _check(APPLICATION_TRANSITIONS, Transition.RECOMMEND, application.status, roles(actor, application), reason, ApplicationStatus)
    services.check_open(application.call, now=now)
    call = Call.objects.select_for_update().get(pk=application.call_id)  # serialises the quota count
    if call.quota_per_recommender is not None:
        used = Application.objects.filter(call=call, recommender=application.recommender, status__in=COUNTED).count()
        if used >= call.quota_per_recommender:
            raise DomainError(
                "quota_reached",
                gettext("The recommending organization has used its quota of %(n)s for this call.") % {"n": call.quota_per_recommender},
                field="recommender",
            )
    return _move(application, Transition.RECOMMEND, actor=actor, reason=reason)


@transaction.atomic
def return_to_applicant(application: Application, *, actor, reason: str) -> Application:
    return _move(_locked(application), Transition.RETURN_TO_APPLICANT, actor=actor, reason=reason)


# ---- owner: formal check, review, decision, announcement --------------------------------------


@transaction.atomic
def accept_application(application: Application, *, actor) -> Application:
    """The formal check (形式审查) is passed: the application goes to expert review."""
    return _move(_locked(application), Transition.ACCEPT, actor=actor)


@transaction.atomic
def return_for_correction(application: Application, *, actor, reason: str, now: datetime.datetime | None = None) -> Application:
    """Only while the call is open: after the deadline a correction could not be submitted again."""
    application = _locked(application)
    _check(APPLICATION_TRANSITIONS, Transition.RETURN_FOR_CORRECTION, application.status, roles(actor, application), reason, ApplicationStatus)
    services.check_open(application.call, now=now)
    return _move(application, Transition.RETURN_FOR_CORRECTION, actor=actor, reason=reason)


@transaction.atomic
def refuse_application(application: Application, *, actor, reason: str) -> Application:
    return _move(_locked(application), Transition.REFUSE, actor=actor, reason=reason)


@transaction.atomic
def record_review_meeting(call: Call, *, actor, minutes: str, results: Sequence) -> list[Application]:
    """The review meeting (会评): its minutes, and the ranking of the applications under review.
    `results` are kejia.review.scoring.ApplicationResult rows (application = the application id),
    in rank order; every application under review must be in them."""
    services.require_owner(call, actor)
    if not minutes.strip():
        raise DomainError("reason_required", _("Write the minutes of the review meeting."), field="minutes")
    under_review = {a.pk: a for a in Application.objects.select_for_update().filter(call=call, status=S.UNDER_REVIEW)}
    ranked = [r.application for r in results]
    if sorted(ranked) != sorted(under_review) or len(set(ranked)) != len(ranked):
        raise DomainError("invalid", _("Rank every application under review exactly once."), field="results")
    call.meeting_minutes = minutes.strip()
    call.save(update_fields=["meeting_minutes", "updated_at"])
    out = []
    for rank, result in enumerate(results, start=1):
        application = _locked(under_review[result.application])
        application.rank, application.score = rank, round(float(result.raw_mean), 2)
        out.append(_move(application, Transition.RANK, actor=actor, extra={"rank": rank, "score": application.score}))
    return out


@transaction.atomic
def select_application(application: Application, *, actor) -> Application:
    return _move(_locked(application), Transition.SELECT, actor=actor)


@transaction.atomic
def reject_application(application: Application, *, actor, reason: str = "") -> Application:
    return _move(_locked(application), Transition.REJECT, actor=actor, reason=reason)


@transaction.atomic
def announce_application(application: Application, *, actor, now: datetime.datetime | None = None) -> Application:
    """The public announcement (公示) for the call's number of days."""
    application = _locked(application)
    application.announced_until = _now(now) + datetime.timedelta(days=application.call.announcement_days)
    return _move(application, Transition.ANNOUNCE, actor=actor, extra={"until": application.announced_until})


OBJECTION_MAX_CHARS = 5000


@transaction.atomic
def record_objection(application: Application, *, actor, text: str, name: str = "", contact: str = "", now: datetime.datetime | None = None) -> Objection:
    """An objection during the public announcement (公示). Anyone may object on the public page: a
    signed-in user (named by the account unless a name is given) or a visitor under a name with a
    telephone number or email address — an anonymous objection is not taken. The owner's staff
    also record those received by letter or telephone (name and contact then optional). The
    owner's staff are told; the rate limit is the page's (kejia.calls.public_views)."""
    application = _locked(application)
    is_owner = Role.OWNER in roles(actor, application)
    signed_in = bool(getattr(actor, "pk", None))
    if application.status != S.ANNOUNCED or _now(now) > application.announced_until:
        raise IllegalTransition("illegal_transition", _("Objections are received only during the public announcement."))
    text, name, contact = text.strip(), name.strip()[:100], contact.strip()[:100]
    if not text:
        raise DomainError("invalid", _("Write the objection."), field="text")
    if len(text) > OBJECTION_MAX_CHARS:
        raise DomainError("invalid", _("At most %(n)s characters.") % {"n": OBJECTION_MAX_CHARS}, field="text")
    if not is_owner:
        name = name or (str(actor) if signed_in else "")
        if not name:
            raise DomainError("invalid", _("Give your name or your organization's name: anonymous objections are not taken."), field="name")
        if not contact and not signed_in:
            raise DomainError("invalid", _("Give a telephone number or an email address, so that the answer can reach you."), field="contact")
    objection = Objection.objects.create(
        application=application,
        text=text,
        received_at=_now(now),
        submitted_by=actor if signed_in and not is_owner else None,
        name=name,
        contact=contact,
    )
    record_event(actor=actor, action="calls.record_objection", obj=application, organization=application.call.owner, new={"objection": objection.pk})
    if not is_owner:
        subject = gettext("%(call)s: an objection to “%(application)s”") % {"call": application.call.title, "application": application}
        _tell(application.call.owner, subject, objection.text)
    return objection


@transaction.atomic
def handle_objection(objection: Objection, *, actor, upheld: bool, resolution: str, now: datetime.datetime | None = None) -> Objection:
    """An upheld objection takes the application out of the selection."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    application = _locked(objection.application)
    if Role.OWNER not in roles(actor, application):
        raise PermissionDenied()
    if objection.handled_at is not None:
        raise IllegalTransition("illegal_transition", _("This objection has already been handled."))
    if not resolution.strip():
        raise DomainError("reason_required", CODES["reason_required"], field="resolution")
    objection.upheld, objection.resolution, objection.handled_at, objection.handled_by = upheld, resolution.strip(), _now(now), actor
    objection.save()
    record_event(
        actor=actor, action="calls.handle_objection", obj=application, organization=application.call.owner, new={"objection": objection.pk, "upheld": upheld}
    )
    if upheld:
        _move(application, Transition.UPHOLD_OBJECTION, actor=actor, reason=resolution)
    return objection


def _split(amount: Decimal, tranches: list[dict]) -> list[dict]:
    """Tranche amounts by share, to the fen; the last takes the remainder so they add up exactly."""
    out, left = [], amount
    for index, tranche in enumerate(tranches):
        if index == len(tranches) - 1:
            part = left
        else:
            part = (amount * Decimal(tranche["share"]) / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        left -= part
        out.append({"amount": str(part), "gate": tranche["gate"]})
    return out or [{"amount": str(amount), "gate": "approval"}]


@transaction.atomic
def approve_application(application: Application, *, actor, amount, starts_on: datetime.date, now: datetime.datetime | None = None) -> Project:
    """After an announcement with no open objection: the project, its amount within the call's
    range and the budget, and its tranches from the call's payment plan."""
    application = _locked(application)
    _check(APPLICATION_TRANSITIONS, Transition.APPROVE, application.status, roles(actor, application), "", ApplicationStatus)
    if _now(now) <= application.announced_until:
        raise DomainError("announcement_open", CODES["announcement_open"])
    if application.objections.filter(handled_at__isnull=True).exists():
        raise DomainError("objections_open", CODES["objections_open"])
    if not 2000 <= starts_on.year <= 2999:
        raise DomainError("invalid_date", _("Give a start date between the years 2000 and 2999."), field="starts_on")
    call = Call.objects.select_for_update().get(pk=application.call_id)
    amount = services.money(amount, "amount")
    if not call.min_amount <= amount <= call.max_amount:
        raise DomainError(
            "amount_out_of_range",
            gettext("The amount must be between %(low)s and %(high)s yuan.") % {"low": call.min_amount, "high": call.max_amount},
            field="amount",
        )
    if call.budget is not None:
        committed = Project.objects.filter(call=call).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        if committed + amount > call.budget:
            raise DomainError("over_budget", CODES["over_budget"], field="amount")
    _move(application, Transition.APPROVE, actor=actor, extra={"amount": amount})
    ends_on = _add_months(starts_on, call.period_months)
    project = Project.objects.create(
        application=application, call=call, amount=amount, tranches=_split(amount, call.tranches), starts_on=starts_on, ends_on=ends_on
    )
    record_event(
        actor=actor,
        action="calls.create_project",
        obj=project,
        organization=call.owner,
        new={"amount": amount, "tranches": [t["amount"] for t in project.tranches]},
    )
    return project


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, 28)) - datetime.timedelta(days=1)


# ---- project ----------------------------------------------------------------------------------


def _project_locked(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related("call__owner", "application__applicant").get(pk=project.pk)


def _move_project(project: Project, transition: str, *, actor, reason: str = "") -> Project:
    held = roles(actor, project.application)
    _check(PROJECT_TRANSITIONS, transition, project.status, held, reason, ProjectStatus)
    before, end = project.status, PROJECT_TRANSITIONS[transition][1]
    project.status = end
    if reason:
        project.last_reason = reason.strip()
    project.save()
    ApplicationEvent.objects.create(
        application=project.application,
        project=project,
        transition=transition,
        from_status=before,
        to_status=end,
        reason=reason.strip(),
        actor=actor if getattr(actor, "pk", None) else None,
    )
    record_event(
        actor=actor,
        action=f"calls.{transition}",
        obj=project,
        organization=project.call.owner,
        old={"status": before},
        new={"status": end, "reason": reason.strip()},
    )
    _tell(project.application.applicant, f"{project.call.title}: {project} — {ProjectStatus(end).label}", reason)
    return project


@transaction.atomic
def pass_midterm(project: Project, *, actor) -> Project:
    """The mid-term review is passed: the gate of the second tranche opens."""
    project = _project_locked(project)
    project.midterm_passed = True
    return _move_project(project, Transition.PASS_MIDTERM, actor=actor)


@transaction.atomic
def fail_midterm(project: Project, *, actor, reason: str) -> Project:
    """不予拨付尾款: the tranches gated on the mid-term review stay held for good."""
    project = _project_locked(project)
    project.midterm_passed = False
    return _move_project(project, Transition.FAIL_MIDTERM, actor=actor, reason=reason)


def submit_deliverable(project: Project, *, actor, title: str, note: str = "", file=None) -> Deliverable:
    """What the project hands in: a title, a note (rich text, cleaned) and optionally a file
    (checked by its content: kejia.calls.files)."""
    with files_removed_on_failure() as stored, transaction.atomic():
        return _submit_deliverable(project, actor=actor, title=title, note=note, file=file, stored=stored)


def _submit_deliverable(project: Project, *, actor, title: str, note: str, file, stored: list[str]) -> Deliverable:
    project = _project_locked(project)
    if Role.APPLICANT not in roles(actor, project.application):
        raise PermissionDenied()
    if not title.strip():
        raise DomainError("invalid", _("Give the deliverable a title."), field="title")
    deliverable = Deliverable.objects.create(project=project, title=title.strip()[:200], note=sanitise(note), submitted_by=actor)
    if file:
        store_deliverable_file(deliverable, file, stored)
    record_event(
        actor=actor,
        action="calls.submit_deliverable",
        obj=project,
        organization=project.call.owner,
        new={"deliverable": deliverable.pk, "title": deliverable.title},
    )
    return deliverable


@transaction.atomic
def conclude_project(project: Project, *, actor) -> Project:
    """Final acceptance passed (结项); needs at least one deliverable (seed 004 附件1 五.3: the pilot report)."""
    project = _project_locked(project)
    if not project.deliverables.exists() and project.status in PROJECT_TRANSITIONS[Transition.CONCLUDE][0]:
        raise DomainError("deliverable_missing", CODES["deliverable_missing"])
    return _move_project(project, Transition.CONCLUDE, actor=actor)


@transaction.atomic
def refuse_conclusion(project: Project, *, actor, reason: str) -> Project:
    """不予结项, with the reason."""
    return _move_project(_project_locked(project), Transition.REFUSE_CONCLUSION, actor=actor, reason=reason)


@transaction.atomic
def record_payment(project: Project, *, actor, tranche: int, amount, paid_on: datetime.date, voucher: str) -> Payment:
    """A ledger line: refused before the tranche's gate is met, or beyond what is left of it."""
    project = _project_locked(project)
    held = roles(actor, project.application)
    if Role.OWNER not in held:
        # the applicant and the recommending organization see the project: 403, as for its other steps
        raise PermissionDenied() if held or scope.can_view(actor, project.call.owner) else NotFound()
    if not 1 <= tranche <= len(project.tranches):
        raise DomainError("invalid", _("No such tranche."), field="tranche")
    planned = project.tranches[tranche - 1]
    if planned["gate"] not in project.gates_met():
        raise DomainError("gate_not_met", CODES["gate_not_met"], field="tranche")
    amount = services.money(amount, "amount")
    if amount <= 0:
        raise DomainError("invalid", _("Give an amount in yuan."), field="amount")
    paid = project.payments.filter(tranche=tranche).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    if paid + amount > Decimal(planned["amount"]):
        raise DomainError("tranche_overpaid", CODES["tranche_overpaid"], field="amount")
    if not voucher.strip():
        raise DomainError("invalid", _("Give the voucher number."), field="voucher")
    if project.payments.filter(voucher=voucher.strip()).exists():
        raise DomainError("invalid", _("This voucher number is already in the ledger."), field="voucher")
    payment = Payment.objects.create(project=project, tranche=tranche, paid_on=paid_on, amount=amount, voucher=voucher.strip(), recorded_by=actor)
    record_event(
        actor=actor,
        action="calls.record_payment",
        obj=project,
        organization=project.call.owner,
        new={"tranche": tranche, "amount": amount, "paid_on": paid_on, "voucher": payment.voucher},
    )
    return payment
