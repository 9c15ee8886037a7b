"""The talent-database pages. Each view parses its input with a form, calls one selector or
service and renders; scope comes from the selectors (NotFound outside it), every rule from the
services, whose errors are shown next to the field at fault with a 400."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.core import audit_labels
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.http import client_ip
from kejia.core.sections import sections_for
from kejia.core.validators import resident_id_notice
from kejia.core.web import form_error, page_of
from kejia.organizations import selectors as org_selectors
from kejia.organizations.view_helpers import visible_by_code
from kejia.people import exports, link_requests, linking, selectors, services
from kejia.people.forms import (
    AchievementForm,
    AnonymizeForm,
    ConsentForm,
    ExportForm,
    FilterForm,
    LinkCodeForm,
    LinkForm,
    ListingForm,
    NewPersonForm,
    PersonForm,
    PrefillForm,
    UnlinkForm,
    WillingToReviewForm,
)

PAGE_SIZE = 50


def _filter_org(user, form):
    code = form.cleaned_data.get("org", "").strip()
    if not code:
        return None
    try:
        return visible_by_code(user, code)
    except NotFound:
        form.add_error("org", _("No organization in your scope has this code."))
        return None


def _initial(person) -> dict:
    data = {name: getattr(person, name) for name in services.PROFILE_FIELDS if name not in ("region", "programmes")}
    data["region"] = person.region_id
    data["programmes"] = ", ".join(person.programmes or [])
    data["disciplines"] = " ".join(person.disciplines.values_list("code", flat=True))
    return data


# ---- List, export -------------------------------------------------------------------------------


@login_required
@require_GET
def person_list(request):
    user = request.user
    if not scope.has_any_role(user):
        return redirect("people:me")
    form = FilterForm(request.GET)
    page, status, org = None, 200, None
    if form.is_valid():
        org = _filter_org(user, form)
    if form.is_valid():  # _filter_org may have added an error
        people = selectors.search_people(user, organization=org, **form.filters())
        page = page_of(request, people, PAGE_SIZE)
    else:
        status = 400
    template = "people/_list_results.html" if request.htmx else "people/list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "org": org,
            "can_export_unmasked": scope.is_unrestricted(user) or bool(scope.role_paths(user, scope.MANAGE_KINDS)),
            "addable": _addable_orgs(user),
        },
        status=status,
    )


def _addable_orgs(user, limit: int = 20):
    return (
        list(org_selectors.root_organizations(user).filter(path__in=scope.role_paths(user, scope.MANAGE_KINDS)).order_by("path")[:limit])
        if not scope.is_unrestricted(user)
        else []
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, *, unmasked: bool, stamp=None) -> HttpResponse:
    stamp = timezone.localtime(stamp).strftime("%Y%m%d-%H%M")
    response = HttpResponse(data, content_type=XLSX)
    kind = "unmasked" if unmasked else "masked"
    response["Content-Disposition"] = f'attachment; filename="kejia-people-{kind}-{stamp}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@never_cache  # personal data, unmasked on request: no copy in a browser's or a proxy's cache
def export(request):
    """GET: a small export is answered at once; a large one (over PEOPLE_EXPORT_INLINE_MAX people)
    asks to be made in the background. POST: start that background export (kejia.people.exports)."""
    user = request.user
    query = request.POST if request.method == "POST" else request.GET
    form = ExportForm(query)
    org = _filter_org(user, form) if form.is_valid() else None
    if not form.is_valid():
        return render(request, "people/list.html", {"form": form, "page": None}, status=400)
    unmasked = form.cleaned_data["unmasked"]
    services.check_export(user, unmasked=unmasked)
    people = selectors.search_people(user, organization=org, **form.filters())
    if request.method == "POST":
        job = exports.start_people_export(actor=user, params=exports.export_params(query), unmasked=unmasked, total=people.count(), ip=client_ip(request))
        return redirect("people:export_detail", pk=job.pk)
    count = people.count()
    if count > exports.inline_max():
        return render(request, "people/export_confirm.html", {"count": count, "org": org, "unmasked": unmasked, "params": exports.export_params(query)})
    data = services.export_people(people, actor=user, unmasked=unmasked, organization=org, ip=client_ip(request))
    return _xlsx(data, unmasked=unmasked)


@login_required
@require_GET
@never_cache
def export_detail(request, pk: int):
    """A background export's progress (polled with htmx while it runs) and its download: the requester's only."""
    exports.discard_expired_exports()
    job = exports.export_for(request.user, pk)
    template = "people/_export_progress.html" if request.htmx else "people/export_detail.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
@never_cache
def export_download(request, pk: int):
    job = exports.export_for(request.user, pk)
    data = exports.download(job, actor=request.user, ip=client_ip(request))
    return _xlsx(data, unmasked=job.unmasked, stamp=job.finished_at)


# ---- Create, show, edit ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    prefill = PrefillForm(request.GET)
    if not prefill.is_valid():
        raise NotFound(_("Open this page from the organization the person is to be listed by."))
    org = org_selectors.get_organization_for(request.user, prefill.cleaned_data["org"], manage=True)
    form = NewPersonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data, disciplines = form.profile()
            role, consent, attach = data.pop("role"), data.pop("consent_source"), data.pop("list_existing")
            try:
                try:
                    person = services.create_person(actor=request.user, organization=org, role=role, consent_source=consent, disciplines=disciplines, **data)
                except DomainError as exc:
                    if not (attach and exc.code == "duplicate_id"):
                        raise
                    person = services.list_known_person(actor=request.user, organization=org, resident_id=data["resident_id"], role=role)
                    messages.success(request, _("The person was already in the database and is now listed by this organization."))
                else:
                    messages.success(request, _("The person was added."))
                _id_notice(request)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                return redirect("people:detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "org": org, "person": None}, status=status)


def _id_notice(request) -> None:
    """A 15-digit resident ID number was converted to 18 digits (kejia.core.validators): say so."""
    notice = resident_id_notice(request.POST.get("resident_id", ""))
    if notice:
        messages.info(request, notice)


def _detail_context(request, person) -> dict:
    user = request.user
    listings, hidden = selectors.person_listings(user, person)
    can_edit = services.can_edit_person(user, person)
    return {
        "person": person,
        "disciplines": list(person.disciplines.all()),
        "achievements": list(person.achievements.all()),
        "listings": [(lst, scope.can_manage(user, lst.organization)) for lst in listings],
        "hidden_listings": hidden,
        "can_edit": can_edit,
        "can_reveal": any(scope.can_manage(user, lst.organization) for lst in listings) or person.user_id == user.pk,
        "can_list": bool(scope.role_paths(user, scope.MANAGE_KINDS)) or scope.is_unrestricted(user),
        "is_self": person.user_id == user.pk,
        "history": [(e, audit_labels.action_label(e.action), audit_labels.event_changes(e)) for e in selectors.person_history(person)] if can_edit else [],
        "achievement_form": AchievementForm(),
        "listing_form": ListingForm(),
        "consent_form": ConsentForm(),
        "can_unlink": bool(person.user_id) and linking.can_unlink(user, person),
        "unlink_form": UnlinkForm(),
        "willing_form": WillingToReviewForm(initial={"willing": person.willing_to_review}),
        # What other apps show here (the grassroots key staff records), scoped by their own selectors.
        "sections": sections_for("people.detail", user, person),
    }


@login_required
@require_GET
def detail(request, pk: int):
    person = selectors.get_person_for(request.user, pk)
    return render(request, "people/detail.html", _detail_context(request, person))


def _edit_page(request, person, *, template: str, with_identity: bool, done: str):
    form = PersonForm(request.POST or None, initial=_initial(person), existing=person, with_identity=with_identity)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data, disciplines = form.profile()
            try:
                services.update_person(person, actor=request.user, disciplines=disciplines, **data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The changes were saved."))
                _id_notice(request)
                return redirect(done, pk=person.pk) if done == "people:detail" else redirect(done)
    return render(request, template, {"form": form, "person": person, "org": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    person = selectors.get_person_for(request.user, pk)
    if not services.can_edit_person(request.user, person):
        raise PermissionDenied(_("Only staff of an organization that lists this person, or the person themselves, can change this."))
    return _edit_page(request, person, template="people/form.html", with_identity=True, done="people:detail")


@login_required
@require_POST
@never_cache
def reveal(request, pk: int):
    """The unmasked identifiers, for the htmx partial on the profile (audited by the service)."""
    person = selectors.get_person_for(request.user, pk)
    values = services.reveal_person_identifiers(person, actor=request.user, ip=client_ip(request))
    if not request.htmx:
        return render(request, "people/revealed.html", {"person": person, "values": values})
    return render(request, "people/_identifiers.html", {"person": person, "values": values, "can_reveal": True})


# ---- Achievements, listings, consent, deletion -------------------------------------------------


def _detail_with_error(request, person, form_name: str, form, exc: DomainError | None = None):
    status = form_error(form, exc) if exc is not None else 400
    context = _detail_context(request, person)
    context[form_name] = form
    return render(request, "people/detail.html", context, status=status)


@login_required
@require_POST
def achievement_add(request, pk: int):
    person = selectors.get_person_for(request.user, pk)
    form = AchievementForm(request.POST)
    if not form.is_valid():
        return _detail_with_error(request, person, "achievement_form", form)
    try:
        services.add_achievement(person, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        return _detail_with_error(request, person, "achievement_form", form, exc)
    messages.success(request, _("The achievement was added."))
    return redirect("people:detail", pk=person.pk)


@login_required
@require_POST
def achievement_remove(request, pk: int, item: int):
    person = selectors.get_person_for(request.user, pk)
    services.remove_achievement(selectors.get_achievement_for(person, item), actor=request.user)
    messages.success(request, _("The achievement was removed."))
    return redirect("people:detail", pk=person.pk)


@login_required
@require_POST
def listing_add(request, pk: int):
    person = selectors.get_person_for(request.user, pk)
    form = ListingForm(request.POST)
    if not form.is_valid():
        return _detail_with_error(request, person, "listing_form", form)
    try:
        org = visible_by_code(request.user, form.cleaned_data["org"])
    except NotFound:
        form.add_error("org", _("No organization in your scope has this code."))
        return _detail_with_error(request, person, "listing_form", form)
    try:
        services.add_listing(person, actor=request.user, organization=org, role=form.cleaned_data["role"], note=form.cleaned_data["note"])
    except DomainError as exc:
        return _detail_with_error(request, person, "listing_form", form, exc)
    messages.success(request, _("The person is now listed by %(org)s.") % {"org": org.name})
    return redirect("people:detail", pk=person.pk)


@login_required
@require_POST
def listing_remove(request, pk: int, item: int):
    person = selectors.get_person_for(request.user, pk)
    listing = selectors.get_listing_for(request.user, person, item)
    try:
        services.remove_listing(listing, actor=request.user)
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        messages.error(request, exc.message)
        context = _detail_context(request, person)
        return render(request, "people/detail.html", context, status=exc.status)
    messages.success(request, _("The listing was removed."))
    return redirect("people:detail", pk=person.pk)


@login_required
@require_POST
def consent(request, pk: int):
    person = selectors.get_person_for(request.user, pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _detail_with_error(request, person, "consent_form", form)
    try:
        services.record_consent(person, actor=request.user, source=form.cleaned_data["source"])
    except DomainError as exc:
        return _detail_with_error(request, person, "consent_form", form, exc)
    messages.success(request, _("The consent was recorded."))
    return redirect("people:detail", pk=person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def anonymize(request, pk: int):
    person = selectors.get_person_for(request.user, pk)
    if not services.can_edit_person(request.user, person):
        raise PermissionDenied(_("Only staff of an organization that lists this person, or the person themselves, can change this."))
    form = AnonymizeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.anonymize_person(person, actor=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The personal data were erased; the statistics were kept."))
                return redirect("people:me" if person.user_id == request.user.pk else "people:list")
    return render(request, "people/anonymize.html", {"form": form, "person": person}, status=status)


# ---- The S&T worker's own profile --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def me(request):
    person = selectors.my_person(request.user)
    if person is not None:
        if request.method == "POST":
            return redirect("people:me")
        return render(request, "people/detail.html", _detail_context(request, person))
    form = LinkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                challenge = linking.start_account_link(user=request.user, ip=client_ip(request), **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("A code was sent to %(to)s. Enter it to finish linking.") % {"to": challenge.sent_to})
                return redirect("people:me_confirm")
    return render(
        request,
        "people/link.html",
        {"form": form, "pending": linking.pending_account_link(request.user), "in_review": link_requests.pending_for_account(request.user).exists()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def me_confirm(request):
    """The second step of linking: the code sent to the profile's own phone or e-mail."""
    if selectors.my_person(request.user) is not None:
        return redirect("people:me")
    pending = linking.pending_account_link(request.user)
    form = LinkCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                linking.confirm_account_link(user=request.user, code=form.cleaned_data["code"], ip=client_ip(request))
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("Your account is now linked to your profile."))
                return redirect("people:me")
    elif pending is None:
        return redirect("people:me")
    return render(request, "people/link_confirm.html", {"form": form, "pending": pending}, status=status)


