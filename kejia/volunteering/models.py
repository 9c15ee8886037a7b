"""Volunteer service: teams (organizations of kind `volunteer_team`) and their members, service
demands posted by grassroots bodies, and services with the hours of each participant: the one
ledger of volunteer hours per person (seed 002 §(7), §(11))."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.core.models import TimeStamped
from kejia.volunteering.choices import DemandStatus, ServiceStatus, TeamRole


class TeamMember(TimeStamped):
    """A person in a volunteer team, from `joined_on` to `left_on`. A person may be in many teams;
    in one team only once at a time."""

    team = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="team_members", verbose_name=_("team"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="team_memberships", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=12, choices=TeamRole.choices, default=TeamRole.MEMBER)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["team_id", "role", "person__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], condition=Q(left_on__isnull=True), name="team_member_one_active"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")), name="team_member_dates"),
        ]
        indexes = [models.Index(fields=["person", "left_on"])]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self) -> str:
        return f"{self.team_id} · {self.person_id}"

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class ServiceDemand(TimeStamped):
    """A grassroots body asks for volunteer service: open → taken (by a team) → done, or
    cancelled; the team that took it may withdraw (back to open)."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="service_demands", verbose_name=_("posted by"))
    # The county subtree whose teams may take it (the nearest county association at or above the poster).
    reach_path = models.CharField(max_length=255, db_index=True, editable=False)
    requester = models.CharField(_("for (school, community, village)"), max_length=128, blank=True)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=128)
    description = models.TextField(_("what is needed"), blank=True)
    region = models.ForeignKey("reference.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=255)
    wanted_from = models.DateField(_("wanted from"))
    wanted_until = models.DateField(_("wanted until"), null=True, blank=True)
    people_needed = models.PositiveSmallIntegerField(_("volunteers needed"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=DemandStatus.choices, default=DemandStatus.OPEN, db_index=True)
    team = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="taken_demands", verbose_name=_("taken by")
    )
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["-wanted_from", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(wanted_until__isnull=True) | Q(wanted_until__gte=models.F("wanted_from")), name="demand_dates"),
            models.CheckConstraint(condition=Q(people_needed__gte=1), name="demand_people_needed"),
            models.CheckConstraint(condition=~Q(status__in=["taken", "done"]) | Q(team__isnull=False), name="demand_taken_has_team"),
        ]
        indexes = [models.Index(fields=["status", "wanted_from"])]
        verbose_name = _("service demand")
        verbose_name_plural = _("service demands")

    def __str__(self) -> str:
        return self.title


class ServiceRecord(TimeStamped):
    """One service a team gave: when, where, who for how many hours, how many people served.
    Counted in the ledger once confirmed by the team's leader or staff."""

    team = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="service_records", verbose_name=_("team"))
    demand = models.ForeignKey(ServiceDemand, null=True, blank=True, on_delete=models.SET_NULL, related_name="services", verbose_name=_("demand"))
    date = models.DateField(_("date"), db_index=True)
    region = models.ForeignKey("reference.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    address = models.CharField(_("place"), max_length=255)
    people_served = models.PositiveIntegerField(_("people served"), default=0)
    note = models.TextField(_("what was done"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ServiceStatus.choices, default=ServiceStatus.REPORTED, db_index=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["team", "status", "date"])]
        verbose_name = _("volunteer service")
        verbose_name_plural = _("volunteer services")

    def __str__(self) -> str:
        return f"{self.date} · {self.address}"


class ServiceHours(models.Model):
    """The hours one person gave in one service: a row of the ledger."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="hours", verbose_name=_("service"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="volunteer_hours", verbose_name=_("person"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["record_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "person"], name="service_hours_one_per_person"),
            models.CheckConstraint(condition=Q(hours__gt=Decimal("0")) & Q(hours__lte=Decimal("24")), name="service_hours_plausible"),
        ]
        indexes = [models.Index(fields=["person", "record"])]
        verbose_name = _("service hours")
        verbose_name_plural = _("service hours")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.hours}"
