"""Activities: events, registration with capacity and waitlist, check-in, attendance certificates, calendars.

Seats are counted on the event (`confirmed_count`) and taken with one conditional UPDATE, so a
seat is never oversold on SQLite or PostgreSQL; the database refuses an over-full event as well
(`event_seats_within_capacity`) and a second live registration of one person (kejia/activities/registration.py)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.activities.choices import ACTIVE_STATUSES, Audience, EventKind, EventStatus, RegistrationStatus
from kejia.core.models import TimeStamped


class Event(TimeStamped):
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="events", verbose_name=_("organizer"))
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    region = models.ForeignKey("reference.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("division"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("Empty: no limit."))
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.PUBLIC)
    audience_organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("members of")
    )
    fee = models.DecimalField(_("fee (yuan)"), max_digits=10, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True)
    disciplines = models.ManyToManyField("reference.Discipline", blank=True, related_name="events", verbose_name=_("disciplines"))
    # Seats taken (confirmed + attended): changed only by conditional UPDATEs in registration.py.
    confirmed_count = models.PositiveIntegerField(_("seats taken"), default=0)
    # The last place in line given out; a waitlisted registration takes the next one.
    waitlist_seq = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["status", "audience", "starts_at"]), models.Index(fields=["organization", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(confirmed_count__lte=F("capacity")), name="event_seats_within_capacity"),
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(audience=Audience.MEMBERS) | Q(audience_organization__isnull=False), name="event_members_audience_has_organization"
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="event_fee_not_negative"),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:event", args=[self.pk])

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed_count, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.confirmed_count >= self.capacity

    @property
    def place(self) -> str:
        parts = [str(self.region) if self.region_id else "", self.address]
        return " ".join(p for p in parts if p)


class Registration(TimeStamped):
    """One person's (or account's) place at an event. A registration made online carries the
    account and, when it has one, its profile in the talent database; staff-entered and imported
    ones carry the profile only."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event"))
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("person"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations", verbose_name=_("account")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)  # as registered, for lists and certificates
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices, db_index=True)
    waitlist_position = models.PositiveIntegerField(_("place in line"), null=True, blank=True)
    checkin_code = models.CharField(max_length=32, unique=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("checked in by")
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["event_id", "id"]
        indexes = [models.Index(fields=["event", "status", "waitlist_position"])]
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False) | Q(user__isnull=False), name="registration_has_person_or_user"),
            models.UniqueConstraint(
                fields=["event", "person"], condition=Q(status__in=ACTIVE_STATUSES) & Q(person__isnull=False), name="registration_one_active_per_person"
            ),
            models.UniqueConstraint(
                fields=["event", "user"], condition=Q(status__in=ACTIVE_STATUSES) & Q(user__isnull=False), name="registration_one_active_per_user"
            ),
            models.UniqueConstraint(
                fields=["event", "waitlist_position"], condition=Q(waitlist_position__isnull=False), name="registration_waitlist_position_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status=RegistrationStatus.WAITLISTED) | Q(waitlist_position__isnull=False), name="registration_waitlisted_has_position"
            ),
            models.CheckConstraint(condition=~Q(status=RegistrationStatus.ATTENDED) | Q(checked_in_at__isnull=False), name="registration_attended_has_checkin"),
        ]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self) -> str:
        return f"{self.name} · {self.event_id}"

    def get_absolute_url(self) -> str:
        return reverse("activities:registration", args=[self.pk])

    def belongs_to(self, user) -> bool:
        uid = getattr(user, "pk", None)
        if uid is None:
            return False
        return self.user_id == uid or (self.person_id is not None and self.person.user_id == uid)


class Invitation(TimeStamped):
    """Who may register for an event by invitation."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("event"))
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="event_invitations", verbose_name=_("person"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["event_id", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="event_invitation_unique")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.event_id} → {self.person_id}"


class AttendanceCertificate(TimeStamped):
    """A signed certificate of attendance (kejia/activities/certificates.py), checked on /verify/."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="certificates")
    serial = models.CharField(_("serial"), max_length=24, unique=True)
    key = models.ForeignKey("memberships.CertificateKey", on_delete=models.PROTECT, related_name="+")
    token = models.TextField()
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["registration"], condition=Q(revoked_at__isnull=True), name="attendance_certificate_one_live")]
        verbose_name = _("certificate of attendance")
        verbose_name_plural = _("certificates of attendance")

    def __str__(self) -> str:
        return self.serial
