"""Membership of learned societies: the classes a society defines (rules as data), each person's
or unit's membership with its life cycle, dues, and signed certificates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kejia.core.models import TimeStamped
from kejia.memberships.choices import (
    LIVE_STATUSES,
    ClassKind,
    MembershipStatus,
    PaymentMethod,
    PaymentStatus,
    Transition,
)
from kejia.people.choices import TitleLevel

# Seed 003 三.1: "确保不同规模学会年度动态新增会员 3%—10%以上" — yearly NEW members of 3 %–10 % or more
# of the members at the start of the year, by society size. The seed gives no sizes: the bands
# below are a local setting, shipped as an editable default: [members at the start of the year,
# target % of new members]; a society's rules edit them.
DEFAULT_GROWTH_BANDS = [[0, 10], [1000, 8], [3000, 5], [10000, 3]]
# Seed 003 三.3: "不同规模综合示范学会专职人员比例应达会员数的1%—5%以上" — for comprehensive
# demonstration societies only, full-time staff of 1 %–5 % or more of the members, by size. Again the
# sizes are a local setting: [active members, target % of full-time staff].
DEFAULT_STAFF_BANDS = [[0, 5], [500, 3], [2000, 2], [5000, 1]]
RULES_SOURCE = "seeds/003_73f9d7d21f6b67ef.txt 三.1（年度动态新增会员 3%—10%以上）; 三.3（综合示范学会专职人员 1%—5%以上）; 规模分档为本地设置（种子未给出）"


def default_growth_bands() -> list[list[int]]:
    return [list(b) for b in DEFAULT_GROWTH_BANDS]


def default_staff_bands() -> list[list[int]]:
    return [list(b) for b in DEFAULT_STAFF_BANDS]


def default_steps() -> list[str]:
    return [str(_("Secretariat check")), str(_("Membership committee"))]


class MembershipRules(TimeStamped):
    """A society's membership settings: the member-number format, dues grace and reminders,
    new-member targets and (for comprehensive demonstration societies) full-time staff targets.
    Edited by the society's staff; every change is an audit event."""

    society = models.OneToOneField("organizations.Organization", on_delete=models.CASCADE, related_name="membership_rules", verbose_name=_("society"))
    # Tokens: {code} society code, {year} year of approval, {class} class code, {seq} or {seq:06} sequence.
    number_format = models.CharField(_("member number format"), max_length=64, default="{code}-{year}-{seq:05}")
    next_seq = models.PositiveIntegerField(_("next sequence number"), default=1)
    grace_days = models.PositiveSmallIntegerField(_("grace period after dues expire (days)"), default=90)
    reminder_days = models.PositiveSmallIntegerField(_("renewal reminder before expiry (days)"), default=30)
    growth_bands = models.JSONField(_("new-member targets by size"), default=default_growth_bands, blank=True)
    staff_bands = models.JSONField(_("full-time staff targets by size"), default=default_staff_bands, blank=True)
    # Where the rules come from (seed and section); read by administrators and the docs, never shown on a member's page.
    source = models.CharField(_("source"), max_length=255, default=RULES_SOURCE, blank=True)

    class Meta:
        verbose_name = _("membership rules")
        verbose_name_plural = _("membership rules")

    def __str__(self) -> str:
        return str(self.society)


class MemberClass(TimeStamped):
    society = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="member_classes", verbose_name=_("society"))
    code = models.SlugField(_("code"), max_length=24)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=12, choices=ClassKind.choices)
    annual_dues = models.DecimalField(_("dues per year (yuan)"), max_digits=10, decimal_places=2, default=0)
    # Eligibility, checked when a person applies.
    min_title_level = models.CharField(_("lowest professional title level"), max_length=16, choices=TitleLevel.choices, blank=True, default="")
    min_years_in_field = models.PositiveSmallIntegerField(_("years in the field, at least"), null=True, blank=True)
    requires_student = models.BooleanField(_("for students only"), default=False)
    eligibility_note = models.TextField(_("eligibility, in words"), blank=True)
    required_documents = models.JSONField(_("documents required"), default=list, blank=True)
    approval_steps = models.JSONField(_("approval steps"), default=default_steps)
    rights = models.TextField(_("rights"), blank=True)
    duties = models.TextField(_("duties"), blank=True)
    is_open = models.BooleanField(_("open for applications"), default=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["society_id", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["society", "code"], name="member_class_code_unique")]
        verbose_name = _("member class")
        verbose_name_plural = _("member classes")

    def __str__(self) -> str:
        return self.name

    @property
    def for_groups(self) -> bool:
        return self.kind == ClassKind.GROUP

    @property
    def has_dues(self) -> bool:
        return self.annual_dues > 0


