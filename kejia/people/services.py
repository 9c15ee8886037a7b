"""Writes to the talent database. Personal data is validated, sealed and masked here, and every
unmasked read is audited (PIPL)."""

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from kejia.accounts import scope
from kejia.core import pii
from kejia.core.audit import record_event, snapshot
from kejia.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from kejia.core.rows import max_length_of, update_row, validate_row
from kejia.core.sheets import Book
from kejia.core.text import has_invisible_marks
from kejia.core.validators import resident_id_birth_date, validate_phone, validate_resident_id, validate_uscc
from kejia.people.choices import AchievementKind, Gender, ListingRole, PersonStatus
from kejia.people.models import Achievement, Listing, Person
from kejia.people.names import block_key_of, name_pinyin
from kejia.people.signals import tell_changed

PROFILE_FIELDS = [
    "name",
    "gender",
    "birth_date",
    "email",
    "region",
    "employer_name",
    "employer_uscc",
    "sector",
    "is_frontline",
    "title",
    "title_level",
    "education",
    "expertise",
    "research_summary",
    "overseas_status",
    "three_chiefs",
    "programmes",
]
SENSITIVE_FIELDS = ["resident_id", "phone"]


def pinyin_of(name: str) -> str:
    return name_pinyin(name)  # one normalisation for storage and matching


# A plain address (ASCII dot-atom @ host names, a letters-only top-level domain): a strict subset of
# what Django's EmailValidator accepts (kejia/people/tests/test_validation.py checks it), taken
# without it; anything else goes through it. Most of a sheet's addresses are plain.
_PLAIN_EMAIL = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


def _validate_email(value: str) -> str:
    if len(value) <= 320 and _PLAIN_EMAIL.fullmatch(value):
        return value
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(_("Enter a valid e-mail address."), code="email") from None
    return value


def _checked(data: dict[str, Any], field: str, validator, errors: dict[str, list[str]]) -> str:
    """The field's normalized value when it is given and valid; its messages go to `errors`."""
    value = str(data.get(field) or "").strip()
    if not value:
        return ""
    try:
        return validator(value)
    except ValidationError as exc:
        errors[field] = exc.messages
        return value


EARLIEST_BIRTH = datetime.date(1900, 1, 1)


def clean_profile(data: dict[str, Any]) -> dict[str, Any]:
    """Validate one profile's fields; returns normalized values or raises ValidationFailed
    naming every field at fault. Used by the forms, the API and the importer alike."""
    errors: dict[str, list[str]] = {}
    out = dict(data)
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [str(_("This field is required."))]
    elif len(name) > (limit := max_length_of(Person, "name")):
        errors["name"] = [str(_("A name has at most %(n)d characters.") % {"n": limit})]
    elif has_invisible_marks(name):
        errors["name"] = [str(_("The name holds invisible characters (text direction or zero-width marks): type it again."))]
    out["name"] = name
    number = str(data.get("resident_id") or "").strip()
    if number:
        try:
            number = validate_resident_id(number)
        except ValidationError as exc:
            errors["resident_id"] = exc.messages
        else:
            implied = resident_id_birth_date(number)
            birth = data.get("birth_date")
            if isinstance(birth, datetime.date) and birth != implied:
                errors["birth_date"] = [str(_("The birth date does not agree with the one in the resident ID number (%(d)s).") % {"d": implied})]
            out["birth_date"] = birth or implied
            implied_gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
            if data.get("gender") in (Gender.MALE, Gender.FEMALE) and data["gender"] != implied_gender:
                errors["gender"] = [str(_("The gender does not agree with the resident ID number."))]
            out["gender"] = data["gender"] if data.get("gender") in (Gender.MALE, Gender.FEMALE) else implied_gender
    out["resident_id"] = number
    out["phone"] = _checked(data, "phone", validate_phone, errors)
    out["email"] = _checked(data, "email", _validate_email, errors)
    out["employer_uscc"] = _checked(data, "employer_uscc", validate_uscc, errors)
    birth = out.get("birth_date")
    # The local date costs a time-zone conversion; an import checks 100 000 rows, nearly all born
    # decades ago, so it is asked only for a birth date within a day or two of today.
    if isinstance(birth, datetime.date) and (
        birth < EARLIEST_BIRTH or (birth >= datetime.date.today() - datetime.timedelta(days=2) and birth > timezone.localdate())
    ):
        errors["birth_date"] = [str(_("The birth date is not plausible."))]
    if errors:
        raise ValidationFailed(errors)
    return out


