"""When the database refuses a connection (PostgreSQL's "too many clients", a database's own
connection limit, a server restarting), the request answers 503 with a clear message — JSON on
/api/, a small page elsewhere, Retry-After — instead of a 500. Nothing here touches the database
(the page is rendered without the request's context processors, which would read the user).

The connection budget that keeps this rare is docs/deploy.md's arithmetic (`manage.py serve`
checks it before starting)."""

import logging
import sys

from django.core.signals import got_request_exception
from django.db.utils import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("kejia.db")
RETRY_AFTER = "5"
_MARKERS = (
    "too many clients",
    "too many connections",
    "remaining connection slots",
    "connection failed",
    "could not connect",
    "connection refused",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "server closed the connection unexpectedly",
)


def is_connection_refused(exc: BaseException | None) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    text = f"{exc} {exc.__cause__ or ''}".lower()
    return any(marker in text for marker in _MARKERS)


def unavailable_response(request) -> HttpResponse:
    message = _("Too many requests reach the database at this moment. Please try again in a few seconds.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "database_unavailable", "message": message}, status=503)
    else:
        response = HttpResponse(render_to_string("unavailable.html", {"message": message}), status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


def _flag(sender, request=None, **kwargs) -> None:
    """A refusal raised outside a view (a middleware reading the session): Django answers it with
    the 500 handler, after this signal; the middleware below swaps in the 503."""
    if request is not None and is_connection_refused(sys.exc_info()[1]):
        request.kejia_database_refused = True


got_request_exception.connect(_flag, dispatch_uid="kejia.core.dbunavailable")


class DatabaseUnavailableMiddleware:
    """Placed outside the middleware that read the database (sessions, users)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except OperationalError as exc:  # the 500 handler itself could not reach the database
            if not is_connection_refused(exc):
                raise
            return self._refused(request, exc)
        if getattr(request, "kejia_database_refused", False):
            return self._refused(request, None)
        return response

    def process_exception(self, request, exception):
        if is_connection_refused(exception):
            return self._refused(request, exception)
        return None

    @staticmethod
    def _refused(request, exc) -> HttpResponse:
        logger.warning("database refused a connection: %s %s: %s", request.method, request.path, exc or "(see the error above)")
        return unavailable_response(request)
