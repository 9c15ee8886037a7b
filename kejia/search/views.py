"""Expert finding pages: search by words, or paste a text and get the experts closest to it;
and the organization picker's htmx door (organizations of the caller's scope only)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kejia.core.api import MAX_OFFSET
from kejia.core.errors import ValidationFailed
from kejia.core.lookup import lookup_options
from kejia.search.forms import ExpertSearchForm, organization_options
from kejia.search.services import affinity, find_experts

PAGE_SIZE = 20


@login_required
@require_GET
def experts(request):
    form = ExpertSearchForm(request.GET or None, user=request.user)
    context, status = {"form": form, "results": None}, 200
    searched = bool(request.GET) and set(request.GET) != {"page"}
    if searched and form.is_valid():
        text = form.cleaned_data.get("q") or ""
        # The shared pager over the engine's count (a range stands for the rows: nothing is read twice).
        if form.cleaned_data.get("mode") == "text":

            def run(offset: int):
                return affinity(text, user=request.user, limit=PAGE_SIZE, offset=offset, filters=form.filters())
        else:

            def run(offset: int):
                return find_experts(request.user, text=text, filters=form.filters(), limit=PAGE_SIZE, offset=offset)

        try:
            page = Paginator(range(min(_total_hint(request), MAX_OFFSET)), PAGE_SIZE).get_page(request.GET.get("page"))
            results = run((page.number - 1) * PAGE_SIZE)
            asked = page.number
            page = Paginator(range(min(results.total, MAX_OFFSET + PAGE_SIZE)), PAGE_SIZE).get_page(asked)
            if page.number != asked:  # past the end: the last page
                results = run((page.number - 1) * PAGE_SIZE)
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                form.add_error(field if field in form.fields else None, messages)
            status = 400
        else:
            context.update(results=results, page=page, offset=(page.number - 1) * PAGE_SIZE)
    elif searched:
        status = 400
    template = "search/_results.html" if request.htmx and status == 200 and context["results"] is not None else "search/experts.html"
    return render(request, template, context, status=status)


def _total_hint(request) -> int:
    """Enough rows for the asked page to exist before the engine has counted (the real count
    replaces it once the search ran; a page past the end shows the last one)."""
    try:
        asked = int(request.GET.get("page") or 1)
    except ValueError:
        asked = 1
    return max(1, asked) * PAGE_SIZE


@login_required
@require_GET
def organizations(request):
    """The organization picker's matches: only organizations the caller may see."""
    context = lookup_options(request, search=lambda text: organization_options(request.user, text), empty_label=_("Any of my organizations"))
    return render(request, "_lookup_select.html", context)
