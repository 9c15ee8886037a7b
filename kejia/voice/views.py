"""Voice pages: send an item, my items, an item with its timeline and the actions its sender or
handlers may take, the staff inbox and dashboard, the public answers, deadline rules and calendar.

Each view reads through a scoped selector (NotFound outside the caller's reach) and calls one
service; a refusal comes back next to the field with 400, or 409 when the item's state forbids it;
a refusal of who is asking goes to the error page (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.core.errors import DomainError, PermissionDenied
from kejia.core.text import whole_number
from kejia.core.web import form_error, page_of, submit
from kejia.organizations import selectors as org_selectors
from kejia.voice import deadlines, forms, selectors, services
from kejia.voice.choices import OPEN_STATUSES, ItemKind, ItemStatus

PAGE = 25


def _require_role(user) -> None:
    if not scope.has_any_role(user):
        raise PermissionDenied(_("This page is for the staff of an organization."))


# ---- The sender ---------------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    user = request.user
    items = list(selectors.items_of_sender(user)[:50])
    has_role = scope.has_any_role(user)
    return render(
        request,
        "voice/home.html",
        {
            "items": items,
            "today": timezone.localdate(),
            "has_role": has_role,
            "board": selectors.dashboard(user, org_rows=0, overdue_rows=0) if has_role else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def send(request):
    user = request.user
    search = forms.OrgSearchForm(request.GET)
    found = selectors.find_organizations(search.cleaned_data["q"]) if search.is_valid() else []
    initial = {"organization": request.GET.get("to", "")[:32]}
    form = forms.SendForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            org = selectors.receiving_organization(code=d["organization"])
            try:
                if org is None:
                    raise DomainError("unknown_organization", _("No organization has this code."), field="organization")
                item = services.send_item(actor=user, organization=org, kind=d["kind"], title=d["title"], body=d["body"], allow_public=d["allow_public"])
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("Sent. %(org)s answers by %(date)s.") % {"org": org.name, "date": item.due_on})
                return redirect(item)
    return render(
        request,
        "voice/send.html",
        {
            "form": form,
            "search": search,
            "found": found,
            "mine": selectors.sender_organizations(user),
            "deadlines": [(label, deadlines.working_days_for(kind, None)) for kind, label in ItemKind.choices],
        },
        status=status,
    )


# ---- One item -----------------------------------------------------------------------------------


def _item_context(request, item, **bound) -> dict:
    user = request.user
    today = timezone.localdate()
    sender = item.sender_id == user.pk
    handler = selectors.is_handler(user, item)
    manage = scope.can_manage(user, item.organization)
    is_open = item.status in OPEN_STATUSES
    signer = services.can_sign(user, item) if handler else False
    f: dict = {}
    if handler and is_open:
        if manage:
            f["assign"] = forms.AssignForm(prefix="assign", people=selectors.assignees(item))
            f["forward"] = forms.ForwardForm(prefix="forward")
        f["answer"] = forms.AnswerForm(prefix="answer")
    if sender:
        if item.status == ItemStatus.ANSWERED:
            f["rate"] = forms.RateForm(prefix="rate")
        if item.status in (ItemStatus.ANSWERED, ItemStatus.CLOSED) and not item.reopened_once:
            f["reopen"] = forms.ReopenForm(prefix="reopen")
        f["publicity"] = forms.PublicityForm(prefix="publicity", initial={"allow_public": item.allow_public})
    for name, form in bound.items():
        f[name] = form
    calendar = deadlines.StoredCalendar()
    return {
        "item": item,
        "today": today,
        "sender": sender,
        "handler": handler,
        "manage": manage,
        "signer": signer,
        "f": f,
        "events": selectors.timeline(item, staff=handler),
        "answers": selectors.answers_of(item),
        "overdue": item.is_overdue(today),
        "left": deadlines.working_days_between(today, item.due_on, calendar) if item.is_open else None,
        "can_close": item.status == ItemStatus.ANSWERED and (sender or manage),
        "targets": selectors.forward_targets(item) if manage and is_open else [],
    }


def _render_item(request, item, status: int = 200, **bound):
    return render(request, "voice/item.html", _item_context(request, item, **bound), status=status)


@login_required
@require_GET
def item(request, pk: int):
    return _render_item(request, selectors.get_item_for(request.user, pk))


def _act(request, pk: int, form_class, prefix: str, run, done, form_kwargs=None):
    """Parse, run one service, say so and go back to the item (or where `run` says).
    `form_kwargs(item)` gives the form's extra arguments."""
    item = selectors.get_item_for(request.user, pk)
    form = form_class(request.POST, prefix=prefix, **(form_kwargs(item) if form_kwargs else {}))
    target, status = submit(request, form, lambda d: run(item, d), done)
    if status == 200:
        return redirect(target) if isinstance(target, str) else redirect(item)
    return _render_item(request, selectors.get_item_for(request.user, pk), status, **{prefix: form})


def _assignee(item, pk):
    user = next((u for u in selectors.assignees(item) if u.pk == pk), None)
    if user is None:
        raise DomainError("invalid_assignee", _("Choose a person with a role in the handling organization."), field="assignee")
    return user


@login_required
@require_POST
def assign(request, pk: int):
    def run(item, d):
        services.assign_item(item, actor=request.user, assignee=_assignee(item, d["assignee"]), note=d["note"])

    return _act(request, pk, forms.AssignForm, "assign", run, _("Assigned."), lambda item: {"people": selectors.assignees(item)})


