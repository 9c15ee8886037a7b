"""The demo seed: deterministic, valid identifiers and paths, visible coverage gaps, idempotent."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from kejia.accounts.models import Role, User
from kejia.core.models import AuditEvent
from kejia.core.validators import validate_uscc
from kejia.demo import seeding as demo
from kejia.organizations import selectors
from kejia.organizations.kinds import OrgKind, OrgStatus
from kejia.organizations.models import Filing, FilingStatus, Institution, Organization, encode_segment
from kejia.reference.models import Region

SMALL = 300


def _seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", orgs=SMALL, stdout=out, **options)
    return out.getvalue()


def _tree_snapshot() -> list[tuple]:
    return list(Organization.objects.order_by("path").values_list("name", "code", "path", "depth", "uscc", "status", "kind"))


class _Undo(Exception):
    pass


def _seed_and_undo(**options) -> list[tuple]:
    """Seed inside a savepoint, read the tree, roll it back: two seeds in one test."""
    try:
        with transaction.atomic():
            _seed(**options)
            snapshot = _tree_snapshot()
            raise _Undo
    except _Undo:
        return snapshot


def test_seed_demo_same_seed_gives_same_tree(reference):
    first = _seed_and_undo(seed=7)
    second = _seed_and_undo(seed=7)
    assert len(first) == SMALL + 1  # the province's tree and the national association running the demo calls
    assert first == second
    assert _seed_and_undo(seed=8) != first


def test_seed_demo_writes_valid_usccs_and_consistent_paths(reference):
    _seed()
    # The national association (a root of its own) runs the demo calls (kejia/demo/calls.py).
    orgs = {o.pk: o for o in Organization.objects.exclude(kind=OrgKind.NATIONAL_ASSOCIATION)}
    assert len(orgs) == SMALL
    assert list(Organization.objects.filter(kind=OrgKind.NATIONAL_ASSOCIATION).values_list("name", "parent")) == [("中国科学技术协会", None)]
    roots = [o for o in orgs.values() if o.parent_id is None]
    assert [r.name for r in roots] == ["江苏省科学技术协会"]
    for org in orgs.values():
        if org.parent_id is None:
            assert (org.path, org.depth) == (encode_segment(org.pk), 0)
        else:
            parent = orgs[org.parent_id]
            assert org.path == parent.path + encode_segment(org.pk)
            assert org.depth == parent.depth + 1
            # Nothing active hangs under a dissolved organization.
            assert parent.status != OrgStatus.DISSOLVED
        if org.uscc:
            assert validate_uscc(org.uscc) == org.uscc
        assert not (org.is_legal_person and not org.uscc)
        assert org.term_end is None or org.term_start <= org.term_end
    for code in Institution.objects.values_list("uscc", flat=True):
        assert validate_uscc(code) == code
    prefixes = {o.kind: o.uscc[:2] for o in orgs.values() if o.uscc}
    assert prefixes[OrgKind.PROVINCIAL_SOCIETY] == "51"
    assert prefixes[OrgKind.PROVINCIAL_ASSOCIATION] == "13"
    assert set(Institution.objects.filter(kind="enterprise").values_list("uscc", flat=True).distinct()) and all(
        u.startswith("91") for u in Institution.objects.filter(kind="enterprise").values_list("uscc", flat=True)
    )
    # Societies carry disciplines; some terms are overdue; a couple are dissolved.
    assert Organization.objects.filter(kind=OrgKind.PROVINCIAL_SOCIETY, disciplines__isnull=False).exists()
    assert Organization.objects.filter(term_end__lt=demo.ANCHOR).exists()
    assert Organization.objects.filter(status=OrgStatus.DISSOLVED).count() >= 2


def test_seed_demo_leaves_coverage_gaps(reference):
    _seed()
    admin = User.objects.get(username="admin")
    nanjing = selectors.coverage(admin, Region.objects.get(code="320100"))
    townships = nanjing["townships"]
    assert 0 < townships["gap_count"] < townships["total"]
    institutions_total = sum(row["total"] for row in nanjing["institutions"])
    institution_gaps = sum(row["gaps"].count() for row in nanjing["institutions"])
    assert 0 < institution_gaps < institutions_total
    province = selectors.coverage(admin, Region.objects.get(code="320000"))
    assert 0 < province["counties"]["gap_count"] < province["counties"]["total"]


def test_seed_demo_creates_logins_and_open_filings(reference):
    _seed()
    xw_staff = User.objects.get(username="xw_staff")
    assert Role.objects.get(user=xw_staff).organization.name == "玄武区科学技术协会"
    assert User.objects.get(username="admin").is_superuser
    assert not Role.objects.filter(user__username="worker").exists()
    assert xw_staff.check_password(demo.DEMO_PASSWORD)
    assert Filing.objects.filter(status=FilingStatus.SUBMITTED).count() >= 3
    assert selectors.pending_filing_count(User.objects.get(username="nj_staff")) >= 1
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "xw_staff" in out.getvalue() and demo.DEMO_PASSWORD in out.getvalue()


def test_seed_demo_if_empty_is_a_noop_on_a_second_run(reference):
    _seed()
    before = (_tree_snapshot(), AuditEvent.objects.count(), User.objects.count())
    assert "already exist" in _seed(if_empty=True)
    assert (_tree_snapshot(), AuditEvent.objects.count(), User.objects.count()) == before
    with pytest.raises(CommandError):
        _seed()


def test_bulk_tree_continues_after_existing_organizations(tree):
    builder = demo.BulkTree()
    with transaction.atomic():
        builder.reserve()
        child = builder.add(tree.xw, name="演示企业科学技术协会", code="DEMO-1", kind=OrgKind.ENTERPRISE_ASSOCIATION, region_id="320102")
        builder.save()
    child.refresh_from_db()
    assert child.pk > tree.soc_ai.pk
    assert child.path == tree.xw.path + encode_segment(child.pk)
    assert Organization.objects.filter(path__descends=tree.xw.path).count() == 4


@pytest.mark.parametrize("total", [demo.MIN_ORGS, 2500, 20000])
def test_make_plan_adds_up_to_the_requested_total(total):
    plan = demo.make_plan(total, cities=13, counties=95, townships=1237)
    parts = (
        "townships",
        "communities",
        "societies",
        "branches",
        "unions",
        "city_societies",
        "university_assocs",
        "park_assocs",
        "institute_assocs",
        "rural",
        "volunteers",
        "surveys",
        "workstations",
        "service_stations",
        "enterprise_assocs",
    )
    assert 1 + 13 + 95 - plan.missing_counties + sum(getattr(plan, p) for p in parts) == total
    assert plan.enterprise_assocs > 0
    assert plan.townships < 1237 and plan.university_assocs < plan.universities
