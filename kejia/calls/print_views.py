"""Downloads of the printed form (kejia.calls.printing): one application as PDF or DOCX for
whoever may see it (kejia.calls.selectors), and a call's applications as one ZIP for the staff of
the organization running it. The API (kejia.calls.print_api) answers with the same responses.
Each download is audited (they show the applicants' contact details), without its content."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kejia.calls import printing, selectors
from kejia.calls.models import Call
from kejia.core.errors import DomainError, NotFound


def check_format(fmt: str | None) -> str:
    fmt = (fmt or "pdf").lower()
    if fmt not in printing.FORMATS:
        raise DomainError("invalid", _("The format is pdf or docx."), field="format")
    return fmt


def application_file(application_id: int, user, fmt: str | None) -> HttpResponse:
    """One application's printed form; 404 outside the caller's scope."""
    fmt = check_format(fmt)
    application = selectors.get_application(application_id, user)
    response = HttpResponse(printing.render(application, fmt), content_type=printing.FORMATS[fmt])
    printing.record_print(application, actor=user, fmt=fmt)
    response["Content-Disposition"] = content_disposition_header(True, printing.filename(application, fmt))
    response["Cache-Control"] = "private, no-store"
    return response


def managed_call(call_id: int, user) -> Call:
    call = selectors.managed_calls(user).filter(pk=call_id).first()
    if call is None:
        raise NotFound()
    return call


def call_archive(call_id: int, user, fmt: str | None) -> StreamingHttpResponse:
    """Every application of the call past the draft (withdrawn ones left out) as one ZIP, written
    while it is sent; the staff of the organization running the call only (404 for others)."""
    fmt = check_format(fmt)
    call = managed_call(call_id, user)
    applications = printing.archive_applications(call, user)
    printing.record_archive(call, actor=user, fmt=fmt)
    response = StreamingHttpResponse(printing.archive_chunks(applications.iterator(chunk_size=50), fmt), content_type="application/zip")
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"{printing.safe_name(call.title) or 'call-' + str(call.pk)}-{fmt}-{stamp}.zip"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET"])
def application_print(request, pk: int):
    return application_file(pk, request.user, request.GET.get("format"))


@login_required
@require_http_methods(["GET"])
def archive(request, pk: int):
    return call_archive(pk, request.user, request.GET.get("format"))
