"""Find an association near me (/find/ and the selector): by division, with the chain of
territorial associations above a township, the grassroots bodies inside a division and the
learned societies of a discipline; active organizations only; events read in one query."""

import pytest
from django.urls import reverse

from kejia.home import selectors
from kejia.home.tests.conftest import make_event
from kejia.organizations.services import change_organization_status, create_organization, update_organization
from kejia.reference.models import Discipline, Region

HX = {"HTTP_HX_REQUEST": "true"}


def names(orgs):
    return [o.code for o in orgs]


def test_find_by_township_shows_the_chain_up_to_the_province(tree):
    found = selectors.find_associations(region=tree.regions["320102002"])
    assert names(found.chain) == ["JS", "NJ", "XW", "XW-MY"]
    assert "QH" not in names(found.organizations) and "WX" not in names(found.organizations)


def test_find_by_county_lists_the_grassroots_inside_it(tree):
    found = selectors.find_associations(region=tree.regions["320102"])
    assert names(found.chain) == ["JS", "NJ", "XW"]
    assert set(names(found.grassroots)) == {"XW-MY", "XW-ENT"}


def test_find_by_a_township_without_association_still_shows_the_county_one(tree):
    other_township = Region.objects.filter(parent_id="320102").exclude(code="320102002").first()
    found = selectors.find_associations(region=other_township)
    assert names(found.chain) == ["JS", "NJ", "XW"]
    assert found.grassroots == []


def test_find_by_region_lists_the_societies_located_in_its_chain(tree):
    found = selectors.find_associations(region=tree.regions["320102002"])
    assert names(found.societies) == ["SOC"]  # a provincial society of the province; its committee is no society
    assert names(selectors.find_associations(region=Region.objects.get(code="320200")).societies) == ["SOC"]


def test_find_by_discipline_matches_sub_disciplines(tree):
    update_organization(tree.soc, actor=tree.platform, disciplines=[Discipline.objects.get(code="52020")])
    other = create_organization(
        actor=tree.platform,
        parent=tree.js,
        name="江苏省化学化工学会",
        code="SOC-CHEM",
        kind="provincial_society",
        region=tree.regions["320000"],
        disciplines=[Discipline.objects.get(code="150")],
    )
    assert names(selectors.find_associations(discipline=Discipline.objects.get(code="520")).societies) == ["SOC"]
    assert names(selectors.find_associations(discipline=Discipline.objects.get(code="150")).societies) == [other.code]
    found = selectors.find_associations(discipline=Discipline.objects.get(code="110"))
    assert found.societies == [] and found.chain == []


def test_find_shows_active_organizations_only(tree):
    change_organization_status(tree.ent, actor=tree.platform, status="dissolved")
    change_organization_status(tree.my, actor=tree.platform, status="dormant")
    found = selectors.find_associations(region=tree.regions["320102002"])
    assert names(found.chain) == ["JS", "NJ", "XW"]
    assert selectors.find_associations(region=tree.regions["320102"]).grassroots == []


def test_find_with_nothing_chosen_shows_nothing(tree):
    found = selectors.find_associations()
    assert not found.searched and found.organizations == []


def test_find_shows_upcoming_public_events_of_each_organization_in_one_query(tree, django_assert_num_queries):
    make_event(tree, tree.xw, "玄武区科普沙龙")
    make_event(tree, tree.my, "梅园街道科技讲座")
    make_event(tree, tree.xw, "玄武区草稿活动", publish=False)
    make_event(tree, tree.qh, "秦淮区活动")
    region = tree.regions["320102002"]
    # chain, chain of regions, grassroots, societies, events
    with django_assert_num_queries(5):
        found = selectors.find_associations(region=region)
    titles = {org.code: [e.title for e in found.events_of(org)] for org in found.organizations}
    assert titles["XW"] == ["玄武区科普沙龙"] and titles["XW-MY"] == ["梅园街道科技讲座"]
    assert "玄武区草稿活动" not in str(titles) and "秦淮区活动" not in str(titles)


def test_find_events_a_busy_organization_does_not_crowd_out_the_others(tree, monkeypatch):
    monkeypatch.setattr(selectors, "EVENTS_PER_ORG", 1)
    for day in range(1, 8):  # more than one event for each organization on the list
        make_event(tree, tree.js, f"省科协活动{day}", days=day)
    make_event(tree, tree.my, "梅园街道科技讲座", days=20)
    found = selectors.find_associations(region=tree.regions["320102002"])
    assert len(found.organizations) < 7
    assert [e.title for e in found.events_of(tree.js)] == ["省科协活动1"]
    assert [e.title for e in found.events_of(tree.my)] == ["梅园街道科技讲座"]


def test_find_page_works_without_login_and_links_the_public_pages(client, tree):
    make_event(tree, tree.xw, "玄武区科普沙龙")
    response = client.get(reverse("home:find"), {"region": "320102002"})
    assert response.status_code == 200
    html = response.content.decode()
    for org in (tree.js, tree.nj, tree.xw, tree.my):
        assert reverse("home:association", args=[org.pk]) in html
    assert "玄武区科普沙龙" in html and reverse("home:association", args=[tree.qh.pk]) not in html


def test_find_page_answers_htmx_with_the_results_only(client, tree):
    response = client.get(reverse("home:find"), {"region": "320102", "discipline": ""}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and tree.xw.name in html


def test_find_page_unknown_codes_are_400_naming_the_field(client, tree):
    response = client.get(reverse("home:find"), {"region": "999999", "discipline": "77777"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"region", "discipline"}
    assert client.get(reverse("home:find"), {"region": "x" * 5000}).status_code == 400


@pytest.mark.parametrize("code", ["320102002", "320102", "320100", "320000"])
def test_find_page_renders_for_every_level(client, tree, code):
    assert client.get(reverse("home:find"), {"region": code}).status_code == 200


def test_find_page_keeps_a_second_level_discipline_chosen(client, tree):
    response = client.get(reverse("home:find"), {"discipline": "52020"})
    assert response.status_code == 200
    assert '<option value="52020" selected>' in response.content.decode()
