"""The division picker: htmx partials listing children of a division, or a search.
Both answer the same fragment (reference/_region_options.html); `field` names the form input
the choice is written to, so it is restricted to a plain identifier before it reaches markup."""

import re

from django.shortcuts import render
from django.views.decorators.http import require_GET

from kejia.reference import selectors
from kejia.reference.models import Region

_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")


def _field(request) -> str:
    field = request.GET.get("field", "region")
    return field if _FIELD.fullmatch(field) else "region"


def _options(request, *, regions, parent, mode):
    return render(request, "reference/_region_options.html",
                  {"regions": list(regions), "parent": parent, "field": _field(request), "mode": mode})


@require_GET
def region_children(request):
    code = request.GET.get("parent", "").strip()[:12]
    parent = selectors.region_by_code(code)
    regions = selectors.region_children(code) if parent or not code else Region.objects.none()
    return _options(request, regions=regions, parent=parent, mode="children")


@require_GET
def region_search(request):
    text = request.GET.get("q", "").strip()[:40]
    if not text:  # an emptied search box brings the cascade back
        return _options(request, regions=selectors.region_children(None), parent=None, mode="children")
    return _options(request, regions=selectors.find_regions(text), parent=None, mode="search")
