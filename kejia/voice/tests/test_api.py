"""The voice API: the same flow as the pages, with the codes the API documents."""

import json

import pytest
from django.test import Client

from kejia.accounts.services import issue_api_token
from kejia.voice.models import Answer, Item

V = "/api/voice"


@pytest.fixture
def api(voice):
    tokens = {
        name: issue_api_token(getattr(voice, name))[1]
        for name in ("worker", "county_staff", "county_leader", "nj_staff", "sibling_staff", "platform", "nj_admin")
    }
    client = Client()

    def call(actor, method, path, body=None, **params):
        headers = {"Authorization": f"Bearer {tokens[actor]}"} if actor else {}
        if method == "GET":
            return client.get(f"{V}{path}", params, headers=headers)
        return client.generic(method, f"{V}{path}", json.dumps(body or {}), content_type="application/json", headers=headers)

    return call


def test_api_flow_send_answer_in_public_rate_reopen(voice, api):
    response = api(
        "worker", "POST", "/items", {"organization_id": voice.xw.pk, "kind": "rights", "title": "知识产权维权", "body": "请协助。", "allow_public": True}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    item_id = data["id"]
    assert data["status"] == "submitted" and data["deadline_days"] == 15 and data["sender"] is None and data["events"][0]["kind"] == "submitted"
    assert api("worker", "GET", "/items").json()["count"] == 1
    staff_view = api("county_staff", "GET", f"/items/{item_id}").json()
    assert staff_view["sender"]["name"] == "赵工程师"
    assert api("county_staff", "POST", f"/items/{item_id}/assign", {"assignee_id": voice.county_leader.pk}).status_code == 200
    assert api("worker", "GET", f"/items/{item_id}").json()["assignee"] is None
    response = api("county_leader", "POST", f"/items/{item_id}/answer", {"text": "已协调知识产权部门。", "public": True})
    assert response.status_code == 201 and response.json()["signer_name"] == "xw_leader"
    public = api(None, "GET", "/public").json()
    assert public["count"] == 1 and public["items"][0]["answers"][0]["signer_title"].startswith(voice.xw.name)
    assert "sender" not in public["items"][0]
    assert api("worker", "POST", f"/items/{item_id}/rate", {"rating": 6}).status_code == 422
    assert api("worker", "POST", f"/items/{item_id}/rate", {"rating": 3}).json()["status"] == "closed"
    assert api("worker", "POST", f"/items/{item_id}/reopen", {"reason": "未解决"}).json()["status"] == "reopened"
    api("county_staff", "POST", f"/items/{item_id}/answer", {"text": "再答"})
    response = api("worker", "POST", f"/items/{item_id}/reopen", {"reason": "还是未解决"})
    assert response.status_code == 409 and response.json()["code"] == "reopened_once"


def test_api_refusals(voice, api):
    item_id = api("worker", "POST", "/items", {"organization_id": voice.xw.pk, "kind": "appeal", "title": "t", "body": "b"}).json()["id"]
    assert api("sibling_staff", "GET", f"/items/{item_id}").status_code == 404
    assert api("county_leader", "POST", f"/items/{item_id}/assign", {"assignee_id": voice.county_staff.pk}).status_code == 403
    response = api("county_staff", "POST", f"/items/{item_id}/assign", {"assignee_id": voice.sibling_staff.pk})
    assert response.status_code == 400 and response.json()["field"] == "assignee_id"
    response = api("county_staff", "POST", f"/items/{item_id}/forward", {"to_id": voice.qh.pk})
    assert response.status_code == 400 and response.json()["field"] == "to_id"
    response = api("county_leader", "POST", f"/items/{item_id}/answer", {"text": "x", "public": True})
    assert response.status_code == 400 and response.json()["code"] == "not_public"
    assert api("worker", "POST", f"/items/{item_id}/answer", {"text": "x"}).status_code == 403
    response = api("worker", "POST", "/items", {"organization_id": 987654, "kind": "appeal", "title": "t", "body": "b"})
    assert response.status_code == 400 and response.json()["field"] == "organization_id"
    assert Item.objects.count() == 1 and not Answer.objects.exists()


def test_api_inbox_dashboard_forward_publish(voice, api):
    item_id = api("worker", "POST", "/items", {"organization_id": voice.my.pk, "kind": "suggestion", "title": "t", "body": "b", "allow_public": True}).json()[
        "id"
    ]
    assert api("county_staff", "GET", "/inbox").json()["count"] == 1
    assert api("worker", "GET", "/inbox").json()["count"] == 0
    assert api("county_staff", "GET", "/inbox", org_id=voice.nj.pk).status_code == 404
    board = api("nj_staff", "GET", "/dashboard").json()
    assert board["open"] == 1 and board["by_org"][0]["code"] == "XW-MY"
    assert api("county_staff", "POST", f"/items/{item_id}/forward", {"to_id": voice.xw.pk}).json()["organization"]["code"] == "XW"
    answer_id = api("county_staff", "POST", f"/items/{item_id}/answer", {"text": "答"}).json()["id"]
    assert api("county_staff", "POST", f"/answers/{answer_id}/publish").status_code == 403
    assert api("sibling_staff", "POST", f"/answers/{answer_id}/publish").status_code == 404
    assert api("county_leader", "POST", f"/answers/{answer_id}/publish").json()["is_public"] is True


def test_api_rules_and_calendar(voice, api):
    rules = api("worker", "GET", "/rules").json()["items"]
    assert {r["kind"] for r in rules if r["organization"] is None} == {"suggestion", "appeal", "rights", "policy_question"}
    response = api("nj_admin", "POST", "/rules", {"kind": "appeal", "org_id": voice.xw.pk, "working_days": 9})
    assert response.status_code == 200 and any(r["organization"] and r["working_days"] == 9 for r in response.json())
    assert api("nj_admin", "POST", "/rules", {"kind": "appeal", "working_days": 9}).status_code == 403
    assert api("nj_admin", "POST", "/rules", {"kind": "appeal", "org_id": voice.xw.pk, "working_days": None}).status_code == 200
    response = api("platform", "POST", "/calendar", {"date": "2026-10-01", "kind": "holiday", "name": "国庆节"})
    assert response.status_code == 200 and response.json()[0]["name"] == "国庆节"
    assert api("nj_admin", "POST", "/calendar", {"date": "2026-10-02", "kind": "holiday"}).status_code == 403
    assert api("platform", "POST", "/calendar", {"date": "2026-10-01", "kind": ""}).json() == []
