from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Not stated")


class TitleLevel(models.TextChoices):
    """Professional title level (职称级别)."""

    SENIOR = "senior", _("Senior (full)")
    VICE_SENIOR = "vice_senior", _("Senior (associate)")
    INTERMEDIATE = "intermediate", _("Intermediate")
    JUNIOR = "junior", _("Junior")
    NONE = "none", _("None")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("Doctorate")
    MASTER = "master", _("Master's degree")
    BACHELOR = "bachelor", _("Bachelor's degree")
    COLLEGE = "college", _("Junior college")
    SECONDARY = "secondary", _("Secondary or below")


class OverseasStatus(models.TextChoices):
    NONE = "none", _("None")
    RETURNED = "returned", _("Returned from study or work abroad")
    OVERSEAS_CHINESE = "overseas_chinese", _("Overseas Chinese")
    FOREIGN = "foreign", _("Foreign national")
    HONG_KONG = "hong_kong", _("Hong Kong")
    MACAO = "macao", _("Macao")
    TAIWAN = "taiwan", _("Taiwan")


class ThreeChiefs(models.TextChoices):
    """三长 (seed 002_dd2c9a3474290213.txt §(7)): school principals, hospital directors and heads of
    agricultural technology stations who join grassroots associations."""

    NONE = "none", _("None")
    SCHOOL_PRINCIPAL = "school_principal", _("School principal")
    HOSPITAL_DIRECTOR = "hospital_director", _("Hospital director")
    AGRI_STATION_HEAD = "agri_station_head", _("Head of an agricultural technology station")


class AchievementKind(models.TextChoices):
    """Achievements of every kind, not only papers (破四唯, 002 §(15))."""

    PAPER = "paper", _("Paper")
    PATENT = "patent", _("Patent")
    AWARD = "award", _("Award")
    PROJECT = "project", _("Project")
    STANDARD = "standard", _("Standard")
    CASE = "case", _("Case / practice")
    OTHER = "other", _("Other")


class ListingRole(models.TextChoices):
    MEMBER = "member", _("Member")
    EXPERT = "expert", _("Expert")
    STAFF = "staff", _("Staff")
    LEADER = "leader", _("Leadership member")
    VOLUNTEER = "volunteer", _("Volunteer")
    CONTACT = "contact", _("Contact")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged into another record")
    ANONYMIZED = "anonymized", _("Anonymized on request")
