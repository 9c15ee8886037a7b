"""Scoped reads of governance: bodies, terms and seats of organizations in the user's scope;
term alerts; concurrent posts; contact coverage. Rule sets are public to every signed-in user
(they are policy text)."""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from kejia.accounts import scope
from kejia.core.errors import NotFound, PermissionDenied
from kejia.governance.choices import POST_ROLES, BodyKind
from kejia.governance.models import Body, ContactAssignment, ContactVisit, DeclaredPost, Rule, RuleSet, RuleSetAssignment, Seat, Slate, Term
from kejia.organizations.kinds import SOCIETY_KINDS, OrgKind, OrgStatus
from kejia.organizations.models import Organization


def visible_bodies(user) -> QuerySet[Body]:
    return scope.restrict(Body.objects.select_related("organization"), user, "organization__path")


def _get(qs, pk, user, org_of, manage: bool):
    obj = qs.filter(pk=pk).first()
    if obj is None or not scope.can_view(user, org_of(obj)):
        raise NotFound()
    if manage and not scope.can_manage(user, org_of(obj)):
        raise PermissionDenied()
    return obj


def get_body_for(user, pk, *, manage: bool = False) -> Body:
    return _get(Body.objects.select_related("organization"), pk, user, lambda b: b.organization, manage)


def get_term_for(user, pk, *, manage: bool = False) -> Term:
    return _get(Term.objects.select_related("body__organization"), pk, user, lambda t: t.body.organization, manage)


def get_seat_for(user, pk, *, manage: bool = False) -> Seat:
    return _get(Seat.objects.select_related("term__body__organization", "person"), pk, user, lambda s: s.term.body.organization, manage)


def get_slate_for(user, pk, *, manage: bool = False) -> Slate:
    return _get(Slate.objects.select_related("body__organization"), pk, user, lambda s: s.body.organization, manage)


def get_contact_for(user, pk, *, manage: bool = False) -> ContactAssignment:
    """A contact duty: seen by the assigning organization's scope (and the leader themselves)."""
    duty = ContactAssignment.objects.select_related("assigned_by", "organization", "leader").filter(pk=pk).first()
    if duty is None:
        raise NotFound()
    own = duty.leader.user_id is not None and duty.leader.user_id == getattr(user, "pk", None)
    if not scope.can_view(user, duty.assigned_by) and not own:
        raise NotFound()
    if manage and not scope.can_manage(user, duty.assigned_by):
        raise PermissionDenied()
    return duty


def bodies_of(org: Organization) -> QuerySet[Body]:
    """The bodies of an organization the caller reached through a scoped selector."""
    return Body.objects.filter(organization=org).order_by("kind")


def current_term(body: Body) -> Term | None:
    return Term.objects.filter(body=body, actual_end__isnull=True).first()


def seats_of(term: Term, *, today: datetime.date | None = None, include_ended: bool = False) -> QuerySet[Seat]:
    qs = term.seats.select_related("person")
    if not include_ended:
        today = today or timezone.localdate()
        qs = qs.filter(Q(end__isnull=True) | Q(end__gt=today))
    return qs.order_by("role", "person__name", "id")


def terms_of(body: Body) -> QuerySet[Term]:
    return body.terms.annotate(seat_count=Count("seats")).order_by("-number")


def term_alerts(user, *, root: Organization | None = None, within_days: int = 90, today: datetime.date | None = None) -> dict:
    """Current terms ending within `within_days` and those overdue, in the user's scope."""
    today = today or timezone.localdate()
    qs = scope.restrict(Term.objects.filter(actual_end__isnull=True).select_related("body__organization"), user, "body__organization__path")
    if root is not None:
        qs = qs.filter(body__organization__path__descends=root.path)
    overdue = list(qs.filter(planned_end__lt=today).order_by("planned_end"))
    due = list(qs.filter(planned_end__gte=today, planned_end__lte=today + datetime.timedelta(days=within_days)).order_by("planned_end"))
    return {"overdue": overdue, "due": due, "today": today, "within_days": within_days}


def terms_ending(user, *, within_days: int = 90, today: datetime.date | None = None) -> QuerySet[Term]:
    """Current terms the user manages (staff or administrator of the organization or above) that
    ended on paper or end within `within_days`, the earliest planned end first."""
    today = today or timezone.localdate()
    qs = scope.restrict(
        Term.objects.filter(actual_end__isnull=True, planned_end__lte=today + datetime.timedelta(days=within_days)).select_related("body__organization"),
        user,
        "body__organization__path",
        scope.MANAGE_KINDS,
    )
    return qs.order_by("planned_end", "id")


