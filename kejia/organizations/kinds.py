"""The kinds of organization in a 科协 federation (PRODUCT.md §1) and what each implies."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    # Kinds the seeds name beside the ones above (sources in KIND_SOURCES).
    ENTERPRISE_UNION = "enterprise_union", _("Union of enterprise associations")
    UNIVERSITY_ALLIANCE = "university_alliance", _("Alliance of university associations")
    RURAL_TECH_FEDERATION = "rural_tech_federation", _("Federation of rural professional technical associations")
    SCIENCE_COURTYARD = "science_courtyard", _("Science and technology courtyard")
    COMMUNITY_ACADEMY = "community_academy", _("Community academy")
    MAKER_HOME = "maker_home", _("Maker home")
    AGRI_EXPERT_STATION = "agri_expert_station", _("Agricultural expert service station")
    ACADEMICIAN_WORKSTATION = "academician_workstation", _("Academician and expert workstation")
    OVERSEAS_TALENT_BASE = "overseas_talent_base", _("Overseas talent (HAIZHI) base or workstation")


# Where the seeds name the kinds added above (for docs and reviewers; never shown on a page).
KIND_SOURCES: dict[str, str] = {
    OrgKind.ENTERPRISE_UNION: "002 §(8) 企业科协联合体; 003 二.4 企业科协联盟",
    OrgKind.UNIVERSITY_ALLIANCE: "002 §(9) 高校（科研院所）科协联盟; 003 二.4 省高校科协联合会",
    OrgKind.RURAL_TECH_FEDERATION: "002 §(10) 地方农技协联合会; 004 (二)3 乡镇农技协联合会（联合体）",
    OrgKind.SCIENCE_COURTYARD: "002 §(10) 中国农技协科技小院",
    OrgKind.COMMUNITY_ACADEMY: "002 §(11) 社区书院",
    OrgKind.MAKER_HOME: "003 二.4 创客之家等新型科技社团",
    OrgKind.AGRI_EXPERT_STATION: "004 (二)3 农技专家服务站",
    OrgKind.ACADEMICIAN_WORKSTATION: "001 三 专家工作站",
    OrgKind.OVERSEAS_TALENT_BASE: "001 三 海智计划的平台作用、海外人才离岸创业基地",
}


# Territorial associations sit on one level of administrative division.
TERRITORIAL_LEVEL: dict[str, int | None] = {
    OrgKind.NATIONAL_ASSOCIATION: None,
    OrgKind.PROVINCIAL_ASSOCIATION: RegionLevel.PROVINCE,
    OrgKind.MUNICIPAL_ASSOCIATION: RegionLevel.CITY,
    OrgKind.COUNTY_ASSOCIATION: RegionLevel.COUNTY,
    OrgKind.TOWNSHIP_ASSOCIATION: RegionLevel.TOWNSHIP,
}

SOCIETY_KINDS = frozenset({OrgKind.NATIONAL_SOCIETY, OrgKind.PROVINCIAL_SOCIETY, OrgKind.MUNICIPAL_SOCIETY, OrgKind.SOCIETY_UNION})
# Kinds founded by a host unit (enterprise, park, university, institute) and filed online (002 §(8)).
HOSTED_KINDS = frozenset({OrgKind.ENTERPRISE_ASSOCIATION, OrgKind.PARK_ASSOCIATION, OrgKind.UNIVERSITY_ASSOCIATION, OrgKind.INSTITUTE_ASSOCIATION})
FILABLE_KINDS = frozenset({OrgKind.ENTERPRISE_ASSOCIATION, OrgKind.PARK_ASSOCIATION})
# Kinds that take members (individual and unit): the societies, and university associations, which
# develop individual members and group members such as student and teacher associations (002 §(9)).
MEMBERSHIP_KINDS = SOCIETY_KINDS | {OrgKind.UNIVERSITY_ASSOCIATION}
# Associations whose structure the county-capacity rules describe (001 九; 003 二.4): whether the
# association is an independent unit (独立建制), has a leading party group (党组), and the Party
# committee leader in charge (分管) and the government leader in contact (联系).
STRUCTURED_KINDS = frozenset({OrgKind.PROVINCIAL_ASSOCIATION, OrgKind.MUNICIPAL_ASSOCIATION, OrgKind.COUNTY_ASSOCIATION})
# Grassroots bodies that take in 三长 and other key staff (002 §(7)(11)).
GRASSROOTS_KINDS = frozenset(
    {
        OrgKind.TOWNSHIP_ASSOCIATION,
        OrgKind.COMMUNITY_ASSOCIATION,
        OrgKind.RURAL_TECH_ASSOCIATION,
        OrgKind.RURAL_TECH_FEDERATION,
        OrgKind.SCIENCE_COURTYARD,
        OrgKind.COMMUNITY_ACADEMY,
        OrgKind.AGRI_EXPERT_STATION,
        OrgKind.VOLUNTEER_TEAM,
    }
)


class SocietyClass(models.TextChoices):
    """The class a provincial society is given by evaluation (003 三.3: about 50 comprehensive
    demonstration societies, about 30 featured ones; 002 §(5) dynamic adjustment)."""

    ORDINARY = "ordinary", pgettext_lazy("society class", "Ordinary")
    FEATURED = "featured", pgettext_lazy("society class", "Featured")
    DEMONSTRATION = "demonstration", pgettext_lazy("society class", "Comprehensive demonstration")


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
