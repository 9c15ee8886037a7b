"""Work in progress: replaced by its owner."""

from django.http import Http404


def home(request):
    raise Http404
