"""Scoped reads of the talent database: staff see the people their organizations (and those
below) list; a S&T worker sees their own record."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from kejia.accounts import scope
from kejia.core.errors import NotFound
from kejia.core.models import AuditEvent
from kejia.people.choices import PersonStatus
from kejia.people.models import Achievement, Listing, Person


def visible_people(user) -> QuerySet[Person]:
    qs = Person.objects.filter(status=PersonStatus.ACTIVE)
    if scope.is_unrestricted(user):
        return qs
    listed = scope.restrict(Listing.objects.filter(person=OuterRef("pk")), user, "organization__path")
    return qs.filter(Exists(listed))


def get_person_for(user, pk) -> Person:
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise NotFound()
    if person.user_id and person.user_id == getattr(user, "pk", None):
        return person
    if not visible_people(user).filter(pk=pk).exists():
        raise NotFound()
    return person


def managed_people(user) -> QuerySet[Person]:
    """People listed by an organization the user manages (staff or admin role)."""
    qs = Person.objects.filter(status=PersonStatus.ACTIVE)
    if scope.is_unrestricted(user):
        return qs
    listed = scope.restrict(Listing.objects.filter(person=OuterRef("pk")), user, "organization__path", scope.MANAGE_KINDS)
    return qs.filter(Exists(listed))


def search_people(
    user, *, text: str = "", sector: str = "", title_level: str = "", frontline: bool | None = None, organization=None, discipline: str = ""
) -> QuerySet[Person]:
    """The list page's filters over `visible_people`. `organization` must come from a scoped
    selector; its subtree's listings count."""
    qs = visible_people(user)
    text = (text or "").strip()
    if text:
        folded = text.lower()
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(name_pinyin__icontains=folded)
            | Q(name_pinyin__icontains=" ".join(folded.split()))
            | Q(name_pinyin__startswith=folded.replace(" ", ""))
            | Q(employer_name__icontains=text)
        )
    if sector:
        qs = qs.filter(sector=sector)
    if title_level:
        qs = qs.filter(title_level=title_level)
    if frontline is not None:
        qs = qs.filter(is_frontline=frontline)
    if discipline:
        qs = qs.filter(disciplines__code__startswith=discipline).distinct()
    if organization is not None:
        qs = qs.filter(Exists(Listing.objects.filter(person=OuterRef("pk"), organization__path__descends=organization.path)))
    return qs.select_related("region").order_by("name", "id")


def person_listings(user, person: Person) -> tuple[list[Listing], int]:
    """The listings a viewer may see (their scope; all of them for the person themselves) and how
    many others there are, so a sibling organization's name does not leak."""
    listings = list(person.listings.select_related("organization").order_by("organization__path", "role"))
    if scope.is_unrestricted(user) or (person.user_id and person.user_id == getattr(user, "pk", None)):
        return listings, 0
    shown = [lst for lst in listings if scope.can_view(user, lst.organization)]
    return shown, len(listings) - len(shown)


def get_listing_for(user, person: Person, pk) -> Listing:
    listing = person.listings.select_related("organization").filter(pk=pk).first()
    if listing is None or not scope.can_view(user, listing.organization):
        raise NotFound()
    return listing


def get_achievement_for(person: Person, pk) -> Achievement:
    """An achievement of a person the caller already reached through `get_person_for`."""
    item = person.achievements.filter(pk=pk).first()
    if item is None:
        raise NotFound()
    return item


def person_history(person: Person, *, limit: int = 100) -> QuerySet[AuditEvent]:
    """The audit events about one person (shown to those who may edit the person)."""
    return (
        AuditEvent.objects.filter(object_type=Person._meta.label_lower, object_id=str(person.pk)).select_related("actor").order_by("-created_at", "-id")[:limit]
    )


def my_person(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user, status=PersonStatus.ACTIVE).first()
