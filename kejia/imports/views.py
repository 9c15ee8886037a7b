"""The import pages: the batches in my scope, the upload form, one batch with its progress bar
(polled with htmx while it runs) and report, the report and the template as XLSX."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.uploads import read_upload
from kejia.imports import reading, selectors, services, workbooks
from kejia.imports.forms import ImportForm
from kejia.imports.models import ImportKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_SHOWN = 500


def xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"{file_name}\""
    return response


@login_required
@require_GET
def batch_list(request):
    services.fail_stale_batches()
    batches = selectors.visible_batches(request.user)
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    return render(request, "imports/batch_list.html", {"page": page, "can_import": selectors.importable_organizations(request.user).exists()})


@login_required
@require_http_methods(["GET", "POST"])
def batch_new(request):
    organizations = selectors.importable_organizations(request.user)
    initial = {}
    if request.GET.get("org", "").isdigit():
        org = organizations.filter(pk=request.GET["org"]).first()
        if org is None:
            raise NotFound()
        initial["organization"] = org
    if request.GET.get("kind") in ImportKind.values:
        initial["kind"] = request.GET["kind"]
    form = ImportForm(request.POST or None, request.FILES or None, organizations=organizations, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                content = read_upload(upload, max_bytes=reading.MAX_BYTES)
                batch = services.start_import(data["organization"], actor=request.user, file_name=upload.name, content=content,
                                              mode=data["mode"], dry_run=data["dry_run"], kind=data["kind"] or ImportKind.PEOPLE)
            except (NotFound, PermissionDenied):
                raise
            except DomainError as exc:
                form.add_error("file", str(exc.message))
            else:
                return redirect("imports:detail", batch.pk)
        status = 400
    return render(request, "imports/batch_form.html", {"form": form}, status=status)


@login_required
@require_GET
def batch_detail(request, pk: int):
    services.fail_stale_batches()
    batch = selectors.get_batch_for(request.user, pk)
    context = {"batch": batch, "entries": batch.report[:REPORT_SHOWN], "more": max(len(batch.report) - REPORT_SHOWN, 0)}
    if request.htmx:
        return render(request, "imports/_progress.html", context)
    return render(request, "imports/batch_detail.html", context)


@login_required
@require_GET
def batch_report(request, pk: int):
    batch = selectors.get_batch_for(request.user, pk)
    return xlsx_response(workbooks.report_xlsx(batch), f"import-report-{batch.pk}.xlsx")


@login_required
@require_GET
def template(request):
    return xlsx_response(workbooks.template_xlsx(), "kejia-people-template.xlsx")
