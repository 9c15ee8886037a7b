"""Kinds of event, their life cycle, who may come, and the states of a registration
(PRODUCT.md §5: conferences, forums, salons, popularization, training, 建家交友 visits, volunteer service)."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    CONFERENCE = "conference", _("Academic conference (学术会议)")
    FORUM = "forum", _("Forum (论坛)")
    SALON = "salon", _("Salon (沙龙)")
    POPULARIZATION = "popularization", _("Science popularization (科普活动)")
    TRAINING = "training", _("Training (培训)")
    PARTY_SCHOOL = "party_school", _("Party-school course (党校培训)")
    VISIT = "visit", _("Home-building visit (建家交友)")
    VOLUNTEER = "volunteer", _("Volunteer service (科技志愿服务)")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    FINISHED = "finished", _("Finished")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Open to the public")
    MEMBERS = "members", _("Members of an organization")
    INVITED = "invited", _("By invitation")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    ATTENDED = "attended", _("Attended")
    CANCELLED = "cancelled", _("Cancelled")


# A person holds at most one registration in these states per event.
ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.ATTENDED)
# States that hold a seat (counted in Event.confirmed_count).
SEATED_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)

# Check-in at the door opens this long before the start and stays open this long after the end
# (staff may record attendance from the list after a multi-day training).
CHECKIN_OPENS_BEFORE = datetime.timedelta(hours=24)
CHECKIN_CLOSES_AFTER = datetime.timedelta(days=7)
