"""Writes of the membership domain: classes and rules (data a secretary edits), applications and
the named transitions of a membership. Each runs in one transaction, writes an audit event and a
membership event, and notifies the person after commit. Dues live in `dues.py`, certificates in
`certificates.py`."""

import datetime
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kejia.core.audit import changed, record_event, snapshot
from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from kejia.core.uploads import check_upload
from kejia.memberships import numbering
from kejia.memberships.choices import LIVE_STATUSES, ClassKind, MembershipStatus, Transition
from kejia.memberships.models import (
    GroupRepresentative,
    MemberClass,
    Membership,
    MembershipDocument,
    MembershipEvent,
    MembershipRules,
)
from kejia.memberships.workflow import (  # noqa: F401 (can_manage_members, is_own: this module's API too)
    can_manage_members,
    is_own,
    is_user,
    locked,
    move,
    require_manager,
    require_own,
    required_reason,
    rules_of,
    tell,
)
from kejia.organizations.kinds import MEMBERSHIP_KINDS
from kejia.people.choices import PersonStatus, TitleLevel

S = MembershipStatus

# Title levels from highest to lowest; eligibility asks for "this level or higher".
TITLE_ORDER = [TitleLevel.SENIOR, TitleLevel.VICE_SENIOR, TitleLevel.INTERMEDIATE, TitleLevel.JUNIOR, TitleLevel.NONE]
DOCUMENT_KINDS = ("pdf", "jpeg", "png")
RULES_FIELDS = ["number_format", "next_seq", "grace_days", "reminder_days", "growth_bands", "staff_bands"]
CLASS_FIELDS = ["code", "name", "kind", "annual_dues", "min_title_level", "min_years_in_field", "requires_student",
                "eligibility_note", "required_documents", "approval_steps", "rights", "duties", "is_open", "sort"]


# ---- who may do what --------------------------------------------------------------------------

def require_society(org) -> None:
    if org.kind not in MEMBERSHIP_KINDS:
        raise DomainError("not_a_society", _("Only learned societies and university associations have members."), field="society")


def _today() -> datetime.date:
    return timezone.localdate()


# ---- rules and classes ------------------------------------------------------------------------

def _clean_bands(bands: Any, field: str = "growth_bands") -> list[list[int]]:
    error = DomainError(f"invalid_{field}", _("Targets must be rows of (members at least, target %) with sizes rising, e.g. [[0, 10], [1000, 5]]."),
                        field=field)
    if not isinstance(bands, list) or not bands:
        raise error
    cleaned = []
    for row in bands:
        if not isinstance(row, (list, tuple)) or len(row) != 2:
            raise error
        try:
            size, pct = int(row[0]), int(row[1])
        except (TypeError, ValueError):
            raise error from None
        if size < 0 or not 0 <= pct <= 100 or (cleaned and size <= cleaned[-1][0]):
            raise error
        cleaned.append([size, pct])
    if cleaned[0][0] != 0:
        raise error
    return cleaned


@transaction.atomic
def update_membership_rules(society, *, actor, **changes: Any) -> MembershipRules:
    require_society(society)
    require_manager(society, actor)
    rules = MembershipRules.objects.select_for_update().filter(pk=rules_of(society).pk).get()
    old = snapshot(rules, RULES_FIELDS)
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        if name not in RULES_FIELDS:
            raise DomainError("unknown_field", _("Unknown field: %(name)s") % {"name": name}, field=name)
        try:
            if name == "number_format":
                longest_class = max((len(c) for c in MemberClass.objects.filter(society=society).values_list("code", flat=True)), default=12)
                value = numbering.validate_format(value, code=society.code, class_length=longest_class)
            elif name in ("growth_bands", "staff_bands"):
                value = _clean_bands(value, name)
            else:
                value = int(value)
                if value < (1 if name == "next_seq" else 0) or value > (10**9 if name == "next_seq" else 3650):
                    raise DomainError("out_of_range", _("This number is out of range."), field=name)
        except DomainError as exc:
            errors.setdefault(name, []).append(str(exc.message))
            continue
        except (TypeError, ValueError):
            errors.setdefault(name, []).append(gettext("Enter a whole number."))
            continue
        setattr(rules, name, value)
    if errors:
        raise ValidationFailed(errors)
    rules.save()
    before, after = changed(old, snapshot(rules, RULES_FIELDS))
    if after:
        record_event(actor=actor, action="membership_rules.updated", obj=rules, organization=society, old=before, new=after)
    return rules


