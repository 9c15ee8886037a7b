"""Pages of the queue of uncertain profile matches after self-registration (kejia.people.link_requests):
staff see the requests on profiles their organizations list and approve or refuse each."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from kejia.core.errors import DomainError
from kejia.core.http import client_ip
from kejia.people import link_requests
from kejia.people.linking import listing_organization
from kejia.people.models import LinkRequestStatus
from kejia.people.review_selectors import mask_email

PAGE_SIZE = 30


class LinkDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Note to the person"), max_length=200, required=False)


@login_required
@require_GET
def link_request_list(request):
    status = request.GET.get("status") or LinkRequestStatus.PENDING
    if status not in LinkRequestStatus.values:
        status = LinkRequestStatus.PENDING
    page = Paginator(link_requests.visible_link_requests(request.user, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.organization = listing_organization(item.person)
        item.user_email, item.person_email = mask_email(item.user.email), mask_email(item.person.email)
    return render(request, "people/link_requests.html", {"page": page, "status": status, "statuses": LinkRequestStatus.choices, "form": LinkDecideForm()})


@login_required
@require_POST
def link_request_decide(request, pk: int):
    item = link_requests.get_link_request_for(request.user, pk)
    form = LinkDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect("people:link_requests")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        link_requests.decide(item, actor=request.user, approve=approve, note=form.cleaned_data["note"], ip=client_ip(request))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("people:link_requests")
    messages.success(request, _("The account was linked to the profile.") if approve else _("The request was refused."))
    return redirect("people:link_requests")
