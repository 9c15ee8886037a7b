"""Leadership bodies of an organization, their terms and seats; composition rule sets as data and
where they apply; leaders' contact duties and their visits; what-if slates for the next term."""

from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.core.models import TimeStamped
from kejia.governance.choices import BodyKind, Comparison, ContactForm, Measure, OfficialStatus, SeatRole
from kejia.people.choices import Gender
from kejia.reference.choices import Sector


class Body(TimeStamped):
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="bodies", verbose_name=_("organization"))
    kind = models.CharField(_("kind"), max_length=24, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=128, blank=True)
    term_years = models.PositiveSmallIntegerField(_("term length (years)"), default=5)

    class Meta:
        ordering = ["organization_id", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "kind"], name="body_one_kind_per_organization")]
        verbose_name = _("leadership body")
        verbose_name_plural = _("leadership bodies")

    def __str__(self) -> str:
        return self.name or f"{self.organization} · {self.get_kind_display()}"


class Term(TimeStamped):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="terms", verbose_name=_("body"))
    number = models.PositiveSmallIntegerField(_("term number"))
    start = models.DateField(_("start"))
    planned_end = models.DateField(_("planned end"))
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    reminded_for = models.DateField(null=True, blank=True)  # the planned end a term-change reminder was sent for

    class Meta:
        ordering = ["body_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="term_number_unique"),
            models.UniqueConstraint(fields=["body"], condition=Q(actual_end__isnull=True), name="term_one_current_per_body"),
            models.CheckConstraint(condition=Q(planned_end__gt=models.F("start")), name="term_planned_end_after_start"),
        ]
        indexes = [models.Index(fields=["actual_end", "planned_end"])]
        verbose_name = _("term")
        verbose_name_plural = _("terms")

    def __str__(self) -> str:
        return f"{self.body} · {self.number}"


class Seat(TimeStamped):
    """A person's seat in one term. The attributes rules read are copied from the person when
    seated (a later change of employer or title does not rewrite the composition history)."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="seats", verbose_name=_("term"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="seats", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=20, choices=SeatRole.choices, default=SeatRole.MEMBER)
    start = models.DateField(_("seated on"))
    end = models.DateField(_("left on"), null=True, blank=True)
    # The approval (经批准) of an official's post, 003 三.3: when and by whom.
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=128, blank=True)
    # At the date of seating:
    is_frontline = models.BooleanField(_("front-line"), default=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    sector = models.CharField(_("sector"), max_length=24, choices=Sector.choices, default=Sector.OTHER)
    official = models.CharField(_("official"), max_length=8, choices=OfficialStatus.choices, blank=True, default="")

    class Meta:
        ordering = ["term_id", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["term", "person"], condition=Q(end__isnull=True), name="seat_one_open_per_person")]
        indexes = [models.Index(fields=["person", "end"])]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")

    def __str__(self) -> str:
        return f"{self.term} · {self.person_id} · {self.role}"


class RuleSet(TimeStamped):
    name = models.CharField(_("name"), max_length=64, unique=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=128)
    source = models.CharField(
        _("source"), max_length=255, help_text=_("Where the rules are written: the file and section, for administrators; not shown on pages.")
    )
    document = models.CharField(_("policy text"), max_length=255, blank=True, help_text=_("The policy text the rules come from, in words (shown on pages)."))
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("in force"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The name for pages: the shipped sets' code names read as Chinese titles."""
        from kejia.governance.rulesets import title_of

        return title_of(self.name)


