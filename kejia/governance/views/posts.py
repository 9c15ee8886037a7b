"""An official's posts: the approval of a post (经批准), posts declared outside the tree, and the
concurrent posts across the user's scope."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from kejia.accounts import scope
from kejia.core.errors import DomainError
from kejia.core.text import whole_number
from kejia.governance import access, forms, selectors, services
from kejia.governance.views.common import submit
from kejia.organizations import selectors as org_selectors


def _posts_context(request, seat, **bound) -> dict:
    user = request.user
    manage = scope.can_manage(user, seat.term.body.organization)
    f: dict[str, Any] = {}
    if manage:
        f["approval"] = forms.ApprovalForm(prefix="approval", initial={"approved_on": seat.approved_on, "approved_by": seat.approved_by})
        f["declare"] = forms.DeclaredPostForm(prefix="declare")
    f.update(bound)
    declared = list(selectors.declared_posts_of(seat.person_id))
    return {
        "seat": seat,
        "person": seat.person,
        "body": seat.term.body,
        "org": seat.term.body.organization,
        "manage": manage,
        "f": f,
        "society_posts": list(selectors.society_posts_of(seat.person_id)),
        "declared": declared,
        "declared_forms": {
            d.pk: {"approval": forms.ApprovalForm(prefix=f"approve{d.pk}"), "end": forms.EndPostForm(prefix=f"end{d.pk}")}
            for d in declared
            if manage and d.end is None and scope.can_manage(user, d.declared_by)
        },
    }


def _render_posts(request, seat, status: int = 200, **bound):
    return render(request, "governance/posts.html", _posts_context(request, seat, **bound), status=status)


@login_required
@require_GET
def seat_posts(request, pk: int):
    return _render_posts(request, selectors.get_seat_for(request.user, pk))


@login_required
@require_POST
def seat_approval(request, pk: int):
    seat = selectors.get_seat_for(request.user, pk, manage=True)
    form = forms.ApprovalForm(request.POST, prefix="approval")
    response, status = submit(
        request,
        form,
        lambda d: services.record_post_approval(seat, actor=request.user, **d),
        _("The approval was recorded."),
        lambda s: redirect("governance:seat_posts", pk=seat.pk),
    )
    return response or _render_posts(request, seat, status, approval=form)


@login_required
@require_POST
def post_declare(request, pk: int):
    seat = selectors.get_seat_for(request.user, pk, manage=True)
    form = forms.DeclaredPostForm(request.POST, prefix="declare")
    response, status = submit(
        request,
        form,
        lambda d: services.declare_post(seat, actor=request.user, **d),
        _("The post was declared."),
        lambda p: redirect("governance:seat_posts", pk=seat.pk),
    )
    return response or _render_posts(request, seat, status, declare=form)


def _form_errors_text(form) -> str:
    return "; ".join(f"{form.fields[name].label if name in form.fields else name}: {e}" for name, errors in form.errors.items() for e in errors)


def _back_to_posts(request, declared):
    """The page the form was posted from (a seat of the person), or the concurrent-posts page."""
    value = request.POST.get("seat", "")
    if (seat := whole_number(value, max_digits=9)) is not None:
        return redirect("governance:seat_posts", pk=seat)
    return redirect("governance:concurrent")


@login_required
@require_POST
def declared_post_approval(request, pk: int):
    declared = selectors.get_declared_post_for(request.user, pk, manage=True)
    form = forms.ApprovalForm(request.POST, prefix=f"approve{declared.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors_text(form))
        return _back_to_posts(request, declared)
    try:
        services.approve_declared_post(declared, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        label = forms.ApprovalForm.base_fields[exc.field].label if exc.field in forms.ApprovalForm.base_fields else ""
        messages.error(request, f"{label}: {exc.message}" if label else str(exc.message))
        return _back_to_posts(request, declared)
    messages.success(request, _("The approval was recorded."))
    return _back_to_posts(request, declared)


@login_required
@require_POST
def declared_post_end(request, pk: int):
    declared = selectors.get_declared_post_for(request.user, pk, manage=True)
    form = forms.EndPostForm(request.POST, prefix=f"end{declared.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors_text(form))
        return _back_to_posts(request, declared)
    try:
        services.end_declared_post(declared, actor=request.user, end=form.cleaned_data["end"])
    except DomainError as exc:
        label = forms.ApprovalForm.base_fields[exc.field].label if exc.field in forms.ApprovalForm.base_fields else ""
        messages.error(request, f"{label}: {exc.message}" if label else str(exc.message))
        return _back_to_posts(request, declared)
    messages.success(request, _("The post has ended."))
    return _back_to_posts(request, declared)


@login_required
@require_GET
def concurrent(request):
    access.require_staff_role(request.user)
    form = forms.ConcurrentForm(request.GET)
    if not form.is_valid():
        return render(request, "governance/concurrent.html", {"form": form, "rows": None, "root": None}, status=400)
    cd = form.cleaned_data
    root = org_selectors.get_organization_for(request.user, cd["org"]) if cd["org"] else None
    limits = {k: cd[k] if cd[k] is not None else form.fields[k].initial for k in ("max_posts", "max_age", "max_terms")}
    rows = selectors.concurrent_posts(request.user, root=root, **limits)
    return render(request, "governance/concurrent.html", {"form": form, "rows": rows, "root": root, "limits": limits})
