"""Writes of the governance domain: bodies, terms, seats (attributes copied at seating), rule sets
and their assignments, draft slates, contact duties and visits, term reminders. Each runs in one
transaction and writes an audit event."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.accounts.models import Role, RoleKind
from kejia.core.audit import changed, record_event, snapshot
from kejia.core.errors import DomainError, PermissionDenied, ValidationFailed
from kejia.core.notify import notify
from kejia.core.ratios import parse_fraction
from kejia.governance import access, verdicts
from kejia.governance.choices import PARAM_MEASURES, SHARE_MEASURES, BodyKind, Comparison, ContactForm, Measure, OfficialStatus, SeatRole
from kejia.governance.models import (
    Body,
    ContactAssignment,
    ContactVisit,
    DeclaredPost,
    Rule,
    RuleSet,
    RuleSetAssignment,
    Seat,
    Slate,
    SlateEntry,
    Term,
)
from kejia.organizations.kinds import OrgKind
from kejia.people.choices import PersonStatus

# The rule's columns (audit snapshots) and what a form or the API sends: a threshold and a baseline
# as written ("2/3", "75%", "0.75"), kept as the fraction p/q.
RULE_FIELDS = [
    "body_kinds",
    "org_kinds",
    "measure",
    "param",
    "param_local",
    "comparison",
    "threshold_num",
    "threshold_den",
    "baseline_num",
    "baseline_den",
    "against_previous",
    "is_target",
    "note",
    "sort",
]
RULE_INPUTS = [
    "body_kinds",
    "org_kinds",
    "measure",
    "param",
    "param_local",
    "comparison",
    "threshold",
    "baseline",
    "against_previous",
    "is_target",
    "note",
    "sort",
]
RULESET_FIELDS = ["name", "jurisdiction", "source", "document", "description", "is_active"]


def _today() -> datetime.date:
    return timezone.localdate()


def _require_manager(org, actor) -> None:
    if not scope.can_manage(actor, org):
        raise PermissionDenied(_("Only the organization's staff may do this."))


def _date(value: Any, field: str, *, required: bool = True) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if value in (None, ""):
        if required:
            raise DomainError("required", _("Enter a date."), field=field)
        return None
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError("invalid_date", _("Enter a date as YYYY-MM-DD."), field=field) from None


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# ---- bodies and terms -------------------------------------------------------------------------


@transaction.atomic
def create_body(org, *, actor, kind: str, name: str = "", term_years: int = 5) -> Body:
    _require_manager(org, actor)
    if kind not in BodyKind.values:
        raise DomainError("invalid_kind", _("Choose a kind of body from the list."), field="kind")
    try:
        term_years = int(term_years)
    except (TypeError, ValueError):
        raise DomainError("invalid", _("Enter a whole number."), field="term_years") from None
    if not 1 <= term_years <= 10:
        raise DomainError("invalid", _("A term lasts 1 to 10 years."), field="term_years")
    if Body.objects.filter(organization=org, kind=kind).exists():
        raise DomainError("duplicate_body", _("This organization already has a body of this kind."), field="kind")
    body = Body.objects.create(organization=org, kind=kind, name=(name or "").strip()[:128], term_years=term_years)
    record_event(actor=actor, action="body.created", obj=body, organization=org, new={"kind": kind, "name": body.name})
    return body


@transaction.atomic
def start_term(body: Body, *, actor, start: Any, planned_end: Any = None, number: int | None = None) -> Term:
    """Open the next term (换届). The current term, if any, ends the day the new one starts."""
    _require_manager(body.organization, actor)
    start = _date(start, "start")
    planned_end = _date(planned_end, "planned_end", required=False) or add_years(start, body.term_years)
    if planned_end <= start:
        raise DomainError("invalid_dates", _("The planned end must come after the start."), field="planned_end")
    current = Term.objects.select_for_update().filter(body=body, actual_end__isnull=True).first()
    if current is not None:
        if start <= current.start:
            raise DomainError("invalid_dates", _("The new term must start after the current one (%(date)s).") % {"date": current.start}, field="start")
        current.actual_end = start
        current.save(update_fields=["actual_end", "updated_at"])
        Seat.objects.filter(term=current, end__isnull=True).update(end=start)
        verdicts.inputs_changed()  # update() sends no signal: the cached compliance follows
    last = Term.objects.filter(body=body).order_by("-number").values_list("number", flat=True).first() or 0
    number = int(number) if number else last + 1
    if number <= last:
        raise DomainError("invalid_number", _("The term number must be greater than %(n)s.") % {"n": last}, field="number")
    term = Term.objects.create(body=body, number=number, start=start, planned_end=planned_end)
    record_event(
        actor=actor,
        action="term.started",
        obj=term,
        organization=body.organization,
        new={"number": number, "start": start, "planned_end": planned_end, "previous_ended": current.pk if current else None},
    )
    return term


@transaction.atomic
def end_term(term: Term, *, actor, actual_end: Any) -> Term:
    _require_manager(term.body.organization, actor)
    actual_end = _date(actual_end, "actual_end")
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.actual_end is not None:
        raise DomainError("term_ended", _("This term has already ended."))
    if actual_end <= term.start:
        raise DomainError("invalid_dates", _("A term ends after it starts."), field="actual_end")
    term.actual_end = actual_end
    term.save(update_fields=["actual_end", "updated_at"])
    Seat.objects.filter(term=term, end__isnull=True).update(end=actual_end)
    verdicts.inputs_changed()  # update() sends no signal: the cached compliance follows
    record_event(actor=actor, action="term.ended", obj=term, organization=term.body.organization, new={"actual_end": actual_end})
    return term


@transaction.atomic
def seat_person(term: Term, *, actor, person, role: str = SeatRole.MEMBER, start: Any = None, official: str = "") -> Seat:
    """Seat a person from the talent database; what rules read is copied from the profile now."""
    org = term.body.organization
    _require_manager(org, actor)
    if term.actual_end is not None:
        raise DomainError("term_ended", _("This term has ended; seat people in the current term."))
    if role not in SeatRole.values:
        raise DomainError("invalid_role", _("Choose a role from the list."), field="role")
    if official not in OfficialStatus.values:
        raise DomainError("invalid_official", _("Choose from the list."), field="official")
    if person.status != PersonStatus.ACTIVE:
        raise DomainError("person_inactive", _("This profile is no longer active."), field="person")
    start = _date(start, "start", required=False) or max(term.start, _today())
    if start < term.start or start > term.planned_end + datetime.timedelta(days=3650):
        raise DomainError("invalid_dates", _("The seat must start within the term (from %(date)s).") % {"date": term.start}, field="start")
    seat = Seat(
        term=term,
        person=person,
        role=role,
        start=start,
        official=official,
        is_frontline=person.is_frontline,
        birth_date=person.birth_date,
        gender=person.gender,
        sector=person.sector,
    )
    try:
        with transaction.atomic():
            seat.save()
    except IntegrityError:
        raise DomainError("already_seated", _("This person already has a seat in this term."), field="person") from None
    record_event(actor=actor, action="seat.added", obj=seat, organization=org, new={"person": person.pk, "role": role, "start": start, "official": official})
    return seat


@transaction.atomic
def unseat(seat: Seat, *, actor, end: Any = None, reason: str = "") -> Seat:
    org = seat.term.body.organization
    _require_manager(org, actor)
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    if seat.end is not None:
        raise DomainError("seat_ended", _("This seat is already vacated."))
    end = _date(end, "end", required=False) or _today()
    if end < seat.start:
        raise DomainError("invalid_dates", _("A seat is vacated after it starts."), field="end")
    seat.end = end
    seat.save(update_fields=["end", "updated_at"])
    record_event(actor=actor, action="seat.vacated", obj=seat, organization=org, new={"end": end, "reason": (reason or "")[:200]})
    return seat


# ---- officials' posts: approval (经批准) and posts held outside the tree (003 三.3) -----------------


def _approval(approved_on: Any, approved_by: str) -> tuple[datetime.date, str]:
    day = _date(approved_on, "approved_on")
    if day > _today():
        raise DomainError("invalid_dates", _("The date cannot be in the future."), field="approved_on")
    body = (approved_by or "").strip()
    if not body:
        raise DomainError("required", _("Name the body that approved the post."), field="approved_by")
    return day, body[:128]


@transaction.atomic
def record_post_approval(seat: Seat, *, actor, approved_on: Any, approved_by: str) -> Seat:
    """Record that an official's post was approved: when and by which body."""
    org = seat.term.body.organization
    _require_manager(org, actor)
    day, body = _approval(approved_on, approved_by)
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    old = {"approved_on": seat.approved_on, "approved_by": seat.approved_by}
    seat.approved_on, seat.approved_by = day, body
    seat.save(update_fields=["approved_on", "approved_by", "updated_at"])
    record_event(actor=actor, action="seat.post_approved", obj=seat, organization=org, old=old, new={"approved_on": day, "approved_by": body})
    return seat


