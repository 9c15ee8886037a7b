"""Work in progress: replaced by its owner."""

from django.http import Http404


def card(request, *args, **kwargs):
    raise Http404


def verify_form(request, *args, **kwargs):
    raise Http404


def keys_json(request, *args, **kwargs):
    raise Http404


def verify(request, *args, **kwargs):
    raise Http404
