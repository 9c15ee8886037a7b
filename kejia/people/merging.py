"""Merging duplicate records, undoing a merge, and the review queue's decisions.

A merge keeps the survivor and marks the duplicate `merged` (never deletes it): the duplicate's
listings, achievements, disciplines and user account move to the survivor, and the survivor's
empty fields are filled from the duplicate. A MergeRecord keeps everything needed to put both
records back exactly as they were (`unmerge`). Each service runs in one transaction and writes
its audit event inside it; no plaintext identifier is written to the audit log."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, NotFound
from kejia.people.choices import Gender, OverseasStatus, PersonStatus, ThreeChiefs, TitleLevel
from kejia.people.models import Achievement, CandidateStatus, Listing, MatchCandidate, MergeRecord, Person
from kejia.people.resolution import Match, block_key_of, json_score, score_people
from kejia.people.signals import tell_changed
from kejia.reference.choices import Sector

# Fields filled on the survivor when empty there; groups move together (a sealed value, its hash
# and its mask are one datum).
FILL_GROUPS: list[tuple[str, ...]] = [
    ("id_sealed", "id_hash", "id_masked"),
    ("phone_sealed", "phone_hash", "phone_masked"),
    ("consent_at", "consent_source"),
    ("gender",),
    ("birth_date",),
    ("email",),
    ("region",),
    ("employer_name",),
    ("employer_uscc",),
    ("sector",),
    ("title",),
    ("title_level",),
    ("education",),
    ("expertise",),
    ("research_summary",),
    ("overseas_status",),
    ("three_chiefs",),
    ("programmes",),
    ("name_pinyin",),
    ("is_frontline",),
]
# A value that means "not given" for fields whose default is not empty.
EMPTY_VALUES: dict[str, Any] = {
    "gender": Gender.UNKNOWN,
    "sector": Sector.OTHER,
    "title_level": TitleLevel.NONE,
    "overseas_status": OverseasStatus.NONE,
    "three_chiefs": ThreeChiefs.NONE,
    "is_frontline": False,
}
# Every column of a person restored by `unmerge` (the primary key and created_at never change).
PERSON_COLUMNS = [f.attname for f in Person._meta.concrete_fields if f.attname not in ("id", "created_at")]
_DATE_COLUMNS = {"birth_date"}
_DATETIME_COLUMNS = {"consent_at", "updated_at"}


def _is_empty(name: str, value: Any) -> bool:
    if name in EMPTY_VALUES:
        return value == EMPTY_VALUES[name]
    return value in (None, "", [], {})


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _from_json(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _DATETIME_COLUMNS:
        return parse_datetime(value)
    if name in _DATE_COLUMNS:
        return parse_date(value)
    return value


def person_state(person: Person) -> dict[str, Any]:
    """The columns of a person, JSON-ready: what a MergeRecord keeps and a test compares."""
    return {name: _to_json(getattr(person, name)) for name in PERSON_COLUMNS}


# ---- Permission ------------------------------------------------------------------------------


def managing_organization(user, *people: Person):
    """The first organization listing one of `people` that `user` manages, or None."""
    for listing in Listing.objects.filter(person__in=people).select_related("organization").order_by("organization__path"):
        if scope.can_manage(user, listing.organization):
            return listing.organization
    return None


def can_decide(user, *people: Person) -> bool:
    return scope.is_unrestricted(user) or managing_organization(user, *people) is not None


def _check(actor, *people: Person):
    """Staff of an organization listing either person decide; `actor=None` is the system
    (resolve_people, the importer) and needs no role. Outside scope: NotFound."""
    if actor is None:
        return managing_organization_any(*people)
    org = managing_organization(actor, *people)
    if org is None and not scope.is_unrestricted(actor):
        raise NotFound()
    return org or managing_organization_any(*people)


def managing_organization_any(*people: Person):
    listing = Listing.objects.filter(person__in=people).select_related("organization").order_by("organization__path").first()
    return listing.organization if listing else None


# ---- The review queue --------------------------------------------------------------------------


def _pair(x: Person, y: Person) -> tuple[Person, Person]:
    return (x, y) if x.pk < y.pk else (y, x)


def queue_review(existing_person: Person, new_person: Person, match: Match | None = None) -> MatchCandidate | None:
    """Put an uncertain pair in the review queue (the importer calls this for "review").
    A pair already decided stays decided; an open one gets the newer score."""
    if existing_person.pk == new_person.pk:
        return None
    a, b = _pair(existing_person, new_person)
    score, details = score_people(a, b)
    if match is not None and match.details:
        details = match.details
    with transaction.atomic():
        candidate, created = MatchCandidate.objects.get_or_create(person_a=a, person_b=b, defaults={"score": json_score(score), "details": details})
        if not created and candidate.status == CandidateStatus.OPEN:
            candidate.score, candidate.details = json_score(score), details
            candidate.save(update_fields=["score", "details", "updated_at"])
        if created:
            record_event(
                actor=None,
                action="person.match_queued",
                obj=candidate,
                organization=managing_organization_any(a, b),
                new={"person_a": a.pk, "person_b": b.pk, "score": candidate.score},
            )
    return candidate


@transaction.atomic
def keep_apart(candidate: MatchCandidate, *, actor) -> MatchCandidate:
    candidate = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    org = _check(actor, candidate.person_a, candidate.person_b)
    if candidate.status != CandidateStatus.OPEN:
        raise DomainError("already_decided", _("This pair has already been decided."))
    candidate.status, candidate.decided_by, candidate.decided_at = CandidateStatus.KEPT_APART, actor, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    record_event(
        actor=actor, action="person.kept_apart", obj=candidate, organization=org, new={"person_a": candidate.person_a_id, "person_b": candidate.person_b_id}
    )
    return candidate


def kept_apart(a_pk: int, b_pk: int) -> bool:
    low, high = sorted((a_pk, b_pk))
    return MatchCandidate.objects.filter(person_a_id=low, person_b_id=high, status=CandidateStatus.KEPT_APART).exists()


@transaction.atomic
def merge_candidate(candidate: MatchCandidate, *, actor, survivor: Person | None = None) -> MergeRecord:
    """Staff decide an open pair is one person: the older record survives unless told."""
    candidate = MatchCandidate.objects.select_for_update().select_related("person_a", "person_b").get(pk=candidate.pk)
    if candidate.status != CandidateStatus.OPEN:
        raise DomainError("already_decided", _("This pair has already been decided."))
    if survivor is not None and survivor.pk not in (candidate.person_a_id, candidate.person_b_id):
        raise DomainError("invalid_survivor", _("The record to keep must be one of the pair."), field="survivor_id")
    keep = candidate.person_b if survivor is not None and survivor.pk == candidate.person_b_id else candidate.person_a
    other = candidate.person_a if keep.pk == candidate.person_b_id else candidate.person_b
    return merge_people(keep, other, actor=actor, candidate=candidate)


# ---- Merge and unmerge ---------------------------------------------------------------------------


@transaction.atomic
def merge_people(survivor: Person, duplicate: Person, *, actor, candidate: MatchCandidate | None = None, score: float | None = None) -> MergeRecord:
    if survivor.pk == duplicate.pk:
        raise DomainError("same_record", _("A record cannot be merged into itself."))
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])}
    if len(locked) != 2:
        raise NotFound()
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    org = _check(actor, survivor, duplicate)
    if survivor.status != PersonStatus.ACTIVE or duplicate.status != PersonStatus.ACTIVE:
        raise DomainError("not_active", _("Only active records can be merged."))
    if survivor.id_hash and duplicate.id_hash and survivor.id_hash != duplicate.id_hash:
        raise DomainError("conflicting_ids", _("The two records have different resident ID numbers: they are two people."))
    if score is None:
        score = json_score(score_people(survivor, duplicate)[0])

    record = MergeRecord(
        survivor=survivor,
        duplicate=duplicate,
        candidate=candidate,
        actor=actor if getattr(actor, "pk", None) else None,
        score=score,
        duplicate_snapshot=person_state(duplicate),
        survivor_updated_at=survivor.updated_at,
    )

    # The duplicate leaves the active set first: the unique index on active resident-ID hashes
    # would refuse the survivor taking the duplicate's hash while both are active.
    user = duplicate.user
    Person.objects.filter(pk=duplicate.pk).update(status=PersonStatus.MERGED, merged_into=survivor, user=None, updated_at=timezone.now())

    filled: dict[str, Any] = {}
    for group in FILL_GROUPS:
        if all(_is_empty(name, getattr(survivor, name)) for name in group) and not all(_is_empty(name, getattr(duplicate, name)) for name in group):
            for name in group:
                attname = Person._meta.get_field(name).attname
                filled[attname] = _to_json(getattr(survivor, attname))
                setattr(survivor, attname, getattr(duplicate, attname))
    survivor.block_key = block_key_of(survivor.name_pinyin, survivor.birth_date)  # follows a filled birth date / pinyin
    if user is not None and survivor.user_id is None:
        survivor.user = user
        record.moved_user = user
    record.survivor_filled = filled
    if filled or record.moved_user is not None:
        survivor.save()

    for listing in Listing.objects.filter(person=duplicate).order_by("pk"):
        if Listing.objects.filter(person=survivor, organization_id=listing.organization_id, role=listing.role).exists():
            record.dropped_listings.append(
                {
                    "id": listing.pk,
                    "organization_id": listing.organization_id,
                    "role": listing.role,
                    "note": listing.note,
                    "created_at": _to_json(listing.created_at),
                    "updated_at": _to_json(listing.updated_at),
                }
            )
            listing.delete()
        else:
            record.moved_listings.append(listing.pk)
    Listing.objects.filter(pk__in=record.moved_listings).update(person=survivor)
    record.moved_achievements = list(Achievement.objects.filter(person=duplicate).order_by("pk").values_list("pk", flat=True))
    Achievement.objects.filter(pk__in=record.moved_achievements).update(person=survivor)
    record.duplicate_disciplines = sorted(duplicate.disciplines.values_list("pk", flat=True))
    have = set(survivor.disciplines.values_list("pk", flat=True))
    record.added_disciplines = [pk for pk in record.duplicate_disciplines if pk not in have]
    survivor.disciplines.add(*record.added_disciplines)
    duplicate.disciplines.clear()
    record.repointed = list(Person.objects.filter(merged_into=duplicate).order_by("pk").values_list("pk", flat=True))
    Person.objects.filter(pk__in=record.repointed).update(merged_into=survivor)
    record.save()

    if candidate is not None:
        candidate.status, candidate.decided_by, candidate.decided_at = CandidateStatus.MERGED, record.actor, timezone.now()
        candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    record_event(
        actor=actor,
        action="person.merged",
        obj=survivor,
        organization=org,
        new={
            "duplicate": duplicate.pk,
            "merge_record": record.pk,
            "score": score,
            "filled": sorted(filled),
            "listings": len(record.moved_listings),
            "achievements": len(record.moved_achievements),
        },
    )
    tell_changed(survivor, duplicate)  # the merged record leaves the index, the survivor gains its data
    return record


@transaction.atomic
def unmerge(merge_record: MergeRecord, *, actor) -> Person:
    """Put both records back as they were before the merge. A survivor field filled by the merge
    is restored only if nobody changed it since (a later edit is kept). Returns the duplicate,
    active again. The pair is then kept apart: automatic resolution will not merge it again."""
    record = MergeRecord.objects.select_for_update().get(pk=merge_record.pk)
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[record.survivor_id, record.duplicate_id])}
    survivor, duplicate = locked[record.survivor_id], locked[record.duplicate_id]
    org = _check(actor, survivor, duplicate)
    if record.undone_at is not None:
        raise DomainError("already_undone", _("This merge has already been undone."))
    if duplicate.status != PersonStatus.MERGED or duplicate.merged_into_id != survivor.pk:
        raise DomainError("not_merged", _("The merged record has changed since: this merge cannot be undone."))
    if survivor.status != PersonStatus.ACTIVE:
        raise DomainError("not_active", _("The kept record is no longer active: undo its own merge first."))

    survivor_changes: dict[str, Any] = {}
    for attname, before in record.survivor_filled.items():
        if _to_json(getattr(survivor, attname)) == record.duplicate_snapshot.get(attname):
            survivor_changes[attname] = _from_json(attname, before)
    if record.moved_user_id and survivor.user_id == record.moved_user_id:
        survivor_changes["user_id"] = None
    if survivor_changes:
        if len(survivor_changes) == len(record.survivor_filled) + bool(record.moved_user_id):
            survivor_changes["updated_at"] = record.survivor_updated_at  # untouched since the merge
        if "birth_date" in survivor_changes or "name_pinyin" in survivor_changes:
            survivor_changes["block_key"] = block_key_of(
                survivor_changes.get("name_pinyin", survivor.name_pinyin), survivor_changes.get("birth_date", survivor.birth_date)
            )
        Person.objects.filter(pk=survivor.pk).update(**survivor_changes)

    restored = {name: _from_json(name, value) for name, value in record.duplicate_snapshot.items() if name in PERSON_COLUMNS}
    if "birth_date" in restored or "name_pinyin" in restored:  # a snapshot taken before block_key existed lacks it
        restored["block_key"] = block_key_of(restored.get("name_pinyin", duplicate.name_pinyin), restored.get("birth_date", duplicate.birth_date))
    if restored.get("user_id") and Person.objects.filter(user_id=restored["user_id"]).exclude(pk=duplicate.pk).exists():
        restored["user_id"] = None  # the account was linked elsewhere since; leave it there
    try:
        with transaction.atomic():
            Person.objects.filter(pk=duplicate.pk).update(**restored)
    except IntegrityError:
        raise DomainError("conflicting_ids", _("Another active record now holds this resident ID number: this merge cannot be undone."))

    Listing.objects.filter(pk__in=record.moved_listings, person=survivor).update(person=duplicate)
    for row in record.dropped_listings:
        if not Listing.objects.filter(pk=row["id"]).exists():
            listing = Listing.objects.create(id=row["id"], person=duplicate, organization_id=row["organization_id"], role=row["role"], note=row["note"])
            Listing.objects.filter(pk=listing.pk).update(created_at=parse_datetime(row["created_at"]), updated_at=parse_datetime(row["updated_at"]))
    Achievement.objects.filter(pk__in=record.moved_achievements, person=survivor).update(person=duplicate)
    survivor.disciplines.remove(*record.added_disciplines)
    duplicate.disciplines.set(record.duplicate_disciplines)
    Person.objects.filter(pk__in=record.repointed, merged_into=survivor).update(merged_into=duplicate)

    record.undone_at, record.undone_by = timezone.now(), actor if getattr(actor, "pk", None) else None
    record.save(update_fields=["undone_at", "undone_by", "updated_at"])
    a, b = _pair(survivor, duplicate)
    candidate = record.candidate or MatchCandidate.objects.filter(person_a=a, person_b=b).first()
    if candidate is None:
        candidate = MatchCandidate(person_a=a, person_b=b, score=record.score or 0.0)
    candidate.status, candidate.decided_by, candidate.decided_at = CandidateStatus.KEPT_APART, record.undone_by, record.undone_at
    candidate.save()
    record_event(actor=actor, action="person.unmerged", obj=survivor, organization=org, new={"duplicate": duplicate.pk, "merge_record": record.pk})
    tell_changed(survivor, duplicate)
    duplicate.refresh_from_db()
    return duplicate
