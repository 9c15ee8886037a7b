"""Applications for membership: a person's or a unit's, with their documents; a unit's
representatives; the applicant's answer to a request for more information, and withdrawing.
Each runs in one transaction, writes an audit event and a membership event, and notifies the
person after commit. The decisions on an application are in `transitions.py`."""

from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.core.audit import record_event
from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied
from kejia.core.uploads import check_upload
from kejia.memberships.choices import LIVE_STATUSES, MembershipStatus, Transition
from kejia.memberships.models import GroupRepresentative, MemberClass, Membership, MembershipDocument, MembershipEvent
from kejia.memberships.workflow import (
    can_manage_members,
    check_eligibility,
    is_own,
    is_user,
    locked,
    missing_documents,
    move,
    require_own,
    require_society,
    tell,
)
from kejia.people.choices import PersonStatus

S = MembershipStatus
DOCUMENT_KINDS = ("pdf", "jpeg", "png")


def _store_documents(membership: Membership, documents: list[tuple[str, Any]], actor, stored: list[str]) -> None:
    """documents: (required-document name, uploaded file), checked for type and size. The names
    of stored files go to `stored`, so a write that fails afterwards removes them again."""
    allowed_names = set(membership.member_class.required_documents) | {gettext("Other")}
    for name, upload in documents:
        name = (name or "").strip() or gettext("Other")
        if name not in allowed_names:
            name = gettext("Other")
        original = getattr(upload, "name", "") or "file"
        # By content and size (kejia.core.uploads), never by the name: the stored suffix is the content's.
        suffix = check_upload(upload, kinds=DOCUMENT_KINDS, max_bytes=settings.MEMBERSHIP_MAX_UPLOAD, code="bad_document", field="documents").suffix
        doc = MembershipDocument(
            membership=membership, name=name, original_name=original[:255], size=upload.size, uploaded_by=actor if getattr(actor, "pk", None) else None
        )
        doc.file.save(f"{timezone.now():%Y%m%d%H%M%S%f}{suffix}", upload, save=False)
        stored.append(doc.file.name)
        doc.save()


