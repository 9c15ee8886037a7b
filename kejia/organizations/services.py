"""Every change to the organization tree: one function per verb, one transaction each, an
audit event written inside it. Callers (HTML views, the API, commands) only parse input."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core import pii
from kejia.core.audit import changed, record_event, snapshot
from kejia.core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from kejia.core.rows import update_row, validate_row
from kejia.core.validators import validate_phone, validate_uscc
from kejia.organizations.kinds import FILABLE_KINDS, STATUS_TRANSITIONS, TERRITORIAL_LEVEL, OrgKind, OrgStatus
from kejia.organizations.models import Filing, FilingStatus, Institution, Organization, encode_segment
from kejia.reference.models import Region

EDITABLE_FIELDS = [
    "name",
    "short_name",
    "code",
    "kind",
    "region",
    "founded_on",
    "term_start",
    "term_end",
    "fulltime_staff",
    "party_coverage",
    "society_class",
    "is_independent_unit",
    "has_party_group",
    "leader_in_charge",
    "leader_in_contact",
    "is_legal_person",
    "uscc",
    "host",
    "address",
    "website",
    "description",
]
# Set by the services themselves (the path from the parent), never from input.
UNCHECKED_FIELDS = ("path", "parent")


def _check_placement(*, kind: str, parent: Organization | None, region: Region | None) -> None:
    level = TERRITORIAL_LEVEL.get(kind)
    if kind in TERRITORIAL_LEVEL and kind != OrgKind.NATIONAL_ASSOCIATION:
        if region is None or region.level != level:
            raise DomainError("region_level", _("This kind of association must be placed on a region of its own level."), field="region")
    if region is not None and parent is not None and parent.region_id and not region.path.startswith(parent.region.path):
        raise DomainError("region_outside_parent", _("The region lies outside the region of the guiding organization."), field="region")
    if kind == OrgKind.NATIONAL_ASSOCIATION and parent is not None:
        raise DomainError("root_only", _("The national association has no guiding organization."), field="parent")
    if parent is None and kind != OrgKind.NATIONAL_ASSOCIATION and kind != OrgKind.PROVINCIAL_ASSOCIATION:
        raise DomainError("parent_required", _("Choose the guiding organization."), field="parent")
    if parent is not None and parent.status == OrgStatus.DISSOLVED:
        raise DomainError("parent_dissolved", _("A dissolved organization cannot guide new ones."), field="parent")


def _check_territorial_unique(*, kind: str, region: Region | None, exclude_pk: int | None = None) -> None:
    if kind not in TERRITORIAL_LEVEL or region is None:
        return
    clash = Organization.objects.filter(kind=kind, region=region).exclude(status=OrgStatus.DISSOLVED)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError("territorial_duplicate", _("This region already has an association of this kind."), field="region")


@transaction.atomic
def create_organization(
    *,
    actor,
    parent: Organization | None,
    name: str,
    code: str,
    kind: str,
    region: Region | None = None,
    disciplines: list | None = None,
    audit: bool = True,
    **fields: Any,
) -> Organization:
    if parent is None:
        if not scope.is_unrestricted(actor):
            raise PermissionDenied(_("Only a platform administrator can create a top-level organization."))
    elif not scope.can_manage(actor, parent):
        raise NotFound() if not scope.can_view(actor, parent) else PermissionDenied()
    _check_placement(kind=kind, parent=parent, region=region)
    _check_territorial_unique(kind=kind, region=region)
    org = Organization(parent=parent, name=name.strip(), code=code.strip(), kind=kind, region=region, **fields)
    org.path = "~"  # placeholder until the id is known
    validate_row(org, exclude=UNCHECKED_FIELDS)
    org.save()
    org.path = (parent.path if parent else "") + encode_segment(org.pk)
    org.depth = parent.depth + 1 if parent else 0
    Organization.objects.filter(pk=org.pk).update(path=org.path, depth=org.depth)
    if disciplines:
        org.disciplines.set(disciplines)
    if audit:
        record_event(actor=actor, action="organization.created", obj=org, organization=org, new=snapshot(org, ["parent", *EDITABLE_FIELDS, "status"]))
    return org


@transaction.atomic
def update_organization(org: Organization, *, actor, disciplines: list | None = None, **changes: Any) -> Organization:
    if not scope.can_manage(actor, org):
        raise NotFound() if not scope.can_view(actor, org) else PermissionDenied()
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError("unknown_field", _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    org = Organization.objects.select_for_update().get(pk=org.pk)
    old_disciplines = sorted(org.disciplines.values_list("code", flat=True))

    def check(org: Organization) -> None:
        if "kind" in changes or "region" in changes:
            _check_placement(kind=org.kind, parent=org.parent, region=org.region)
            _check_territorial_unique(kind=org.kind, region=org.region, exclude_pk=org.pk)

    old, new = update_row(org, changes, audit_view=lambda org: snapshot(org, EDITABLE_FIELDS), check=check, exclude=UNCHECKED_FIELDS)
    if disciplines is not None:
        org.disciplines.set(disciplines)
        new_disciplines = sorted(org.disciplines.values_list("code", flat=True))
        if new_disciplines != old_disciplines:
            old["disciplines"], new["disciplines"] = old_disciplines, new_disciplines
    if new:
        record_event(actor=actor, action="organization.updated", obj=org, organization=org, old=old, new=new)
    return org


@transaction.atomic
def change_organization_status(org: Organization, *, actor, status: str, reason: str = "") -> Organization:
    if not scope.can_manage(actor, org):
        raise NotFound() if not scope.can_view(actor, org) else PermissionDenied()
    org = Organization.objects.select_for_update().get(pk=org.pk)
    if status not in STATUS_TRANSITIONS.get(org.status, ()):
        raise IllegalTransition(
            "illegal_status",
            _("An organization that is “%(old)s” cannot become “%(new)s”.")
            % {"old": OrgStatus(org.status).label, "new": OrgStatus(status).label if status in OrgStatus.values else status},
        )
    if status == OrgStatus.DISSOLVED and org.children.exclude(status=OrgStatus.DISSOLVED).exists():
        raise DomainError("has_children", _("Dissolve or move the organizations under it first."), field="status")
    old = org.status
    org.status = status
    org.save(update_fields=["status", "updated_at"])
    record_event(actor=actor, action="organization.status_changed", obj=org, organization=org, old={"status": old}, new={"status": status, "reason": reason})
    return org


@transaction.atomic
def move_organization(org: Organization, *, actor, new_parent: Organization) -> Organization:
    """Re-parent a subtree: one UPDATE rewrites every descendant's path."""
    if not (scope.can_manage(actor, org) and scope.can_manage(actor, new_parent)):
        raise NotFound() if not (scope.can_view(actor, org) and scope.can_view(actor, new_parent)) else PermissionDenied()
    if org.parent_id is None:
        raise DomainError("root_move", _("The top of the tree cannot be moved."), field="parent")
    if new_parent.path.startswith(org.path):
        raise DomainError("cycle", _("An organization cannot be placed under itself or one of its own branches."), field="parent")
    _check_placement(kind=org.kind, parent=new_parent, region=org.region)
    old_parent_id, old_path = org.parent_id, org.path
    new_path = new_parent.path + encode_segment(org.pk)
    delta = new_parent.depth + 1 - org.depth
    Organization.objects.filter(path__descends=old_path).update(path=Concat(Value(new_path), Substr("path", len(old_path) + 1)), depth=F("depth") + delta)
    Organization.objects.filter(pk=org.pk).update(parent=new_parent, updated_at=timezone.now())
    org.refresh_from_db()
    record_event(actor=actor, action="organization.moved", obj=org, organization=org, old={"parent": old_parent_id}, new={"parent": new_parent.pk})
    return org


