"""Scoped reads of the talent database: staff see the people their organizations (and those
below) list; a S&T worker sees their own record."""

from django.db.models import Exists, OuterRef, QuerySet

from kejia.core.errors import NotFound
from kejia.organizations import scope
from kejia.people.choices import PersonStatus
from kejia.people.models import Listing, Person


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