@transaction.atomic
def declare_post(seat: Seat, *, actor, organization_name: str, post: str, start: Any = None, approved_on: Any = None, approved_by: str = "") -> DeclaredPost:
    """A post the seat's holder has in a social organization outside the tree; it counts toward the
    one post an official may hold. Declared by the staff of the seat's organization."""
    org = seat.term.body.organization
    _require_manager(org, actor)
    name, title = (organization_name or "").strip(), (post or "").strip()
    errors = {f: [gettext("This field is required.")] for f, v in (("organization_name", name), ("post", title)) if not v}
    if errors:
        raise ValidationFailed(errors)
    start = _date(start, "start", required=False)
    day, body = (None, "")
    if approved_on not in (None, "") or (approved_by or "").strip():
        day, body = _approval(approved_on, approved_by)
    declared = DeclaredPost.objects.create(
        person=seat.person, declared_by=org, organization_name=name[:128], post=title[:64], start=start, approved_on=day, approved_by=body
    )
    record_event(
        actor=actor,
        action="post.declared",
        obj=declared,
        organization=org,
        new={"person": seat.person_id, "organization_name": declared.organization_name, "post": declared.post, "approved_on": day, "approved_by": body},
    )
    return declared


@transaction.atomic
def approve_declared_post(declared: DeclaredPost, *, actor, approved_on: Any, approved_by: str) -> DeclaredPost:
    _require_manager(declared.declared_by, actor)
    day, body = _approval(approved_on, approved_by)
    old = {"approved_on": declared.approved_on, "approved_by": declared.approved_by}
    declared.approved_on, declared.approved_by = day, body
    declared.save(update_fields=["approved_on", "approved_by", "updated_at"])
    record_event(actor=actor, action="post.approved", obj=declared, organization=declared.declared_by, old=old, new={"approved_on": day, "approved_by": body})
    return declared


