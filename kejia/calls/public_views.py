"""Public pages of calls, no login needed: the public announcement (公示) of a call's results with
the objection form, and the case library of published deliverables. And the file views: every
stored file of calls is served here, after a scope check (a public call's attachments and the
published deliverables to anyone; an application's files to those who may see the application;
a deliverable not published to those who see its project)."""

import datetime

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.calls import cases, files, selectors, workflow
from kejia.calls.choices import ApplicationStatus
from kejia.calls.models import ApplicationFile, CallAttachment, Deliverable
from kejia.core import throttle
from kejia.core.errors import DomainError, NotFound
from kejia.core.http import client_ip

OBJECTIONS_PER_ADDRESS = throttle.Limit("objection.ip", "OBJECTION_MAX", "OBJECTION_WINDOW_SECONDS")
OBJECTIONS_PER_ACCOUNT = throttle.Limit("objection.user", "OBJECTION_MAX", "OBJECTION_WINDOW_SECONDS")


def _period(rows, days: int) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    ends = [a.announced_until for a in rows]
    if not ends:
        return None, None
    return min(ends) - datetime.timedelta(days=days), max(ends)


@require_http_methods(["GET", "POST"])
def announcement(request, pk: int):
    """`/calls/<id>/announcement/`: the announced results, the period in Beijing time, and while
    it lasts the objection form (a signed-in user, or a visitor giving a name and a contact)."""
    call = selectors.get_call(pk, request.user)
    rows = list(selectors.announced_applications(call))
    now = timezone.now()
    open_rows = [a for a in rows if a.status == ApplicationStatus.ANNOUNCED and a.announced_until >= now]
    errors, status, posted = {}, 200, {}
    if request.method == "POST":
        posted = {k: request.POST.get(k, "") for k in ("application", "text", "name", "contact")}
        user = request.user if request.user.is_authenticated else None
        counters = [throttle.counter(OBJECTIONS_PER_ADDRESS, client_ip(request) or "-")]
        if user is not None:
            counters.append(throttle.counter(OBJECTIONS_PER_ACCOUNT, user.pk))
        throttle.check(*counters)
        throttle.hit(*counters)
        target = next((a for a in open_rows if str(a.pk) == posted["application"]), None)
        try:
            if target is None:
                raise DomainError("invalid", _("Choose an application under public announcement."), field="application")
            workflow.record_objection(target, actor=request.user, text=posted["text"], name=posted["name"], contact=posted["contact"])
        except DomainError as exc:
            if exc.status not in (400, 409):
                raise
            errors, status = {exc.field or "": str(exc.message)}, 400
        else:
            messages.success(request, _("Your objection is received. The organization running the call will look into it."))
            return redirect("calls:announcement", pk=call.pk)
    start, end = _period(rows, call.announcement_days)
    return render(
        request,
        "calls/announcement.html",
        {
            "call": call,
            "rows": rows,
            "open_rows": open_rows,
            "start": start,
            "end": end,
            "ended": bool(rows) and not open_rows,
            "errors": errors,
            "posted": posted,
        },
        status=status,
    )


@require_GET
def case_list(request):
    """`/calls/cases/`: the public case library, searchable by topic, province and words."""
    topic, region, q = (request.GET.get(k, "").strip()[:100] for k in ("topic", "region", "q"))
    found = cases.search_cases(topic=topic, region=region, q=q)
    return render(request, "calls/cases.html", {"found": found, "topic": topic, "region": region, "q": q})


@require_GET
def case_detail(request, pk: int):
    case = cases.get_public_case(pk)
    application = case.project.application
    return render(
        request,
        "calls/case.html",
        {
            "case": case,
            "project": case.project,
            "call": case.project.call,
            "application": application,
            "topic": cases.topic_title(case.project.call, application.topic),
        },
    )


# ---- files -------------------------------------------------------------------------------------


def _send(field, filename: str) -> FileResponse:
    if not field:
        raise NotFound()
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise NotFound() from None
    return FileResponse(handle, as_attachment=True, filename=filename or field.name.rsplit("/", 1)[-1])


@require_GET
def attachment_file(request, pk: int):
    """A call's attachment: to anyone who may see the call (a published one: everyone)."""
    item = CallAttachment.objects.filter(pk=pk).first()
    if item is None:
        raise NotFound()
    selectors.get_call(item.call_id, request.user)
    return _send(item.file, item.original_name)


@require_GET
def application_file(request, pk: int):
    """A file of an application: only to those who may see the application (404 otherwise)."""
    item = ApplicationFile.objects.filter(pk=pk).first()
    if item is None:
        raise NotFound()
    selectors.get_application(item.application_id, request.user)
    return _send(item.file, item.original_name)


@require_GET
def deliverable_file(request, pk: int):
    """A deliverable's file: to anyone once published in the case library, else to those who see
    the project."""
    item = Deliverable.objects.filter(pk=pk).first()
    if item is None:
        raise NotFound()
    if not cases.public_cases().filter(pk=pk).exists() and not selectors.visible_projects(request.user).filter(pk=item.project_id).exists():
        raise NotFound()
    return _send(item.file, item.original_name)


@require_POST
def application_upload(request, pk: int):
    """`POST /calls/applications/<id>/files/`: a file for an attachment field or a seal image
    (`field`, `part`, `file`), by the applicant; back to the application's page."""
    if not request.user.is_authenticated:
        raise NotFound()
    application = selectors.get_application(pk, request.user)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError("invalid", _("Choose a file."), field="file")
        files.upload_application_file(application, actor=request.user, field=request.POST.get("field", ""), part=request.POST.get("part", ""), upload=upload)
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, str(exc.message))
        return redirect("calls:application", pk=application.pk)
    messages.success(request, _("File uploaded."))
    return redirect("calls:application", pk=application.pk)
