"""Workflow states and roles of volunteer service (seed 002 §(7), §(11): 科技志愿服务队伍, 科技为民志愿服务)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.organizations.kinds import OrgKind


class TeamRole(models.TextChoices):
    LEADER = "leader", _("Team leader")
    MEMBER = "member", _("Team member")


class DemandStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("demand status", "Open")
    TAKEN = "taken", _("Taken by a team")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceStatus(models.TextChoices):
    REPORTED = "reported", _("Reported, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


# The grassroots bodies that post service demands (002 §(11): 城乡社区, 乡镇街道; a county
# association posts for a school or village named in the demand's text).
POSTER_KINDS = frozenset(
    {
        OrgKind.COUNTY_ASSOCIATION,
        OrgKind.TOWNSHIP_ASSOCIATION,
        OrgKind.COMMUNITY_ASSOCIATION,
        OrgKind.RURAL_TECH_ASSOCIATION,
        OrgKind.SERVICE_STATION,
    }
)

# Hours of one person: at most this many on one day, across all their services (plausibility).
MAX_HOURS_PER_DAY = 24
