"""The services of the expert review, the uploads and the case library, through the owner's and
the applicant's pages: shown to the right role, refused to others, the step done."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kejia.calls import reviewing, workflow
from kejia.calls.choices import ApplicationStatus as S
from kejia.calls.choices import ProjectStatus as P
from kejia.calls.models import CallAttachment, Deliverable
from kejia.calls.tests.conftest import AFTER_ANNOUNCEMENT, fixed_pairs, reviewers_for, walk_to
from kejia.review import services as review
from kejia.review.models import ReviewRound, ScoreSheet

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CRITERIA = ("innovation", "feasibility", "demonstration", "groundwork")
DEADLINE = datetime.datetime(2030, 6, 30, tzinfo=datetime.UTC)
FORBIDDEN = 404  # the owner's services answer NotFound to whoever cannot see the owner


def test_owner_opens_the_expert_review_from_the_call_page(under_review, client):
    calls, apps = under_review
    admin = reverse("calls:call_admin", args=[calls.call.pk])
    act = reverse("calls:call_act", args=[calls.call.pk, "open_review"])
    client.force_login(calls.applicant)
    assert client.get(admin).status_code == 404
    assert client.post(act, {"open_review-per_item": 2, "open_review-max_load": 2}).status_code == 404
    assert not ReviewRound.objects.exists()
    client.force_login(calls.owner)
    page = client.get(admin).content.decode()
    assert "open_review-per_item" in page and "close_review-minutes" not in page
    response = client.post(act, {"open_review-per_item": 0, "open_review-max_load": 2})
    assert response.status_code == 400 and not ReviewRound.objects.exists()
    data = {"open_review-per_item": 2, "open_review-max_load": 2, "open_review-blind": "on", "open_review-score_deadline": "2030-06-30 18:00"}
    response = client.post(act, data)
    assert response.status_code == 302
    round_ = reviewing.round_for(calls.call)
    assert round_.blind and round_.per_item == 2 and round_.max_load == 2 and round_.items.count() == 2
    page = client.get(admin).content.decode()
    assert reverse("review:round", args=[round_.pk]) in page and "open_review-per_item" not in page and "close_review-minutes" in page
    # closing before scoring is refused next to the form, with the refusal's status
    response = client.post(reverse("calls:call_act", args=[calls.call.pk, "close_review"]), {"close_review-minutes": "纪要"})
    assert response.status_code == 409 and "close_review-minutes" in response.content.decode()


def _scored(calls, apps):
    reviewers = reviewers_for(calls, 4)
    round_ = reviewing.open_review(calls.call, actor=calls.owner, per_item=2, max_load=1, score_deadline=DEADLINE)
    for p in reviewers:
        review.respond(review.invite(round_, p, actor=calls.owner), actor=p.user, accept=True)
    review.run_assignment(round_, actor=calls.owner, affinity=fixed_pairs)
    review.start_scoring(round_, actor=calls.owner)
    values = {reviewing.ref_of(apps[0]): 6, reviewing.ref_of(apps[1]): 9}
    for sheet in ScoreSheet.objects.filter(assignment__round=round_).select_related("assignment__item", "assignment__person"):
        v = values[sheet.assignment.item.ref]
        review.save_sheet(sheet, actor=sheet.assignment.person.user, scores=dict.fromkeys(CRITERIA, v), comments="意见", submit=True)
    return round_


def test_owner_closes_the_review_into_the_meeting_and_sees_its_results(under_review, client):
    calls, apps = under_review
    round_ = _scored(calls, apps)
    client.force_login(calls.owner)
    meeting = reverse("calls:meeting", args=[calls.call.pk])
    assert reverse("review:round", args=[round_.pk]) in client.get(meeting).content.decode()  # still scoring: a link
    act = reverse("calls:call_act", args=[calls.call.pk, "close_review"])
    response = client.post(act, {"close_review-minutes": " "})
    assert response.status_code == 400
    response = client.post(act, {"close_review-minutes": "会评纪要"})
    assert response.status_code == 302
    for a in apps:
        a.refresh_from_db()
    assert [apps[1].rank, apps[0].rank] == [1, 2] and apps[0].status == S.REVIEWED
    page = client.get(meeting).content.decode()
    assert "90.0" in page and "60.0" in page and "会评纪要" in page
    client.force_login(calls.recommender)
    assert client.get(meeting).status_code == 404
    assert client.post(act, {"close_review-minutes": "x"}).status_code == 404


def test_owner_adds_a_call_attachment(calls, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    act = reverse("calls:call_act", args=[calls.call.pk, "add_attachment"])
    client.force_login(calls.applicant)
    assert client.post(act, {"add_attachment-title": "申报指南", "add_attachment-file": SimpleUploadedFile("g.pdf", PDF)}).status_code == 404
    client.force_login(calls.owner)
    assert 'enctype="multipart/form-data"' in client.get(reverse("calls:call_admin", args=[calls.call.pk])).content.decode()
    before = CallAttachment.objects.count()
    response = client.post(act, {"add_attachment-title": "申报指南", "add_attachment-file": SimpleUploadedFile("g.pdf", b"<html></html>")})
    assert response.status_code == 400 and CallAttachment.objects.count() == before
    response = client.post(act, {"add_attachment-title": "试点申报指南（修订）", "add_attachment-file": SimpleUploadedFile("g.pdf", PDF)})
    assert response.status_code == 302
    attachment = CallAttachment.objects.latest("pk")
    assert attachment.title == "试点申报指南（修订）" and attachment.call == calls.call
    assert "试点申报指南（修订）" in client.get(reverse("calls:call_admin", args=[calls.call.pk])).content.decode()


@pytest.fixture
def project(calls, draft):
    application = walk_to(calls, draft, S.ANNOUNCED)
    return workflow.approve_application(application, actor=calls.owner, amount="350000", starts_on=datetime.date(2020, 7, 1), now=AFTER_ANNOUNCEMENT)


def test_applicant_hands_in_a_deliverable_with_a_file(calls, project, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("calls:project_act", args=[project.pk, "submit_deliverable"])
    client.force_login(calls.owner)
    assert "submit_deliverable-file" not in client.get(reverse("calls:project", args=[project.pk])).content.decode()
    assert client.post(url, {"submit_deliverable-title": "报告"}).status_code == 403
    client.force_login(calls.applicant)
    assert "submit_deliverable-file" in client.get(reverse("calls:project", args=[project.pk])).content.decode()
    response = client.post(url, {"submit_deliverable-title": "报告", "submit_deliverable-file": SimpleUploadedFile("r.pdf", b"MZ\x90\x00")})
    assert response.status_code == 400 and not Deliverable.objects.exists()
    response = client.post(url, {"submit_deliverable-title": "试点工作总结报告", "submit_deliverable-file": SimpleUploadedFile("r.pdf", PDF)})
    assert response.status_code == 302
    deliverable = Deliverable.objects.get()
    assert deliverable.file.name.endswith(".pdf") and deliverable.original_name == "r.pdf"
    page = client.get(reverse("calls:project", args=[project.pk])).content.decode()
    assert reverse("calls:deliverable_file", args=[deliverable.pk]) in page


def test_owner_publishes_and_withdraws_a_deliverable_of_a_concluded_project(calls, project, client):
    deliverable = workflow.submit_deliverable(project, actor=calls.applicant, title="试点工作总结报告")
    url = reverse("calls:project_act", args=[project.pk, "publish_deliverable"])
    client.force_login(calls.owner)
    assert "publish_deliverable-deliverable" not in client.get(reverse("calls:project", args=[project.pk])).content.decode()
    response = client.post(url, {"publish_deliverable-deliverable": deliverable.pk, "publish_deliverable-public": "on"})
    assert response.status_code == 409  # not concluded yet
    workflow.pass_midterm(project, actor=calls.owner)
    workflow.conclude_project(project, actor=calls.owner)
    project.refresh_from_db()
    assert project.status == P.CONCLUDED
    assert "publish_deliverable-deliverable" in client.get(reverse("calls:project", args=[project.pk])).content.decode()
    client.force_login(calls.applicant)
    assert "publish_deliverable-deliverable" not in client.get(reverse("calls:project", args=[project.pk])).content.decode()
    assert client.post(url, {"publish_deliverable-deliverable": deliverable.pk, "publish_deliverable-public": "on"}).status_code == FORBIDDEN
    client.force_login(calls.owner)
    assert client.post(url, {"publish_deliverable-deliverable": deliverable.pk, "publish_deliverable-public": "on"}).status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.public and deliverable.published_by == calls.owner
    assert client.get(reverse("calls:case", args=[deliverable.pk])).status_code == 200
    assert client.post(url, {"publish_deliverable-deliverable": deliverable.pk}).status_code == 302
    deliverable.refresh_from_db()
    assert not deliverable.public
