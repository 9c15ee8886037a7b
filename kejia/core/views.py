from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kejia.core.errors import NotFound, PermissionDenied


def not_found(request, exception=None):
    error = NotFound()
    return render(request, "error.html", {"error": error}, status=error.status)


def forbidden(request, exception=None):
    error = PermissionDenied()
    return render(request, "error.html", {"error": error}, status=error.status)


def server_error(request):
    return render(request, "error.html", {"error": {"message": _("Something went wrong on our side. It has been logged.")}}, status=500)