@login_required
@require_POST
def unlink(request, pk: int):
    person = selectors.get_person_for(request.user, pk)
    if not linking.can_unlink(request.user, person):
        raise PermissionDenied(_("Only staff of an organization that lists this person, or the person themselves, can change this."))
    was_self = person.user_id == request.user.pk
    # A refusal (no reason, not linked) is a domain error: the error page says why, with its status.
    linking.unlink_account(person, actor=request.user, reason=(request.POST.get("reason") or "")[:200], ip=client_ip(request))
    messages.success(request, _("The profile is no longer linked to an account."))
    return redirect("people:me") if was_self else redirect("people:detail", pk=person.pk)


@login_required
@require_POST
def me_willing(request):
    """The S&T worker's own willingness to review (people.services.set_willing_to_review)."""
    person = selectors.my_person(request.user)
    if person is None:
        raise NotFound()
    form = WillingToReviewForm(request.POST)
    if form.is_valid():  # an unchecked box is "no": the form is always valid
        willing = form.cleaned_data["willing"]
        services.set_willing_to_review(person, actor=request.user, willing=willing)
        messages.success(request, _("You are in the pool of expert reviewers.") if willing else _("You are no longer in the pool of expert reviewers."))
    return redirect("people:me")


@login_required
@require_http_methods(["GET", "POST"])
def me_edit(request):
    person = selectors.my_person(request.user)
    if person is None:
        return redirect("people:me")
    return _edit_page(request, person, template="people/form.html", with_identity=False, done="people:me")
