"""Reads of import batches: a batch is visible to staff whose managed scope covers its
organization (and to the platform admins); anything else is a 404."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from kejia.accounts import scope
from kejia.core.errors import NotFound
from kejia.imports import progress
from kejia.imports.models import BatchStatus, ImportBatch
from kejia.organizations.models import Organization


def visible_batches(user) -> QuerySet[ImportBatch]:
    qs = ImportBatch.objects.select_related("organization", "actor")
    return scope.restrict(qs, user, "org_path", scope.MANAGE_KINDS)


def get_batch_for(user, pk) -> ImportBatch:
    """The batch, with the rows checked so far where the running import has recorded more than its
    row shows (kejia.imports.progress: written before its transaction commits)."""
    batch = visible_batches(user).filter(pk=pk).first()
    if batch is None:
        raise NotFound()
    if batch.status == BatchStatus.RUNNING:
        batch.processed = max(batch.processed, progress.read(batch.pk))
    return batch


def batches_with_errors(user, *, days: int = 30, now: datetime.datetime | None = None) -> QuerySet[ImportBatch]:
    """Batches of the user's managed scope finished in the last `days` days with bad rows, or
    failed, newest first: the rows to correct and import again (the report lists them)."""
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    finished = Q(status=BatchStatus.DONE, bad__gt=0) | Q(status=BatchStatus.FAILED)
    return visible_batches(user).filter(finished, created_at__gte=since).order_by("-created_at", "-id")


def importable_organizations(user) -> QuerySet[Organization]:
    return scope.restrict(Organization.objects.all(), user, "path", scope.MANAGE_KINDS).order_by("path")


def find_importable_organizations(organizations: QuerySet[Organization], text: str, *, limit: int = 20) -> QuerySet[Organization]:
    """The organizations (of an importable queryset) whose name, short name or code holds `text`,
    the highest in the tree first; without text, the first ones of the tree."""
    text = " ".join(str(text or "").split())[:64]
    qs = organizations
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(short_name__icontains=text) | Q(code__icontains=text))
    return qs.only("pk", "name", "code", "path", "depth").order_by("depth", "path")[:limit]
