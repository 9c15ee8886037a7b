"""Writes to the talent database. Personal data is validated, sealed and masked here, and every
unmasked read is audited (PIPL)."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from kejia.core import pii
from kejia.core.audit import changed, record_event, snapshot
from kejia.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from kejia.core.validators import resident_id_birth_date, validate_phone, validate_resident_id, validate_uscc
from kejia.organizations import scope
from kejia.people.choices import Gender, ListingRole, PersonStatus
from kejia.people.models import Listing, Person

PROFILE_FIELDS = [
    "name", "gender", "birth_date", "email", "region", "employer_name", "employer_uscc", "sector", "is_frontline",
    "title", "title_level", "education", "expertise", "research_summary", "overseas_status", "three_chiefs", "programmes",
]
SENSITIVE_FIELDS = ["resident_id", "phone"]


def pinyin_of(name: str) -> str:
    return " ".join(lazy_pinyin(name)).lower()


def clean_profile(data: dict[str, Any]) -> dict[str, Any]:
    """Validate one profile's fields; returns normalized values or raises ValidationFailed
    naming every field at fault. Used by the forms, the API and the importer alike."""
    errors: dict[str, list[str]] = {}
    out = dict(data)
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [str(_("This field is required."))]
    elif len(name) > 64:
        errors["name"] = [str(_("A name has at most 64 characters."))]
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
            out["gender"] = data.get("gender") or implied_gender
    out["resident_id"] = number
    phone = str(data.get("phone") or "").strip()
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    out["phone"] = phone
    email = str(data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [str(_("Enter a valid e-mail address."))]
    out["email"] = email
    uscc = str(data.get("employer_uscc") or "").strip()
    if uscc:
        try:
            uscc = validate_uscc(uscc)
        except ValidationError as exc:
            errors["employer_uscc"] = exc.messages
    out["employer_uscc"] = uscc
    birth = out.get("birth_date")
    if isinstance(birth, datetime.date) and not (datetime.date(1900, 1, 1) <= birth <= timezone.localdate()):
        errors["birth_date"] = [str(_("The birth date is not plausible."))]
    if errors:
        raise ValidationFailed(errors)
    return out


def _apply(person: Person, data: dict[str, Any]) -> None:
    for key in PROFILE_FIELDS:
        if key in data:
            value = data[key]
            if value is None and key not in ("birth_date", "region"):
                continue
            setattr(person, key, value.strip() if isinstance(value, str) else value)
    person.name_pinyin = pinyin_of(person.name)
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


@transaction.atomic
def create_person(*, actor, organization, role: str = ListingRole.MEMBER, consent_source: str = "", disciplines: list | None = None,
                  **data: Any) -> Person:
    """A staff member adds a person to their organization's list."""
    if not scope.can_manage(actor, organization):
        raise NotFound() if not scope.can_view(actor, organization) else PermissionDenied()
    data = clean_profile(data)
    if data["resident_id"] and Person.objects.filter(id_hash=pii.blind_index(data["resident_id"]), status=PersonStatus.ACTIVE).exists():
        raise DomainError("duplicate_id", _("A person with this resident ID number is already in the database: add a listing instead."),
                          field="resident_id")
    person = Person()
    _apply(person, data)
    if consent_source:
        person.consent_at, person.consent_source = timezone.now(), consent_source
    person.save()
    if disciplines:
        person.disciplines.set(disciplines)
    Listing.objects.create(person=person, organization=organization, role=role)
    record_event(actor=actor, action="person.created", obj=person, organization=organization, new=_audit_view(person))
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
    if "resident_id" not in data:
        cleaned.pop("resident_id")
    if "phone" not in data:
        cleaned.pop("phone")
    before = _audit_view(person)
    _apply(person, cleaned)
    person.save()
    old, new = changed(before, _audit_view(person))
    if disciplines is not None:
        previous = sorted(person.disciplines.values_list("code", flat=True))
        person.disciplines.set(disciplines)
        now = sorted(person.disciplines.values_list("code", flat=True))
        if now != previous:
            old["disciplines"], new["disciplines"] = previous, now
    if new:
        listing = person.listings.select_related("organization").first()
        record_event(actor=actor, action="person.updated", obj=person, organization=listing.organization if listing else None,
                     old=old, new=new)
    return person


def reveal_person_identifiers(person: Person, *, actor, ip: str | None = None) -> dict[str, str]:
    """The unmasked resident ID and phone: needs the managing role and leaves an audit row."""
    listings = [lst for lst in person.listings.select_related("organization") if scope.can_manage(actor, lst.organization)]
    if not listings and person.user_id != actor.pk:
        raise PermissionDenied(_("Seeing unmasked personal data needs a staff role in an organization that lists this person."))
    record_event(actor=actor, action="person.pii_revealed", obj=person, organization=listings[0].organization if listings else None,
                 new={"fields": SENSITIVE_FIELDS}, ip=ip)
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
    person.name, person.name_pinyin = str(_("(deleted)")), ""
    if person.birth_date:
        person.birth_date = person.birth_date.replace(month=1, day=1)
    person.id_sealed = person.id_hash = person.id_masked = ""
    person.phone_sealed = person.phone_hash = person.phone_masked = ""
    person.email = person.employer_uscc = person.expertise = person.research_summary = ""
    person.programmes, person.user, person.status = [], None, PersonStatus.ANONYMIZED
    person.save()
    person.achievements.all().delete()
    record_event(actor=actor, action="person.anonymized", obj=person, new={"reason": reason})
    return person