@transaction.atomic
def end_declared_post(declared: DeclaredPost, *, actor, end: Any = None) -> DeclaredPost:
    _require_manager(declared.declared_by, actor)
    if declared.end is not None:
        raise DomainError("ended", _("This post has already ended."))
    day = _date(end, "end", required=False) or _today()
    if declared.start and day < declared.start:
        raise DomainError("invalid_dates", _("A post ends after it starts."), field="end")
    declared.end = day
    declared.save(update_fields=["end", "updated_at"])
    record_event(actor=actor, action="post.ended", obj=declared, organization=declared.declared_by, new={"end": day})
    return declared


# ---- rule sets --------------------------------------------------------------------------------


def _kinds(value: Any, allowed: list[str]) -> list[str] | None:
    if isinstance(value, str):
        value = [v.strip() for v in value.replace(",", " ").split() if v.strip()]
    if not isinstance(value, (list, tuple)) or not value or any(v not in allowed for v in value):
        return None
    return list(dict.fromkeys(value))


def _clean_rule(data: dict[str, Any]) -> dict[str, Any]:
    """Form or API input → the rule's columns; every field at fault is named at once."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name not in RULE_INPUTS:
            raise DomainError("unknown_field", _("Unknown field: %(name)s") % {"name": name}, field=name)
        if name == "body_kinds":
            if (value := _kinds(value, BodyKind.values)) is None:
                errors[name] = [gettext("Choose one or more kinds of body.")]
                continue
        elif name == "org_kinds":
            if (value := _kinds(value, OrgKind.values)) is None:
                errors[name] = [gettext("Choose one or more kinds of organization.")]
                continue
        elif name == "measure":
            if value not in Measure.values:
                errors[name] = [gettext("Choose a measure from the list.")]
                continue
        elif name == "comparison":
            if value not in Comparison.values:
                errors[name] = [gettext("Choose at least, at most or more than.")]
                continue
        elif name in ("threshold", "baseline"):
            if name == "baseline" and value in (None, ""):
                out["baseline_num"] = out["baseline_den"] = None
                continue
            try:
                p, q = parse_fraction(str(value))
            except ValueError:
                # xgettext:no-python-format
                errors[name] = [gettext("Enter a fraction, a percentage or a number, e.g. 2/3, 75% or 70.")]
                continue
            if p > 100000 or q > 1000000:
                errors[name] = [gettext("This number is out of range.")]
                continue
            out[f"{name}_num"], out[f"{name}_den"] = p, q
            continue
        elif name in ("param", "sort"):
            if value in (None, ""):
                value = None if name == "param" else 0
            else:
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    errors[name] = [gettext("Enter a whole number.")]
                    continue
                if not 0 <= value <= 150:
                    errors[name] = [gettext("This number is out of range.")]
                    continue
        elif name in ("is_target", "param_local", "against_previous"):
            value = bool(value)
        else:
            value = (value or "").strip()[:255]
        out[name] = value
    measure = out.get("measure", data.get("measure"))
    if measure in PARAM_MEASURES and "param" in out and out["param"] is None:
        errors["param"] = [gettext("This measure needs an age.")]
    if out.get("against_previous") and measure not in SHARE_MEASURES:
        errors["against_previous"] = [gettext("Only a share can be compared with the previous term.")]
    if errors:
        raise ValidationFailed(errors)
    return out


@transaction.atomic
def create_ruleset(*, actor, name: str, jurisdiction: str, source: str, document: str = "", description: str = "") -> RuleSet:
    access.require_rule_editor(actor)
    name, jurisdiction, source = (name or "").strip(), (jurisdiction or "").strip(), (source or "").strip()
    errors = {f: [gettext("This field is required.")] for f, v in (("name", name), ("jurisdiction", jurisdiction), ("source", source)) if not v}
    if errors:
        raise ValidationFailed(errors)
    if RuleSet.objects.filter(name=name).exists():
        raise DomainError("duplicate", _("A rule set with this name exists."), field="name")
    ruleset = RuleSet.objects.create(
        name=name[:64], jurisdiction=jurisdiction[:128], source=source[:255], document=(document or "").strip()[:255], description=description or ""
    )
    record_event(actor=actor, action="ruleset.created", obj=ruleset, new=snapshot(ruleset, RULESET_FIELDS))
    return ruleset


@transaction.atomic
def update_ruleset(ruleset: RuleSet, *, actor, **changes: Any) -> RuleSet:
    access.require_rule_editor(actor)
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    old = snapshot(ruleset, RULESET_FIELDS)
    for name, value in changes.items():
        if name not in RULESET_FIELDS:
            raise DomainError("unknown_field", _("Unknown field: %(name)s") % {"name": name}, field=name)
        if name == "is_active":
            value = bool(value)
        else:
            value = (value or "").strip()
            if name not in ("description", "document") and not value:
                raise DomainError("required", _("This field is required."), field=name)
            if name == "name" and RuleSet.objects.filter(name=value).exclude(pk=ruleset.pk).exists():
                raise DomainError("duplicate", _("A rule set with this name exists."), field="name")
        setattr(ruleset, name, value)
    ruleset.save()
    before, after = changed(old, snapshot(ruleset, RULESET_FIELDS))
    if after:
        record_event(actor=actor, action="ruleset.updated", obj=ruleset, old=before, new=after)
    return ruleset


@transaction.atomic
def add_rule(ruleset: RuleSet, *, actor, **data: Any) -> Rule:
    access.require_rule_editor(actor)
    for required in ("body_kinds", "org_kinds", "measure", "comparison", "threshold"):
        data.setdefault(required, "")
    rule = Rule.objects.create(ruleset=ruleset, **_clean_rule(data))
    record_event(actor=actor, action="rule.added", obj=ruleset, new={"rule": rule.pk, **snapshot(rule, RULE_FIELDS)})
    return rule


@transaction.atomic
def update_rule(rule: Rule, *, actor, **data: Any) -> Rule:
    access.require_rule_editor(actor)
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    old = snapshot(rule, RULE_FIELDS)
    for name, value in _clean_rule({"measure": rule.measure, **data}).items():
        setattr(rule, name, value)
    if rule.measure in PARAM_MEASURES and rule.param is None:
        raise DomainError("param_required", _("This measure needs an age."), field="param")
    if rule.against_previous and rule.measure not in SHARE_MEASURES:
        raise DomainError("invalid", _("Only a share can be compared with the previous term."), field="against_previous")
    rule.save()
    before, after = changed(old, snapshot(rule, RULE_FIELDS))
    if after:
        record_event(actor=actor, action="rule.updated", obj=rule.ruleset, old={"rule": rule.pk, **before}, new={"rule": rule.pk, **after})
    return rule


@transaction.atomic
def delete_rule(rule: Rule, *, actor) -> None:
    access.require_rule_editor(actor)
    record_event(actor=actor, action="rule.deleted", obj=rule.ruleset, old={"rule": rule.pk, **snapshot(rule, RULE_FIELDS)})
    rule.delete()


@transaction.atomic
def assign_ruleset(ruleset: RuleSet, org, *, actor, include_subtree: bool = True) -> RuleSetAssignment:
    """An organization's administrators choose the rule sets that apply to it (and below)."""
    if not scope.can_administer(actor, org):
        raise PermissionDenied(_("Only the organization's administrators assign rule sets."))
    assignment, created = RuleSetAssignment.objects.update_or_create(ruleset=ruleset, organization=org, defaults={"include_subtree": bool(include_subtree)})
    record_event(
        actor=actor,
        action="ruleset.assigned",
        obj=assignment,
        organization=org,
        new={"ruleset": ruleset.name, "include_subtree": assignment.include_subtree, "created": created},
    )
    return assignment