def failing_bodies(user, *, today: datetime.date | None = None) -> list:
    """Compliance reports (`compliance.BodyReport`) of the bodies of the organizations where the
    user holds a staff or administrator role (not the whole subtree: that is the compliance page)
    that fail a rule, most failures first; a fixed number of queries."""
    from kejia.governance.compliance import current_terms, reports_for_terms

    paths = scope.role_paths(user, scope.MANAGE_KINDS)
    if not paths:
        return []
    terms = current_terms(Body.objects.filter(organization__path__in=paths))
    reports = [r for r in reports_for_terms(terms, today=today) if r.failures]
    return sorted(reports, key=lambda r: (-len(r.failures), r.body.organization.path, r.body.kind))


def contact_duties_due(user, *, months: int = 6, today: datetime.date | None = None) -> QuerySet[ContactAssignment]:
    """The user's own current contact duties with no contact logged in `months` months (the gap
    rule of `contact_coverage`), never contacted first; each has `last_contact` (a date or None)."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=round(months * 30.44))
    return (
        my_contact_duties(user)
        .annotate(last_contact=Max("visits__date"))
        .filter(Q(last_contact__isnull=True) | Q(last_contact__lt=since))
        .order_by(F("last_contact").asc(nulls_first=True), "id")
    )


def concurrent_posts(
    user, *, today: datetime.date | None = None, root: Organization | None = None, max_posts: int = 1, max_age: int = 70, max_terms: int = 2
) -> list[dict]:
    """Officials (one identity from the talent database) holding more posts in social
    organizations, more terms in the same post, or older than the limits (003 三.3), or holding a
    post without a recorded approval, among the seats in the user's scope. Posts are counted across
    the whole federation and with the posts declared outside it; terms in the same post of an
    organization count its council and standing council together; the age is today's."""
    from kejia.governance.compliance import age_on, context_for, post_of, term_group

    today = today or timezone.localdate()
    open_seat = Q(end__isnull=True) | Q(end__gt=today)
    in_scope = scope.restrict(Seat.objects.filter(open_seat, term__actual_end__isnull=True).exclude(official=""), user, "term__body__organization__path")
    if root is not None:
        in_scope = in_scope.filter(term__body__organization__path__descends=root.path)
    rows = list(
        in_scope.values(
            "id",
            "person_id",
            "person__name",
            "birth_date",
            "start",
            "official",
            "role",
            "term__number",
            "term__body__organization_id",
            "term__body__kind",
            "term__body__organization__name",
            "term__body__organization__code",
        )
    )
    person_ids = {r["person_id"] for r in rows}
    ctx = context_for(person_ids, set(), {r["term__body__organization_id"] for r in rows}, today)
    people: dict[int, dict] = {}
    for r in rows:
        entry = people.setdefault(
            r["person_id"],
            {
                "person_id": r["person_id"],
                "name": r["person__name"],
                "official": r["official"],
                "posts": ctx.posts.get(r["person_id"], 0),
                "unapproved": ctx.unapproved.get(r["person_id"], 0),
                "age": age_on(r["birth_date"], today),
                "max_terms": 0,
                "seats": [],
                "problems": set(),
                "seat_id": r["id"],
            },
        )
        key = (r["term__body__organization_id"], term_group(r["term__body__kind"]), r["person_id"], post_of(r["role"]))
        n_terms = len(ctx.terms.get(key, set()) | {r["term__number"]})
        entry["max_terms"] = max(entry["max_terms"], n_terms)
        entry["seats"].append(
            {
                "organization": r["term__body__organization__name"],
                "code": r["term__body__organization__code"],
                "body": str(BodyKind(r["term__body__kind"]).label),
                "role": r["role"],
                "terms": n_terms,
                "seat_id": r["id"],
            }
        )
    out = []
    for entry in people.values():
        if entry["posts"] > max_posts:
            entry["problems"].add("posts")
        if entry["unapproved"]:
            entry["problems"].add("approval")
        if entry["age"] is not None and entry["age"] > max_age:
            entry["problems"].add("age")
        if entry["max_terms"] > max_terms:
            entry["problems"].add("terms")
        if entry["problems"]:
            entry["problems"] = sorted(entry["problems"])
            out.append(entry)
    return sorted(out, key=lambda e: (-len(e["problems"]), -e["posts"], e["name"]))


