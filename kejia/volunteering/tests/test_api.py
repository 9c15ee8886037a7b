"""The volunteering API: the same services through JSON, errors naming the field."""

import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from kejia.accounts.services import issue_api_token
from kejia.volunteering import records, services

V = "/api/volunteering"


def client_for(user):
    token = issue_api_token(user)[1]
    c = Client(headers={"Authorization": f"Bearer {token}"})

    def call(method, url, body=None, **params):
        if method == "GET":
            return c.get(url, params)
        return c.generic(method, url, json.dumps(body or {}), content_type="application/json")

    return call


@pytest.fixture
def demand(tree, vol):
    return services.post_demand(tree.my, actor=tree.county_staff, title="青少年科学实验课", address="梅园小学", wanted_from=vol.day)


def test_open_demands_are_public_without_sign_in(tree, vol, demand):
    response = Client().get(f"{V}/demands/open")
    assert response.status_code == 200
    (row,) = response.json()
    assert (row["id"], row["status"], row["organization"]["code"]) == (demand.pk, "open", "XW-MY")
    assert "posted_by" not in row and "taken_by" not in row


def test_demand_flow_post_take_withdraw_take_complete(tree, vol):
    staff, leader = client_for(tree.county_staff), client_for(vol.leader_user)
    r = staff("POST", f"{V}/orgs/{tree.my.pk}/demands", {"title": "老年人智能手机培训", "address": "社区", "wanted_from": "2026-12-01", "people_needed": 4})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert leader("POST", f"{V}/demands/{pk}/take", {"team_id": vol.teams.xw.pk}).json()["status"] == "taken"
    assert leader("POST", f"{V}/demands/{pk}/take", {"team_id": vol.teams.xw.pk}).status_code == 409
    assert leader("POST", f"{V}/demands/{pk}/withdraw", {"reason": "临时有事"}).json()["status"] == "open"
    assert staff("POST", f"{V}/demands/{pk}/take", {"team_id": vol.teams.xw.pk}).json()["team"]["id"] == vol.teams.xw.pk
    assert staff("POST", f"{V}/demands/{pk}/complete").json()["status"] == "done"
    assert staff("POST", f"{V}/demands/{pk}/cancel").status_code == 409


def test_post_demand_errors_name_the_field(tree, vol):
    staff = client_for(tree.county_staff)
    r = staff("POST", f"{V}/orgs/{tree.my.pk}/demands", {"title": "t", "address": "a", "wanted_from": "2026-12-01", "region": "999999"})
    assert (r.status_code, r.json()["field"]) == (400, "region")
    r = staff("POST", f"{V}/orgs/{tree.my.pk}/demands", {"title": "t", "address": "a", "wanted_from": "2026-12-01", "wanted_until": "2026-11-01"})
    assert (r.status_code, r.json()["field"]) == (400, "wanted_until")
    assert staff("POST", f"{V}/orgs/{tree.soc.pk}/demands", {"title": "t", "address": "a", "wanted_from": "2026-12-01"}).status_code == 404


def test_take_names_a_team_out_of_reach(tree, vol, demand):
    r = client_for(tree.sibling_staff)("POST", f"{V}/demands/{demand.pk}/take", {"team_id": vol.teams.qh.pk})
    assert (r.status_code, r.json()["field"]) == (400, "team_id")
    r = client_for(tree.county_staff)("POST", f"{V}/demands/{demand.pk}/take", {"team_id": vol.teams.qh.pk})
    assert (r.status_code, r.json()["field"]) == (400, "team_id")  # a team the caller cannot see


