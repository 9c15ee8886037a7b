"""The shapes of the governance API (kejia/governance/api.py). Bodies name related objects by id
(`person_id`, `leader_id`, `organization_id`, `org_id`); answers show persons as id and name only,
never an identifier or a phone. A seat carries what the rules read, as copied when it was taken
(the age at seating rather than the birth date)."""

import datetime
from typing import Annotated

from ninja import Field, Schema

from kejia.core.api import PageParams, model_field
from kejia.governance import selectors
from kejia.governance.choices import BodyKind, Comparison, ContactForm, Measure, OfficialStatus, SeatRole
from kejia.governance.compliance import age_on
from kejia.governance.models import Body, DeclaredPost, Seat, Slate
from kejia.organizations.api_schemas import Id, ObjectId, OrgRef
from kejia.organizations.kinds import OrgKind

__all__ = ["Id", "ObjectId"]

Text = Annotated[str, Field(max_length=5000)]
# A threshold as a number (0.75) or a percentage ("75%").
Threshold = Annotated[float, Field(ge=0, le=1000)] | Annotated[str, Field(max_length=16)]


# ---- References ----------------------------------------------------------------------------


class GovernancePersonRef(Schema):
    id: int
    name: str


class BodyRef(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    organization: OrgRef

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


# ---- Bodies, terms, seats ------------------------------------------------------------------


class SeatOut(Schema):
    id: int
    term_id: int
    person: GovernancePersonRef
    role: str
    role_label: str
    start: datetime.date
    end: datetime.date | None
    is_frontline: bool = Field(..., description="At seating")
    age_at_seating: int | None
    gender: str = Field(..., description="At seating")
    sector: str = Field(..., description="At seating")
    official: str = Field(..., description="serving, retired or empty")

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_age_at_seating(obj) -> int | None:
        return age_on(obj.birth_date, obj.start)


class TermOut(Schema):
    id: int
    body_id: int
    number: int
    start: datetime.date
    planned_end: datetime.date
    actual_end: datetime.date | None
    seat_count: int = Field(..., description="Seats ever taken in the term")

    @staticmethod
    def resolve_seat_count(obj) -> int:
        count = getattr(obj, "seat_count", None)
        return count if count is not None else obj.seats.count()


class CurrentTermOut(TermOut):
    seats: list[SeatOut] = Field(..., description="The seats held today")

    @staticmethod
    def resolve_seats(obj) -> list:
        return list(selectors.seats_of(obj))


class BodyOut(Schema):
    id: int
    organization: OrgRef
    kind: str
    kind_label: str
    name: str
    term_years: int
    current_term: TermOut | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_current_term(obj):
        return selectors.current_term(obj)


class BodyDetailOut(BodyOut):
    current_term: CurrentTermOut | None


class BodyIn(Schema):
    kind: BodyKind
    name: str = model_field(Body, "name", "")
    term_years: int = Field(5, ge=1, le=10)


class TermIn(Schema):
    start: datetime.date
    planned_end: datetime.date | None = Field(None, description="Default: the start plus the body's term length")
    number: int | None = Field(None, ge=1, le=1000, description="Default: the last term's number plus one")


class TermEndIn(Schema):
    actual_end: datetime.date


class SeatIn(Schema):
    person_id: Id = Field(..., description="A person in your reach (the talent database)")
    role: SeatRole = SeatRole.MEMBER
    start: datetime.date | None = Field(None, description="Default: today, or the term's start if later")
    official: OfficialStatus = OfficialStatus.NONE


class VacateIn(Schema):
    end: datetime.date | None = Field(None, description="Default: today")
    reason: str = Field("", max_length=200)


# ---- Compliance ----------------------------------------------------------------------------


class FailingOut(Schema):
    person_id: int
    name: str
    role: str


class RuleResultOut(Schema):
    rule_id: int | None
    ruleset: str
    measure: str
    measure_label: str
    param: int | None
    comparison: str
    threshold: float
    is_target: bool = Field(..., description="A target (左右): missing it is `target_missed`, not `fail`")
    measured: float | None
    outcome: str = Field(..., description="pass, fail, target_missed or n/a")
    note: str
    threshold_text: str = Field(..., description="The threshold exactly: 2/3, 70%, 70; for against_previous the previous term's k/n")
    measured_text: str = Field(..., description="The measured value exactly: k/n for a share")
    baseline: float | None = Field(..., description="Where a target starts from (000 二.1: 58 %)")
    progress: float | None = Field(..., description="0 at the baseline, 1 at the target")
    against_previous: bool = Field(..., description="Compared with the previous term of the same body")
    failing: list[FailingOut] = Field(..., description="The seats that make the rule fail")

    @staticmethod
    def resolve_measure_label(obj) -> str:
        return str(Measure(obj.measure).label) if obj.measure in Measure.values else obj.measure


class ComplianceTermOut(Schema):
    id: int
    number: int
    start: datetime.date
    planned_end: datetime.date


class BodyReportOut(Schema):
    body: BodyRef
    term: ComplianceTermOut | None = Field(..., description="The current term; null for a body without one or a draft slate")
    seats: int
    failures: int = Field(..., description="Rules failed")
    targets_missed: int
    results: list[RuleResultOut]

    @staticmethod
    def resolve_failures(obj) -> int:
        return len(obj.failures)

    @staticmethod
    def resolve_targets_missed(obj) -> int:
        return len(obj.targets_missed)


class ComplianceFilters(Schema):
    ruleset: str = Field("", max_length=64, description="Only this rule set (by name), e.g. societies")
    today: datetime.date | None = Field(None, description="Check as on this day (default today)")


class SubtreeComplianceFilters(ComplianceFilters, PageParams):
    failures_only: bool = Field(False, description="Only bodies failing a rule (targets missed alone do not count)")


class BodyReportPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[BodyReportOut]


# ---- Slates --------------------------------------------------------------------------------


class SlateIn(Schema):
    name: str = model_field(Slate, "name", "", description="Default: Next term")
    planned_start: datetime.date | None = Field(None, description="Default: the current term's planned end")
    from_current: bool = Field(True, description="Start from the current term's seats")


class SlateEntryIn(Schema):
    person_id: Id = Field(..., description="A person in your reach (the talent database)")
    role: SeatRole = SeatRole.MEMBER
    official: OfficialStatus = OfficialStatus.NONE


class SlateEntryOut(Schema):
    person: GovernancePersonRef
    role: str
    role_label: str
    official: str

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())


