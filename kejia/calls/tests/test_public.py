"""The public side of calls: the announcement (公示) page with its objection form, the case
library of published deliverables (and its block on the front page), rich text cleaned, and the
uploaded files checked by content and size and served by scope."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kejia.calls import cases, files, selectors, services, workflow
from kejia.calls.choices import ApplicationStatus as S
from kejia.calls.models import ApplicationFile, CallAttachment, Deliverable, Objection
from kejia.calls.tests.conftest import BEFORE, DEADLINE, PDF, PNG, announce_now, concluded_project, walk_to
from kejia.core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from kejia.core.models import AuditEvent

# ---- the announcement (公示) ---------------------------------------------------------------------


def test_announcement_page_is_public_with_results_period_and_form(calls, draft, client):
    application = announce_now(calls, draft)
    response = client.get(reverse("calls:announcement", args=[calls.call.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "南京市科协改革试点" in html and "南京市科学技术协会" in html and "350000" in html
    local = timezone.localtime(application.announced_until, datetime.timezone(datetime.timedelta(hours=8)))
    assert local.strftime("%Y-%m-%d %H:%M") in html
    assert 'id="objection"' in html and 'name="contact"' in html and 'id="ended"' not in html


def test_announcement_page_lists_nothing_before_an_announcement(calls, draft, client):
    walk_to(calls, draft, S.SELECTED)
    html = client.get(reverse("calls:announcement", args=[calls.call.pk])).content.decode()
    assert "南京市科协改革试点" not in html and 'id="objection"' not in html


def test_announcement_page_says_when_it_ended(calls, draft, client):
    walk_to(calls, draft, S.ANNOUNCED)  # announced in 2020: long over
    html = client.get(reverse("calls:announcement", args=[calls.call.pk])).content.decode()
    assert "南京市科协改革试点" in html and 'id="ended"' in html and 'id="objection"' not in html
    response = client.post(reverse("calls:announcement", args=[calls.call.pk]), {"application": draft.pk, "text": "异议", "name": "王", "contact": "1"})
    assert response.status_code == 400 and not Objection.objects.exists()


def test_draft_call_announcement_is_hidden(calls, client):
    hidden = services.create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE, title="未发布")
    assert client.get(reverse("calls:announcement", args=[hidden.pk])).status_code == 404


def test_visitor_objects_with_a_name_and_a_contact(calls, draft, client):
    application = announce_now(calls, draft)
    url = reverse("calls:announcement", args=[calls.call.pk])
    response = client.post(url, {"application": application.pk, "text": "材料与事实不符", "name": "王某"})
    assert response.status_code == 400 and 'class="field has-error"><label for="contact"' in response.content.decode()
    assert not Objection.objects.exists()
    response = client.post(url, {"application": application.pk, "text": "材料与事实不符", "contact": "13900000000"})
    assert response.status_code == 400 and not Objection.objects.exists()
    response = client.post(url, {"application": application.pk, "text": "材料与事实不符", "name": "王某", "contact": "13900000000"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.name, objection.contact, objection.submitted_by) == ("王某", "13900000000", None)
    assert AuditEvent.objects.filter(action="calls.record_objection").exists()
    assert "13900000000" not in client.get(url).content.decode()  # the contact is not shown in public


def test_signed_in_user_objects_under_the_account(calls, draft, client):
    application = announce_now(calls, draft)
    client.force_login(calls.t.worker)
    response = client.post(reverse("calls:announcement", args=[calls.call.pk]), {"application": application.pk, "text": "存在重复申报"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.submitted_by == calls.t.worker and objection.name == str(calls.t.worker)


def test_objections_are_rate_limited(calls, draft, client, settings):
    settings.OBJECTION_MAX = 2
    application = announce_now(calls, draft)
    url = reverse("calls:announcement", args=[calls.call.pk])
    post = {"application": application.pk, "text": "异议", "name": "王某", "contact": "13900000000"}
    assert client.post(url, post).status_code == 302
    assert client.post(url, post).status_code == 302
    assert client.post(url, post).status_code == 429
    assert Objection.objects.count() == 2


def test_objection_for_an_application_not_announced_is_refused(calls, draft, client):
    announce_now(calls, draft)
    other = services.create_application(calls.call, actor=calls.applicant, applicant=calls.t.nj, title="另一份", now=BEFORE)
    response = client.post(reverse("calls:announcement", args=[calls.call.pk]), {"application": other.pk, "text": "异议", "name": "王", "contact": "1"})
    assert response.status_code == 400 and not Objection.objects.exists()


def test_record_objection_service_rules(calls, draft):
    from django.contrib.auth.models import AnonymousUser

    application = announce_now(calls, draft)
    with pytest.raises(DomainError) as caught:
        workflow.record_objection(application, actor=AnonymousUser(), text="异议")
    assert caught.value.field == "name"
    with pytest.raises(DomainError):
        workflow.record_objection(application, actor=AnonymousUser(), text=" ", name="王", contact="1")
    by_owner = workflow.record_objection(application, actor=calls.owner, text="来信反映")  # received by letter
    assert by_owner.submitted_by is None and by_owner.name == ""
    with pytest.raises(IllegalTransition):
        workflow.record_objection(application, actor=calls.t.worker, text="异议", now=application.announced_until + datetime.timedelta(seconds=1))


def test_call_objections_only_for_the_owner(calls, draft):
    application = announce_now(calls, draft)
    objection = workflow.record_objection(application, actor=calls.t.worker, text="异议")
    assert list(selectors.call_objections(calls.owner, call=calls.call, open_only=True)) == [objection]
    for user in (calls.applicant, calls.recommender, calls.t.worker):
        assert list(selectors.call_objections(user)) == []
    workflow.handle_objection(objection, actor=calls.owner, upheld=False, resolution="经核实不属实")
    assert list(selectors.call_objections(calls.owner, open_only=True)) == [] and list(selectors.call_objections(calls.owner)) == [objection]


# ---- rich text ---------------------------------------------------------------------------------

XSS = '<p onclick="steal()">申报要求</p><script>alert(1)</script><a href="javascript:alert(2)">链接</a>'


def test_call_notice_is_cleaned_on_save_and_shown_as_html(calls, client):
    call = services.create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE, notice=XSS, guide=XSS)
    for text in (call.notice, call.guide):
        assert "<script" not in text and "onclick" not in text and "javascript:" not in text and "<p>申报要求</p>" in text
    call = services.publish_call(call, actor=calls.owner)
    html = client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert "<p>申报要求</p>" in html and "alert(1)" not in html and "javascript:" not in html


def test_deliverable_note_is_cleaned(calls, draft, media):
    _project, deliverable = concluded_project(calls, draft, note=XSS)
    assert "<script" not in deliverable.note and "onclick" not in deliverable.note and "javascript:" not in deliverable.note


# ---- the case library --------------------------------------------------------------------------


def test_publish_deliverable_needs_a_concluded_project_and_the_owner(calls, draft, media):
    project, deliverable = concluded_project(calls, draft)
    for user in (calls.applicant, calls.recommender, calls.t.worker):
        with pytest.raises((PermissionDenied, NotFound)):
            cases.publish_deliverable(deliverable, actor=user)
    deliverable = cases.publish_deliverable(deliverable, actor=calls.owner)
    assert deliverable.public and deliverable.published_at and deliverable.published_by == calls.owner
    assert AuditEvent.objects.filter(action="calls.publish_deliverable", new__public=True).count() == 1
    cases.publish_deliverable(deliverable, actor=calls.owner, public=False)
    assert not Deliverable.objects.get(pk=deliverable.pk).public
    assert AuditEvent.objects.filter(action="calls.unpublish_deliverable").count() == 1


def test_publish_refused_before_conclusion(calls, draft, media):
    application = walk_to(calls, draft, S.ANNOUNCED)
    project = workflow.approve_application(
        application, actor=calls.owner, amount="350000", starts_on=datetime.date(2020, 7, 1), now=DEADLINE + datetime.timedelta(days=40)
    )
    deliverable = workflow.submit_deliverable(project, actor=calls.applicant, title="中期材料")
    with pytest.raises(IllegalTransition) as caught:
        cases.publish_deliverable(deliverable, actor=calls.owner)
    assert caught.value.code == "not_concluded"


def test_case_pages_are_public_and_searchable(calls, draft, client, media):
    _project, deliverable = concluded_project(calls, draft, note="<p>形成<strong>可复制</strong>经验</p>")
    list_url, detail_url = reverse("calls:cases"), reverse("calls:case", args=[deliverable.pk])
    assert deliverable.title not in client.get(list_url).content.decode()
    assert client.get(detail_url).status_code == 404
    cases.publish_deliverable(deliverable, actor=calls.owner)
    html = client.get(list_url).content.decode()
    assert deliverable.title in html and "南京市科学技术协会" in html
    topic = "完善“党建带群建”工作机制，加强基层组织改革"  # the draft's topic "1"
    assert deliverable.title in client.get(list_url, {"topic": topic}).content.decode()
    assert deliverable.title not in client.get(list_url, {"topic": "助力科技精准扶贫"}).content.decode()
    assert deliverable.title in client.get(list_url, {"region": "320000"}).content.decode()
    assert deliverable.title not in client.get(list_url, {"region": "110000"}).content.decode()
    assert deliverable.title in client.get(list_url, {"q": "总结"}).content.decode()
    assert deliverable.title not in client.get(list_url, {"q": "不存在的词"}).content.decode()
    page = client.get(detail_url).content.decode()
    assert "<strong>可复制</strong>" in page and "南京市科学技术协会" in page and topic in page


def test_front_page_shows_cases_only_when_there_are_some(calls, draft, client, media):
    assert 'id="cases"' not in client.get("/").content.decode()
    _project, deliverable = concluded_project(calls, draft)
    cases.publish_deliverable(deliverable, actor=calls.owner)
    html = client.get("/").content.decode()
    assert 'id="cases"' in html and deliverable.title in html and reverse("calls:case", args=[deliverable.pk]) in html


# ---- files -------------------------------------------------------------------------------------


def _upload(content, name="seal.png"):
    return SimpleUploadedFile(name, content)


def test_seal_image_upload_sets_the_answer_and_is_served_by_scope(calls, draft, client, media):
    item = files.upload_application_file(draft, actor=calls.applicant, field="applicant_opinion", part="seal", upload=_upload(PNG))
    draft.refresh_from_db()
    assert draft.data["applicant_opinion"]["seal"] == item.file.name and item.file.name.endswith(".png")
    assert AuditEvent.objects.filter(action="calls.upload_file").exists()
    url = reverse("calls:application_file", args=[item.pk])
    client.force_login(calls.applicant)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    for user in (calls.owner, calls.recommender, calls.t.worker):  # a draft: only its applicant sees it
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "field,part,content,name",
    [
        ("applicant_opinion", "seal", b"MZ\x90\x00" + b"\x00" * 60, "seal.png"),  # not an image, whatever its name
        ("applicant_opinion", "seal", PDF, "seal.png"),  # a PDF is not a seal image
        ("pilot_content", "", PDF, "a.pdf"),  # a text field takes no file
        ("applicant_opinion", "", PNG, "a.png"),  # a sign-off takes only its seal
    ],
)
def test_upload_refused_by_content_or_field(calls, draft, media, field, part, content, name):
    with pytest.raises(DomainError):
        files.upload_application_file(draft, actor=calls.applicant, field=field, part=part, upload=_upload(content, name))
    assert not ApplicationFile.objects.exists() and not any(media.rglob("*.*"))


def test_oversized_upload_refused(calls, draft, media, settings):
    settings.CALLS_MAX_SEAL = 32
    with pytest.raises(DomainError) as caught:
        files.upload_application_file(draft, actor=calls.applicant, field="applicant_opinion", part="seal", upload=_upload(PNG))
    assert "MB" in str(caught.value.message) and not ApplicationFile.objects.exists()


def test_only_the_applicant_uploads_and_only_while_editable(calls, draft, media):
    for user in (calls.owner, calls.recommender):
        with pytest.raises(PermissionDenied):
            files.upload_application_file(draft, actor=user, field="applicant_opinion", part="seal", upload=_upload(PNG))
    workflow.submit_application(draft, actor=calls.applicant, attest=True, now=BEFORE)
    with pytest.raises(PermissionDenied):
        files.upload_application_file(draft, actor=calls.applicant, field="applicant_opinion", part="seal", upload=_upload(PNG))


def test_upload_page_endpoint(calls, draft, client, media):
    url = reverse("calls:application_upload", args=[draft.pk])
    client.force_login(calls.applicant)
    page = client.get(reverse("calls:application", args=[draft.pk])).content.decode()
    assert 'id="files"' in page and url in page
    response = client.post(url, {"field": "applicant_opinion", "part": "seal", "file": _upload(b"GIF89a" + b"\x00" * 40, "s.png")})
    assert response.status_code == 302 and not ApplicationFile.objects.exists()
    response = client.post(url, {"field": "applicant_opinion", "part": "seal", "file": _upload(PNG)})
    assert response.status_code == 302 and ApplicationFile.objects.count() == 1
    item = ApplicationFile.objects.get()
    assert reverse("calls:application_file", args=[item.pk]) in client.get(reverse("calls:application", args=[draft.pk])).content.decode()
    client.force_login(calls.t.worker)
    assert client.post(url, {"field": "applicant_opinion", "part": "seal", "file": _upload(PNG)}).status_code == 404
    client.logout()
    assert client.post(url, {"field": "applicant_opinion", "part": "seal", "file": _upload(PNG)}).status_code == 404


def test_call_attachment_by_the_owner_public_once_published(calls, client, media):
    attachment = files.add_call_attachment(calls.call, actor=calls.owner, title="附件1 申报指南", upload=_upload(PDF, "guide.pdf"))
    with pytest.raises((PermissionDenied, NotFound)):
        files.add_call_attachment(calls.call, actor=calls.applicant, title="x", upload=_upload(PDF, "x.pdf"))
    with pytest.raises(DomainError):
        files.add_call_attachment(calls.call, actor=calls.owner, title="x", upload=_upload(b"<html>", "x.pdf"))
    assert CallAttachment.objects.filter(file__gt="").count() == 1
    url = reverse("calls:attachment_file", args=[attachment.pk])
    assert url in client.get(reverse("calls:detail", args=[calls.call.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF and "guide.pdf" in response["Content-Disposition"]
    hidden = services.create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE, title="未发布")
    draft_attachment = files.add_call_attachment(hidden, actor=calls.owner, title="草稿附件", upload=_upload(PDF, "d.pdf"))
    assert client.get(reverse("calls:attachment_file", args=[draft_attachment.pk])).status_code == 404
    client.force_login(calls.owner)
    assert client.get(reverse("calls:attachment_file", args=[draft_attachment.pk])).status_code == 200


def test_deliverable_file_checked_and_public_only_once_published(calls, draft, client, media):
    application = walk_to(calls, draft, S.ANNOUNCED)
    project = workflow.approve_application(
        application, actor=calls.owner, amount="350000", starts_on=datetime.date(2020, 7, 1), now=DEADLINE + datetime.timedelta(days=40)
    )
    with pytest.raises(DomainError):
        workflow.submit_deliverable(project, actor=calls.applicant, title="报告", file=_upload(b"not a pdf at all", "r.pdf"))
    assert not Deliverable.objects.exists() and not any(media.rglob("*.*"))
    deliverable = workflow.submit_deliverable(project, actor=calls.applicant, title="报告", file=_upload(PDF, "report.pdf"))
    assert deliverable.file.name.endswith(".pdf") and deliverable.original_name == "report.pdf"
    url = reverse("calls:deliverable_file", args=[deliverable.pk])
    assert client.get(url).status_code == 404
    client.force_login(calls.applicant)
    assert client.get(url).status_code == 200
    client.force_login(calls.t.worker)
    assert client.get(url).status_code == 404
    workflow.pass_midterm(project, actor=calls.owner)
    workflow.conclude_project(project, actor=calls.owner)
    cases.publish_deliverable(deliverable, actor=calls.owner)
    client.logout()
    assert client.get(url).status_code == 200
    assert url in client.get(reverse("calls:case", args=[deliverable.pk])).content.decode()
