"""Governance as JSON: leadership bodies, terms and seats; composition compliance of a body, a
subtree and a draft slate (what-if); term alerts and concurrent posts; leaders' contact duties;
rule sets and where they apply. The same services and selectors as the pages.

Scope: bodies, terms, seats, slates and contact duties belong to an organization; outside the
caller's scope they are a 404, in scope without a staff role a write is a 403. Rule sets are
policy text every signed-in user reads; platform administrators and administrators of a top-level
organization edit them; an organization's administrators assign them. Ids in a body that name
nothing the caller may use are a 400 naming the field."""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from kejia.core.api import caller, fields_named, page_of
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError, NotFound
from kejia.governance import compliance, selectors, services
from kejia.governance.api_schemas import (
    AlertFilters,
    AlertsOut,
    AssignmentIn,
    AssignmentOut,
    BodyDetailOut,
    BodyIn,
    BodyOut,
    BodyReportOut,
    BodyReportPage,
    ComplianceFilters,
    ConcurrentPostsFilters,
    ConcurrentPostsPage,
    ContactCoveragePage,
    ContactDetailOut,
    ContactEndIn,
    ContactIn,
    CoverageFilters,
    DeclaredPostEndIn,
    DeclaredPostIn,
    DeclaredPostOut,
    ObjectId,
    PostApprovalIn,
    RuleIn,
    RuleOut,
    RulePatch,
    RuleSetDetailOut,
    RuleSetIn,
    RuleSetOut,
    RuleSetPatch,
    SeatApprovalOut,
    SeatIn,
    SeatOut,
    SeatPostsOut,
    SlateEntryIn,
    SlateEntryOut,
    SlateIn,
    SlateOut,
    SubtreeComplianceFilters,
    TermEndIn,
    TermIn,
    TermOut,
    VacateIn,
    VisitIn,
    VisitOut,
)
from kejia.governance.models import RuleSet, SlateEntry
from kejia.organizations import selectors as org_selectors
from kejia.organizations.models import Organization
from kejia.people import selectors as people_selectors
from kejia.people.models import Person

router = Router(tags=["governance"])


# ---- Input helpers -------------------------------------------------------------------------

# Services name model fields (`person`); bodies name ids (`person_id`).
FIELD_NAMES = {"person": "person_id", "leader": "leader_id", "organization": "organization_id"}


def _person(user, pk: int, *, field: str) -> Person:
    """A person named in a body: one's own profile or one in one's scope."""
    try:
        return people_selectors.get_person_for(user, pk)
    except NotFound:
        raise DomainError("unknown_person", _("No person with this id is within your reach."), field=field) from None


def _org_in_body(user, pk: int, *, field: str) -> Organization:
    org = org_selectors.visible_organizations(user).filter(pk=pk).first()
    if org is None:
        raise DomainError("unknown_organization", _("No organization with this id is within your reach."), field=field)
    return org


def _root(user, pk: int | None) -> Organization | None:
    """An organization in a query filter: outside the scope it is a 404, as on the pages."""
    return org_selectors.get_organization_for(user, pk) if pk else None


def _ruleset_name(name: str) -> str | None:
    name = (name or "").strip()
    if name and not RuleSet.objects.filter(name=name).exists():
        raise DomainError("unknown_ruleset", _("No rule set has this name."), field="ruleset")
    return name or None


def _without_nulls(data: dict[str, Any], nullable: set[str] = frozenset()) -> dict[str, Any]:
    for key, value in data.items():
        if value is None and key not in nullable:
            raise DomainError("required", _("This field cannot be empty."), field=key)
    return data


# ---- Bodies --------------------------------------------------------------------------------


@router.get("/governance/orgs/{id}/bodies", response=list[BodyOut], auth=AUTH, summary="An organization's leadership bodies")
def list_bodies(request, id: ObjectId):
    """Each with its current term (if any). Anyone whose scope covers the organization."""
    org = org_selectors.get_organization_for(caller(request), id)
    return list(selectors.bodies_of(org).select_related("organization"))


