from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    """Sectors of employment of S&T workers and of known institutions."""

    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    MEDICAL = "medical", _("Medical and health")
    EDUCATION = "education", _("Primary and secondary education")
    AGRICULTURE = "agriculture", _("Agriculture")
    GOVERNMENT = "government", _("Government and public institution")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    OTHER = "other", _("Other")
