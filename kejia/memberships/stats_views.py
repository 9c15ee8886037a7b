"""Work in progress: replaced by its owner."""

from django.http import Http404


def overview(request, *args, **kwargs):
    raise Http404


def society_stats(request, *args, **kwargs):
    raise Http404
