"""Grassroots key staff: categories as data (the seed's list shipped, editable by platform
administrators), records on people and on the grassroots bodies that take them in, counts per
county and township against targets an administrator sets."""

import pytest
from django.urls import reverse

from kejia.accounts.services import grant_role
from kejia.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from kejia.core.models import AuditEvent
from kejia.grassroots import selectors, services
from kejia.grassroots.categories import CATEGORIES, load_categories
from kejia.grassroots.models import Category, KeyStaff
from kejia.organizations.services import create_organization
from kejia.people.services import create_person


@pytest.fixture
def cats(db):
    load_categories(Category)
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def village(tree):
    from kejia.reference.models import Region

    township = Region.objects.get(code="320102002")
    return create_organization(actor=tree.platform, parent=tree.my, name="梅园社区科普协会", code="XW-MY-C", kind="community_assoc", region=township)


def person(tree, name, org=None):
    return create_person(actor=tree.platform, organization=org or tree.xw, name=name)


def test_shipped_categories_are_the_seed_list_with_their_source(cats):
    assert {"education", "health", "agri_extension", "other_key_staff", "tech_commissioner", "village_graduate", "first_secretary"} <= set(cats)
    assert [c.code for c in Category.objects.filter(is_chief=True)] == ["education", "health", "agri_extension"]
    assert all("002" in c.source and "§(7)" in c.source for c in cats.values())
    assert len(CATEGORIES) == len(cats)


def test_save_category_only_by_platform_admin_and_audited(tree, cats):
    with pytest.raises(PermissionDenied):
        services.save_category(actor=tree.province_staff, code="model_worker", name="基层模范人物")
    made = services.save_category(actor=tree.platform, code="model_worker", name="基层模范人物", source="002 §(7)")
    assert made in selectors.active_categories()
    services.save_category(actor=tree.platform, code="model_worker", name="基层模范人物", is_active=False)
    assert made not in selectors.active_categories()
    assert AuditEvent.objects.filter(action="key_staff_category.updated").count() == 1
    with pytest.raises(ValidationFailed) as exc:
        services.save_category(actor=tree.platform, code="坏 code", name="")
    assert set(exc.value.errors) == {"code", "name"}


def test_record_key_staff_on_person_and_grassroots_body(tree, cats, village):
    a = person(tree, "张校长")
    record = services.record_key_staff(a, actor=tree.county_staff, category=cats["education"], organization=tree.my, note="中心小学校长")
    assert record.organization == tree.my and a.key_staff_roles.get() == record
    on_person = services.record_key_staff(a, actor=tree.county_staff, category=cats["tech_commissioner"])
    assert on_person.organization is None
    with pytest.raises(DomainError) as exc:
        services.record_key_staff(a, actor=tree.county_staff, category=cats["education"], organization=tree.my)
    assert exc.value.code == "duplicate"
    with pytest.raises(DomainError) as exc:  # a county association is not a grassroots body
        services.record_key_staff(a, actor=tree.county_staff, category=cats["health"], organization=tree.xw)
    assert exc.value.code == "not_grassroots"
    with pytest.raises(NotFound):  # a sibling county's staff
        services.record_key_staff(a, actor=tree.sibling_staff, category=cats["health"], organization=tree.my)
    services.end_key_staff(record, actor=tree.county_staff)
    assert KeyStaff.objects.filter(ended_on__isnull=True, organization=tree.my).count() == 0


