"""Leadership bodies, seat roles and the measures composition rules are written in (seeds 000 二.1,
003 二.1 and 三.3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BodyKind(models.TextChoices):
    CONGRESS = "congress", _("Congress (代表大会)")
    COMMITTEE = "committee", _("Committee (全委会)")
    STANDING_COMMITTEE = "standing_committee", _("Standing committee (常委会)")
    COUNCIL = "council", _("Council (理事会)")
    STANDING_COUNCIL = "standing_council", _("Standing council (常务理事会)")
    SUPERVISORY_BOARD = "supervisory_board", _("Supervisory board (监事会)")
    SECRETARIAT = "secretariat", _("Secretariat (秘书处)")
    LEADERSHIP = "leadership", _("Leadership group (领导班子)")


class SeatRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR_FULL = "vice_chair_full", _("Vice-chair, full-time")
    VICE_CHAIR_PART = "vice_chair_part", _("Vice-chair, part-time")
    SECRETARY_GENERAL = "secretary_general", _("Secretary-general")
    MEMBER = "member", pgettext_lazy("seat role", "Member")
    DELEGATE = "delegate", _("Delegate")
    STAFF = "staff", _("Full-time staff")


# Roles that are a "post" (职务) of a society in the sense of 003 三.3 (officials may hold one).
POST_ROLES = frozenset({SeatRole.CHAIR, SeatRole.VICE_CHAIR_FULL, SeatRole.VICE_CHAIR_PART, SeatRole.SECRETARY_GENERAL})


class OfficialStatus(models.TextChoices):
    NONE = "", _("Not an official")
    SERVING = "serving", _("Serving official")
    RETIRED = "retired", _("Retired official")


class Measure(models.TextChoices):
    """What a rule measures. Share measures are over a body's seats; per-person measures check
    each official in the body (the worst value is the body's); body measures read the body."""

    FRONTLINE_SHARE = "frontline_share", _("Share from the front line (基层一线)")
    AGED_AT_MOST_SHARE = "aged_at_most_share", _("Share aged at most N")
    WOMEN_SHARE = "women_share", _("Share of women")
    OFFICIAL_POSTS = "official_posts", _("Posts in social organizations held by an official")
    OFFICIAL_UNAPPROVED = "official_unapproved", _("Posts of an official without a recorded approval")
    OFFICIAL_AGE = "official_age", _("Age of an official on the day of the check")
    OFFICIAL_TERMS = "official_terms", _("Terms an official has held in the same post")
    DAYS_OVERDUE = "days_overdue", _("Days since the term should have ended")


SHARE_MEASURES = frozenset({Measure.FRONTLINE_SHARE, Measure.AGED_AT_MOST_SHARE, Measure.WOMEN_SHARE})
PERSON_MEASURES = frozenset({Measure.OFFICIAL_POSTS, Measure.OFFICIAL_UNAPPROVED, Measure.OFFICIAL_AGE, Measure.OFFICIAL_TERMS})
# Bodies whose terms count together for "terms in the same post": a society's council and its
# standing council are elected for the same term (届), as are a committee and its standing committee.
TERM_GROUPS = {
    "council": "council",
    "standing_council": "council",
    "committee": "committee",
    "standing_committee": "committee",
}
# Measures that need a parameter (an age).
PARAM_MEASURES = frozenset({Measure.AGED_AT_MOST_SHARE})


class Comparison(models.TextChoices):
    """以上 / 不少于 are "at least" and 以下 / 不超过 "at most": they include the number itself
    (Civil Code art. 1259). 主要 ("mainly") is "more than" one half."""

    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")
    MORE_THAN = "gt", _("more than")


class Outcome(models.TextChoices):
    PASS = "pass", _("Meets the rule")
    FAIL = "fail", _("Fails the rule")
    TARGET_MISSED = "target_missed", _("Target not reached")
    NOT_APPLICABLE = "n/a", _("Not applicable")


class ContactForm(models.TextChoices):
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Telephone call")
    ONLINE = "online", _("Online")
    SURVEY = "survey", _("Survey / research (调研)")