class SlateOut(Schema):
    id: int
    body: BodyRef
    name: str
    planned_start: datetime.date
    created_at: datetime.datetime
    entries: list[SlateEntryOut]
    compliance: BodyReportOut = Field(..., description="The slate checked as if seated on its planned start")

    @staticmethod
    def resolve_entries(obj) -> list:
        return list(obj.entries.select_related("person").order_by("role", "person__name", "id"))


# ---- Alerts and concurrent posts -----------------------------------------------------------


class AlertOut(Schema):
    term_id: int
    number: int
    start: datetime.date
    planned_end: datetime.date
    days_left: int = Field(..., description="Days to the planned end; negative when overdue")
    body: BodyRef


class AlertsOut(Schema):
    today: datetime.date
    within_days: int
    overdue: list[AlertOut]
    due: list[AlertOut]


class AlertFilters(Schema):
    root: Id | None = Field(None, description="Organization id: only its subtree (404 outside your scope)")
    within_days: int = Field(90, ge=0, le=3650)


class RootFilter(Schema):
    root: Id | None = Field(None, description="Organization id: only its subtree (404 outside your scope)")


class ConcurrentPostsFilters(RootFilter, PageParams):
    pass


class PostSeatOut(Schema):
    organization: str
    code: str
    body: str
    role: str
    terms: int


class PostApprovalIn(Schema):
    approved_on: datetime.date = Field(..., description="Not in the future")
    approved_by: str = model_field(Seat, "approved_by", ..., min_length=1, description="The body that approved the post (经批准)")


