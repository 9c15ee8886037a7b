"""The pages, from the browser's side: building, publishing, distributing, answering (with
errors shown next to the questions), station entry, tracking, results, exports, the index."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from kejia.core.models import Notice
from kejia.organizations.services import create_organization
from kejia.surveys import answering, distribution, pool
from kejia.surveys.models import Question, Response, Survey, Target
from kejia.surveys.tests.conftest import GOOD, build_survey, invite, make_user
from kejia.surveys.tests.test_results import answer, evaluation_survey


def login(client, user):
    client.force_login(user)
    return client


def test_build_publish_distribute_and_answer_through_pages(tree, folks, client):
    login(client, tree.county_staff)
    response = client.post(reverse("surveys:create"), {"new-organization": "XW", "new-title": "页面问卷", "new-kind": "general"})
    assert response.status_code == 302
    survey = Survey.objects.get(title="页面问卷")
    builder = reverse("surveys:builder", args=[survey.pk])
    assert client.post(builder, {"kind": "single", "text": "是否从事科研？", "options": "是\n否", "required": "on"}).status_code == 302
    bad = client.post(builder, {"kind": "single", "text": "只有一个选项", "options": "是", "required": "on"})
    assert bad.status_code == 400 and bad.context["form"].errors["options"]
    assert (
        client.post(
            builder, {"kind": "rating", "text": "经费充足吗", "scale_min": 1, "scale_max": 5, "required": "on", "condition_key": "q1", "condition_options": "1"}
        ).status_code
        == 302
    )
    q2 = Question.objects.get(survey=survey, key="q2")
    assert (q2.condition_key, q2.condition_options) == ("q1", [0])
    assert client.get(reverse("surveys:question_edit", args=[q2.pk])).status_code == 200
    assert client.post(reverse("surveys:question_move", args=[q2.pk]), {"direction": "up"}).status_code == 400  # before its condition
    assert client.get(reverse("surveys:preview", args=[survey.pk])).status_code == 200
    assert client.post(reverse("surveys:publish", args=[survey.pk])).status_code == 302
    assert client.post(reverse("surveys:publish", args=[survey.pk])).status_code == 400  # nothing changed
    dist = reverse("surveys:distribution", args=[survey.pk])
    assert client.post(dist, {"kind": "members", "organization": "XW"}).status_code == 302
    assert client.post(dist, {"kind": "people", "sector": "enterprise", "age_min": 40}).status_code == 302
    assert client.post(dist, {"kind": "station", "organization": "XW"}).status_code == 400  # not a station
    assert client.post(dist, {"kind": "members", "organization": "QH"}).status_code == 400  # outside the scope
    assert client.get(dist).status_code == 200
    assert Notice.objects.filter(kind="survey.invitation", user=tree.worker).exists()

    worker = login(client.__class__(), tree.worker)
    answer_url = reverse("surveys:answer", args=[survey.pk])
    page = worker.get(answer_url)
    assert page.status_code == 200 and 'data-show-if="q1:0"' in page.content.decode()
    missing = worker.post(answer_url, {"q1": "0", "action": "submit"})
    assert missing.status_code == 400 and missing.context["errors"] == {"q2": [missing.context["errors"]["q2"][0]]}
    assert worker.post(answer_url, {"q1": "0", "q2": "4", "action": "submit"}).status_code == 302
    assert "answered" in worker.get(answer_url).templates[0].name
    assert worker.post(answer_url, {"q1": "0", "q2": "4", "action": "submit"}).status_code == 409

    assert client.get(reverse("surveys:tracking", args=[survey.pk])).status_code == 200
    assert client.post(reverse("surveys:remind", args=[survey.pk])).status_code == 302
    results = client.get(reverse("surveys:results", args=[survey.pk]))
    assert results.status_code == 200 and "<svg" in results.content.decode()
    assert client.get(reverse("surveys:results", args=[survey.pk]), {"question": "q1", "by": "sector"}).context["table"] is not None
    assert client.get(reverse("surveys:results", args=[survey.pk]), {"question": "q1", "by": "nonsense"}).status_code == 400
    assert client.post(reverse("surveys:close", args=[survey.pk])).status_code == 302
    assert client.post(reverse("surveys:close", args=[survey.pk])).status_code == 409
    assert client.post(reverse("surveys:reopen", args=[survey.pk])).status_code == 302


def test_install_templates_and_open_link(tree, folks, client):
    login(client, tree.province_staff)
    response = client.post(reverse("surveys:install"), {"tpl-organization": "JS", "tpl-template": "evaluation", "tpl-period": "2026"})
    assert response.status_code == 302
    survey = Survey.objects.get(template="evaluation")
    assert set(survey.subjects.values_list("code", flat=True)) == {"NJ", "WX", "SOC"}
    assert survey.anonymous and survey.questions.count() == 10
    detail = client.get(reverse("surveys:detail", args=[survey.pk]))
    assert detail.status_code == 200
    assert client.post(reverse("surveys:subjects", args=[survey.pk]), {"codes": "NJ\nWX"}).status_code == 302
    assert client.post(reverse("surveys:subjects", args=[survey.pk]), {"codes": "NJ\nNOPE"}).status_code == 400
    assert client.post(reverse("surveys:publish", args=[survey.pk])).status_code == 302
    assert client.post(reverse("surveys:distribution", args=[survey.pk]), {"kind": "link"}).status_code == 302
    token = Target.objects.get(survey=survey, kind="link").token
    worker = login(client.__class__(), tree.worker)
    assert worker.get(reverse("surveys:answer", args=[survey.pk])).status_code == 404  # not invited, no token
    link = worker.get(reverse("surveys:link", args=[token]))
    assert link.status_code == 302 and token in link["Location"]
    form = {"t": token, "subject": str(tree.nj.pk), "q1": "0", "q2": "1", "q3": "0", "q4": "1", "q5": "0", "q6": "0", "q7": "0", "q8": "5", "action": "submit"}
    no_subject = worker.post(reverse("surveys:answer", args=[survey.pk]), {**form, "subject": ""})
    assert no_subject.status_code == 400 and no_subject.context["subject_errors"]
    assert worker.post(reverse("surveys:answer", args=[survey.pk]), form).status_code == 302
    pool.release_answers(survey, force=True)
    assert Response.objects.get(survey=survey).subject == tree.nj
    assert worker.get(reverse("surveys:link", args=["nope"])).status_code == 404


def test_results_exports_and_evaluation_page(tree, folks, client):
    survey, token = evaluation_survey(tree)
    for user in (tree.worker, folks.li_user, folks.zhao_user, tree.nj_staff, tree.county_staff):
        answer(survey, user, token, tree.nj, 0, 0, 1, 4)
    login(client, tree.province_staff)
    results = client.get(reverse("surveys:results", args=[survey.pk]))
    assert results.status_code == 200 and results.context["index_rows"][0]["row"].index is not None
    raw = client.get(reverse("surveys:export", args=[survey.pk]), {"what": "raw"})
    assert raw.status_code == 200 and len(list(load_workbook(io.BytesIO(raw.content)).active.values)) == 6
    summary = client.get(reverse("surveys:export", args=[survey.pk]), {"question": "q1", "by": "age_band"})
    assert summary.status_code == 200 and len(load_workbook(io.BytesIO(summary.content)).sheetnames) == 3
    page = client.get(reverse("surveys:evaluation", args=[tree.js.pk]))
    assert page.status_code == 200 and page.context["table"][0]["org"] == tree.nj
    assert "<svg" in page.content.decode()
    nj = login(client.__class__(), tree.nj_staff).get(reverse("surveys:evaluation", args=[tree.nj.pk]))
    assert nj.status_code == 200 and nj.context["table"][0]["own"]


def test_station_page_enters_answers(tree, folks, client):
    station = create_organization(actor=tree.platform, parent=tree.xw, name="玄武调查站", code="XW-ST", kind="survey_station", region=tree.regions["320102"])
    from kejia.accounts.services import grant_role

    clerk = make_user(tree, "clerk")
    grant_role(clerk, actor=tree.platform, organization=station, kind="staff")
    survey = build_survey(tree, anonymous=True)
    distribution.add_target(survey, actor=tree.county_staff, kind="station", organization=station)
    login(client, clerk)
    home = client.get(reverse("surveys:home"))
    assert home.context["stations"][0][0] == survey
    url = reverse("surveys:station", args=[survey.pk])
    assert client.get(url).status_code == 200
    data = {"station": str(station.pk), "q1": "0", "q2": "1", "q4": ["0"], "q7": ""}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "q1": ""}).status_code == 400
    pool.release_answers(survey, force=True)
    assert Response.objects.filter(survey=survey, channel="station").count() == 1
    assert login(client.__class__(), tree.sibling_staff).get(url).status_code == 404


def test_home_lists_waiting_surveys_for_the_worker(tree, folks, client):
    survey = build_survey(tree)
    invite(tree, survey)
    page = login(client, tree.worker).get(reverse("surveys:home"))
    assert page.status_code == 200 and [s.pk for s in page.context["waiting"]] == [survey.pk]
    answering.submit_response(survey, actor=tree.worker, data=GOOD)
    assert login(client, tree.worker).get(reverse("surveys:home")).context["waiting"] == []
    staff = login(client.__class__(), tree.county_staff).get(reverse("surveys:home"), {"status": "open"})
    assert [s.pk for s in staff.context["page"]] == [survey.pk]