@router.post("/governance/orgs/{id}/bodies", response={201: BodyOut}, auth=AUTH, summary="Add a leadership body")
def create_body(request, id: ObjectId, payload: BodyIn):
    """Needs a staff role covering the organization; one body of each kind per organization."""
    user = caller(request)
    org = org_selectors.get_organization_for(user, id, manage=True)
    return Status(201, services.create_body(org, actor=user, kind=payload.kind.value, name=payload.name, term_years=payload.term_years))


@router.get("/governance/bodies/{id}", response=BodyDetailOut, auth=AUTH, summary="One leadership body")
def get_body(request, id: ObjectId):
    """With its current term and the seats held today: person (id and name), role, dates and the
    attributes copied when seated."""
    return selectors.get_body_for(caller(request), id)


@router.get("/governance/bodies/{id}/terms", response=list[TermOut], auth=AUTH, summary="A body's terms")
def list_terms(request, id: ObjectId):
    """Newest first, with the number of seats taken in each."""
    return list(selectors.terms_of(selectors.get_body_for(caller(request), id)))


@router.post("/governance/bodies/{id}/terms", response={201: TermOut}, auth=AUTH, summary="Start the next term (换届)")
def start_term(request, id: ObjectId, payload: TermIn):
    """The current term, if any, ends the day the new one starts and its seats are vacated."""
    user = caller(request)
    body = selectors.get_body_for(user, id, manage=True)
    return Status(201, services.start_term(body, actor=user, start=payload.start, planned_end=payload.planned_end, number=payload.number))


@router.post("/governance/terms/{id}/end", response=TermOut, auth=AUTH, summary="End a term")
def end_term(request, id: ObjectId, payload: TermEndIn):
    """Its open seats are vacated on the same day."""
    user = caller(request)
    return services.end_term(selectors.get_term_for(user, id, manage=True), actor=user, actual_end=payload.actual_end)


@router.post("/governance/terms/{id}/seats", response={201: SeatOut}, auth=AUTH, summary="Seat a person in a term")
def seat_person(request, id: ObjectId, payload: SeatIn):
    """The person comes from the talent database (in your reach); front-line, birth date, gender
    and sector are copied from the profile now."""
    user = caller(request)
    term = selectors.get_term_for(user, id, manage=True)
    person = _person(user, payload.person_id, field="person_id")
    with fields_named(FIELD_NAMES):
        seat = services.seat_person(term, actor=user, person=person, role=payload.role.value, start=payload.start, official=payload.official.value)
    return Status(201, seat)


@router.post("/governance/seats/{id}/vacate", response=SeatOut, auth=AUTH, summary="Vacate a seat")
def vacate_seat(request, id: ObjectId, payload: VacateIn | None = None):
    user = caller(request)
    payload = payload or VacateIn()
    return services.unseat(selectors.get_seat_for(user, id, manage=True), actor=user, end=payload.end, reason=payload.reason)


# ---- An official's posts: approval (经批准) and posts held outside the tree (003 三.3) ------------


@router.get("/governance/seats/{id}/posts", response=SeatPostsOut, auth=AUTH, summary="A seated official's approval and declared posts")
def seat_posts(request, id: ObjectId):
    """The seat's approval and the posts its holder declared in social organizations outside the
    tree (each counts toward the one post an official may hold). 404 outside your scope."""
    seat = selectors.get_seat_for(caller(request), id)
    return {
        "seat_id": seat.pk,
        "person": seat.person,
        "approved_on": seat.approved_on,
        "approved_by": seat.approved_by,
        "declared": list(selectors.declared_posts_of(seat.person_id)),
    }


@router.post("/governance/seats/{id}/approval", response=SeatApprovalOut, auth=AUTH, summary="Record the approval of a seat's post")
def seat_approval(request, id: ObjectId, payload: PostApprovalIn):
    """When and by which body the post was approved; replaces an earlier record (audited with both)."""
    user = caller(request)
    seat = services.record_post_approval(selectors.get_seat_for(user, id, manage=True), actor=user, **payload.dict())
    return {"id": seat.pk, "person": seat.person, "approved_on": seat.approved_on, "approved_by": seat.approved_by}


