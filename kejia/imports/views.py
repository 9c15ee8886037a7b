"""The import pages: the batches in my scope, the upload form, one batch with its progress bar
(polled with htmx while it runs) and report, the report and the template as XLSX."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.text import whole_number
from kejia.core.uploads import read_upload
from kejia.core.web import page_of
from kejia.imports import reading, selectors, services, workbooks
from kejia.imports.forms import PICKER_SHOWN, ImportForm
from kejia.imports.models import ImportKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_SHOWN = 500


def xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@login_required
@require_GET
def batch_list(request):
    services.fail_stale_batches()
    services.discard_expired_files()
    batches = selectors.visible_batches(request.user)
    page = page_of(request, batches, 50)
    return render(request, "imports/batch_list.html", {"page": page, "can_import": selectors.importable_organizations(request.user).exists()})


@login_required
@require_http_methods(["GET", "POST"])
def batch_new(request):
    organizations = selectors.importable_organizations(request.user)
    initial = {}
    if (org_pk := whole_number(request.GET.get("org", ""))) is not None:
        org = organizations.filter(pk=org_pk).first()
        if org is None:
            raise NotFound()
        initial["organization"] = org
    kind = request.GET.get("kind") if request.GET.get("kind") in ImportKind.values else ""
    if kind:
        initial["kind"] = kind
    query = request.GET.get("org_q", "")[:64]
    form = ImportForm(request.POST or None, request.FILES or None, organizations=organizations, initial=initial, query=query)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                content = read_upload(upload, max_bytes=reading.MAX_BYTES)
                batch = services.start_import(
                    data["organization"],
                    actor=request.user,
                    file_name=upload.name,
                    content=content,
                    mode=data["mode"],
                    dry_run=data["dry_run"],
                    kind=data["kind"] or ImportKind.PEOPLE,
                )
            except (NotFound, PermissionDenied):
                raise
            except DomainError as exc:
                form.add_error("file", str(exc.message))
            else:
                return redirect("imports:detail", batch.pk)
        status = 400
    return render(request, "imports/batch_form.html", {"form": form, "org_query": query, "kind": kind}, status=status)


@login_required
@require_GET
def organization_matches(request):
    """The picker's matches for `org_q` (or `q`): the organizations in the user's import scope whose
    name or code holds it, as the radio buttons of the upload form (htmx swaps them in)."""
    query = (request.GET.get("org_q") or request.GET.get("q") or "")[:64]
    matches = list(selectors.find_importable_organizations(selectors.importable_organizations(request.user), query, limit=PICKER_SHOWN))
    return render(request, "imports/_organization_matches.html", {"matches": matches, "value": "", "shown": PICKER_SHOWN})


@login_required
@require_GET
def batch_detail(request, pk: int):
    services.fail_stale_batches()
    services.discard_expired_files()
    batch = selectors.get_batch_for(request.user, pk)
    context = {
        "batch": batch,
        "entries": batch.report[:REPORT_SHOWN],
        "more": max(len(batch.report) - REPORT_SHOWN, 0),
        "retries": list(batch.retries.order_by("pk").only("pk")) if batch.is_finished else [],
        "can_import_good_rows": batch.offers_good_rows and scope.can_manage(request.user, batch.organization),
    }
    if request.htmx:
        return render(request, "imports/_progress.html", context)
    return render(request, "imports/batch_detail.html", context)


@login_required
@require_POST
def batch_good_rows(request, pk: int):
    """ "Import the good rows now": the kept file of an import refused as a whole, without uploading it again."""
    batch = selectors.get_batch_for(request.user, pk)
    try:
        new = services.import_good_rows(batch, actor=request.user)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("imports:detail", batch.pk)
    return redirect("imports:detail", new.pk)


@login_required
@require_GET
def batch_report(request, pk: int):
    batch = selectors.get_batch_for(request.user, pk)
    return xlsx_response(workbooks.report_xlsx(batch), f"import-report-{batch.pk}.xlsx")


@login_required
@require_GET
def template(request):
    return xlsx_response(workbooks.template_xlsx(), "kejia-people-template.xlsx")
