"""Imports as JSON: POST a spreadsheet (multipart), poll the batch, fetch its report.
The same services and selectors as the pages; a batch outside the caller's scope is a 404."""

import datetime
from typing import Annotated

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from kejia.core.api import PageParams, page_of
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError
from kejia.core.uploads import read_upload
from kejia.imports import reading, selectors, services, workbooks
from kejia.imports.models import ImportKind, ImportMode
from kejia.organizations.selectors import get_organization_for

router = Router(tags=["imports"])

MAX_ID = 2**62
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="The batch's id")]


class ReportEntry(Schema):
    row: int
    column: str
    reason: str
    level: str


class ReportPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReportEntry]


class BatchOut(Schema):
    id: int
    organization_id: int
    file_name: str
    sha256: str
    mode: str
    dry_run: bool
    status: str
    status_label: str
    total: int
    processed: int
    percent: int
    good: int
    bad: int
    created_count: int
    updated_count: int
    listed_count: int
    review_count: int
    kind: str
    members_count: int
    committed: bool
    message: str
    unknown_columns: list[str]
    created_at: datetime.datetime
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class ImportIn(Schema):
    organization_id: int = Field(..., ge=1, le=MAX_ID)
    mode: ImportMode = ImportMode.ALL
    dry_run: bool = False
    kind: ImportKind = ImportKind.PEOPLE


@router.post("/imports", response={201: BatchOut}, auth=AUTH, summary="Import S&T workers, or a society's member list (kind=members), from XLSX or CSV")
def create_import(request, payload: Form[ImportIn], file: File[UploadedFile]):
    org = get_organization_for(request.auth, payload.organization_id)
    try:
        content = read_upload(file, max_bytes=reading.MAX_BYTES)
        batch = services.start_import(
            org, actor=request.auth, file_name=file.name or "upload", content=content, mode=payload.mode, dry_run=payload.dry_run, kind=payload.kind
        )
    except DomainError as exc:
        if exc.code == "bad_file":
            exc.field = "file"
        raise
    batch.refresh_from_db()
    return Status(201, batch)


@router.get("/imports/{id}", response=BatchOut, auth=AUTH, summary="One import batch: progress and counts")
def get_import(request, id: ObjectId):
    services.fail_stale_batches()
    return selectors.get_batch_for(request.auth, id)


@router.get("/imports/{id}/report", response=ReportPage, auth=AUTH, summary="The report of a batch: row, column, reason (add ?format=xlsx for the spreadsheet)")
def get_report(request, id: ObjectId, page: Query[PageParams], format: str = "json"):
    """The JSON report is paginated with `limit`/`offset` (`count` is the total before
    pagination); the spreadsheet holds every entry."""
    batch = selectors.get_batch_for(request.auth, id)
    if format == "xlsx":
        response = HttpResponse(workbooks.report_xlsx(batch), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="import-report-{batch.pk}.xlsx"'
        return response
    if format != "json":
        raise DomainError("invalid", _("format is json or xlsx."), field="format")
    return page_of(batch.report or [], page)