@router.post("/governance/seats/{id}/declared-posts", response={201: DeclaredPostOut}, auth=AUTH, summary="Declare a post the official holds outside the tree")
def declare_post(request, id: ObjectId, payload: DeclaredPostIn):
    """A post in a social organization outside the tree, declared by the staff of the seat's
    organization; without an approval it is flagged on the concurrent-posts list."""
    user = caller(request)
    declared = services.declare_post(selectors.get_seat_for(user, id, manage=True), actor=user, **payload.dict())
    return Status(201, selectors.get_declared_post_for(user, declared.pk))


@router.post("/governance/declared-posts/{id}/approval", response=DeclaredPostOut, auth=AUTH, summary="Record a declared post's approval")
def declared_post_approval(request, id: ObjectId, payload: PostApprovalIn):
    user = caller(request)
    return services.approve_declared_post(selectors.get_declared_post_for(user, id, manage=True), actor=user, **payload.dict())


@router.post("/governance/declared-posts/{id}/end", response=DeclaredPostOut, auth=AUTH, summary="End a declared post")
def declared_post_end(request, id: ObjectId, payload: DeclaredPostEndIn | None = None):
    """The post ended (default today); an ended post is a 400."""
    user = caller(request)
    return services.end_declared_post(selectors.get_declared_post_for(user, id, manage=True), actor=user, end=(payload or DeclaredPostEndIn()).end)


# ---- Compliance ----------------------------------------------------------------------------


@router.get("/governance/bodies/{id}/compliance", response=BodyReportOut, auth=AUTH, summary="A body's composition compliance")
def body_compliance(request, id: ObjectId, filters: Query[ComplianceFilters]):
    """Each applicable rule of the rule sets assigned to the organization (or above it, with the
    subtree): the measured value, the threshold, the outcome and the seats that make it fail."""
    body = selectors.get_body_for(caller(request), id)
    return compliance.body_compliance(body, today=filters.today, ruleset=_ruleset_name(filters.ruleset))


@router.get("/governance/orgs/{id}/compliance", response=BodyReportPage, auth=AUTH, summary="Compliance of every body in a subtree")
def subtree_compliance(request, id: ObjectId, filters: Query[SubtreeComplianceFilters]):
    """Every body with a current term in the organization and below, in path order. Paginated
    with `limit`/`offset`; `count` is the total before pagination."""
    org = org_selectors.get_organization_for(caller(request), id)
    reports = compliance.subtree_compliance(org, today=filters.today, ruleset=_ruleset_name(filters.ruleset))
    return page_of([r for r in reports if r.failures] if filters.failures_only else reports, filters)


# ---- Draft slates (what-if) ----------------------------------------------------------------


def _slate_out(slate, filters: ComplianceFilters | None = None):
    filters = filters or ComplianceFilters()
    slate.compliance = compliance.slate_compliance(slate, today=filters.today, ruleset=_ruleset_name(filters.ruleset))
    return slate


@router.post("/governance/bodies/{id}/slates", response={201: SlateOut}, auth=AUTH, summary="Draft the next term's slate")
def create_slate(request, id: ObjectId, payload: SlateIn):
    """By default a copy of the current term's seats; answered with its compliance."""
    user = caller(request)
    body = selectors.get_body_for(user, id, manage=True)
    slate = services.create_slate(body, actor=user, name=payload.name, planned_start=payload.planned_start, from_current=payload.from_current)
    return Status(201, _slate_out(slate))


@router.get("/governance/slates/{id}", response=SlateOut, auth=AUTH, summary="A draft slate and its compliance")
def get_slate(request, id: ObjectId, filters: Query[ComplianceFilters]):
    """Checked as if seated on its planned start, people's attributes as they are now."""
    return _slate_out(selectors.get_slate_for(caller(request), id), filters)


@router.post("/governance/slates/{id}/entries", response={201: SlateEntryOut}, auth=AUTH, summary="Put a person on a slate")
def add_slate_entry(request, id: ObjectId, payload: SlateEntryIn):
    """A person already on the slate gets the new role."""
    user = caller(request)
    slate = selectors.get_slate_for(user, id, manage=True)
    person = _person(user, payload.person_id, field="person_id")
    with fields_named(FIELD_NAMES):
        entry = services.add_slate_entry(slate, actor=user, person=person, role=payload.role.value, official=payload.official.value)
    return Status(201, entry)


