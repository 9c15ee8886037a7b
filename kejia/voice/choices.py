"""The kinds of voice items, their workflow states, the events of their history and the kinds of
calendar exception (seeds 003 二.5: 意见建议、呼声和诉求; 001: 维护科技工作者合法权益)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ItemKind(models.TextChoices):
    SUGGESTION = "suggestion", _("Suggestion (建言)")
    APPEAL = "appeal", _("Appeal (诉求)")
    RIGHTS = "rights", _("Rights protection (权益维护)")
    POLICY_QUESTION = "policy_question", _("Policy question (政策咨询)")


class ItemStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", pgettext_lazy("voice item", "Closed")


# Waiting for the handler organization: these run against the deadline and escalate when late.
OPEN_STATUSES = (ItemStatus.SUBMITTED, ItemStatus.ASSIGNED, ItemStatus.REOPENED)


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Sent")
    ASSIGNED = "assigned", _("Assigned")
    FORWARDED = "forwarded", _("Forwarded")
    ESCALATED = "escalated", _("Escalated (overdue)")
    ANSWERED = "answered", _("Answered")
    PUBLISHED = "published", _("Answer published")
    RATED = "rated", _("Rated")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", pgettext_lazy("voice item", "Closed")
    PUBLICITY = "publicity", _("Publicity changed")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (no work)")
    WORKDAY = "workday", _("Make-up working day (调休)")
