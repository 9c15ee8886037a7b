"""Calls for projects (申报通知), their form definitions, applications and the projects approved
from them, with the payments ledger. State changes only through kejia.calls.workflow."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kejia.calls.choices import ApplicationStatus, CallStatus, Eligibility, Gate, ProjectStatus, Transition
from kejia.core.models import TimeStamped

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class FormDefinition(TimeStamped):
    """One version of an application form, as data (see kejia.calls.forms_spec for the shape).
    A version is never edited once an application uses it: a change is a new version."""

    code = models.CharField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    spec = models.JSONField(_("sections and fields"), default=dict)
    source = models.CharField(_("source"), max_length=200, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="calls_form_code_version")]
        verbose_name = _("application form")
        verbose_name_plural = _("application forms")

    def __str__(self):
        return f"{self.title} v{self.version}"


class Call(TimeStamped):
    owner = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="calls_owned", verbose_name=_("organization running the call")
    )
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("document number"), max_length=64, blank=True, default="")
    notice = models.TextField(_("notice"), blank=True, default="")
    guide = models.TextField(_("guide"), blank=True, default="")
    topics = models.JSONField(_("topics"), default=list, blank=True)
    eligibility = models.CharField(_("who may apply"), max_length=16, choices=Eligibility.choices, default=Eligibility.ORGANIZATIONS)
    applicant_kinds = models.JSONField(_("kinds of applying organization"), default=list, blank=True)
    recommender_kinds = models.JSONField(
        _("kinds of recommending organization"), default=list, blank=True, help_text=_("Empty: applications go straight to the organization running the call.")
    )
    min_amount = models.DecimalField(_("lowest amount per project (yuan)"), **MONEY)
    max_amount = models.DecimalField(_("highest amount per project (yuan)"), **MONEY)
    budget = models.DecimalField(_("total budget (yuan)"), null=True, blank=True, **MONEY)
    tranches = models.JSONField(_("payment plan"), default=list, blank=True)
    period_months = models.PositiveSmallIntegerField(_("project period (months)"), default=12)
    deadline = models.DateTimeField(_("deadline"))
    quota_per_recommender = models.PositiveSmallIntegerField(_("applications each recommending organization may submit"), null=True, blank=True)
    announcement_days = models.PositiveSmallIntegerField(_("days of public announcement"), default=5)
    form = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="calls", verbose_name=_("application form"))
    status = models.CharField(_("status"), max_length=16, choices=CallStatus.choices, default=CallStatus.DRAFT, db_index=True)
    meeting_minutes = models.TextField(_("review meeting minutes"), blank=True, default="")
    source = models.CharField(_("source"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-deadline", "-id"]
        constraints = [models.CheckConstraint(condition=Q(min_amount__lte=models.F("max_amount")), name="calls_call_amount_range")]
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")

    def __str__(self):
        return self.title


class CallAttachment(TimeStamped):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="calls/attachments/%Y/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True, default="")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class Application(TimeStamped):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call"))
    form = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="+", verbose_name=_("form version"))
    applicant = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="call_applications", verbose_name=_("applying organization")
    )
    applicant_path = models.CharField(max_length=255, blank=True, default="", db_index=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="call_applications", verbose_name=_("applicant (person)")
    )
    recommender = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="call_recommendations",
        verbose_name=_("recommending organization"),
    )
    recommender_path = models.CharField(max_length=255, blank=True, default="", db_index=True)
    title = models.CharField(_("title"), max_length=200, blank=True, default="")
    topic = models.CharField(_("topic"), max_length=16, blank=True, default="")
    data = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True)
    attested_at = models.DateTimeField(_("truth attested at"), null=True, blank=True)
    attested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    requested_amount = models.DecimalField(_("amount requested (yuan)"), null=True, blank=True, **MONEY)
    score = models.FloatField(_("review score"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    announced_until = models.DateTimeField(_("announcement ends"), null=True, blank=True)
    last_reason = models.TextField(_("reason given"), blank=True, default="")

    class Meta:
        ordering = ["call", "rank", "id"]
        constraints = [models.CheckConstraint(condition=Q(applicant__isnull=False) | Q(applicant_user__isnull=False), name="calls_application_has_applicant")]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self):
        return self.title or f"#{self.pk}"


class ApplicationEvent(models.Model):
    """The transition log of an application or a project (one of the two is set)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    project = models.ForeignKey("Project", null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(_("transition"), max_length=32, choices=Transition.choices)
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    reason = models.TextField(_("reason"), blank=True, default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Objection(TimeStamped):
    """An objection received during the public announcement (公示), and how it was handled."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("objection"))
    received_at = models.DateTimeField(_("received at"))
    # Who objects (seed practice of a 公示: objections under a real name with a way to reach them).
    # Empty when the owner's staff record one received by letter or telephone.
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("name of the person or organization objecting"), max_length=100, blank=True, default="")
    contact = models.CharField(_("contact (telephone or email)"), max_length=100, blank=True, default="")
    resolution = models.TextField(_("handling"), blank=True, default="")
    upheld = models.BooleanField(_("upheld"), null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")


class Project(TimeStamped):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="project")
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="projects")
    amount = models.DecimalField(_("approved amount (yuan)"), **MONEY)
    tranches = models.JSONField(_("tranches"), default=list)  # [{"amount": "200000.00", "gate": "approval"}]
    status = models.CharField(_("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE, db_index=True)
    midterm_passed = models.BooleanField(_("mid-term review passed"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    last_reason = models.TextField(_("reason given"), blank=True, default="")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="calls_project_amount_positive")]

    def __str__(self):
        return str(self.application)

    def gates_met(self) -> set[str]:
        met = {Gate.APPROVAL.value}
        if self.midterm_passed:
            met.add(Gate.MIDTERM_PASSED.value)
        if self.status == ProjectStatus.CONCLUDED:
            met.add(Gate.CONCLUDED.value)
        return met


class Payment(models.Model):
    """One payment of a tranche: the ledger line (date, amount, voucher)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments")
    tranche = models.PositiveSmallIntegerField(_("tranche"))
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    voucher = models.CharField(_("voucher number"), max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="calls_payment_amount_positive"),
            models.UniqueConstraint(fields=["project", "voucher"], name="calls_payment_voucher_unique"),
        ]


class Deliverable(TimeStamped):
    """What a project hands in (seed 004 附件1 五: a pilot report, cases, rules made)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="calls/deliverables/%Y/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True, default="")
    note = models.TextField(_("note"), blank=True, default="")  # rich text, cleaned (kejia.core.richtext)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # In the public case library (seed 004 二.3: 凝练宣传试点成果), set by the owner's staff.
    public = models.BooleanField(_("published in the case library"), default=False, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return self.title


class ApplicationFile(TimeStamped):
    """A file uploaded for an application's attachment field or a sign-off's seal image; the
    answer holds its stored name. Served only to those who may see the application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    field = models.CharField(_("field"), max_length=64)
    part = models.CharField(_("part"), max_length=16, blank=True, default="")  # "seal" for a sign-off's seal image
    file = models.FileField(_("file"), upload_to="calls/applications/%Y/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255, blank=True, default="")
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["field", "part", "-id"]
