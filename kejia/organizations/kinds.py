"""The kinds of organization in a 科协 federation (PRODUCT.md §1) and what each implies."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kejia.reference.models import RegionLevel


class OrgKind(models.TextChoices):
    NATIONAL_ASSOCIATION = "national_assoc", _("National association for science and technology")
    PROVINCIAL_ASSOCIATION = "provincial_assoc", _("Provincial association for science and technology")
    MUNICIPAL_ASSOCIATION = "municipal_assoc", _("Municipal association for science and technology")
    COUNTY_ASSOCIATION = "county_assoc", _("County association for science and technology")
    TOWNSHIP_ASSOCIATION = "township_assoc", _("Township / street association")
    COMMUNITY_ASSOCIATION = "community_assoc", _("Community / village science association")
    NATIONAL_SOCIETY = "national_society", _("National learned society")
    PROVINCIAL_SOCIETY = "provincial_society", _("Provincial learned society")
    MUNICIPAL_SOCIETY = "municipal_society", _("Municipal learned society")
    SOCIETY_BRANCH = "society_branch", _("Society branch")
    SPECIALIZED_COMMITTEE = "committee", _("Specialized committee")
    SOCIETY_UNION = "society_union", _("Society union")
    ENTERPRISE_ASSOCIATION = "enterprise_assoc", _("Enterprise association")
    PARK_ASSOCIATION = "park_assoc", _("Industrial park association")
    UNIVERSITY_ASSOCIATION = "university_assoc", _("University association")
    INSTITUTE_ASSOCIATION = "institute_assoc", _("Research institute association")
    RURAL_TECH_ASSOCIATION = "rural_tech_assoc", _("Rural professional technical association")
    VOLUNTEER_TEAM = "volunteer_team", _("S&T volunteer team")
    SURVEY_STATION = "survey_station", _("Survey station")
    SERVICE_STATION = "service_station", _("Service station")
    EXPERT_WORKSTATION = "expert_workstation", _("Expert workstation")


# Territorial associations sit on one level of administrative division.
TERRITORIAL_LEVEL: dict[str, int | None] = {
    OrgKind.NATIONAL_ASSOCIATION: None,
    OrgKind.PROVINCIAL_ASSOCIATION: RegionLevel.PROVINCE,
    OrgKind.MUNICIPAL_ASSOCIATION: RegionLevel.CITY,
    OrgKind.COUNTY_ASSOCIATION: RegionLevel.COUNTY,
    OrgKind.TOWNSHIP_ASSOCIATION: RegionLevel.TOWNSHIP,
}

SOCIETY_KINDS = frozenset(
    {OrgKind.NATIONAL_SOCIETY, OrgKind.PROVINCIAL_SOCIETY, OrgKind.MUNICIPAL_SOCIETY, OrgKind.SOCIETY_UNION}
)
# Kinds founded by a host unit (enterprise, park, university, institute) and filed online (002 §(8)).
HOSTED_KINDS = frozenset(
    {OrgKind.ENTERPRISE_ASSOCIATION, OrgKind.PARK_ASSOCIATION, OrgKind.UNIVERSITY_ASSOCIATION, OrgKind.INSTITUTE_ASSOCIATION}
)
FILABLE_KINDS = frozenset({OrgKind.ENTERPRISE_ASSOCIATION, OrgKind.PARK_ASSOCIATION})


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    EXITING = "exiting", _("Exiting")
    DISSOLVED = "dissolved", _("Dissolved")


# Allowed status changes; anything else is an illegal transition.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    OrgStatus.ACTIVE: frozenset({OrgStatus.DORMANT, OrgStatus.EXITING, OrgStatus.DISSOLVED}),
    OrgStatus.DORMANT: frozenset({OrgStatus.ACTIVE, OrgStatus.EXITING, OrgStatus.DISSOLVED}),
    OrgStatus.EXITING: frozenset({OrgStatus.ACTIVE, OrgStatus.DISSOLVED}),
    OrgStatus.DISSOLVED: frozenset(),
}


class PartyCoverage(models.TextChoices):
    """Party-organization coverage (003 五.1): an independent organization, a joint one, or none."""

    INDEPENDENT = "independent", _("Independent party organization")
    JOINT = "joint", _("Joint party organization")
    NONE = "none", _("None")


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    PARK = "park", _("Industrial / high-tech park")
    ENTERPRISE = "enterprise", _("Enterprise")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    HOSPITAL = "hospital", _("Hospital")


# Which association kind covers which kind of host unit (for coverage analysis).
COVERING_KIND = {
    InstitutionKind.UNIVERSITY: OrgKind.UNIVERSITY_ASSOCIATION,
    InstitutionKind.PARK: OrgKind.PARK_ASSOCIATION,
    InstitutionKind.ENTERPRISE: OrgKind.ENTERPRISE_ASSOCIATION,
    InstitutionKind.RESEARCH_INSTITUTE: OrgKind.INSTITUTE_ASSOCIATION,
}