class _Invalid(Exception):
    """A field's value refused; the message goes next to the field."""


def _class_code(value, society, instance):
    value = (value or "").strip().lower()
    if not value or len(value) > 24 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in value):
        raise _Invalid(_("Use 1–24 letters, digits, - or _."))
    if MemberClass.objects.filter(society=society, code=value).exclude(pk=getattr(instance, "pk", None)).exists():
        raise _Invalid(_("This society already has a class with this code."))
    return value


def _class_name(value, society, instance):
    value = (value or "").strip()
    if not value or len(value) > 64:
        raise _Invalid(_("Enter a name of at most 64 characters."))
    return value


def _class_kind(value, society, instance):
    if value not in ClassKind.values:
        raise _Invalid(_("Choose a kind from the list."))
    if instance is not None and value != instance.kind and (value == ClassKind.GROUP) != instance.for_groups \
            and instance.memberships.exists():
        raise _Invalid(_("A class with members cannot switch between persons and units."))
    return value


def _class_dues(value, society, instance):
    try:
        value = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise _Invalid(_("Enter an amount in yuan.")) from None
    if not value.is_finite() or value < 0 or value >= Decimal("100000000"):
        raise _Invalid(_("Enter an amount in yuan."))
    return value


def _class_title(value, society, instance):
    value = value or ""
    if value and value not in TitleLevel.values:
        raise _Invalid(_("Choose a title level from the list."))
    return value


def _class_number(empty):
    def clean(value, society, instance):
        if value in (None, ""):
            return empty
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise _Invalid(_("Enter a whole number.")) from None
        if not 0 <= value <= 80:
            raise _Invalid(_("This number is out of range."))
        return value
    return clean


def _class_lines(*, at_least_one: bool):
    def clean(value, society, instance):
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, (list, tuple)):
            raise _Invalid(_("Give one item per line."))
        value = [str(v).strip() for v in value if str(v).strip()]
        if any(len(v) > 64 for v in value) or len(value) > 20 or len(set(value)) != len(value):
            raise _Invalid(_("At most 20 different items of at most 64 characters each."))
        if at_least_one and not value:
            raise _Invalid(_("Give at least one approval step."))
        return value
    return clean


def _class_flag(value, society, instance):
    return bool(value)


def _class_text(value, society, instance):
    return (value or "").strip()


# How each field of a member class is read (the other fields are text).
_CLASS_CLEANERS = {"code": _class_code, "name": _class_name, "kind": _class_kind, "annual_dues": _class_dues,
                   "min_title_level": _class_title, "min_years_in_field": _class_number(None), "sort": _class_number(0),
                   "required_documents": _class_lines(at_least_one=False), "approval_steps": _class_lines(at_least_one=True),
                   "requires_student": _class_flag, "is_open": _class_flag}