@router.delete("/governance/slates/{id}/entries/{person_id}", response={204: None}, auth=AUTH, summary="Take a person off a slate")
def remove_slate_entry(request, id: ObjectId, person_id: ObjectId):
    """A person not on the slate is a 404."""
    user = caller(request)
    slate = selectors.get_slate_for(user, id, manage=True)
    entry = SlateEntry.objects.select_related("slate__body__organization").filter(slate=slate, person_id=person_id).first()
    if entry is None:
        raise NotFound()
    services.remove_slate_entry(entry, actor=user)
    return Status(204, None)


@router.delete("/governance/slates/{id}", response={204: None}, auth=AUTH, summary="Delete a draft slate")
def delete_slate(request, id: ObjectId):
    user = caller(request)
    services.delete_slate(selectors.get_slate_for(user, id, manage=True), actor=user)
    return Status(204, None)


# ---- Alerts and concurrent posts -----------------------------------------------------------


def _alert(term, today: datetime.date) -> dict[str, Any]:
    return {
        "term_id": term.pk,
        "number": term.number,
        "start": term.start,
        "planned_end": term.planned_end,
        "days_left": (term.planned_end - today).days,
        "body": term.body,
    }


@router.get("/governance/alerts", response=AlertsOut, auth=AUTH, summary="Terms due for a change, and overdue")
def term_alerts(request, filters: Query[AlertFilters]):
    """Current terms in your scope (or in the subtree of `root`) ending within `within_days`, and
    those past their planned end (督促按时换届)."""
    user = caller(request)
    today = timezone.localdate()
    alerts = selectors.term_alerts(user, root=_root(user, filters.root), within_days=filters.within_days, today=today)
    return {
        "today": today,
        "within_days": filters.within_days,
        "overdue": [_alert(t, today) for t in alerts["overdue"]],
        "due": [_alert(t, today) for t in alerts["due"]],
    }


@router.get("/governance/concurrent-posts", response=ConcurrentPostsPage, auth=AUTH, summary="Officials over the limits")
def concurrent_posts(request, filters: Query[ConcurrentPostsFilters]):
    """Officials seated in your scope (or in the subtree of `root`) holding more than one society
    post, older than 70 or in more than two terms of one body (seed 003 三.3). Posts are counted
    across the federation. Paginated with `limit`/`offset`; `count` is the total before pagination."""
    user = caller(request)
    return page_of(selectors.concurrent_posts(user, root=_root(user, filters.root)), filters)


# ---- Contact duties ------------------------------------------------------------------------


@router.get("/governance/orgs/{id}/contact-coverage", response=ContactCoveragePage, auth=AUTH, summary="Contact coverage below an organization")
def contact_coverage(request, id: ObjectId, filters: Query[CoverageFilters]):
    """The societies and county associations below it, their contact leaders and the last contact;
    `gap` says what is missing. Paginated with `limit`/`offset`; `count` is the total before
    pagination."""
    user = caller(request)
    org = org_selectors.get_organization_for(user, id)
    return page_of(selectors.contact_coverage(user, org, months=filters.months), filters)


@router.post("/governance/orgs/{id}/contacts", response={201: ContactDetailOut}, auth=AUTH, summary="Give a leader a contact duty")
def assign_contact(request, id: ObjectId, payload: ContactIn):
    """A leader of the organization keeps contact with one below it (省科协常委联系县域制度).
    Needs a staff role covering the assigning organization."""
    user = caller(request)
    assigned_by = org_selectors.get_organization_for(user, id, manage=True)
    leader = _person(user, payload.leader_id, field="leader_id")
    organization = _org_in_body(user, payload.organization_id, field="organization_id")
    with fields_named(FIELD_NAMES):
        duty = services.assign_contact(actor=user, assigned_by=assigned_by, leader=leader, organization=organization, since=payload.since)
    return Status(201, duty)


@router.get("/governance/contacts/{id}", response=ContactDetailOut, auth=AUTH, summary="A contact duty and its visits")
def get_contact(request, id: ObjectId):
    """Seen by the assigning organization's scope and by the leader."""
    return selectors.get_contact_for(caller(request), id)