def apply_profile(person: Person, data: dict[str, Any]) -> None:
    """Write a cleaned profile (`clean_profile`'s output) onto `person`: the fields sent, the
    pinyin and blocking key, the sealed, hashed and masked ID number and phone. The one way a
    person's fields are set, by the services and by the importer."""
    for key in PROFILE_FIELDS:
        if key in data:
            value = data[key]
            if value is None and key not in ("birth_date", "region"):
                continue
            setattr(person, key, value.strip() if isinstance(value, str) else value)
    person.name_pinyin = pinyin_of(person.name)
    person.block_key = block_key_of(person.name_pinyin, person.birth_date)
    if "resident_id" in data:
        number = data["resident_id"]
        person.id_sealed, person.id_hash = pii.encrypt(number), pii.blind_index(number)
        person.id_masked = pii.mask_resident_id(number) if number else ""
    if "phone" in data:
        phone = data["phone"]
        person.phone_sealed, person.phone_hash = pii.encrypt(phone), pii.blind_index(phone)
        person.phone_masked = pii.mask_phone(phone) if phone else ""


def _audit_view(person: Person) -> dict[str, Any]:
    data = snapshot(person, PROFILE_FIELDS)
    data["resident_id"], data["phone"] = person.id_masked, person.phone_masked
    return data


def can_edit_person(user, person: Person) -> bool:
    if person.user_id and person.user_id == user.pk:
        return True
    return any(scope.can_manage(user, listing.organization) for listing in person.listings.select_related("organization"))


def _refuse_duplicate_id(number: str, *, exclude_pk: int | None = None) -> None:
    """One active record per resident ID number (the model's constraint), said in words."""
    if number and Person.objects.filter(id_hash=pii.blind_index(number), status=PersonStatus.ACTIVE).exclude(pk=exclude_pk).exists():
        raise DomainError("duplicate_id", _("A person with this resident ID number is already in the database: add a listing instead."), field="resident_id")


@transaction.atomic
def set_willing_to_review(person: Person, *, actor, willing: bool) -> Person:
    """The person agrees to serve as an expert reviewer (or withdraws): the pool of kejia.review.
    The person themself, or the staff of an organization listing them recording the person's word."""
    if not can_edit_person(actor, person):
        raise NotFound()
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.willing_to_review != willing:
        before = person.willing_to_review
        person.willing_to_review = willing
        person.save(update_fields=["willing_to_review", "updated_at"])
        record_event(actor=actor, action="person.willing_to_review", obj=person, old={"willing_to_review": before}, new={"willing_to_review": willing})
    return person


@transaction.atomic
def create_person(*, actor, organization, role: str = ListingRole.MEMBER, consent_source: str = "", disciplines: list | None = None, **data: Any) -> Person:
    """A staff member adds a person to their organization's list."""
    if not scope.can_manage(actor, organization):
        raise NotFound() if not scope.can_view(actor, organization) else PermissionDenied()
    data = clean_profile(data)
    _refuse_duplicate_id(data["resident_id"])
    person = Person()
    apply_profile(person, data)
    if consent_source:
        person.consent_at, person.consent_source = timezone.now(), consent_source
    validate_row(person)  # the model's own rules (lengths, choices, constraints), as on an update
    person.save()
    if disciplines:
        person.disciplines.set(disciplines)
    Listing.objects.create(person=person, organization=organization, role=role)
    record_event(actor=actor, action="person.created", obj=person, organization=organization, new=_audit_view(person))
    tell_changed(person)
    return person