@contextmanager
def _files_removed_on_failure():
    """Django has no on-rollback hook: files stored inside a write that raises are deleted here."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def apply_for_membership(**kwargs: Any) -> Membership:
    """A person applies (or the society's staff enter an application for them). Keyword
    arguments: actor, society, member_class, person, statement, is_student, years_in_field,
    documents [(required-document name, uploaded file)]."""
    with _files_removed_on_failure() as stored:
        return _apply_for_membership(stored=stored, **kwargs)


@transaction.atomic
def _apply_for_membership(
    *,
    actor,
    society,
    member_class: MemberClass,
    person,
    statement: str = "",
    is_student: bool = False,
    years_in_field: int | None = None,
    documents: list[tuple[str, Any]] | None = None,
    stored: list[str],
) -> Membership:
    require_society(society)
    if not is_user(person, actor) and not can_manage_members(actor, society):
        raise PermissionDenied(_("You may apply only for yourself."))
    if person.status != PersonStatus.ACTIVE:
        raise DomainError("person_inactive", _("This profile is no longer active."), field="person")
    if member_class.society_id != society.pk:
        raise DomainError("wrong_class", _("This class belongs to another society."), field="member_class")
    if member_class.for_groups:
        raise DomainError("wrong_class", _("This class is for units; a person cannot apply to it."), field="member_class")
    if not member_class.is_open:
        raise DomainError("class_closed", _("This class does not take applications now."), field="member_class")
    if Membership.objects.filter(society=society, person=person, status__in=LIVE_STATUSES).exists():
        raise DomainError("already_member", _("There is already an application or a membership of this society."), field="society")
    check_eligibility(member_class, person, is_student=is_student, years_in_field=years_in_field)
    membership = Membership(
        society=society,
        person=person,
        member_class=member_class,
        status=S.APPLIED,
        statement=(statement or "").strip()[:5000],
        is_student=is_student,
        years_in_field=years_in_field,
        applied_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise DomainError("already_member", _("There is already an application or a membership of this society."), field="society") from None
    _store_documents(membership, documents or [], actor, stored)
    missing = missing_documents(membership)
    if missing:
        raise DomainError("documents_missing", _("Upload these documents: %(names)s") % {"names": "、".join(missing)}, field="documents")
    MembershipEvent.objects.create(membership=membership, transition=Transition.APPLY, to_status=S.APPLIED, actor=actor if getattr(actor, "pk", None) else None)
    record_event(
        actor=actor, action="membership.apply", obj=membership, organization=society, new={"status": S.APPLIED, "class": member_class.pk, "person": person.pk}
    )
    tell(membership, gettext("Application received"), gettext("Your application is in the queue of %(society)s.") % {"society": society.name})
    return membership


@transaction.atomic
def apply_for_group_membership(
    *, actor, society, member_class: MemberClass, unit, contact_person, statement: str = "", representatives: list | None = None
) -> Membership:
    """A unit joins a society; its contact person (or the society's staff) applies for it."""
    require_society(society)
    if contact_person is None:
        raise DomainError("contact_required", _("Name the unit's contact person."), field="contact_person")
    if not is_user(contact_person, actor) and not can_manage_members(actor, society):
        raise PermissionDenied(_("Only the unit's contact person or the society's staff may apply for a unit."))
    if member_class.society_id != society.pk or not member_class.for_groups:
        raise DomainError("wrong_class", _("Choose a class for units of this society."), field="member_class")
    if not member_class.is_open:
        raise DomainError("class_closed", _("This class does not take applications now."), field="member_class")
    if Membership.objects.filter(society=society, unit=unit, status__in=LIVE_STATUSES).exists():
        raise DomainError("already_member", _("This unit already has an application or a membership of this society."), field="unit")
    membership = Membership.objects.create(
        society=society,
        unit=unit,
        contact_person=contact_person,
        member_class=member_class,
        status=S.APPLIED,
        statement=(statement or "").strip()[:5000],
        applied_at=timezone.now(),
    )
    for person in representatives or []:
        GroupRepresentative.objects.get_or_create(membership=membership, person=person)
    MembershipEvent.objects.create(membership=membership, transition=Transition.APPLY, to_status=S.APPLIED, actor=actor if getattr(actor, "pk", None) else None)
    record_event(
        actor=actor,
        action="membership.apply",
        obj=membership,
        organization=society,
        new={"status": S.APPLIED, "class": member_class.pk, "unit": unit.pk, "contact": contact_person.pk},
    )
    tell(membership, gettext("Application received"), gettext("Your application is in the queue of %(society)s.") % {"society": society.name})
    return membership


@transaction.atomic
def add_representative(membership: Membership, *, actor, person, role: str = "") -> GroupRepresentative:
    membership = locked(membership)
    if not (can_manage_members(actor, membership.society) or is_own(membership, actor)):
        raise PermissionDenied()
    if not membership.unit_id:
        raise DomainError("not_a_group", _("Only a group member has representatives."))
    role = (role or "").strip()[:64]
    rep, created = GroupRepresentative.objects.get_or_create(membership=membership, person=person, defaults={"role": role})
    if created:
        record_event(
            actor=actor, action="membership.representative_added", obj=membership, organization=membership.society, new={"person": person.pk, "role": role}
        )
    return rep


@transaction.atomic
def remove_representative(rep: GroupRepresentative, *, actor) -> None:
    membership = locked(rep.membership)
    if not (can_manage_members(actor, membership.society) or is_own(membership, actor)):
        raise PermissionDenied()
    record_event(actor=actor, action="membership.representative_removed", obj=membership, organization=membership.society, old={"person": rep.person_id})
    rep.delete()


def supply_information(membership: Membership, *, actor, statement: str = "", documents: list[tuple[str, Any]] | None = None) -> Membership:
    """The applicant answers a request for more information; the application goes back to the queue."""
    with _files_removed_on_failure() as stored:
        return _supply_information(membership, actor=actor, statement=statement, documents=documents, stored=stored)


@transaction.atomic
def _supply_information(membership: Membership, *, actor, statement: str, documents, stored: list[str]) -> Membership:
    membership = locked(membership)
    require_own(membership, actor)
    if membership.status != S.NEEDS_INFO:
        raise IllegalTransition("illegal_transition", _("Nothing was asked for this application."))
    _store_documents(membership, documents or [], actor, stored)
    statement = statement or ""
    if statement.strip():
        membership.statement = (membership.statement + "\n\n" + statement.strip())[:10000].strip()
    missing = missing_documents(membership) if membership.person_id else []
    if missing:
        raise DomainError("documents_missing", _("Upload these documents: %(names)s") % {"names": "、".join(missing)}, field="documents")
    move(membership, Transition.SUPPLY, actor=actor, note=statement.strip()[:2000])
    return membership


@transaction.atomic
def withdraw_application(membership: Membership, *, actor) -> Membership:
    membership = locked(membership)
    require_own(membership, actor)
    move(membership, Transition.WITHDRAW, actor=actor)
    return membership
