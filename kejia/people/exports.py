"""Exports of the talent list too large to make within a request (kejia.people.views.export):
made by the task worker (django-tasks, as imports are), with progress, the file kept sealed
(AES-GCM, like every identifier) for PEOPLE_EXPORT_KEEP_SECONDS and downloadable by the
requester only. The rules are those of the inline export (services.export_people): masked
unless asked for and allowed, unmasked only for people the requester's organizations manage,
audited (when made, and at each download)."""

import base64
import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import task

from kejia.core import pii
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, NotFound
from kejia.people.models import ExportStatus, PeopleExport

log = logging.getLogger(__name__)


def inline_max() -> int:
    """Exports of at most this many people are made within the request."""
    return int(getattr(settings, "PEOPLE_EXPORT_INLINE_MAX", 1000))


def keep_seconds() -> int:
    return int(getattr(settings, "PEOPLE_EXPORT_KEEP_SECONDS", 24 * 3600))


def export_params(query: QueryDict) -> dict[str, list[str]]:
    """The list page's filters worth keeping (no page number, no CSRF token)."""
    return {key: query.getlist(key) for key in query if key not in ("page", "csrfmiddlewaretoken")}


def start_people_export(*, actor, params: dict[str, list[str]], unmasked: bool, total: int, ip: str | None) -> PeopleExport:
    from kejia.people.services import check_export

    check_export(actor, unmasked=unmasked)
    with transaction.atomic():
        export = PeopleExport.objects.create(requester=actor, params=params, unmasked=unmasked, total=total, ip=ip)
        record_event(actor=actor, action="person.export_requested", obj=export, new={"unmasked": unmasked, "people": total}, ip=ip)
        transaction.on_commit(lambda: run_people_export.enqueue(export.pk))
    return export


def _update(export: PeopleExport, **fields) -> None:
    PeopleExport.objects.filter(pk=export.pk).update(updated_at=timezone.now(), **fields)
    for key, value in fields.items():
        setattr(export, key, value)


def people_for(user, params: dict[str, list[str]]):
    """The people the list page's filters choose, in the user's scope as it stands now; with the
    organization the filters name (None: all of the scope). Raises DomainError on filters that
    are no longer valid (the organization left the scope)."""
    from kejia.organizations.view_helpers import visible_by_code
    from kejia.people import selectors
    from kejia.people.forms import ExportForm

    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, values)
    form = ExportForm(query)
    if not form.is_valid():
        raise DomainError("invalid_filters", gettext("The filters of this export are no longer valid."))
    org = None
    code = form.cleaned_data.get("org", "").strip()
    if code:
        try:
            org = visible_by_code(user, code)
        except NotFound:
            raise DomainError("invalid_filters", gettext("No organization in your scope has this code.")) from None
    return selectors.search_people(user, organization=org, **form.filters()), org


def run_export(export: PeopleExport) -> PeopleExport:
    """The worker's part: choose the people, write the sheet (with progress), keep it sealed."""
    from kejia.people.services import export_people

    with translation.override("zh-hans"):
        _update(export, status=ExportStatus.RUNNING, processed=0)
        try:
            people, org = people_for(export.requester, export.params)
            data = export_people(
                people,
                actor=export.requester,
                unmasked=export.unmasked,
                organization=org,
                ip=export.ip,
                progress=lambda done, total: _update(export, processed=done, total=total),
            )
            blob = pii.encrypt(base64.b64encode(data).decode()).encode()
            path = default_storage.save(f"exports/people-{export.pk}.sealed", ContentFile(blob))
        except DomainError as exc:
            _update(export, status=ExportStatus.FAILED, message=str(exc.message), finished_at=timezone.now())
        except Exception as exc:
            log.exception("people export %s failed", export.pk)
            message = getattr(exc, "message", None) or gettext("The export stopped on an unexpected error. Try again, or ask the platform administrators.")
            _update(export, status=ExportStatus.FAILED, message=str(message), finished_at=timezone.now())
        else:
            now = timezone.now()
            _update(
                export,
                status=ExportStatus.DONE,
                sealed_path=path,
                rows=export.processed,
                finished_at=now,
                expires_at=now + datetime.timedelta(seconds=keep_seconds()),
            )
    return export


def export_for(user, pk: int) -> PeopleExport:
    """The requester's own export; anyone else's is a 404, whoever asks."""
    export = PeopleExport.objects.filter(pk=pk, requester=user).first()
    if export is None:
        raise NotFound()
    return export


def download(export: PeopleExport, *, actor, ip: str | None) -> bytes:
    if not export.downloadable:
        raise NotFound()
    with default_storage.open(export.sealed_path, "rb") as fh:
        data = base64.b64decode(pii.decrypt(fh.read().decode()))
    record_event(actor=actor, action="person.export_downloaded", obj=export, new={"unmasked": export.unmasked, "rows": export.rows}, ip=ip)
    return data


def discard_expired_exports() -> int:
    """Delete the files of exports past their time (called by the export pages and the worker)."""
    count = 0
    for export in PeopleExport.objects.filter(expires_at__lt=timezone.now()).exclude(sealed_path=""):
        default_storage.delete(export.sealed_path)
        PeopleExport.objects.filter(pk=export.pk).update(sealed_path="")
        count += 1
    return count


@task()
def run_people_export(export_id: int) -> str:
    """The background task (the worker: `manage.py db_worker`) that makes export `export_id`."""
    discard_expired_exports()
    export = PeopleExport.objects.select_related("requester").filter(pk=export_id).first()
    if export is None or export.status != ExportStatus.QUEUED:
        return "skipped"
    return run_export(export).status
