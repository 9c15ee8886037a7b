"""Expert finding pages: search by words, or paste a text and get the experts closest to it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from kejia.core.errors import ValidationFailed
from kejia.search.forms import ExpertSearchForm
from kejia.search.services import affinity, find_experts

PAGE_SIZE = 20


@login_required
def experts(request):
    form = ExpertSearchForm(request.GET or None)
    context, status = {"form": form, "results": None}, 200
    if request.GET and form.is_valid():
        page = form.cleaned_data.get("page") or 1
        text = form.cleaned_data.get("q") or ""
        try:
            if form.cleaned_data.get("mode") == "text":
                results = affinity(text, user=request.user, limit=PAGE_SIZE, filters=form.filters())
            else:
                results = find_experts(request.user, text=text, filters=form.filters(), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                form.add_error(field if field in form.fields else None, messages)
            status = 400
        else:
            context.update(results=results, page=page, has_next=page * PAGE_SIZE < results.total, offset=(page - 1) * PAGE_SIZE)
    elif request.GET:
        status = 400
    template = "search/_results.html" if request.htmx and status == 200 and context["results"] is not None else "search/experts.html"
    return render(request, template, context, status=status)