class Rule(TimeStamped):
    """A body of one of `body_kinds`, held by an organization of one of `org_kinds`, is measured
    and compared with the threshold p/q (exactly, in integers: kejia.core.ratios). A target (左右)
    may carry the baseline it starts from; `against_previous` compares with the previous term of
    the same body instead of a threshold."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules", verbose_name=_("rule set"))
    body_kinds = models.JSONField(_("applies to"), default=list)
    org_kinds = models.JSONField(_("organizations holding the body"), default=list)
    measure = models.CharField(_("measure"), max_length=24, choices=Measure.choices)
    param = models.PositiveSmallIntegerField(_("parameter (age)"), null=True, blank=True)
    param_local = models.BooleanField(_("the age is a local setting, not given by the policy text"), default=False)
    comparison = models.CharField(_("comparison"), max_length=4, choices=Comparison.choices)
    threshold_num = models.PositiveIntegerField(_("threshold numerator"), default=0)
    threshold_den = models.PositiveIntegerField(_("threshold denominator"), default=1)
    baseline_num = models.PositiveIntegerField(_("baseline numerator"), null=True, blank=True)
    baseline_den = models.PositiveIntegerField(_("baseline denominator"), null=True, blank=True)
    against_previous = models.BooleanField(_("compared with the previous term"), default=False)
    is_target = models.BooleanField(_("a target (左右), not a hard rule"), default=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["ruleset_id", "sort", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold_den__gt=0), name="rule_threshold_den_positive"),
            models.CheckConstraint(condition=Q(baseline_den__isnull=True) | Q(baseline_den__gt=0), name="rule_baseline_den_positive"),
        ]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return f"{self.ruleset} · {self.get_measure_display()}"

    @property
    def threshold(self) -> Fraction:
        return Fraction(self.threshold_num, self.threshold_den or 1)

    @property
    def baseline(self) -> Fraction | None:
        return Fraction(self.baseline_num, self.baseline_den) if self.baseline_num is not None and self.baseline_den else None


class RuleSetAssignment(TimeStamped):
    """A rule set applies to an organization's bodies, and with `include_subtree` to those below."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("rule set"))
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="ruleset_assignments", verbose_name=_("organization"))
    include_subtree = models.BooleanField(_("also the organizations below"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ruleset", "organization"], name="ruleset_assignment_unique")]
        verbose_name = _("rule set assignment")
        verbose_name_plural = _("rule set assignments")

    def __str__(self) -> str:
        return f"{self.ruleset} → {self.organization}"


class Slate(TimeStamped):
    """A draft of the next term's seats (what-if): checked against the rules before the election."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="slates", verbose_name=_("body"))
    name = models.CharField(_("name"), max_length=128)
    planned_start = models.DateField(_("planned start"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("draft slate")
        verbose_name_plural = _("draft slates")

    def __str__(self) -> str:
        return self.name


class DeclaredPost(TimeStamped):
    """A post a person holds in a social organization outside the tree (社会团体职务, 003 三.3),
    declared by the staff of an organization where the person sits; with its approval (经批准)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="declared_posts", verbose_name=_("person"))
    declared_by = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("declared by"))
    organization_name = models.CharField(_("social organization"), max_length=128)
    post = models.CharField(pgettext_lazy("office held", "post"), max_length=64)
    start = models.DateField(_("since"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=128, blank=True)

    class Meta:
        ordering = ["person_id", "-id"]
        indexes = [models.Index(fields=["person", "end"])]
        verbose_name = _("declared post")
        verbose_name_plural = _("declared posts")

    def __str__(self) -> str:
        return f"{self.organization_name} · {self.post}"


class SlateEntry(models.Model):
    slate = models.ForeignKey(Slate, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=20, choices=SeatRole.choices, default=SeatRole.MEMBER)
    official = models.CharField(_("official"), max_length=8, choices=OfficialStatus.choices, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["slate", "person"], name="slate_entry_unique")]
        verbose_name = _("slate entry")
        verbose_name_plural = _("slate entries")

    def __str__(self) -> str:
        return f"{self.slate_id} · {self.person_id}"


class ContactAssignment(TimeStamped):
    """A leader keeps contact with an organization (a society, a county association): 002 §(4),
    003 二.1 (省科协常委联系县域制度)."""

    leader = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="contact_duties", verbose_name=_("leader"))
    assigned_by = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("assigned by"))
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="contact_leaders", verbose_name=_("organization kept in contact")
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["organization_id", "-since"]
        constraints = [models.UniqueConstraint(fields=["leader", "organization"], condition=Q(until__isnull=True), name="contact_assignment_one_open")]
        verbose_name = _("contact duty")
        verbose_name_plural = _("contact duties")

    def __str__(self) -> str:
        return f"{self.leader_id} → {self.organization_id}"


class ContactVisit(TimeStamped):
    assignment = models.ForeignKey(ContactAssignment, on_delete=models.CASCADE, related_name="visits", verbose_name=_("contact duty"))
    date = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=12, choices=ContactForm.choices, default=ContactForm.VISIT)
    notes = models.TextField(_("notes"), blank=True)
    issues = models.TextField(_("issues raised"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("contact visit")
        verbose_name_plural = _("contact visits")

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.date}"