@transaction.atomic
def unassign_ruleset(assignment: RuleSetAssignment, *, actor) -> None:
    if not scope.can_administer(actor, assignment.organization):
        raise PermissionDenied(_("Only the organization's administrators assign rule sets."))
    record_event(actor=actor, action="ruleset.unassigned", obj=assignment, organization=assignment.organization, old={"ruleset": assignment.ruleset.name})
    assignment.delete()


# ---- what-if slates ---------------------------------------------------------------------------


@transaction.atomic
def create_slate(body: Body, *, actor, name: str, planned_start: Any = None, from_current: bool = True) -> Slate:
    """A draft of the next term; by default it starts as a copy of the current term's seats."""
    _require_manager(body.organization, actor)
    current = Term.objects.filter(body=body, actual_end__isnull=True).first()
    planned_start = _date(planned_start, "planned_start", required=False) or (current.planned_end if current else _today())
    name = (name or "").strip()[:128] or gettext("Next term")
    slate = Slate.objects.create(body=body, name=name, planned_start=planned_start, created_by=actor if getattr(actor, "pk", None) else None)
    if from_current and current is not None:
        seats = Seat.objects.filter(term=current, end__isnull=True).select_related("person").filter(person__status=PersonStatus.ACTIVE)
        SlateEntry.objects.bulk_create([SlateEntry(slate=slate, person=s.person, role=s.role, official=s.official) for s in seats], ignore_conflicts=True)
    record_event(actor=actor, action="slate.created", obj=slate, organization=body.organization, new={"name": name})
    return slate


