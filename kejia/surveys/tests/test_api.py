"""The surveys API: the same services behind JSON, errors naming the field (or the question)."""

import pytest
from django.test import Client

from kejia.accounts.services import issue_api_token
from kejia.organizations.services import create_organization
from kejia.surveys import pool
from kejia.surveys.models import PendingAnswer, Receipt, Response, Survey
from kejia.surveys.tests.conftest import GOOD, build_survey, invite

S = "/api/surveys"


class Api:
    def __init__(self, user):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {issue_api_token(user)[1]}"}

    def get(self, url, **params):
        return self.client.get(url, params, headers=self.headers)

    def post(self, url, data=None):
        return self.client.post(url, data if data is not None else {}, content_type="application/json", headers=self.headers)

    def put(self, url, data):
        return self.client.put(url, data, content_type="application/json", headers=self.headers)

    def patch(self, url, data):
        return self.client.patch(url, data, content_type="application/json", headers=self.headers)

    def delete(self, url):
        return self.client.delete(url, headers=self.headers)


@pytest.fixture
def as_(tree):
    cache = {}

    def get(user):
        if user.pk not in cache:
            cache[user.pk] = Api(user)
        return cache[user.pk]

    return get


def test_build_and_publish_through_the_api(tree, folks, as_):
    staff = as_(tree.county_staff)
    created = staff.post(S, {"org_id": tree.xw.pk, "title": "接口问卷", "anonymous": True})
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    assert staff.post(f"{S}/{sid}/questions", {"kind": "single", "text": "是否", "options": ["是", "否"]}).status_code == 201
    bad = staff.post(f"{S}/{sid}/questions", {"kind": "single", "text": "一个", "options": ["是"]})
    assert bad.status_code == 400 and bad.json()["field"] == "options"
    cond = staff.post(f"{S}/{sid}/questions", {"kind": "text", "text": "说明", "condition_key": "q1", "condition_options": [0]})
    assert cond.status_code == 201
    qid = cond.json()["id"]
    assert staff.post(f"/api/survey-questions/{qid}/move", {"offset": -1}).status_code == 400
    assert staff.patch(f"/api/survey-questions/{qid}", {"required": False}).json()["required"] is False
    assert staff.get(f"{S}/{sid}/questions").json()[1]["condition_options"] == [0]
    assert staff.post(f"{S}/{sid}/publish").status_code == 201
    assert staff.patch(f"{S}/{sid}", {"anonymous": False}).status_code == 409  # anonymity_fixed: a state refusal
    assert staff.get(f"{S}/{sid}/versions").json()[0]["number"] == 1
    target = staff.post(f"{S}/{sid}/targets", {"kind": "members", "org_id": tree.xw.pk})
    assert target.status_code == 201 and target.json()["invited"] == 4
    link = staff.post(f"{S}/{sid}/targets", {"kind": "link"}).json()
    assert link["link"].startswith("/surveys/s/")
    listed = staff.get(f"{S}/{sid}/targets").json()
    assert listed["count"] == 2 and [t["id"] for t in listed["items"]] == [target.json()["id"], link["id"]]
    assert staff.get(f"{S}/{sid}/targets", limit=1, offset=1).json()["items"] == [listed["items"][1]]
    assert staff.delete(f"/api/survey-targets/{link['id']}").status_code == 204
    assert staff.post(f"{S}/{sid}/targets", {"kind": "people", "filters": {"sector": "nope"}}).json()["field"] == "sector"
    assert [s["id"] for s in as_(tree.worker).get(f"{S}/waiting").json()["items"]] == [sid]

    worker = as_(tree.worker)
    form = worker.get(f"{S}/{sid}/form").json()
    assert form["questions"][0]["key"] == "q1" and form["answered"] is False
    saved = worker.post(f"{S}/{sid}/answer", {"answers": {"q1": 1}, "submit": False}).json()
    assert saved["status"] == "draft" and saved["draft_id"]
    assert worker.get(f"{S}/{sid}/form", draft_id=saved["draft_id"]).json()["draft"] == {"q1": 1}
    missing = worker.post(f"{S}/{sid}/answer", {"answers": {}})
    assert missing.status_code == 400 and missing.json()["errors"] == {"q1": [missing.json()["message"]]}
    done = worker.post(f"{S}/{sid}/answer", {"answers": {"q1": 0, "q2": "原因"}, "draft_id": saved["draft_id"]})
    assert done.status_code == 201
    assert worker.post(f"{S}/{sid}/answer", {"answers": {"q1": 0}}).status_code == 409
    assert Receipt.objects.count() == 1 and PendingAnswer.objects.filter(survey_id=sid).count() == 1  # waits for its batch
    assert not Response.objects.filter(survey_id=sid, status="submitted").exists()
    assert staff.get(f"{S}/{sid}/tracking").json()["submitted"] == 1
    pool.release_answers(Survey.objects.get(pk=sid), force=True)
    assert Response.objects.filter(survey_id=sid).count() == 1
    assert as_(tree.sibling_staff).get(f"{S}/{sid}/form").status_code == 404

    results = staff.get(f"{S}/{sid}/results").json()
    assert results["submitted"] == 1 and results["questions"][0]["bars"][0]["count"] == 1
    assert staff.get(f"{S}/{sid}/crosstab", question="q1", by="sector").status_code == 400  # anonymous, no sector question
    tracking = staff.get(f"{S}/{sid}/tracking").json()
    assert (tracking["invited"], tracking["answered"], tracking["non_respondents"]) == (4, 1, [])
    assert staff.post(f"{S}/{sid}/reminders").json() == {"reminded": 2}
    assert staff.post(f"{S}/{sid}/reminders").json() == {"reminded": 0}
    export = staff.get(f"{S}/{sid}/export", what="raw")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert staff.post(f"{S}/{sid}/close").json()["status"] == "closed"
    assert staff.delete(f"/api/survey-questions/{qid}").status_code == 409


