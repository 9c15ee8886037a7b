"""Reads that depend on who asks. Views and the API call these, never `Model.objects.get`."""

from django.db.models import Count, Q, QuerySet

from kejia.accounts import scope
from kejia.core.errors import NotFound
from kejia.core.models import AuditEvent
from kejia.organizations.kinds import COVERING_KIND, TERRITORIAL_LEVEL, InstitutionKind, OrgKind, OrgStatus
from kejia.organizations.models import Filing, FilingStatus, Institution, Organization
from kejia.reference.models import Region, RegionLevel


def has_territorial_role(user) -> bool:
    """A role in a territorial association with a division: the user may analyse coverage
    (`coverage_regions`); a society's staff may not. Read from the roles already cached."""
    if scope.is_unrestricted(user):
        return True
    return any(region and org_kind in TERRITORIAL_LEVEL for _kind, _path, org_kind, region in scope.roles(user))


def visible_organizations(user) -> QuerySet[Organization]:
    return scope.restrict(Organization.objects.all(), user)


def get_organization_for(user, pk, *, manage: bool = False) -> Organization:
    """The organization if it is in the user's scope; NotFound otherwise (no existence leak)."""
    org = visible_organizations(user).select_related("parent", "region", "host").filter(pk=pk).first()
    if org is None:
        raise NotFound()
    if manage and not scope.can_manage(user, org):
        from kejia.core.errors import PermissionDenied

        raise PermissionDenied()
    return org


def root_organizations(user) -> QuerySet[Organization]:
    """The tops of the user's visible forest: their role organizations (or the roots)."""
    if scope.is_unrestricted(user):
        return Organization.objects.filter(parent__isnull=True)
    return Organization.objects.filter(path__in=scope.role_paths(user))


def children_of(user, org: Organization) -> QuerySet[Organization]:
    return visible_organizations(user).filter(parent=org).annotate(child_count=Count("children")).select_related("region").order_by("kind", "name")