@transaction.atomic
def add_slate_entry(slate: Slate, *, actor, person, role: str = SeatRole.MEMBER, official: str = "") -> SlateEntry:
    _require_manager(slate.body.organization, actor)
    if role not in SeatRole.values:
        raise DomainError("invalid_role", _("Choose a role from the list."), field="role")
    if official not in OfficialStatus.values:
        raise DomainError("invalid_official", _("Choose from the list."), field="official")
    entry, _created = SlateEntry.objects.update_or_create(slate=slate, person=person, defaults={"role": role, "official": official})
    record_event(
        actor=actor, action="slate.entry_set", obj=slate, organization=slate.body.organization, new={"person": person.pk, "role": role, "official": official}
    )
    return entry


@transaction.atomic
def remove_slate_entry(entry: SlateEntry, *, actor) -> None:
    _require_manager(entry.slate.body.organization, actor)
    record_event(
        actor=actor,
        action="slate.entry_removed",
        obj=entry.slate,
        organization=entry.slate.body.organization,
        old={"person": entry.person_id, "role": entry.role},
    )
    entry.delete()


@transaction.atomic
def delete_slate(slate: Slate, *, actor) -> None:
    _require_manager(slate.body.organization, actor)
    record_event(actor=actor, action="slate.deleted", obj=slate, organization=slate.body.organization, old={"name": slate.name})
    slate.delete()


