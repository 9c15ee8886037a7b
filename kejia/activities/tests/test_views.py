"""The pages: public ones without login, a worker registering and cancelling, the ticket and its QR
code, the staff creating, editing, publishing and cancelling events, the registrations list and its
XLSX, the check-in page on a phone, bad input answered next to the field."""

import io

import pytest
from django.urls import reverse

from kejia.activities import registration
from kejia.activities.choices import EventStatus, RegistrationStatus
from kejia.activities.models import Event, Registration
from kejia.activities.tests.conftest import DAY, make_event

R = RegistrationStatus


def _login(client, tree, user):
    client.force_login(user)
    return client


def test_public_pages_need_no_login(client, tree):
    event = make_event(tree, title="公开科普讲座")
    response = client.get(reverse("activities:home"))
    assert response.status_code == 200 and "公开科普讲座" in response.content.decode()
    response = client.get(reverse("activities:event", args=[event.pk]))
    assert response.status_code == 200 and "公开科普讲座" in response.content.decode()
    assert "Log in to register" in response.content.decode() or "登录" in response.content.decode()


def test_home_filters_by_kind_and_region(client, tree):
    make_event(tree, title="玄武沙龙")
    make_event(tree, org=tree.lx, title="梁溪培训", kind="training", region=tree.regions["320213"])
    content = client.get(reverse("activities:home"), {"kind": "training"}).content.decode()
    assert "梁溪培训" in content and "玄武沙龙" not in content
    content = client.get(reverse("activities:home"), {"region": "320100"}).content.decode()
    assert "玄武沙龙" in content and "梁溪培训" not in content
    assert client.get(reverse("activities:home"), {"region": "999999"}).status_code == 400


def test_draft_and_members_events_are_hidden_from_strangers(client, tree, people):
    draft = make_event(tree, publish=False, title="草稿")
    members = make_event(tree, audience="members", audience_organization=tree.xw, title="会员活动")
    assert client.get(reverse("activities:event", args=[draft.pk])).status_code == 404
    assert client.get(reverse("activities:event", args=[members.pk])).status_code == 404
    _login(client, tree, people.a)
    assert client.get(reverse("activities:event", args=[members.pk])).status_code == 404
    _login(client, tree, tree.county_staff)
    assert client.get(reverse("activities:event", args=[draft.pk])).status_code == 200


