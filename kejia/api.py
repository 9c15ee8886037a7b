"""The JSON API: one NinjaAPI, a router per domain app, OpenAPI at /api/docs.

Auth: a session (with CSRF) or `Authorization: Bearer <token>` (POST /api/auth/token)."""

from django.db import OperationalError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kejia.core.api import guard_input
from kejia.core.api_parser import NormalisingParser
from kejia.core.errors import DomainError
from kejia.core.http import busy_api_answer

# The parser normalises every string of a request (kejia.core.text): no control character is stored.
api = NinjaAPI(title="Kejia 科家 API", version="1", urls_namespace="api", docs_url="/docs", parser=NormalisingParser())
# Every operation: integers within the database's range, no NUL in text (a 422 naming the field).
api.add_decorator(guard_input)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


api.add_exception_handler(OperationalError, busy_api_answer)  # a database busy with another write: 503, Retry-After


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(request, {"code": "unauthenticated", "message": _("Log in first.")}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    code = {403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request")
    message = str(exc)
    if exc.status_code == 403 and message == "CSRF check Failed":  # ninja's SessionAuth, untranslated
        code, message = "csrf_failed", _("The security token of this session is missing or wrong: reload the page and try again.")
    return api.create_response(request, {"code": code, "message": message}, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", [])]
        # The location is (source, [parameter name of a body/form schema], field …); a field may
        # itself be called "form" or "path", so only that head is dropped.
        if loc and loc[0] in ("body", "form", "file"):
            loc = loc[2:] if len(loc) > 2 else loc[1:]
        elif loc and loc[0] in ("query", "path", "header", "cookie"):
            loc = loc[1:]
        errors.setdefault(".".join(loc) or "body", []).append(err.get("msg", ""))
    field, messages = next(iter(errors.items())) if errors else ("body", [""])
    return api.create_response(request, {"code": "invalid", "message": f"{field}: {messages[0]}", "field": field, "errors": errors}, status=422)


from kejia.accounts.api import router as accounts_router  # noqa: E402
from kejia.activities.api import router as activities_router  # noqa: E402
from kejia.calls.api import router as calls_router  # noqa: E402
from kejia.calls.print_api import router as calls_print_router  # noqa: E402
from kejia.governance.api import router as governance_router  # noqa: E402
from kejia.grassroots.api import router as grassroots_router  # noqa: E402
from kejia.home.api import router as home_router  # noqa: E402
from kejia.imports.api import router as imports_router  # noqa: E402
from kejia.memberships.api import router as memberships_router  # noqa: E402
from kejia.organizations.api import router as organizations_router  # noqa: E402
from kejia.people.api import router as people_router  # noqa: E402
from kejia.people.review_api import router as people_review_router  # noqa: E402
from kejia.reference.api import router as reference_router  # noqa: E402
from kejia.review.api import router as review_router  # noqa: E402
from kejia.search.api import router as search_router  # noqa: E402
from kejia.surveys.api import router as surveys_router  # noqa: E402
from kejia.voice.api import router as voice_router  # noqa: E402
from kejia.volunteering.api import router as volunteering_router  # noqa: E402

api.add_router("/", accounts_router)
api.add_router("/", reference_router)
api.add_router("/", organizations_router)
api.add_router("/", people_review_router)  # before people: /people/review must not match /people/{id}
api.add_router("/", people_router)
api.add_router("/", imports_router)
api.add_router("/", search_router)
api.add_router("/", memberships_router)
api.add_router("/", governance_router)
api.add_router("/", grassroots_router)
api.add_router("/", activities_router)
api.add_router("/", volunteering_router)
api.add_router("/", voice_router)
api.add_router("/", surveys_router)
api.add_router("/", calls_router)
api.add_router("/", review_router)
api.add_router("/", calls_print_router)
api.add_router("/", home_router)
