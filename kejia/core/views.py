from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kejia.core.errors import NotFound, PermissionDenied


def not_found(request, exception=None):
    return render(request, "error.html", {"error": NotFound()}, status=404)


def forbidden(request, exception=None):
    return render(request, "error.html", {"error": PermissionDenied()}, status=403)


def server_error(request):
    return render(request, "error.html", {"error": {"message": _("Something went wrong on our side. It has been logged.")}}, status=500)