def test_record_confirm_and_correct_service(tree, vol):
    worker, leader = client_for(tree.worker), client_for(vol.leader_user)
    r = worker(
        "POST",
        f"{V}/teams/{vol.teams.xw.pk}/services",
        {
            "date": "2026-03-14",
            "address": "梅园小学",
            "people_served": 60,
            "participants": [{"person_id": vol.people.worker.pk, "hours": 2.5}, {"person_id": vol.people.a.pk, "hours": "3"}],
        },
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert (data["status"], data["total_hours"]) == ("reported", "5.50")
    assert leader("POST", f"{V}/services/{data['id']}/confirm").json()["status"] == "confirmed"
    r = leader("POST", f"{V}/services/{data['id']}/correct", {"reason": "补录", "participants": [{"person_id": vol.people.a.pk, "hours": 4}]})
    assert r.status_code == 200 and r.json()["total_hours"] == "4.00"
    ledger = client_for(tree.worker)("GET", f"{V}/me/ledger").json()
    assert (ledger["total_hours"], ledger["services"]) == ("0.00", 0)


def test_record_service_hours_errors_name_participants(tree, vol):
    r = client_for(tree.county_staff)(
        "POST", f"{V}/teams/{vol.teams.xw.pk}/services", {"date": "2026-03-14", "address": "x", "participants": [{"person_id": vol.people.a.pk, "hours": 25}]}
    )
    assert r.status_code == 400
    body = r.json()
    assert body["field"] == "participants" and body["errors"]["participants"][0].startswith("第 1 行：")


def test_reject_needs_a_reason(tree, vol):
    record = records.record_service(vol.teams.xw, actor=tree.worker, date=vol.day, address="x", participants=[(vol.people.a, 1)])
    leader = client_for(vol.leader_user)
    assert leader("POST", f"{V}/services/{record.pk}/reject", {}).status_code == 422
    assert leader("POST", f"{V}/services/{record.pk}/reject", {"reason": "重复填报"}).json()["status"] == "rejected"


def test_members_add_change_remove(tree, vol):
    staff = client_for(tree.county_staff)
    r = staff("POST", f"{V}/teams/{vol.teams.xw.pk}/members", {"person_id": vol.people.a.pk})
    assert (r.status_code, r.json()["field"]) == (400, "person_id")  # already a member
    member = vol.members.a_xw
    assert staff("PATCH", f"{V}/members/{member.pk}", {"role": "leader"}).json()["role"] == "leader"
    assert staff("POST", f"{V}/members/{member.pk}/remove", {"left_on": "2026-02-01"}).json()["left_on"] == "2026-02-01"
    assert staff("POST", f"{V}/members/{member.pk}/remove").status_code == 409
    members = staff("GET", f"{V}/teams/{vol.teams.xw.pk}/members").json()
    assert members["count"] == len(members["items"]) and member.pk in {m["id"] for m in members["items"]}
    assert len(staff("GET", f"{V}/teams/{vol.teams.xw.pk}/members", limit=1).json()["items"]) == 1
    team = staff("GET", f"{V}/teams/{vol.teams.xw.pk}").json()
    assert {m["person"]["name"] for m in team["members"]} == {"王志愿", "赵队长"}


def test_ledger_totals_and_export(tree, vol):
    records.record_service(vol.teams.xw, actor=tree.county_staff, date=vol.day, address="x", participants=[(vol.people.worker, 3)], people_served=20)
    records.record_service(vol.teams.soc, actor=tree.society_secretary, date=vol.day, address="y", participants=[(vol.people.worker, 2)])
    ledger = client_for(tree.county_staff)("GET", f"{V}/people/{vol.people.worker.pk}/ledger").json()
    assert (ledger["total_hours"], len(ledger["shown"]), ledger["hidden"]) == ("5.00", 1, 1)
    assert {(t["name"], t["hours"]) for t in ledger["by_team"]} == {("玄武区科普志愿服务队", "3.00"), (None, "2.00")}
    totals = client_for(tree.province_staff)("GET", f"{V}/orgs/{tree.js.pk}/totals").json()
    assert (totals["totals"]["hours"], totals["totals"]["volunteers"]) == ("5.00", 1)
    assert {c["org"]["code"]: c["hours"] for c in totals["children"]} == {"NJ": "3.00", "SOC": "2.00"}
    response = client_for(tree.county_staff)("GET", f"{V}/orgs/{tree.xw.pk}/services/export")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "玄武区科普志愿服务队" and Decimal(str(rows[1][8])) == Decimal("3")
    assert client_for(tree.sibling_staff)("GET", f"{V}/orgs/{tree.xw.pk}/totals").status_code == 404


def test_me_ledger_without_a_profile_is_404(tree):
    assert client_for(tree.nj_staff)("GET", f"{V}/me/ledger").status_code == 404


def test_lists_show_only_the_scope(tree, vol, demand):
    services.take_demand(demand, actor=tree.county_staff, team=vol.teams.xw)
    assert [d["id"] for d in client_for(tree.county_staff)("GET", f"{V}/demands").json()] == [demand.pk]
    assert client_for(tree.sibling_staff)("GET", f"{V}/demands").json() == []
    assert [d["id"] for d in client_for(tree.worker)("GET", f"{V}/demands").json()] == [demand.pk]  # taken by the worker's team
    codes = {t["code"] for t in client_for(tree.worker)("GET", f"{V}/teams").json()}
    assert codes == {"XW-ZYD", "SOC-ZYD"}
    assert {t["code"] for t in client_for(tree.nj_staff)("GET", f"{V}/teams").json()} == {"XW-ZYD", "QH-ZYD"}