def test_identified_results_crosstab_and_station_answers(tree, folks, as_):
    survey = build_survey(tree)
    invite(tree, survey)
    station = create_organization(actor=tree.platform, parent=tree.xw, name="玄武调查站", code="XW-ST", kind="survey_station", region=tree.regions["320102"])
    staff = as_(tree.county_staff)
    assert staff.post(f"{S}/{survey.pk}/targets", {"kind": "station", "org_id": station.pk}).status_code == 201
    assert as_(tree.worker).post(f"{S}/{survey.pk}/answer", {"answers": GOOD}).status_code == 201
    entry = staff.post(f"{S}/{survey.pk}/station-answers", {"station_id": station.pk, "answers": GOOD, "person_id": folks.qian.pk})
    assert entry.status_code == 201, entry.content
    assert staff.post(f"{S}/{survey.pk}/station-answers", {"station_id": station.pk, "answers": GOOD}).json()["field"] == "person"
    assert as_(tree.sibling_staff).post(f"{S}/{survey.pk}/station-answers", {"station_id": station.pk, "answers": GOOD}).status_code == 404
    table = staff.get(f"{S}/{survey.pk}/crosstab", question="q1", by="age_band").json()
    assert sum(table["totals"]) == 2
    tracking = staff.get(f"{S}/{survey.pk}/tracking").json()
    assert {p["name"] for p in tracking["non_respondents"]} == {"李工", "赵工"}
    assert [s["id"] for s in staff.get(S, status="open").json()] == [survey.pk]


def test_install_template_and_evaluation_index(tree, folks, as_, django_capture_on_commit_callbacks):
    staff = as_(tree.province_staff)
    installed = staff.post(f"{S}/install", {"org_id": tree.js.pk, "template": "evaluation", "period": "2026"})
    assert installed.status_code == 201
    sid = installed.json()["id"]
    assert staff.put(f"{S}/{sid}/subjects", {"org_ids": [tree.nj.pk, tree.wx.pk]}).json() == sorted([tree.nj.pk, tree.wx.pk])
    assert staff.put(f"{S}/{sid}/subjects", {"org_ids": [tree.xw.pk + 999999]}).json()["field"] == "org_ids"
    assert staff.post(f"{S}/{sid}/publish").status_code == 201
    token = staff.post(f"{S}/{sid}/targets", {"kind": "link"}).json()["link"].rstrip("/").rsplit("/", 1)[1]
    answers = {"q1": 0, "q2": 0, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 5}
    with django_capture_on_commit_callbacks(execute=True):  # the fifth answer fills a batch: the pool is written after commit
        for user in (tree.worker, folks.li_user, folks.zhao_user, tree.nj_staff, tree.wx_staff):
            assert as_(user).post(f"{S}/{sid}/answer", {"answers": answers, "subject_id": tree.nj.pk, "token": token}).status_code == 201
    assert Response.objects.filter(survey_id=sid, status="submitted").count() == 5 and not PendingAnswer.objects.exists()
    evaluation = staff.get(f"{S}/orgs/{tree.js.pk}/evaluation").json()
    assert evaluation["periods"] == ["2026"]
    assert evaluation["rows"][0]["organization"]["code"] == "NJ" and evaluation["rows"][0]["index"] == 100.0
    assert as_(tree.wx_staff).get(f"{S}/orgs/{tree.nj.pk}/evaluation").status_code == 404
    assert staff.get(f"{S}/{sid}/results").json()["evaluation"][0]["enough"] is True
    assert staff.post(f"{S}/install", {"org_id": tree.js.pk, "template": "nope"}).status_code == 422