def subtree(org: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(path__descends=org.path)


def subtree_counts(org: Organization, *, include_self: bool = True) -> dict[str, int]:
    """Organizations of each kind in the subtree; the pages count those below it only (an
    organization is not its own subordinate), the API the whole subtree."""
    qs = subtree(org)
    if not include_self:
        qs = qs.exclude(pk=org.pk)
    rows = qs.values("kind").annotate(n=Count("id"))
    return {row["kind"]: row["n"] for row in rows}


def ancestors_visible(user, org: Organization) -> list[Organization]:
    """The breadcrumb: ancestors inside the user's scope only."""
    ids = org.ancestor_ids
    return list(visible_organizations(user).filter(pk__in=ids).order_by("depth"))


def search_organizations(
    user, *, text: str = "", kind: str = "", status: str = "", region: Region | None = None, within: Organization | None = None
) -> QuerySet[Organization]:
    qs = visible_organizations(user).select_related("region", "parent")
    if within is not None:
        qs = qs.filter(path__descends=within.path)
    if text:
        text = text.strip()
        qs = qs.filter(Q(name__icontains=text) | Q(short_name__icontains=text) | Q(code__iexact=text) | Q(uscc__iexact=text))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if region is not None:
        qs = qs.filter(region__path__descends=region.path)
    return qs.order_by("path")


# ---- Filings -------------------------------------------------------------------------------


def filings_to_decide(user) -> QuerySet[Filing]:
    return scope.restrict(Filing.objects.all(), user, "parent__path", scope.MANAGE_KINDS).select_related("parent", "region", "submitted_by")


def my_filings(user) -> QuerySet[Filing]:
    return Filing.objects.filter(submitted_by=user).select_related("parent", "region", "organization")


def get_filing_for(user, pk) -> Filing:
    """A filing is seen by its submitter and by staff whose scope covers the guiding association."""
    filing = Filing.objects.select_related("parent", "region", "organization", "submitted_by").filter(pk=pk).first()
    if filing is None or not (filing.submitted_by_id == user.pk or scope.can_view(user, filing.parent)):
        raise NotFound()
    return filing


# ---- Audit log -----------------------------------------------------------------------------


def visible_audit_events(user) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("actor")
    if scope.is_unrestricted(user):
        return qs
    return scope.restrict(qs.exclude(org_path=""), user, "org_path", scope.MANAGE_KINDS)


# ---- Coverage (盲区白地, 001 九 / 002 一) ----------------------------------------------------


def coverage_regions(user) -> QuerySet[Region]:
    """Regions a user may analyse: those of the territorial associations in their scope."""
    if scope.is_unrestricted(user):
        return Region.objects.filter(level=RegionLevel.PROVINCE)
    paths = scope.role_paths(user)
    # Only territorial associations answer for a territory; a provincial society does not.
    orgs = Organization.objects.filter(path__in=paths, region__isnull=False, kind__in=list(TERRITORIAL_LEVEL))
    return Region.objects.filter(code__in=[o.region_id for o in orgs])


def can_analyse_region(user, region: Region) -> bool:
    if scope.is_unrestricted(user):
        return True
    return any(region.path.startswith(r.path) for r in coverage_regions(user))


def coverage(user, region: Region) -> dict:
    """Counties and townships under `region` with no active association of their level, and the
    universities, parks and large enterprises there with none.

    "Covered" is a membership test against the set of regions (or host units) that have an
    active association of the kind, computed once per query (`IN (SELECT …)`), not a correlated
    EXISTS per row: on SQLite that EXISTS scanned the kind's organizations for each of a
    province's 1 200 townships (docs/benchmarks.md, "Pages")."""
    if not can_analyse_region(user, region):
        raise NotFound()
    active = Organization.objects.filter(status=OrgStatus.ACTIVE)
    result = {"region": region}
    for level, kind, key in ((RegionLevel.COUNTY, OrgKind.COUNTY_ASSOCIATION, "counties"), (RegionLevel.TOWNSHIP, OrgKind.TOWNSHIP_ASSOCIATION, "townships")):
        regions = Region.objects.filter(path__descends=region.path, level=level)
        covered = Q(code__in=active.filter(kind=kind, region__isnull=False).values("region_id"))
        counts = regions.aggregate(total=Count("code"), covered=Count("code", filter=covered))
        gaps = regions.exclude(covered).select_related("parent").order_by("code")
        result[key] = {"total": counts["total"], "gap_count": counts["total"] - counts["covered"], "gaps": gaps}
    wanted = (
        Q(kind__in=[InstitutionKind.UNIVERSITY, InstitutionKind.PARK])
        | Q(kind=InstitutionKind.ENTERPRISE, is_large=True)
        | Q(kind=InstitutionKind.RESEARCH_INSTITUTE)
    )
    institutions = Institution.objects.filter(wanted, region__path__descends=region.path)
    totals = {row["kind"]: row["n"] for row in institutions.order_by().values("kind").annotate(n=Count("id"))}
    rows = []
    for inst_kind, org_kind in COVERING_KIND.items():
        hosts = active.filter(kind=org_kind, host__isnull=False).values("host_id")
        rows.append(
            {
                "kind": InstitutionKind(inst_kind),
                "total": totals.get(inst_kind, 0),
                "gaps": institutions.filter(kind=inst_kind).exclude(pk__in=hosts).select_related("region").order_by("region_id", "name"),
            }
        )
    result["institutions"] = rows
    return result


def filings_waiting(user) -> QuerySet[Filing]:
    """Submitted filings the user decides (staff of the guiding association or above), not their
    own, oldest first."""
    return filings_to_decide(user).filter(status=FilingStatus.SUBMITTED).exclude(submitted_by=user).order_by("submitted_at", "id")


def pending_filing_count(user) -> int:
    return filings_waiting(user).count()
