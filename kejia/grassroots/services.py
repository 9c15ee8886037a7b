"""Every change to grassroots key staff: one function per verb, one transaction each, an audit
event inside it."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from kejia.grassroots.models import Category, KeyStaff, Target
from kejia.organizations.kinds import GRASSROOTS_KINDS, OrgKind, OrgStatus
from kejia.people.choices import ThreeChiefs
from kejia.people.selectors import get_person_for

# Associations whose key staff are counted against a target (the counts of 002 §(7)(11)).
TARGET_KINDS = frozenset({OrgKind.COUNTY_ASSOCIATION, OrgKind.TOWNSHIP_ASSOCIATION})


def _require_platform(actor) -> None:
    if not scope.is_unrestricted(actor):
        raise PermissionDenied(_("Only a platform administrator edits the key staff categories."))


@transaction.atomic
def save_category(*, actor, code: str, name: str, is_chief: bool = False, source: str = "", sort: int = 0, is_active: bool = True) -> Category:
    """Create the category `code`, or change it when it exists (categories are never deleted: retire one instead)."""
    _require_platform(actor)
    code, name = (code or "").strip(), (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not code or len(code) > 32 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in code):
        errors["code"] = [str(_("Use up to 32 letters, digits, hyphens or underscores."))]
    if not name or len(name) > 128:
        errors["name"] = [str(_("Give a name of at most 128 characters."))]
    if len(source) > 255:
        errors["source"] = [str(_("At most %(n)d characters.") % {"n": 255})]
    if errors:
        raise ValidationFailed(errors)
    category = Category.objects.select_for_update().filter(code=code).first()
    old = None
    if category is None:
        category = Category(code=code)
    else:
        old = {"name": category.name, "is_chief": category.is_chief, "source": category.source, "sort": category.sort, "is_active": category.is_active}
    category.name, category.is_chief, category.source, category.sort, category.is_active = name, is_chief, source, sort, is_active
    category.save()
    new = {"name": name, "is_chief": is_chief, "source": source, "sort": sort, "is_active": is_active}
    record_event(actor=actor, action="key_staff_category.created" if old is None else "key_staff_category.updated", obj=category, old=old or {}, new=new)
    return category


@transaction.atomic
def record_key_staff(person, *, actor, category: Category, organization=None, joined_on: datetime.date | None = None, note: str = "") -> KeyStaff:
    """Record that `person` is key staff of `category`, taken in by the grassroots body `organization` (or by none yet)."""
    person = get_person_for(actor, person.pk)  # outside the actor's scope: not found
    if organization is not None:
        if not scope.can_manage(actor, organization):
            raise NotFound() if not scope.can_view(actor, organization) else PermissionDenied()
        if organization.kind not in GRASSROOTS_KINDS or organization.status != OrgStatus.ACTIVE:
            raise DomainError(
                "not_grassroots",
                _(
                    "Choose an active grassroots body: a township or community association, a rural "
                    "technical association, a science and technology courtyard and the like."
                ),
                field="organization",
            )
    elif not scope.has_any_role(actor):
        raise PermissionDenied()
    if not category.is_active:
        raise DomainError("category_retired", _("This category is no longer in use."), field="category")
    if joined_on and joined_on > timezone.localdate():
        raise DomainError("future_date", _("The date cannot be in the future."), field="joined_on")
    if len(note) > 128:
        raise DomainError("too_long", _("At most %(n)d characters.") % {"n": 128}, field="note")
    if KeyStaff.objects.filter(person=person, category=category, organization=organization, ended_on__isnull=True).exists():
        raise DomainError("duplicate", _("This person is already recorded in this category here."), field="category")
    record = KeyStaff.objects.create(person=person, category=category, organization=organization, joined_on=joined_on, note=note.strip())
    record_event(
        actor=actor,
        action="key_staff.recorded",
        obj=record,
        organization=organization,
        new={"person": person.pk, "category": category.code, "organization": getattr(organization, "pk", None)},
    )
    return record


@transaction.atomic
def end_key_staff(record: KeyStaff, *, actor, ended_on: datetime.date | None = None) -> KeyStaff:
    record = KeyStaff.objects.select_for_update().get(pk=record.pk)  # no join: FOR UPDATE refuses the nullable side of one
    if record.organization is not None and not scope.can_manage(actor, record.organization):
        raise NotFound() if not scope.can_view(actor, record.organization) else PermissionDenied()
    if record.organization is None:
        get_person_for(actor, record.person_id)
    if record.ended_on is not None:
        raise DomainError("already_ended", _("This record has already ended."))
    ended_on = ended_on or timezone.localdate()
    if ended_on > timezone.localdate():
        raise DomainError("future_date", _("The date cannot be in the future."), field="ended_on")
    if record.joined_on and ended_on < record.joined_on:
        raise DomainError("ends_before_start", _("A record ends on or after the day the person was taken in."), field="ended_on")
    record.ended_on = ended_on
    record.save(update_fields=["ended_on", "updated_at"])
    record_event(actor=actor, action="key_staff.ended", obj=record, organization=record.organization, new={"ended_on": str(record.ended_on)})
    return record


@transaction.atomic
def set_key_staff_target(organization, *, actor, target: int) -> Target:
    """The number of key staff a county or township association should have taken in (its subtree counted)."""
    if not scope.can_administer(actor, organization):
        raise (
            NotFound()
            if not scope.can_view(actor, organization)
            else PermissionDenied(_("An administrator of this association or of one above it sets its target."))
        )
    if organization.kind not in TARGET_KINDS:
        raise DomainError("not_county_or_township", _("Targets are set for county and township associations."), field="organization")
    if not isinstance(target, int) or isinstance(target, bool) or not 0 <= target <= 1_000_000:
        raise DomainError("out_of_range", _("Give a whole number from 0 to 1 000 000."), field="target")
    row = Target.objects.select_for_update().filter(organization=organization).first()
    old = row.target if row else None
    if row is None:
        row = Target(organization=organization, target=target, set_by=actor)
    row.target, row.set_by = target, actor
    row.save()
    record_event(actor=actor, action="key_staff_target.set", obj=row, organization=organization, old={"target": old}, new={"target": target})
    return row


# The single-choice 三长 field of a profile (people.ThreeChiefs, filled by talent imports) → the
# category it names. "None" names none.
THREE_CHIEFS_CATEGORY = {ThreeChiefs.SCHOOL_PRINCIPAL: "education", ThreeChiefs.HOSPITAL_DIRECTOR: "health", ThreeChiefs.AGRI_STATION_HEAD: "agri_extension"}


def takes_in_key_staff(organization) -> bool:
    """Whether key staff recorded by this organization are taken in by it (a grassroots body), and so counted."""
    return organization is not None and organization.kind in GRASSROOTS_KINDS and organization.status == OrgStatus.ACTIVE


@transaction.atomic
def record_imported_key_staff(*, actor, organization, roles: dict[int, str]) -> int:
    """Key staff records for the people an import wrote, from their 三长 column: `roles` maps a
    person's id to a ThreeChiefs value. Each record is taken in by the importing organization when
    it is a grassroots body (so it counts toward its county and township), by none otherwise. A
    person already recorded in that category (current) is left as is. The import checked scope and
    wrote the people; one audit event for the batch. Returns how many records were made."""
    values = set(roles.values())
    codes = {code for value, code in THREE_CHIEFS_CATEGORY.items() if value in values}
    categories = {c.code: c for c in Category.objects.filter(code__in=codes, is_active=True)}
    wanted = {(pk, categories[THREE_CHIEFS_CATEGORY[value]].pk) for pk, value in roles.items() if THREE_CHIEFS_CATEGORY.get(value) in categories}
    if not wanted:
        return 0
    body = organization if takes_in_key_staff(organization) else None
    have = set(
        KeyStaff.objects.filter(person_id__in={pk for pk, _c in wanted}, category_id__in={c for _p, c in wanted}, ended_on__isnull=True).values_list(
            "person_id", "category_id"
        )
    )
    new = [KeyStaff(person_id=pk, category_id=category, organization=body, joined_on=None, note="") for pk, category in sorted(wanted - have)]
    KeyStaff.objects.bulk_create(new, batch_size=1000)
    if new:
        record_event(
            actor=actor,
            action="key_staff.imported",
            obj=organization,
            organization=organization,
            new={"records": len(new), "taken_in_by": getattr(body, "pk", None)},
        )
    return len(new)
