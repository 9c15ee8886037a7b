"""The JSON API: public list and detail without login, staff creating and changing events,
registering, the waiting list, check-in (twice = 200 with a flag), certificates, errors naming fields."""

import json

import pytest

from kejia.accounts.services import issue_api_token
from kejia.activities import registration
from kejia.activities.choices import RegistrationStatus
from kejia.activities.models import Event, Registration
from kejia.activities.tests.conftest import DAY, make_event

A = "/api/activities"
R = RegistrationStatus


@pytest.fixture
def api(client):
    class Api:
        def __init__(self):
            self.tokens = {}

        def _headers(self, user):
            if user is None:
                return {}
            if user.pk not in self.tokens:
                self.tokens[user.pk] = issue_api_token(user)[1]
            return {"Authorization": f"Bearer {self.tokens[user.pk]}"}

        def get(self, url, user=None, **params):
            return client.get(url, params, headers=self._headers(user))

        def send(self, method, url, user=None, body=None):
            return client.generic(method, url, json.dumps(body if body is not None else {}), content_type="application/json", headers=self._headers(user))

        def post(self, url, user=None, body=None):
            return self.send("POST", url, user, body)

    return Api()


def test_list_and_detail_are_public(api, tree):
    event = make_event(tree, title="公开讲座", online_url="https://meeting.example.cn/1")
    make_event(tree, title="草稿", publish=False)
    make_event(tree, title="会员", audience="members", audience_organization=tree.xw)
    data = api.get(f"{A}/events").json()
    assert data["count"] == 1 and data["items"][0]["title"] == "公开讲座"
    assert data["items"][0]["online_url"] == ""  # the link is for those registered
    detail = api.get(f"{A}/events/{event.pk}")
    assert detail.status_code == 200 and detail.json()["url"] == f"/activities/events/{event.pk}/"
    assert api.get(f"{A}/events", org=tree.nj.pk, subtree=True).json()["count"] == 1
    assert api.get(f"{A}/events", org=tree.nj.pk).json()["count"] == 0
    assert api.get(f"{A}/events", region="999999").status_code == 400
    assert api.get(f"{A}/events", kind="nonsense").status_code == 422