@transaction.atomic
def update_person(person: Person, *, actor, disciplines: list | None = None, **data: Any) -> Person:
    if not can_edit_person(actor, person):
        raise NotFound()
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.status != PersonStatus.ACTIVE:
        raise DomainError("not_active", _("This record is no longer active."))
    merged = {**snapshot(person, PROFILE_FIELDS), **data}
    if "resident_id" not in data and person.id_sealed:
        merged["resident_id"] = pii.decrypt(person.id_sealed)
    cleaned = clean_profile(merged)
    # Only what was sent (and what a new ID number implies) is written: the rest stays as it is —
    # the snapshot holds foreign keys as ids, which must not be written back.
    implied = ("birth_date", "gender") if "resident_id" in data else ()
    cleaned = {key: value for key, value in cleaned.items() if key in data or key in implied}
    if "resident_id" in data:
        _refuse_duplicate_id(cleaned["resident_id"], exclude_pk=person.pk)
    # Only the values this change alters are judged by the model's rules: a value stored long ago
    # and not sent is left as it is.
    old, new = update_row(person, cleaned, audit_view=_audit_view, write=apply_profile, only_changed=True)
    if disciplines is not None:
        previous = sorted(person.disciplines.values_list("code", flat=True))
        person.disciplines.set(disciplines)
        now = sorted(person.disciplines.values_list("code", flat=True))
        if now != previous:
            old["disciplines"], new["disciplines"] = previous, now
    if new:
        listing = person.listings.select_related("organization").first()
        record_event(actor=actor, action="person.updated", obj=person, organization=listing.organization if listing else None, old=old, new=new)
        tell_changed(person)
    return person


def reveal_person_identifiers(person: Person, *, actor, ip: str | None = None) -> dict[str, str]:
    """The unmasked resident ID and phone: needs the managing role and leaves an audit row."""
    listings = [lst for lst in person.listings.select_related("organization") if scope.can_manage(actor, lst.organization)]
    if not listings and person.user_id != actor.pk:
        raise PermissionDenied(_("Seeing unmasked personal data needs a staff role in an organization that lists this person."))
    record_event(
        actor=actor,
        action="person.pii_revealed",
        obj=person,
        organization=listings[0].organization if listings else None,
        new={"fields": SENSITIVE_FIELDS},
        ip=ip,
    )
    return {"resident_id": pii.decrypt(person.id_sealed), "phone": pii.decrypt(person.phone_sealed)}


@transaction.atomic
def anonymize_person(person: Person, *, actor, reason: str) -> Person:
    """A deletion request (PIPL): personal data is erased; statistics (sector, title level,
    birth year, gender, region, listings) are kept."""
    if not can_edit_person(actor, person):
        raise NotFound()
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.status == PersonStatus.ANONYMIZED:
        return person
    person.name, person.name_pinyin, person.block_key = str(_("(deleted)")), "", ""
    if person.birth_date:
        person.birth_date = person.birth_date.replace(month=1, day=1)
    person.id_sealed = person.id_hash = person.id_masked = ""
    person.phone_sealed = person.phone_hash = person.phone_masked = ""
    person.email = person.employer_uscc = person.expertise = person.research_summary = ""
    person.programmes, person.user, person.status = [], None, PersonStatus.ANONYMIZED
    person.save()
    person.achievements.all().delete()
    record_event(actor=actor, action="person.anonymized", obj=person, new={"reason": reason})
    tell_changed(person)
    return person


# ---- Listings, achievements, consent ---------------------------------------------------------


def _org_of(person: Person, actor):
    """The organization an event about `person` is filed under: one the actor manages, else any."""
    listings = list(person.listings.select_related("organization"))
    for listing in listings:
        if scope.can_manage(actor, listing.organization):
            return listing.organization
    return listings[0].organization if listings else None


def _require_editor(person: Person, actor) -> None:
    if not can_edit_person(actor, person):
        raise PermissionDenied(_("Only staff of an organization that lists this person, or the person themselves, can change this."))
    if person.status != PersonStatus.ACTIVE:
        raise DomainError("not_active", _("This record is no longer active."))