def test_counts_per_county_and_township_against_targets(tree, cats, village):
    b1, b2, b3 = person(tree, "李院长"), person(tree, "王特派员"), person(tree, "赵书记")
    services.record_key_staff(b1, actor=tree.county_staff, category=cats["health"], organization=tree.my)
    services.record_key_staff(b2, actor=tree.county_staff, category=cats["tech_commissioner"], organization=village)
    services.record_key_staff(b3, actor=tree.county_staff, category=cats["first_secretary"])  # not taken in: not counted
    with pytest.raises(PermissionDenied):  # staff, not an administrator
        services.set_key_staff_target(tree.xw, actor=tree.county_staff, target=3)
    services.set_key_staff_target(tree.xw, actor=tree.nj_admin, target=2)
    services.set_key_staff_target(tree.my, actor=tree.nj_admin, target=3)
    with pytest.raises(DomainError) as exc:
        services.set_key_staff_target(village, actor=tree.nj_admin, target=3)
    assert exc.value.code == "not_county_or_township"
    rows = {r["code"]: r for r in selectors.counts_by_area(tree.nj_staff, tree.nj)}
    assert set(rows) == {"XW", "XW-MY", "QH"}
    assert (rows["XW"]["total"], rows["XW"]["chiefs"], rows["XW"]["target"], rows["XW"]["reached"]) == (2, 1, 2, True)
    assert (rows["XW-MY"]["total"], rows["XW-MY"]["target"], rows["XW-MY"]["reached"]) == (2, 3, False)
    assert (rows["QH"]["total"], rows["QH"]["reached"]) == (0, None)
    assert selectors.counts_by_area(tree.sibling_staff, tree.qh)[0]["code"] == "QH"
    assert AuditEvent.objects.filter(action="key_staff_target.set").count() == 2


def test_area_page_records_and_sets_target(tree, cats, client):
    grant_role(tree.county_staff, actor=tree.platform, organization=tree.xw, kind="admin")
    p = person(tree, "钱站长")
    client.force_login(tree.county_staff)
    url = reverse("grassroots:area", args=[tree.xw.pk])
    response = client.post(url, {"form": "record", "person": p.pk, "category": cats["agri_extension"].pk, "organization": "XW-MY"})
    assert response.status_code == 302
    response = client.post(url, {"form": "target", "organization": "XW-MY", "target": "1"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "梅园新村街道科学技术协会" in page and "钱站长" in page
    response = client.post(url, {"form": "record", "person": p.pk, "category": cats["agri_extension"].pk, "organization": "XW"})
    assert response.status_code == 400
    assert client.get(reverse("grassroots:area", args=[tree.wx.pk])).status_code == 404
    assert client.post(reverse("grassroots:categories"), {"code": "x", "name": "x"}).status_code == 403


def test_person_page_shows_key_staff_records_in_scope(tree, cats, client):
    """The person's profile lists their key staff records (through the section grassroots registers),
    each one only where the reader sees the body that took the person in."""
    from kejia.reference.models import Region

    far = create_organization(
        actor=tree.platform, parent=tree.qh, name="秦淮远方社区科普协会", code="QH-C", kind="community_assoc", region=Region.objects.get(code="320104")
    )
    someone = person(tree, "页面三长")
    services.record_key_staff(someone, actor=tree.platform, category=cats["education"], organization=tree.my, note="梅园小学校长")
    services.record_key_staff(someone, actor=tree.platform, category=cats["tech_commissioner"])
    services.record_key_staff(someone, actor=tree.platform, category=cats["health"], organization=far)
    client.force_login(tree.county_staff)
    html = client.get(reverse("people:detail", args=[someone.pk])).content.decode()
    assert cats["education"].name in html and "梅园小学校长" in html and tree.my.name in html
    assert cats["tech_commissioner"].name in html
    assert cats["health"].name not in html and far.name not in html
    assert [r.category.code for r in selectors.key_staff_of(tree.platform, someone)] == ["education", "health", "tech_commissioner"]
    someone.user = tree.worker  # the person themselves, without a role: all their records
    someone.save(update_fields=["user"])
    assert len(selectors.key_staff_of(tree.worker, someone)) == 3
    client.force_login(tree.worker)
    assert far.name in client.get(reverse("people:detail", args=[someone.pk])).content.decode()


def test_end_key_staff_refuses_a_day_before_it_began_or_in_the_future(tree, cats):
    import datetime

    from django.utils import timezone

    record = services.record_key_staff(
        person(tree, "结束日期"), actor=tree.platform, category=cats["education"], organization=tree.my, joined_on=datetime.date(2024, 5, 1)
    )
    for day, code in ((datetime.date(2024, 4, 30), "ends_before_start"), (timezone.localdate() + datetime.timedelta(days=1), "future_date")):
        with pytest.raises(DomainError) as caught:
            services.end_key_staff(record, actor=tree.platform, ended_on=day)
        assert (caught.value.code, caught.value.field) == (code, "ended_on")
    record.refresh_from_db()
    assert record.ended_on is None
    services.end_key_staff(record, actor=tree.platform, ended_on=datetime.date(2024, 5, 1))
