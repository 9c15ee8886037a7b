"""The base model and the audit log shared by every domain app."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One row per write made through a service: who, what, on which object, old and new."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("actor"))
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    # The organization whose scope the event belongs to; staff see events of their subtree (by
    # org_path, the event's own copy of its path). An id, not a foreign key: core sits below
    # organizations (docs/architecture.md), and an audit row outlives what it names.
    organization_id = models.BigIntegerField(_("organization"), null=True, blank=True, db_index=True)
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    old = models.JSONField(_("old values"), default=dict, blank=True)
    new = models.JSONField(_("new values"), default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    @property
    def organization(self):
        """The organization (None once it is gone): loaded on first use; a page that lists events
        loads them all at once with `with_organizations`."""
        if "organization_loaded" not in self.__dict__:
            self.__dict__["organization_loaded"] = _organizations().filter(pk=self.organization_id).first() if self.organization_id else None
        return self.__dict__["organization_loaded"]

    @staticmethod
    def with_organizations(events):
        """The events, each with its organization loaded (one query for all)."""
        events = list(events)
        found = _organizations().in_bulk({e.organization_id for e in events if e.organization_id})
        for event in events:
            event.__dict__["organization_loaded"] = found.get(event.organization_id)
        return events


def _organizations():
    # By its label: core imports no app.
    return apps.get_model("organizations", "Organization").objects


class Notice(models.Model):
    """A message to a person: kept here so they can read it in Kejia, and handed to the
    configured senders (console, e-mail, SMS) after the transaction commits (kejia.core.notify)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notices", verbose_name=_("recipient"))
    email = models.EmailField(blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    sent_via = models.JSONField(default=list, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.subject


class ThrottleCounter(models.Model):
    """How many events of one kind a key has had in its current window, and until when it is
    refused (kejia.core.throttle). Keys never hold personal data in clear."""

    key = models.CharField(max_length=160, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(null=True)
    locked_until = models.DateTimeField(null=True, db_index=True)


class OneTimeCode(models.Model):
    """A short code sent to a phone or e-mail to prove that the person controls it
    (kejia.core.codes). Only its keyed hash is stored."""

    purpose = models.CharField(max_length=40)
    subject = models.CharField(max_length=64, help_text="who asked, e.g. user:12")
    target = models.CharField(max_length=64, blank=True, help_text="what the code unlocks, e.g. person:34")
    channel = models.CharField(max_length=8, blank=True)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["purpose", "subject"])]
