"""The JSON door's downloads of the printed form (kejia.calls.print_views makes the responses, so
the page and the API answer the same): one application as PDF or DOCX, and a call's applications
as one ZIP for the staff of the organization running it."""

from typing import Literal

from ninja import Router

from kejia.calls import print_views
from kejia.core.api_auth import AUTH
from kejia.organizations.api_schemas import ObjectId

router = Router(tags=["calls"])

FILE = {200: {"description": "The file", "content": {"application/pdf": {}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}}}}
ZIP = {200: {"description": "A ZIP of the printed applications", "content": {"application/zip": {}}}}


@router.get("/calls/applications/{id}/print", auth=AUTH, summary="An application printed as the official form", openapi_extra={"responses": FILE})
def print_application(request, id: ObjectId, format: Literal["pdf", "docx"] = "pdf"):
    """The form with its cover page and tables, as PDF (Chinese font embedded) or DOCX, named after
    the 申报单位 (Content-Disposition with filename*). 404 outside your scope; 503 (no_cjk_font)
    when the server has no Chinese font to embed."""
    return print_views.application_file(id, request.auth, format)


@router.get("/calls/{id}/archive", auth=AUTH, summary="A call's applications as one ZIP", openapi_extra={"responses": ZIP})
def call_archive(request, id: ObjectId, format: Literal["pdf", "docx"] = "pdf"):
    """Every application past the draft (withdrawn ones left out), one file each named after its
    申报单位, streamed. The staff of the organization running the call only (404 for others)."""
    return print_views.call_archive(id, request.auth, format)
