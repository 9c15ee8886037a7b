"""The membership pages, member side and staff side. Each view parses its input with a form, reads
through a scoped selector (NotFound outside the caller's scope) and calls one service; the
services' refusals come back next to the field at fault with their status, never a 500. The card
lives in certificate_views.py, the figures in stats_views.py."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.core import audit_labels
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.models import AuditEvent
from kejia.core.web import form_error, page_of
from kejia.memberships import applications, dues, member_classes, selectors, transitions, workflow
from kejia.memberships.choices import LIVE_STATUSES, PENDING_STATUSES, ClassKind, MembershipStatus
from kejia.memberships.forms import (
    ApplyForm,
    ConfirmPaymentForm,
    GroupApplyForm,
    MemberClassForm,
    MemberFilterForm,
    NoteForm,
    QueueFilterForm,
    ReasonForm,
    RecordPaymentForm,
    ReportPaymentForm,
    RepresentativeForm,
    ResignForm,
    RulesForm,
    SocietySearchForm,
    SupplyForm,
    TransferForm,
    today_initial,
)
from kejia.memberships.models import MemberClass, Membership, MembershipRules
from kejia.organizations.models import Institution
from kejia.people import selectors as people_selectors

PAGE_SIZE = 50
S = MembershipStatus


def _step_name(m: Membership) -> str:
    steps = m.member_class.approval_steps or []
    return steps[min(m.step, len(steps) - 1)] if steps and m.status in PENDING_STATUSES else ""


def _society_in_scope(user, pk):
    """A society whose member lists the user may read (any role in its scope)."""
    org = selectors.get_society(pk)
    if not scope.can_view(user, org):
        raise NotFound()
    return org


def _history(model, pk) -> list:
    events = AuditEvent.objects.filter(object_type=model._meta.label_lower, object_id=str(pk)).select_related("actor")[:100]
    return [(e, audit_labels.action_label(e.action), audit_labels.event_changes(e)) for e in events]


def _next_action(m: Membership, owed: list) -> str:
    if m.status == S.APPLIED:
        return _("Under review: %(step)s") % {"step": _step_name(m)}
    if m.status == S.NEEDS_INFO:
        return _("Supply the information asked for")
    if m.status in (S.ACTIVE, S.SUSPENDED, S.LAPSED) and owed:
        return _("Pay dues for %(year)s") % {"year": owed[0][0]}
    if m.status == S.ACTIVE:
        return _("Nothing to do")
    return ""


# ---- Public: societies and their classes ------------------------------------------------------


@login_required
@require_GET
def home(request):
    if selectors.managed_societies(request.user).exists():
        return redirect("memberships:queue")
    return redirect("memberships:mine")


@require_GET
def society_list(request):
    form = SocietySearchForm(request.GET)
    qs = selectors.societies(request.user)
    status = 200
    if form.is_valid():
        if form.cleaned_data["q"].strip():
            qs = qs.filter(name__icontains=form.cleaned_data["q"].strip())
    else:
        qs, status = qs.none(), 400
    page = page_of(request, qs, PAGE_SIZE)
    return render(request, "memberships/society_list.html", {"form": form, "page": page}, status=status)


@require_GET
def society_detail(request, pk: int):
    org = selectors.get_society(pk)
    user = request.user
    mine = selectors.my_memberships(user).filter(society=org, status__in=LIVE_STATUSES).first()
    return render(
        request,
        "memberships/society_detail.html",
        {
            "society": org,
            "classes": selectors.classes_of(org, open_only=True),
            "mine": mine,
            "can_manage": workflow.can_manage_members(user, org),
            "can_view_members": scope.can_view(user, org),
        },
    )


# ---- Applying ---------------------------------------------------------------------------------


def _chosen(classes, value) -> MemberClass | None:
    try:
        return classes.filter(pk=int(value)).first() if value else None
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, pk: int):
    org = selectors.get_society(pk)
    person = people_selectors.my_person(request.user)
    classes = selectors.classes_of(org, open_only=True).exclude(kind=ClassKind.GROUP)
    context: dict[str, Any] = {"society": org, "person": person, "form": None}
    if person is None or not classes.exists():
        return render(request, "memberships/apply.html", context)
    data = request.POST if request.method == "POST" else request.GET
    chosen = _chosen(classes, data.get("member_class")) or classes.first()
    form = ApplyForm(request.POST or None, request.FILES or None, classes=classes, chosen=chosen)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            cd = form.cleaned_data
            try:
                membership = applications.apply_for_membership(
                    actor=request.user,
                    society=org,
                    member_class=cd["member_class"],
                    person=person,
                    statement=cd["statement"],
                    is_student=cd["is_student"],
                    years_in_field=cd["years_in_field"],
                    documents=form.documents(),
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("Your application was sent to %(society)s.") % {"society": org.name})
                return redirect("memberships:detail", pk=membership.pk)
    context.update(form=form, chosen=chosen)
    return render(request, "memberships/apply.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def apply_group(request, pk: int):
    org = selectors.get_society(pk)
    person = people_selectors.my_person(request.user)
    classes = selectors.classes_of(org, open_only=True).filter(kind=ClassKind.GROUP)
    context: dict[str, Any] = {"society": org, "person": person, "form": None}
    if person is None or not classes.exists():
        return render(request, "memberships/apply_group.html", context)
    form = GroupApplyForm(request.POST or None, classes=classes)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            cd = form.cleaned_data
            # Units are a public register (name, kind, region): no scope to apply.
            unit = Institution.objects.filter(uscc=cd["uscc"]).first()
            if unit is None:
                form.add_error("uscc", _("No unit with this code is registered on the platform; ask your association to add it."))
            else:
                try:
                    membership = applications.apply_for_group_membership(
                        actor=request.user, society=org, member_class=cd["member_class"], unit=unit, contact_person=person, statement=cd["statement"]
                    )
                except DomainError as exc:
                    status = form_error(form, exc)
                else:
                    messages.success(request, _("The application of %(unit)s was sent to %(society)s.") % {"unit": unit.name, "society": org.name})
                    return redirect("memberships:detail", pk=membership.pk)
    context["form"] = form
    return render(request, "memberships/apply_group.html", context, status=status)


# ---- The member's pages -----------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    today = timezone.localdate()
    rows = []
    for m in selectors.my_memberships(request.user):
        owed = dues.arrears(m, today)
        rows.append({"m": m, "owed": sum(a for _y, a in owed), "next": _next_action(m, owed)})
    return render(request, "memberships/mine.html", {"rows": rows, "person": people_selectors.my_person(request.user)})


def _detail_context(request, m: Membership, **bound) -> dict:
    user = request.user
    today = timezone.localdate()
    own = workflow.is_own(m, user)
    manage = workflow.can_manage_members(user, m.society)
    decide = manage and not own
    owed = dues.arrears(m, today)
    next_year = dues.next_year_due(m, today)
    payable = m.status in dues.PAYABLE_STATUSES and m.member_class.has_dues and next_year is not None and next_year <= today.year + 1
    pending_pay = selectors.payments_of(m).filter(status="pending")
    f: dict[str, forms.Form | None] = {}
    if decide and m.status == S.APPLIED:
        f.update(approve=NoteForm(prefix="approve"), reject=ReasonForm(prefix="reject"), ask_more=ReasonForm(prefix="ask_more"))
    if decide and m.status == S.NEEDS_INFO:
        f["reject"] = ReasonForm(prefix="reject")
    if manage and m.status == S.ACTIVE:
        f.update(transfer=TransferForm(prefix="transfer", classes=_transfer_classes(m)), suspend=ReasonForm(prefix="suspend"))
    if manage and m.status == S.SUSPENDED:
        f["reinstate"] = NoteForm(prefix="reinstate")
    if manage and m.status in (S.ACTIVE, S.SUSPENDED, S.LAPSED):
        f["terminate"] = ReasonForm(prefix="terminate")
    if manage and m.status in (S.LAPSED, S.RESIGNED, S.TERMINATED):
        f["readmit"] = NoteForm(prefix="readmit")
    if manage and payable and not pending_pay.exists():
        f["record_payment"] = RecordPaymentForm(prefix="record_payment", initial=today_initial(year=next_year, amount=m.member_class.annual_dues))
    if manage and m.unit_id:
        f["add_representative"] = RepresentativeForm(prefix="add_representative")
    if own and m.status in PENDING_STATUSES:
        f["withdraw"] = forms.Form(prefix="withdraw")
    if own and m.status == S.NEEDS_INFO:
        f["supply"] = SupplyForm(prefix="supply", names=m.member_class.required_documents)
    if own and m.status in (S.ACTIVE, S.SUSPENDED, S.LAPSED):
        f["resign"] = ResignForm(prefix="resign")
    online = dues.gateway().online
    if own and payable and not pending_pay.exists():
        if online:
            f["pay_online"] = forms.Form(prefix="pay_online")
        f["report_payment"] = ReportPaymentForm(prefix="report_payment", initial=today_initial(year=next_year))
    f.update(bound)
    return {
        "membership": m,
        "own": own,
        "manage": manage,
        "decide": decide,
        "f": f,
        "step_name": _step_name(m),
        "steps": m.member_class.approval_steps,
        "events": m.events.select_related("actor"),
        "documents": m.documents.all(),
        "payments": selectors.payments_of(m),
        "representatives": m.representatives.select_related("person") if m.unit_id else [],
        "owed": owed,
        "owed_total": sum(a for _y, a in owed),
        "next_year": next_year if payable else None,
        "grace_ends": dues.grace_ends(m) if m.status in dues.PAYABLE_STATUSES else None,
        "online": online,
        "card": m.status == S.ACTIVE,
    }


def _transfer_classes(m: Membership):
    classes = selectors.classes_of(m.society).exclude(pk=m.member_class_id)
    return classes.filter(kind=ClassKind.GROUP) if m.unit_id else classes.exclude(kind=ClassKind.GROUP)


@login_required
@require_GET
def detail(request, pk: int):
    membership = selectors.get_membership_for(request.user, pk)
    return render(request, "memberships/detail.html", _detail_context(request, membership))


@login_required
@require_GET
def document(request, pk: int, doc: int):
    membership = selectors.get_membership_for(request.user, pk)
    item = membership.documents.filter(pk=doc).first()
    if item is None:
        raise NotFound()
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name or item.file.name.rsplit("/", 1)[-1])


# ---- Actions on one membership: one form, one service each ------------------------------------


@dataclass(frozen=True)
class Action:
    staff: bool  # needs a staff role in the society; otherwise the member's own action
    form: Any  # (membership) -> unbound form class and kwargs
    run: Any  # (membership, actor, cleaned_data, form) -> result
    done: Any  # (result) -> success message


def _person_for(user, pk):
    return people_selectors.get_person_for(user, pk)


def _approved(m) -> str:
    if m.status == S.ACTIVE:
        return _("Approved: %(name)s is now member %(number)s.") % {"name": m.member_name, "number": m.number}
    return _("Step passed; the application moves on to “%(step)s”.") % {"step": _step_name(m)}


def _paid(p) -> str:
    if p.status == "confirmed":
        return _("Dues for %(year)s are paid. Receipt %(no)s.") % {"year": p.year, "no": p.receipt_no or "—"}
    return _("Your payment for %(year)s is waiting for confirmation by the society.") % {"year": p.year}


ACTIONS: dict[str, Action] = {
    "approve": Action(True, lambda m: (NoteForm, {}), lambda m, u, d, f: transitions.approve_membership(m, actor=u, note=d["note"]), _approved),
    "reject": Action(
        True,
        lambda m: (ReasonForm, {}),
        lambda m, u, d, f: transitions.reject_membership(m, actor=u, reason=d["reason"]),
        lambda r: _("The application was rejected; the applicant is told why."),
    ),
    "ask_more": Action(
        True,
        lambda m: (ReasonForm, {}),
        lambda m, u, d, f: transitions.request_more_information(m, actor=u, reason=d["reason"]),
        lambda r: _("The applicant was asked for more information."),
    ),
    "transfer": Action(
        True,
        lambda m: (TransferForm, {"classes": _transfer_classes(m)}),
        lambda m, u, d, f: transitions.transfer_membership(m, actor=u, member_class=d["member_class"], note=d["note"]),
        lambda r: _("The member is now in the class %(name)s.") % {"name": r.member_class.name},
    ),
    "suspend": Action(
        True,
        lambda m: (ReasonForm, {}),
        lambda m, u, d, f: transitions.suspend_membership(m, actor=u, reason=d["reason"]),
        lambda r: _("The membership was suspended."),
    ),
    "reinstate": Action(
        True,
        lambda m: (NoteForm, {}),
        lambda m, u, d, f: transitions.reinstate_membership(m, actor=u, note=d["note"]),
        lambda r: _("The membership was reinstated."),
    ),
    "terminate": Action(
        True,
        lambda m: (ReasonForm, {}),
        lambda m, u, d, f: transitions.terminate_membership(m, actor=u, reason=d["reason"]),
        lambda r: _("The membership was terminated."),
    ),
    "readmit": Action(
        True,
        lambda m: (NoteForm, {}),
        lambda m, u, d, f: transitions.readmit_membership(m, actor=u, note=d["note"]),
        lambda r: _("The member was readmitted with number %(number)s.") % {"number": r.number},
    ),
    "record_payment": Action(
        True,
        lambda m: (RecordPaymentForm, {}),
        lambda m, u, d, f: dues.record_payment(
            m, actor=u, year=d["year"], amount=d["amount"], paid_on=d["paid_on"], method=d["method"], receipt_no=d["receipt_no"], reference=d["reference"]
        ),
        lambda p: _("Dues for %(year)s were recorded.") % {"year": p.year},
    ),
    "add_representative": Action(
        True,
        lambda m: (RepresentativeForm, {}),
        lambda m, u, d, f: applications.add_representative(m, actor=u, person=_person_for(u, d["person"]), role=d["role"]),
        lambda r: _("%(name)s now represents the unit.") % {"name": r.person.name},
    ),
    "withdraw": Action(
        False, lambda m: (forms.Form, {}), lambda m, u, d, f: applications.withdraw_application(m, actor=u), lambda r: _("Your application was withdrawn.")
    ),
    "supply": Action(
        False,
        lambda m: (SupplyForm, {"names": m.member_class.required_documents}),
        lambda m, u, d, f: applications.supply_information(m, actor=u, statement=d["statement"], documents=f.documents()),
        lambda r: _("Thank you; your application is back in the queue."),
    ),
    "resign": Action(
        False,
        lambda m: (ResignForm, {}),
        lambda m, u, d, f: transitions.resign_membership(m, actor=u, reason=d["reason"]),
        lambda r: _("Your resignation was recorded."),
    ),
    "pay_online": Action(False, lambda m: (forms.Form, {}), lambda m, u, d, f: dues.pay_online(m, actor=u), _paid),
    "report_payment": Action(
        False,
        lambda m: (ReportPaymentForm, {}),
        lambda m, u, d, f: dues.report_payment(m, actor=u, year=d["year"], paid_on=d["paid_on"], method=d["method"], reference=d["reference"]),
        _paid,
    ),
}
BACK = {"queue": "memberships:queue", "payments": "memberships:payments", "mine": "memberships:mine"}


def _back(request, membership):
    name = BACK.get(request.POST.get("back", ""))
    return redirect(name) if name else redirect("memberships:detail", pk=membership.pk)


@login_required
@require_POST
def act(request, pk: int, action: str):
    key = action.replace("-", "_")
    spec = ACTIONS.get(key)
    if spec is None:
        raise NotFound()
    membership = selectors.get_membership_for(request.user, pk, manage=spec.staff)
    form_class, kwargs = spec.form(membership)
    form = form_class(request.POST, request.FILES or None, prefix=key, **kwargs)
    status = 400
    if form.is_valid():
        try:
            result = spec.run(membership, request.user, form.cleaned_data, form)
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, spec.done(result))
            return _back(request, membership)
    membership = selectors.get_membership_for(request.user, pk)
    return render(request, "memberships/detail.html", _detail_context(request, membership, **{key: form}), status=status)


@login_required
@require_POST
def representative_remove(request, pk: int, rep: int):
    membership = selectors.get_membership_for(request.user, pk, manage=True)
    item = membership.representatives.select_related("membership").filter(pk=rep).first()
    if item is None:
        raise NotFound()
    applications.remove_representative(item, actor=request.user)
    messages.success(request, _("The representative was removed."))
    return redirect("memberships:detail", pk=membership.pk)


@login_required
@require_POST
def payment_act(request, pk: int, action: str):
    payment = selectors.get_payment_for(request.user, pk)
    form = ConfirmPaymentForm(request.POST) if action == "confirm" else ReasonForm(request.POST)
    if form.is_valid():
        try:
            if action == "confirm":
                dues.confirm_payment(payment, actor=request.user, receipt_no=form.cleaned_data["receipt_no"])
                messages.success(request, _("The payment for %(year)s was confirmed.") % {"year": payment.year})
            else:
                dues.reject_payment(payment, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("The payment was marked as not received; the member is told."))
        except DomainError as exc:
            if isinstance(exc, NotFound | PermissionDenied):
                raise
            messages.error(request, exc.message)
            return _back(request, payment.membership)
        return _back(request, payment.membership)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return _back(request, payment.membership)


# ---- Staff: queue, payments, members ----------------------------------------------------------


def _staff_filter(request):
    managed = selectors.managed_societies(request.user)
    if not managed.exists():
        raise PermissionDenied(_("Only the staff of a society work on its applications and dues."))
    form = QueueFilterForm(request.GET, societies=managed)
    return form, (form.cleaned_data["society"] if form.is_valid() else None)


@login_required
@require_GET
def queue(request):
    form, society = _staff_filter(request)
    page = page_of(request, selectors.approval_queue(request.user, society=society), PAGE_SIZE)
    rows = [{"m": m, "step": _step_name(m), "own": workflow.is_own(m, request.user)} for m in page.object_list]
    return render(request, "memberships/queue.html", {"form": form, "page": page, "rows": rows}, status=200 if form.is_valid() else 400)


@login_required
@require_GET
def payments(request):
    form, society = _staff_filter(request)
    page = page_of(request, selectors.pending_payments(request.user, society=society), PAGE_SIZE)
    return render(request, "memberships/payments.html", {"form": form, "page": page}, status=200 if form.is_valid() else 400)


@login_required
@require_GET
def members(request, pk: int):
    org = _society_in_scope(request.user, pk)
    form = MemberFilterForm(request.GET, classes=selectors.classes_of(org))
    page, status = None, 400
    if form.is_valid():
        status = 200
        qs = selectors.search_memberships(request.user, society=org, **form.cleaned_data)
        page = page_of(request, qs, PAGE_SIZE)
    template = "memberships/_member_results.html" if request.htmx else "memberships/members.html"
    return render(request, template, {"society": org, "form": form, "page": page, "can_manage": workflow.can_manage_members(request.user, org)}, status=status)


# ---- Staff: classes and rules (data a secretary edits, with history) --------------------------


@login_required
@require_http_methods(["GET", "POST"])
def classes(request, pk: int):
    org = selectors.get_managed_society(request.user, pk)
    form = MemberClassForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                item = member_classes.create_member_class(org, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The class %(name)s was created.") % {"name": item.name})
                return redirect("memberships:classes", pk=org.pk)
    return render(request, "memberships/classes.html", {"society": org, "classes": selectors.classes_of(org), "form": form, "can_manage": True}, status=status)


@login_required
@require_POST
def classes_defaults(request, pk: int):
    org = selectors.get_managed_society(request.user, pk)
    created = member_classes.create_default_classes(org, actor=request.user)
    messages.success(request, _("%(n)s default classes were created.") % {"n": len(created)})
    return redirect("memberships:classes", pk=org.pk)


@login_required
@require_http_methods(["GET", "POST"])
def class_edit(request, pk: int):
    item = selectors.get_class_for(request.user, pk)
    initial = {name: getattr(item, name) for name in member_classes.CLASS_FIELDS}
    form = MemberClassForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                member_classes.update_member_class(item, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("memberships:class_edit", pk=item.pk)
    return render(
        request, "memberships/class_edit.html", {"item": item, "society": item.society, "form": form, "history": _history(MemberClass, item.pk)}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def rules(request, pk: int):
    org = selectors.get_managed_society(request.user, pk)
    current = workflow.rules_of(org)
    form = RulesForm(request.POST or None, initial={name: getattr(current, name) for name in member_classes.RULES_FIELDS})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                member_classes.update_membership_rules(org, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The rules were saved."))
                return redirect("memberships:rules", pk=org.pk)
    return render(
        request,
        "memberships/rules.html",
        {"society": org, "form": form, "rules": current, "can_manage": True, "history": _history(MembershipRules, current.pk)},
        status=status,
    )
