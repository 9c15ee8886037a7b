"""Turning domain errors into answers a person understands: never a 500 for bad input."""

from django.shortcuts import render

from kejia.core.errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(request, "error.html", {"error": exception}, status=exception.status)
        return None


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")
