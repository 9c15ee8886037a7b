"""The review queue pages: pairs identity resolution could not decide, side by side with masked
personal data; staff merge them or keep them apart; merges are listed and can be undone.
Each view parses, reaches its object through a scoped selector (NotFound outside the scope) and
calls one service; a refused decision comes back as a message on the page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.web import page_of
from kejia.people import merging, review_selectors
from kejia.people.models import CandidateStatus

PAGE_SIZE = 30


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CandidateStatus.choices, required=False)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("merge", _("Merge")), ("keep_apart", _("Keep apart"))])
    survivor = forms.IntegerField(required=False, min_value=1, max_value=2**62)


@login_required
@require_GET
def review_list(request):
    form = QueueFilterForm(request.GET or None)
    status = CandidateStatus.OPEN
    code = 200
    if form.is_bound:
        if form.is_valid():
            status = form.cleaned_data["status"] or CandidateStatus.OPEN
        else:
            code = 400
    candidates = review_selectors.visible_candidates(request.user, status=status)
    page = page_of(request, candidates, PAGE_SIZE)
    return render(request, "people/review_list.html", {"form": form, "page": page, "status": status, "statuses": CandidateStatus.choices}, status=code)


@login_required
@require_GET
def review_detail(request, pk: int):
    candidate = review_selectors.get_candidate_for(request.user, pk)
    return render(
        request,
        "people/review_detail.html",
        {
            "candidate": candidate,
            "rows": review_selectors.comparison_rows(candidate),
            "merge": review_selectors.merge_of(candidate),
            "is_open": candidate.status == CandidateStatus.OPEN,
        },
    )


@login_required
@require_POST
def review_decide(request, pk: int):
    candidate = review_selectors.get_candidate_for(request.user, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to merge the two records or to keep them apart."))
        return redirect("people:review_detail", pk=candidate.pk)
    try:
        if form.cleaned_data["decision"] == "keep_apart":
            merging.keep_apart(candidate, actor=request.user)
            messages.success(request, _("The two records are kept apart."))
        else:
            survivor_pk = form.cleaned_data["survivor"]
            survivor = None
            if survivor_pk is not None:
                survivor = {candidate.person_a_id: candidate.person_a, candidate.person_b_id: candidate.person_b}.get(survivor_pk)
                if survivor is None:
                    raise DomainError("invalid_survivor", _("The record to keep must be one of the pair."))
            merging.merge_candidate(candidate, actor=request.user, survivor=survivor)
            messages.success(request, _("The two records are merged. The merge can be undone from the list of merges."))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("people:review_detail", pk=candidate.pk)


@login_required
@require_GET
def merge_list(request):
    page = page_of(request, review_selectors.visible_merges(request.user), PAGE_SIZE)
    return render(request, "people/review_merges.html", {"page": page})


@login_required
@require_POST
def merge_undo(request, pk: int):
    record = review_selectors.get_merge_for(request.user, pk)
    try:
        merging.unmerge(record, actor=request.user)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The merge is undone: both records are back as they were."))
    return redirect("people:merge_list")
