"""The S&T worker's online home (/me/): every section filled through the other apps' services,
a bounded number of queries, the call to link an account without a profile, and the dashboard
sending a worker (no role) there while staff keep theirs."""

import datetime

import pytest
from django.urls import reverse

from kejia.activities.registration import register_for_event
from kejia.home import selectors
from kejia.home.tests.conftest import make_event, waiting_survey
from kejia.memberships import applications, member_classes
from kejia.reference.models import Discipline
from kejia.voice.services import send_item
from kejia.volunteering import records as volunteer_records
from kejia.volunteering import services as volunteering


def fill_home(tree, person):
    """One of each: a membership, two registrations, a confirmed volunteer service, a suggestion,
    a waiting survey, and an event recommended by discipline."""
    member_class = member_classes.create_member_class(tree.soc, actor=tree.society_secretary, code="plain", name="会员", kind="full", approval_steps=["审核"])
    applications.apply_for_membership(actor=tree.worker, society=tree.soc, person=person, member_class=member_class, statement="从事软件工程十年。")
    for title, org in (("玄武区科普沙龙", tree.xw), ("梅园街道科技讲座", tree.my)):
        register_for_event(make_event(tree, org, title), actor=tree.worker)
    person.disciplines.set([Discipline.objects.get(code="520")])
    make_event(tree, tree.wx, "无锡人工智能论坛", disciplines=["520"])
    team = volunteering.create_team(tree.xw, actor=tree.county_staff, name="玄武区科技志愿服务队", code="XW-VT")
    served_on = datetime.date.today() - datetime.timedelta(days=3)
    volunteering.add_member(team, actor=tree.county_staff, person=person, joined_on=served_on - datetime.timedelta(days=30))
    record = volunteer_records.record_service(team, actor=tree.county_staff, date=served_on, address="梅园新村社区", participants=[(person, "3.5")])
    assert record.status == "confirmed"  # recorded by the team's staff: no confirmation step
    send_item(actor=tree.worker, organization=tree.xw, kind="suggestion", title="建议增加青年科技沙龙", body="每月一次。")
    waiting_survey(tree)


def test_home_shows_every_section(client, tree, worker_person):
    fill_home(tree, worker_person)
    client.force_login(tree.worker)
    response = client.get(reverse("home:me"))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "李明",
        "江苏省计算机学会",
        "玄武区科普沙龙",
        "梅园街道科技讲座",
        "3.50",
        "玄武区科技志愿服务队",
        "建议增加青年科技沙龙",
        "科技工作者状况调查",
        "无锡人工智能论坛",
    ):
        assert text in html, text


def test_home_reads_a_bounded_number_of_queries(client, tree, worker_person, django_assert_max_num_queries):
    fill_home(tree, worker_person)
    for i in range(4):
        register_for_event(make_event(tree, tree.xw, f"更多活动{i}", days=20 + i), actor=tree.worker)
        send_item(actor=tree.worker, organization=tree.xw, kind="suggestion", title=f"更多建议{i}", body="内容")
    client.force_login(tree.worker)
    client.get(reverse("home:me"))  # warm the session and the caches
    # 14 for the page (the open calls for projects: one), 1 for the roles the navigation reads, 1 for a
    # contact duty (the Governance entry), 1 for the bell
    with django_assert_max_num_queries(17):
        assert client.get(reverse("home:me")).status_code == 200


def test_home_without_a_linked_profile_asks_to_link_it(client, tree):
    client.force_login(tree.worker)
    response = client.get(reverse("home:me"))
    assert response.status_code == 200
    assert response.context["home"].person is None
    html = response.content.decode()
    assert reverse("people:me") in html and reverse("organizations:filing_new") in html


def test_home_needs_login(client, tree):
    response = client.get(reverse("home:me"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_home_shows_only_my_own_things(tree, worker_person):
    from kejia.accounts.services import create_user
    from kejia.memberships.tests.conftest import make_person

    neighbour = create_user(actor=tree.platform, username="neighbour", password=tree.password, display_name="邻居", check_password=False)
    make_person(tree, name="王芳", user=neighbour)
    register_for_event(make_event(tree, tree.xw, "邻居的活动"), actor=neighbour)
    send_item(actor=neighbour, organization=tree.xw, kind="suggestion", title="邻居的建议", body="内容")
    home = selectors.worker_home(tree.worker)
    assert home.registrations == [] and home.voice_items == []


def test_recommended_events_follow_my_disciplines(tree, worker_person):
    worker_person.disciplines.set([Discipline.objects.get(code="520")])
    make_event(tree, tree.lx, "梁溪区计算机沙龙", disciplines=["520"])
    make_event(tree, tree.lx, "梁溪区化学沙龙", disciplines=["150"])
    titles = [e.title for e in selectors.worker_home(tree.worker).recommended]
    assert "梁溪区计算机沙龙" in titles and "梁溪区化学沙龙" not in titles


@pytest.mark.parametrize("actor", ["county_staff", "county_leader", "nj_admin", "platform"])
def test_dashboard_stays_for_staff_leaders_and_admins(client, tree, actor):
    client.force_login(getattr(tree, actor))
    assert client.get(reverse("home:front")).status_code == 200


def test_dashboard_sends_a_worker_to_their_home(client, tree):
    client.force_login(tree.worker)
    response = client.get(reverse("home:front"))
    assert response.status_code == 302 and response["Location"] == reverse("home:me")


def test_header_offers_find_to_anonymous_visitors(client, tree):
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("home:find")}"' in html
    client.force_login(tree.county_staff)  # staff have their own navigation; a worker's has "find" (below)
    assert f'href="{reverse("home:find")}"' not in client.get(reverse("accounts:profile")).content.decode()


def test_navigation_shows_a_worker_their_pages_and_staff_the_staff_pages(client, tree):
    """A S&T worker (no role) is not offered imports, duplicates or the audit log; staff are."""
    from django.urls import reverse

    staff_only = [reverse("imports:list"), reverse("people:review_list"), reverse("organizations:audit")]
    client.force_login(tree.worker)
    html = client.get(reverse("home:me")).content.decode()
    assert not [url for url in staff_only if f'href="{url}"' in html]
    assert f'href="{reverse("home:find")}"' in html and f'href="{reverse("people:me")}"' in html
    client.force_login(tree.county_staff)
    html = client.get(reverse("home:front")).content.decode()
    assert all(f'href="{url}"' in html for url in staff_only)
