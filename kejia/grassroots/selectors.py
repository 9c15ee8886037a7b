"""Reads of grassroots key staff, scoped: the counts per county and township under an
organization, against their targets, in a fixed number of queries."""

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet

from kejia.accounts import scope
from kejia.core.errors import NotFound
from kejia.grassroots.models import Category, KeyStaff, Target
from kejia.grassroots.services import TARGET_KINDS
from kejia.organizations.kinds import OrgStatus
from kejia.organizations.models import PATH_SEGMENT, Organization
from kejia.people.selectors import get_person_for


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def key_staff_under(user, org) -> QuerySet[KeyStaff]:
    """Current records of bodies in `org`'s subtree that the user may see."""
    qs = KeyStaff.objects.filter(ended_on__isnull=True, organization__path__descends=org.path)
    return scope.restrict(qs, user, "organization__path").select_related("person", "category", "organization")


def counts_by_area(user, org) -> list[dict[str, Any]]:
    """One row per county and township association in `org`'s subtree (itself included) within the
    user's scope: key staff taken in by bodies in its subtree (all categories, and the 三长 among
    them), its target and whether it is reached (the target itself counts as reached)."""
    areas = list(
        scope.restrict(Organization.objects.filter(path__descends=org.path, kind__in=TARGET_KINDS).exclude(status=OrgStatus.DISSOLVED), user)
        .values("id", "name", "code", "kind", "path", "depth")
        .order_by("path")
    )
    if not areas:
        return []
    by_path = {a["path"]: a for a in areas}
    for a in areas:
        a.update(total=0, chiefs=0, by_category=defaultdict(int))
    rows = (
        KeyStaff.objects.filter(ended_on__isnull=True, organization__path__descends=org.path)
        .values("organization__path", "category_id")
        .annotate(n=Count("id"), chiefs=Count("id", filter=Q(category__is_chief=True)))
        .order_by()
    )
    for row in rows:
        path = row["organization__path"]
        # The body itself and each of its ancestors that is a counted area.
        for end in range(PATH_SEGMENT, len(path) + 1, PATH_SEGMENT):
            area = by_path.get(path[:end])
            if area is not None:
                area["total"] += row["n"]
                area["chiefs"] += row["chiefs"]
                area["by_category"][row["category_id"]] += row["n"]
    targets = dict(Target.objects.filter(organization_id__in=[a["id"] for a in areas]).values_list("organization_id", "target"))
    for a in areas:
        a["target"] = targets.get(a["id"])
        a["reached"] = None if a["target"] is None else a["total"] >= a["target"]
        a["by_category"] = dict(a["by_category"])
    return areas


def targets_not_met(user) -> list[dict[str, Any]]:
    """The county and township associations where the user holds a staff or administrator role
    whose key staff (current records of bodies in their subtree, as `counts_by_area` counts them)
    are below the target set for them: `{organization, target, total}`, furthest behind first.
    Two queries whatever the data (the areas below are on the area page)."""
    paths = scope.role_paths(user, scope.MANAGE_KINDS)
    if not paths:
        return []
    targets = list(
        Target.objects.filter(organization__path__in=paths, organization__kind__in=TARGET_KINDS)
        .exclude(organization__status=OrgStatus.DISSOLVED)
        .select_related("organization")
    )
    if not targets:
        return []
    totals = KeyStaff.objects.filter(ended_on__isnull=True).aggregate(
        **{f"t{t.pk}": Count("id", filter=Q(organization__path__descends=t.organization.path)) for t in targets}
    )
    rows = [{"organization": t.organization, "target": t.target, "total": totals[f"t{t.pk}"]} for t in targets]
    return sorted((r for r in rows if r["total"] < r["target"]), key=lambda r: (r["total"] - r["target"], r["organization"].path))


def _visible_record(user, record: KeyStaff) -> bool:
    """A record taken in by a body is seen in that body's scope; one taken in by none yet, where the
    person is seen."""
    if record.organization is not None:
        return scope.can_view(user, record.organization)
    try:
        get_person_for(user, record.person_id)
    except NotFound:
        return False
    return True


def get_key_staff_for(user, pk: int) -> KeyStaff:
    """One key staff record, or NotFound when it does not exist or lies outside the user's scope."""
    record = KeyStaff.objects.select_related("person", "category", "organization").filter(pk=pk).first()
    if record is None or not _visible_record(user, record):
        raise NotFound()
    return record


def key_staff_of(user, person) -> list[KeyStaff]:
    """A person's key staff records (current first, then ended) that the user may see (the person
    sees all their own): the public read the person's page uses. The caller has already been
    allowed to see the person."""
    records = KeyStaff.objects.filter(person=person).select_related("category", "organization").order_by("ended_on", "category__sort", "id")
    if person.user_id is not None and person.user_id == getattr(user, "pk", None):
        return list(records)  # one's own records, wherever one was taken in
    return [r for r in records if r.organization is None or scope.can_view(user, r.organization)]


def person_section(user, person) -> dict[str, Any] | None:
    """What the person's profile shows of their key staff records (None: none the user may see)."""
    records = key_staff_of(user, person)
    return {"records": records} if records else None