def test_register_from_the_page_then_see_the_ticket_with_qr(client, tree, people):
    event = make_event(tree, capacity=1)
    _login(client, tree, people.a)
    response = client.post(reverse("activities:register", args=[event.pk]))
    reg = Registration.objects.get(event=event, user=people.a)
    assert response.status_code == 302 and response["Location"] == reverse("activities:registration", args=[reg.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and "ticket-qr" in page.content.decode()
    assert reverse("activities:mine") and event.title in client.get(reverse("activities:mine")).content.decode()
    again = client.post(reverse("activities:register", args=[event.pk]))
    assert again.status_code == 409
    _login(client, tree, people.b)
    client.post(reverse("activities:register", args=[event.pk]))
    b = Registration.objects.get(event=event, user=people.b)
    assert b.status == R.WAITLISTED
    assert "ticket-qr" not in client.get(reverse("activities:registration", args=[b.pk])).content.decode()


def test_register_closed_window_is_shown_with_409(client, tree, people):
    event = make_event(tree, start_in=DAY * 5, registration_closes=None)
    Event.objects.filter(pk=event.pk).update(registration_closes=event.published_at + DAY / 24)
    _login(client, tree, people.a)
    response = client.post(reverse("activities:register", args=[event.pk]))
    assert response.status_code == 409 and not Registration.objects.exists()


def test_register_requires_login(client, tree):
    event = make_event(tree)
    response = client.post(reverse("activities:register", args=[event.pk]))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_cancel_from_the_page_promotes(client, tree, people):
    event = make_event(tree, capacity=1)
    a = registration.register_for_event(event, actor=people.a)
    b = registration.register_for_event(event, actor=people.b)
    _login(client, tree, people.a)
    response = client.post(reverse("activities:registration_cancel", args=[a.pk]), {"reason": "有事"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.status == R.CONFIRMED
    assert client.post(reverse("activities:registration_cancel", args=[a.pk])).status_code == 409


def test_other_peoples_registration_is_not_found(client, tree, people):
    event = make_event(tree)
    a = registration.register_for_event(event, actor=people.a)
    _login(client, tree, people.b)
    assert client.get(reverse("activities:registration", args=[a.pk])).status_code == 404
    assert client.post(reverse("activities:registration_cancel", args=[a.pk])).status_code == 404
    a.refresh_from_db()
    assert a.status == R.CONFIRMED


def test_staff_create_publish_edit_and_cancel_an_event(client, tree, people):
    _login(client, tree, tree.county_staff)
    assert client.get(reverse("activities:event_create", args=[tree.xw.pk])).status_code == 200
    data = {
        "kind": "forum",
        "title": "青年科技论坛",
        "starts_at": "2031-05-01T09:00",
        "ends_at": "2031-05-01T17:00",
        "region": "320102",
        "address": "会议中心",
        "capacity": "50",
        "audience": "public",
        "fee": "0",
        "disciplines": "520",
    }
    response = client.post(reverse("activities:event_create", args=[tree.xw.pk]), data)
    event = Event.objects.get(title="青年科技论坛")
    assert response.status_code == 302 and event.status == EventStatus.DRAFT and event.capacity == 50
    assert list(event.disciplines.values_list("code", flat=True)) == ["520"]
    assert client.post(reverse("activities:event_publish", args=[event.pk])).status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert client.post(reverse("activities:event_publish", args=[event.pk])).status_code == 409
    edit = client.get(reverse("activities:event_edit", args=[event.pk]))
    assert edit.status_code == 200 and "2031-05-01T09:00" in edit.content.decode()
    response = client.post(reverse("activities:event_edit", args=[event.pk]), {**data, "capacity": "80", "title": "青年科技论坛（扩容）"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.capacity == 80 and event.title == "青年科技论坛（扩容）"
    assert client.post(reverse("activities:event_cancel", args=[event.pk]), {"reason": ""}).status_code == 400
    assert client.post(reverse("activities:event_cancel", args=[event.pk]), {"reason": "场地维修"}).status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert client.get(reverse("activities:event_edit", args=[event.pk])).status_code == 409


def test_create_event_bad_input_names_the_field(client, tree):
    _login(client, tree, tree.county_staff)
    data = {
        "kind": "forum",
        "title": "坏数据",
        "starts_at": "2031-05-01T09:00",
        "ends_at": "2031-04-01T17:00",
        "audience": "members",
        "audience_organization": "",
        "fee": "0",
    }
    response = client.post(reverse("activities:event_create", args=[tree.xw.pk]), data)
    assert response.status_code == 400 and not Event.objects.exists()
    errors = response.context["form"].errors
    assert "ends_at" in errors and "region" in errors and "audience_organization" in errors
    response = client.post(reverse("activities:event_create", args=[tree.xw.pk]), {**data, "audience_organization": "NOPE"})
    assert response.status_code == 400 and "audience_organization" in response.context["form"].errors
    response = client.post(reverse("activities:event_create", args=[tree.xw.pk]), {**data, "starts_at": "tomorrow"})
    assert response.status_code == 400 and "starts_at" in response.context["form"].errors


def test_create_event_outside_scope_is_not_found_and_leader_is_forbidden(client, tree):
    _login(client, tree, tree.sibling_staff)
    assert client.get(reverse("activities:event_create", args=[tree.xw.pk])).status_code == 404
    _login(client, tree, tree.county_leader)
    assert client.get(reverse("activities:event_create", args=[tree.xw.pk])).status_code == 403


def test_manage_lists_the_scope_only(client, tree):
    mine = make_event(tree, title="玄武的活动")
    other = make_event(tree, org=tree.qh, title="秦淮的活动", region=tree.regions["320104"])
    _login(client, tree, tree.county_staff)
    content = client.get(reverse("activities:manage")).content.decode()
    assert mine.title in content and other.title not in content
    assert client.get(reverse("activities:manage"), {"org": "QH"}).status_code == 400
    _login(client, tree, tree.nj_staff)
    content = client.get(reverse("activities:manage"), {"when": "all"}).content.decode()
    assert mine.title in content and other.title in content
    _login(client, tree, tree.worker)
    assert client.get(reverse("activities:manage")).status_code == 403


def test_registrations_export_xlsx(client, tree, people):
    from openpyxl import load_workbook

    event = make_event(tree, capacity=1)
    registration.register_for_event(event, actor=people.a)
    registration.register_for_event(event, actor=people.b)
    _login(client, tree, tree.county_staff)
    page = client.get(reverse("activities:registrations", args=[event.pk]))
    assert page.status_code == 200 and "用户alice" in page.content.decode()
    response = client.get(reverse("activities:registrations_xlsx", args=[event.pk]))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3 and {rows[1][0], rows[2][0]} == {"用户alice", "用户bob"}
    _login(client, tree, tree.sibling_staff)
    assert client.get(reverse("activities:registrations_xlsx", args=[event.pk])).status_code == 404


def test_staff_register_someone_by_profile_number(client, tree, people):
    from kejia.activities.tests.conftest import make_person

    event = make_event(tree)
    walk_in = make_person(tree, name="电话报名者", org=tree.xw)
    _login(client, tree, tree.county_staff)
    response = client.post(reverse("activities:registrations", args=[event.pk]), {"person": walk_in.pk})
    assert response.status_code == 302 and Registration.objects.filter(event=event, person=walk_in).exists()
    outsider = make_person(tree, name="外区人员", org=tree.qh)
    response = client.post(reverse("activities:registrations", args=[event.pk]), {"person": outsider.pk})
    assert response.status_code == 400 and "person" in response.context["form"].errors


def test_checkin_page_by_code_list_and_twice(client, tree, people):
    event = make_event(tree, start_in=DAY / 2)
    a = registration.register_for_event(event, actor=people.a)
    b = registration.register_for_event(event, actor=people.b)
    _login(client, tree, tree.county_staff)
    page = client.get(reverse("activities:checkin", args=[event.pk]))
    assert page.status_code == 200 and "用户alice" in page.content.decode()
    url = reverse("activities:checkin", args=[event.pk])
    response = client.post(url, {"code": f"http://x/activities/ticket/{a.checkin_code}/"}, follow=True)
    a.refresh_from_db()
    assert a.status == R.ATTENDED and "is checked in" in response.content.decode() or "已签到" in response.content.decode()
    response = client.post(url, {"code": a.checkin_code}, follow=True)
    assert response.status_code == 200 and response.redirect_chain
    assert client.post(url, {"registration": b.pk}).status_code == 302
    b.refresh_from_db()
    assert b.status == R.ATTENDED
    assert client.post(url, {"code": "bogus"}).status_code == 400
    assert client.post(url, {}).status_code == 400


def test_ticket_link_opens_checkin_for_staff_and_ticket_for_the_holder(client, tree, people):
    event = make_event(tree, start_in=DAY / 2)
    a = registration.register_for_event(event, actor=people.a)
    url = reverse("activities:ticket", args=[a.checkin_code])
    _login(client, tree, people.a)
    assert client.get(url)["Location"] == reverse("activities:registration", args=[a.pk])
    assert client.post(url).status_code == 403
    _login(client, tree, people.b)
    assert client.get(url).status_code == 404
    _login(client, tree, tree.county_staff)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 200
    a.refresh_from_db()
    assert a.status == R.ATTENDED
    again = client.post(url)
    assert again.status_code == 200 and again.context["result"].already
    assert client.get(reverse("activities:ticket", args=["nope"])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_certificate_pages(client, tree, people):
    event = make_event(tree, start_in=DAY / 2)
    a = registration.register_for_event(event, actor=people.a)
    _login(client, tree, people.a)
    assert client.get(reverse("activities:certificate", args=[a.pk])).status_code == 409
    registration.check_in(event, actor=tree.county_staff, registration=a)
    response = client.get(reverse("activities:certificate", args=[a.pk]))
    assert response.status_code == 200 and "/verify/KJA1." in response.content.decode()
    assert client.get(reverse("activities:certificate", args=[a.pk]), {"download": "svg"})["Content-Type"] == "image/svg+xml"
    assert event.title in client.get(reverse("activities:certificates")).content.decode()
    cert = a.certificates.get()
    _login(client, tree, tree.county_staff)
    assert client.post(reverse("activities:certificate_revoke", args=[cert.pk]), {"reason": ""}).status_code == 400
    assert client.post(reverse("activities:certificate_revoke", args=[cert.pk]), {"reason": "误签"}).status_code == 302
    cert.refresh_from_db()
    assert cert.revoked_at is not None


@pytest.mark.parametrize("name", ["activities:home", "activities:mine", "activities:certificates", "activities:manage"])
def test_list_pages_render_for_the_worker_and_staff(client, tree, people, name):
    for user in (tree.worker, tree.county_staff):
        _login(client, tree, user)
        assert client.get(reverse(name)).status_code in (200, 403)


@pytest.mark.parametrize("text", ["²", "1" * 4400, "99999999999"])
def test_invite_form_refuses_numbers_that_are_not_profile_numbers(text):
    from kejia.activities.forms import InviteForm

    form = InviteForm({"people": text})
    assert not form.is_valid() and "people" in form.errors