@transaction.atomic
def add_listing(person: Person, *, actor, organization, role: str = ListingRole.MEMBER, note: str = "") -> Listing:
    """An organization in the actor's managed scope lists a person it can already see."""
    if not scope.can_manage(actor, organization):
        raise PermissionDenied(_("You can only list people in an organization you manage."))
    if person.status != PersonStatus.ACTIVE:
        raise DomainError("not_active", _("This record is no longer active."))
    if role not in ListingRole.values:
        raise ValidationFailed({"role": [str(_("Choose a valid role."))]})
    if Listing.objects.filter(person=person, organization=organization, role=role).exists():
        raise DomainError("duplicate_listing", _("This organization already lists this person in this role."), field="organization")
    listing = Listing.objects.create(person=person, organization=organization, role=role, note=note.strip()[:128])
    record_event(actor=actor, action="person.listed", obj=person, organization=organization, new={"organization": organization.pk, "role": role})
    tell_changed(person)
    return listing


@transaction.atomic
def list_known_person(*, actor, organization, resident_id: str, role: str = ListingRole.MEMBER) -> Person:
    """Staff who hold a person's full resident ID number list the record already in the database
    (create_person refuses a second record). Knowing the number is the proof; nothing is shown
    of a record that does not match."""
    try:
        number = validate_resident_id(resident_id)
    except ValidationError as exc:
        raise ValidationFailed({"resident_id": exc.messages}) from None
    person = Person.objects.filter(id_hash=pii.blind_index(number), status=PersonStatus.ACTIVE).first()
    if person is None:
        raise DomainError("no_match", _("No person with this resident ID number is in the database."), field="resident_id")
    if not Listing.objects.filter(person=person, organization=organization, role=role).exists():
        add_listing(person, actor=actor, organization=organization, role=role)
    return person


@transaction.atomic
def remove_listing(listing: Listing, *, actor) -> None:
    if not scope.can_manage(actor, listing.organization):
        raise PermissionDenied(_("You can only change the lists of an organization you manage."))
    person = listing.person
    if person.listings.count() <= 1:
        raise DomainError("last_listing", _("This is the only organization that lists this person; record a deletion request instead."))
    record_event(
        actor=actor,
        action="person.unlisted",
        obj=person,
        organization=listing.organization,
        old={"organization": listing.organization_id, "role": listing.role},
    )
    listing.delete()
    tell_changed(person)


@transaction.atomic
def add_achievement(person: Person, *, actor, kind: str, title: str, year: int | None = None, detail: str = "") -> Achievement:
    _require_editor(person, actor)
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [str(_("This field is required."))]
    elif len(title) > 255:
        errors["title"] = [str(_("A title has at most 255 characters."))]
    if kind not in AchievementKind.values:
        errors["kind"] = [str(_("Choose a valid kind."))]
    if year is not None and not (1900 <= year <= timezone.localdate().year + 1):
        errors["year"] = [str(_("The year is not plausible."))]
    if errors:
        raise ValidationFailed(errors)
    item = Achievement.objects.create(person=person, kind=kind, title=title, year=year, detail=(detail or "").strip())
    record_event(
        actor=actor,
        action="person.achievement_added",
        obj=person,
        organization=_org_of(person, actor),
        new={"achievement": item.pk, "kind": kind, "title": title, "year": year},
    )
    tell_changed(person)
    return item


@transaction.atomic
def remove_achievement(item: Achievement, *, actor) -> None:
    person = item.person
    _require_editor(person, actor)
    record_event(
        actor=actor,
        action="person.achievement_removed",
        obj=person,
        organization=_org_of(person, actor),
        old={"achievement": item.pk, "kind": item.kind, "title": item.title, "year": item.year},
    )
    item.delete()
    tell_changed(person)


