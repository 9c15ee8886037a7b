"""Voice of S&T workers (建言与诉求): suggestions, appeals, rights requests and policy questions with deadlines, escalation and public answers.

An item is sent by a user (with their talent-database profile when linked) to an organization,
which handles it: assigns it to one of its people, forwards it down or up the tree, or answers.
Deadlines are working days from a rule set (`DeadlineRule`) and a calendar of exceptions
(`CalendarDay`); an item still open after its due date moves to the parent organization
(kejia.voice.escalation). Leaders answer in public under their real name and title (实名, seed
003 二.5) when the sender allowed their question to be public."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.core.models import TimeStamped
from kejia.voice.choices import OPEN_STATUSES, DayKind, EventKind, ItemKind, ItemStatus


class Item(TimeStamped):
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    body = models.TextField(_("text"))
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voice_items", verbose_name=_("sender"))
    sender_person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="voice_items", verbose_name=_("sender's profile")
    )
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="voice_items", verbose_name=_("handled by"))
    origin = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("sent to"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="voice_assigned", verbose_name=_("assigned to")
    )
    status = models.CharField(_("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.SUBMITTED)
    allow_public = models.BooleanField(
        _("the question may be published"), default=False, help_text=_("Shown without your name or contact data, with the public answer.")
    )
    deadline_days = models.PositiveSmallIntegerField(_("deadline (working days)"))
    due_on = models.DateField(_("answer due by"))
    escalation_level = models.PositiveSmallIntegerField(_("times escalated"), default=0)
    escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)  # set once: an item is reopened at most once

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="voice_item_rating_1_5"),
            models.CheckConstraint(condition=Q(kind__in=ItemKind.values), name="voice_item_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ItemStatus.values), name="voice_item_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["sender", "created_at"]),
        ]
        verbose_name = _("voice item")
        verbose_name_plural = _("voice items")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("voice:item", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_on < today

    @property
    def reopened_once(self) -> bool:
        return self.reopened_at is not None


class Answer(TimeStamped):
    """An answer to the sender. A public one is signed (实名) by a leader or administrator of the
    handling organization or above: their real name, title and organization are copied when it
    is published, so a later change of post does not rewrite what was said in their name."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="answers", verbose_name=_("item"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("written by"))
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("answering organization"))
    text = models.TextField(_("answer"))
    is_public = models.BooleanField(_("public"), default=False)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("signed by"))
    signer_name = models.CharField(_("real name"), max_length=64, blank=True)
    signer_title = models.CharField(pgettext_lazy("post", "title"), max_length=160, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(is_public=False) | (Q(published_at__isnull=False) & ~Q(signer_name="")), name="voice_answer_public_is_signed")
        ]
        indexes = [models.Index(fields=["is_public", "published_at"])]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.item_id} · {self.pk}"


class ItemEvent(models.Model):
    """One step of an item's history, shown to the sender and the staff (internal notes only to
    the staff)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events", verbose_name=_("item"))
    kind = models.CharField(pgettext_lazy("voice history", "step"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by"))
    from_org = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("from"))
    to_org = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("to"))
    note = models.TextField(_("note"), blank=True)
    internal = models.BooleanField(_("internal (staff only)"), default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("item event")
        verbose_name_plural = _("item events")

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind}"


class DeadlineRule(TimeStamped):
    """How many working days an organization has to answer an item of a kind. A rule of an
    organization applies to it and everything below it (the nearest one wins); a rule without an
    organization is the federation's default."""

    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization (empty: default)")
    )
    working_days = models.PositiveSmallIntegerField(_("working days"))
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        ordering = ["organization_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "organization"], name="voice_rule_one_per_kind_org"),
            models.UniqueConstraint(fields=["kind"], condition=Q(organization__isnull=True), name="voice_rule_one_default_per_kind"),
            models.CheckConstraint(condition=Q(working_days__gte=1, working_days__lte=365), name="voice_rule_days_range"),
        ]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def __str__(self) -> str:
        return f"{self.kind} · {self.organization_id or '*'} · {self.working_days}"


class CalendarDay(models.Model):
    """An exception to "Monday to Friday are working days": a public holiday on a weekday, or a
    make-up working day (调休) on a weekend."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"