class Membership(TimeStamped):
    """One person's (or one unit's) membership of one society, from application to its end."""

    society = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="memberships", verbose_name=_("society"))
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("member"))
    unit = models.ForeignKey(
        "organizations.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("member unit")
    )
    contact_person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("contact person"))
    member_class = models.ForeignKey(MemberClass, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("member class"))
    status = models.CharField(_("status"), max_length=12, choices=MembershipStatus.choices, default=MembershipStatus.APPLIED, db_index=True)
    step = models.PositiveSmallIntegerField(_("approval step"), default=0)
    number = models.CharField(_("member number"), max_length=40, blank=True, default="")
    statement = models.TextField(_("statement"), blank=True)
    is_student = models.BooleanField(_("is a student"), default=False)
    years_in_field = models.PositiveSmallIntegerField(_("years in the field"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    joined_on = models.DateField(_("joined"), null=True, blank=True)
    paid_through = models.DateField(_("dues paid through"), null=True, blank=True)
    reminded_for = models.DateField(null=True, blank=True)  # the expiry a renewal reminder was sent for
    # On readmission the dues clock restarts: the grace period runs from this day, not from an old expiry.
    dues_clock_from = models.DateField(null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)  # of the last refusal, request or ending
    imported = models.BooleanField(default=False)

    class Meta:
        ordering = ["society_id", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["society", "number"], condition=~Q(number=""), name="membership_number_unique"),
            models.UniqueConstraint(
                fields=["society", "person"], condition=Q(status__in=LIVE_STATUSES, person__isnull=False), name="membership_one_live_per_person"
            ),
            models.UniqueConstraint(fields=["society", "unit"], condition=Q(status__in=LIVE_STATUSES, unit__isnull=False), name="membership_one_live_per_unit"),
            models.CheckConstraint(
                condition=Q(person__isnull=False, unit__isnull=True) | Q(person__isnull=True, unit__isnull=False), name="membership_person_xor_unit"
            ),
        ]
        indexes = [models.Index(fields=["society", "status"]), models.Index(fields=["status", "paid_through"])]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        who = self.person.name if self.person_id else (self.unit.name if self.unit_id else "?")
        return f"{self.society} · {who}"

    @property
    def member_name(self) -> str:
        return self.person.name if self.person_id else self.unit.name


class GroupRepresentative(TimeStamped):
    """A person a group member represents (its S&T staff who take part through it)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="representatives")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "person"], name="group_representative_unique")]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")

    def __str__(self) -> str:
        return f"{self.membership_id} · {self.person_id}"


def document_path(instance, filename: str) -> str:
    return f"memberships/{instance.membership.society_id}/{instance.membership_id}/{filename}"


class MembershipDocument(TimeStamped):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("document"), max_length=64)
    file = models.FileField(_("file"), upload_to=document_path, max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.name


class MembershipEvent(models.Model):
    """The life of a membership as the member and staff read it (the audit log keeps the rest)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(_("what"), max_length=16, choices=Transition.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    step_name = models.CharField(_("step"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")

    def __str__(self) -> str:
        return f"{self.membership_id} {self.transition}"


class DuesPayment(TimeStamped):
    """Dues for one calendar year of one membership."""

    society = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="payments")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    receipt_no = models.CharField(_("receipt number"), max_length=40, blank=True, default="")
    reference = models.CharField(_("transaction reference"), max_length=64, blank=True, default="")
    status = models.CharField(_("status"), max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.CONFIRMED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by"))

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["society", "receipt_no"], condition=~Q(receipt_no=""), name="dues_receipt_unique"),
            models.UniqueConstraint(fields=["membership", "year"], condition=Q(status__in=["pending", "confirmed"]), name="dues_one_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["society", "year", "status"])]
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")

    def __str__(self) -> str:
        return f"{self.membership_id} {self.year} {self.amount}"


class CertificateKey(TimeStamped):
    """An Ed25519 signing key. The newest unretired key signs; every key, retired or not, still
    verifies what it signed, so rotation never invalidates a certificate."""

    kid = models.CharField(_("key id"), max_length=16, unique=True)
    public_key = models.CharField(_("public key"), max_length=64)  # raw 32 bytes, urlsafe base64 without padding
    private_sealed = models.TextField()  # the raw private key, sealed under SECRET_KEY (kejia.core.sealing)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("certificate signing key")
        verbose_name_plural = _("certificate signing keys")

    def __str__(self) -> str:
        return self.kid


class Certificate(TimeStamped):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="certificates")
    serial = models.CharField(_("serial"), max_length=24, unique=True)
    key = models.ForeignKey(CertificateKey, on_delete=models.PROTECT, related_name="certificates")
    token = models.TextField()  # the signed payload as carried by the QR code
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("membership certificate")
        verbose_name_plural = _("membership certificates")

    def __str__(self) -> str:
        return self.serial
