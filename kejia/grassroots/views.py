"""Pages of grassroots key staff: the counts of an area against its targets, with the forms to
record key staff and set a target; the category list for platform administrators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kejia.accounts import scope
from kejia.core.errors import DomainError, PermissionDenied
from kejia.core.web import form_error
from kejia.grassroots import selectors, services
from kejia.grassroots.forms import CategoryForm, RecordForm, TargetForm
from kejia.grassroots.models import Category
from kejia.organizations.selectors import get_organization_for
from kejia.people.models import Person


def _org_by_code(user, code: str, field: str):
    from kejia.organizations.models import Organization

    org = Organization.objects.filter(code=code.strip()).first()
    if org is None or not scope.can_view(user, org):
        raise DomainError("unknown_organization", _("No organization with this code in your scope."), field=field)
    return org


@login_required
@require_http_methods(["GET", "POST"])
def area(request, pk: int):
    org = get_organization_for(request.user, pk)
    target_form = TargetForm(request.POST if request.POST.get("form") == "target" else None)
    record_form = RecordForm(request.POST if request.POST.get("form") == "record" else None)
    status = 200
    if request.method == "POST":
        status = 400
        form = target_form if request.POST.get("form") == "target" else record_form
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                if form is target_form:
                    services.set_key_staff_target(_org_by_code(request.user, data["organization"], "organization"), actor=request.user, target=data["target"])
                else:
                    person = Person.objects.filter(pk=data["person"]).first()
                    if person is None:
                        raise DomainError("unknown_person", _("No person with this profile number."), field="person")
                    body = _org_by_code(request.user, data["organization"], "organization") if data["organization"] else None
                    services.record_key_staff(
                        person, actor=request.user, category=data["category"], organization=body, joined_on=data["joined_on"], note=data["note"]
                    )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("grassroots:area", pk=org.pk)
    rows = selectors.counts_by_area(request.user, org)
    return render(
        request,
        "grassroots/area.html",
        {
            "org": org,
            "rows": rows,
            "categories": list(selectors.active_categories()),
            "records": list(selectors.key_staff_under(request.user, org).order_by("-id")[:50]),
            "target_form": target_form,
            "record_form": record_form,
            "can_manage": scope.can_manage(request.user, org),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def categories(request):
    can_edit = scope.is_unrestricted(request.user)
    form = CategoryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied()
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["sort"] = data["sort"] or 0
            try:
                services.save_category(actor=request.user, **data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("grassroots:categories")
    return render(request, "grassroots/categories.html", {"categories": Category.objects.all(), "form": form, "can_edit": can_edit}, status=status)