@transaction.atomic
def record_consent(person: Person, *, actor, source: str) -> Person:
    """Consent to the processing of personal data (PIPL), with where it was given."""
    _require_editor(person, actor)
    source = (source or "").strip()
    if not source:
        raise ValidationFailed({"source": [str(_("Say how consent was given (a signed form, online, …)."))]})
    old = {"consent_at": person.consent_at, "consent_source": person.consent_source}
    person.consent_at, person.consent_source = timezone.now(), source[:64]
    person.save(update_fields=["consent_at", "consent_source", "updated_at"])
    record_event(
        actor=actor,
        action="person.consent_recorded",
        obj=person,
        organization=_org_of(person, actor),
        old=old,
        new={"consent_at": person.consent_at, "consent_source": person.consent_source},
    )
    return person


# A S&T worker linking their account to their record: kejia/people/linking.py.


# ---- Export ----------------------------------------------------------------------------------

EXPORT_LIMIT = 100_000
EXPORT_PROGRESS_EVERY = 500


def check_export(actor, *, unmasked: bool) -> None:
    """An unmasked export needs a staff role (one that manages an organization); any export is
    otherwise of the people the actor may see."""
    if unmasked and not scope.role_paths(actor, scope.MANAGE_KINDS) and not scope.is_unrestricted(actor):
        raise PermissionDenied(_("An unmasked export needs a staff role."))


def export_people(
    people, *, actor, unmasked: bool = False, organization=None, ip: str | None = None, progress: Callable[[int, int], None] | None = None
) -> bytes:
    """An XLSX of `people` (already scoped by a selector). Masked by default; unmasked only for
    staff who manage an organization listing every exported person, and audited either way.
    `progress(done, total)` is told every EXPORT_PROGRESS_EVERY rows (a background export)."""
    from kejia.people.selectors import managed_people

    check_export(actor, unmasked=unmasked)
    rows = people.select_related("region").prefetch_related("disciplines")
    if unmasked:
        rows = rows.filter(pk__in=managed_people(actor).values("pk"))
    rows = list(rows[:EXPORT_LIMIT])
    book = Book()  # every cell through kejia.core.sheets.cell: no formula, no character XML cannot hold
    sheet = book.sheet(_("S&T workers"))
    header = [
        pgettext("person", "name"),
        _("gender"),
        _("birth date"),
        _("resident ID number"),
        _("phone"),
        _("e-mail"),
        _("region"),
        _("employer"),
        _("sector"),
        _("front-line (基层一线)"),
        _("professional title"),
        _("title level"),
        _("education"),
        _("disciplines"),
        _("expertise keywords"),
        _("overseas / HK-Macao-Taiwan"),
        _("三长 role"),
    ]
    sheet.append([str(h) for h in header])
    for done, p in enumerate(rows, 1):
        ident = pii.decrypt(p.id_sealed) if unmasked else p.id_masked
        phone = pii.decrypt(p.phone_sealed) if unmasked else p.phone_masked
        sheet.append(
            [
                p.name,
                str(p.get_gender_display()),
                p.birth_date.isoformat() if p.birth_date else "",
                ident,
                phone,
                p.email,
                p.region.full_name if p.region else "",
                p.employer_name,
                str(p.get_sector_display()),
                str(_("yes")) if p.is_frontline else str(_("no")),
                p.title,
                str(p.get_title_level_display()),
                str(p.get_education_display()) if p.education else "",
                " ".join(d.code for d in p.disciplines.all()),
                p.expertise,
                str(p.get_overseas_status_display()),
                str(p.get_three_chiefs_display()),
            ]
        )
        if progress is not None and done % EXPORT_PROGRESS_EVERY == 0:
            progress(done, len(rows))
    if progress is not None:
        progress(len(rows), len(rows))
    target = organization
    if target is None:
        from kejia.organizations.models import Organization

        paths = scope.role_paths(actor, scope.MANAGE_KINDS) or scope.role_paths(actor)
        target = Organization.objects.filter(path__in=paths[:1]).first() if paths else None
    record_event(
        actor=actor,
        action="person.exported_unmasked" if unmasked else "person.exported",
        obj=target or actor,
        organization=target,
        new={"rows": len(rows), "unmasked": unmasked},
        ip=ip,
    )
    return book.save()
