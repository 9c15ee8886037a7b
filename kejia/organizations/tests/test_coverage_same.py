"""The coverage selector (set membership, aggregated in the database) gives exactly what the
former per-row EXISTS formulation gave, on the demo tree with some associations made dormant."""

import io

from django.core.management import call_command
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from kejia.accounts.models import User
from kejia.organizations import selectors
from kejia.organizations.kinds import COVERING_KIND, InstitutionKind, OrgKind, OrgStatus
from kejia.organizations.models import Institution, Organization
from kejia.reference.models import Region, RegionLevel


def _reference(region: Region) -> dict:
    """The selector as it was before (correlated EXISTS per region and per institution)."""
    active = Organization.objects.filter(status=OrgStatus.ACTIVE)
    out = {}
    for level, kind, key in ((RegionLevel.COUNTY, OrgKind.COUNTY_ASSOCIATION, "counties"), (RegionLevel.TOWNSHIP, OrgKind.TOWNSHIP_ASSOCIATION, "townships")):
        regions = Region.objects.filter(path__descends=region.path, level=level).annotate(covered=Exists(active.filter(kind=kind, region=OuterRef("pk"))))
        gaps = regions.filter(covered=False).order_by("code")
        out[key] = (regions.count(), gaps.count(), [r.code for r in gaps])
    wanted = (
        Q(kind__in=[InstitutionKind.UNIVERSITY, InstitutionKind.PARK])
        | Q(kind=InstitutionKind.ENTERPRISE, is_large=True)
        | Q(kind=InstitutionKind.RESEARCH_INSTITUTE)
    )
    institutions = Institution.objects.filter(wanted, region__path__descends=region.path)
    for inst_kind, org_kind in COVERING_KIND.items():
        of_kind = institutions.filter(kind=inst_kind).annotate(covered=Exists(active.filter(kind=org_kind, host=OuterRef("pk"))))
        out[inst_kind] = (of_kind.count(), [i.pk for i in of_kind.filter(covered=False).order_by("region_id", "name")])
    return out


def _new(user, region: Region) -> dict:
    result = selectors.coverage(user, region)
    out = {key: (result[key]["total"], result[key]["gap_count"], [r.code for r in result[key]["gaps"]]) for key in ("counties", "townships")}
    for row in result["institutions"]:
        out[row["kind"].value] = (row["total"], [i.pk for i in row["gaps"]])
    return out


def test_coverage_matches_the_per_row_formulation(reference):
    call_command("seed_demo", orgs=400, stdout=io.StringIO())
    # Some covering associations fall dormant or are dissolved: their region or host is a gap again.
    for i, org in enumerate(
        Organization.objects.filter(kind__in=[OrgKind.COUNTY_ASSOCIATION, OrgKind.TOWNSHIP_ASSOCIATION, *COVERING_KIND.values()]).order_by("pk")
    ):
        if i % 4 == 1:
            Organization.objects.filter(pk=org.pk).update(status=OrgStatus.DORMANT)
    admin = User.objects.get(username="admin")
    regions = [
        Region.objects.get(code="320000"),
        *Region.objects.filter(code__startswith="32", level=RegionLevel.CITY).order_by("code")[:4],
        *Region.objects.filter(code__startswith="3201", level=RegionLevel.COUNTY).order_by("code")[:3],
    ]
    checked = 0
    for region in regions:
        expected, got = _reference(region), _new(admin, region)
        assert got == expected, region.code
        checked += sum(len(v[-1]) for v in expected.values())
    assert checked > 50  # gaps of every kind were compared, not empty lists


def test_coverage_reads_in_a_fixed_number_of_queries(reference):
    call_command("seed_demo", orgs=300, stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    province = Region.objects.get(code="320000")
    with CaptureQueriesContext(connection) as queries:
        _new(admin, province)
    # counties and townships: one aggregate and one gap list each; institutions: one count by
    # kind and one gap list per kind.
    assert len(queries) <= 4 + 1 + len(COVERING_KIND)
