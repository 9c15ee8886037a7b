"""The public front page (/ for a visitor): what the platform is, the division picker leading to
/find/, public events, public answers, certificate verification, log in; only public data, in a
pinned number of queries. A signed-in user keeps their home."""

import pytest
from django.urls import reverse

from kejia.home.tests.conftest import make_event
from kejia.people.services import create_person
from kejia.voice.services import answer_item, send_item

PRIVATE = ["前台草稿活动", "前台会员专场", "前台私密建议", "前台内部答复", "13912348888", "前台私密人员"]


@pytest.fixture
def public_world(tree):
    make_event(tree, tree.xw, "前台公开沙龙")
    make_event(tree, tree.soc, "前台学术年会", days=20)
    make_event(tree, tree.xw, "前台草稿活动", publish=False)
    make_event(tree, tree.soc, "前台会员专场", audience="members", audience_organization=tree.soc)
    open_item = send_item(actor=tree.worker, organization=tree.xw, kind="suggestion", title="前台公开建议", body="建议增加科普讲座。", allow_public=True)
    answer_item(open_item, actor=tree.county_leader, text="前台公开答复：已安排。", public=True)
    private = send_item(actor=tree.worker, organization=tree.xw, kind="suggestion", title="前台私密建议", body="不公开。")
    answer_item(private, actor=tree.county_staff, text="前台内部答复")
    create_person(actor=tree.platform, organization=tree.xw, name="前台私密人员", phone="13912348888")
    return tree


def test_front_page_shows_the_public_sections_to_a_visitor(client, public_world, django_assert_num_queries):
    with django_assert_num_queries(5):  # provinces for the picker, events, answers + their public answers, published cases
        response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "home/front.html"
    for section in ('id="find"', 'id="events"', 'id="answers"', 'id="verify"'):
        assert section in html
    assert f'action="{reverse("home:find")}"' in html and 'name="region_1"' in html and "江苏省" in html
    assert "前台公开沙龙" in html and "前台学术年会" in html
    assert "前台公开建议" in html and "前台公开答复：已安排。" in html
    assert f'action="{reverse("verify:form")}"' in html and 'name="t"' in html
    assert f'href="{reverse("accounts:login")}"' in html


def test_front_page_shows_nothing_private(client, public_world):
    html = client.get("/").content.decode()
    for secret in PRIVATE:
        assert secret not in html
    assert "13912340009" not in html  # the phone of the public suggestion's sender
    assert 'href="/me/"' not in html and "/people/" not in html


def test_front_page_query_count_does_not_grow_with_the_data(client, public_world, django_assert_num_queries):
    for i in range(8):
        make_event(public_world, public_world.nj, f"更多活动{i}", days=30 + i)
    with django_assert_num_queries(5):
        client.get("/")


def test_front_page_links_register_only_when_registration_exists(client, tree):
    from django.urls import NoReverseMatch

    html = client.get("/").content.decode()
    try:
        register = reverse("accounts:register")
    except NoReverseMatch:
        assert "Create an account" not in html and "注册账号" not in html
    else:
        assert f'href="{register}"' in html


def test_signed_in_staff_keep_their_dashboard(client, public_world):
    client.force_login(public_world.county_staff)
    response = client.get("/")
    assert response.status_code == 200
    assert "organizations/home.html" in [t.name for t in response.templates]
    assert "home/front.html" not in [t.name for t in response.templates]


def test_signed_in_worker_keeps_their_online_home(client, public_world):
    client.force_login(public_world.worker)
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse("home:me")


def test_front_page_picker_leads_to_the_association(client, tree):
    """Without JavaScript: province, submit, city, submit … then the association's page."""
    html = client.get(reverse("home:find"), {"region_1": "320000"}).content.decode()
    assert 'name="region_2"' in html and 'value="320100"' in html  # the cities are offered now
    html = client.get(reverse("home:find"), {"region_1": "320000", "region_2": "320100", "region_3": "320102"}).content.decode()
    link = reverse("home:association", args=[tree.xw.pk])
    assert link in html and "玄武区科学技术协会" in html
    assert client.get(link).status_code == 200


def test_front_page_needs_get(client, tree):
    assert client.post("/").status_code == 405