class SeatApprovalOut(Schema):
    id: int = Field(..., description="The seat")
    person: GovernancePersonRef
    approved_on: datetime.date | None
    approved_by: str


class DeclaredPostIn(Schema):
    organization_name: str = model_field(DeclaredPost, "organization_name", ..., min_length=1, description="The social organization outside the tree")
    post: str = model_field(DeclaredPost, "post", ..., min_length=1)
    start: datetime.date | None = None
    approved_on: datetime.date | None = Field(None, description="With approved_by; both empty when not approved (the post is flagged)")
    approved_by: str = model_field(DeclaredPost, "approved_by", "")


class DeclaredPostEndIn(Schema):
    end: datetime.date | None = Field(None, description="Default: today")


class DeclaredPostOut(Schema):
    id: int
    person: GovernancePersonRef
    declared_by: OrgRef
    organization_name: str
    post: str
    start: datetime.date | None
    end: datetime.date | None
    approved_on: datetime.date | None
    approved_by: str


class SeatPostsOut(Schema):
    seat_id: int
    person: GovernancePersonRef
    approved_on: datetime.date | None = Field(..., description="This seat's approval (经批准)")
    approved_by: str
    declared: list[DeclaredPostOut] = Field(..., description="Posts declared outside the tree, current first")


class ConcurrentPostsOut(Schema):
    person_id: int
    name: str
    official: str
    posts: int = Field(..., description="Society posts held across the federation")
    age: int | None
    max_terms: int = Field(..., description="Most terms held in one body")
    seats: list[PostSeatOut]
    unapproved: int = Field(..., description="Posts held without a recorded approval (经批准)")
    problems: list[str] = Field(..., description="posts, approval, age and/or terms")


class ConcurrentPostsPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ConcurrentPostsOut]


# ---- Contact duties ------------------------------------------------------------------------


class VisitOut(Schema):
    id: int
    date: datetime.date
    form: str
    form_label: str
    notes: str
    issues: str
    recorded_by_name: str

    @staticmethod
    def resolve_form_label(obj) -> str:
        return str(obj.get_form_display())

    @staticmethod
    def resolve_recorded_by_name(obj) -> str:
        return str(obj.recorded_by) if obj.recorded_by_id else ""


class ContactOut(Schema):
    id: int
    leader: GovernancePersonRef
    assigned_by: OrgRef
    organization: OrgRef
    since: datetime.date
    until: datetime.date | None


class ContactDetailOut(ContactOut):
    visits: list[VisitOut]

    @staticmethod
    def resolve_visits(obj) -> list:
        return list(selectors.visits_of(obj))


class ContactIn(Schema):
    leader_id: Id = Field(..., description="The leader's profile (a person in your reach)")
    organization_id: Id = Field(..., description="The organization kept in contact, below the assigning one")
    since: datetime.date | None = Field(None, description="Default: today")


class VisitIn(Schema):
    date: datetime.date
    # A plain string checked by the service: the API's 422 handler drops "form" from error locations.
    form: str = Field(ContactForm.VISIT.value, max_length=12, description=", ".join(ContactForm.values))
    notes: Text = ""
    issues: Text = ""


class ContactEndIn(Schema):
    until: datetime.date | None = Field(None, description="Default: today")


class CoverageLeaderOut(Schema):
    contact_id: int = Field(..., alias="id")
    leader: GovernancePersonRef
    since: datetime.date


class ContactCoverageOut(Schema):
    organization: OrgRef
    leaders: list[CoverageLeaderOut]
    last_contact: datetime.date | None
    gap: str = Field(..., description="no_leader, no_contact (none within the months), or empty")


class ContactCoveragePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ContactCoverageOut]


class CoverageFilters(PageParams):
    months: int = Field(6, ge=1, le=120)


# ---- Rule sets -----------------------------------------------------------------------------


