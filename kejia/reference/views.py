"""The division picker: htmx partials listing children of a division, or a search."""

from django.shortcuts import render

from kejia.reference import selectors
from kejia.reference.models import Region


def region_children(request):
    code = request.GET.get("parent", "")
    parent = Region.objects.filter(code=code).first() if code else None
    return render(request, "reference/_region_options.html",
                  {"regions": selectors.region_children(code or None), "parent": parent, "field": request.GET.get("field", "region")})


def region_search(request):
    return render(request, "reference/_region_options.html",
                  {"regions": selectors.find_regions(request.GET.get("q", "")), "parent": None, "field": request.GET.get("field", "region")})