# ---- contact duties ---------------------------------------------------------------------------


@transaction.atomic
def assign_contact(*, actor, assigned_by, leader, organization, since: Any = None) -> ContactAssignment:
    """A leader of `assigned_by` (e.g. a standing-committee member of the provincial association)
    keeps contact with `organization`, which must lie below it (a society, a county association)."""
    _require_manager(assigned_by, actor)
    if not organization.path.startswith(assigned_by.path) or organization.pk == assigned_by.pk:
        raise DomainError("not_below", _("Choose an organization below the one assigning the duty."), field="organization")
    since = _date(since, "since", required=False) or _today()
    try:
        with transaction.atomic():
            duty = ContactAssignment.objects.create(leader=leader, assigned_by=assigned_by, organization=organization, since=since)
    except IntegrityError:
        raise DomainError("already_assigned", _("This leader already keeps contact with this organization."), field="leader") from None
    record_event(
        actor=actor, action="contact.assigned", obj=duty, organization=assigned_by, new={"leader": leader.pk, "organization": organization.pk, "since": since}
    )
    return duty


@transaction.atomic
def end_contact(duty: ContactAssignment, *, actor, until: Any = None) -> ContactAssignment:
    _require_manager(duty.assigned_by, actor)
    if duty.until is not None:
        raise DomainError("ended", _("This contact duty has already ended."))
    duty.until = _date(until, "until", required=False) or _today()
    if duty.until < duty.since:
        raise DomainError("invalid_dates", _("A duty ends after it starts."), field="until")
    duty.save(update_fields=["until", "updated_at"])
    record_event(actor=actor, action="contact.ended", obj=duty, organization=duty.assigned_by, new={"until": duty.until})
    return duty


@transaction.atomic
def log_visit(duty: ContactAssignment, *, actor, date: Any, form: str = ContactForm.VISIT, notes: str = "", issues: str = "") -> ContactVisit:
    """Staff of the assigning organization, or the leader themselves, log a contact."""
    own = duty.leader.user_id is not None and duty.leader.user_id == getattr(actor, "pk", None)
    if not own:
        _require_manager(duty.assigned_by, actor)
    if duty.until is not None:
        raise DomainError("ended", _("This contact duty has ended; visits are logged on current duties."))
    date = _date(date, "date")
    if date > _today():
        raise DomainError("invalid_dates", _("The date cannot be in the future."), field="date")
    if form not in ContactForm.values:
        raise DomainError("invalid_form", _("Choose from the list."), field="form")
    visit = ContactVisit.objects.create(
        assignment=duty,
        date=date,
        form=form,
        notes=(notes or "").strip()[:5000],
        issues=(issues or "").strip()[:5000],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    record_event(
        actor=actor, action="contact.visit_logged", obj=duty, organization=duty.assigned_by, new={"date": date, "form": form, "issues": bool(visit.issues)}
    )
    return visit


# ---- term reminders ---------------------------------------------------------------------------


def send_term_reminders(*, today: datetime.date | None = None, within_days: int = 90) -> int:
    """Notify the staff of each organization whose body's term ends within `within_days` or is
    overdue (督促按时换届); once per planned end. Run daily (`manage.py term_reminders`)."""
    today = today or _today()
    horizon = today + datetime.timedelta(days=within_days)
    sent = 0
    terms = Term.objects.filter(actual_end__isnull=True, planned_end__lte=horizon).exclude(reminded_for=F("planned_end")).select_related("body__organization")
    for term in terms.iterator(chunk_size=500):
        org = term.body.organization
        with transaction.atomic():
            # reminded_for is not read by compliance: no new data version.
            if not Term.objects.filter(pk=term.pk).exclude(reminded_for=term.planned_end).update(reminded_for=term.planned_end):
                continue
            overdue = term.planned_end < today
            subject = (gettext("Overdue term change: %(body)s") if overdue else gettext("Term change due: %(body)s")) % {"body": term.body}
            body = gettext("Term %(n)s planned to end on %(date)s.") % {"n": term.number, "date": term.planned_end}
            for role in Role.objects.filter(organization=org, kind__in=(RoleKind.STAFF, RoleKind.ADMIN)).select_related("user"):
                notify(kind="term_reminder", subject=subject, body=body, user=role.user, email=role.user.email, link=f"/governance/bodies/{term.body_id}/")
            sent += 1
    return sent
