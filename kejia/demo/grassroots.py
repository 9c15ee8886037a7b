"""Demo key staff: the demo people whose profile names a 三长 role, taken in by the township
association that lists them as a leader, and targets for the counties and townships that have
any (no random draws: the same people give the same records)."""

from django.db import transaction
from django.db.models import Count

from kejia.grassroots.categories import load_categories
from kejia.grassroots.models import Category, KeyStaff, Target
from kejia.organizations.kinds import GRASSROOTS_KINDS, OrgKind
from kejia.organizations.models import Organization
from kejia.people.choices import ListingRole, ThreeChiefs
from kejia.people.models import Listing

FROM_PROFILE = {ThreeChiefs.SCHOOL_PRINCIPAL: "education", ThreeChiefs.HOSPITAL_DIRECTOR: "health", ThreeChiefs.AGRI_STATION_HEAD: "agri_extension"}


def seed_grassroots(*, seed: int = 0, actor=None) -> dict[str, int]:
    """Seed once; return what was made, by name (empty when there are records already)."""
    if KeyStaff.objects.exists():
        return {}
    load_categories(Category)
    categories = {c.code: c for c in Category.objects.filter(code__in=FROM_PROFILE.values())}
    listings = (
        Listing.objects.filter(role=ListingRole.LEADER, organization__kind__in=GRASSROOTS_KINDS, person__three_chiefs__in=list(FROM_PROFILE))
        .values_list("person_id", "person__three_chiefs", "organization_id")
        .order_by("id")
    )
    seen: set[tuple[int, int]] = set()
    rows = []
    for person_id, role, org_id in listings:
        if (person_id, org_id) not in seen:
            seen.add((person_id, org_id))
            rows.append(KeyStaff(person_id=person_id, category=categories[FROM_PROFILE[role]], organization_id=org_id))
    with transaction.atomic():
        KeyStaff.objects.bulk_create(rows, batch_size=2000)
        towns = (
            Organization.objects.filter(kind=OrgKind.TOWNSHIP_ASSOCIATION, key_staff__isnull=False)
            .annotate(n=Count("key_staff"))
            .values_list("pk", "n", "parent_id")
        )
        targets = {}
        for pk, n, parent_id in towns:
            targets[pk] = n + (pk % 3) - 1  # some reached, some not
            if parent_id:
                targets[parent_id] = targets.get(parent_id, 0) + n + 1
        counted = set(
            Organization.objects.filter(pk__in=list(targets), kind__in=[OrgKind.COUNTY_ASSOCIATION, OrgKind.TOWNSHIP_ASSOCIATION]).values_list("pk", flat=True)
        )
        Target.objects.bulk_create([Target(organization_id=pk, target=max(t, 1), set_by=actor) for pk, t in targets.items() if pk in counted])
    return {"key staff records": len(rows), "targets": Target.objects.count()} if rows else {}