class RuleOut(Schema):
    id: int
    ruleset_id: int
    body_kinds: list[str]
    org_kinds: list[str] = Field(..., description="The kinds of organization whose bodies the rule judges")
    measure: str
    measure_label: str
    param: int | None
    param_local: bool = Field(..., description="The age is a local setting: the policy text gives none")
    comparison: str
    threshold: float
    threshold_text: str = Field(..., description="Exactly, as p/q")
    baseline_text: str | None
    against_previous: bool
    is_target: bool
    note: str
    sort: int

    @staticmethod
    def resolve_measure_label(obj) -> str:
        return str(obj.get_measure_display())

    @staticmethod
    def resolve_threshold(obj) -> float:
        return float(obj.threshold)

    @staticmethod
    def resolve_threshold_text(obj) -> str:
        return f"{obj.threshold_num}/{obj.threshold_den}"

    @staticmethod
    def resolve_baseline_text(obj) -> str | None:
        return f"{obj.baseline_num}/{obj.baseline_den}" if obj.baseline_num is not None else None


class AssignmentOut(Schema):
    id: int
    ruleset_id: int
    organization: OrgRef
    include_subtree: bool


class RuleSetOut(Schema):
    id: int
    name: str
    jurisdiction: str
    source: str
    document: str
    description: str
    is_active: bool
    rule_count: int

    @staticmethod
    def resolve_rule_count(obj) -> int:
        count = getattr(obj, "rule_count", None)
        return count if count is not None else obj.rules.count()


class RuleSetDetailOut(RuleSetOut):
    rules: list[RuleOut]
    assignments: list[AssignmentOut] = Field(..., description="Where it applies, within your scope")

    @staticmethod
    def resolve_rules(obj) -> list:
        return list(obj.rules.order_by("sort", "id"))

    @staticmethod
    def resolve_assignments(obj, context) -> list:
        return list(selectors.assignments_in_scope(context["request"].auth).filter(ruleset=obj).order_by("organization__path"))


class RuleSetPatch(Schema):
    """Only the fields sent change."""

    name: str | None = Field(None, max_length=64)
    jurisdiction: str | None = Field(None, max_length=128)
    source: str | None = Field(None, max_length=255, description="Where the rules are written (file and section)")
    document: str | None = Field(None, max_length=255, description="The policy text, in words")
    description: Text | None = None
    is_active: bool | None = None


class RuleSetIn(Schema):
    name: str = Field(..., max_length=64)
    jurisdiction: str = Field(..., max_length=128)
    source: str = Field(..., max_length=255, description="Where the rules are written (file and section)")
    document: str = Field("", max_length=255, description="The policy text, in words")
    description: Text = ""


class RulePatch(Schema):
    """Only the fields sent change."""

    body_kinds: list[BodyKind] | None = Field(None, min_length=1, max_length=len(BodyKind.values))
    org_kinds: list[OrgKind] | None = Field(None, min_length=1, max_length=len(OrgKind.values))
    measure: Measure | None = None
    param: int | None = Field(None, ge=0, le=150, description="An age, for aged_at_most_share")
    param_local: bool | None = None
    comparison: Comparison | None = None
    threshold: Threshold | None = Field(None, description='A share ("2/3", "75%" or 0.75), an age, a count or days')
    baseline: Annotated[str, Field(max_length=16)] | None = Field(None, description='A target\'s baseline, e.g. "58%"')
    against_previous: bool | None = None
    is_target: bool | None = None
    note: str | None = Field(None, max_length=255)
    sort: int | None = Field(None, ge=0, le=150)


class RuleIn(RulePatch):
    body_kinds: list[BodyKind] = Field(..., min_length=1, max_length=len(BodyKind.values))
    org_kinds: list[OrgKind] = Field(..., min_length=1, max_length=len(OrgKind.values))
    measure: Measure
    comparison: Comparison
    threshold: Threshold = Field(..., description='A share ("2/3", "75%" or 0.75), an age, a count or days')
    is_target: bool = False
    note: str = Field("", max_length=255)
    sort: int = Field(0, ge=0, le=150)


class AssignmentIn(Schema):
    org_id: Id = Field(..., description="The organization (you must administer it)")
    include_subtree: bool = True
