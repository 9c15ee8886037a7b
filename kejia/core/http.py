"""Turning refusals into answers a person understands, never a 500: domain errors, request bodies
too large to take (413, refused from the announced length before anything is read), and a
database too busy to write (503 with Retry-After; a safe request is tried once more first). The
API (/api/) answers in its JSON error format ({"code", "message"}, docs/api.md), pages with the
error page."""

import logging
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kejia.core.errors import DomainError

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How the database says another writer holds the lock: SQLite's busy timeout ran out, or
# PostgreSQL's lock_timeout / a deadlock / a serialization failure.
BUSY_MARKERS = ("database is locked", "database table is locked", "lock timeout", "could not obtain lock", "deadlock detected", "could not serialize access")
RETRY_AFTER_SECONDS = 5


class TooLarge(DomainError):
    def __init__(self):
        mb = max(settings.MAX_REQUEST_BYTES // (1024 * 1024), 1)
        super().__init__("too_large", _("The request is too large (at most %(mb)d MB).") % {"mb": mb})


class Busy(DomainError):
    def __init__(self):
        super().__init__("busy", _("The system is busy with another write (a large import, for instance). Nothing was changed: try again in a moment."))


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and any(marker in str(exc).lower() for marker in BUSY_MARKERS)


def error_response(request, error: DomainError):
    """The refusal as the API's JSON error or as the error page."""
    if request.path.startswith("/api/"):
        response = JsonResponse(error.as_dict(), status=error.status)
    else:
        response = render(request, "error.html", {"error": error}, status=error.status)
    if isinstance(error, Busy):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class RequestSizeMiddleware:
    """Refuses a body announced larger than settings.MAX_REQUEST_BYTES before it is read (first in
    the chain: nothing has touched the body yet). A body without a length is not read by Django."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return error_response(request, TooLarge())
        return self.get_response(request)


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(request, "error.html", {"error": exception}, status=exception.status)
        if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
            return error_response(request, TooLarge())
        if is_busy(exception):
            return self._busy(request)
        return None

    @staticmethod
    def _busy(request):
        # Nothing of the failed attempt stays (its transaction was rolled back); only a request
        # that changes nothing is tried again: trying a write again could repeat what it did outside the database.
        match = request.resolver_match
        if request.method in SAFE_METHODS and match is not None:
            time.sleep(0.5)
            try:
                return match.func(request, *match.args, **match.kwargs)
            except OperationalError as again:
                if not is_busy(again):
                    raise
        log.warning("database busy: %s %s answered 503", request.method, request.path)
        return error_response(request, Busy())


def busy_api_answer(request, exc: OperationalError):
    """The API's handler of database errors (kejia.api): busy → 503 JSON, anything else goes on as
    the server error it is."""
    if is_busy(exc):
        return DomainErrorMiddleware._busy(request)
    raise exc


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


API_PREFIX = "/api/"
API_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "too_many_requests",
}


class ApiErrorMiddleware:
    """On the API every error answers the documented JSON format ({code, message}), also those no
    operation wrote: an unknown path (404), a method the path does not take (405), a refusal by a
    middleware, a 500 from an unexpected exception."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(API_PREFIX):
            return response
        if response.get("Content-Type", "").startswith("application/json") or getattr(response, "streaming", False):
            return response
        return self.as_json(response)

    @staticmethod
    def as_json(response):
        status = response.status_code
        messages = {
            404: _("Not found."),
            405: _("This address does not take the method used."),
            413: _("The request is too large."),
            500: _("Something went wrong on our side. It has been logged."),
        }
        code = API_CODES.get(status, "server_error" if status >= 500 else "bad_request")
        message = messages.get(status) or (messages[500] if status >= 500 else _("The request was refused."))
        answer = JsonResponse({"code": code, "message": str(message)}, status=status, json_dumps_params={"ensure_ascii": False})
        for header in ("Allow", "Retry-After"):
            if header in response:
                answer[header] = response[header]
        return answer