@login_required
@require_POST
def forward(request, pk: int):
    def run(item, d):
        services.require_staff(item, request.user)  # before naming the target: a non-staff sees 403, not a form error
        to = selectors.receiving_organization(code=d["to"])
        if to is None:
            raise DomainError("invalid_target", _("No organization has this code."), field="to")
        services.forward_item(item, actor=request.user, to=to, note=d["note"])
        # Forwarded up, the item may have left the forwarder's view: back to the inbox then.
        return item.get_absolute_url() if scope.can_view(request.user, to) else "voice:inbox"

    return _act(request, pk, forms.ForwardForm, "forward", run, _("Forwarded."))


@login_required
@require_POST
def answer(request, pk: int):
    return _act(
        request,
        pk,
        forms.AnswerForm,
        "answer",
        lambda item, d: services.answer_item(item, actor=request.user, text=d["text"], public=d["public"]) and None,
        _("Answered."),
    )


@login_required
@require_POST
def rate(request, pk: int):
    return _act(
        request,
        pk,
        forms.RateForm,
        "rate",
        lambda item, d: services.rate_item(item, actor=request.user, rating=d["rating"]) and None,
        _("Thank you for your rating."),
    )


@login_required
@require_POST
def reopen(request, pk: int):
    return _act(
        request, pk, forms.ReopenForm, "reopen", lambda item, d: services.reopen_item(item, actor=request.user, reason=d["reason"]) and None, _("Reopened.")
    )


@login_required
@require_POST
def publicity(request, pk: int):
    return _act(
        request,
        pk,
        forms.PublicityForm,
        "publicity",
        lambda item, d: services.set_item_publicity(item, actor=request.user, allow_public=d["allow_public"]) and None,
        _("Saved."),
    )


def _step(request, item, call, done):
    """Run one step that takes no form: a refusal of the state comes back on the item page."""
    try:
        call()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
        return _render_item(request, item, exc.status)
    messages.success(request, done)
    return redirect(item)


@login_required
@require_POST
def close(request, pk: int):
    item = selectors.get_item_for(request.user, pk)
    return _step(request, item, lambda: services.close_item(item, actor=request.user), _("Closed."))


@login_required
@require_POST
def publish(request, pk: int):
    answer = selectors.get_answer_for(request.user, pk)
    return _step(request, answer.item, lambda: services.publish_answer(answer, actor=request.user), _("Published under your real name."))


# ---- Staff ---------------------------------------------------------------------------------------


def _root(request):
    value = request.GET.get("org", "")
    pk = whole_number(value, max_digits=11)
    return org_selectors.get_organization_for(request.user, pk) if pk is not None else None


@login_required
@require_GET
def inbox(request):
    user = request.user
    _require_role(user)
    form = forms.InboxFilterForm(request.GET)
    d = form.cleaned_data if form.is_valid() else {}
    root = _root(request)
    qs = selectors.inbox(
        user,
        status=d.get("status") or "open",
        kind=d.get("kind", ""),
        root=root,
        overdue=d.get("overdue", False),
        mine=d.get("mine", False),
        text=d.get("q", ""),
    )
    return render(
        request,
        "voice/inbox.html",
        {"form": form, "page": page_of(request, qs, PAGE), "root": root, "today": timezone.localdate()},
        status=200 if form.is_valid() else 400,
    )


@login_required
@require_GET
def dashboard(request):
    user = request.user
    _require_role(user)
    root = _root(request)
    return render(request, "voice/dashboard.html", {"board": selectors.dashboard(user, root=root), "root": root})


# ---- Public ---------------------------------------------------------------------------------------


@require_GET
def public(request):
    kind = request.GET.get("kind", "")
    text = request.GET.get("q", "")[:64]
    return render(
        request,
        "voice/public.html",
        {"page": page_of(request, selectors.public_items(kind=kind, text=text), 20), "kinds": ItemKind.choices, "kind": kind, "q": text},
    )


# ---- Rules and calendar ----------------------------------------------------------------------------


def _rules_context(request, **bound) -> dict:
    user = request.user
    rules = selectors.deadline_rules(user)
    year = timezone.localdate().year
    return {
        "rules": rules,
        "days": list(selectors.calendar_days().filter(date__year__gte=year - 1)),
        "rule_form": bound.get("rule") or forms.RuleForm(prefix="rule"),
        "calendar_form": bound.get("calendar") or forms.CalendarForm(prefix="cal"),
        "can_edit_defaults": deadlines.can_edit_defaults(user),
        "can_set": scope.has_any_role(user),
    }


@login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    if request.method == "GET":
        return render(request, "voice/rules.html", _rules_context(request))
    user = request.user
    form = forms.RuleForm(request.POST, prefix="rule")
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            org = None
            if d["organization"].strip():
                org = org_selectors.visible_organizations(user).filter(code=d["organization"].strip()).first()
                if org is None:
                    raise DomainError("unknown_organization", _("No organization with this code in your scope."), field="organization")
            if d["working_days"] is None:
                deadlines.remove_deadline_rule(actor=user, kind=d["kind"], organization=org)
            else:
                deadlines.set_deadline_rule(actor=user, kind=d["kind"], organization=org, working_days=d["working_days"], source=d["source"])
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, _("The deadline rule was saved."))
            return redirect("voice:rules")
    return render(request, "voice/rules.html", _rules_context(request, rule=form), status=status)


@login_required
@require_POST
def calendar(request):
    form = forms.CalendarForm(request.POST, prefix="cal")
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            deadlines.set_calendar_day(actor=request.user, date=d["date"], kind=d["kind"], name=d["name"])
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, _("The calendar was saved."))
            return redirect("voice:rules")
    return render(request, "voice/rules.html", _rules_context(request, calendar=form), status=status)