def test_create_publish_register_and_cancel_through_the_api(api, tree, people):
    body = {
        "kind": "conference",
        "title": "学术年会",
        "starts_at": "2031-06-01T09:00:00+08:00",
        "ends_at": "2031-06-02T17:00:00+08:00",
        "region": "320102",
        "address": "国际会议中心",
        "capacity": 1,
        "disciplines": ["520"],
    }
    created = api.post(f"{A}/orgs/{tree.xw.pk}/events", tree.county_staff, body)
    assert created.status_code == 201, created.content
    event_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["disciplines"] == ["520"]
    assert api.post(f"{A}/events/{event_id}/register", people.a).status_code == 404  # a draft is not visible
    assert api.post(f"{A}/events/{event_id}/publish", tree.county_staff).json()["status"] == "published"
    assert api.post(f"{A}/events/{event_id}/publish", tree.county_staff).status_code == 409
    first = api.post(f"{A}/events/{event_id}/register", people.a)
    second = api.post(f"{A}/events/{event_id}/register", people.b)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["status"] == "confirmed" and "/activities/ticket/" in first.json()["ticket_url"]
    assert second.json()["status"] == "waitlisted" and second.json()["place_in_line"] == 1
    again = api.post(f"{A}/events/{event_id}/register", people.a)
    assert again.status_code == 409 and again.json()["code"] == "already_registered"
    mine = api.get(f"{A}/registrations", people.a).json()
    assert [r["event_id"] for r in mine["items"]] == [event_id] and (mine["count"], mine["limit"], mine["offset"]) == (1, 50, 0)
    cancelled = api.post(f"{A}/registrations/{first.json()['id']}/cancel", people.a, {"reason": "冲突"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api.get(f"{A}/registrations/{second.json()['id']}", people.b).json()["status"] == "confirmed"
    assert api.post(f"{A}/registrations/{first.json()['id']}/cancel", people.a).status_code == 409
    patched = api.send("PATCH", f"{A}/events/{event_id}", tree.county_staff, {"capacity": 10, "title": "学术年会（扩大）"})
    assert patched.status_code == 200 and patched.json()["capacity"] == 10
    bad = api.send("PATCH", f"{A}/events/{event_id}", tree.county_staff, {"ends_at": "2030-01-01T00:00:00+08:00"})
    assert bad.status_code == 400 and bad.json()["field"] == "ends_at"
    assert api.post(f"{A}/events/{event_id}/cancel", tree.county_staff, {"reason": ""}).status_code == 400
    assert api.post(f"{A}/events/{event_id}/cancel", tree.county_staff, {"reason": "改期"}).json()["status"] == "cancelled"


def test_create_event_errors_name_the_field(api, tree):
    body = {"kind": "salon", "title": "x", "starts_at": "2031-06-01T09:00:00+08:00", "ends_at": "2031-06-01T10:00:00+08:00"}
    response = api.post(f"{A}/orgs/{tree.xw.pk}/events", tree.county_staff, body)
    assert response.status_code == 400 and response.json()["field"] == "region"
    response = api.post(f"{A}/orgs/{tree.xw.pk}/events", tree.county_staff, {**body, "online_url": "ftp://x", "audience": "members"})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"online_url", "audience_organization_id"}
    response = api.post(
        f"{A}/orgs/{tree.xw.pk}/events", tree.county_staff, {**body, "region": "320102", "audience_organization_id": 99999, "audience": "members"}
    )
    assert response.status_code == 400 and response.json()["field"] == "audience_organization_id"
    response = api.post(f"{A}/orgs/{tree.xw.pk}/events", tree.county_staff, {**body, "capacity": 0})
    assert response.status_code == 422 and response.json()["field"] == "capacity"
    response = api.post(f"{A}/orgs/{tree.xw.pk}/events", tree.county_staff, {**body, "region": "320102", "disciplines": ["zzz"]})
    assert response.status_code == 400 and response.json()["field"] == "disciplines"
    assert api.post(f"{A}/orgs/{tree.qh.pk}/events", tree.county_staff, body).status_code == 404
    assert api.post(f"{A}/orgs/{tree.xw.pk}/events", tree.county_leader, body).status_code == 403
    assert api.post(f"{A}/orgs/{tree.xw.pk}/events", None, body).status_code == 401
    assert not Event.objects.exists()


def test_checkin_twice_answers_200_with_a_flag(api, tree, people):
    event = make_event(tree, start_in=DAY / 2)
    a = registration.register_for_event(event, actor=people.a)
    url = f"{A}/events/{event.pk}/checkin"
    first = api.post(url, tree.county_staff, {"code": f"https://kejia.example/activities/ticket/{a.checkin_code}/"})
    assert first.status_code == 200 and first.json()["already_checked_in"] is False
    second = api.post(url, tree.county_staff, {"registration_id": a.pk})
    assert second.status_code == 200 and second.json()["already_checked_in"] is True
    assert api.post(url, tree.county_staff, {"code": "nope"}).json()["field"] == "code"
    assert api.post(url, tree.county_staff, {}).status_code == 400
    assert api.post(url, tree.sibling_staff, {"registration_id": a.pk}).status_code == 404
    assert api.post(url, tree.county_leader, {"registration_id": a.pk}).status_code == 403
    listing = api.get(f"{A}/events/{event.pk}/registrations", tree.county_leader).json()
    assert listing["counts"]["attended"] == 1 and listing["items"][0]["name"] == "用户alice"
    cert = api.get(f"{A}/registrations/{a.pk}/certificate", people.a)
    assert cert.status_code == 200 and cert.json()["token"].startswith("KJA1.")
    verdict = api.get(f"{A}/certificates/verify", t=cert.json()["verify_url"]).json()
    assert verdict["state"] == "valid" and verdict["fields"]["organizer"] == "XW"
    assert [c["serial"] for c in api.get(f"{A}/certificates", people.a).json()["items"]] == [cert.json()["serial"]]
    assert api.get(f"{A}/certificates", people.a, offset=1).json() == {"count": 1, "limit": 50, "offset": 1, "items": []}
    revoked = api.post(f"{A}/attendance-certificates/{cert.json()['id']}/revoke", tree.county_staff, {"reason": "误签"})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert api.get(f"{A}/certificates/verify", t=cert.json()["token"]).json()["state"] == "revoked"
    undone = api.post(f"{A}/registrations/{a.pk}/undo-checkin", tree.county_staff)
    assert undone.status_code == 200 and undone.json()["status"] == "confirmed"
    assert api.get(f"{A}/registrations/{a.pk}/certificate", people.a).status_code == 409


def test_staff_register_a_person_and_invite(api, tree, people):
    from kejia.activities.tests.conftest import make_person

    event = make_event(tree, audience="invited")
    guest = make_person(tree, name="特邀嘉宾", org=tree.xw)
    assert api.post(f"{A}/events/{event.pk}/register", people.a).status_code == 404  # not invited: not shown
    invited = api.post(f"{A}/events/{event.pk}/invitations", tree.county_staff, {"person_ids": [guest.pk, guest.pk]})
    assert invited.json() == {"invited": 1, "total": 1}
    outsider = make_person(tree, name="外人", org=tree.qh)
    response = api.post(f"{A}/events/{event.pk}/invitations", tree.county_staff, {"person_ids": [outsider.pk]})
    assert response.status_code == 400 and response.json()["field"] == "person_ids"
    reg = api.post(f"{A}/events/{event.pk}/register", tree.county_staff, {"person_id": guest.pk})
    assert reg.status_code == 201 and reg.json()["person_id"] == guest.pk
    assert api.post(f"{A}/events/{event.pk}/register", people.b, {"person_id": guest.pk}).status_code == 404
    assert Registration.objects.filter(event=event).count() == 1


def test_members_only_event_detail_for_a_member_by_token(api, tree, people):
    from kejia.activities.tests.conftest import make_user

    event = make_event(tree, audience="members", audience_organization=tree.xw)
    member = make_user(tree, "member_xw", person_org=tree.xw)
    assert api.get(f"{A}/events/{event.pk}").status_code == 404
    assert api.get(f"{A}/events/{event.pk}", people.a).status_code == 404
    assert api.get(f"{A}/events/{event.pk}", member).status_code == 200
    assert api.post(f"{A}/events/{event.pk}/register", member).json()["status"] == R.CONFIRMED


def test_staff_list_of_an_organization_includes_drafts(api, tree):
    make_event(tree, title="已发布")
    make_event(tree, title="草稿", publish=False)
    make_event(tree, org=tree.my, title="下级")
    data = api.get(f"{A}/orgs/{tree.xw.pk}/events", tree.county_staff).json()
    assert {i["title"] for i in data["items"]} == {"已发布", "草稿", "下级"}
    data = api.get(f"{A}/orgs/{tree.xw.pk}/events", tree.county_staff, subtree=False, status="draft").json()
    assert [i["title"] for i in data["items"]] == ["草稿"]
    assert api.get(f"{A}/orgs/{tree.xw.pk}/events", tree.sibling_staff).status_code == 404