def _clean_class(data: dict[str, Any], *, society, instance: MemberClass | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name not in CLASS_FIELDS:
            raise DomainError("unknown_field", _("Unknown field: %(name)s") % {"name": name}, field=name)
        try:
            out[name] = _CLASS_CLEANERS.get(name, _class_text)(value, society, instance)
        except _Invalid as exc:
            errors.setdefault(name, []).append(str(exc.args[0]))
    if errors:
        raise ValidationFailed(errors)
    return out


@transaction.atomic
def create_member_class(society, *, actor, **data: Any) -> MemberClass:
    require_society(society)
    require_manager(society, actor)
    for required in ("code", "name", "kind"):
        data.setdefault(required, "")
    data.setdefault("approval_steps", [gettext("Secretariat check"), gettext("Membership committee")])
    cleaned = _clean_class(data, society=society, instance=None)
    item = MemberClass(society=society, **cleaned)
    item.save()
    record_event(actor=actor, action="member_class.created", obj=item, organization=society, new=snapshot(item, CLASS_FIELDS))
    return item


@transaction.atomic
def update_member_class(item: MemberClass, *, actor, **data: Any) -> MemberClass:
    require_manager(item.society, actor)
    item = MemberClass.objects.select_for_update().get(pk=item.pk)
    old = snapshot(item, CLASS_FIELDS)
    for name, value in _clean_class(data, society=item.society, instance=item).items():
        setattr(item, name, value)
    item.save()
    before, after = changed(old, snapshot(item, CLASS_FIELDS))
    if after:
        record_event(actor=actor, action="member_class.updated", obj=item, organization=item.society, old=before, new=after)
    return item


def default_classes() -> list[dict[str, Any]]:
    """The three classes seed 003 三.1 names, as a society starts with them (then edits)."""
    steps = [gettext("Secretariat check"), gettext("Membership committee")]
    return [
        {"code": "senior", "name": gettext("Senior member"), "kind": ClassKind.SENIOR, "annual_dues": "500",
         "min_title_level": TitleLevel.SENIOR, "min_years_in_field": 15, "required_documents": [gettext("Professional title certificate")],
         "approval_steps": [*steps, gettext("Council approval")],
         "rights": gettext("Vote and stand for election; take part in all activities; receive the society's publications."),
         "duties": gettext("Abide by the articles; pay dues; support the society's work."), "sort": 1},
        {"code": "full", "name": gettext("Full member"), "kind": ClassKind.FULL, "annual_dues": "100",
         "min_title_level": TitleLevel.INTERMEDIATE, "required_documents": [], "approval_steps": steps,
         "rights": gettext("Vote and stand for election; take part in all activities."),
         "duties": gettext("Abide by the articles; pay dues; support the society's work."), "sort": 2},
        {"code": "student", "name": gettext("Student member"), "kind": ClassKind.STUDENT, "annual_dues": "0",
         "requires_student": True, "required_documents": [gettext("Student card")], "approval_steps": [gettext("Secretariat check")],
         "rights": gettext("Take part in activities and student programmes."), "duties": gettext("Abide by the articles."), "sort": 3},
    ]


@transaction.atomic
def create_default_classes(society, *, actor) -> list[MemberClass]:
    require_society(society)
    require_manager(society, actor)
    existing = set(MemberClass.objects.filter(society=society).values_list("code", flat=True))
    return [create_member_class(society, actor=actor, **data) for data in default_classes() if data["code"] not in existing]


# ---- transitions ------------------------------------------------------------------------------

def _check_eligibility(member_class: MemberClass, person, *, is_student: bool, years_in_field: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if member_class.min_title_level:
        need = TITLE_ORDER.index(member_class.min_title_level)
        have = TITLE_ORDER.index(person.title_level) if person.title_level in TITLE_ORDER else len(TITLE_ORDER)
        if have > need:
            errors["member_class"] = [gettext("This class needs a professional title of level “%(level)s” or higher; the profile says “%(have)s”.")
                                      % {"level": TitleLevel(member_class.min_title_level).label,
                                         "have": TitleLevel(person.title_level).label if person.title_level else "-"}]
    if member_class.min_years_in_field is not None and (years_in_field or 0) < member_class.min_years_in_field:
        errors.setdefault("years_in_field", []).append(
            ngettext("This class needs at least %(n)s year in the field.", "This class needs at least %(n)s years in the field.",
                     member_class.min_years_in_field) % {"n": member_class.min_years_in_field})
    if member_class.requires_student and not is_student:
        errors.setdefault("is_student", []).append(gettext("This class is for students only."))
    if errors:
        raise ValidationFailed(errors)


def _missing_documents(membership: Membership) -> list[str]:
    have = set(membership.documents.values_list("name", flat=True))
    return [name for name in membership.member_class.required_documents if name not in have]


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
        suffix = check_upload(upload, kinds=DOCUMENT_KINDS, max_bytes=settings.MEMBERSHIP_MAX_UPLOAD, code="bad_document",
                              field="documents").suffix
        doc = MembershipDocument(membership=membership, name=name, original_name=original[:255], size=upload.size,
                                 uploaded_by=actor if getattr(actor, "pk", None) else None)
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
def _apply_for_membership(*, actor, society, member_class: MemberClass, person, statement: str = "", is_student: bool = False,
                          years_in_field: int | None = None, documents: list[tuple[str, Any]] | None = None,
                          stored: list[str]) -> Membership:
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
    _check_eligibility(member_class, person, is_student=is_student, years_in_field=years_in_field)
    membership = Membership(society=society, person=person, member_class=member_class, status=S.APPLIED,
                            statement=(statement or "").strip()[:5000], is_student=is_student, years_in_field=years_in_field,
                            applied_at=timezone.now())
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise DomainError("already_member", _("There is already an application or a membership of this society."),
                          field="society") from None
    _store_documents(membership, documents or [], actor, stored)
    missing = _missing_documents(membership)
    if missing:
        raise DomainError("documents_missing", _("Upload these documents: %(names)s") % {"names": "、".join(missing)},
                          field="documents")
    MembershipEvent.objects.create(membership=membership, transition=Transition.APPLY, to_status=S.APPLIED,
                                   actor=actor if getattr(actor, "pk", None) else None)
    record_event(actor=actor, action="membership.apply", obj=membership, organization=society,
                 new={"status": S.APPLIED, "class": member_class.pk, "person": person.pk})
    tell(membership, gettext("Application received"), gettext("Your application is in the queue of %(society)s.") % {"society": society.name})
    return membership


@transaction.atomic
def apply_for_group_membership(*, actor, society, member_class: MemberClass, unit, contact_person, statement: str = "",
                               representatives: list | None = None) -> Membership:
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
    membership = Membership.objects.create(society=society, unit=unit, contact_person=contact_person, member_class=member_class,
                                           status=S.APPLIED, statement=(statement or "").strip()[:5000], applied_at=timezone.now())
    for person in representatives or []:
        GroupRepresentative.objects.get_or_create(membership=membership, person=person)
    MembershipEvent.objects.create(membership=membership, transition=Transition.APPLY, to_status=S.APPLIED,
                                   actor=actor if getattr(actor, "pk", None) else None)
    record_event(actor=actor, action="membership.apply", obj=membership, organization=society,
                 new={"status": S.APPLIED, "class": member_class.pk, "unit": unit.pk, "contact": contact_person.pk})
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
        record_event(actor=actor, action="membership.representative_added", obj=membership, organization=membership.society,
                     new={"person": person.pk, "role": role})
    return rep


@transaction.atomic
def remove_representative(rep: GroupRepresentative, *, actor) -> None:
    membership = locked(rep.membership)
    if not (can_manage_members(actor, membership.society) or is_own(membership, actor)):
        raise PermissionDenied()
    record_event(actor=actor, action="membership.representative_removed", obj=membership, organization=membership.society,
                 old={"person": rep.person_id})
    rep.delete()


def assign_number(membership: Membership, *, year: int) -> str:
    """The society's next member number, skipping any already taken (e.g. by an import)."""
    rules = MembershipRules.objects.select_for_update().filter(pk=rules_of(membership.society).pk).get()
    while True:
        number = numbering.format_number(rules.number_format, code=membership.society.code, year=year,
                                         class_code=membership.member_class.code, seq=rules.next_seq)
        rules.next_seq += 1
        if len(number) > numbering.MAX_LENGTH:
            raise DomainError("number_too_long", _("The society's member number format gives numbers longer than %(n)s characters: "
                                                   "shorten it in the membership rules.") % {"n": numbering.MAX_LENGTH})
        if not Membership.objects.filter(society=membership.society, number=number).exists():
            break
    rules.save(update_fields=["next_seq", "updated_at"])
    return number


@transaction.atomic
def approve_membership(membership: Membership, *, actor, note: str = "") -> Membership:
    """Pass the current approval step; the last step makes the person a member with a number."""
    membership = locked(membership)
    require_manager(membership.society, actor)
    if membership.status == S.APPLIED and is_own(membership, actor):
        raise PermissionDenied(_("Nobody decides their own application."))
    steps = membership.member_class.approval_steps or [gettext("Approval")]
    step_name = steps[min(membership.step, len(steps) - 1)]
    if membership.status == S.APPLIED and membership.step < len(steps) - 1:
        membership.step += 1
        move(membership, Transition.APPROVE_STEP, actor=actor, note=note, step_name=step_name)
        return membership
    if membership.status == S.APPLIED:
        missing = _missing_documents(membership) if membership.person_id else []
        if missing:
            raise DomainError("documents_missing", _("Documents still missing: %(names)s") % {"names": "、".join(missing)})
        today = _today()
        membership.joined_on = today
        membership.ended_on = None
        membership.reason = ""
        if not membership.number:
            membership.number = assign_number(membership, year=today.year)
    move(membership, Transition.APPROVE, actor=actor, note=note, step_name=step_name)
    body = gettext("Welcome. Your member number is %(number)s.") % {"number": membership.number}
    if membership.member_class.has_dues:
        body += " " + gettext("Dues for %(year)s: %(amount)s yuan.") % {"year": membership.joined_on.year,
                                                                   "amount": membership.member_class.annual_dues}
    tell(membership, gettext("Membership approved"), body)
    return membership


@transaction.atomic
def reject_membership(membership: Membership, *, actor, reason: str) -> Membership:
    reason = required_reason(reason)
    membership = locked(membership)
    require_manager(membership.society, actor)
    if is_own(membership, actor):
        raise PermissionDenied(_("Nobody decides their own application."))
    membership.reason = reason
    move(membership, Transition.REJECT, actor=actor, note=reason)
    tell(membership, gettext("Application not accepted"), reason)
    return membership


@transaction.atomic
def request_more_information(membership: Membership, *, actor, reason: str) -> Membership:
    reason = required_reason(reason)
    membership = locked(membership)
    require_manager(membership.society, actor)
    if is_own(membership, actor):
        raise PermissionDenied(_("Nobody decides their own application."))
    membership.reason = reason
    move(membership, Transition.ASK_MORE, actor=actor, note=reason)
    tell(membership, gettext("More information needed for your application"), reason)
    return membership


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
    missing = _missing_documents(membership) if membership.person_id else []
    if missing:
        raise DomainError("documents_missing", _("Upload these documents: %(names)s") % {"names": "、".join(missing)},
                          field="documents")
    move(membership, Transition.SUPPLY, actor=actor, note=statement.strip()[:2000])
    return membership


@transaction.atomic
def withdraw_application(membership: Membership, *, actor) -> Membership:
    membership = locked(membership)
    require_own(membership, actor)
    move(membership, Transition.WITHDRAW, actor=actor)
    return membership


@transaction.atomic
def transfer_membership(membership: Membership, *, actor, member_class: MemberClass, note: str = "") -> Membership:
    """Move an active member to another class of the same society (e.g. student → full on
    graduation). The member number stays; eligibility of the new class is checked."""
    membership = locked(membership)
    require_manager(membership.society, actor)
    if member_class.society_id != membership.society_id or member_class.for_groups != membership.member_class.for_groups:
        raise DomainError("wrong_class", _("Choose another class of this society for the same kind of member."), field="member_class")
    if member_class.pk == membership.member_class_id:
        raise DomainError("same_class", _("The member is already in this class."), field="member_class")
    if membership.person_id:
        _check_eligibility(member_class, membership.person, is_student=member_class.requires_student,
                           years_in_field=membership.years_in_field)
    old_class = membership.member_class
    membership.member_class = member_class
    membership.is_student = member_class.requires_student
    move(membership, Transition.TRANSFER, actor=actor, note=note or f"{old_class.name} → {member_class.name}")
    _revoke(membership, gettext("Class changed"))
    tell(membership, gettext("Member class changed"), f"{old_class.name} → {member_class.name}")
    return membership


def _revoke(membership: Membership, reason: str) -> None:
    from kejia.memberships.certificates import revoke_certificates

    revoke_certificates(membership, reason=reason)


def _end(membership: Membership, transition: str, *, actor, reason: str, subject) -> Membership:
    membership.reason = reason
    membership.ended_on = _today()
    move(membership, transition, actor=actor, note=reason)
    _revoke(membership, str(Transition(transition).label))
    tell(membership, subject, reason)
    return membership


@transaction.atomic
def suspend_membership(membership: Membership, *, actor, reason: str) -> Membership:
    reason = required_reason(reason)
    membership = locked(membership)
    require_manager(membership.society, actor)
    membership.reason = reason
    move(membership, Transition.SUSPEND, actor=actor, note=reason)
    _revoke(membership, gettext("Suspended"))
    tell(membership, gettext("Membership suspended"), reason)
    return membership


@transaction.atomic
def reinstate_membership(membership: Membership, *, actor, note: str = "") -> Membership:
    membership = locked(membership)
    require_manager(membership.society, actor)
    membership.reason = ""
    move(membership, Transition.REINSTATE, actor=actor, note=note)
    tell(membership, gettext("Membership reinstated"), note)
    return membership


@transaction.atomic
def terminate_membership(membership: Membership, *, actor, reason: str) -> Membership:
    reason = required_reason(reason)
    membership = locked(membership)
    require_manager(membership.society, actor)
    return _end(membership, Transition.TERMINATE, actor=actor, reason=reason, subject=gettext("Membership terminated"))


@transaction.atomic
def resign_membership(membership: Membership, *, actor, reason: str = "") -> Membership:
    membership = locked(membership)
    require_own(membership, actor)
    return _end(membership, Transition.RESIGN, actor=actor, reason=(reason or "").strip()[:500], subject=gettext("Resignation received"))


@transaction.atomic
def lapse_membership(membership: Membership, *, actor=None, today: datetime.date | None = None) -> Membership:
    """Dues unpaid past the grace period (run by the daily dues cycle, `dues.run_dues_cycle`)."""
    membership = locked(membership)
    membership.ended_on = today or _today()
    membership.reason = gettext("Dues unpaid after the grace period")
    move(membership, Transition.LAPSE, actor=actor, note=membership.reason)
    _revoke(membership, gettext("Lapsed"))
    tell(membership, gettext("Membership lapsed"), gettext("Your dues are unpaid after the grace period. Pay them to renew your membership."))
    return membership


@transaction.atomic
def readmit_membership(membership: Membership, *, actor, note: str = "") -> Membership:
    """Take back a former member with their old number (a lapsed member may instead renew by paying)."""
    membership = locked(membership)
    require_manager(membership.society, actor)
    member = {"person": membership.person_id} if membership.person_id else {"unit": membership.unit_id}
    if Membership.objects.filter(society=membership.society, status__in=LIVE_STATUSES, **member).exclude(pk=membership.pk).exists():
        raise DomainError("already_member", _("This person already has another application or membership of this society."))
    membership.ended_on = None
    membership.reason = ""
    membership.joined_on = membership.joined_on or _today()
    membership.dues_clock_from = _today()  # unpaid dues are owed again, with a fresh grace period
    membership.reminded_for = None
    move(membership, Transition.READMIT, actor=actor, note=note)
    tell(membership, gettext("Membership restored"), note)
    return membership