# ---- Filing (备案) -------------------------------------------------------------------------

FILING_FIELDS = ["name", "kind", "parent", "region", "host_name", "host_uscc", "founded_on", "member_count", "chair_name", "contact_name", "charter_summary"]


def _validate_filing(data: dict[str, Any], *, filing_pk: int | None = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for required in ("name", "host_name", "chair_name", "contact_name"):
        if not str(data.get(required) or "").strip():
            errors[required] = [str(_("This field is required."))]
    for name in ("name", "host_name", "chair_name", "contact_name"):
        limit = Filing._meta.get_field(name).max_length
        if len(str(data.get(name) or "").strip()) > limit:
            errors[name] = [str(_("At most %(n)d characters.") % {"n": limit})]
    if data.get("kind") not in FILABLE_KINDS:
        errors["kind"] = [str(_("Online filing is for enterprise and park associations."))]
    try:
        data["host_uscc"] = validate_uscc(data.get("host_uscc") or "")
    except ValidationError as exc:
        errors["host_uscc"] = exc.messages
    try:
        data["contact_phone"] = validate_phone(data.get("contact_phone") or "")
    except ValidationError as exc:
        errors["contact_phone"] = exc.messages
    founded = data.get("founded_on")
    if not isinstance(founded, datetime.date):
        errors["founded_on"] = [str(_("Enter the founding date."))]
    elif founded > timezone.localdate():
        errors["founded_on"] = [str(_("The founding date cannot be in the future."))]
    count = data.get("member_count")
    if not isinstance(count, int) or count < 1:
        errors["member_count"] = [str(_("Enter the number of S&T workers (at least 1)."))]
    parent, region = data.get("parent"), data.get("region")
    if parent is None:
        errors["parent"] = [str(_("Choose the guiding association."))]
    elif parent.status != OrgStatus.ACTIVE or parent.kind not in TERRITORIAL_LEVEL:
        errors["parent"] = [str(_("Choose an active territorial association as the guiding association."))]
    if region is None:
        errors["region"] = [str(_("Choose the region."))]
    elif parent is not None and parent.region_id and not region.path.startswith(parent.region.path):
        errors["region"] = [str(_("The region lies outside the region of the guiding association."))]
    if errors:
        raise ValidationFailed(errors)
    if Organization.objects.filter(host__uscc=data["host_uscc"], kind=data["kind"]).exclude(status=OrgStatus.DISSOLVED).exists():
        raise DomainError("host_has_association", _("This host unit already has an association of this kind."), field="host_uscc")
    pending = Filing.objects.filter(host_uscc=data["host_uscc"], kind=data["kind"], status=FilingStatus.SUBMITTED)
    if pending.exclude(pk=filing_pk).exists():
        raise DomainError("filing_pending", _("A filing for this host unit is already waiting for a decision."), field="host_uscc")
    return data


def _apply_filing_data(filing: Filing, data: dict[str, Any]) -> None:
    for key in FILING_FIELDS:
        value = data.get(key)
        if value is None and key in ("charter_summary",):
            value = ""
        setattr(filing, key, value.strip() if isinstance(value, str) else value)
    filing.contact_phone_sealed = pii.encrypt(data["contact_phone"])
    filing.host = Institution.objects.filter(uscc=data["host_uscc"]).first()


@transaction.atomic
def submit_filing(*, actor, **data: Any) -> Filing:
    """Anyone logged in may file on behalf of the founders; the guiding association decides."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    data = _validate_filing(data)
    filing = Filing(submitted_by=actor, submitted_at=timezone.now(), status=FilingStatus.SUBMITTED)
    _apply_filing_data(filing, data)
    filing.save()
    record_event(
        actor=actor,
        action="filing.submitted",
        obj=filing,
        organization=filing.parent,
        new={**snapshot(filing, FILING_FIELDS), "contact_phone": pii.mask_phone(data["contact_phone"])},
    )
    return filing


def can_edit_filing(user, filing: Filing) -> bool:
    return filing.submitted_by_id == user.pk and filing.status in (FilingStatus.SUBMITTED, FilingStatus.RETURNED)


def can_decide_filing(user, filing: Filing) -> bool:
    return scope.can_manage(user, filing.parent) and filing.submitted_by_id != user.pk


def _locked_filing(filing: Filing) -> Filing:
    return Filing.objects.select_for_update().select_related("parent", "region").get(pk=filing.pk)


def _own_filing(filing: Filing, actor) -> None:
    """Only the submitter changes or withdraws a filing; staff who can see it get 403, others 404."""
    if filing.submitted_by_id == actor.pk:
        return
    if scope.can_view(actor, filing.parent):
        raise PermissionDenied(_("Only the person who submitted the filing can change or withdraw it."))
    raise NotFound()


@transaction.atomic
def resubmit_filing(filing: Filing, *, actor, **data: Any) -> Filing:
    filing = _locked_filing(filing)
    _own_filing(filing, actor)
    if filing.status != FilingStatus.RETURNED:
        raise IllegalTransition("not_returned", _("Only a returned filing can be changed and sent again."))
    before = snapshot(filing, FILING_FIELDS)
    if not (data.get("contact_phone") or "").strip():
        data["contact_phone"] = pii.decrypt(filing.contact_phone_sealed)  # kept unless retyped
    data = _validate_filing(data, filing_pk=filing.pk)
    _apply_filing_data(filing, data)
    filing.status, filing.submitted_at = FilingStatus.SUBMITTED, timezone.now()
    filing.save()
    old, new = changed(before, snapshot(filing, FILING_FIELDS))
    record_event(
        actor=actor,
        action="filing.resubmitted",
        obj=filing,
        organization=filing.parent,
        old={**old, "status": FilingStatus.RETURNED},
        new={**new, "status": FilingStatus.SUBMITTED},
    )
    return filing


@transaction.atomic
def withdraw_filing(filing: Filing, *, actor) -> Filing:
    filing = _locked_filing(filing)
    _own_filing(filing, actor)
    if filing.status not in (FilingStatus.SUBMITTED, FilingStatus.RETURNED):
        raise IllegalTransition("not_open", _("This filing has already been decided."))
    old = filing.status
    filing.status = FilingStatus.WITHDRAWN
    filing.save(update_fields=["status", "updated_at"])
    record_event(actor=actor, action="filing.withdrawn", obj=filing, organization=filing.parent, old={"status": old}, new={"status": filing.status})
    return filing


def _decidable(filing: Filing, actor) -> Filing:
    filing = _locked_filing(filing)
    if filing.submitted_by_id == actor.pk:
        raise PermissionDenied(_("A filing is decided by someone other than the person who submitted it."))
    if not scope.can_view(actor, filing.parent):
        raise NotFound()
    if not scope.can_manage(actor, filing.parent):
        raise PermissionDenied()
    if filing.status != FilingStatus.SUBMITTED:
        raise IllegalTransition("not_submitted", _("Only a submitted filing can be approved or returned."))
    return filing


@transaction.atomic
def approve_filing(filing: Filing, *, actor, code: str = "") -> Filing:
    """Approval creates the association under the guiding one, tied to its host unit."""
    filing = _decidable(filing, actor)
    host = filing.host
    if host is None:
        from kejia.organizations.kinds import InstitutionKind

        host = Institution.objects.create(
            name=filing.host_name,
            uscc=filing.host_uscc,
            region=filing.region,
            kind=InstitutionKind.PARK if filing.kind == OrgKind.PARK_ASSOCIATION else InstitutionKind.ENTERPRISE,
        )
    org = create_organization(
        actor=actor,
        parent=filing.parent,
        name=filing.name,
        kind=filing.kind,
        region=filing.region,
        code=code or f"F{filing.pk:06d}",
        founded_on=filing.founded_on,
        host=host,
        audit=False,
    )
    filing.status, filing.decided_by, filing.decided_at = FilingStatus.APPROVED, actor, timezone.now()
    filing.organization, filing.host = org, host
    filing.save()
    record_event(
        actor=actor,
        action="filing.approved",
        obj=filing,
        organization=filing.parent,
        old={"status": FilingStatus.SUBMITTED},
        new={"status": FilingStatus.APPROVED, "organization": org.pk},
    )
    record_event(
        actor=actor,
        action="organization.created",
        obj=org,
        organization=org,
        new={**snapshot(org, ["parent", *EDITABLE_FIELDS, "status"]), "filing": filing.pk},
    )
    return filing


@transaction.atomic
def return_filing(filing: Filing, *, actor, reason: str) -> Filing:
    if not (reason or "").strip():
        raise DomainError("reason_required", _("Say why the filing is returned, so the founders can fix it."), field="reason")
    filing = _decidable(filing, actor)
    filing.status, filing.decided_by, filing.decided_at = FilingStatus.RETURNED, actor, timezone.now()
    filing.return_reason = reason.strip()
    filing.save()
    record_event(
        actor=actor,
        action="filing.returned",
        obj=filing,
        organization=filing.parent,
        old={"status": FilingStatus.SUBMITTED},
        new={"status": FilingStatus.RETURNED, "reason": filing.return_reason},
    )
    return filing
