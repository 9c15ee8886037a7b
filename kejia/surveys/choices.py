"""The kinds and states of surveys, questions, responses and distribution rules."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SurveyKind(models.TextChoices):
    GENERAL = "general", _("Questionnaire")
    STATUS = "status", _("Status survey of S&T workers")
    EVALUATION = "evaluation", _("Evaluation of organizations by S&T workers")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    RATING = "rating", _("Rating scale")
    MATRIX = "matrix", _("Matrix")
    TEXT = "text", _("Free text")


class QuestionRole(models.TextChoices):
    """What a question means to the results: a demographic dimension for cross-tabulation of
    anonymous surveys, or one of the four measures of the evaluation index (seed 001 九)."""

    NONE = "", _("None")
    SECTOR = "sector", _("Sector (for cross-tabulation)")
    AGE_BAND = "age_band", _("Age band (for cross-tabulation)")
    REGION = "region", _("Region (for cross-tabulation)")
    AWARENESS = "awareness", _("Awareness (知晓面)")
    PARTICIPATION = "participation", _("Participation (参与度)")
    BENEFIT = "benefit", _("Benefit (受益率)")
    SATISFACTION = "satisfaction", _("Satisfaction (满意度)")


DIMENSIONS = (QuestionRole.SECTOR, QuestionRole.AGE_BAND, QuestionRole.REGION)
MEASURES = (QuestionRole.AWARENESS, QuestionRole.PARTICIPATION, QuestionRole.BENEFIT, QuestionRole.SATISFACTION)


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (saved to continue later)")
    SUBMITTED = "submitted", _("Submitted")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    STATION = "station", _("Survey station")


class TargetKind(models.TextChoices):
    PEOPLE = "people", _("People chosen by filters from the talent database")
    MEMBERS = "members", _("People listed by an organization")
    STATION = "station", _("A survey station (its staff enter answers)")
    LINK = "link", _("An open link")


class AgeBand(models.TextChoices):
    UNDER_35 = "lt35", _("Under 35")
    FROM_35 = "35_44", _("35–44")
    FROM_45 = "45_54", _("45–54")
    FROM_55 = "ge55", _("55 and over")
    UNKNOWN = "", _("Not known")
