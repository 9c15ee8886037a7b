"""Uploaded files of calls, one service per kind: a call's attachments (the owner's staff), the
files of an application's attachment fields and its sign-offs' seal images (the applicant, while
the application can be edited) and a project's deliverable file (through
kejia.calls.workflow.submit_deliverable). Each upload is checked by its content and size
(kejia.core.uploads.check_upload: PDF, DOCX, XLSX, JPG or PNG; seal images JPG or PNG), stored
under the media root with the suffix of its content, and served only by the views of
kejia.calls.views, which check scope."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.calls import forms_spec, services
from kejia.calls.choices import ApplicationStatus
from kejia.calls.models import Application, ApplicationFile, Call, CallAttachment, Deliverable
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, PermissionDenied
from kejia.core.uploads import check_upload

DOCUMENT_KINDS = ("pdf", "docx", "xlsx", "jpeg", "png")
SEAL_KINDS = ("png", "jpeg")
EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)


def original_name(upload) -> str:
    return (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1][:255]


def _stored_name(suffix: str) -> str:
    return f"{timezone.now():%Y%m%d%H%M%S%f}{suffix}"


@contextmanager
def files_removed_on_failure() -> Iterator[list[str]]:
    """Django has no on-rollback hook: files stored inside a write that raises are deleted here."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def store_deliverable_file(deliverable: Deliverable, upload, stored: list[str]) -> None:
    """The deliverable's file, checked (a document or an image) and saved on the row."""
    kind = check_upload(upload, kinds=DOCUMENT_KINDS, max_bytes=settings.CALLS_MAX_UPLOAD, code="bad_file", field="file")
    deliverable.original_name = original_name(upload)
    deliverable.file.save(_stored_name(kind.suffix), upload, save=False)
    stored.append(deliverable.file.name)
    deliverable.save(update_fields=["file", "original_name", "updated_at"])


def add_call_attachment(call: Call, *, actor, title: str, upload) -> CallAttachment:
    """An attachment of the call (附件: the guide, the form to print), by the owner's staff."""
    services.require_owner(call, actor)
    title = (title or "").strip() or original_name(upload)
    kind = check_upload(upload, kinds=DOCUMENT_KINDS, max_bytes=settings.CALLS_MAX_UPLOAD, code="bad_file", field="file")
    with files_removed_on_failure() as stored, transaction.atomic():
        position = call.attachments.count()
        attachment = CallAttachment(call=call, title=title[:200], original_name=original_name(upload), position=position)
        attachment.file.save(_stored_name(kind.suffix), upload, save=False)
        stored.append(attachment.file.name)
        attachment.save()
        record_event(
            actor=actor, action="calls.add_attachment", obj=call, organization=call.owner, new={"attachment": attachment.pk, "title": attachment.title}
        )
    return attachment


def _upload_field(application: Application, key: str, part: str) -> dict:
    field = next((f for f in forms_spec.fields(application.form.spec) if f.get("key") == key), None)
    if field is None or (field["type"], part) not in (("attachment", ""), ("signoff", "seal")):
        raise DomainError("invalid", _("This part of the form takes no file."), field=key or "field")
    return field


def _require_editable(application: Application) -> None:
    if not Application.objects.filter(pk=application.pk, status__in=EDITABLE).exists():
        raise PermissionDenied(_("The application can no longer be changed."))


def upload_application_file(application: Application, *, actor, field: str, upload, part: str = "") -> ApplicationFile:
    """A file for an attachment field (part "") or the seal image of a sign-off (part "seal"), by
    the applicant while the application can be edited; the answer then names the stored file."""
    if not services.is_applicant(actor, application):
        raise PermissionDenied()
    _require_editable(application)
    spec_field = _upload_field(application, field, part)
    seal = part == "seal"
    kind = check_upload(
        upload,
        kinds=SEAL_KINDS if seal else DOCUMENT_KINDS,
        max_bytes=settings.CALLS_MAX_SEAL if seal else settings.CALLS_MAX_UPLOAD,
        code="bad_file",
        field=f"{field}.seal" if seal else field,
    )
    with files_removed_on_failure() as stored, transaction.atomic():
        application = Application.objects.select_for_update(of=("self",)).select_related("call__owner").get(pk=application.pk)
        _require_editable(application)
        item = ApplicationFile(application=application, field=field, part=part, original_name=original_name(upload), size=upload.size, uploaded_by=actor)
        item.file.save(_stored_name(kind.suffix), upload, save=False)
        stored.append(item.file.name)
        item.save()
        data = dict(application.data or {})
        if spec_field["type"] == "signoff":
            data[field] = {**(data.get(field) if isinstance(data.get(field), dict) else {}), "seal": item.file.name}
        else:
            data[field] = item.file.name
        application.data = data
        application.save(update_fields=["data", "updated_at"])
        record_event(
            actor=actor, action="calls.upload_file", obj=application, organization=application.call.owner, new={"field": field, "file": item.original_name}
        )
    return item


def upload_slots(application: Application, facts: dict) -> list[dict]:
    """The places of the form that take a file (attachment fields, sign-offs' seal images) that
    apply, each with the file its answer names (one query)."""
    stored = {f.file.name: f for f in application.files.all()}
    data = application.data or {}
    slots = []
    for field in forms_spec.fields(application.form.spec):
        if field["type"] not in ("attachment", "signoff") or not forms_spec.applies(field, data, facts):
            continue
        seal = field["type"] == "signoff"
        answer = data.get(field["key"])
        name = (answer.get("seal") if isinstance(answer, dict) else "") if seal else answer
        slots.append(
            {"field": field["key"], "part": "seal" if seal else "", "label": field.get("label", field["key"]), "seal": seal, "file": stored.get(name or "")}
        )
    return slots
