"""Member classes and the society's membership rules: data a secretary edits (number format,
dues reminders, growth targets; the classes with their dues, eligibility, documents and approval
steps). Each write runs in one transaction and writes an audit event."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.core.audit import changed, record_event, snapshot
from kejia.core.errors import DomainError, ValidationFailed
from kejia.memberships import numbering
from kejia.memberships.choices import ClassKind
from kejia.memberships.models import MemberClass, MembershipRules
from kejia.memberships.workflow import require_manager, require_society, rules_of
from kejia.people.choices import TitleLevel

RULES_FIELDS = ["number_format", "next_seq", "grace_days", "reminder_days", "growth_bands", "staff_bands"]
CLASS_FIELDS = [
    "code",
    "name",
    "kind",
    "annual_dues",
    "min_title_level",
    "min_years_in_field",
    "requires_student",
    "eligibility_note",
    "required_documents",
    "approval_steps",
    "rights",
    "duties",
    "is_open",
    "sort",
]


def _whole(value: Any) -> int:
    """A whole number, refusing one with a fraction (2.5 % is not 2 %) and a boolean."""
    if isinstance(value, bool):
        raise ValueError(value)
    number = int(value)
    if not isinstance(value, str) and number != value:
        raise ValueError(value)
    return number


def _clean_bands(bands: Any, field: str = "growth_bands") -> list[list[int]]:
    error = DomainError(
        f"invalid_{field}", _("Targets must be rows of (members at least, target %) with sizes rising, e.g. [[0, 10], [1000, 5]]."), field=field
    )
    if not isinstance(bands, list) or not bands:
        raise error
    cleaned = []
    for row in bands:
        if not isinstance(row, (list, tuple)) or len(row) != 2:
            raise error
        try:
            size, pct = _whole(row[0]), _whole(row[1])
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
    if instance is not None and value != instance.kind and (value == ClassKind.GROUP) != instance.for_groups and instance.memberships.exists():
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
_CLASS_CLEANERS = {
    "code": _class_code,
    "name": _class_name,
    "kind": _class_kind,
    "annual_dues": _class_dues,
    "min_title_level": _class_title,
    "min_years_in_field": _class_number(None),
    "sort": _class_number(0),
    "required_documents": _class_lines(at_least_one=False),
    "approval_steps": _class_lines(at_least_one=True),
    "requires_student": _class_flag,
    "is_open": _class_flag,
}


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
        {
            "code": "senior",
            "name": gettext("Senior member"),
            "kind": ClassKind.SENIOR,
            "annual_dues": "500",
            "min_title_level": TitleLevel.SENIOR,
            "min_years_in_field": 15,
            "required_documents": [gettext("Professional title certificate")],
            "approval_steps": [*steps, gettext("Council approval")],
            "rights": gettext("Vote and stand for election; take part in all activities; receive the society's publications."),
            "duties": gettext("Abide by the articles; pay dues; support the society's work."),
            "sort": 1,
        },
        {
            "code": "full",
            "name": gettext("Full member"),
            "kind": ClassKind.FULL,
            "annual_dues": "100",
            "min_title_level": TitleLevel.INTERMEDIATE,
            "required_documents": [],
            "approval_steps": steps,
            "rights": gettext("Vote and stand for election; take part in all activities."),
            "duties": gettext("Abide by the articles; pay dues; support the society's work."),
            "sort": 2,
        },
        {
            "code": "student",
            "name": gettext("Student member"),
            "kind": ClassKind.STUDENT,
            "annual_dues": "0",
            "requires_student": True,
            "required_documents": [gettext("Student card")],
            "approval_steps": [gettext("Secretariat check")],
            "rights": gettext("Take part in activities and student programmes."),
            "duties": gettext("Abide by the articles."),
            "sort": 3,
        },
    ]


@transaction.atomic
def create_default_classes(society, *, actor) -> list[MemberClass]:
    require_society(society)
    require_manager(society, actor)
    existing = set(MemberClass.objects.filter(society=society).values_list("code", flat=True))
    return [create_member_class(society, actor=actor, **data) for data in default_classes() if data["code"] not in existing]