def declared_posts_of(person_id: int) -> QuerySet[DeclaredPost]:
    """A person's declared posts outside the tree (the caller reached the person through a seat)."""
    return DeclaredPost.objects.filter(person_id=person_id).select_related("declared_by").order_by("end", "-id")


def society_posts_of(person_id: int, *, today: datetime.date | None = None) -> QuerySet[Seat]:
    """The posts a person holds now in societies of the tree (federation-wide, as counted)."""
    today = today or timezone.localdate()
    return (
        Seat.objects.filter(
            Q(end__isnull=True) | Q(end__gt=today),
            person_id=person_id,
            role__in=POST_ROLES,
            term__actual_end__isnull=True,
            term__body__organization__kind__in=SOCIETY_KINDS,
        )
        .select_related("term__body__organization")
        .order_by("term__body__organization__path", "term__body__kind")
    )


def get_declared_post_for(user, pk, *, manage: bool = False) -> DeclaredPost:
    return _get(DeclaredPost.objects.select_related("declared_by", "person"), pk, user, lambda d: d.declared_by, manage)


CONTACT_TARGET_KINDS = tuple(SOCIETY_KINDS | {OrgKind.COUNTY_ASSOCIATION})


def contact_coverage(user, org: Organization, *, months: int = 6, today: datetime.date | None = None) -> list[dict]:
    """The societies and county associations below `org` with their contact leaders and the date
    of the last contact; `gap` says what is missing: no leader, or no contact in `months` months."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=round(months * 30.44))
    targets = list(
        Organization.objects.filter(path__descends=org.path, kind__in=CONTACT_TARGET_KINDS, status=OrgStatus.ACTIVE)
        .exclude(pk=org.pk)
        .only("pk", "name", "code", "kind", "path")
        .order_by("path")
    )
    ids = [t.pk for t in targets]
    leaders = defaultdict(list)
    for duty in ContactAssignment.objects.filter(organization_id__in=ids, until__isnull=True).select_related("leader"):
        leaders[duty.organization_id].append(duty)
    last = dict(
        ContactVisit.objects.filter(assignment__organization_id__in=ids)
        .values("assignment__organization_id")
        .annotate(d=Max("date"))
        .values_list("assignment__organization_id", "d")
    )
    out = []
    for target in targets:
        duties = leaders.get(target.pk, [])
        last_date = last.get(target.pk)
        gap = "no_leader" if not duties else ("no_contact" if last_date is None or last_date < since else "")
        out.append({"organization": target, "leaders": duties, "last_contact": last_date, "gap": gap})
    return out


def visits_of(duty: ContactAssignment) -> QuerySet[ContactVisit]:
    return duty.visits.select_related("recorded_by").order_by("-date", "-id")


def my_contact_duties(user) -> QuerySet[ContactAssignment]:
    if not getattr(user, "is_authenticated", False):
        return ContactAssignment.objects.none()
    return ContactAssignment.objects.filter(leader__user=user, until__isnull=True).select_related("organization", "assigned_by")


def rulesets() -> QuerySet[RuleSet]:
    return RuleSet.objects.annotate(rule_count=Count("rules")).order_by("name")


def get_ruleset(pk) -> RuleSet:
    ruleset = RuleSet.objects.filter(pk=pk).first()
    if ruleset is None:
        raise NotFound()
    return ruleset


def get_rule(pk) -> Rule:
    rule = Rule.objects.select_related("ruleset").filter(pk=pk).first()
    if rule is None:
        raise NotFound()
    return rule


def assignments_in_scope(user) -> QuerySet[RuleSetAssignment]:
    return scope.restrict(RuleSetAssignment.objects.select_related("ruleset", "organization"), user, "organization__path")


def get_assignment_for(user, pk) -> RuleSetAssignment:
    assignment = RuleSetAssignment.objects.select_related("ruleset", "organization").filter(pk=pk).first()
    if assignment is None or not scope.can_view(user, assignment.organization):
        raise NotFound()
    if not scope.can_administer(user, assignment.organization):
        raise PermissionDenied()
    return assignment


def slates_of(body: Body) -> QuerySet[Slate]:
    return body.slates.annotate(entry_count=Count("entries")).order_by("-created_at")


def idle_bodies(user, org: Organization) -> QuerySet[Body]:
    """The bodies of an organization's subtree, within the user's scope, that have no current term
    (the compliance table lists them too, one row each)."""
    running = Term.objects.filter(actual_end__isnull=True, body__organization__path__descends=org.path).values("body_id")
    return visible_bodies(user).filter(organization__path__descends=org.path).exclude(pk__in=running).order_by("organization__path", "kind")
