"""The volunteering pages: what each actor sees and does from the browser."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from kejia.volunteering import records, services
from kejia.volunteering.models import ServiceDemand, ServiceRecord, TeamMember


def page(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def demand(tree, vol):
    return services.post_demand(tree.my, actor=tree.county_staff, title="应急避险科普", address="梅园小学", wanted_from=vol.day)


def test_home_shows_the_worker_hours_teams_and_open_demands(tree, vol, demand):
    records.record_service(vol.teams.xw, actor=tree.county_staff, date=vol.day, address="梅园小学", participants=[(vol.people.worker, "2.5")])
    response = page(tree.worker).get(reverse("volunteering:home"))
    assert response.status_code == 200
    assert str(response.context["hours"]) == "2.50"
    assert {m.team_id for m in response.context["memberships"]} == {vol.teams.xw.pk, vol.teams.soc.pk}
    assert demand.title in response.content.decode()


def test_public_demands_list_without_sign_in(tree, vol, demand):
    response = Client().get(reverse("volunteering:demands"))
    assert response.status_code == 200 and demand.title in response.content.decode()
    assert Client().get(reverse("volunteering:demand", args=[demand.pk])).status_code == 200


def test_post_demand_page(tree, vol):
    c = page(tree.county_staff)
    url = reverse("volunteering:demand_new", args=[tree.my.pk])
    assert c.get(url).status_code == 200
    bad = c.post(url, {"title": "", "address": "x", "wanted_from": "2026-12-01", "people_needed": "2"})
    assert bad.status_code == 400
    ok = c.post(url, {"title": "科普讲座", "address": "社区", "wanted_from": "2026-12-01", "people_needed": "2", "region": "320102002"})
    demand = ServiceDemand.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("volunteering:demand", args=[demand.pk])
    assert page(tree.society_secretary).get(reverse("volunteering:demand_new", args=[tree.soc.pk])).status_code == 400


def test_take_withdraw_complete_cancel_from_the_demand_page(tree, vol, demand):
    leader = page(vol.leader_user)
    detail = leader.get(reverse("volunteering:demand", args=[demand.pk]))
    assert [t.pk for t in detail.context["teams"]] == [vol.teams.xw.pk]
    assert leader.post(reverse("volunteering:demand_take", args=[demand.pk]), {"take-team": vol.teams.xw.pk}).status_code == 302
    assert leader.post(reverse("volunteering:demand_take", args=[demand.pk]), {"take-team": vol.teams.xw.pk}).status_code == 409
    assert leader.post(reverse("volunteering:demand_withdraw", args=[demand.pk]), {"withdraw-reason": "改期"}).status_code == 302
    assert page(tree.worker).post(reverse("volunteering:demand_take", args=[demand.pk]), {"take-team": vol.teams.xw.pk}).status_code == 403
    leader.post(reverse("volunteering:demand_take", args=[demand.pk]), {"take-team": vol.teams.xw.pk})
    assert leader.post(reverse("volunteering:demand_complete", args=[demand.pk])).status_code == 302
    assert page(tree.county_staff).post(reverse("volunteering:demand_cancel", args=[demand.pk])).status_code == 409
    demand.refresh_from_db()
    assert demand.status == "done"


def test_team_page_and_members(tree, vol):
    c = page(tree.county_staff)
    url = reverse("volunteering:team", args=[vol.teams.xw.pk])
    response = c.get(url)
    assert response.status_code == 200 and "王志愿" in response.content.decode()
    other = services.add_member(vol.teams.qh, actor=tree.platform, person=vol.people.a)
    assert other.pk
    bad = c.post(reverse("volunteering:member_add", args=[vol.teams.xw.pk]), {"member-person": vol.people.b.pk, "member-role": "member"})
    assert bad.status_code == 400  # 孙二 is listed by QH only: not in XW's reach
    assert c.post(reverse("volunteering:member_role", args=[vol.members.a_xw.pk]), {"role-role": "leader"}).status_code == 302
    assert c.post(reverse("volunteering:member_remove", args=[vol.members.a_xw.pk]), {}).status_code == 302
    assert TeamMember.objects.get(pk=vol.members.a_xw.pk).left_on is not None
    assert page(tree.worker).get(url).status_code == 200  # a member sees the team
    assert page(tree.worker).post(reverse("volunteering:member_remove", args=[vol.members.leader_xw.pk])).status_code == 403
    assert page(tree.sibling_staff).get(url).status_code == 404


def test_new_team_page(tree, vol):
    c = page(tree.county_staff)
    response = c.post(reverse("volunteering:team_new", args=[tree.xw.pk]), {"team-name": "玄武区应急救护志愿服务队", "team-code": "XW-ZYD-2"})
    assert response.status_code == 302
    assert c.post(reverse("volunteering:team_new", args=[tree.xw.pk]), {"team-name": "重复", "team-code": "XW-ZYD-2"}).status_code == 400


def test_report_and_confirm_a_service_from_the_pages(tree, vol):
    worker = page(tree.worker)
    url = reverse("volunteering:service_new", args=[vol.teams.xw.pk])
    form = worker.get(url)
    assert form.status_code == 200 and f"svc-h_{vol.people.a.pk}" in form.content.decode()
    day = datetime.date.today().isoformat()
    bad = worker.post(url, {"svc-date": day, "svc-address": "梅园小学", "svc-people_served": "30", f"svc-h_{vol.people.a.pk}": "30"})
    assert bad.status_code == 400 and "每天最多 24 小时" in bad.content.decode()
    ok = worker.post(
        url, {"svc-date": day, "svc-address": "梅园小学", "svc-people_served": "30", f"svc-h_{vol.people.a.pk}": "2", f"svc-h_{vol.people.worker.pk}": "2.5"}
    )
    record = ServiceRecord.objects.get()
    assert ok.status_code == 302 and record.status == "reported"
    assert worker.post(reverse("volunteering:service_confirm", args=[record.pk])).status_code == 403
    leader = page(vol.leader_user)
    assert leader.get(reverse("volunteering:home")).context["pending"][0].pk == record.pk
    assert leader.post(reverse("volunteering:service_confirm", args=[record.pk])).status_code == 302
    correct = leader.post(
        reverse("volunteering:service_correct", args=[record.pk]),
        {
            "svc-date": day,
            "svc-address": "梅园小学",
            "svc-people_served": "35",
            f"svc-h_{vol.people.a.pk}": "2",
            f"svc-h_{vol.people.worker.pk}": "3",
            "svc-reason": "更正工时",
        },
    )
    assert correct.status_code == 302
    assert str(page(tree.worker).get(reverse("volunteering:my_ledger")).context["ledger"].total) == "3.00"


def test_reject_a_service_from_its_page(tree, vol):
    record = records.record_service(vol.teams.xw, actor=tree.worker, date=vol.day, address="x", participants=[(vol.people.a, 1)])
    c = page(tree.county_staff)
    assert c.get(reverse("volunteering:service", args=[record.pk])).status_code == 200
    assert c.post(reverse("volunteering:service_reject", args=[record.pk]), {"reject-reason": ""}).status_code == 400
    assert c.post(reverse("volunteering:service_reject", args=[record.pk]), {"reject-reason": "重复"}).status_code == 302
    assert c.post(reverse("volunteering:service_confirm", args=[record.pk])).status_code == 409


def test_org_totals_page_and_export(tree, vol):
    records.record_service(vol.teams.xw, actor=tree.county_staff, date=vol.day, address="x", participants=[(vol.people.worker, 3)])
    c = page(tree.nj_staff)
    response = c.get(reverse("volunteering:org", args=[tree.nj.pk]))
    assert response.status_code == 200
    assert str(response.context["totals"].hours) == "3.00"
    assert {r.org.code for r in response.context["rows"]} == {"XW", "QH"}
    export = c.get(reverse("volunteering:org_export", args=[tree.nj.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert c.get(reverse("volunteering:org", args=[tree.nj.pk]), {"since": "2026-05-01", "until": "2026-01-01"}).status_code == 400
    assert page(tree.wx_staff).get(reverse("volunteering:org", args=[tree.nj.pk])).status_code == 404


def test_ledger_page_for_the_person_and_staff_only(tree, vol):
    url = reverse("volunteering:ledger", args=[vol.people.worker.pk])
    assert page(tree.worker).get(url).status_code == 200
    assert page(tree.county_staff).get(url).status_code == 200
    assert page(tree.wx_staff).get(url).status_code == 404