@router.post("/governance/contacts/{id}/visits", response={201: VisitOut}, auth=AUTH, summary="Log a contact")
def log_visit(request, id: ObjectId, payload: VisitIn):
    """Staff of the assigning organization, or the leader themselves."""
    user = caller(request)
    duty = selectors.get_contact_for(user, id)
    return Status(201, services.log_visit(duty, actor=user, date=payload.date, form=payload.form, notes=payload.notes, issues=payload.issues))


@router.post("/governance/contacts/{id}/end", response=ContactDetailOut, auth=AUTH, summary="End a contact duty")
def end_contact(request, id: ObjectId, payload: ContactEndIn | None = None):
    user = caller(request)
    duty = selectors.get_contact_for(user, id, manage=True)
    return services.end_contact(duty, actor=user, until=payload.until if payload else None)


# ---- Rule sets -----------------------------------------------------------------------------


@router.get("/governance/rulesets", response=list[RuleSetOut], auth=AUTH, summary="Composition rule sets")
def list_rulesets(request):
    """Policy text: every signed-in user reads them."""
    return list(selectors.rulesets())


@router.post("/governance/rulesets", response={201: RuleSetDetailOut}, auth=AUTH, summary="Add a rule set")
def create_ruleset(request, payload: RuleSetIn):
    """Platform administrators and administrators of a top-level organization."""
    user = caller(request)
    return Status(201, services.create_ruleset(actor=user, **payload.model_dump()))


@router.get("/governance/rulesets/{id}", response=RuleSetDetailOut, auth=AUTH, summary="A rule set with its rules")
def get_ruleset(request, id: ObjectId):
    """With the rules in order and where it applies within your scope."""
    return selectors.get_ruleset(id)


@router.patch("/governance/rulesets/{id}", response=RuleSetDetailOut, auth=AUTH, summary="Change a rule set")
def update_ruleset(request, id: ObjectId, payload: RuleSetPatch):
    """Only the fields sent change; the audit log keeps old and new values."""
    user = caller(request)
    ruleset = selectors.get_ruleset(id)
    return services.update_ruleset(ruleset, actor=user, **_without_nulls(payload.model_dump(exclude_unset=True)))


@router.post("/governance/rulesets/{id}/rules", response={201: RuleOut}, auth=AUTH, summary="Add a rule")
def add_rule(request, id: ObjectId, payload: RuleIn):
    """`param` is the age of aged_at_most_share; a target (`is_target`) is missed, not failed."""
    user = caller(request)
    ruleset = selectors.get_ruleset(id)
    return Status(201, services.add_rule(ruleset, actor=user, **payload.model_dump(mode="json")))


@router.patch("/governance/rules/{id}", response=RuleOut, auth=AUTH, summary="Change a rule")
def update_rule(request, id: ObjectId, payload: RulePatch):
    """Only the fields sent change; `param` may be null (except for aged_at_most_share)."""
    user = caller(request)
    rule = selectors.get_rule(id)
    return services.update_rule(rule, actor=user, **_without_nulls(payload.model_dump(mode="json", exclude_unset=True), {"param", "baseline"}))


@router.delete("/governance/rules/{id}", response={204: None}, auth=AUTH, summary="Delete a rule")
def delete_rule(request, id: ObjectId):
    user = caller(request)
    services.delete_rule(selectors.get_rule(id), actor=user)
    return Status(204, None)


@router.post("/governance/rulesets/{id}/assignments", response={201: AssignmentOut}, auth=AUTH, summary="Apply a rule set to an organization")
def assign_ruleset(request, id: ObjectId, payload: AssignmentIn):
    """Needs an administrator role covering the organization; with `include_subtree` the rules
    apply to the organizations below too. Assigning again changes `include_subtree`."""
    user = caller(request)
    ruleset = selectors.get_ruleset(id)
    org = _org_in_body(user, payload.org_id, field="org_id")
    return Status(201, services.assign_ruleset(ruleset, org, actor=user, include_subtree=payload.include_subtree))


@router.delete("/governance/assignments/{id}", response={204: None}, auth=AUTH, summary="Stop applying a rule set")
def unassign_ruleset(request, id: ObjectId):
    """Needs an administrator role covering the organization."""
    user = caller(request)
    services.unassign_ruleset(selectors.get_assignment_for(user, id), actor=user)
    return Status(204, None)
