"""An association's public page (/a/<id>/): public facts, disciplines, public-facing children and
coming events for anyone; never staff data; a dissolved or dormant organization is a 404."""

from django.urls import reverse

from kejia.home.tests.conftest import make_event
from kejia.organizations.services import change_organization_status, update_organization
from kejia.reference.models import Discipline


def url(org):
    return reverse("home:association", args=[org.pk])


def test_association_page_shows_public_facts_to_anyone(client, tree):
    update_organization(
        tree.xw,
        actor=tree.platform,
        address="南京市玄武区北京东路1号",
        website="https://xw.example.cn",
        description="联系服务玄武区科技工作者。",
        disciplines=[Discipline.objects.get(code="520")],
    )
    make_event(tree, tree.xw, "玄武区科普沙龙")
    response = client.get(url(tree.xw))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "玄武区科学技术协会",
        "南京市玄武区北京东路1号",
        "https://xw.example.cn",
        "联系服务玄武区科技工作者。",
        "计算机科学技术",
        "玄武区科普沙龙",
        tree.my.name,
        tree.ent.name,
    ):
        assert text in html
    assert url(tree.nj) in html  # the guiding association, in the breadcrumb


def test_association_page_hides_staff_data(client, tree):
    update_organization(tree.xw, actor=tree.platform, fulltime_staff=7321, party_coverage="joint")
    html = client.get(url(tree.xw)).content.decode()
    assert "7321" not in html and "xw_staff" not in html and "13912340001" not in html
    assert "51320000MJ5012345H" not in client.get(url(tree.soc)).content.decode()  # the credit code
    client.force_login(tree.county_staff)  # staff of the association see the same public page
    assert "7321" not in client.get(url(tree.xw)).content.decode()


def test_association_page_shows_no_draft_or_members_only_event(client, tree):
    make_event(tree, tree.xw, "草稿活动", publish=False)
    make_event(tree, tree.xw, "会员专场", audience="members", audience_organization=tree.xw)
    html = client.get(url(tree.xw)).content.decode()
    assert "草稿活动" not in html and "会员专场" not in html


def test_association_page_of_a_society_links_to_joining(client, tree):
    html = client.get(url(tree.soc)).content.decode()
    assert reverse("memberships:society", args=[tree.soc.pk]) in html
    assert reverse("memberships:society", args=[tree.xw.pk]) not in client.get(url(tree.xw)).content.decode()


def test_association_page_lists_active_children_only(client, tree):
    change_organization_status(tree.ent, actor=tree.platform, status="dissolved")
    html = client.get(url(tree.xw)).content.decode()
    assert tree.my.name in html and tree.ent.name not in html


def test_association_page_of_a_dissolved_or_dormant_organization_is_404(client, tree):
    change_organization_status(tree.ent, actor=tree.platform, status="dissolved")
    change_organization_status(tree.qh, actor=tree.platform, status="dormant")
    assert client.get(url(tree.ent)).status_code == 404
    assert client.get(url(tree.qh)).status_code == 404
    assert client.get(reverse("home:association", args=[987654321])).status_code == 404
    client.force_login(tree.platform)
    assert client.get(url(tree.ent)).status_code == 404  # no public face, whoever asks


def test_association_page_needs_get(client, tree):
    assert client.post(url(tree.xw)).status_code == 405
